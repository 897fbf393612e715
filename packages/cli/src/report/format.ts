/** Report formats by file extension (报告格式) — light module (no writer libraries loaded). */
import path from 'node:path';

export type ReportFormat = 'csv' | 'xlsx' | 'html';

/** The format named by a report file's extension, or null when unsupported. */
export function reportFormat(file: string): ReportFormat | null {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.html' || ext === '.htm') return 'html';
  return null;
}
