import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { inspect } from './inspect.js';
import { parseJpeg } from './jpeg/parse.js';
import { loadProfile } from './profiles.js';
import { centreCrop, standardize } from './standardize.js';
import { rawSharp, syntheticPortrait } from './testing/synthetic.js';
import { LONDON_NEUTRAL } from './testing/fixtures.js';

const chsi = loadProfile('chsi-graduation');
const LONDON = LONDON_NEUTRAL;
const londonFiles = readdirSync(LONDON).filter((f) => f.endsWith('.jpg')).sort();

describe('standardize (fix), centre alignment', () => {
  test('fixed-up London portraits pass every technical check; the report describes the output', async () => {
    for (const f of londonFiles.slice(0, 4)) {
      const src = readFileSync(LONDON + f);
      const r = await standardize(src, chsi, { face: false, fileName: '1837001200001.jpg' });
      expect(r.jpeg, JSON.stringify(r.report.error)).not.toBeNull();
      for (const c of r.report.checks) expect(c.status, `${f} ${c.id}: ${c.message}`).toBe('pass');
      expect(r.report.verdict).toBe('pass');
      expect(r.report.file).toBe('1837001200001.jpg');
      expect(r.encodes).toBeGreaterThanOrEqual(1);
      expect(r.encodes).toBeLessThanOrEqual(4);
      const s = parseJpeg(r.jpeg!);
      expect([s.frame!.width, s.frame!.height]).toEqual([480, 640]);
      expect(s.exif).toBeNull();
      // The same bytes inspected again give the same verdict.
      expect((await inspect(r.jpeg!, { profile: chsi, fileName: '1837001200001.jpg', face: false })).verdict).toBe('pass');
    }
  });

  test('a source smaller than 480×640 is refused (SOURCE_TOO_SMALL), never upscaled', async () => {
    const small = await rawSharp(await syntheticPortrait({ width: 300, height: 400 })).jpeg({ quality: 90 }).toBuffer();
    const r = await standardize(small, chsi, { face: false });
    expect(r.jpeg).toBeNull();
    expect(r.report.verdict).toBe('fail');
    expect(r.report.error?.code).toBe('SOURCE_TOO_SMALL');
    expect(r.report.error?.message).toContain('300×400');
    expect(r.report.error?.message).toContain('480×640');
  });

  test('EXIF orientation is applied: a sideways-stored portrait comes out upright', async () => {
    // Store the portrait turned 90° anticlockwise with orientation 6 (= display turned clockwise).
    const big = await syntheticPortrait({ width: 600, height: 800 });
    const stored = await rawSharp(big).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    expect((await sharp(stored).metadata()).width).toBe(800);
    const r = await standardize(stored, chsi, { face: false, fileName: '1837001200001.jpg' });
    expect(r.jpeg).not.toBeNull();
    const { data, info } = await sharp(r.jpeg!).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([480, 640]);
    // Background (light blue) on top, dark shirt at the bottom centre.
    const at = (x: number, y: number) => [...data.subarray((y * 480 + x) * 3, (y * 480 + x) * 3 + 3)];
    expect(at(240, 10)[2]).toBeGreaterThan(200);
    expect(at(240, 630)[2]).toBeLessThan(120);
    expect(r.report.checks.find((c) => c.id === 'size.pixels')?.status).toBe('pass');
  });

  test('CMYK, greyscale-free PNG with alpha and WebP inputs become sRGB baseline JPEGs', async () => {
    const big = await syntheticPortrait({ width: 600, height: 800 });
    const cmyk = await rawSharp(big).toColourspace('cmyk').jpeg({ quality: 92 }).toBuffer();
    const pngAlpha = await rawSharp(big).ensureAlpha(0.5).png().toBuffer();
    const webp = await rawSharp(big).webp({ quality: 90 }).toBuffer();
    for (const [name, bytes] of [['cmyk', cmyk], ['png', pngAlpha], ['webp', webp]] as const) {
      const r = await standardize(bytes, chsi, { face: false, fileName: `1837001200001.${name}` });
      expect(r.jpeg, `${name}: ${JSON.stringify(r.report.error)}`).not.toBeNull();
      const s = parseJpeg(r.jpeg!);
      expect(s.frame!.components).toHaveLength(3);
      expect(s.frame!.process).toBe('baseline');
      expect(s.adobeTransform).toBeNull();
      const failing = r.report.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.message}`);
      expect(failing, name).toEqual([]);
    }
  });

  test('bad input is reported, never thrown', async () => {
    const empty = await standardize(Buffer.alloc(0), chsi, { face: false });
    expect(empty).toMatchObject({ jpeg: null, report: { verdict: 'error', error: { code: 'EMPTY_FILE' } } });
    const text = await standardize(Buffer.from('hello, not a photo'), chsi, { face: false });
    expect(text.report.error?.code).toBe('NOT_AN_IMAGE');
    const good = await rawSharp(await syntheticPortrait({ width: 600, height: 800 })).jpeg().toBuffer();
    const cut = await standardize(good.subarray(0, good.length >> 1), chsi, { face: false });
    expect(cut.jpeg).toBeNull();
    expect(cut.report.verdict).toBe('error');
    expect(cut.report.error?.code).toBe('UNDECODABLE');
    const bomb = Buffer.from(good);
    const sof = bomb.indexOf(Buffer.from([0xff, 0xc0]));
    bomb.writeUInt16BE(30000, sof + 5);
    bomb.writeUInt16BE(30000, sof + 7);
    const big = await standardize(bomb, chsi, { face: false });
    expect(big.report.error?.code).toBe('IMAGE_TOO_LARGE');
    expect(big.report.error?.message).toContain('30000×30000');
  });

  test('a window the photo cannot reach is refused with the encode-to-size reason', async () => {
    const flat = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#64c5ff' } }).jpeg().toBuffer();
    const r = await standardize(flat, chsi, { face: false });
    expect(r.jpeg).toBeNull();
    expect(r.report.error?.code).toBe('SIZE_WINDOW_UNREACHABLE');
    expect(r.encodes).toBeGreaterThan(0);
  });
});

describe('centreCrop', () => {
  test('largest centred 3:4 box', () => {
    expect(centreCrop(1350, 1350, chsi)).toEqual({ left: 168, top: 0, width: 1013, height: 1350 });
    expect(centreCrop(480, 1000, chsi)).toEqual({ left: 0, top: 180, width: 480, height: 640 });
    expect(centreCrop(480, 640, chsi)).toEqual({ left: 0, top: 0, width: 480, height: 640 });
  });
});
