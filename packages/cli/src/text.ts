/** Small text helpers for terminal output (终端文本): display width of Chinese text, padding, labels. */
import type { CheckStatus, Verdict } from '@gradpass/photo';

/** Columns a string takes in a terminal: CJK and full-width characters take two. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c === 0 || c < 32 || (c >= 0x7f && c < 0xa0)) continue;
    if (c >= 0x300 && c <= 0x36f) continue; // combining marks
    const wide =
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf && c !== 0x303f) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - displayWidth(s)));
}

export function padStart(s: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(s))) + s;
}

/** Verdicts in Chinese. 结论 */
export const VERDICT_ZH: Record<Verdict, string> = {
  pass: '通过',
  fail: '不通过',
  review: '需人工复核',
  error: '无法处理',
};

export const STATUS_ZH: Record<CheckStatus, string> = {
  pass: '通过',
  fail: '不通过',
  review: '需复核',
  skip: '跳过',
};

/** Worst first: error, fail, review, pass. */
export const VERDICT_RANK: Record<Verdict, number> = { error: 0, fail: 1, review: 2, pass: 3 };

/** Render rows as an aligned plain-text table (first row = header). */
export function formatTable(rows: string[][], align: ('left' | 'right')[] = []): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  const line = (row: string[]): string =>
    row
      .map((cell, i) => (align[i] === 'right' ? padStart(cell, widths[i]) : padEnd(cell, widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const row of rows.slice(1)) out.push(line(row));
  return out.join('\n');
}
