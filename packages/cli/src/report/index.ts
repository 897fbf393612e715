/** Report formats by file extension (报告格式). */
import path from 'node:path';
import { CsvReportWriter } from './csv.js';
import { HtmlReportWriter } from './html.js';
import type { ReportWriter } from './row.js';
import { XlsxReportWriter } from './xlsx.js';

export type { ReportRow, ReportWriter } from './row.js';
export { CsvReportWriter, HtmlReportWriter, XlsxReportWriter };

export type ReportFormat = 'csv' | 'xlsx' | 'html';

/** The format named by a report file's extension, or null when unsupported. */
export function reportFormat(file: string): ReportFormat | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.html' || ext === '.htm') return 'html';
  return null;
}

export function createReportWriter(file: string, title?: string): ReportWriter {
  switch (reportFormat(file)) {
    case 'csv':
      return new CsvReportWriter(file);
    case 'xlsx':
      return new XlsxReportWriter(file);
    case 'html':
      return new HtmlReportWriter(file, title);
    default:
      throw new Error(`不支持的报告格式：${file}`);
  }
}
