/** A refusal with a stable code, a Chinese message and the HTTP status it maps to (拒绝). */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * Not found (不存在或不在管辖范围内) — also the answer for an object outside the caller's subtree: the two are
 * indistinguishable to the caller (same status, code and text), so ids and numbers probed from outside reveal
 * nothing about what exists elsewhere.
 */
export const notFound = (what = '对象') => new AppError(404, 'NOT_FOUND', `${what}不存在或不在您的管辖范围内`);
/** Outside the caller's subtree: answered exactly as {@link notFound} for the same kind of object. */
export const outOfScope = (what = '对象') => notFound(what);
export const forbidden = (msg = '您的角色无权执行此操作') => new AppError(403, 'FORBIDDEN', msg);
export const invalid = (msg: string, code = 'VALIDATION') => new AppError(400, code, msg);
