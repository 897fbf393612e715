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
import { f32, i32, u8 } from '../work-buffers.js';
import { hyp, scratch } from './grid.js';

export const DOT_RING = 0.04;
export const DOT_MAX_AREA = 0.004;
export const SPARKLE_L = 75;
export const SPARKLE_CONTRAST = 25;
export const SPARKLE_MIN_AREA = 0.0005;
export const SPARKLE_DOTS = 4;
export const SPARKLE_CROWD = 2;

/** A dot in grid coordinates (i, j), its area (grid px), peak contrast and mean lightness. */
export interface Dot {
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
export function sparkleDots(L: Float32Array, inside: Uint8Array, bw: number, bh: number, unit: number): Dot[] {
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
export function sparkleRow(dots: Dot[], unit: number): Dot[] | null {
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
