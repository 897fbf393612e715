/** Report formats by file extension (报告格式). */
import { CsvReportWriter } from './csv.js';
import { reportFormat } from './format.js';
import { HtmlReportWriter } from './html.js';
import type { ReportWriter } from './row.js';
import { XlsxReportWriter } from './xlsx.js';

export type { ReportRow, ReportWriter } from './row.js';
export { CsvReportWriter, HtmlReportWriter, XlsxReportWriter };
export { reportFormat, type ReportFormat } from './format.js';

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
