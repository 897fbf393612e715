import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { encodeToSize, type EncodeResult } from './encode.js';
import { parseJpeg } from './jpeg/parse.js';
import { estimateQuality } from './jpeg/quality.js';
import { loadProfile } from './profiles.js';
import { centreCrop } from './standardize.js';
import { flatImage, noiseImage, rawSharp, syntheticPortrait } from './testing/synthetic.js';
import type { Profile, RawImage } from './types.js';
import { LONDON_NEUTRAL } from './testing/fixtures.js';

const chsi = loadProfile('chsi-graduation');
const LONDON = LONDON_NEUTRAL;

/** Everything an encode-to-size output must be. */
function expectCompliant(r: EncodeResult, profile: Profile): Buffer {
  if (!r.ok) throw new Error(r.refusal.message);
  const { min, max } = profile.bytes!;
  expect(r.jpeg.length).toBeGreaterThanOrEqual(min);
  expect(r.jpeg.length).toBeLessThanOrEqual(max);
  expect(r.quality).toBeGreaterThanOrEqual(profile.minQuality);
  const s = parseJpeg(r.jpeg);
  expect(s.frame).toMatchObject({ process: 'baseline', marker: 0xc0, precision: 8 });
  expect(s.frame!.components).toHaveLength(3);
  expect(s.jfif).toMatchObject({ units: 1, xDensity: profile.dpi ?? 300, yDensity: profile.dpi ?? 300 });
  expect(s.exif).toBeNull();
  expect(s.icc).toBe(false);
  expect(s.eoi).toBe(true);
  expect(s.trailingBytes).toBe(0); // never padded
  const q = estimateQuality(s.quantTables[0]!, s.quantTables[1]);
  expect(q).toMatchObject({ quality: r.quality, exact: true });
  const sub = s.frame!.components[0].h === 2 ? '4:2:0' : '4:4:4';
  expect(sub).toBe(r.subsampling);
  expect(r.encodes).toBeGreaterThanOrEqual(1);
  return r.jpeg;
}

let londonFrames: RawImage[] = [];

beforeAll(async () => {
  const files = readdirSync(LONDON).filter((f) => f.endsWith('.jpg')).sort().slice(0, 6);
  londonFrames = await Promise.all(files.map(async (f) => {
    const bytes = readFileSync(LONDON + f);
    const m = await sharp(bytes).metadata();
    const c = centreCrop(m.width!, m.height!, chsi);
    const { data, info } = await sharp(bytes).extract(c).resize(480, 640, { kernel: 'lanczos3' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 as const };
  }));
});

describe('encodeToSize', () => {
  test('real portraits (London set, centre-cropped to 480×640) land in 20–40 KB in ≤ 3 encodes on average', async () => {
    let encodes = 0;
    for (const img of londonFrames) {
      const r = await encodeToSize(img, chsi);
      expectCompliant(r, chsi);
      expect(r.encodes).toBeLessThanOrEqual(4);
      encodes += r.encodes;
    }
    expect(encodes / londonFrames.length).toBeLessThanOrEqual(3);
  });

  test('synthetic portraits with little and much texture, and a sharp pipeline as input', async () => {
    for (const noise of [2, 8, 16]) {
      const r = await encodeToSize(await syntheticPortrait({ noise, seed: noise }), chsi);
      expectCompliant(r, chsi);
      expect(r.encodes).toBeLessThanOrEqual(5);
    }
    const viaPipeline = await encodeToSize(rawSharp(await syntheticPortrait()).flip(), chsi);
    expectCompliant(viaPipeline, chsi);
  });

  test('the collection window (60–500 KB) and another dpi', async () => {
    const collection = { ...loadProfile('liaoning-collection'), dpi: 350 };
    const r = await encodeToSize(londonFrames[0], collection);
    expectCompliant(r, collection);
  });

  test('too smooth for the window even at quality 100 in 4:2:0 → 4:4:4 is used when that reaches it', async () => {
    const img = await syntheticPortrait({ noise: 3, seed: 5 });
    const s420 = (await rawSharp(img).jpeg({ quality: 100, chromaSubsampling: '4:2:0' }).toBuffer()).length;
    const s444 = (await rawSharp(img).jpeg({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer()).length;
    expect(s444).toBeGreaterThan(s420 * 1.1);
    const profile = { ...chsi, bytes: { min: Math.round(s420 * 1.05), max: Math.round(s444 * 1.5) } };
    const r = await encodeToSize(img, profile);
    expectCompliant(r, profile);
    expect(r.ok && r.subsampling).toBe('4:4:4');
  });

  test('a flat picture cannot reach 20 KB: refused with the nearest size, never padded', async () => {
    const r = await encodeToSize(flatImage(480, 640), chsi);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal.code).toBe('SIZE_WINDOW_UNREACHABLE');
    expect(r.nearestBytes).toBeGreaterThan(0);
    expect(r.nearestBytes).toBeLessThan(20480);
    expect(r.refusal.message).toContain('100');
    expect(r.refusal.message).toContain('20 KB');
    expect(r.encodes).toBeLessThanOrEqual(6);
  });

  test('pure noise cannot get under 40 KB at the quality floor: refused with the nearest size', async () => {
    const r = await encodeToSize(noiseImage(480, 640), chsi);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.refusal.code).toBe('SIZE_WINDOW_UNREACHABLE');
    expect(r.nearestBytes).toBeGreaterThan(40960);
    expect(r.refusal.message).toMatch(/最低允许质量 60/);
    expect(r.encodes).toBeLessThanOrEqual(6);
  });

  test('an impossibly narrow window is refused with the nearest size reached', async () => {
    const profile = { ...chsi, bytes: { min: 30000, max: 30001 } };
    const r = await encodeToSize(londonFrames[1], profile);
    if (r.ok) {
      // Extremely unlikely, but then it must be inside.
      expect(r.jpeg.length).toBeGreaterThanOrEqual(30000);
      return;
    }
    expect(r.refusal.code).toBe('SIZE_WINDOW_UNREACHABLE');
    expect(Math.abs(r.nearestBytes - 30000)).toBeLessThan(3000);
    expect(r.refusal.message).toMatch(/最接近的是 \d+\.\d KB/);
  });

  test('no byte window: one encode at quality 90', async () => {
    const r = await encodeToSize(londonFrames[0], { ...chsi, bytes: null });
    expect(r).toMatchObject({ ok: true, quality: 90, encodes: 1, subsampling: '4:2:0' });
  });
});
