/**
 * @gradpass/roster — rosters (名册), matching photos to students (照片匹配), identity checks against
 * reference photos (同版/同人比对) and export (导出).
 */
export * from './errors.js';
export * from './csv.js';
export * from './roster.js';
export * from './imaging.js';
export * from './thresholds.js';
export * from './face.js';
export * from './match.js';
export * from './reference.js';
export * from './export.js';
