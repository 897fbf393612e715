/**
 * Smooth objects in the hair (光滑物体): hair is strand texture, a plastic or metal clip, a bow or a flower is a
 * smooth surface (its shading varies slowly) with a sharp outline — whatever its colour, so a black bow on black
 * hair or a white one on a grey crown shows here where the colour tests cannot tell it.
 *
 * - Texture: per pixel of the crown (every pixel up to IPD 225 px, then every 2nd), the RMS residual of L* from the
 *   quadratic surface fitted over its 5×5 neighbourhood (a shaded surface fits, strands do not); `texture` is
 *   its mean over the 3×3 around the pixel.
 * - Smooth pixels (residual < `SMOOTH_RESIDUAL`) inside the person (≥ 3 px from the mask's edge) are grouped
 *   4-connected; each group's `texture` inside, and the `edge`: the mean texture 2 px outside it (an object's
 *   sharp outline is a strong residual all round it; a smooth stretch of hair or skin fades into texture).
 */
import type { Lab } from '../../colour.js';
import type { FaceAnalysis } from '../../analysis.js';
import { backgroundLab, memo, skinModel } from '../frame.js';
import { f32, i32, u8 } from '../work-buffers.js';
import { MIN_PATCH_AREA } from './colour.js';
import { CROWN_U, crownGrid, flood, hyp, labInto, scratch } from './grid.js';
import { lightBodies, type LightBody } from './light-body.js';
import { sparkleDots, sparkleRow, type SparkleBar } from './rhinestones.js';

export const SMOOTH_RESIDUAL = 1.0;

export interface SmoothBlob {
  /** Area, IPD²; fill of its pixel box. */
  area: number;
  fill: number;
  /** Face-frame box. */
  u0: number;
  u1: number;
  v0: number;
  v1: number;
  lab: Lab;
  /** Mean texture inside and just outside (L* residual). */
  texture: number;
  edge: number;
  /** Share of its outline that is outside the measured crown (background, mask rim, the region's edge: a
   * stretch of forehead cut by the region's lower edge is not a closed outline). */
  open: number;
}

export interface CrownTexture {
  /** Smooth objects, largest first. */
  blobs: SmoothBlob[];
  /** A row of rhinestones (a sparkle bar), or null. */
  sparkle: SparkleBar | null;
  /** Solid light bodies, largest first. */
  light: LightBody[];
}

export function smoothBlobs(a: FaceAnalysis): SmoothBlob[] {
  return crownTexture(a).blobs;
}

export function crownTexture(a: FaceAnalysis): CrownTexture {
  return memo(a, 'rules.crown.smooth', () => measureTexture(a));
}

/** The measure itself, at module level (its optimised code survives from photo to photo; see analysis.ts `memo`). */
function measureTexture(a: FaceAnalysis): CrownTexture {
  // Pixel step: 1 on the 480×640 frame (IPD ≈ 116), 2 from IPD 225 on (a source of twice the scale).
  const { F, o, cx, cy, v0, v1, x0, y0, G, bw, bh } = crownGrid(a, 150);
  const uMax = CROWN_U;
  const W = a.img.width,
    H = a.img.height,
    data = a.img.data;
  const N = bw * bh;
  if (N < 25) return { blobs: [], sparkle: null, light: [] };
  const L = scratch('sL', f32, N),
    A = scratch('sA', f32, N),
    B = scratch('sB', f32, N);
  const inside = scratch('sIn', u8, N).fill(0);
  const alpha = a.mask?.alpha;
  const inMask = (x: number, y: number) => !alpha || (x >= 0 && y >= 0 && x < W && y < H && alpha[y * W + x] >= 128);
  for (let j = 0; j < bh; j++) {
    for (let i = 0; i < bw; i++) {
      const x = x0 + i * G,
        y = y0 + j * G,
        k = j * bw + i;
      const p = (y * W + x) * 3;
      labInto(data[p], data[p + 1], data[p + 2], A, k, L, B);
      const dx = x - o[0],
        dy = y - o[1];
      const u = (dx * cx + dy * cy) / F.ipd,
        v = (-dx * cy + dy * cx) / F.ipd;
      const r = 3 * G;
      // The box's outer two pixels are not measured (the 5×5 fit needs them): outside, as the region's edge.
      const margin = i < 2 || j < 2 || i >= bw - 2 || j >= bh - 2;
      inside[k] =
        !margin &&
        u >= -uMax &&
        u <= uMax &&
        v >= v0 &&
        v <= v1 &&
        inMask(x, y) &&
        inMask(x - r, y) &&
        inMask(x + r, y) &&
        inMask(x, y - r) &&
        inMask(x, y + r)
          ? 1
          : 0;
    }
  }
  const sparkle = sparkleDots(L, inside, bw, bh, F.ipd / G);
  // Residual of the 5×5 quadratic fit (orthogonal basis 1, x, y, x²−2, y²−2, xy on −2…2; 19 degrees of freedom).
  const res = scratch('sRes', f32, N).fill(0);
  for (let j = 2; j < bh - 2; j++) {
    for (let i = 2; i < bw - 2; i++) {
      const k = j * bw + i;
      if (!inside[k]) continue;
      let s0 = 0,
        sx = 0,
        sy = 0,
        sxx = 0,
        syy = 0,
        sxy = 0,
        e = 0;
      for (let oy = -2; oy <= 2; oy++) {
        const row = k + oy * bw;
        for (let ox = -2; ox <= 2; ox++) {
          const val = L[row + ox];
          s0 += val;
          sx += ox * val;
          sy += oy * val;
          sxx += (ox * ox - 2) * val;
          syy += (oy * oy - 2) * val;
          sxy += ox * oy * val;
          e += val * val;
        }
      }
      const r = e - (s0 * s0) / 25 - (sx * sx + sy * sy) / 50 - (sxx * sxx + syy * syy) / 70 - (sxy * sxy) / 100;
      res[k] = Math.sqrt(Math.max(0, r) / 19);
    }
  }
  const texture = scratch('sTex', f32, N).fill(0);
  const smooth = scratch('sOn', u8, N).fill(0);
  for (let j = 1; j < bh - 1; j++) {
    for (let i = 1; i < bw - 1; i++) {
      const k = j * bw + i;
      let t = 0;
      for (let oy = -1; oy <= 1; oy++) for (let ox = -1; ox <= 1; ox++) t += res[k + oy * bw + ox];
      texture[k] = t / 9;
      if (inside[k] && res[k] < SMOOTH_RESIDUAL) smooth[k] = 1;
    }
  }
  const label = scratch('sLabel', i32, N).fill(-1);
  const stack = scratch('sStack', i32, N);
  const px2 = (G * G) / (F.ipd * F.ipd);
  const minPx = Math.max(6, Math.round(MIN_PATCH_AREA / px2));
  const blobs: SmoothBlob[] = [];
  const ring = [2, -2, 2 * bw, -2 * bw];
  /** Face-frame point of grid cell (i, j). */
  const corner = (i: number, j: number) => {
    const dx = x0 + i * G - o[0],
      dy = y0 + j * G - o[1];
    return [(dx * cx + dy * cy) / F.ipd, (-dx * cy + dy * cx) / F.ipd];
  };
  let id = 0;
  for (let s = 0; s < N; s++) {
    if (!smooth[s] || label[s] >= 0) continue;
    label[s] = id;
    const { top, i0, i1, j0, j1 } = flood(s, bw, N, stack, (q) => {
      if (!smooth[q] || label[q] >= 0) return false;
      label[q] = id;
      return true;
    });
    const n = top;
    let sl = 0,
      sa = 0,
      sb = 0,
      st = 0;
    for (let h = 0; h < top; h++) {
      const k = stack[h];
      sl += L[k];
      sa += A[k];
      sb += B[k];
      st += texture[k];
    }
    if (n >= minPx) {
      let edge = 0,
        en = 0,
        outline = 0,
        open = 0;
      for (let h = 0; h < top; h++) {
        const k = stack[h];
        for (const d of ring) {
          const q = k + d;
          if (q < 0 || q >= N || label[q] === id || label[k + d / 2] === id) continue;
          outline++;
          if (!inside[q]) {
            open++;
            continue;
          }
          edge += texture[q];
          en++;
        }
      }
      const cs = [corner(i0, j0), corner(i1, j0), corner(i0, j1), corner(i1, j1)];
      blobs.push({
        area: n * px2,
        fill: n / ((i1 - i0 + 1) * (j1 - j0 + 1)),
        u0: Math.min(...cs.map((c) => c[0])),
        u1: Math.max(...cs.map((c) => c[0])),
        v0: Math.min(...cs.map((c) => c[1])),
        v1: Math.max(...cs.map((c) => c[1])),
        lab: [sl / n, sa / n, sb / n],
        texture: st / n,
        edge: en ? edge / en : 0,
        open: outline ? open / outline : 1,
      });
    }
    id++;
  }
  const row = sparkleRow(sparkle, F.ipd / G);
  let bar: SparkleBar | null = null;
  if (row) {
    const at = row.map((d) => corner(d.i, d.j));
    const us = at.map((c) => c[0]),
      vs = at.map((c) => c[1]);
    const u0 = Math.min(...us),
      u1 = Math.max(...us),
      v0 = Math.min(...vs),
      v1 = Math.max(...vs);
    bar = {
      dots: row.length,
      spacing: hyp(u1 - u0, v1 - v0) / (row.length - 1),
      lightness: row.reduce((s, d) => s + d.l, 0) / row.length,
      contrast: row.reduce((s, d) => s + d.contrast, 0) / row.length,
      u0,
      u1,
      v0,
      v1,
    };
  }
  const light = lightBodies(L, A, B, inside, bw, bh, F.ipd / G, skinModel(a).lab, backgroundLab(a), res, corner);
  return { blobs: blobs.sort((p, q) => q.area - p.area), sparkle: bar, light };
}
