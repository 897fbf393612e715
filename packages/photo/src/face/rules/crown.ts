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
import { rgbToLab, type Lab } from '../colour.js';
import type { FaceAnalysis } from '../analysis.js';
import { backgroundLab, faceFrame, memo, skinModel } from './frame.js';

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
/**
 * Work buffers reused from photo to photo (the crown measures are synchronous and keep none of them): a crown
 * would otherwise allocate ~1 MB of typed arrays per photo. Not zeroed: callers write every cell they read or fill.
 */
const SCRATCH = new Map<string, Uint8Array | Int32Array | Float32Array | Float64Array>();
export function scratch<T extends Uint8Array | Int32Array | Float32Array | Float64Array>(
  name: string,
  make: (n: number) => T,
  n: number,
): T {
  let buf = SCRATCH.get(name) as T | undefined;
  if (!buf || buf.length < n) SCRATCH.set(name, (buf = make(n)));
  return buf.subarray(0, n) as T;
}
/** `src` copied into the scratch buffer `name` (for `select`, which reorders what it is given). */
function copyInto(name: string, src: Float32Array): Float32Array {
  const buf = scratch(name, f32, src.length);
  buf.set(src);
  return buf;
}
const u8 = (n: number) => new Uint8Array(n),
  i32 = (n: number) => new Int32Array(n),
  f32 = (n: number) => new Float32Array(n),
  f64 = (n: number) => new Float64Array(n);
const RING_X = [2, -2, 0, 0],
  RING_Y = [0, 0, 2, -2];
const hyp = (x: number, y: number, z = 0) => Math.sqrt(x * x + y * y + z * z);

/** sRGB → linear light, and CIELAB written into `out` (no allocation: the crown has ~25k pixels). */
const LIN = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LIN[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
function labInto(
  r: number,
  g: number,
  b: number,
  out: Float32Array,
  k: number,
  L: Float32Array,
  B: Float32Array,
): void {
  const R = LIN[r],
    G = LIN[g],
    Bl = LIN[b];
  const fx = labF((0.4124564 * R + 0.3575761 * G + 0.1804375 * Bl) / 0.95047);
  const fy = labF(0.2126729 * R + 0.7151522 * G + 0.072175 * Bl);
  const fz = labF((0.0193339 * R + 0.119192 * G + 0.9503041 * Bl) / 1.08883);
  L[k] = 116 * fy - 16;
  out[k] = 500 * (fx - fy);
  B[k] = 200 * (fy - fz);
}

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

/** The k-th smallest value (Hoare's selection, reorders `a`): O(n), where sorting a crown costs ms. */
export function select(a: Float32Array, k: number): number {
  let lo = 0,
    hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo,
      j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k];
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
  return memo(a, 'rules.crown', () => {
    const F = faceFrame(a);
    const W = a.img.width,
      H = a.img.height,
      data = a.img.data;
    const sk = skinModel(a);
    const [sL, sA, sB] = sk.lab;
    const sC = hyp(sA, sB);
    const topV = (a.headTop.y - F.at(0, 0)[1]) / F.ipd;
    const foreheadV = F.uv(10)[1];
    const v0 = topV - 0.05,
      v1 = foreheadV + 0.15,
      u0 = -1.15,
      u1 = 1.15;
    // Pixel box of the face-frame region.
    const corners = [F.at(u0, v0), F.at(u1, v0), F.at(u0, v1), F.at(u1, v1)];
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])))),
      x1 = Math.min(W - 1, Math.ceil(Math.max(...corners.map((p) => p[0]))));
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1])))),
      y1 = Math.min(H - 1, Math.ceil(Math.max(...corners.map((p) => p[1]))));
    // A grid of G px (≈ 1/35 IPD: 2 px on a 480×640 frame), so a larger source costs the same.
    const G = Math.max(1, Math.round(F.ipd / 35));
    const bw = Math.max(0, Math.floor((x1 - x0) / G) + 1),
      bh = Math.max(0, Math.floor((y1 - y0) / G) + 1);
    const N = bw * bh;
    // Per box pixel: 0 outside, 1 skin, 2 hair candidate; Lab kept for the candidates.
    const cls = scratch('cls', u8, N).fill(0);
    const Ls = scratch('L', f32, N),
      As = scratch('A', f32, N),
      Bs = scratch('B', f32, N);
    const alpha = a.mask?.alpha;
    const inMask = (x: number, y: number) => !alpha || (x >= 0 && y >= 0 && x < W && y < H && alpha[y * W + x] >= 128);
    const rim = 3;
    const ex = F.at(1, 0),
      o = F.at(0, 0);
    const cx = (ex[0] - o[0]) / F.ipd,
      cy = (ex[1] - o[1]) / F.ipd; // unit u axis in image
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
    const walk = (
      u: number,
      v: number,
      du: number,
      dvv: number,
      steps: number,
    ): { from: number; to: number } | null => {
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
  });
}

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

/**
 * Sparkle (闪点): rhinestones on a clip, strass, a metal bar's glints — tiny round specular highlights.
 *
 * - A glint pixel is near-white (L* ≥ `SPARKLE_L`) and brighter by ≥ `SPARKLE_CONTRAST` than all but one of the 8
 *   points on the circle of radius `DOT_RING` IPD around it (a strand's highlight is a line, bright both ways
 *   along it; one bright point is allowed for a dot touching its neighbour). Glint pixels are grouped
 *   8-connected; a group of ≤ `DOT_MAX_AREA` IPD² is a glint: its centroid, area, peak contrast and lightness.
 * - A sparkle bar (`sparkleRow`): ≥ `SPARKLE_DOTS` glints of ≥ `SPARKLE_MIN_AREA` IPD² (a stone, not a pixel) in
 *   a row, each the same step (0.05–0.14 IPD, ± 30 %) from the last, with at most `SPARKLE_CROWD` other glints
 *   within 0.15 IPD — a clip set with stones. London crowns (grey, blond, wet-look hair): their glints are one to
 *   three pixels, or crowded; no row of three stones.
 */
export const DOT_RING = 0.04;
export const DOT_MAX_AREA = 0.004;
export const SPARKLE_L = 75;
export const SPARKLE_CONTRAST = 25;
export const SPARKLE_MIN_AREA = 0.0005;
export const SPARKLE_DOTS = 4;
export const SPARKLE_CROWD = 2;

/** A dot in grid coordinates (i, j), its area (grid px), peak contrast and mean lightness. */
interface Dot {
  i: number;
  j: number;
  n: number;
  contrast: number;
  l: number;
}

export interface SparkleBar {
  /** Dots in the row; their mean step (IPD), lightness and contrast. */
  dots: number;
  spacing: number;
  lightness: number;
  contrast: number;
  /** Face-frame box of the row's dot centres. */
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

/**
 * The near-white dots of L (a bw × bh grid of `unit` cells per IPD; only `inside` cells). Cost: one pass over the
 * cells, the ring read only for cells of lightness ≥ `SPARKLE_L`.
 */
function sparkleDots(L: Float32Array, inside: Uint8Array, bw: number, bh: number, unit: number): Dot[] {
  const N = bw * bh;
  const R = Math.max(3, Math.round(unit * DOT_RING));
  const ring: number[] = [],
    ringX: number[] = [],
    ringY: number[] = [];
  for (let d = 0; d < 8; d++) {
    const t = (d * Math.PI) / 4;
    ringX.push(Math.round(Math.cos(t) * R));
    ringY.push(Math.round(Math.sin(t) * R));
    ring.push(ringY[d] * bw + ringX[d]);
  }
  const on = scratch('dotOn', u8, N).fill(0);
  const con = scratch('dotCon', f32, N);
  for (let j = R; j < bh - R; j++) {
    for (let i = R; i < bw - R; i++) {
      const k = j * bw + i;
      const c = L[k];
      if (c < SPARKLE_L || !inside[k]) continue;
      let r1 = -Infinity,
        r2 = -Infinity;
      for (let d = 0; d < 8; d++) {
        const v = L[k + ring[d]];
        if (v > r1) {
          r2 = r1;
          r1 = v;
        } else if (v > r2) r2 = v;
        if (c - r2 < SPARKLE_CONTRAST) break;
      }
      if (c - r2 >= SPARKLE_CONTRAST) {
        on[k] = 1;
        con[k] = c - r2;
      }
    }
  }
  const maxPx = DOT_MAX_AREA * unit * unit;
  const stack = scratch('sStack', i32, N);
  const dots: Dot[] = [];
  for (let s = 0; s < N; s++) {
    if (on[s] !== 1) continue;
    let top = 0,
      head = 0;
    stack[top++] = s;
    on[s] = 2;
    let si = 0,
      sj = 0,
      sl = 0,
      peak = 0;
    while (head < top) {
      const k = stack[head++];
      const j = Math.floor(k / bw),
        i = k - j * bw;
      si += i;
      sj += j;
      sl += L[k];
      if (con[k] > peak) peak = con[k];
      for (let oy = -1; oy <= 1; oy++)
        for (let ox = -1; ox <= 1; ox++) {
          const q = k + oy * bw + ox;
          if (q >= 0 && q < N && on[q] === 1) {
            on[q] = 2;
            stack[top++] = q;
          }
        }
    }
    if (top > maxPx) continue;
    dots.push({ i: si / top, j: sj / top, n: top, contrast: peak, l: sl / top });
  }
  return dots;
}

/** The longest evenly spaced row of near-white dots (see `SPARKLE_*`), grid coordinates, or null. */
function sparkleRow(dots: Dot[], unit: number): Dot[] | null {
  const minPx = SPARKLE_MIN_AREA * unit * unit;
  const stones = dots.filter((d) => d.n >= minPx);
  let best: Dot[] | null = null;
  for (const p of stones) {
    for (const q of stones) {
      const si = q.i - p.i,
        sj = q.j - p.j,
        len = hyp(si, sj) / unit;
      if (p === q || len < 0.05 || len > 0.14) continue;
      // Walk both ways from p by the step p → q, each next dot within 30 % of a step of where it should be.
      const row = [p];
      for (const sign of [1, -1]) {
        let at = p;
        for (;;) {
          const wi = at.i + sign * si,
            wj = at.j + sign * sj;
          const next = stones.find((d) => !row.includes(d) && hyp(d.i - wi, d.j - wj) < 0.3 * len * unit);
          if (!next) break;
          row.push(next);
          at = next;
        }
      }
      if (row.length < SPARKLE_DOTS || (best && row.length <= best.length)) continue;
      const near = dots.filter((g) => !row.includes(g) && row.some((d) => hyp(g.i - d.i, g.j - d.j) < 0.15 * unit));
      if (near.length <= SPARKLE_CROWD) best = row;
    }
  }
  return best;
}

/**
 * Light bodies (浅色实心物体): a white or pale clip, a pearl bar — solid, lighter than the hair around it, with a
 * sharp outline; where the hair's own sheen and grey strands are light too, so the colour tests cannot tell it.
 *
 * - Light cells: lighter by ≥ `LIGHT_LOCAL` L* than the mean of the crown within `LIGHT_BOX` IPD (a box), and not
 *   skin (the skin's chromaticity within ΔE 10 and at least half its chroma: neutral white is not skin, even
 *   beside pale skin whose chroma is under 10).
 * - Solid: the light cells that stay after an erosion by `LIGHT_ERODE` IPD (every cell of the square around
 *   light) — strands and sheen are a few px wide and broken, a clip is not; the body is the eroded core grown
 *   back by the same radius (an opening), grouped 4-connected.
 * - Per body: area (IPD²), lightness, `step` (its mean L* minus the mean of the ring 2–4 px outside it), `open`
 *   (share of that ring outside the measured crown) and `texture` (the 5×5-fit residual inside its core: a sheen
 *   on dark hair is solid and sharp too, but made of strands).
 */
export const LIGHT_LOCAL = 12;
export const LIGHT_BOX = 0.12;
export const LIGHT_ERODE = 0.025;

export interface LightBody {
  area: number;
  lightness: number;
  step: number;
  open: number;
  /** Median L* residual of the 5×5 fit (as `smoothBlobs`) over the eroded core: strands inside sheen, none in a clip. */
  texture: number;
  /** Face-frame box. */
  u0: number;
  u1: number;
  v0: number;
  v1: number;
}

/**
 * 4-connected flood fill from cell s (already taken) over the cells `take` accepts (and marks): the members are
 * stack[0, top), with their box in grid cells.
 */
function flood(s: number, bw: number, N: number, stack: Int32Array, take: (q: number) => boolean) {
  let top = 0,
    head = 0,
    i0 = Infinity,
    i1 = -1,
    j0 = Infinity,
    j1 = -1;
  stack[top++] = s;
  while (head < top) {
    const k = stack[head++];
    const j = Math.floor(k / bw),
      i = k - j * bw;
    if (i < i0) i0 = i;
    if (i > i1) i1 = i;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (i > 0 && take(k - 1)) stack[top++] = k - 1;
    if (i < bw - 1 && take(k + 1)) stack[top++] = k + 1;
    if (k >= bw && take(k - bw)) stack[top++] = k - bw;
    if (k + bw < N && take(k + bw)) stack[top++] = k + bw;
  }
  return { top, i0, i1, j0, j1 };
}

/** Sum over the cells (i0…i1, j0…j1), clipped, of the integral image S (a (bw+1)-wide table). */
function boxSum(S: Float64Array | Int32Array, bw: number, bh: number, i0: number, j0: number, i1: number, j1: number) {
  i0 = Math.max(0, i0);
  j0 = Math.max(0, j0);
  i1 = Math.min(bw - 1, i1);
  j1 = Math.min(bh - 1, j1);
  if (i1 < i0 || j1 < j0) return 0;
  const w = bw + 1;
  return S[(j1 + 1) * w + i1 + 1] - S[j0 * w + i1 + 1] - S[(j1 + 1) * w + i0] + S[j0 * w + i0];
}

/** Integral image of the bw × bh cells `v` (weighted by `on` when given) into `out` ((bw+1) × (bh+1)). */
function integral<T extends Float64Array | Int32Array>(
  out: T,
  bw: number,
  bh: number,
  v: Float32Array | Uint8Array,
  on?: Uint8Array,
): T {
  const w = bw + 1;
  out.fill(0, 0, w);
  for (let j = 0; j < bh; j++) {
    let row = 0;
    const o = (j + 1) * w,
      up = j * w,
      k0 = j * bw;
    out[o] = 0;
    for (let i = 0; i < bw; i++) {
      if (!on || on[k0 + i]) row += v[k0 + i];
      out[o + i + 1] = out[up + i + 1] + row;
    }
  }
  return out;
}

function lightBodies(
  L: Float32Array,
  A: Float32Array,
  B: Float32Array,
  inside: Uint8Array,
  bw: number,
  bh: number,
  unit: number,
  skin: Lab,
  bg: Lab | null,
  res: Float32Array,
  corner: (i: number, j: number) => number[],
): LightBody[] {
  const N = bw * bh,
    T = (bw + 1) * (bh + 1);
  const [sL, sA, sB] = skin;
  const sC = hyp(sA, sB);
  const sum = integral(scratch('lSum', f64, T), bw, bh, L, inside);
  const cnt = integral(scratch('lCnt', i32, T), bw, bh, inside);
  const h = Math.max(3, Math.round(unit * LIGHT_BOX)),
    r = Math.max(1, Math.round(unit * LIGHT_ERODE));
  const light = scratch('lOn', u8, N).fill(0);
  const w = bw + 1;
  for (let j = 0; j < bh; j++) {
    // The window's rows and columns, clipped to the grid (integral-image offsets).
    const top = Math.max(0, j - h) * w,
      bottom = (Math.min(bh - 1, j + h) + 1) * w;
    for (let i = 0; i < bw; i++) {
      const k = j * bw + i;
      if (!inside[k]) continue;
      const l = L[k];
      const left = Math.max(0, i - h),
        right = Math.min(bw - 1, i + h) + 1;
      const n = cnt[bottom + right] - cnt[top + right] - cnt[bottom + left] + cnt[top + left];
      const m = (sum[bottom + right] - sum[top + right] - sum[bottom + left] + sum[top + left]) / n;
      if (l < m + LIGHT_LOCAL) continue;
      const skinLike = hyp(A[k] - sA, B[k] - sB) < 10 && l > sL - 40 && l < sL + 25 && hyp(A[k], B[k]) >= 0.5 * sC;
      // The background seen between curls or strands (a mix of it with the hair) is not an object either.
      if (!skinLike && !(bg && hyp(l - bg[0], A[k] - bg[1], B[k] - bg[2]) < 12)) light[k] = 1;
    }
  }
  // Erosion by the (2r+1)² square, separably: a run of 2r+1 light cells along the row, then down the column.
  const span = 2 * r + 1;
  const across = scratch('lAcross', u8, N).fill(0);
  for (let j = 0; j < bh; j++) {
    let run = 0;
    for (let i = 0, k = j * bw; i < bw; i++, k++) {
      run = light[k] ? run + 1 : 0;
      if (run >= span) across[k - r] = 1;
    }
  }
  const core = scratch('lCore', u8, N).fill(0);
  const down = scratch('lDown', i32, bw).fill(0);
  for (let j = 0; j < bh; j++) {
    for (let i = 0, k = j * bw; i < bw; i++, k++) {
      down[i] = across[k] ? down[i] + 1 : 0;
      if (down[i] >= span) core[k - r * bw] = 1;
    }
  }
  const coreI = integral(scratch('lCoreI', i32, T), bw, bh, core);
  const stack = scratch('sStack', i32, N);
  const bodies: LightBody[] = [];
  const e = r + 4;
  for (let s = 0; s < N; s++) {
    if (core[s] !== 1) continue;
    core[s] = 2;
    const { top, i0, i1, j0, j1 } = flood(s, bw, N, stack, (q) => {
      if (core[q] !== 1) return false;
      core[q] = 2;
      return true;
    });
    // Too small to reach the smallest body reported (a core of w × h grows to (w + 2r) × (h + 2r)).
    if ((i1 - i0 + 1 + 2 * r) * (j1 - j0 + 1 + 2 * r) < 0.01 * unit * unit) continue;
    // Median residual over the core (stones or a logo on a clip raise a few cells; strands raise them all).
    const cr = scratch('lRes', f32, top);
    for (let h = 0; h < top; h++) cr[h] = res[stack[h]];
    const texture = select(cr, top >> 1);
    let n = 0,
      sl = 0,
      rl = 0,
      rn = 0,
      out = 0;
    for (let j = j0 - e; j <= j1 + e; j++) {
      for (let i = i0 - e; i <= i1 + e; i++) {
        if (i < 0 || j < 0 || i >= bw || j >= bh) continue;
        const k = j * bw + i;
        if (boxSum(coreI, bw, bh, i - r, j - r, i + r, j + r) > 0) {
          n++;
          sl += L[k];
        } else if (
          boxSum(coreI, bw, bh, i - r - 1, j - r - 1, i + r + 1, j + r + 1) === 0 &&
          boxSum(coreI, bw, bh, i - e, j - e, i + e, j + e) > 0
        ) {
          if (!inside[k]) out++;
          else {
            rl += L[k];
            rn++;
          }
        }
      }
    }
    const cs = [corner(i0 - r, j0 - r), corner(i1 + r, j0 - r), corner(i0 - r, j1 + r), corner(i1 + r, j1 + r)];
    bodies.push({
      area: n / (unit * unit),
      lightness: sl / n,
      step: rn ? sl / n - rl / rn : 0,
      open: out / (out + rn || 1),
      texture,
      u0: Math.min(...cs.map((c) => c[0])),
      u1: Math.max(...cs.map((c) => c[0])),
      v0: Math.min(...cs.map((c) => c[1])),
      v1: Math.max(...cs.map((c) => c[1])),
    });
  }
  return bodies.sort((p, q) => q.area - p.area);
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
  return memo(a, 'rules.crown.smooth', () => {
    const F = faceFrame(a);
    const W = a.img.width,
      H = a.img.height,
      data = a.img.data;
    const o = F.at(0, 0),
      ex = F.at(1, 0);
    const cx = (ex[0] - o[0]) / F.ipd,
      cy = (ex[1] - o[1]) / F.ipd;
    const topV = (a.headTop.y - o[1]) / F.ipd;
    const v0 = topV - 0.05,
      v1 = F.uv(10)[1] + 0.15,
      uMax = 1.15;
    const corners = [F.at(-uMax, v0), F.at(uMax, v0), F.at(-uMax, v1), F.at(uMax, v1)];
    // Pixel step: 1 on the 480×640 frame (IPD ≈ 116), 2 from IPD 225 on (a source of twice the scale).
    const G = Math.max(1, Math.round(F.ipd / 150));
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])))),
      y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))));
    const x1 = Math.min(W - 1, Math.ceil(Math.max(...corners.map((p) => p[0])))),
      y1 = Math.min(H - 1, Math.ceil(Math.max(...corners.map((p) => p[1]))));
    const bw = Math.max(0, Math.floor((x1 - x0) / G) + 1),
      bh = Math.max(0, Math.floor((y1 - y0) / G) + 1);
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
  });
}
