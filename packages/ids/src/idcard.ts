/**
 * 身份证号 (resident identity number, GB 11643-1999).
 *
 * 18 characters: 6-digit area code, birth date YYYYMMDD, 3-digit sequence (odd = male), check character.
 * The 15-digit legacy form has a YYMMDD birth date in the 1900s and no check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** Why an identity number is not valid; stable code plus Chinese message. */
export interface IdProblem {
  code: 'IDCARD_FORMAT' | 'IDCARD_CHECK_CHAR' | 'IDCARD_BIRTH_DATE';
  message: string;
}

export interface IdCardInfo {
  /** Normalised form: upper-case X, 18 or 15 characters. */
  value: string;
  legacy: boolean;
  areaCode: string;
  /** ISO date YYYY-MM-DD. */
  birthDate: string;
  sex: 'male' | 'female';
}

/** The GB 11643 check character for the first 17 digits. */
export function idCardCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARS[sum % 11];
}

function isRealDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/**
 * Parse and validate a 身份证号. Accepts lower-case x; returns the normalised value or the problem.
 * `today` bounds the birth date (no one is born in the future or before 1800; the standard's own example is born in 1880).
 */
export function parseIdCard(input: string, today: Date = new Date()): { ok: true; info: IdCardInfo } | { ok: false; problem: IdProblem } {
  const s = input.trim().toUpperCase();
  let legacy = false;
  let y: number, m: number, d: number, seq: number;
  if (/^\d{17}[\dX]$/.test(s)) {
    y = Number(s.slice(6, 10));
    m = Number(s.slice(10, 12));
    d = Number(s.slice(12, 14));
    seq = Number(s.slice(14, 17));
  } else if (/^\d{15}$/.test(s)) {
    legacy = true;
    y = 1900 + Number(s.slice(6, 8));
    m = Number(s.slice(8, 10));
    d = Number(s.slice(10, 12));
    seq = Number(s.slice(12, 15));
  } else {
    return { ok: false, problem: { code: 'IDCARD_FORMAT', message: `身份证号“${input}”格式不对：应为 18 位（末位可为 X）或 15 位数字` } };
  }
  const birth = Date.UTC(y, m - 1, d);
  if (!isRealDate(y, m, d) || y < 1800 || birth > today.getTime()) {
    return { ok: false, problem: { code: 'IDCARD_BIRTH_DATE', message: `身份证号“${input}”中的出生日期 ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')} 不是真实日期` } };
  }
  if (!legacy) {
    const expected = idCardCheckChar(s);
    if (s[17] !== expected) {
      return { ok: false, problem: { code: 'IDCARD_CHECK_CHAR', message: `身份证号“${input}”校验位错误：末位应为 ${expected}，实际为 ${s[17]}` } };
    }
  }
  const birthDate = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return { ok: true, info: { value: s, legacy, areaCode: s.slice(0, 6), birthDate, sex: seq % 2 === 1 ? 'male' : 'female' } };
}

/** True when the text is a valid 身份证号 (18-digit with a correct check character, or legacy 15-digit). */
export function isValidIdCard(input: string, today?: Date): boolean {
  return parseIdCard(input, today).ok;
}
