/**
 * `headwear` on generated portraits (no model): a drawn head with textured hair (strands of the hair colour,
 * a soft sheen) passes; a pink clip, a white clip, a yellow flower centre in the hair, a black band across the
 * forehead and an Alice band over the crown are each reported with their code; a crown cut by the frame is
 * not measured. Plus the crown maths: selection, the robust hair model, the mix distance.
 */
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import type { DetectedFace } from '../engine.js';
import { analyseCrown, crownTexture, mahal2, robustGaussian, segmentDistance, select, smoothBlobs } from './crown.js';
import {
  checkHeadwear,
  smoothObject,
  solidLight,
  SMOOTH_EDGE,
  SMOOTH_TEXTURE,
  SOLID_STEP,
  SOLID_TEXTURE,
} from './headwear.js';

const W = 480,
  H = 640;
const BLUE: [number, number, number] = [100, 197, 255];
const SKIN: [number, number, number] = [222, 176, 152];
const HAIR: [number, number, number] = [52, 38, 30];

/** mulberry32: seeded, so the drawn hair is the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cx = 240,
  pupilY = 250,
  ipd = 70;
/** Image point of face coordinates (u, v) in IPD from the mid-pupil point (the frame is level). */
const at = (u: number, v: number): [number, number] => [cx + u * ipd, pupilY + v * ipd];

/** Hair cap above the forehead, face ellipse, light-blue background; the exact person mask. */
function portrait(): { img: RawImage; alpha: Uint8Array } {
  const r = rng(7);
  const data = Buffer.alloc(W * H * 3);
  const alpha = new Uint8Array(W * H);
  // Per column a strand shade (vertical strands), per pixel a little noise, a soft sheen band on the crown.
  const strand = Array.from({ length: W }, () => (r() - 0.5) * 0.5);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = (x - cx) / ipd,
        v = (y - pupilY) / ipd;
      let c: [number, number, number] | null = null;
      const inHead = (u / 1.2) ** 2 + ((v + 0.7) / 1.35) ** 2 <= 1; // head top at v = −2.05
      const inFace = (u / 1.05) ** 2 + ((v - 0.35) / 1.45) ** 2 <= 1 && v > -0.85; // forehead top at v ≈ −0.85
      if (inHead || inFace || (v > 1.6 && Math.abs(u) < 0.5)) {
        if (inFace || v > 1.6) c = SKIN;
        else {
          const sheen = Math.exp(-(((v + 1.55) / 0.12) ** 2)) * 0.9;
          const k = 1 + strand[x] + (r() - 0.5) * 0.3 + sheen;
          c = [HAIR[0] * k, HAIR[1] * k, HAIR[2] * k];
        }
      }
      const p = (y * W + x) * 3;
      const col = c ?? BLUE;
      data[p] = Math.max(0, Math.min(255, col[0]));
      data[p + 1] = Math.max(0, Math.min(255, col[1]));
      data[p + 2] = Math.max(0, Math.min(255, col[2]));
      if (c) alpha[y * W + x] = 255;
    }
  }
  return { img: { data, width: W, height: H, channels: 3 }, alpha };
}

/** The analysis the rule reads: pupils, forehead top (10), brows (105, 334), the rest at the nose. */
function analysisOf(img: RawImage, alpha: Uint8Array, headTopV = -2.05): FaceAnalysis {
  const mesh: [number, number, number][] = Array.from({ length: 478 }, () => [cx, pupilY + 0.5 * ipd, 0]);
  mesh[10] = [...at(0, -0.85), 0];
  mesh[105] = [...at(-0.45, -0.3), 0];
  mesh[334] = [...at(0.45, -0.3), 0];
  mesh[152] = [...at(0, 1.75), 0];
  const face = {
    score: 0.99,
    box: [cx - 75, pupilY - 60, 150, 190],
    mesh,
    angle: { roll: 0, yaw: 0, pitch: 0 },
    pupils: [at(-0.5, 0), at(0.5, 0)],
  } as unknown as DetectedFace;
  const bg: number[] = [];
  for (let y = 0; y < H; y += 2) for (let x = 0; x < W; x += 2) if (alpha[y * W + x] < 60) bg.push(y * W + x);
  const top = at(0, headTopV)[1];
  return {
    img,
    faces: [face],
    face,
    mask: { width: W, height: H, alpha },
    geometry: null,
    ipd,
    headTop: { y: Math.max(0, top), method: 'mask', touchesTop: top <= 0 },
    background: Uint32Array.from(bg),
    cache: new Map(),
  };
}

/** Paint in face coordinates: f(u, v) → colour or null. */
function paint(img: RawImage, f: (u: number, v: number) => [number, number, number] | null): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = f((x - cx) / ipd, (y - pupilY) / ipd);
      if (c)
        img.data.set(
          c.map((v) => Math.max(0, Math.min(255, Math.round(v)))),
          (y * W + x) * 3,
        );
    }
  }
}

/** A clip: a bar 2·hw × 2·hh IPD (0.5 × 0.13) at (u, v), shaded from `light` at the top to `dark` below. */
const clip =
  (u0: number, v0: number, light: number[], dark: number[], hw = 0.25, hh = 0.065) =>
  (u: number, v: number) => {
    const du = u - u0,
      dv = v - v0;
    if (Math.abs(du) > hw || Math.abs(dv) > hh) return null;
    const t = (dv + hh) / (2 * hh);
    return light.map((l, i) => l * (1 - t) + dark[i] * t) as [number, number, number];
  };

describe('headwear on a generated portrait', () => {
  it('textured hair with a sheen passes, with the measured values in the message', () => {
    const { img, alpha } = portrait();
    const a = analysisOf(img, alpha);
    const c = checkHeadwear(a);
    expect(c.status, c.message).toBe('pass');
    expect(c.value).toMatchObject({ ornament: 0, band: 0 });
    expect(analyseCrown(a).hairShare).toBeGreaterThan(0.4);
  });

  it.each([
    ['a pink clip', clip(-0.55, -1.45, [252, 214, 222], [200, 130, 150])],
    ['a white clip', clip(0.5, -1.3, [252, 252, 250], [175, 175, 178])],
    ['a blue clip', clip(0.3, -1.6, [90, 120, 230], [30, 50, 150])],
  ])('%s in the hair is a probable hair ornament (review, where to look, code)', (_name, f) => {
    const { img, alpha } = portrait();
    paint(img, f);
    const c = checkHeadwear(analysisOf(img, alpha));
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HAIR_ORNAMENT_SUSPECT');
    expect(c.message).toMatch(/x \d+–\d+，y \d+–\d+/);
    expect((c.value as Record<string, number>).ornament).toBeGreaterThanOrEqual(0.008);
    expect(c.hint).toBeTruthy();
  });

  it('a bow of the hair colour (smooth, shaded, sharp outline) is a probable ornament; the textured hair alone is not', () => {
    const { img, alpha } = portrait();
    // Two wings shaded from the hair's sheen to its shadow: every pixel a colour of this hair, no strands on it.
    paint(img, (u, v) => {
      const du = u + 0.5,
        dv = v + 1.45;
      if (Math.abs(du) > 0.22 || Math.abs(dv) > 0.7 * Math.abs(du) || Math.abs(du) < 0.03) return null;
      const t = Math.hypot(du + 0.1, dv + 0.1) / 0.35;
      return HAIR.map((h) => h * (1.35 - 0.7 * t)) as [number, number, number];
    });
    const c = checkHeadwear(analysisOf(img, alpha));
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HAIR_ORNAMENT_SUSPECT');
    expect(c.message).toMatch(/光滑/);
    // The place the message names is the overlay's box: left of the middle, above the eyes.
    const b = c.region!;
    expect(b.width * b.height).toBeGreaterThan(0);
    expect(b.x + b.width / 2).toBeLessThan(img.width / 2);
    expect(b.y + b.height).toBeLessThan(img.height / 2);
    const v = c.value as Record<string, number>;
    expect(v.smoothEdge).toBeGreaterThanOrEqual(SMOOTH_EDGE);
    expect(v.smoothTexture).toBeLessThanOrEqual(SMOOTH_TEXTURE);
    // Without the bow the textured hair has no smooth object.
    const plain = portrait();
    expect(smoothObject(smoothBlobs(analysisOf(plain.img, plain.alpha)))).toBeNull();
  });

  it('a smooth band of the hair colour arcing over the crown (two sharp parallel edges) is a probable headband', () => {
    const { img, alpha } = portrait();
    paint(img, (u, v) => {
      const arc = -1.75 + 0.7 * u * u;
      if (Math.abs(u) > 1.0 || v < arc || v > arc + 0.15) return null;
      return HAIR.map((h) => h * (1.3 - 3 * (v - arc))) as [number, number, number];
    });
    const c = checkHeadwear(analysisOf(img, alpha));
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HEADBAND_SUSPECT');
    expect(c.message).toMatch(/光滑/);
    expect((c.value as Record<string, number>).smoothEdge).toBeGreaterThanOrEqual(SMOOTH_EDGE);
  });

  /** Discs of radius `r` IPD (rhinestones) at the given face points. */
  const stones =
    (at: [number, number][], colour: [number, number, number], r = 0.025) =>
    (u: number, v: number) =>
      at.some(([su, sv]) => Math.hypot(u - su, v - sv) <= r) ? colour : null;

  it('a row of rhinestones in the hair (five evenly spaced white stones) is a probable ornament; scattered glints are not', () => {
    const row: [number, number][] = [0, 1, 2, 3, 4].map((k) => [-0.75 + k * 0.08, -1.5 + k * 0.02]);
    const { img, alpha } = portrait();
    paint(img, stones(row, [250, 250, 250]));
    const a = analysisOf(img, alpha);
    // Too small for the colour tests (each stone is a fifth of the smallest patch they keep): only the row tells.
    expect(analyseCrown(a).patches.filter((p) => p.u1 > -0.8 && p.u0 < -0.4 && p.v1 > -1.55 && p.v0 < -1.35)).toEqual(
      [],
    );
    const c = checkHeadwear(a);
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HAIR_ORNAMENT_SUSPECT');
    expect(c.message).toMatch(/一排 5 个/);
    expect(c.message).toMatch(/x \d+–\d+，y \d+–\d+/);
    expect((c.value as Record<string, number>).sparkleDots).toBe(5);
    // The same five stones scattered over the crown are glints, not a clip.
    const scattered: [number, number][] = [
      [-0.7, -1.6],
      [-0.2, -1.3],
      [0.3, -1.75],
      [0.65, -1.35],
      [0.05, -1.85],
    ];
    const other = portrait();
    paint(other.img, stones(scattered, [250, 250, 250]));
    const b = analysisOf(other.img, other.alpha);
    expect(crownTexture(b).sparkle).toBeNull();
    expect(checkHeadwear(b).status).toBe('pass');
  });

  it('a white clip set with small stones, on a person with pale skin (white passes the skin test), is a probable ornament', () => {
    const PALE: [number, number, number] = [236, 226, 219];
    const { img, alpha } = portrait();
    paint(img, (u, v) =>
      ((u / 1.05) ** 2 + ((v - 0.35) / 1.45) ** 2 <= 1 && v > -0.85) || (v > 1.6 && Math.abs(u) < 0.5) ? PALE : null,
    );
    const plain = checkHeadwear(analysisOf({ ...img, data: Buffer.from(img.data) }, alpha));
    expect(plain.status, plain.message).toBe('pass');
    paint(img, clip(-0.5, -1.45, [246, 246, 246], [196, 196, 198], 0.28, 0.08));
    paint(
      img,
      stones(
        [0, 1, 2, 3, 4].map((k) => [-0.72 + k * 0.11, -1.45] as [number, number]),
        [250, 250, 250],
        0.015,
      ),
    );
    const a = analysisOf(img, alpha);
    const c = checkHeadwear(a);
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HAIR_ORNAMENT_SUSPECT');
    expect(c.message).toMatch(/浅色、实心/);
    expect((c.value as Record<string, number>).solidStep).toBeGreaterThanOrEqual(SOLID_STEP);
    // The stones break its smoothness (the smooth-object test does not see it) but not its solid, strand-free core.
    expect(smoothObject(crownTexture(a).blobs)).toBeNull();
    expect(solidLight(crownTexture(a).light)!.texture).toBeLessThanOrEqual(SOLID_TEXTURE);
  });

  it('a black sports band across the forehead (skin above and below it) is a probable headband', () => {
    const { img, alpha } = portrait();
    // Forehead made higher (hair receding) so skin shows above the band, as on a man with a high hairline.
    paint(img, (u, v) => ((u / 1.05) ** 2 + ((v - 0.35) / 1.45) ** 2 <= 1 && v > -1.2 && v <= -0.85 ? SKIN : null));
    paint(img, (u, v) => (Math.abs(u) < 1.0 && v > -0.7 && v < -0.55 ? [22, 22, 24] : null));
    const c = checkHeadwear(analysisOf(img, alpha));
    expect(c.status, c.message).toBe('review');
    expect(c.code).toBe('HEADBAND_SUSPECT');
    expect((c.value as Record<string, number>).band).toBeGreaterThanOrEqual(0.6);
  });

  it('a red Alice band over the crown, temple to temple, is caught', () => {
    const { img, alpha } = portrait();
    paint(img, (u, v) => {
      const arc = -1.7 + 0.75 * u * u; // the band's top line, from the crown down to the temples
      return Math.abs(u) < 1.05 && v > arc && v < arc + 0.14 ? [200, 35, 60] : null;
    });
    const c = checkHeadwear(analysisOf(img, alpha));
    expect(c.status, c.message).not.toBe('pass');
    expect(c.code).toMatch(/^(HEADBAND_SUSPECT|HAIR_ORNAMENT_SUSPECT|HEADWEAR)/);
  });

  it('a crown cut off by the frame is not measured (review, never pass)', () => {
    const { img, alpha } = portrait();
    const c = checkHeadwear(analysisOf(img, alpha, -4));
    expect(c.status).toBe('review');
    expect(c.code).toBe('HEADWEAR_UNMEASURED');
  });
});

describe('crown maths', () => {
  it('select returns the k-th smallest like a sort', () => {
    const r = rng(3);
    for (const n of [1, 2, 7, 100, 1001]) {
      const a = Float32Array.from({ length: n }, () => Math.round(r() * 50));
      const sorted = Float32Array.from(a).sort();
      for (const k of [0, n >> 1, n - 1]) expect(select(Float32Array.from(a), k)).toBe(sorted[k]);
    }
  });

  it('the robust hair model ignores a quarter of other colours and flags them far away', () => {
    const r = rng(5);
    const n = 2000,
      L = new Float32Array(n),
      A = new Float32Array(n),
      B = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      const hair = k % 4 !== 0;
      L[k] = hair ? 20 + (r() - 0.5) * 16 : 55 + (r() - 0.5) * 6;
      A[k] = hair ? 2 + (r() - 0.5) * 3 : 45 + (r() - 0.5) * 4;
      B[k] = hair ? 3 + (r() - 0.5) * 3 : 10 + (r() - 0.5) * 4;
    }
    const g = robustGaussian(L, A, B, n)!;
    expect(Math.abs(g.mean[0] - 20)).toBeLessThan(2);
    expect(Math.abs(g.mean[1] - 2)).toBeLessThan(1);
    expect(Math.sqrt(mahal2(55, 45, 10, g.mean, g.inv))).toBeGreaterThan(12);
    expect(Math.sqrt(mahal2(24, 2.5, 3.5, g.mean, g.inv))).toBeLessThan(2);
  });

  it('segmentDistance: a mix of two colours lies on their segment, another colour does not', () => {
    expect(segmentDistance([40, 8, 9], [20, 2, 3], [60, 14, 15])).toBeLessThan(0.5);
    expect(segmentDistance([40, 40, -20], [20, 2, 3], [60, 14, 15])).toBeGreaterThan(30);
    expect(segmentDistance([80, 0, 0], [20, 0, 0], [60, 0, 0])).toBeCloseTo(20, 5);
  });
});
