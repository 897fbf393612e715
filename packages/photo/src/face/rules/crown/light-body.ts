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
import type { Lab } from '../../colour.js';
import { f32, f64, i32, u8 } from '../work-buffers.js';
import { boxSum, flood, hyp, integral, scratch, select } from './grid.js';

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

export function lightBodies(
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
