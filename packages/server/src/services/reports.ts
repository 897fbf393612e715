import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

/** One column of an XLSX report: Chinese header and how to get the cell. */
export interface Column<T> {
  header: string;
  width?: number;
  value: (row: T) => string | number | boolean | null | undefined;
}

/** Builds an XLSX workbook with one sheet, Chinese headers, frozen header row (报表导出). */
export async function toXlsx<T>(sheetName: string, columns: Column<T>[], rows: T[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'gradpass';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 4) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    ws.addRow(columns.map((c) => cellOf(c.value(r))));
  }
  // 学号/身份证号 stay text: they were added as strings, and exceljs writes strings as shared strings.
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The value written for one cell: booleans as 是/否, nothing as an empty cell. */
const cellOf = (v: string | number | boolean | null | undefined) => (typeof v === 'boolean' ? (v ? '是' : '否') : (v ?? ''));

/**
 * Writes an XLSX workbook row by row to `out` (流式导出) with exceljs's streaming writer: rows arrive in pages and
 * are committed (freed) at once, strings are written inline (no shared-string table growing with the rows), and
 * after each page the writer waits while `out` is full — memory stays flat at any number of rows. Stops with an
 * error when `out` is closed early (the client went away). Resolves with the number of data rows.
 */
export async function writeXlsxStream<T>(
  out: Writable,
  sheetName: string,
  columns: Column<T>[],
  pages: AsyncIterable<T[]>,
): Promise<number> {
  // No style table: 3–4× faster rows (the header is still frozen; it is not bold in streamed reports).
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  wb.creator = 'gradpass';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 4) }));
  ws.getRow(1).commit();
  let n = 0;
  for await (const page of pages) {
    if (out.destroyed) throw new Error('导出已中止：下载连接已关闭');
    for (const r of page) ws.addRow(columns.map((c) => cellOf(c.value(r)))).commit();
    n += page.length;
    if (out.writableNeedDrain) await drained(out);
  }
  ws.commit();
  await wb.commit();
  return n;
}

/** Resolves when `out` has room again (or rejects when it closes first). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (e?: Error) => {
      out.off('drain', ok);
      out.off('close', closed);
      if (e) reject(e);
      else resolve();
    };
    const ok = () => done();
    const closed = () => done(new Error('导出已中止：下载连接已关闭'));
    out.on('drain', ok);
    out.on('close', closed);
  });
}

/**
 * The pages of a keyset-paginated list (按游标分页读取): `fetch(cursor)` returns one page and the cursor of the
 * next (null at the end). Only one page is held at a time.
 */
export async function* keysetPages<T>(
  fetch: (cursor: number | undefined) => Promise<{ items: T[]; nextCursor: number | null }>,
): AsyncGenerator<T[]> {
  let cursor: number | undefined;
  for (;;) {
    const r = await fetch(cursor);
    if (r.items.length) yield r.items;
    if (r.nextCursor == null) return;
    cursor = r.nextCursor;
  }
}

/** Rows per page read for an export: big enough for few round trips, small enough to stay a few MB. */
export const EXPORT_PAGE_SIZE = 1000;
