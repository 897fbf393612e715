import { COMMON_PASSWORDS } from './common-passwords.js';

/** Minimum number of non-space characters of a password (密码最短长度). */
export const PASSWORD_MIN_CHARS = 10;
/** Maximum length of a password (longer ones are refused before hashing). */
export const PASSWORD_MAX_CHARS = 128;

const COMMON = new Set(COMMON_PASSWORDS);

/** Character classes a password may mix (字符类别): lower/upper-case letters, digits, everything else. */
function classesOf(pw: string): number {
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{Nd}/u, /[^\p{Ll}\p{Lu}\p{Nd}]/u];
  return classes.filter((re) => re.test(pw)).length;
}

/** True when the password is, or is a common password followed by digits/symbols (`qwerty2026!`). */
export function isCommonPassword(pw: string): boolean {
  const lower = pw.toLowerCase().replace(/\s+/g, '');
  if (COMMON.has(lower)) return true;
  const stem = lower.replace(/[^\p{L}]+$/u, '');
  if (stem.length >= 4 && COMMON.has(stem)) return true;
  const lead = lower.replace(/^[^\p{L}]+/u, '');
  return lead.length >= 4 && COMMON.has(lead);
}

/**
 * The password rule (密码强度规则): at least 10 characters not counting spaces, not of one character class only,
 * not containing the user name, not a common password. Returns the Chinese reason, or null when acceptable.
 */
export function passwordProblem(pw: string, username?: string): string | null {
  if (pw.length > PASSWORD_MAX_CHARS) return `密码过长（最多 ${PASSWORD_MAX_CHARS} 个字符）`;
  const compact = pw.replace(/\s+/g, '');
  const chars = [...compact].length;
  if (chars < PASSWORD_MIN_CHARS) return `密码至少 ${PASSWORD_MIN_CHARS} 个字符（不计空格），当前 ${chars} 个`;
  if (classesOf(compact) < 2)
    return '密码不能只由一类字符组成（如全是数字或全是小写字母），请混合大小写字母、数字或符号';
  const user = (username ?? '').trim().toLowerCase();
  if (user.length >= 3 && compact.toLowerCase().includes(user)) return '密码不能包含用户名';
  if (isCommonPassword(pw)) return '该密码过于常见，容易被猜中，请换一个';
  return null;
}
