export * from './idcard.js';
export * from './xuehao.js';
export * from './mask.js';
export * from './identify.js';
