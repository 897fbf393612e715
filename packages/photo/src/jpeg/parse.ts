/**
 * JPEG structure parser (JPEG 结构解析): markers and headers only, no pixel decoding.
 * Pure and fast (one pass over the bytes; entropy-coded data is skipped with indexOf).
 */

/** The coding process named by the SOFn marker. 编码方式 */
export type JpegProcess = 'baseline' | 'extended' | 'progressive' | 'lossless';

export interface JpegComponent {
  id: number;
  /** Horizontal and vertical sampling factors. */
  h: number;
  v: number;
  /** Quantisation table index. */
  tq: number;
}

export interface JpegFrame {
  /** The SOFn marker byte, e.g. 0xC0. */
  marker: number;
  process: JpegProcess;
  /** Arithmetic coding (SOF9–SOF15) instead of Huffman. */
  arithmetic: boolean;
  /** Hierarchical (differential) frame. */
  differential: boolean;
  precision: number;
  width: number;
  height: number;
  components: JpegComponent[];
}

export interface JfifInfo {
  version: string;
  /** 0 = aspect ratio only, 1 = dots per inch, 2 = dots per cm. */
  units: number;
  xDensity: number;
  yDensity: number;
  /** Offset of the units byte in the file (for patching). */
  unitsOffset: number;
}

export interface ExifInfo {
  orientation: number | null;
  xResolution: number | null;
  yResolution: number | null;
  /** 1 = none, 2 = inch, 3 = centimetre (TIFF default 2 when absent). */
  resolutionUnit: number | null;
  gps: boolean;
}

export interface JpegSegment {
  marker: number;
  offset: number;
  /** Segment length including the two length bytes (0 for markers without a length). */
  length: number;
}

/** Everything the technical checks need from the JPEG headers. JPEG 结构信息 */
export interface JpegStructure {
  segments: JpegSegment[];
  frame: JpegFrame | null;
  jfif: JfifInfo | null;
  /** Adobe APP14 colour transform: 0 = none (RGB/CMYK), 1 = YCbCr, 2 = YCCK; null when absent. */
  adobeTransform: number | null;
  exif: ExifInfo | null;
  icc: boolean;
  /** Quantisation tables by index (0–3), each 64 values in natural (row-major) order. */
  quantTables: (number[] | undefined)[];
  /** Number of SOS scans. */
  scans: number;
  /** EOI marker found. */
  eoi: boolean;
  /** The data ended before EOI (inside a segment or in entropy-coded data). */
  truncated: boolean;
  /** Bytes after EOI. */
  trailingBytes: number;
  /**
   * The first segment whose length field does not fit the file: it ends where no marker follows, or past the
   * end of a file that does end with EOI (a damaged length, e.g. one flipped bit — not a truncated file).
   */
  badLength: { marker: number; offset: number; length: number } | null;
  /** Structural problems, in English for logs (the checks give the Chinese). */
  problems: string[];
}

/** Zig-zag order: ZIGZAG[k] = natural index of the k-th coefficient in the stream. */
export const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50,
  43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

function sofProcess(m: number): { process: JpegProcess; arithmetic: boolean; differential: boolean } | null {
  switch (m) {
    case 0xc0: return { process: 'baseline', arithmetic: false, differential: false };
    case 0xc1: return { process: 'extended', arithmetic: false, differential: false };
    case 0xc2: return { process: 'progressive', arithmetic: false, differential: false };
    case 0xc3: return { process: 'lossless', arithmetic: false, differential: false };
    case 0xc5: return { process: 'extended', arithmetic: false, differential: true };
    case 0xc6: return { process: 'progressive', arithmetic: false, differential: true };
    case 0xc7: return { process: 'lossless', arithmetic: false, differential: true };
    case 0xc9: return { process: 'extended', arithmetic: true, differential: false };
    case 0xca: return { process: 'progressive', arithmetic: true, differential: false };
    case 0xcb: return { process: 'lossless', arithmetic: true, differential: false };
    case 0xcd: return { process: 'extended', arithmetic: true, differential: true };
    case 0xce: return { process: 'progressive', arithmetic: true, differential: true };
    case 0xcf: return { process: 'lossless', arithmetic: true, differential: true };
    default: return null;
  }
}

function startsWith(b: Buffer, off: number, end: number, sig: string): boolean {
  if (off + sig.length > end) return false;
  for (let i = 0; i < sig.length; i++) if (b[off + i] !== sig.charCodeAt(i)) return false;
  return true;
}

/** Parse the TIFF structure inside an EXIF APP1 payload (starting at the TIFF header). */
function parseExif(b: Buffer, start: number, end: number): ExifInfo {
  const info: ExifInfo = { orientation: null, xResolution: null, yResolution: null, resolutionUnit: null, gps: false };
  if (start + 8 > end) return info;
  const le = b[start] === 0x49 && b[start + 1] === 0x49;
  const be = b[start] === 0x4d && b[start + 1] === 0x4d;
  if (!le && !be) return info;
  const u16 = (o: number) => (o + 2 <= end ? (le ? b.readUInt16LE(o) : b.readUInt16BE(o)) : -1);
  const u32 = (o: number) => (o + 4 <= end ? (le ? b.readUInt32LE(o) : b.readUInt32BE(o)) : -1);
  const ifd0 = u32(start + 4);
  if (ifd0 < 0) return info;
  const dir = start + ifd0;
  const n = u16(dir);
  if (n < 0 || n > 1000) return info;
  const rational = (valueOffset: number): number | null => {
    const off = u32(valueOffset);
    if (off < 0) return null;
    const num = u32(start + off);
    const den = u32(start + off + 4);
    if (num < 0 || den <= 0) return null;
    return num / den;
  };
  for (let i = 0; i < n; i++) {
    const e = dir + 2 + i * 12;
    if (e + 12 > end) break;
    const tag = u16(e);
    const valueAt = e + 8;
    if (tag === 0x0112) info.orientation = u16(valueAt);
    else if (tag === 0x011a) info.xResolution = rational(valueAt);
    else if (tag === 0x011b) info.yResolution = rational(valueAt);
    else if (tag === 0x0128) info.resolutionUnit = u16(valueAt);
    else if (tag === 0x8825) info.gps = true;
  }
  return info;
}

/** Parse a JPEG's marker structure. Never throws; problems are listed in `problems`. */
export function parseJpeg(b: Buffer): JpegStructure {
  const s: JpegStructure = {
    segments: [], frame: null, jfif: null, adobeTransform: null, exif: null, icc: false,
    quantTables: [], scans: 0, eoi: false, truncated: false, trailingBytes: 0, badLength: null, problems: [],
  };
  const len = b.length;
  const endsWithEoi = len >= 4 && b[len - 2] === 0xff && b[len - 1] === 0xd9;
  if (len < 2 || b[0] !== 0xff || b[1] !== 0xd8) {
    s.problems.push('no SOI marker');
    return s;
  }
  let p = 2;
  while (p < len) {
    if (b[p] !== 0xff) {
      s.problems.push(`garbage byte at ${p}`);
      const next = b.indexOf(0xff, p);
      if (next < 0) { s.truncated = true; break; }
      p = next;
      continue;
    }
    // Skip fill bytes.
    while (p + 1 < len && b[p + 1] === 0xff) p++;
    if (p + 1 >= len) { s.truncated = true; break; }
    const m = b[p + 1];
    const markerAt = p;
    p += 2;
    if (m === 0xd9) {
      s.segments.push({ marker: m, offset: markerAt, length: 0 });
      s.eoi = true;
      s.trailingBytes = len - p;
      break;
    }
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd7) || m === 0xd8) {
      s.segments.push({ marker: m, offset: markerAt, length: 0 });
      continue;
    }
    if (p + 2 > len) { s.truncated = true; break; }
    const segLen = b.readUInt16BE(p);
    const segEnd = p + segLen;
    s.segments.push({ marker: m, offset: markerAt, length: segLen });
    if (segLen < 2) {
      s.problems.push(`bad segment length at ${markerAt}`);
      s.badLength ??= { marker: m, offset: markerAt, length: segLen };
      s.truncated = true;
      break;
    }
    if (segEnd > len) {
      s.truncated = true;
      s.problems.push(`segment 0x${m.toString(16)} runs past the end`);
      if (endsWithEoi) s.badLength ??= { marker: m, offset: markerAt, length: segLen };
      break;
    }
    // A header segment must be followed by a marker; when it is not, its length field is wrong (kept in case
    // the file turns out broken: libjpeg skips a few stray bytes between segments with a warning).
    if (m !== 0xda && segEnd < len && b[segEnd] !== 0xff) s.badLength ??= { marker: m, offset: markerAt, length: segLen };
    const d = p + 2; // payload start
    const sof = sofProcess(m);
    if (sof) {
      if (segLen >= 8) {
        const nc = b[d + 5];
        const components: JpegComponent[] = [];
        for (let i = 0; i < nc && d + 6 + i * 3 + 2 < segEnd; i++) {
          const o = d + 6 + i * 3;
          components.push({ id: b[o], h: b[o + 1] >> 4, v: b[o + 1] & 15, tq: b[o + 2] });
        }
        if (!s.frame) {
          s.frame = { marker: m, ...sof, precision: b[d], height: b.readUInt16BE(d + 1), width: b.readUInt16BE(d + 3), components };
        }
      }
    } else if (m === 0xdb) {
      let q = d;
      while (q < segEnd) {
        const pq = b[q] >> 4;
        const tq = b[q] & 15;
        const size = pq ? 128 : 64;
        if (q + 1 + size > segEnd) { s.problems.push('short DQT'); break; }
        const table = new Array<number>(64);
        for (let k = 0; k < 64; k++) table[ZIGZAG[k]] = pq ? b.readUInt16BE(q + 1 + k * 2) : b[q + 1 + k];
        if (tq < 4) s.quantTables[tq] = table;
        q += 1 + size;
      }
    } else if (m === 0xe0 && startsWith(b, d, segEnd, 'JFIF\0') && segLen >= 16) {
      if (!s.jfif) {
        s.jfif = { version: `${b[d + 5]}.${String(b[d + 6]).padStart(2, '0')}`, units: b[d + 7], xDensity: b.readUInt16BE(d + 8), yDensity: b.readUInt16BE(d + 10), unitsOffset: d + 7 };
      }
    } else if (m === 0xe1 && startsWith(b, d, segEnd, 'Exif\0')) {
      if (!s.exif) s.exif = parseExif(b, d + 6, segEnd);
    } else if (m === 0xe2 && startsWith(b, d, segEnd, 'ICC_PROFILE\0')) {
      s.icc = true;
    } else if (m === 0xee && startsWith(b, d, segEnd, 'Adobe') && segLen >= 14) {
      s.adobeTransform = b[d + 11];
    }
    p = segEnd;
    if (m === 0xda) {
      s.scans++;
      // Skip entropy-coded data: stop at a marker that is not a stuffed 0xFF00 nor RSTn.
      let q = p;
      for (;;) {
        q = b.indexOf(0xff, q);
        if (q < 0 || q + 1 >= len) { s.truncated = true; p = len; break; }
        const n = b[q + 1];
        if (n === 0x00 || (n >= 0xd0 && n <= 0xd7) || n === 0xff) { q += n === 0xff ? 1 : 2; continue; }
        p = q;
        break;
      }
      if (s.truncated) break;
    }
  }
  if (!s.eoi && !s.truncated) s.truncated = true;
  if (!s.frame) s.problems.push('no SOF frame header');
  if (s.scans === 0) s.problems.push('no SOS scan');
  return s;
}

/** EXIF resolution in dots per inch, or null when absent/unitless. */
export function exifDpi(exif: ExifInfo): { x: number; y: number } | null {
  if (exif.xResolution === null && exif.yResolution === null) return null;
  const unit = exif.resolutionUnit ?? 2;
  if (unit === 1) return null;
  const f = unit === 3 ? 2.54 : 1;
  return { x: (exif.xResolution ?? exif.yResolution ?? 0) * f, y: (exif.yResolution ?? exif.xResolution ?? 0) * f };
}

/** JFIF density in dots per inch, or null when the header gives only an aspect ratio (units 0). */
export function jfifDpi(j: JfifInfo): { x: number; y: number } | null {
  if (j.units === 1) return { x: j.xDensity, y: j.yDensity };
  if (j.units === 2) return { x: j.xDensity * 2.54, y: j.yDensity * 2.54 };
  return null;
}
