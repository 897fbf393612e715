/**
 * Stroke pulses (水印笔画检测) for `watermark`: marks lying on the person (face, hair, clothing) as well as
 * on the background, found by the shape of their strokes rather than by their colour against the background.
 *
 * An overlaid text or logo — opaque or semi-transparent (out = (1 − α)·p + α·C) — changes the pixels
 * under each stroke by the same affine map, so along any line crossing a stroke the luminance makes a
 * *box pulse*: a sharp step (rendered edges are anti-aliased over 1–2 px, JPEG keeps luma sharp), a
 * plateau that follows the surface underneath, and a sharp step back to the level it left, on a surface
 * that is smooth on both sides. Skin shading, lips, nostrils and folds of cloth change over several pixels
 * (not sharp); hair and stubble are textured (no smooth surround, no plateau); a catchlight or a mole is a
 * pulse along rows and columns but a lone one. Text is a compact cluster of such pulses along rows
 * (vertical strokes) AND columns (horizontal strokes): a tile is suspicious when it holds enough of both.
 *
 * The caller leaves out a band along the person's outline (the matte edge, flyaway hair against the
 * background), where a real photo has sharp thin lines of its own.
 */
import type { RawImage } from '../types.js';

/** Minimum 2-px luminance step of a stroke edge (0–255). */
export const STROKE_STEP = 6;
/** Widest stroke measured (px at 480×640; a 160-px CJK character's strokes are ≈ 14 px). */
export const STROKE_MAX_WIDTH = 32;
/** The surround on each side may change by at most this share of the step over 1 px (smooth surface). */
const SURROUND_TOL = 0.3;
/**
 * A lighter pulse on a surface darker than this (luminance, both sides) is a strand of hair catching the
 * light over the dark hair underneath, not a mark: a semi-transparent mark, even white, over black cloth
 * is rare, and over black hair it is hidden by the hair's texture anyway. Luminance only.
 * hivision-test1 with a blue background: the long strands over the dark hair beside the neck measured 7
 * strokes per window without it, ≤ 4 with it.
 */
export const DARK_SURFACE = 30;
/** The levels on the two sides of a pulse differ by at most this share of the step (a box, not a stair). */
const SIDE_TOL = 0.5;
/** A wide pulse's edge: the 2-px step is at least this share of the 4-px change (sharp, not shading). */
const SHARPNESS = 0.7;

export interface StrokeTiles {
  /** Tile size (px of the picture scanned). */
  size: number;
  cols: number;
  rows: number;
  /** Per tile: pulses found along rows (vertical strokes) and along columns (horizontal strokes). */
  alongRows: Uint16Array;
  alongCols: Uint16Array;
  /** Per tile: strokes starting there (chains of pulses), along rows and along columns. */
  strokesAlongRows: Uint16Array;
  strokesAlongCols: Uint16Array;
}

/**
 * The signals strokes are looked for in: Rec. 601 luminance, and (R − B)/2 + 128 — a grey or white mark
 * over skin changes its warmth more than its brightness.
 */
export function strokeSignals(img: RawImage): Uint8Array[] {
  const { width: w, height: h, data: d } = img;
  const y = new Uint8Array(w * h),
    c = new Uint8Array(w * h);
  for (let i = 0, j = 0; i < w * h; i++, j += 3) {
    y[i] = (d[j] * 77 + d[j + 1] * 150 + d[j + 2] * 29) >> 8;
    c[i] = (d[j] - d[j + 2] + 256) >> 1;
  }
  return [y, c];
}

/**
 * Box pulses along one line of `s` (start index `base`, `step` between samples, `n` samples); calls
 * marks each pulse's middle in `wid` with ±(width + 1) (+: brighter than the surround). `skip` (same indexing as `s`) marks samples that
 * must not be part of a pulse or its surround; a lighter pulse with both sides below `dark` is left out
 * (DARK_SURFACE on luminance).
 */
function linePulses(
  s: Uint8Array,
  skip: Uint8Array | null,
  base: number,
  step: number,
  n: number,
  minStep: number,
  maxWidth: number,
  dark: number,
  wid: Int8Array,
  peaks: Int32Array,
  peakD: Int16Array,
  list: number[],
): void {
  // Signed peaks of the centred difference d[i] = s[i+1] − s[i−1], in order along the line.
  let np = 0;
  let dm1 = 0,
    d0 = s[base + 2 * step] - s[base];
  for (let i = 1; i < n - 2; i++) {
    const d1 = s[base + (i + 2) * step] - s[base + i * step];
    const absD = d0 < 0 ? -d0 : d0;
    if (absD >= minStep >> 1 && (d0 > 0 ? d0 >= dm1 && d0 > d1 : d0 <= dm1 && d0 < d1)) {
      peaks[np] = i;
      peakD[np++] = d0;
      // A pulse ends here: a strong peak of the other sign within maxWidth, with no peak between them
      // stronger than half the weaker of the two steps (the plateau holds no edge of its own).
      if (absD >= minStep && i + 3 < n) {
        let inner = 0;
        for (let k = np - 2; k >= 0 && inner * 2 < absD; k--) {
          const p = peaks[k],
            dp = peakD[k];
          if (i - p > maxWidth || p < 3) break;
          const absP = dp < 0 ? -dp : dp;
          if (
            dp > 0 !== d0 > 0 &&
            absP >= minStep &&
            inner * 2 <= absP &&
            isPulse(s, skip, base, step, p, i, dp, d0, dark)
          ) {
            const at = base + ((p + i) >> 1) * step;
            if (!wid[at]) {
              wid[at] = (dp > 0 ? 1 : -1) * Math.min(127, i - p + 1);
              list.push(at);
            }
            break;
          }
          if (absP > inner) inner = absP;
        }
      }
    }
    dm1 = d0;
    d0 = d1;
  }
}

function isPulse(
  s: Uint8Array,
  skip: Uint8Array | null,
  base: number,
  step: number,
  p: number,
  q: number,
  dp: number,
  dq: number,
  dark: number,
): boolean {
  if (skip && (skip[base + (p - 3) * step] || skip[base + (q + 3) * step] || skip[base + ((p + q) >> 1) * step]))
    return false;
  const c = Math.min(Math.abs(dp), Math.abs(dq));
  const L = s[base + (p - 2) * step],
    R = s[base + (q + 2) * step];
  // Smooth surround on both sides.
  if (
    Math.abs(L - s[base + (p - 3) * step]) > SURROUND_TOL * c ||
    Math.abs(s[base + (q + 3) * step] - R) > SURROUND_TOL * c
  )
    return false;
  const sign = dp > 0 ? 1 : -1;
  // A light strand lying over dark hair: the surface on both sides is near black.
  if (sign > 0 && L < dark && R < dark) return false;
  const wide = q - p >= 4;
  // A narrow pulse returns to the level it left (a box, not a stair with ringing).
  if (!wide && Math.abs(L - R) > SIDE_TOL * c) return false;
  // The plateau lies on the stroke's side of the surface (the line from L to R) by half the step.
  for (let i = p + 1; i < q; i++) {
    const v = s[base + i * step];
    const under = L + ((R - L) * (i - p + 2)) / (q - p + 4);
    if ((v - under) * sign < 0.5 * c) return false;
  }
  if (wide) {
    // Sharp edges: each 2-px step is most of the 4-px change around it (shading changes over more).
    if (
      Math.abs(dp) < SHARPNESS * Math.abs(s[base + (p + 2) * step] - L) ||
      Math.abs(dq) < SHARPNESS * Math.abs(R - s[base + (q - 2) * step])
    )
      return false;
  }
  return true;
}

/** A stroke: pulses in at least this many consecutive lines, each within CHAIN_SHIFT px of the last, of similar width. */
export const MIN_CHAIN = 6;
const CHAIN_SHIFT = 2;
const CHAIN_WIDTH_TOL = 2;

/**
 * Box pulses along the rows of the w×h signals (each row of every signal in turn; a pulse already found
 * in an earlier signal is kept), then only those continuing over MIN_CHAIN consecutive rows (a stroke,
 * not a speck): `keep(i, start)` for each, i its middle, `start` for the first pulse of a stroke.
 */
function rowStrokes(
  signals: Uint8Array[],
  skip: Uint8Array | null,
  w: number,
  h: number,
  minStep: number,
  maxWidth: number,
  keep: (i: number, start: boolean) => void,
): void {
  const wid = new Int8Array(w * h);
  const peaks = new Int32Array(w),
    peakD = new Int16Array(w);
  const list: number[] = [];
  for (let r = 0; r < h; r++) {
    for (let k = 0; k < signals.length; k++) {
      const dark = k === 0 ? DARK_SURFACE : 0;
      linePulses(signals[k], skip, r * w, 1, w, minStep, maxWidth, dark, wid, peaks, peakD, list);
    }
  }
  // Run lengths up and down through the rows: a pulse continues one within CHAIN_SHIFT px in the next row
  // with the same polarity and a width within CHAIN_WIDTH_TOL.
  const up = new Uint8Array(w * h),
    down = new Uint8Array(w * h);
  const run = (i: number, next: number, len: Uint8Array) => {
    let best = 0;
    const v = wid[i],
      x = i % w;
    for (let d = -CHAIN_SHIFT; d <= CHAIN_SHIFT; d++) {
      if (x + d < 0 || x + d >= w) continue;
      const j = next + d,
        u = wid[j];
      if (u !== 0 && u > 0 === v > 0 && Math.abs(u - v) <= CHAIN_WIDTH_TOL && len[j] > best) best = len[j];
    }
    return best;
  };
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    up[i] = Math.min(255, 1 + (i >= w ? run(i, i - w, up) : 0));
  }
  for (let k = list.length - 1; k >= 0; k--) {
    const i = list[k];
    down[i] = Math.min(255, 1 + (i + w < w * h ? run(i, i + w, down) : 0));
  }
  for (const i of list) if (up[i] + down[i] - 1 >= MIN_CHAIN) keep(i, up[i] === 1);
}

function transpose(src: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0, i = 0; y < h; y++) for (let x = 0; x < w; x++, i++) out[x * h + y] = src[i];
  return out;
}

/**
 * Count stroke pulses per tile of `size` px over the picture (signals w×h: luminance, a chroma channel),
 * along rows and along columns, leaving out the samples marked in `skip`.
 */
export function strokeTiles(
  signals: Uint8Array[],
  w: number,
  h: number,
  skip: Uint8Array | null,
  size: number,
  scale: number,
  onHit?: (i: number, alongRows: boolean) => void,
): StrokeTiles {
  const cols = Math.ceil(w / size),
    rows = Math.ceil(h / size);
  const alongRows = new Uint16Array(cols * rows),
    alongCols = new Uint16Array(cols * rows);
  const strokesAlongRows = new Uint16Array(cols * rows),
    strokesAlongCols = new Uint16Array(cols * rows);
  const maxWidth = Math.max(4, Math.round(STROKE_MAX_WIDTH * scale));
  rowStrokes(signals, skip, w, h, STROKE_STEP, maxWidth, (i, start) => {
    const x = i % w,
      y = (i / w) | 0;
    const t = ((y / size) | 0) * cols + ((x / size) | 0);
    alongRows[t]++;
    if (start) strokesAlongRows[t]++;
    onHit?.(i, true);
  });
  // Columns: the rows of the transposed picture (h wide, w high).
  rowStrokes(
    signals.map((s) => transpose(s, w, h)),
    skip && transpose(skip, w, h),
    h,
    w,
    STROKE_STEP,
    maxWidth,
    (i, start) => {
      const y = i % h,
        x = (i / h) | 0;
      const t = ((y / size) | 0) * cols + ((x / size) | 0);
      alongCols[t]++;
      if (start) strokesAlongCols[t]++;
      onHit?.(y * w + x, false);
    },
  );
  return { size, cols, rows, alongRows, alongCols, strokesAlongRows, strokesAlongCols };
}
