/**
 * The crown's shared grid work (头顶网格工具): one pool of work buffers for every crown measure (they run one after
 * the other within a photo and share some buffers, the flood-fill stack among them), CIELAB without allocation,
 * selection, 4-connected flood fill and integral images over a bw × bh grid of cells.
 */
import type { FaceAnalysis } from '../../analysis.js';
import { faceFrame } from '../frame.js';
import { f32, workBuffers } from '../work-buffers.js';

/** The crown measures' work buffers (see work-buffers.ts). */
export const scratch = workBuffers();

/** `src` copied into the scratch buffer `name` (for `select`, which reorders what it is given). */
export function copyInto(name: string, src: Float32Array): Float32Array {
  const buf = scratch(name, f32, src.length);
  buf.set(src);
  return buf;
}

export const hyp = (x: number, y: number, z = 0) => Math.sqrt(x * x + y * y + z * z);

/** sRGB → linear light, and CIELAB written into `out` (no allocation: the crown has ~25k pixels). */
const LIN = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LIN[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
export function labInto(
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

/**
 * 4-connected flood fill from cell s (already taken) over the cells `take` accepts (and marks): the members are
 * stack[0, top), with their box in grid cells.
 */
export function flood(s: number, bw: number, N: number, stack: Int32Array, take: (q: number) => boolean) {
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
export function boxSum(
  S: Float64Array | Int32Array,
  bw: number,
  bh: number,
  i0: number,
  j0: number,
  i1: number,
  j1: number,
) {
  i0 = Math.max(0, i0);
  j0 = Math.max(0, j0);
  i1 = Math.min(bw - 1, i1);
  j1 = Math.min(bh - 1, j1);
  if (i1 < i0 || j1 < j0) return 0;
  const w = bw + 1;
  return S[(j1 + 1) * w + i1 + 1] - S[j0 * w + i1 + 1] - S[(j1 + 1) * w + i0] + S[j0 * w + i0];
}

/** Integral image of the bw × bh cells `v` (weighted by `on` when given) into `out` ((bw+1) × (bh+1)). */
export function integral<T extends Float64Array | Int32Array>(
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

/** Half-width of the crown region, in IPD (|u| ≤ this). */
export const CROWN_U = 1.15;

/**
 * The crown region of every crown measure (头顶区域): |u| ≤ `CROWN_U` IPD, from just above the head top (v − 0.05) to
 * a little below the mesh's forehead top (v + 0.15), in the face frame; its pixel box clipped to the picture, and a
 * grid of `G` px over it (bw × bh cells, cell (i, j) at pixel (x0 + i·G, y0 + j·G)). `cellsPerIpd` sets G ≈ IPD / it.
 * `cx`, `cy`: the unit u axis in the picture, `o` the frame's origin (for pixel → (u, v)).
 */
export function crownGrid(a: FaceAnalysis, cellsPerIpd: number) {
  const F = faceFrame(a);
  const W = a.img.width,
    H = a.img.height;
  const o = F.at(0, 0),
    ex = F.at(1, 0);
  const cx = (ex[0] - o[0]) / F.ipd,
    cy = (ex[1] - o[1]) / F.ipd;
  const topV = (a.headTop.y - o[1]) / F.ipd;
  const v0 = topV - 0.05,
    v1 = F.uv(10)[1] + 0.15;
  const corners = [F.at(-CROWN_U, v0), F.at(CROWN_U, v0), F.at(-CROWN_U, v1), F.at(CROWN_U, v1)];
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0])))),
    x1 = Math.min(W - 1, Math.ceil(Math.max(...corners.map((p) => p[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1])))),
    y1 = Math.min(H - 1, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  const G = Math.max(1, Math.round(F.ipd / cellsPerIpd));
  const bw = Math.max(0, Math.floor((x1 - x0) / G) + 1),
    bh = Math.max(0, Math.floor((y1 - y0) / G) + 1);
  return { F, o, cx, cy, topV, v0, v1, x0, x1, y0, y1, G, bw, bh };
}
