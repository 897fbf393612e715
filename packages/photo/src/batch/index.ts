/** Batch processing (批量处理): inputs, the worker pool, task messages. */
export * from './sources.js';
export * from './zip.js';
export * from './pool.js';
export * from './task.js';
export * from './engine.js';
