/**
 * @gradpass/core — the domain as pure functions (领域规则): organisations, students, batches, the four-level
 * graduation review, photo collection orders and certificates. No I/O: the clock is always an argument.
 */
export * from './errors.js';
export * from './time.js';
export * from './organisation.js';
export * from './enrolment.js';
export * from './student.js';
export * from './batch.js';
export * from './application.js';
export * from './collection.js';
export * from './certificate.js';
export * from './audit-words.js';
