/**
 * `headwear` on a real portrait (models loaded once): London 007 made compliant passes; a pink bow and a blue
 * clip drawn in her hair (placed from her own landmarks, shaded like plastic) are each a probable hair ornament,
 * and a red headband over the crown a probable headband — with the code, the place and the figures. Skipped
 * when the shared fixtures are not on the machine.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { analyseFace } from '../index.js';
import { compliantPortrait, draw, LONDON } from './portrait-fixture.js';
import { faceFrame } from './frame.js';
import { checkHeadwear } from './headwear.js';

describe.skipIf(!existsSync(LONDON))('headwear on a real portrait', () => {
  let good: RawImage;
  let a: FaceAnalysis;
  beforeAll(async () => {
    ({ good, a } = await compliantPortrait('007'));
  }, 120_000);

  it('the compliant portrait passes, with its figures', () => {
    const c = checkHeadwear(a);
    expect(c.status, c.message).toBe('pass');
    expect(c.value).toMatchObject({ ornament: 0 });
  });

  it('a pink bow, a blue clip and a red headband are each caught with their code', async () => {
    const F = faceFrame(a);
    const top = (a.headTop.y - F.at(0, 0)[1]) / F.ipd;
    const P = (u: number, v: number) =>
      F.at(u, v)
        .map((x) => x.toFixed(1))
        .join(',');
    const grad = (id: string, light: string, dark: string) =>
      `<radialGradient id="${id}" cx="0.35" cy="0.35" r="0.8"><stop offset="0" stop-color="${light}"/><stop offset="1" stop-color="${dark}"/></radialGradient>`;
    const s = 0.2 * F.ipd;
    const [bx, by] = F.at(0.5, top + 0.45);
    const bow = `<defs>${grad('m', '#fde3ea', '#b9708a')}</defs><g transform="translate(${bx.toFixed(1)} ${by.toFixed(1)})">
      <path d="M0,0 L${-s},${-s * 0.7} Q${-s * 1.2},0 ${-s},${s * 0.7} Z M0,0 L${s},${-s * 0.7} Q${s * 1.2},0 ${s},${s * 0.7} Z" fill="url(#m)"/></g>`;
    const [cx, cy] = F.at(-0.5, top + 0.5);
    const clip = `<defs>${grad('c', '#7fa0ff', '#1a2f8a')}</defs><rect x="${(cx - s * 1.2).toFixed(1)}" y="${(cy - s * 0.3).toFixed(1)}" width="${(s * 2.4).toFixed(1)}" height="${(s * 0.6).toFixed(1)}" rx="${(s * 0.2).toFixed(1)}" fill="url(#c)"/>`;
    const sV = F.uv(54)[1] - 0.1,
      tV = top + 0.25;
    const band = `<path d="M${P(-1.0, sV)} C${P(-0.9, tV)} ${P(0.9, tV)} ${P(1.0, sV)} L${P(0.93, sV + 0.02)} C${P(0.85, tV + 0.14)} ${P(-0.85, tV + 0.14)} ${P(-0.93, sV + 0.02)} Z" fill="#c8203c"/>`;
    for (const [svg, code] of [
      [bow, 'HAIR_ORNAMENT_SUSPECT'],
      [clip, 'HAIR_ORNAMENT_SUSPECT'],
      [band, /^(HEADBAND_SUSPECT|HAIR_ORNAMENT_SUSPECT|HEADWEAR)/],
    ] as const) {
      const c = checkHeadwear(await analyseFace(await draw(good, svg)));
      expect(c.status, c.message).not.toBe('pass');
      expect(c.code).toMatch(code);
      expect(c.message).toMatch(/\d/);
      expect(c.hint).toBeTruthy();
    }
  }, 90_000);
});
