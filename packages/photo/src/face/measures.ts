/**
 * Pixel measures on the shared analysis (像素测量): each is a native value computed once and memoised,
 * used by the checks (OFIQ style: measure → value; the check maps it against the profile's limit).
 */
import { LAB_MEMO, deltaE2000, hypot2, hypot3, labSlot, medianRgb, rgbToLab } from './colour.js';
import { MESH, dist, faceWidthOf, memo, pt, pupils, type FaceAnalysis } from './analysis.js';
import type { Point } from './geometry.js';

/** Pixel indices of a square patch centred on (cx, cy) with half-size r (clamped to the picture). */
export function patch(a: FaceAnalysis, cx: number, cy: number, r: number, step = 1): number[] {
  const { width: W, height: H } = a.img;
  const out: number[] = [];
  const x0 = Math.max(0, Math.round(cx - r)),
    x1 = Math.min(W - 1, Math.round(cx + r));
  const y0 = Math.max(0, Math.round(cy - r)),
    y1 = Math.min(H - 1, Math.round(cy + r));
  for (let y = y0; y <= y1; y += step) for (let x = x0; x <= x1; x += step) out.push(y * W + x);
  return out;
}

/** Grey level at (x, y), bilinear (clamped to the picture). */
export function greyAt(a: FaceAnalysis, x: number, y: number): number {
  const { width: W, height: H, data } = a.img;
  const xi = Math.max(0, Math.min(W - 2, Math.floor(x))),
    yi = Math.max(0, Math.min(H - 2, Math.floor(y)));
  const fx = Math.max(0, Math.min(1, x - xi)),
    fy = Math.max(0, Math.min(1, y - yi));
  const p = (yi * W + xi) * 3,
    q = p + W * 3;
  return (
    (luma(data, p) * (1 - fx) + luma(data, p + 3) * fx) * (1 - fy) +
    (luma(data, q) * (1 - fx) + luma(data, q + 3) * fx) * fy
  );
}

/** Grey level of the pixel at byte offset p. */
function luma(data: Uint8Array, p: number): number {
  return 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
}

/**
 * Resample a face-aligned patch into a canonical grid where the inter-pupil distance is `ipdPx` pixels.
 * (u, v) in IPD units relative to `origin`, along and across the pupil line.
 */
function canonicalPatch(
  a: FaceAnalysis,
  origin: Point,
  u0: number,
  v0: number,
  u1: number,
  v1: number,
  ipdPx = 96,
): { w: number; h: number; g: Float32Array } {
  const face = a.face!;
  const [l, r] = pupils(face);
  const ipd = dist(l, r) || 1;
  const ex: Point = [(r[0] - l[0]) / ipd, (r[1] - l[1]) / ipd];
  const ey: Point = [-ex[1], ex[0]];
  const w = Math.max(4, Math.round((u1 - u0) * ipdPx)),
    h = Math.max(4, Math.round((v1 - v0) * ipdPx));
  const g = new Float32Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const u = (u0 + i / ipdPx) * ipd,
        v = (v0 + j / ipdPx) * ipd;
      g[j * w + i] = greyAt(a, origin[0] + u * ex[0] + v * ey[0], origin[1] + u * ex[1] + v * ey[1]);
    }
  }
  return { w, h, g };
}

/** Ratio of Laplacian energy to the patch's variance: high-frequency share, contrast-independent. */
function highFrequency(p: { w: number; h: number; g: Float32Array }): number {
  const { w, h, g } = p;
  let s = 0,
    s2 = 0,
    n = 0,
    lap2 = 0,
    m = 0;
  for (let j = 1; j < h - 1; j++) {
    for (let i = 1; i < w - 1; i++) {
      const c = g[j * w + i];
      const lap = 4 * c - g[j * w + i - 1] - g[j * w + i + 1] - g[(j - 1) * w + i] - g[(j + 1) * w + i];
      lap2 += lap * lap;
      m++;
      s += c;
      s2 += c * c;
      n++;
    }
  }
  const variance = s2 / n - (s / n) ** 2;
  return lap2 / m / (variance + 4);
}

/** sharpness: high-frequency share of the eye region at a canonical scale (IPD = 96 px). */
export function eyeSharpness(a: FaceAnalysis): number {
  return memo(a, 'sharpness', () => computeEyeSharpness(a));
}

function computeEyeSharpness(a: FaceAnalysis): number {
  const [l] = pupils(a.face!);
  return highFrequency(canonicalPatch(a, l, -0.5, -0.3, 1.5, 0.3));
}

/** retouch: skin texture (high-frequency share) of both cheeks at canonical scale. */
export function skinTexture(a: FaceAnalysis): number {
  return memo(a, 'skin', () => computeSkinTexture(a));
}

function computeSkinTexture(a: FaceAnalysis): number {
  const f = a.face!;
  const vals = [pt(f, MESH.cheekLeft), pt(f, MESH.cheekRight)].map((c) =>
    highFrequency(canonicalPatch(a, c, -0.12, -0.12, 0.12, 0.12, 192)),
  );
  return (vals[0] + vals[1]) / 2;
}

function medianOf(values: Float64Array): number {
  if (values.length === 0) return NaN;
  return values.sort()[values.length >> 1];
}

function lightnessOf(a: FaceAnalysis, idx: number[]): Float64Array {
  const d = a.img.data;
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    out[k] = LAB_MEMO[labSlot(d[i * 3], d[i * 3 + 1], d[i * 3 + 2])];
  }
  return out;
}

/** exposure: face lightness, cheek balance, clipping and the whole photo's highlights. */
export function exposureMeasures(a: FaceAnalysis): {
  faceL: number;
  leftL: number;
  rightL: number;
  halfLit: number;
  clipped: number;
  highlight: number;
} {
  return memo(a, 'exposure', () => computeExposureMeasures(a));
}

function computeExposureMeasures(a: FaceAnalysis): ReturnType<typeof exposureMeasures> {
  const f = a.face!;
  const r = Math.max(2, a.ipd * 0.12);
  const cl = pt(f, MESH.cheekLeft),
    cr = pt(f, MESH.cheekRight),
    fh = pt(f, MESH.forehead);
  const left = patch(a, cl[0], cl[1], r),
    right = patch(a, cr[0], cr[1], r),
    fore = patch(a, fh[0], fh[1], r);
  const leftL = medianOf(lightnessOf(a, left)),
    rightL = medianOf(lightnessOf(a, right));
  const all = [...left, ...right, ...fore];
  const faceL = medianOf(lightnessOf(a, all));
  const d = a.img.data;
  let clipped = 0;
  for (const i of all) if (d[i * 3] >= 250 && d[i * 3 + 1] >= 250 && d[i * 3 + 2] >= 250) clipped++;
  // 99th percentile of the whole photo's lightness on a sparse grid.
  const hist = new Uint32Array(101);
  let n = 0;
  for (let p = 0; p < a.img.width * a.img.height; p += 23) {
    hist[Math.max(0, Math.min(100, Math.round(LAB_MEMO[labSlot(d[p * 3], d[p * 3 + 1], d[p * 3 + 2])])))]++;
    n++;
  }
  let acc = 0,
    highlight = 100;
  for (let v = 100; v >= 0; v--) {
    acc += hist[v];
    if (acc >= n * 0.01) {
      highlight = v;
      break;
    }
  }
  return {
    faceL,
    leftL,
    rightL,
    halfLit: Math.abs(leftL - rightL),
    clipped: all.length ? clipped / all.length : 0,
    highlight,
  };
}

/** Median of one channel's histogram over `count` values (as `medianRgb`). */
function histMedian(h: Uint32Array, count: number): number {
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += h[v];
    if (acc * 2 >= count) return v;
  }
  return 255;
}

/** Count pixel p (byte offset) into half h's channel histograms. */
function putHalf(hist: Uint32Array, count: Uint32Array, d: Uint8Array, h: number, p: number): void {
  count[h]++;
  hist[h * 768 + d[p]]++;
  hist[h * 768 + 256 + d[p + 1]]++;
  hist[h * 768 + 512 + d[p + 2]]++;
}

/** Median background colour and spread (background.colour, background.uniform). */
export function backgroundMeasures(a: FaceAnalysis): {
  share: number;
  rgb: [number, number, number] | null;
  spread: number;
  gradient: number;
} {
  return memo(a, 'background', () => computeBackgroundMeasures(a));
}

function computeBackgroundMeasures(a: FaceAnalysis): ReturnType<typeof backgroundMeasures> {
  const all = a.background;
  const share = (all.length * 4) / (a.img.width * a.img.height);
  // A regular subsample is plenty for medians and percentiles.
  const stride = Math.max(1, Math.floor(all.length / 5000));
  let bg = all;
  if (stride > 1) {
    bg = new Uint32Array(Math.ceil(all.length / stride));
    for (let k = 0, j = 0; k < all.length; k += stride, j++) bg[j] = all[k];
  }
  const rgb = medianRgb(a.img.data, bg);
  if (!rgb) return { share, rgb: null, spread: NaN, gradient: NaN };
  const ref = rgbToLab(rgb[0], rgb[1], rgb[2]);
  const d = a.img.data;
  const step = Math.max(1, Math.floor(bg.length / 3000));
  const dists = new Float64Array(Math.ceil(bg.length / step));
  for (let k = 0, j = 0; k < bg.length; k += step, j++) {
    const p = bg[k] * 3;
    const c = labSlot(d[p], d[p + 1], d[p + 2]);
    dists[j] = hypot3(LAB_MEMO[c] - ref[0], LAB_MEMO[c + 1] - ref[1], LAB_MEMO[c + 2] - ref[2]);
  }
  dists.sort();
  const spread = dists[Math.floor(dists.length * 0.95)] ?? 0;
  // Gradient / shadow: compare halves (left/right, top/bottom) of the background — per-half channel
  // histograms in one pass (the halves hold < 10,000 pixels, so `medianRgb` would take every one).
  const W = a.img.width,
    H = a.img.height;
  const hist = new Uint32Array(4 * 3 * 256);
  const count = new Uint32Array(4);
  for (let k = 0; k < bg.length; k++) {
    const i = bg[k];
    const x = i % W,
      y = Math.floor(i / W);
    putHalf(hist, count, d, x < W / 2 ? 0 : 1, i * 3);
    putHalf(hist, count, d, y < H / 2 ? 2 : 3, i * 3);
  }
  const lab = (h: number) => {
    const m = [0, 1, 2].map((c) => histMedian(hist.subarray((h * 3 + c) * 256, (h * 3 + c + 1) * 256), count[h]));
    return rgbToLab(m[0], m[1], m[2]);
  };
  let gradient = 0;
  for (const [p, q] of [
    [0, 1],
    [2, 3],
  ] as const) {
    if (count[p] < 200 || count[q] < 200) continue;
    gradient = Math.max(gradient, deltaE2000(lab(p), lab(q)));
  }
  return { share, rgb, spread, gradient };
}

/** clothing.contrast: median colour of the clothing below the chin (person mask). */
export function clothingColour(a: FaceAnalysis): { rgb: [number, number, number] | null; pixels: number } {
  return memo(a, 'clothing', () => computeClothingColour(a));
}

function computeClothingColour(a: FaceAnalysis): { rgb: [number, number, number] | null; pixels: number } {
  const f = a.face!;
  if (!a.mask) return { rgb: null, pixels: 0 };
  const fw = faceWidthOf(f);
  const chin = pt(f, MESH.chin),
    nose = pt(f, MESH.noseTip);
  const { width: W, height: H } = a.img;
  const y0 = Math.max(0, Math.round(chin[1] + 0.45 * fw)),
    x0 = Math.max(0, Math.round(nose[0] - 0.9 * fw)),
    x1 = Math.min(W - 1, Math.round(nose[0] + 0.9 * fw));
  const idx = new Uint32Array(Math.max(0, Math.ceil((H - y0) / 2) * Math.ceil((x1 - x0 + 1) / 2)));
  let n = 0;
  for (let y = y0; y < H; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      if (a.mask.alpha[y * W + x] >= 200) idx[n++] = y * W + x;
    }
  }
  return { rgb: medianRgb(a.img.data, idx.subarray(0, n)), pixels: n * 4 };
}

/** expression: eye opening, mouth opening, teeth share and smile curvature. */
export function expressionMeasures(a: FaceAnalysis): {
  eyeOpening: number;
  mouthOpening: number;
  teeth: number;
  smile: number;
} {
  return memo(a, 'expression', () => computeExpressionMeasures(a));
}

function computeExpressionMeasures(a: FaceAnalysis): ReturnType<typeof expressionMeasures> {
  const f = a.face!;
  const eye = (e: { upper: number; lower: number; outer: number; inner: number }) =>
    dist(pt(f, e.upper), pt(f, e.lower)) / (dist(pt(f, e.outer), pt(f, e.inner)) || 1);
  const eyeOpening = Math.min(eye(MESH.eyeL), eye(MESH.eyeR));
  const ml = pt(f, MESH.mouthLeft),
    mr = pt(f, MESH.mouthRight);
  const mouthW = dist(ml, mr) || 1;
  const top = pt(f, MESH.lipInnerTop),
    bottom = pt(f, MESH.lipInnerBottom);
  const mouthOpening = dist(top, bottom) / mouthW;
  const centreY = (top[1] + bottom[1]) / 2;
  const smile = (centreY - (ml[1] + mr[1]) / 2) / mouthW;
  // Teeth: bright, low-saturation pixels inside the inner lip outline, compared with the face skin.
  const poly: Point[] = [
    ...MESH.lipsUpperInner.map((i) => pt(f, i)),
    ...[...MESH.lipsLowerInner].reverse().map((i) => pt(f, i)),
  ];
  const xs = poly.map((p) => p[0]),
    ys = poly.map((p) => p[1]);
  const W = a.img.width,
    d = a.img.data;
  const skinL = exposureMeasures(a).faceL;
  let inside = 0,
    teeth = 0;
  const x0 = Math.max(0, Math.floor(Math.min(...xs))),
    x1 = Math.min(W - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys))),
    y1 = Math.min(a.img.height - 1, Math.ceil(Math.max(...ys)));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!insidePolygon(x + 0.5, y + 0.5, poly)) continue;
      inside++;
      const p = (y * W + x) * 3;
      const c = labSlot(d[p], d[p + 1], d[p + 2]);
      const l = LAB_MEMO[c],
        aa = LAB_MEMO[c + 1],
        bb = LAB_MEMO[c + 2];
      if (aa < 10 && l > Math.max(45, skinL - 8) && hypot2(aa, bb) < 32) teeth++;
    }
  }
  // Share of the mouth's full area (mouth width × 0.25 mouth width) so a thin closed slit counts little.
  const teethShare = teeth / Math.max(inside, mouthW * mouthW * 0.25);
  return { eyeOpening, mouthOpening, teeth: teethShare, smile };
}

export function pointInPolygon(p: Point, poly: Point[]): boolean {
  return insidePolygon(p[0], p[1], poly);
}

function insidePolygon(px: number, py: number, poly: Point[]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const xi = poly[i][0],
      yi = poly[i][1],
      xj = poly[j][0],
      yj = poly[j][1];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}

/** Mean vertical gradient of a patch (horizontal edges: frame bars) relative to its mean brightness. */
function edgeEnergy(p: { w: number; h: number; g: Float32Array }): number {
  let s = 0,
    n = 0,
    mean = 0;
  for (let j = 1; j < p.h - 1; j++)
    for (let i = 0; i < p.w; i++) {
      s += Math.abs(p.g[(j + 1) * p.w + i] - p.g[(j - 1) * p.w + i]);
      mean += p.g[j * p.w + i];
      n++;
    }
  return n ? s / n / (mean / n + 10) : 0;
}

/** glasses: edge energy across the nose bridge and under the eyes (frames), and eye-region glare. */
export function glassesMeasures(a: FaceAnalysis): { bridge: number; rims: number; glare: number } {
  return memo(a, 'glasses', () => computeGlassesMeasures(a));
}

function computeGlassesMeasures(a: FaceAnalysis): { bridge: number; rims: number; glare: number } {
  const f = a.face!;
  const [l] = pupils(f);
  // Bridge: between the eyes, from slightly above to slightly below the pupil line.
  const bridge = edgeEnergy(canonicalPatch(a, l, 0.38, -0.2, 0.62, 0.1, 64));
  // Under each eye: where the lower rim of a frame runs.
  const rims =
    (edgeEnergy(canonicalPatch(a, l, -0.3, 0.3, 0.3, 0.5, 64)) +
      edgeEnergy(canonicalPatch(a, l, 0.7, 0.3, 1.3, 0.5, 64))) /
    2;
  // Glare: clipped pixels in the eye boxes outside the iris.
  const d = a.img.data,
    W = a.img.width;
  let clipped = 0,
    n = 0;
  const r = a.ipd * 0.3;
  for (const e of pupils(f)) {
    // The pixels of `patch(a, e[0], e[1], r)`, without the list.
    const x0 = Math.max(0, Math.round(e[0] - r)),
      x1 = Math.min(W - 1, Math.round(e[0] + r));
    const y0 = Math.max(0, Math.round(e[1] - r)),
      y1 = Math.min(a.img.height - 1, Math.round(e[1] + r));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (hypot2(x - e[0], y - e[1]) < a.ipd * 0.12) continue;
        const i = y * W + x;
        n++;
        if (d[i * 3] >= 250 && d[i * 3 + 1] >= 250 && d[i * 3 + 2] >= 250) clipped++;
      }
    }
  }
  return { bridge, rims, glare: n ? clipped / n : 0 };
}
