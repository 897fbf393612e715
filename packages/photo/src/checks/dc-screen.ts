/**
 * Screening on the DC picture (1/8 缩略图预筛): decide from the 1/8-scale picture and the per-block AC
 * activity of the luma blocks whether the full-resolution border and watermark measures can find anything.
 *
 * - Border: a frame, line or band parallel to an edge changes the mean (DC) of the edge blocks against the
 *   blocks further in, or — a thin line inside a block — raises the AC activity of the blocks along the
 *   edge. When neither is seen along enough of any edge, the full-resolution measure cannot find a step.
 * - Watermark: text or patterns are edges, which raise the AC activity of the blocks they cross (or
 *   change the DC between neighbouring blocks). When every block of the background regions is flat, the
 *   full-resolution stroke detector has no edge pixel to count.
 * Screening only ever sends a photo to the full measure; it never decides a fail on its own.
 */
import type { DcImage } from '../jpeg/dc.js';

/** AC activity (sum of |de-quantised AC|, luma) above which a block is not flat. */
export const FLAT_ACTIVITY = 160;
/**
 * DC step (any channel, 0–255) between neighbouring edge lines of blocks that may be a band's edge: a sharp
 * step of more than 32 (the full measure's) inside a block changes one of the two neighbouring DC pairs by > 16.
 */
const EDGE_DC_STEP = 14;
/** DC luma step between neighbouring background blocks that may hide an edge. */
const BG_DC_STEP = 24;
/** Share of an edge that must show a DC step or active blocks to send the photo to the full measure. */
const EDGE_SHARE = 0.35;
/** A line of edge blocks is uniform when this share is within ±UNIFORM_TOL of its median (looser than the full measure). */
const UNIFORM_TOL = 32;
const UNIFORM_SHARE = 0.7;
/** A block further than this (any channel) from the background colour belongs to the foreground. */
const FG_DIFF = 30;

function lumaAt(d: Uint8Array, i: number): number {
  return (d[i * 3] * 77 + d[i * 3 + 1] * 150 + d[i * 3 + 2] * 29) >> 8;
}

/** Median of one channel of line `depth` along an edge (histogram). */
function lineMedian(data: Uint8Array, idx: Int32Array, len: number, c: number, hist: Uint16Array): number {
  hist.fill(0);
  for (let a = 0; a < len; a++) hist[data[idx[a] * 3 + c]]++;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc * 2 > len) return v;
  }
  return 255;
}

/** Does any edge show something that may be a frame, line or band (within 12 % of the picture)? */
export function borderSuspect(dc: DcImage): boolean {
  const { width: w, height: h, data, activity } = dc;
  const hist = new Uint16Array(256);
  const cur = new Int32Array(Math.max(w, h));
  const next = new Int32Array(Math.max(w, h));
  const fillLine = (out: Int32Array, edge: number, depth: number, len: number): void => {
    for (let a = 0; a < len; a++) {
      out[a] = edge === 0 ? depth * w + a : edge === 1 ? (h - 1 - depth) * w + a : edge === 2 ? a * w + depth : a * w + (w - 1 - depth);
    }
  };
  for (let edge = 0; edge < 4; edge++) {
    const len = edge < 2 ? w : h;
    const span = edge < 2 ? h : w;
    // The full measure reads lines up to floor(12 % of the picture's span) + 1 from the edge: block lines
    // up to that one's block, compared with the next one in.
    const spanPx = edge < 2 ? dc.fullHeight : dc.fullWidth;
    const maxDepth = Math.min(span - 2, (Math.floor(spanPx * 0.12) + 1) >> 3);
    for (let depth = 0; depth <= maxDepth; depth++) {
      fillLine(cur, edge, depth, len);
      fillLine(next, edge, depth + 1, len);
      // A step inside this block line (a frame or band ending in it) makes its blocks active or changes
      // their mean against the next line in.
      let steps = 0, active = 0;
      for (let a = 0; a < len; a++) {
        const i = cur[a] * 3, j = next[a] * 3;
        const dd = Math.max(Math.abs(data[i] - data[j]), Math.abs(data[i + 1] - data[j + 1]), Math.abs(data[i + 2] - data[j + 2]));
        if (dd > EDGE_DC_STEP) steps++;
        if (activity[cur[a]] > FLAT_ACTIVITY) active++;
      }
      if (steps >= len * EDGE_SHARE || active >= len * EDGE_SHARE) return true;
      // The full measure stops at the first line that is not uniform along the edge: a band reaching beyond
      // this block line would make it uniform (its mean the band's colour).
      const m0 = lineMedian(data, cur, len, 0, hist), m1 = lineMedian(data, cur, len, 1, hist), m2 = lineMedian(data, cur, len, 2, hist);
      let near = 0;
      for (let a = 0; a < len; a++) {
        const i = cur[a] * 3;
        if (Math.abs(data[i] - m0) <= UNIFORM_TOL && Math.abs(data[i + 1] - m1) <= UNIFORM_TOL && Math.abs(data[i + 2] - m2) <= UNIFORM_TOL) near++;
      }
      if (near < len * UNIFORM_SHARE) break;
    }
  }
  return false;
}

/** Per-channel median colour of the blocks [bx0, bx1) × [by0, by1) of the DC picture. */
export function medianColour(dc: DcImage, bx0: number, bx1: number, by0: number, by1: number): [number, number, number] {
  const hist = new Uint32Array(768);
  let n = 0;
  for (let by = by0; by < by1; by++) {
    for (let bx = bx0, i = (by * dc.width + bx0) * 3; bx < bx1; bx++, i += 3, n++) {
      hist[dc.data[i]]++;
      hist[256 + dc.data[i + 1]]++;
      hist[512 + dc.data[i + 2]]++;
    }
  }
  const out: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    let acc = 0;
    let v = 0;
    for (; v < 255; v++) {
      acc += hist[c * 256 + v];
      if (acc * 2 > n) break;
    }
    out[c] = v;
  }
  return out;
}

/** The watermark regions (see watermark.ts, strips and whole frame) in block coordinates, one block wider each way. */
function backgroundBlocks(dc: DcImage): [number, number, number, number][] {
  const W = dc.fullWidth, H = dc.fullHeight;
  const m = Math.max(1, Math.round(W * 0.02));
  const top = Math.round(H * 0.07);
  const boxes: [number, number, number, number][] = [
    [m, W - m, m, top],
    [m, Math.round(W * 0.17), top, Math.round(H * 0.45)],
    [Math.round(W * 0.83), W - m, top, Math.round(H * 0.45)],
    // The whole frame (watermark.ts scanFloatingMarks): marks floating anywhere on the background.
    [m, W - m, m, H],
  ];
  return boxes.map(([x0, x1, y0, y1]) => [
    Math.max(0, Math.floor(x0 / 8) - 1), Math.min(dc.width, Math.ceil(x1 / 8) + 1),
    Math.max(0, Math.floor(y0 / 8) - 1), Math.min(dc.height, Math.ceil(y1 / 8) + 1),
  ]);
}

/**
 * Do two blocks of the background regions, close enough to share a 32×32 tile, hold an edge (AC activity,
 * or a DC step to a neighbour) not connected to the side the person comes in from? (Mirrors the full
 * measure's person mask, per block; a single edge block cannot make a tile suspicious.)
 */
export function backgroundSuspect(dc: DcImage): boolean {
  const { width: w, data, activity } = dc;
  const boxes = backgroundBlocks(dc);
  // Background colour: median of the top box.
  const [tx0, tx1, ty0, ty1] = boxes[0];
  const bg = medianColour(dc, tx0, tx1, ty0, ty1);
  const attach: ('left' | 'right' | 'bottom')[][] = [['bottom'], ['right', 'bottom'], ['left', 'bottom'], ['bottom']];
  for (const [r, [bx0, bx1, by0, by1]] of boxes.entries()) {
    const rw = bx1 - bx0, rh = by1 - by0;
    if (rw <= 0 || rh <= 0) continue;
    const edge = new Uint8Array(rw * rh), fg = new Uint8Array(rw * rh);
    for (let yy = 0, k = 0; yy < rh; yy++) {
      for (let xx = 0; xx < rw; xx++, k++) {
        const i = (by0 + yy) * w + bx0 + xx;
        const l = lumaAt(data, i);
        let e = activity[i] > FLAT_ACTIVITY;
        if (xx + 1 < rw && Math.abs(lumaAt(data, i + 1) - l) > BG_DC_STEP) e = true;
        if (yy + 1 < rh && Math.abs(lumaAt(data, i + w) - l) > BG_DC_STEP) e = true;
        edge[k] = e ? 1 : 0;
        if (e || Math.abs(data[i * 3] - bg[0]) > FG_DIFF || Math.abs(data[i * 3 + 1] - bg[1]) > FG_DIFF || Math.abs(data[i * 3 + 2] - bg[2]) > FG_DIFF) fg[k] = 1;
      }
    }
    const person = new Uint8Array(rw * rh);
    const stack: number[] = [];
    const seed = (k: number) => {
      if (fg[k] && !person[k]) {
        person[k] = 1;
        stack.push(k);
      }
    };
    for (const side of attach[r]) {
      if (side === 'bottom') for (let xx = 0; xx < rw; xx++) seed((rh - 1) * rw + xx);
      else for (let yy = 0; yy < rh; yy++) seed(yy * rw + (side === 'left' ? 0 : rw - 1));
    }
    while (stack.length) {
      const k = stack.pop()!;
      const xx = k % rw;
      if (xx > 0) seed(k - 1);
      if (xx < rw - 1) seed(k + 1);
      if (k >= rw) seed(k - rw);
      if (k + rw < rw * rh) seed(k + rw);
    }
    // A suspicious 32×32 tile needs ≥ 1.6 edge runs per row (≥ 51 runs); one 8×8 block holds at most
    // 8 rows × 4 runs = 32, so at least two edge blocks within the 5×5 blocks a tile can touch.
    const lone: number[] = [];
    for (let k = 0; k < edge.length; k++) {
      if (!edge[k] || person[k]) continue;
      const x = k % rw, y = (k / rw) | 0;
      for (const o of lone) if (Math.abs((o % rw) - x) <= 4 && Math.abs(((o / rw) | 0) - y) <= 4) return true;
      lone.push(k);
    }
  }
  return false;
}
