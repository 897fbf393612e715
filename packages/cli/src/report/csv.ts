/** CSV report (CSV 报告): UTF-8 with BOM so Excel opens Chinese correctly; CRLF rows; streamed. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { COLUMNS, flatRow, type ReportRow, type ReportWriter } from './row.js';

/** Quote a CSV cell; neutralise cells Excel would run as formulas. */
export function csvCell(value: string): string {
  let v = value;
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export class CsvReportWriter implements ReportWriter {
  private readonly out: WriteStream;
  private failure: Error | null = null;
  constructor(readonly path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (err) => (this.failure ??= err));
    this.out.write('\uFEFF' + COLUMNS.map(csvCell).join(',') + '\r\n');
  }
  async add(row: ReportRow): Promise<void> {
    if (this.failure) return;
    if (!this.out.write(flatRow(row).map(csvCell).join(',') + '\r\n')) await once(this.out, 'drain');
  }
  async close(): Promise<void> {
    if (!this.failure) {
      this.out.end();
      await Promise.race([once(this.out, 'finish'), once(this.out, 'error')]).catch(() => undefined);
    }
    if (this.failure) throw this.failure;
  }
}
