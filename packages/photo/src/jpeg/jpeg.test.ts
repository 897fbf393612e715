import sharp, { type JpegOptions } from 'sharp';
import { describe, expect, test } from 'vitest';
import { syntheticPortrait, rawSharp } from '../testing/synthetic.js';
import { withJfifDensity } from './jfif.js';
import { exifDpi, jfifDpi, parseJpeg } from './parse.js';
import { estimateQuality, ijgTable, STD_LUMINANCE } from './quality.js';
import { sniffFormat } from './sniff.js';

const portrait = await syntheticPortrait();
const enc = (o: JpegOptions = {}) => rawSharp(portrait).jpeg({ quality: 80, ...o }).toBuffer();

describe('parseJpeg', () => {
  test('baseline 4:2:0: SOF0, 8-bit, 3 components with sampling factors, EOI, no trailing bytes', async () => {
    const s = parseJpeg(await enc());
    expect(s.frame).toMatchObject({ marker: 0xc0, process: 'baseline', arithmetic: false, precision: 8, width: 480, height: 640 });
    expect(s.frame!.components.map((c) => [c.h, c.v])).toEqual([[2, 2], [1, 1], [1, 1]]);
    expect(s.eoi).toBe(true);
    expect(s.truncated).toBe(false);
    expect(s.trailingBytes).toBe(0);
    expect(s.scans).toBe(1);
    expect(s.quantTables[0]).toHaveLength(64);
    expect(s.exif).toBeNull();
    expect(s.icc).toBe(false);
  });

  test('4:4:4 sampling factors', async () => {
    const s = parseJpeg(await enc({ chromaSubsampling: '4:4:4' }));
    expect(s.frame!.components.map((c) => [c.h, c.v])).toEqual([[1, 1], [1, 1], [1, 1]]);
  });

  test('progressive: SOF2 and several scans', async () => {
    const s = parseJpeg(await enc({ progressive: true }));
    expect(s.frame).toMatchObject({ marker: 0xc2, process: 'progressive' });
    expect(s.scans).toBeGreaterThan(1);
    expect(s.eoi).toBe(true);
  });

  test('CMYK: 4 components and the Adobe APP14 transform', async () => {
    const s = parseJpeg(await rawSharp(portrait).toColourspace('cmyk').jpeg().toBuffer());
    expect(s.frame!.components).toHaveLength(4);
    expect(s.adobeTransform).toBe(0);
  });

  test('greyscale: 1 component', async () => {
    const s = parseJpeg(await rawSharp(portrait).toColourspace('b-w').jpeg().toBuffer());
    expect(s.frame!.components).toHaveLength(1);
  });

  test('EXIF orientation, resolution, GPS and ICC are read', async () => {
    const a = parseJpeg(await rawSharp(portrait).withMetadata({ orientation: 6, density: 72 }).jpeg().toBuffer());
    expect(a.exif).toMatchObject({ orientation: 6, xResolution: 72, yResolution: 72, resolutionUnit: 2, gps: false });
    expect(exifDpi(a.exif!)).toEqual({ x: 72, y: 72 });
    expect(a.icc).toBe(true);
    const g = parseJpeg(await rawSharp(portrait).withExif({ IFD0: { Copyright: 'x' }, IFD3: { GPSLatitudeRef: 'N' } }).jpeg().toBuffer());
    expect(g.exif?.gps).toBe(true);
  });

  test('truncated data and trailing bytes are reported', async () => {
    const full = await enc();
    const cut = parseJpeg(full.subarray(0, Math.floor(full.length * 0.6)));
    expect(cut.truncated).toBe(true);
    expect(cut.eoi).toBe(false);
    const cutHeader = parseJpeg(full.subarray(0, 30));
    expect(cutHeader.truncated).toBe(true);
    const tail = parseJpeg(Buffer.concat([full, Buffer.from('trailing junk')]));
    expect(tail.eoi).toBe(true);
    expect(tail.trailingBytes).toBe(13);
  });

  test('never throws on garbage', () => {
    for (const b of [Buffer.alloc(0), Buffer.from([0xff, 0xd8]), Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0x00]), Buffer.from('hello'), Buffer.alloc(1000, 0xff)]) {
      expect(() => parseJpeg(b)).not.toThrow();
    }
  });
});

describe('JFIF density', () => {
  test('inserts a JFIF APP0 when the encoder wrote none, and patches an existing one', async () => {
    const j = await enc();
    expect(parseJpeg(j).jfif).toBeNull();
    const with300 = withJfifDensity(j, 300);
    const s = parseJpeg(with300);
    expect(s.jfif).toMatchObject({ units: 1, xDensity: 300, yDensity: 300 });
    expect(jfifDpi(s.jfif!)).toEqual({ x: 300, y: 300 });
    expect(with300.length).toBe(j.length + 18);
    const with72 = withJfifDensity(with300, 72);
    expect(with72.length).toBe(with300.length);
    expect(parseJpeg(with72).jfif).toMatchObject({ units: 1, xDensity: 72, yDensity: 72 });
    // Still a decodable picture.
    const meta = await sharp(with72).metadata();
    expect([meta.width, meta.height]).toEqual([480, 640]);
  });
});

describe('estimateQuality', () => {
  test.each([30, 50, 60, 75, 90, 95])('sharp at quality %i → estimated exactly', async (q) => {
    const s = parseJpeg(await enc({ quality: q }));
    const est = estimateQuality(s.quantTables[0]!, s.quantTables[1]);
    expect(est.exact).toBe(true);
    expect(Math.abs(est.quality - q)).toBeLessThanOrEqual(2);
    expect(est.quality).toBe(q);
  });

  test('non-standard tables (mozjpeg ImageMagick table) → nearest scaling, flagged as not exact', async () => {
    for (const q of [60, 80]) {
      const s = parseJpeg(await enc({ quality: q, quantisationTable: 3 }));
      const est = estimateQuality(s.quantTables[0]!, s.quantTables[1]);
      expect(est.exact).toBe(false);
      expect(est.misfit).toBeGreaterThan(0);
      expect(Math.abs(est.quality - q)).toBeLessThanOrEqual(8);
    }
  });

  test('a scaled table between two IJG factors lands on the nearer one', () => {
    const t = ijgTable(STD_LUMINANCE, 70).map((v) => v + 1);
    const est = estimateQuality(t);
    expect(est.exact).toBe(false);
    expect(est.quality).toBeGreaterThanOrEqual(66);
    expect(est.quality).toBeLessThanOrEqual(70);
  });
});

describe('sniffFormat', () => {
  test('by content, not by name', async () => {
    expect(sniffFormat(await enc())).toBe('jpeg');
    expect(sniffFormat(await rawSharp(portrait).png().toBuffer())).toBe('png');
    expect(sniffFormat(await rawSharp(portrait).webp().toBuffer())).toBe('webp');
    const small = sharp({ create: { width: 8, height: 8, channels: 3, background: '#64c5ff' } });
    expect(sniffFormat(await small.clone().gif().toBuffer())).toBe('gif');
    expect(sniffFormat(await small.clone().tiff().toBuffer())).toBe('tiff');
    expect(sniffFormat(Buffer.from([0, 0, 0, 24, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63, 0, 0, 0, 0]))).toBe('heic');
    expect(sniffFormat(Buffer.from('学号,姓名\n1837001200001,张三\n'))).toBe('text');
    expect(sniffFormat(Buffer.alloc(0))).toBe('empty');
    expect(sniffFormat(Buffer.from([1, 2, 3, 0, 5]))).toBe('unknown');
  });
});
