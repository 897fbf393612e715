/**
 * 国开学号 (Open University student number): 13 digits = enrolment year (2) + provincial school code (3)
 * + student type (3) + serial (5; spring from 00001, autumn from 50001). The layout is not officially
 * published, so only `^\d{13}$` is a hard rule; the parts give warnings.
 */

export interface XuehaoInfo {
  value: string;
  /** Two-digit enrolment year, e.g. "18". */
  year: string;
  schoolCode: string;
  studentType: string;
  serial: string;
  /** Term implied by the serial: spring (春) below 50001, autumn (秋) from 50001. */
  term: 'spring' | 'autumn';
}

export function parseXuehao(input: string): { ok: true; info: XuehaoInfo; warnings: string[] } | { ok: false; code: 'XUEHAO_FORMAT'; message: string } {
  const s = input.trim();
  if (!/^\d{13}$/.test(s)) {
    return { ok: false, code: 'XUEHAO_FORMAT', message: `学号“${input}”格式不对：应为 13 位数字` };
  }
  const serial = s.slice(8, 13);
  const warnings: string[] = [];
  if (serial === '00000') warnings.push(`学号“${s}”的流水号为 00000，通常从 00001 起`);
  return {
    ok: true,
    info: { value: s, year: s.slice(0, 2), schoolCode: s.slice(2, 5), studentType: s.slice(5, 8), serial, term: Number(serial) >= 50001 ? 'autumn' : 'spring' },
    warnings,
  };
}

export function isValidXuehao(input: string): boolean {
  return /^\d{13}$/.test(input.trim());
}
