import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhotoReport } from '@gradpass/photo';
import { createReportWriter, reportFormat, type ReportRow } from './index.js';
import { csvCell } from './csv.js';
import { COLUMNS } from './row.js';

let dir: string;
let thumb: string;
let overlayFile: string;

const failing: PhotoReport = {
  file: '照片 2024/张三.jpg',
  verdict: 'fail',
  checks: [
    { id: 'size.bytes', status: 'fail', value: 56000, limit: [20480, 40960], message: '文件大小 54.7 KB，超过上限 40 KB', hint: '用 gradpass fix 重新压缩' },
    { id: 'dpi', status: 'pass', value: 300, limit: 300, message: '分辨率 300 dpi' },
    { id: 'background.colour', status: 'review', value: 12.5, limit: 10, message: '背景颜色与浅蓝相差较大，请人工确认' },
  ],
};
const passing: PhotoReport = { file: 'ok.jpg', verdict: 'pass', checks: [{ id: 'dpi', status: 'pass', value: 300, limit: 300, message: '分辨率 300 dpi' }] };
const broken: PhotoReport = { file: 'photos.zip!/坏.jpg', verdict: 'error', checks: [], error: { code: 'ZIP_ENTRY_CORRUPT', message: '压缩包内文件已损坏，无法解压' } };
const formula: PhotoReport = { file: '=HYPERLINK("x").jpg', verdict: 'pass', checks: [] };

async function write(file: string, rows: ReportRow[]): Promise<string> {
  const full = path.join(dir, file);
  const w = createReportWriter(full, '测试报告');
  for (const r of rows) await w.add(r);
  await w.close();
  return full;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-report-'));
  const jpeg = await sharp({ create: { width: 30, height: 40, channels: 3, background: { r: 100, g: 197, b: 255 } } }).jpeg().toBuffer();
  thumb = `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  overlayFile = path.join(dir, 'overlay.png');
  await writeFile(overlayFile, await sharp({ create: { width: 30, height: 40, channels: 3, background: '#f00' } }).png().toBuffer());
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('reportFormat', () => {
  it('picks the format by extension and refuses others', () => {
    expect(reportFormat('a.CSV')).toBe('csv');
    expect(reportFormat('报告.xlsx')).toBe('xlsx');
    expect(reportFormat('r.htm')).toBe('html');
    expect(reportFormat('r.pdf')).toBeNull();
  });
});

describe('CSV report', () => {
  it('starts with a UTF-8 BOM, has the Chinese header and one row per photo', async () => {
    const file = await write('r.csv', [{ report: failing }, { report: passing }, { report: broken }]);
    const buf = await readFile(file);
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = buf.toString('utf8').slice(1);
    const lines = text.split('\r\n').filter((l) => l !== '');
    expect(lines[0]).toBe(COLUMNS.join(','));
    expect(text).toContain('照片 2024/张三.jpg,不通过,size.bytes,background.colour,');
    expect(text).toContain('文件大小：文件大小 54.7 KB，超过上限 40 KB');
    expect(text).toContain('ZIP_ENTRY_CORRUPT');
    expect(text).toContain('ok.jpg,通过');
  });

  it('quotes commas, quotes and newlines, and defuses formulas', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvCell('plain')).toBe('plain');
  });
});

describe('XLSX report', () => {
  it('reads back with Chinese headers, a frozen header row, autofilter and one row per photo', async () => {
    const file = await write('r.xlsx', [{ report: failing }, { report: passing }, { report: broken }, { report: formula }]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('照片检测');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual([...COLUMNS]);
    expect(header.slice(0, 4)).toEqual(['文件', '结论', '未通过规则', '需复核规则']);
    expect(ws.rowCount).toBe(5);
    expect(ws.getRow(2).getCell(1).value).toBe('照片 2024/张三.jpg');
    expect(ws.getRow(2).getCell(2).value).toBe('不通过');
    expect(ws.getRow(2).getCell(3).value).toBe('size.bytes');
    expect(ws.getRow(4).getCell(8).value).toBe('ZIP_ENTRY_CORRUPT');
    // A file name that looks like a formula stays text.
    expect(ws.getRow(5).getCell(1).value).toBe('=HYPERLINK("x").jpg');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBeTruthy();
  });
});

describe('HTML report', () => {
  it('is self-contained, worst first, with thumbnails, badges, failed rules, hints and overlays', async () => {
    const file = await write('r.html', [
      { report: passing, thumbnail: thumb },
      { report: failing, thumbnail: thumb, overlay: overlayFile },
      { report: broken },
    ]);
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<(?:script|link)[^>]+(?:src|href)="http/);
    expect(html.match(/data:image\/jpeg;base64,/g)?.length).toBe(2);
    expect(html).toContain('data:image/png;base64,');
    expect(html).toContain('文件大小 54.7 KB，超过上限 40 KB');
    expect(html).toContain('建议：用 gradpass fix 重新压缩');
    expect(html).toContain('<code>size.bytes</code>');
    expect(html).toContain('class="badge fail"');
    const order = ['photos.zip!/坏.jpg', '照片 2024/张三.jpg', 'ok.jpg'].map((f) => html.indexOf(`<span class="file">${f}</span>`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain('无法预览');
  });
});
