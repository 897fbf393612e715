import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import type { DetectedFace } from '../engine.js';
import { DEFAULT_PHOTO_LIMITS, HEURISTICS } from '../checks.js';
import {
  BACKGROUND_LOCAL,
  OFF,
  backgroundUniformMeasures,
  checkBackgroundUniform,
  morph,
} from './background-uniform.js';

const W = 480,
  H = 640;
const BLUE: [number, number, number] = [100, 197, 255];
const SKIN: [number, number, number] = [224, 172, 150];
const HAIR: [number, number, number] = [45, 32, 28];
const SHIRT: [number, number, number] = [245, 245, 242];

/** A drawn portrait: hair, face, neck and a white shirt on light blue, with its exact person mask and mesh. */
function portrait() {
  const data = Buffer.alloc(W * H * 3);
  const alpha = new Uint8Array(W * H);
  const cx = 240,
    faceY = 270,
    fw = 200;
  const inEllipse = (x: number, y: number, ex: number, ey: number, rx: number, ry: number) =>
    ((x - ex) / rx) ** 2 + ((y - ey) / ry) ** 2 <= 1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c: [number, number, number] | null = null;
      if (y >= 470 && Math.abs(x - cx) <= 200 + (y - 470) * 0.4) c = SHIRT;
      else if (y >= 380 && Math.abs(x - cx) <= 55) c = SKIN; // neck
      if (inEllipse(x, y, cx, faceY - 30, 118, 130) && y < faceY) c = HAIR;
      if (inEllipse(x, y, cx, faceY, fw / 2, 135)) c = SKIN;
      const p = (y * W + x) * 3;
      const v = c ?? BLUE;
      data[p] = v[0];
      data[p + 1] = v[1];
      data[p + 2] = v[2];
      if (c) alpha[y * W + x] = 255;
    }
  }
  return { img: { data, width: W, height: H, channels: 3 } as RawImage, alpha, cx, faceY, fw };
}

/** The analysis the rule reads, built from the drawing (mesh points the rule uses; the rest at the nose). */
function analysisOf(img: RawImage, alpha: Uint8Array, cx: number, faceY: number, fw: number): FaceAnalysis {
  const mesh: [number, number, number][] = Array.from({ length: 478 }, () => [cx, faceY, 0]);
  mesh[152] = [cx, faceY + 135, 0]; // chin
  mesh[10] = [cx, faceY - 120, 0]; // forehead top
  mesh[234] = [cx - fw / 2, faceY, 0];
  mesh[454] = [cx + fw / 2, faceY, 0];
  const face = {
    score: 0.99,
    box: [cx - fw / 2, faceY - 135, fw, 270],
    mesh,
    pupils: [
      [cx - 45, faceY - 30],
      [cx + 45, faceY - 30],
    ],
  } as unknown as DetectedFace;
  const bg: number[] = [];
  for (let y = 0; y < H; y += 2) for (let x = 0; x < W; x += 2) if (alpha[y * W + x] < 60) bg.push(y * W + x);
  return {
    img,
    faces: [face],
    face,
    mask: { width: W, height: H, alpha },
    geometry: null,
    ipd: 90,
    headTop: { y: faceY - 160, method: 'mask', touchesTop: false },
    background: Uint32Array.from(bg),
    cache: new Map(),
  };
}

function paint(img: RawImage, f: (x: number, y: number) => [number, number, number] | null): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = f(x, y);
      if (c) img.data.set(c, (y * W + x) * 3);
    }
  }
}

/** A thing the mask took in: the ellipse centred (ex, ey), half-axes (rx, ry), painted outside the mask and added to it. */
function takeIn(
  p: ReturnType<typeof portrait>,
  ex: number,
  ey: number,
  rx: number,
  ry: number,
  rgb: [number, number, number],
): void {
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (Math.hypot((x - ex) / rx, (y - ey) / ry) < 1 && p.alpha[y * W + x] < 128) {
        p.img.data.set(rgb, (y * W + x) * 3);
        p.alpha[y * W + x] = 255;
      }
    }
  }
}

const check = (a: FaceAnalysis) => checkBackgroundUniform(a, DEFAULT_PHOTO_LIMITS, HEURISTICS.minBackgroundShare);

describe('background.uniform (背景均匀)', () => {
  it('passes a plain light-blue background around the person', () => {
    const p = portrait();
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).toBe('pass');
  });

  it('fails an object standing apart in the background, and says where it is', () => {
    const p = portrait();
    paint(p.img, (x, y) => (Math.hypot(x - 60, y - 80) < 24 ? [200, 40, 40] : null));
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).toBe('fail');
    expect(r.code).toBe('BACKGROUND_PATCH');
    expect(r.message).toMatch(/x=6\d、y=8\d/);
    // and marks it for the overlay: a box around the object, in the photo's pixels
    const b = r.region!;
    expect(b.x).toBeLessThan(60);
    expect(b.x + b.width).toBeGreaterThan(60);
    expect(b.y).toBeLessThan(80);
    expect(b.y + b.height).toBeGreaterThan(80);
  });

  it('fails a grey leftover of an old background beside the hair, outside the mask', () => {
    const p = portrait();
    // Right beside the hair at temple height, touching it (a poor replacement).
    paint(p.img, (x, y) =>
      p.alpha[y * W + x] < 128 && Math.hypot((x - 372) / 22, (y - 225) / 32) < 1 ? [196, 196, 194] : null,
    );
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).not.toBe('pass');
  });

  it('fails a warm-grey leftover the mask took in beside the jaw, close to the skin in colour', () => {
    const p = portrait();
    // Below the ear, outside the face contour: the person there is hair, not skin (ΔE76 to the skin ≈ 13).
    takeIn(p, 346, 330, 22, 32, [200, 180, 172]);
    const a = analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw);
    // The hair of the crown is sampled above the forehead top: put it above the drawn face ellipse.
    a.face!.mesh[10] = [p.cx, p.faceY - 150, 0];
    const r = check(a);
    expect(r.status).toBe('fail');
    expect(r.code).toBe('BACKGROUND_PATCH');
  });

  it('finds a light grey leftover the mask took in beside the jaw of a person with ash-blond hair', () => {
    const p = portrait();
    // Hair within maxPaletteDeltaE of the grey wall (ΔE76 ≈ 10): only the leftover's being flat and
    // colourless, with no colour of the hair that close, tells it from a highlight in the hair.
    const ash: [number, number, number] = [205, 200, 190];
    paint(p.img, (x, y) => (p.img.data[(y * W + x) * 3] === HAIR[0] ? ash : null));
    takeIn(p, 346, 330, 22, 32, [225, 226, 225]);
    const a = analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw);
    a.face!.mesh[10] = [p.cx, p.faceY - 150, 0];
    const r = check(a);
    expect(r.status).not.toBe('pass');
    expect(r.code).toBe('BACKGROUND_PATCH');
    expect([...(a.cache.get('background.uniform.cells') as Uint8Array)].some((c) => c === OFF.neutral)).toBe(true);
  });

  it('takes a speckled object beside the hair for one patch, not for many specks', () => {
    const p = portrait();
    // A 4-px checker of red and the background's own blue (a printed or woven thing), touching the hair
    // at brow height, outside the mask: every red square alone is far below the review size, the squares
    // together are above it.
    paint(p.img, (x, y) =>
      p.alpha[y * W + x] < 128 && Math.hypot((x - 376) / 20, (y - 205) / 24) < 1
        ? ((x >> 2) + (y >> 2)) % 2
          ? [200, 40, 40]
          : BLUE
        : null,
    );
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).not.toBe('pass');
    expect(r.code).toBe('BACKGROUND_PATCH');
  });

  it('lets a curl of hair below the ear lobes pass that beside the brows would be sent to review', () => {
    const bumpAt = (y: number, out: number) => {
      const p = portrait();
      let edge = 0;
      for (let x = 0; x < W; x++) if (p.alpha[y * W + x]) edge = x;
      takeIn(p, edge - 24 + out, y, 24, 14, HAIR);
      const a = analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw);
      return { m: backgroundUniformMeasures(a), r: check(a) };
    };
    // About the same bump (0.13–0.14 of the face width against the outline 0.2 face widths above and below).
    const low = bumpAt(330, 38);
    expect(low.m.bump * (BACKGROUND_LOCAL.reviewFreeHairBump / BACKGROUND_LOCAL.reviewBump)).toBeGreaterThan(0.13);
    expect(low.r.status).toBe('pass');
    const high = bumpAt(205, 30);
    expect(high.m.bump).toBeGreaterThan(0.12);
    expect(high.r.status).toBe('review');
    expect(high.r.code).toBe('BACKGROUND_OBJECT_TOUCHING');
  });

  it('takes hair below the ear lobes that the mask left out for hair (a ponytail beside the neck)', () => {
    const p = portrait();
    // Strands of the hair's own colour with the background between them, beside the neck, outside the
    // mask, far from the crown and temples: the colours near it are skin and shirt.
    const ponytail = (x: number, y: number) =>
      p.alpha[y * W + x] < 128 && Math.hypot((x - 312) / 24, (y - 410) / 34) < 1 && (x + y) % 5 !== 0;
    paint(p.img, (x, y) => (ponytail(x, y) ? HAIR : null));
    expect(check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw)).status).toBe('pass');
    // The same place in light grey is a wall, whatever the hair's colours.
    const q = portrait();
    paint(q.img, (x, y) => (ponytail(x, y) ? [205, 205, 203] : null));
    expect(check(analysisOf(q.img, q.alpha, q.cx, q.faceY, q.fw)).status).not.toBe('pass');
  });

  it('fails a cast shadow: the silhouette shifted and darkened on the background (a flat mix)', () => {
    const p = portrait();
    const dx = 30,
      dy = 10;
    paint(p.img, (x, y) => {
      const sx = x - dx,
        sy = y - dy;
      if (sx < 0 || sy < 0 || p.alpha[sy * W + sx] < 128 || p.alpha[y * W + x] >= 128) return null;
      return [Math.round(BLUE[0] * 0.72), Math.round(BLUE[1] * 0.72), Math.round(BLUE[2] * 0.72)];
    });
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).toBe('fail');
  });

  it('sends to review a hair-coloured object the mask took in beside the head (a bump on the outline)', () => {
    const p = portrait();
    // A dark bag against the hair at brow height, inside the (swallowing) mask, in the hair's own colour.
    takeIn(p, 372, 205, 20, 24, HAIR);
    const a = analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw);
    expect(backgroundUniformMeasures(a).bump).toBeGreaterThan(0.12);
    const r = check(a);
    expect(r.status).toBe('review');
    expect(r.code).toBe('BACKGROUND_OBJECT_TOUCHING');
  });

  it('fails another person entering at a side edge at head height', () => {
    const p = portrait();
    for (let y = 150; y < 400; y++)
      for (let x = 0; x < 40; x++) {
        p.img.data.set(SKIN, (y * W + x) * 3);
        p.alpha[y * W + x] = 255;
      }
    const r = check(analysisOf(p.img, p.alpha, p.cx, p.faceY, p.fw));
    expect(r.status).toBe('fail');
  });
});

describe('morph (bit-packed dilation / erosion)', () => {
  /** Cell by cell: any (dilation) / every (erosion) cell of the window clipped to the grid set. */
  function naive(src: Uint8Array, w: number, h: number, r: number, dilate: boolean): Uint8Array {
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let any = false,
          all = true;
        for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++)
          for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) {
            if (src[v * w + u]) any = true;
            else all = false;
          }
        out[y * w + x] = (dilate ? any : all) ? 1 : 0;
      }
    return out;
  }

  it('equals the cell-by-cell window on random grids (widths across word edges, radii up to 40)', () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (const [w, h] of [
      [1, 1],
      [31, 7],
      [32, 9],
      [33, 12],
      [64, 5],
      [95, 40],
      [240, 20],
    ]) {
      for (const density of [0.02, 0.5, 0.97]) {
        const src = new Uint8Array(w * h).map(() => (rnd() < density ? 1 : 0));
        for (const r of [0, 1, 3, 14, 31, 32, 33, 40]) {
          for (const dilate of [true, false]) {
            expect(Array.from(morph(src, w, h, r, dilate, 'test'))).toEqual(Array.from(naive(src, w, h, r, dilate)));
          }
        }
      }
    }
  });
});
