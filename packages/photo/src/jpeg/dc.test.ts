import { readdirSync, readFileSync, existsSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { backgroundSuspect, borderSuspect } from '../checks/dc-screen.js';
import { prng, rawSharp, syntheticPortrait } from '../testing/synthetic.js';
import { decodeDc, type DcImage } from './dc.js';
import { writeJpeg, type WriteOptions } from '../testing/jpeg-writer.js';

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
