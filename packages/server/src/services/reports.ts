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
    ws.addRow(
      columns.map((c) => {
        const v = c.value(r);
        return typeof v === 'boolean' ? (v ? '是' : '否') : (v ?? '');
      }),
    );
  }
  // 学号/身份证号 stay text: they were added as strings, and exceljs writes strings as shared strings.
  return Buffer.from(await wb.xlsx.writeBuffer());
}
