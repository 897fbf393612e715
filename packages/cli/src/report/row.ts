/** One photo as a report row (报告行): the facts every report format shows. */
import type { CheckResult, PhotoReport } from '@gradpass/photo';
import { RULES } from '@gradpass/photo/rules';
import { VERDICT_ZH } from '../text.js';

export interface ReportRow {
  report: PhotoReport;
  /** Thumbnail data URI (HTML). */
  thumbnail?: string;
  /** Overlay PNG file written by --overlays (HTML embeds it). */
  overlay?: string;
  overlayNote?: string;
}

/** A report sink: rows arrive in completion order; `close` finishes the file. */
export interface ReportWriter {
  readonly path: string;
  add(row: ReportRow): Promise<void>;
  close(): Promise<void>;
}

export function ruleLabel(c: CheckResult): string {
  const r = RULES[c.id];
  return r ? `${r.zh}（${c.id}）` : c.id;
}

export function failedChecks(report: PhotoReport): CheckResult[] {
  return report.checks.filter((c) => c.status === 'fail');
}

export function reviewChecks(report: PhotoReport): CheckResult[] {
  return report.checks.filter((c) => c.status === 'review');
}

/** The flat columns shared by CSV and XLSX. */
export const COLUMNS = ['文件', '结论', '未通过规则', '需复核规则', '说明', '修改建议', '输出文件', '错误代码'] as const;

export function flatRow(row: ReportRow): string[] {
  const r = row.report;
  const failed = failedChecks(r);
  const review = reviewChecks(r);
  const notes = [...failed, ...review].map((c) => `${RULES[c.id]?.zh ?? c.id}：${c.message}`);
  if (r.error) notes.unshift(r.error.message);
  const hints = [...failed, ...review].filter((c) => c.hint).map((c) => `${RULES[c.id]?.zh ?? c.id}：${c.hint}`);
  return [
    r.file,
    VERDICT_ZH[r.verdict],
    failed.map((c) => c.id).join(', '),
    review.map((c) => c.id).join(', '),
    notes.join('；\n'),
    hints.join('；\n'),
    r.output ?? '',
    r.error?.code ?? '',
  ];
}
