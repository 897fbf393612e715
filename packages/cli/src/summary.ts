/** The end-of-run summary (汇总): totals per verdict, then counts per rule, worst rule first. */
import type { PhotoReport, RuleId, Verdict } from '@gradpass/photo';
import { RULES } from '@gradpass/photo/rules';
import { formatTable, VERDICT_ZH } from './text.js';

export class BatchTally {
  total = 0;
  readonly verdicts: Record<Verdict, number> = { pass: 0, fail: 0, review: 0, error: 0 };
  readonly failed = new Map<RuleId, number>();
  readonly reviewed = new Map<RuleId, number>();
  readonly errors = new Map<string, number>();
  encodes = 0;
  encoded = 0;
  /** Files in folders and archives passed over because they are not photos (Thumbs.db, .txt, .tem…). */
  skipped = 0;

  /** Count one skipped non-photo file (跳过的非照片文件). */
  skip(): void {
    this.skipped++;
  }

  add(report: PhotoReport, encodes?: number): void {
    this.total++;
    this.verdicts[report.verdict]++;
    for (const c of report.checks) {
      if (c.status === 'fail') this.failed.set(c.id, (this.failed.get(c.id) ?? 0) + 1);
      else if (c.status === 'review') this.reviewed.set(c.id, (this.reviewed.get(c.id) ?? 0) + 1);
    }
    if (report.verdict === 'error') {
      const code = report.error?.code ?? 'ERROR';
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    }
    if (encodes !== undefined && encodes > 0) {
      this.encodes += encodes;
      this.encoded++;
    }
  }

  /** Exit code of the batch: 0 when every photo passed, else 1. */
  exitCode(): number {
    return this.total > 0 && this.verdicts.pass === this.total ? 0 : 1;
  }

  /** The summary as text (Chinese, with English rule names and codes). */
  format(elapsedMs: number): string {
    const secs = elapsedMs / 1000;
    const rate = secs > 0 ? this.total / secs : 0;
    const parts: string[] = [];
    parts.push(
      formatTable(
        [
          ['合计 Total', '通过 Pass', '不通过 Fail', '需复核 Review', '无法处理 Error', '用时 Time', '速度 Rate'],
          [String(this.total), String(this.verdicts.pass), String(this.verdicts.fail), String(this.verdicts.review), String(this.verdicts.error), `${secs.toFixed(1)} 秒`, `${rate.toFixed(1)} 张/秒`],
        ],
        ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    const ruleIds = new Set<RuleId>([...this.failed.keys(), ...this.reviewed.keys()]);
    if (ruleIds.size > 0) {
      const rows = [...ruleIds]
        .map((id) => ({ id, fail: this.failed.get(id) ?? 0, review: this.reviewed.get(id) ?? 0 }))
        .sort((a, b) => b.fail + b.review - (a.fail + a.review) || b.fail - a.fail || a.id.localeCompare(b.id));
      parts.push(
        formatTable(
          [['规则 Rule', '中文名称', 'English', '不通过 Fail', '需复核 Review'], ...rows.map((r) => [r.id, RULES[r.id]?.zh ?? r.id, RULES[r.id]?.en ?? r.id, String(r.fail), String(r.review)])],
          ['left', 'left', 'left', 'right', 'right'],
        ),
      );
    }
    if (this.errors.size > 0) {
      const rows = [...this.errors].sort((a, b) => b[1] - a[1]);
      parts.push(formatTable([['无法处理原因 Error code', '张数 Count'], ...rows.map(([code, n]) => [code, String(n)])], ['left', 'right']));
    }
    if (this.encoded > 0) parts.push(`平均编码次数 Encodes per photo：${(this.encodes / this.encoded).toFixed(2)}`);
    if (this.skipped > 0) parts.push(`已跳过 ${this.skipped} 个非照片文件（系统文件、文本、文档等，按文件名和内容判断）`);
    if (this.total === 0) parts.push('未找到任何照片 NO_PHOTOS');
    else parts.push(`结论：${this.verdicts.pass === this.total ? '全部通过' : `${this.total - this.verdicts.pass} 张未通过或需处理`}（${VERDICT_ZH.pass} ${this.verdicts.pass}／${this.total}）`);
    return parts.join('\n\n');
  }
}
