/**
 * The accessory and hair rules on a real portrait (models loaded once). A compliant London portrait
 * (007: ears and brows free, no jewellery) passes every one; a cap, a fringe over the brows and a scarf
 * drawn on it from its own landmarks are caught by their rule with its code; a frame that cuts the head
 * top makes headwear say it could not look. Skipped when the shared fixtures are not on the machine.
 */
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { analyseFace } from '../index.js';
import { runChecks, SHARPNESS_REVIEW } from '../checks.js';
import { compliantPortrait, draw, LONDON, profile } from './portrait-fixture.js';
import { faceFrame } from './frame.js';
import { ACCESSORY_RULES } from './index.js';

const results = (a: FaceAnalysis) => Object.fromEntries(ACCESSORY_RULES.map((r) => [r.id, r.check(a)]));

describe.skipIf(!existsSync(LONDON))('accessory and hair rules on a real portrait', () => {
  let good: RawImage;
  let a: FaceAnalysis;
  beforeAll(async () => {
    ({ good, a } = await compliantPortrait('007'));
  }, 120_000);

  it('sharpness: fails below the limit, a person looks just above it (放大的小图), passes beyond', () => {
    const lim = 0.03;
    const at = (v: number) =>
      runChecks({ ...a, cache: new Map([...a.cache, ['sharpness', v]]) }, profile).find((c) => c.id === 'sharpness')!;
    expect(runChecks(a, profile).find((c) => c.id === 'sharpness')!.status).toBe('pass');
    expect(at(0.02).status).toBe('fail');
    expect(at(0.031)).toMatchObject({ status: 'review', value: 0.031, limit: lim });
    expect(at(0.031).message).toContain('人工确认');
    expect(at(SHARPNESS_REVIEW * lim - 0.001).status).toBe('review');
    expect(at(SHARPNESS_REVIEW * lim + 0.001).status).toBe('pass');
  });

  it('the compliant portrait passes every accessory rule, each with its measured value', () => {
    for (const [id, c] of Object.entries(results(a))) {
      expect(c.status, `${id}: ${c.message}`).toBe('pass');
      expect(c.value).not.toBeNull();
      expect(c.message).toMatch(/\d/);
    }
  });

  it('a navy cap, a fringe over the brows and a scarf are each caught by their own rule', async () => {
    const F = faceFrame(a);
    const P = (u: number, v: number) =>
      F.at(u, v)
        .map((x) => x.toFixed(1))
        .join(',');
    const top = (a.headTop.y - F.at(0, 0)[1]) / F.ipd;
    const brow = F.uv(105)[1],
      chin = F.uv(152)[1];
    const cap = `<path d="M${P(-1.05, brow - 0.35)} C${P(-1.05, top)} ${P(1.05, top)} ${P(1.05, brow - 0.35)} Z" fill="#1e2a5a"/>`;
    const fringe = `<path d="M${P(-0.9, brow - 0.6)} L${P(0.9, brow - 0.6)} L${P(0.9, brow + 0.1)} L${P(-0.9, brow + 0.1)} Z" fill="#3a2a20"/>`;
    const scarf = `<path d="M${P(-1.2, chin)} L${P(1.2, chin)} L${P(1.2, chin + 1.2)} L${P(-1.2, chin + 1.2)} Z" fill="#a02030"/>`;
    for (const [svg, id, code] of [
      [cap, 'headwear', /^HEADWEAR/],
      [fringe, 'hair.eyebrows', /^HAIR_OVER_BROWS/],
      [scarf, 'scarf', /^SCARF/],
    ] as const) {
      const c = results(await analyseFace(await draw(good, svg)))[id];
      expect(c.status, `${id}: ${c.message}`).not.toBe('pass');
      expect(c.code).toMatch(code);
      expect(c.hint).toBeTruthy();
    }
  }, 60_000);

  it('with the head top cut off by the frame, headwear says it could not look (never pass)', async () => {
    const cut = Math.max(1, Math.round(a.headTop.y + 0.5 * faceFrame(a).ipd));
    const { data, info } = await sharp(good.data, { raw: { width: 480, height: 640, channels: 3 } })
      .extract({ left: 0, top: cut, width: 480, height: 640 - cut })
      .extend({ bottom: cut, background: '#64c5ff' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const c = results(await analyseFace({ data, width: info.width, height: info.height, channels: 3 })).headwear;
    expect(c.status).toBe('review');
    expect(c.code).toBe('HEADWEAR_UNMEASURED');
  }, 60_000);
});
