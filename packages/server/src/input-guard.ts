import { AppError } from './errors.js';

/** Longest string accepted in a query, path parameter or JSON body field (字符串长度上限), in characters. */
export const MAX_INPUT_CHARS = 10_000;
/** Deepest JSON nesting walked (bodies are flat objects and short arrays; deeper is refused). */
const MAX_DEPTH = 8;
/** Most values walked in one request (arrays of ids for bulk actions stay far below). */
const MAX_VALUES = 20_000;

/**
 * Hostile-input guard (输入检查) for every request: NUL bytes, over-long strings and numbers that are not finite
 * safe integers/decimals (1e400 → Infinity, 1e20) answer 400 with the field named in Chinese, before any schema
 * validation or database call sees them. Returns the refusal, or null when the input is acceptable.
 */
export function inputProblem(where: string, value: unknown): AppError | null {
  let seen = 0;
  const walk = (v: unknown, path: string, depth: number): AppError | null => {
    if (++seen > MAX_VALUES)
      return new AppError(400, 'INPUT_TOO_LARGE', `请求包含的数据项过多（最多 ${MAX_VALUES} 个）`);
    if (typeof v === 'string') {
      if (v.includes('\u0000'))
        return new AppError(400, 'INPUT_NUL', `参数“${path}”含有空字符（NUL，\\u0000），请删除后重试`);
      if (v.length > MAX_INPUT_CHARS)
        return new AppError(400, 'INPUT_TOO_LONG', `参数“${path}”过长：${v.length} 个字符，最多 ${MAX_INPUT_CHARS} 个`);
      if (/^[+-]?(\d+\.?\d*|\.\d+)e[+-]?\d+$/i.test(v.trim()) && !Number.isFinite(Number(v)))
        return numberProblem(path);
      return null;
    }
    if (typeof v === 'number')
      return Number.isFinite(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER ? null : numberProblem(path);
    if (v === null || typeof v !== 'object') return null;
    if (depth >= MAX_DEPTH) return new AppError(400, 'INPUT_TOO_DEEP', `参数“${path}”嵌套过深（最多 ${MAX_DEPTH} 层）`);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (const [k, x] of entries) {
      if (k.includes('\u0000')) return new AppError(400, 'INPUT_NUL', `参数名含有空字符（NUL），请删除后重试`);
      const p = walk(x, path ? `${path}.${k}` : k, depth + 1);
      if (p) return p;
    }
    return null;
  };
  return walk(value, where, 0);
}

const numberProblem = (path: string) =>
  new AppError(
    400,
    'INPUT_NUMBER_INVALID',
    `参数“${path}”不是有效的数值（须为有限数，绝对值不超过 ${Number.MAX_SAFE_INTEGER}）`,
  );

/**
 * A database refusal caused by the caller's data rather than a fault — PostgreSQL's data exceptions (class 22:
 * integer out of range, invalid text such as a NUL byte, value too long) and SQLite's "too big" — as a 400
 * with a Chinese message; null for anything else (a real fault stays a logged 500).
 */
export function databaseInputError(err: unknown): { code: string; message: string } | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (/^22[0-9A-Z]{3}$/.test(code) || code === 'SQLITE_TOOBIG' || code === 'SQLITE_RANGE')
    return {
      code: 'INPUT_OUT_OF_RANGE',
      message: '请求中的数值或文本超出允许的范围（如编号过大、文本过长或含非法字符）',
    };
  return null;
}
