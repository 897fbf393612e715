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

export const notFound = (what = '对象') => new AppError(404, 'NOT_FOUND', `${what}不存在`);
export const outOfScope = () => new AppError(403, 'OUT_OF_SCOPE', '该对象不在您所在单位的管辖范围内');
export const forbidden = (msg = '您的角色无权执行此操作') => new AppError(403, 'FORBIDDEN', msg);
export const invalid = (msg: string, code = 'VALIDATION') => new AppError(400, code, msg);
