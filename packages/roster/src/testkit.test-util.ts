/**
 * Helpers for the roster tests: valid identifiers, rosters written with exceljs, and distinct pictures drawn
 * with sharp. Test code only (not exported from the package).
 */
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { idCardCheckChar } from '@gradpass/ids';

/** A valid 18-digit 身份证号 with the given birth date (YYYYMMDD) and sequence. */
export function idCard(birth: string, seq: number, area = '370102'): string {
  const first17 = `${area}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idCardCheckChar(first17);
}

/** The same number with a wrong check character. */
export function badCheck(id: string): string {
  const right = id[17];
  const wrong = right === '0' ? '1' : '0';
  return id.slice(0, 17) + wrong;
}

/** Write rows (first array = header) to an XLSX buffer; a cell given as `{ n: number }` is stored as a number. */
export async function xlsx(rows: (string | number | Date | null)[][], opts: { titleRow?: string } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('名册');
  if (opts.titleRow) ws.addRow([opts.titleRow]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A pseudo-random generator, seeded, so the pictures are the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A 480×640 JPEG of random grey-ish blocks: every seed gives a clearly different picture. */
export async function picture(seed: number, opts: { width?: number; height?: number; quality?: number } = {}): Promise<Buffer> {
  const r = rng(seed);
  const bw = 6;
  const bh = 8;
  const raw = Buffer.alloc(bw * bh * 3);
  for (let i = 0; i < bw * bh; i++) {
    const v = Math.floor(r() * 255);
    raw[i * 3] = v;
    raw[i * 3 + 1] = Math.floor((v + r() * 60) % 255);
    raw[i * 3 + 2] = Math.floor((v + r() * 60) % 255);
  }
  return sharp(raw, { raw: { width: bw, height: bh, channels: 3 } })
    .resize(opts.width ?? 480, opts.height ?? 640, { kernel: 'cubic' })
    .blur(6)
    .jpeg({ quality: opts.quality ?? 90 })
    .toBuffer();
}

/** A re-encoded, resized copy of a picture (what a second download or a phone transfer does). */
export async function reencode(bytes: Buffer, width = 360, quality = 60): Promise<Buffer> {
  return sharp(bytes).resize(width).jpeg({ quality }).toBuffer();
}
