import { readdirSync, readFileSync, existsSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { backgroundSuspect, borderSuspect } from '../checks/dc-screen.js';
import { prng, rawSharp, syntheticPortrait } from '../testing/synthetic.js';
import { decodeDc, type DcImage } from './dc.js';

/** Box-average sharp's full decode over 8×8 blocks: the reference for the DC picture. */
async function sharpEighth(jpeg: Buffer): Promise<{ data: Float64Array; width: number; height: number }> {
  const { data, info } = await sharp(jpeg).toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const w = Math.ceil(info.width / 8), h = Math.ceil(info.height / 8), ch = info.channels;
  const sum = new Float64Array(w * h * 3), n = new Float64Array(w * h);
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      const o = (y >> 3) * w + (x >> 3), i = (y * info.width + x) * ch;
      n[o]++;
      for (let c = 0; c < 3; c++) sum[o * 3 + c] += data[i + (ch === 1 ? 0 : c)];
    }
  }
  for (let i = 0; i < sum.length; i++) sum[i] /= n[(i / 3) | 0];
  return { data: sum, width: w, height: h };
}

/** Mean absolute difference (levels) between the DC picture and sharp's 8×8 box average. */
async function madVsSharp(jpeg: Buffer): Promise<{ dc: DcImage; mad: number }> {
  const dc = decodeDc(jpeg);
  expect(dc, 'decoded').not.toBeNull();
  const ref = await sharpEighth(jpeg);
  expect([dc!.width, dc!.height]).toEqual([ref.width, ref.height]);
  let s = 0;
  for (let i = 0; i < ref.data.length; i++) s += Math.abs(ref.data[i] - dc!.data[i]);
  return { dc: dc!, mad: s / ref.data.length };
}

// --- A small baseline JPEG writer (test only): any sampling factors, restart intervals, interleaved or one
// scan per component, random AC coefficients (which the DC decoder must decode to skip, and which do not
// change a block's mean), custom Huffman tables with codes longer than the decoder's first-level lookup. ---

interface Table { counts: number[]; symbols: number[]; code: Map<number, [number, number]> }

function huffTable(byLength: Record<number, number[]>): Table {
  const counts = new Array(16).fill(0);
  const symbols: number[] = [];
  const code = new Map<number, [number, number]>();
  let c = 0;
  for (let len = 1; len <= 16; len++) {
    for (const s of byLength[len] ?? []) {
      counts[len - 1]++;
      symbols.push(s);
      code.set(s, [c++, len]);
    }
    c <<= 1;
  }
  return { counts, symbols, code };
}

const DC_TABLE = huffTable({ 2: [0], 3: [1, 2, 3, 4, 5], 4: [6], 5: [7], 6: [8], 7: [9], 8: [10], 9: [11] });
const AC_SYMBOLS: number[] = [];
for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) AC_SYMBOLS.push((r << 4) | s);
// EOB and one short symbol at 2 bits; 100 symbols at 9 bits (fast path); the rest and ZRL at 12 bits (slow path, > FAST_BITS).
const AC_TABLE = huffTable({ 2: [0x00, 0x01], 9: AC_SYMBOLS.filter((s) => s !== 0x01).slice(0, 100), 12: [...AC_SYMBOLS.filter((s) => s !== 0x01).slice(100), 0xf0] });

class BitWriter {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  align(): void {
    while (this.n) this.put(1, 1);
  }
}

function magnitude(v: number): [number, number] {
  const a = Math.abs(v);
  let s = 0;
  while (a >> s) s++;
  return [s, v >= 0 ? v : v + (1 << s) - 1];
}

interface WriteOptions {
  width: number;
  height: number;
  /** Sampling factors per component (1 or 3 components). */
  sampling: [number, number][];
  restart?: number;
  /** One scan per component instead of one interleaved scan. */
  separateScans?: boolean;
  /** Block mean (0–255) of component c at block (bx, by) of its own grid. */
  level: (c: number, bx: number, by: number) => number;
  seed?: number;
}

function writeJpeg(o: WriteOptions): Buffer {
  const out: number[] = [0xff, 0xd8];
  const seg = (m: number, body: number[]) => out.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 255, ...body);
  // DQT: DC step 8 (DC coefficient = mean − 128), AC steps 1.
  seg(0xdb, [0, 8, ...new Array(63).fill(1)]);
  const hmax = Math.max(...o.sampling.map((s) => s[0])), vmax = Math.max(...o.sampling.map((s) => s[1]));
  seg(0xc0, [8, o.height >> 8, o.height & 255, o.width >> 8, o.width & 255, o.sampling.length, ...o.sampling.flatMap(([h, v], i) => [i + 1, (h << 4) | v, 0])]);
  seg(0xc4, [0x00, ...DC_TABLE.counts, ...DC_TABLE.symbols]);
  seg(0xc4, [0x10, ...AC_TABLE.counts, ...AC_TABLE.symbols]);
  if (o.restart) seg(0xdd, [o.restart >> 8, o.restart & 255]);
  const rnd = prng(o.seed ?? 5);
  const mcusX = Math.ceil(o.width / (8 * hmax)), mcusY = Math.ceil(o.height / (8 * vmax));
  const code = (t: Table, s: number, w: BitWriter) => {
    const [c, len] = t.code.get(s)!;
    w.put(c, len);
  };
  const writeScan = (comps: number[]) => {
    seg(0xda, [comps.length, ...comps.flatMap((c) => [c + 1, 0x00]), 0, 63, 0]);
    const w = new BitWriter();
    const pred = comps.map(() => 0);
    const block = (ci: number, bx: number, by: number) => {
      const dc = Math.round(o.level(comps[ci], bx, by)) - 128;
      const [s, bits] = magnitude(dc - pred[ci]);
      pred[ci] = dc;
      code(DC_TABLE, s, w);
      if (s) w.put(bits, s);
      // A few AC coefficients, sometimes after a run of more than 15 zeros (ZRL).
      let k = 1;
      while (k < 64 && rnd() < 0.6) {
        let run = Math.floor(rnd() * (rnd() < 0.1 ? 30 : 6));
        if (k + run > 63) break;
        while (run > 15) {
          code(AC_TABLE, 0xf0, w);
          run -= 16;
          k += 16;
        }
        k += run;
        const v = (rnd() < 0.5 ? -1 : 1) * (1 + Math.floor(rnd() * (rnd() < 0.1 ? 40 : 4)));
        const [sz, vb] = magnitude(v);
        code(AC_TABLE, (run << 4) | sz, w);
        w.put(vb, sz);
        k++;
      }
      if (k < 64) code(AC_TABLE, 0x00, w);
    };
    const units = comps.length > 1 ? mcusX * mcusY : Math.ceil(Math.ceil((o.width * o.sampling[comps[0]][0]) / hmax) / 8) * Math.ceil(Math.ceil((o.height * o.sampling[comps[0]][1]) / vmax) / 8);
    const perLine = comps.length > 1 ? mcusX : Math.ceil(Math.ceil((o.width * o.sampling[comps[0]][0]) / hmax) / 8);
    let rst = 0;
    const bytes: number[] = [];
    for (let n = 0; n < units; n++) {
      if (o.restart && n > 0 && n % o.restart === 0) {
        w.align();
        bytes.push(...w.bytes, 0xff, 0xd0 + (rst++ & 7));
        w.bytes = [];
        pred.fill(0);
      }
      const mx = n % perLine, my = Math.floor(n / perLine);
      if (comps.length > 1) {
        comps.forEach((c, ci) => {
          const [h, v] = o.sampling[c];
          for (let j = 0; j < v; j++) for (let i = 0; i < h; i++) block(ci, mx * h + i, my * v + j);
        });
      } else block(0, mx, my);
    }
    w.align();
    out.push(...bytes, ...w.bytes);
  };
  if (o.separateScans) o.sampling.forEach((_, c) => writeScan([c]));
  else writeScan(o.sampling.map((_, c) => c));
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}

/** Smooth levels: a diagonal ramp per component (chroma near neutral). */
const ramp = (c: number, bx: number, by: number) => (c === 0 ? 60 + ((bx * 7 + by * 5) % 130) : 128 + ((bx + by) % 20) - 10);

describe('decodeDc on generated JPEGs (restart markers, sampling factors, scans, long codes)', () => {
  const cases: [string, Partial<WriteOptions>][] = [
    ['4:4:4', { sampling: [[1, 1], [1, 1], [1, 1]] }],
    ['4:2:0 with restarts every 3 MCUs', { sampling: [[2, 2], [1, 1], [1, 1]], restart: 3 }],
    ['4:2:2 with restarts every MCU', { sampling: [[2, 1], [1, 1], [1, 1]], restart: 1 }],
    ['greyscale with restarts every 7 blocks', { sampling: [[1, 1]], restart: 7 }],
    ['4:2:0, one scan per component, restarts', { sampling: [[2, 2], [1, 1], [1, 1]], restart: 5, separateScans: true }],
  ];
  for (const [name, opts] of cases) {
    test(name, async () => {
      const jpeg = writeJpeg({ width: 100, height: 75, level: ramp, sampling: [[1, 1]], ...opts });
      const { dc, mad } = await madVsSharp(jpeg);
      expect(mad, `${name}: MAD ${mad}`).toBeLessThanOrEqual(3);
      expect([dc.width, dc.height, dc.fullWidth, dc.fullHeight]).toEqual([13, 10, 100, 75]);
      // The luma block means are exact: the DC picture of a greyscale file is the level itself.
      if (opts.sampling!.length === 1) expect(dc.data[3 * (2 * 13 + 5)]).toBe(ramp(0, 5, 2));
    });
  }

  test('a missing restart marker, a truncated scan and a broken Huffman code give null, never a throw', () => {
    const jpeg = writeJpeg({ width: 64, height: 64, sampling: [[1, 1], [1, 1], [1, 1]], restart: 2, level: ramp });
    expect(decodeDc(jpeg)).not.toBeNull();
    const rst = jpeg.indexOf(Buffer.from([0xff, 0xd1]));
    expect(rst).toBeGreaterThan(0);
    expect(decodeDc(Buffer.concat([jpeg.subarray(0, rst), jpeg.subarray(rst + 2)]))).toBeNull();
    const sos = jpeg.indexOf(Buffer.from([0xff, 0xda]));
    expect(decodeDc(jpeg.subarray(0, sos + 40))).toBeNull();
    // All-ones is no code of these tables.
    const broken = Buffer.from(jpeg);
    broken.fill(0xff, sos + 14, sos + 14 + 1);
    broken[sos + 15] = 0x00;
    broken[sos + 16] = 0xff;
    broken[sos + 17] = 0x00;
    expect(decodeDc(broken)).toBeNull();
  });
});

describe('decodeDc against sharp', () => {
  test('synthetic portraits: 4:2:0, 4:4:4, quality 30 and 95, greyscale, odd size', async () => {
    const portrait = await syntheticPortrait();
    const variants: [string, Buffer][] = [
      ['4:2:0 q80', await rawSharp(portrait).jpeg({ quality: 80 }).toBuffer()],
      ['4:4:4 q80', await rawSharp(portrait).jpeg({ quality: 80, chromaSubsampling: '4:4:4' }).toBuffer()],
      ['q30', await rawSharp(portrait).jpeg({ quality: 30 }).toBuffer()],
      ['q95', await rawSharp(portrait).jpeg({ quality: 95 }).toBuffer()],
      ['greyscale', await rawSharp(portrait).toColourspace('b-w').jpeg({ quality: 85 }).toBuffer()],
      ['standard Huffman tables', await rawSharp(portrait).jpeg({ quality: 80, optimiseCoding: false }).toBuffer()],
      ['odd size 333×497', await rawSharp(portrait).resize(333, 497, { fit: 'fill' }).jpeg({ quality: 85 }).toBuffer()],
    ];
    for (const [name, jpeg] of variants) {
      const { dc, mad } = await madVsSharp(jpeg);
      expect(mad, `${name}: MAD ${mad}`).toBeLessThanOrEqual(3);
      expect(dc.components).toBe(name === 'greyscale' ? 1 : 3);
    }
  });

  const LONDON = '/work/shared/fixtures/portraits/london/neutral/';
  test.skipIf(!existsSync(LONDON))('real portraits (shared fixtures): originals and 480×640 re-encodes', async () => {
    const files = readdirSync(LONDON).filter((f) => f.endsWith('.jpg')).sort().slice(0, 4);
    for (const f of files) {
      const src = readFileSync(LONDON + f);
      for (const jpeg of [src, await sharp(src).resize(480, 640).jpeg({ quality: 75 }).toBuffer()]) {
        const { mad } = await madVsSharp(jpeg);
        expect(mad, `${f}: MAD ${mad}`).toBeLessThanOrEqual(3);
      }
    }
  });

  test('unsupported codings give null: progressive, CMYK, PNG, garbage', async () => {
    const portrait = await syntheticPortrait();
    expect(decodeDc(await rawSharp(portrait).jpeg({ progressive: true }).toBuffer())).toBeNull();
    expect(decodeDc(await rawSharp(portrait).toColourspace('cmyk').jpeg().toBuffer())).toBeNull();
    expect(decodeDc(await rawSharp(portrait).png().toBuffer())).toBeNull();
    const rnd = prng(3);
    for (let i = 0; i < 50; i++) {
      const junk = Buffer.from(Array.from({ length: 200 }, () => Math.floor(rnd() * 256)));
      junk[0] = 0xff;
      junk[1] = 0xd8;
      expect(() => decodeDc(junk)).not.toThrow();
    }
  });

  test('activity: flat blocks 0, textured blocks high', async () => {
    const flat = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#64c5ff' } }).jpeg({ quality: 90 }).toBuffer();
    expect(Math.max(...decodeDc(flat)!.activity)).toBe(0);
    const portrait = await syntheticPortrait({ noise: 40 });
    const noisy = decodeDc(await rawSharp(portrait).jpeg({ quality: 90 }).toBuffer())!;
    expect(Math.min(...noisy.activity)).toBeGreaterThan(200);
  });
});

describe('screening on the DC picture', () => {
  test('a compliant portrait screens clean; a frame, bands and text are sent to the full measure', async () => {
    const portrait = await syntheticPortrait();
    const clean = decodeDc(await rawSharp(portrait).jpeg({ quality: 85 }).toBuffer())!;
    expect(borderSuspect(clean)).toBe(false);
    expect(backgroundSuspect(clean)).toBe(false);

    const framed = decodeDc(await rawSharp(await syntheticPortrait({ width: 478, height: 638 })).extend({ top: 1, bottom: 1, left: 1, right: 1, background: '#303030' }).jpeg({ quality: 85 }).toBuffer())!;
    expect(borderSuspect(framed)).toBe(true);
    const banded = decodeDc(await rawSharp(await syntheticPortrait({ width: 480, height: 600 })).extend({ bottom: 40, background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer())!;
    expect(borderSuspect(banded)).toBe(true);

    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640"><text x="10" y="150" font-family="sans-serif" font-size="16" fill="white">样片</text></svg>`);
    const marked = decodeDc(await rawSharp(portrait).composite([{ input: svg }]).jpeg({ quality: 85 }).toBuffer())!;
    expect(borderSuspect(marked)).toBe(false);
    expect(backgroundSuspect(marked)).toBe(true);
  });
});
