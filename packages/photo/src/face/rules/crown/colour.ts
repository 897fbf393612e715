/**
 * The crown at pixel resolution (头顶逐像素分析), for `headwear`: which pixels above the forehead are the
 * person's own hair or skin and which are an object of another colour (a clip, a bow, a flower, a band).
 *
 * - Region: the head above the mesh's forehead top (plus a little of the forehead, where a band sits on the
 *   hairline), |u| ≤ 1.15 IPD, inside the person mask and ≥ 3 px from its edge (the edge is a mix of hair
 *   and background).
 * - Hair model, learned from the same photo: a robust Gaussian in CIELAB (median start, then the mean and
 *   covariance of the inner `TRIM` by Mahalanobis distance, twice, on ≤ 4000 of them) of the crown pixels
 *   that are not skin. Shading and sheen of the hair lie along its own axes, so they stay near; an
 *   object's colour does not. Fewer than 15 % non-skin pixels: a bare crown, no hair model.
 * - Skin: the face's skin model, its darker and lighter shades (scalp, stubble over skin) and, on a mostly
 *   bare crown, its mild specular highlight (a mix of the skin colour with white, ≤ 22 L* above the skin).
 * - An outlier is neither: Mahalanobis distance ≥ `OUTLIER_D` from the hair and ΔE76 ≥ `OUTLIER_DE` from its
 *   mean (or darker than the hair's 2nd percentile by `DARK_MARGIN`), and not a mix of the hair with the skin
 *   or the background (within `MIX_DE` of their segment in Lab). Outliers are grouped in 8-connected patches,
 *   each with its area (IPD²), box, mean colour, mean distance, the colour step to the ring just outside it
 *   and its fill; `headwear` decides which is an object.
 * - Sampled on a grid of ≈ IPD/35 (2 px on the 480×640 frame): ≈ 2,500 pixels.
 * - Forehead band: per column |u| ≤ 0.6, going up from the brows, the forehead's skin, then a run of
 *   non-skin 0.05–0.45 IPD long, then skin again above it — a band across the forehead (any colour, a black
 *   one on black hair too); a fringe or a hairline has no skin above it.
 */
import { rgbToLab, type Lab } from '../../colour.js';
import type { FaceAnalysis } from '../../analysis.js';
import { backgroundLab, memo, skinModel } from '../frame.js';
import { f32, u8 } from '../work-buffers.js';
import { copyInto, CROWN_U, crownGrid, hyp, labInto, scratch, select } from './grid.js';

export const OUTLIER_D = 4.5;
/**
 * The hair model is fitted to the inner `TRIM` of the crown's non-skin pixels (a band or a clip covering up to
 * a third of them stays outside); `TRIM_VAR` is the variance of a Gaussian's inner share (χ² consistency).
 */
const TRIM = 0.6;
const TRIM_VAR = 0.48;
export const OUTLIER_DE = 14;
/** A mix of two colours of the head (hair with skin or background) lies within this ΔE76 of their segment. */
export const MIX_DE = 6;
/** Lightness below the hair's 2nd percentile that makes a dark pixel an outlier. */
export const DARK_MARGIN = 6;
/** Forehead columns looked at for a band: |u| ≤ BAND_U (wider, to 0.8 or 0.95, caught no more London bands). */
export const BAND_U = 0.6;
/** Smallest patch kept (IPD²); the smallest drawn clip is ≈ 0.04. */
export const MIN_PATCH_AREA = 0.006;
const RING_X = [2, -2, 0, 0],
  RING_Y = [0, 0, 2, -2];

/** ΔE76 distance of c from the segment p–q in Lab. */
export function segmentDistance(c: Lab, p: Lab, q: Lab): number {
  const d = [q[0] - p[0], q[1] - p[1], q[2] - p[2]];
  const len2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  const t =
    len2 > 0
      ? Math.max(0, Math.min(1, ((c[0] - p[0]) * d[0] + (c[1] - p[1]) * d[1] + (c[2] - p[2]) * d[2]) / len2))
      : 0;
  return hyp(c[0] - p[0] - t * d[0], c[1] - p[1] - t * d[1], c[2] - p[2] - t * d[2]);
}

export interface CrownPatch {
  /** Area, IPD². */
  area: number;
  /** Face-frame box. */
  u0: number;
  u1: number;
  v0: number;
  v1: number;
  /** Mean colour (Lab) and mean Mahalanobis distance from the hair. */
  lab: Lab;
  dist: number;
  /** ΔE76 between the patch's mean colour and the ring 2 grid steps (4 px) outside it: an object has a sharp edge. */
  step: number;
  /** Area over the face-frame box area (a compact object fills its box; scattered strands do not). */
  fill: number;
}

export interface CrownAnalysis {
  /** Crown pixels looked at. */
  pixels: number;
  /** Share of them that is hair (not skin); the rest is skin or scalp. */
  hairShare: number;
  hairMean: Lab | null;
  /** 2nd percentile of the hair's lightness. */
  hairLow: number;
  /** Share of crown pixels that are outliers. */
  outlierShare: number;
  /** Outlier patches of at least `MIN_PATCH_AREA`, largest first (at most 6). */
  patches: CrownPatch[];
  /** Forehead band: share of forehead columns with skin above and below a non-skin run; columns looked at. */
  band: number;
  bandColumns: number;
  /** Face-frame v range of the band runs (where to look), null when none. */
  bandAt: { v0: number; v1: number } | null;
}

type Mat3 = [number, number, number, number, number, number, number, number, number];

function invert(m: Mat3): Mat3 | null {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!(Math.abs(det) > 1e-9)) return null;
  const k = 1 / det;
  return [
    A * k,
    -(b * i - c * h) * k,
    (b * f - c * e) * k,
    B * k,
    (a * i - c * g) * k,
    -(a * f - c * d) * k,
    C * k,
    -(a * h - b * g) * k,
    (a * e - b * d) * k,
  ];
}

/** Robust Gaussian of Lab points (flat arrays): median start, then twice mean/covariance of the inner 80 %. */
export function robustGaussian(
  L: Float32Array,
  A: Float32Array,
  B: Float32Array,
  n: number,
): { mean: Lab; inv: Mat3 } | null {
  if (n < 30) return null;
  // At most ~2000 points (every k-th): the fit needs no more, and sorting all of a crown costs ms.
  const stride = Math.max(1, Math.floor(n / 2000));
  if (stride > 1) {
    const m = Math.floor(n / stride);
    const l2 = scratch('gL', f32, m),
      a2 = scratch('gA', f32, m),
      b2 = scratch('gB', f32, m);
    for (let k = 0; k < m; k++) {
      l2[k] = L[k * stride];
      a2[k] = A[k * stride];
      b2[k] = B[k * stride];
    }
    return robustGaussian(l2, a2, b2, m);
  }
  const med = (arr: Float32Array) => select(copyInto('sel', arr.subarray(0, n)), n >> 1);
  let mean: Lab = [med(L), med(A), med(B)];
  // Start: diagonal covariance from the median absolute deviations.
  const mad = (arr: Float32Array, m: number) => {
    const d = scratch('sel', f32, n);
    for (let k = 0; k < n; k++) d[k] = Math.abs(arr[k] - m);
    return Math.max(1.5, 1.4826 * select(d, n >> 1));
  };
  let inv: Mat3 | null = [
    1 / mad(L, mean[0]) ** 2,
    0,
    0,
    0,
    1 / mad(A, mean[1]) ** 2,
    0,
    0,
    0,
    1 / mad(B, mean[2]) ** 2,
  ];
  const d2 = scratch('d2', f32, n);
  for (let it = 0; it < 2; it++) {
    for (let k = 0; k < n; k++) d2[k] = mahal2(L[k], A[k], B[k], mean, inv);
    const cut = select(copyInto('sel', d2), Math.floor(n * TRIM));
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      m = 0;
    for (let k = 0; k < n; k++)
      if (d2[k] <= cut) {
        s0 += L[k];
        s1 += A[k];
        s2 += B[k];
        m++;
      }
    if (m < 10) break;
    const mu: Lab = [s0 / m, s1 / m, s2 / m];
    const c: Mat3 = [0, 0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < n; k++) {
      if (d2[k] > cut) continue;
      const x = [L[k] - mu[0], A[k] - mu[1], B[k] - mu[2]];
      for (let r = 0; r < 3; r++) for (let q = 0; q < 3; q++) c[r * 3 + q] += x[r] * x[q];
    }
    // The inner 80 % of a Gaussian has ≈ 0.6× its variance; scale back, and floor each axis (flat colour).
    for (let r = 0; r < 9; r++) c[r] = c[r] / m / TRIM_VAR;
    for (let r = 0; r < 3; r++) c[r * 4] += 2.25;
    const next = invert(c);
    if (!next) break;
    mean = mu;
    inv = next;
  }
  return { mean, inv };
}

export function mahal2(l: number, a: number, b: number, mean: Lab, inv: Mat3): number {
  const x = l - mean[0],
    y = a - mean[1],
    z = b - mean[2];
  return (
    x * (inv[0] * x + inv[1] * y + inv[2] * z) +
    y * (inv[3] * x + inv[4] * y + inv[5] * z) +
    z * (inv[6] * x + inv[7] * y + inv[8] * z)
  );
}

export function analyseCrown(a: FaceAnalysis): CrownAnalysis {
  return memo(a, 'rules.crown', () => measureCrown(a));
}

/** The measure itself, at module level (its optimised code survives from photo to photo; see analysis.ts `memo`). */
function measureCrown(a: FaceAnalysis): CrownAnalysis {
  // A grid of G px (≈ 1/35 IPD: 2 px on a 480×640 frame), so a larger source costs the same.
  const { F, o, cx, cy, topV, v0, v1, x0, x1, y0, y1, G, bw, bh } = crownGrid(a, 35);
  const u0 = -CROWN_U,
    u1 = CROWN_U;
  const W = a.img.width,
    H = a.img.height,
    data = a.img.data;
  const sk = skinModel(a);
  const [sL, sA, sB] = sk.lab;
  const sC = hyp(sA, sB);
  const N = bw * bh;
  // Per box pixel: 0 outside, 1 skin, 2 hair candidate; Lab kept for the candidates.
  const cls = scratch('cls', u8, N).fill(0);
  const Ls = scratch('L', f32, N),
    As = scratch('A', f32, N),
    Bs = scratch('B', f32, N);
  const alpha = a.mask?.alpha;
  const inMask = (x: number, y: number) => !alpha || (x >= 0 && y >= 0 && x < W && y < H && alpha[y * W + x] >= 128);
  const rim = 3;
  // Skin, scalp, its shadows: the skin's chromaticity (a little wider in the dark, where chroma falls).
  const isSkinTone = (l: number, aa: number, bb: number) => l > sL - 40 && l < sL + 25 && hyp(aa - sA, bb - sB) < 10;
  let pixels = 0;
  const hairIdx: number[] = [];
  for (let y = y0; y <= y1; y += G) {
    for (let x = x0; x <= x1; x += G) {
      const dx = x - o[0],
        dy = y - o[1];
      const u = (dx * cx + dy * cy) / F.ipd,
        v = (-dx * cy + dy * cx) / F.ipd;
      if (u < u0 || u > u1 || v < v0 || v > v1) continue;
      if (!inMask(x, y) || !inMask(x - rim, y) || !inMask(x + rim, y) || !inMask(x, y - rim) || !inMask(x, y + rim))
        continue;
      const p = (y * W + x) * 3;
      const k = ((y - y0) / G) * bw + (x - x0) / G;
      labInto(data[p], data[p + 1], data[p + 2], As, k, Ls, Bs);
      const l = Ls[k],
        aa = As[k],
        bb = Bs[k];
      pixels++;
      if (isSkinTone(l, aa, bb)) {
        cls[k] = 1;
        continue;
      }
      cls[k] = 2;
      hairIdx.push(k);
    }
  }
  const n = hairIdx.length;
  const hL = scratch('hL', f32, n),
    hA = scratch('hA', f32, n),
    hB = scratch('hB', f32, n);
  for (let j = 0; j < n; j++) {
    const k = hairIdx[j];
    hL[j] = Ls[k];
    hA[j] = As[k];
    hB[j] = Bs[k];
  }
  const hairShare = pixels ? n / pixels : 0;
  // Fewer than 15 % hair pixels: a bare crown; its highlights (skin mixed with white) and stubble are the head's own.
  const bare = hairShare < 0.15;
  const g = bare ? null : robustGaussian(hL, hA, hB, n);
  // The hair's darkest shade (2nd percentile of its lightness): a black clip on brown or blond hair lies on the
  // hair's own lightness axis (its shadows), so the model does not reject it — being darker than any of it does.
  const hairLow = n >= 30 ? select(copyInto('sel', hL), Math.floor(n * 0.02)) : 0;
  const bg = backgroundLab(a);
  const out = scratch('out', u8, N).fill(0);
  let outN = 0;
  for (const k of hairIdx) {
    const l = Ls[k],
      aa = As[k],
      bb = Bs[k];
    const chroma = hyp(aa, bb);
    if (g) {
      const d2 = mahal2(l, aa, bb, g.mean, g.inv);
      const de = hyp(l - g.mean[0], aa - g.mean[1], bb - g.mean[2]);
      const darker = l < hairLow - DARK_MARGIN && chroma < 20;
      if (!darker && (d2 < OUTLIER_D * OUTLIER_D || de < OUTLIER_DE)) continue;
      // A mix of the hair with the skin (hairline, thin hair) or with the background (gaps between strands).
      if (segmentDistance([l, aa, bb], g.mean, sk.lab) < MIX_DE) continue;
      if (bg && segmentDistance([l, aa, bb], g.mean, bg) < MIX_DE) continue;
    } else {
      // Bare crown: its specular highlight (lighter than the skin, the skin's hue at a lower chroma) and stubble.
      const t = chroma / (sC || 1);
      if (l > sL && l < sL + 22 && chroma < sC + 4 && hyp(aa - sA * t, bb - sB * t) < 6) continue;
      if (l < 45 && chroma < 16) continue;
      if (bg && segmentDistance([l, aa, bb], sk.lab, bg) < MIX_DE) continue;
    }
    out[k] = 1;
    outN++;
  }
  // 8-connected outlier patches, each with the colour step to the ring 2 grid steps outside it.
  const patches: CrownPatch[] = [];
  const seen = scratch('seen', u8, N).fill(0);
  const stack: number[] = [];
  const members: number[] = [];
  const px2 = (G * G) / (F.ipd * F.ipd);
  const minPx = Math.max(6, Math.round(MIN_PATCH_AREA / px2));
  for (let s = 0; s < N; s++) {
    if (!out[s] || seen[s]) continue;
    seen[s] = 1;
    stack.push(s);
    members.length = 0;
    while (stack.length) {
      const k = stack.pop()!;
      members.push(k);
      const yy = Math.floor(k / bw),
        xx = k - yy * bw;
      for (let oy = -1; oy <= 1; oy++) {
        const ny = yy + oy;
        if (ny < 0 || ny >= bh) continue;
        for (let ox = -1; ox <= 1; ox++) {
          const nx = xx + ox;
          if (nx < 0 || nx >= bw) continue;
          const q = ny * bw + nx;
          if (out[q] && !seen[q]) {
            seen[q] = 1;
            stack.push(q);
          }
        }
      }
    }
    if (members.length < minPx) continue;
    let sl = 0,
      sa = 0,
      sb = 0,
      sd = 0,
      rl = 0,
      ra = 0,
      rb = 0,
      rn = 0;
    let pu0 = Infinity,
      pu1 = -Infinity,
      pv0 = Infinity,
      pv1 = -Infinity;
    for (const k of members) {
      sl += Ls[k];
      sa += As[k];
      sb += Bs[k];
      if (g) sd += Math.sqrt(mahal2(Ls[k], As[k], Bs[k], g.mean, g.inv));
      const yy = Math.floor(k / bw),
        xx = k - yy * bw;
      const dx = xx * G + x0 - o[0],
        dy = yy * G + y0 - o[1];
      const u = (dx * cx + dy * cy) / F.ipd,
        v = (-dx * cy + dy * cx) / F.ipd;
      if (u < pu0) pu0 = u;
      if (u > pu1) pu1 = u;
      if (v < pv0) pv0 = v;
      if (v > pv1) pv1 = v;
      for (let r = 0; r < 4; r++) {
        const nx = xx + RING_X[r],
          ny = yy + RING_Y[r];
        if (nx < 0 || ny < 0 || nx >= bw || ny >= bh) continue;
        const q = ny * bw + nx;
        if (!cls[q] || out[q]) continue;
        rl += Ls[q];
        ra += As[q];
        rb += Bs[q];
        rn++;
      }
    }
    const m = members.length;
    const lab: Lab = [sl / m, sa / m, sb / m];
    const step = rn ? hyp(lab[0] - rl / rn, lab[1] - ra / rn, lab[2] - rb / rn) : 0;
    const boxArea = Math.max(1e-6, (pu1 - pu0 + 0.02) * (pv1 - pv0 + 0.02));
    patches.push({
      area: m * px2,
      u0: pu0,
      u1: pu1,
      v0: pv0,
      v1: pv1,
      lab,
      dist: g ? sd / m : 0,
      step,
      fill: (m * px2) / boxArea,
    });
  }
  patches.sort((p, q) => q.area - p.area);
  // Forehead band: columns |u| ≤ 0.6, from just above the brows up to the head top.
  const browV = Math.min(F.uv(105)[1], F.uv(334)[1]);
  const labAt = (u: number, v: number): Lab | null => {
    const [x, y] = F.at(u, v);
    const xi = Math.round(x),
      yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= W || yi >= H) return null;
    const p = (yi * W + xi) * 3;
    return rgbToLab(data[p], data[p + 1], data[p + 2]);
  };
  // Skin in its shading, and its specular highlight (lighter, the skin's hue at a lower chroma): a lit
  // forehead's shine is not a band.
  const skinish = ([l, aa, bb]: Lab) => {
    const c = hyp(aa, bb),
      t = c / (sC || 1);
    if (hyp(aa - sA, bb - sB) < 12 && l > sL - 35 && l < sL + 30) return true;
    return l > sL && c < sC + 4 && hyp(aa - sA * t, bb - sB * t) < 7;
  };
  const dv = 0.015;
  /**
   * Walk from (u, v) by (du, dv) per step: the forehead's skin, then a non-skin run 0.05–0.45 IPD long, then the
   * same skin again (the forehead's own lightness and colour: light hair of a skin-like hue is not skin) → the
   * run's ends (distance along the walk), else null.
   */
  const walk = (u: number, v: number, du: number, dvv: number, steps: number): { from: number; to: number } | null => {
    let state = 0,
      runStart = 0,
      skinRun = 0,
      fl = 0,
      fa = 0,
      fb = 0,
      fn = 0;
    for (let k = 0; k < steps; k++) {
      const c = labAt(u + k * du, v + k * dvv);
      if (!c) return null;
      if (state === 0) {
        if (skinish(c)) {
          fl += c[0];
          fa += c[1];
          fb += c[2];
          fn++;
        } else if (fn >= 3) {
          state = 1;
          runStart = k;
          fl /= fn;
          fa /= fn;
          fb /= fn;
        } else return null;
      } else {
        const same = hyp(c[1] - fa, c[2] - fb) < 7 && Math.abs(c[0] - fl) < 12;
        if (same) {
          skinRun++;
          if (skinRun >= 4) {
            const end = k - skinRun + 1,
              len = (end - runStart) * dv;
            return len >= 0.05 && len <= 0.45 ? { from: runStart * dv, to: end * dv } : null;
          }
        } else {
          skinRun = 0;
          if ((k - runStart) * dv > 0.5) return null;
        }
      }
    }
    return null;
  };
  let cols = 0,
    banded = 0;
  let bv0 = Infinity,
    bv1 = -Infinity;
  const upSteps = Math.max(0, Math.floor((browV - 0.12 - topV) / dv));
  for (let u = -BAND_U; u <= BAND_U + 1e-9; u += 0.05) {
    if (!labAt(u, browV - 0.12)) continue;
    cols++;
    const r = walk(u, browV - 0.12, 0, -dv, upSteps);
    if (r) {
      banded++;
      bv0 = Math.min(bv0, browV - 0.12 - r.to);
      bv1 = Math.max(bv1, browV - 0.12 - r.from);
    }
  }
  return {
    pixels,
    hairShare,
    hairMean: g?.mean ?? null,
    hairLow,
    outlierShare: pixels ? outN / pixels : 0,
    patches: patches.slice(0, 6),
    band: cols ? banded / cols : 0,
    bandColumns: cols,
    bandAt: banded ? { v0: bv0, v1: bv1 } : null,
  };
}
