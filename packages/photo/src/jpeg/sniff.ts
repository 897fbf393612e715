/**
 * What a file really is, judged by its content (文件真实格式), not by its extension.
 */

export type SniffedFormat = 'jpeg' | 'png' | 'webp' | 'heic' | 'avif' | 'gif' | 'bmp' | 'tiff' | 'pdf' | 'zip' | 'text' | 'empty' | 'unknown';

/** Chinese names for messages. */
export const FORMAT_NAMES: Record<SniffedFormat, string> = {
  jpeg: 'JPEG 图片',
  png: 'PNG 图片',
  webp: 'WebP 图片',
  heic: 'HEIC/HEIF 图片（苹果手机照片）',
  avif: 'AVIF 图片',
  gif: 'GIF 图片',
  bmp: 'BMP 图片',
  tiff: 'TIFF 图片',
  pdf: 'PDF 文档',
  zip: 'ZIP 压缩包（或 Office 文档）',
  text: '文本文件',
  empty: '空文件',
  unknown: '无法识别的数据',
};

function ascii(b: Buffer, off: number, s: string): boolean {
  if (b.length < off + s.length) return false;
  for (let i = 0; i < s.length; i++) if (b[off + i] !== s.charCodeAt(i)) return false;
  return true;
}

/** How far after SOI a first marker is looked for (libjpeg skips such stray bytes with a warning). */
const JPEG_SOI_SLACK = 16;

/**
 * A JPEG as libjpeg sees one: SOI (FF D8), then — right away or after a few stray bytes, which libjpeg skips
 * with a warning — a marker that can follow SOI: any APPn, COM (FF FE), DQT, DHT, DRI, SOFn, DAC or DNL.
 */
function isJpeg(b: Buffer): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  const end = Math.min(b.length - 1, 2 + JPEG_SOI_SLACK);
  for (let i = 2; i < end; i++) {
    if (b[i] !== 0xff) continue;
    let j = i;
    while (j + 1 < b.length && b[j + 1] === 0xff) j++; // fill bytes
    const m = b[j + 1];
    return m !== undefined && m >= 0xc0 && m <= 0xfe && m !== 0xd8 && m !== 0xd9 && !(m >= 0xd0 && m <= 0xd7) && m !== 0xda;
  }
  return false;
}

/** Identify the format from magic bytes. */
export function sniffFormat(b: Buffer): SniffedFormat {
  if (b.length === 0) return 'empty';
  if (isJpeg(b)) return 'jpeg';
  if (ascii(b, 0, '\x89PNG\r\n\x1a\n')) return 'png';
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return 'webp';
  if (ascii(b, 4, 'ftyp')) {
    const brand = b.subarray(8, 12).toString('latin1');
    if (brand === 'avif' || brand === 'avis') return 'avif';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1'].includes(brand)) return 'heic';
  }
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return 'gif';
  if (ascii(b, 0, 'BM') && b.length > 14) return 'bmp';
  if (ascii(b, 0, 'II*\0') || ascii(b, 0, 'MM\0*')) return 'tiff';
  if (ascii(b, 0, '%PDF')) return 'pdf';
  if (ascii(b, 0, 'PK\x03\x04')) return 'zip';
  // Text: the first 512 bytes are printable ASCII/UTF-8 (no NUL, few control characters).
  const n = Math.min(b.length, 512);
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c === 0) return 'unknown';
    if (c < 0x20 && c !== 9 && c !== 10 && c !== 13 && c !== 12) bad++;
  }
  if (bad === 0 && Buffer.from(b.subarray(0, n).toString('utf8'), 'utf8').length >= n - 3) return 'text';
  return 'unknown';
}
