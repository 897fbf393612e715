/**
 * Excel report (Excel 报告): one row per photo, Chinese headers, frozen header row, autofilter.
 * Written with exceljs's streaming writer, so memory stays flat on large batches.
 */
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { COLUMNS, flatRow, type ReportRow, type ReportWriter } from './row.js';

const WIDTHS = [48, 12, 28, 28, 70, 50, 40, 20];

export class XlsxReportWriter implements ReportWriter {
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly ws: ExcelJS.Worksheet;
  private rows = 0;
  private failure: Error | null = null;

  constructor(readonly path: string) {
    const stream = createWriteStream(path);
    stream.on('error', (err) => (this.failure ??= err));
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
    this.wb.creator = 'gradpass';
    this.ws = this.wb.addWorksheet('照片检测', { views: [{ state: 'frozen', ySplit: 1 }] });
    this.ws.columns = COLUMNS.map((header, i) => ({ header, key: String(i), width: WIDTHS[i] }));
    const head = this.ws.getRow(1);
    head.font = { bold: true };
    head.commit();
  }

  async add(row: ReportRow): Promise<void> {
    const r = this.ws.addRow(flatRow(row));
    r.alignment = { wrapText: true, vertical: 'top' };
    r.commit();
    this.rows++;
  }

  async close(): Promise<void> {
    this.ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1 + this.rows, column: COLUMNS.length } };
    this.ws.commit();
    if (!this.failure) await this.wb.commit();
    if (this.failure) throw this.failure;
  }
}
