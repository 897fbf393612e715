/**
 * Hair over the brows / eyes / ears, earrings and necklaces on a real portrait (models loaded once), and
 * the strand-texture measure on synthetic pixels. On the compliant London portrait 007 each rule passes;
 * drawn from its own landmarks: a fringe and locks in the portrait's *skin* colour (blond or grey hair
 * that colour alone cannot tell from skin), a pair of gold studs, a thin U-shaped chain — each caught by
 * its rule with its code — while a soft neck fold of the neck's own hue is not taken for a necklace.
 * The real-portrait part is skipped when the shared fixtures are not on the machine.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { checkEarrings } from './earrings.js';
import { checkEars } from './ears.js';
import { analyseFace } from '../index.js';
import { compliantPortrait, draw, LONDON } from './portrait-fixture.js';
import { faceFrame, type FaceFrame } from './frame.js';
import { checkHairEyebrows, hairTextured } from './hair-eyebrows.js';
import { checkHairEyes } from './hair-eyes.js';
import { checkNecklace } from './necklace.js';

describe('hairTextured (strand texture)', () => {
  // A 200×200 grey picture; the face frame is the identity scaled by an IPD of 100 px around (100, 100).
  const F: FaceFrame = { ipd: 100, at: (u, v) => [100 + 100 * u, 100 + 100 * v], uv: () => [0, 0] };
  const picture = (grey: (x: number, y: number) => number): FaceAnalysis => {
    const data = Buffer.alloc(200 * 200 * 3);
    for (let y = 0; y < 200; y++)
      for (let x = 0; x < 200; x++) data.fill(Math.round(grey(x, y)), (y * 200 + x) * 3, (y * 200 + x) * 3 + 3);
    return { img: { data, width: 200, height: 200, channels: 3 } } as unknown as FaceAnalysis;
  };
  const share = (a: FaceAnalysis) => {
    let n = 0,
      hits = 0;
    for (let u = -0.3; u <= 0.3; u += 0.02)
      for (let v = -0.3; v <= 0.3; v += 0.02, n++) if (hairTextured(a, F, u, v)) hits++;
    return hits / n;
  };
  it('finds thin vertical strands, not smooth skin, a soft gradient or horizontal wrinkles', () => {
    expect(share(picture((x) => 150 + (x % 3 === 0 ? 25 : 0)))).toBeGreaterThan(0.9);
    expect(share(picture(() => 150))).toBe(0);
    expect(share(picture((x, y) => 100 + 0.4 * x + 0.2 * y))).toBe(0);
    expect(share(picture((x, y) => 150 + (y % 3 === 0 ? 25 : 0)))).toBe(0);
  });
});

describe.skipIf(!existsSync(LONDON))('hair and jewellery rules on a real portrait', () => {
  let good: RawImage;
  let a: FaceAnalysis;
  let F: FaceFrame;
  let skinHex: string;
  const P = (u: number, v: number) =>
    F.at(u, v)
      .map((x) => x.toFixed(1))
      .join(',');
  /** Thin strands in the skin's own colour (± a little shade) from v0 to v1 over u0..u1, 1.2 px apart. */
  const strands = (u0: number, u1: number, v0: number, v1: number) => {
    let out = `<path d="M${P(u0, v0)} L${P(u1, v0)} L${P(u1, v1)} L${P(u0, v1)} Z" fill="${skinHex}"/>`;
    for (let k = 0, u = u0; u <= u1; u += 1.3 / F.ipd, k++)
      out += `<path d="M${P(u, v0)} L${P(u + 0.02, v1)}" stroke="${k % 2 ? '#000' : '#fff'}" stroke-opacity="0.16" stroke-width="0.9"/>`;
    return out;
  };
  beforeAll(async () => {
    ({ good, a } = await compliantPortrait('007'));
    F = faceFrame(a);
    const [x, y] = F.at(0.55, 0.45).map(Math.round);
    const p = (y * good.width + x) * 3;
    skinHex = '#' + [0, 1, 2].map((c) => good.data[p + c].toString(16).padStart(2, '0')).join('');
  }, 120_000);

  it('the compliant portrait passes each of these rules, with its measured value', () => {
    for (const c of [checkHairEyebrows(a), checkHairEyes(a), checkEars(a), checkEarrings(a), checkNecklace(a)]) {
      expect(c.status, `${c.id}: ${c.message}`).toBe('pass');
      expect(c.message).toMatch(/\d/);
    }
  });

  it('a skin-coloured fringe over the brows and eyes is caught by its strands', async () => {
    const brow = F.uv(105)[1],
      eye = Math.max(F.uv(145)[1], F.uv(374)[1]);
    const b = await analyseFace(await draw(good, strands(-0.95, 0.95, brow - 0.6, eye + 0.08)));
    const brows = checkHairEyebrows(b),
      eyes = checkHairEyes(b);
    expect(brows.status, brows.message).not.toBe('pass');
    expect(brows.code).toMatch(/^HAIR_OVER_BROWS/);
    expect(eyes.status, eyes.message).not.toBe('pass');
    expect(eyes.code).toMatch(/^HAIR_OVER_EYES/);
    expect(eyes.hint).toBeTruthy();
  }, 60_000);

  it('skin-coloured locks over both ears are caught', async () => {
    const l = F.uv(234)[0],
      r = F.uv(454)[0],
      nose = F.uv(2)[1];
    const b = await analyseFace(
      await draw(good, strands(l - 0.45, l + 0.05, -0.3, nose + 0.4) + strands(r - 0.05, r + 0.45, -0.3, nose + 0.4)),
    );
    const c = checkEars(b);
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('EARS_COVERED');
  }, 60_000);

  it('a pair of small gold studs is caught, with the place in the message', async () => {
    const stud = (jaw: number, side: number) => {
      const [x, y] = F.at(F.uv(jaw)[0] + side * 0.09, F.uv(jaw)[1] - 0.17);
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${(F.ipd * 0.035).toFixed(1)}" fill="url(#m)"/>`;
    };
    const defs =
      '<defs><radialGradient id="m" cx="0.35" cy="0.3" r="0.9"><stop offset="0" stop-color="#fff"/><stop offset="0.35" stop-color="#ebc85a"/><stop offset="1" stop-color="#6a5a28"/></radialGradient></defs>';
    const c = checkEarrings(await analyseFace(await draw(good, defs + stud(132, -1) + stud(361, 1))));
    expect(c.status, c.message).not.toBe('pass');
    expect(c.code).toMatch(/^EARRINGS/);
    expect(c.message).toMatch(/x \d+–\d+/);
    // the same place is the overlay's box
    expect(c.region!.width * c.region!.height).toBeGreaterThan(0);
  }, 60_000);

  it('a thin silver chain hanging in a U is caught; a soft neck fold of the neck’s hue is not', async () => {
    const chin = F.uv(152)[1];
    const q = (t: number) => P(0.48 * (2 * t - 1), chin + 0.3 + (1 - (2 * t - 1) ** 2) * 0.55);
    const path = Array.from({ length: 41 }, (_, k) => q(k / 40)).join(' L');
    const chain = `<path d="M${path}" stroke="#9a9a9e" stroke-width="${Math.max(2.2, F.ipd * 0.022).toFixed(1)}" fill="none"/><path d="M${path}" stroke="#f4f4f6" stroke-width="1.1" stroke-dasharray="3 2" fill="none"/>`;
    const c = checkNecklace(await analyseFace(await draw(good, chain)));
    expect(c.status, c.message).not.toBe('pass');
    expect(c.code).toMatch(/^NECKLACE/);
    expect(c.region!.y).toBeGreaterThan(320); // on the neck, in the lower half of the frame
    const fold = `<defs><filter id="b"><feGaussianBlur stdDeviation="${(F.ipd * 0.02).toFixed(1)}"/></filter></defs><path d="M${P(-0.45, chin + 0.45)} Q${P(0, chin + 0.5)} ${P(0.45, chin + 0.45)}" stroke="#000" stroke-opacity="0.18" stroke-width="${(F.ipd * 0.04).toFixed(1)}" fill="none" filter="url(#b)"/>`;
    const n = checkNecklace(await analyseFace(await draw(good, fold)));
    expect(n.status, n.message).toBe('pass');
  }, 60_000);
});
