/**
 * `watermark`: no watermark, text or pattern added. 水印
 *
 * What is measured: the background regions that are plain in a compliant photo — the strip above the
 * highest allowed head top (the top 7 % of the frame) and the two upper side strips beside the head
 * (outer 17 % of the width, from 7 % to 45 % of the height). They are cut into tiles of about 32×32 px;
 * in each tile the luminance gradient |dx|+|dy| is thresholded (> 40) and we count, per row, how many
 * separate edge runs it crosses. Text and patterns give many short runs per row (strokes); a plain
 * background gives none. Pixels of the person are left out first: everything that differs from the
 * background colour (the median of the top strip) and is connected to the side the head, hair or
 * shoulders come in from — so hair reaching into a strip is not taken for text, while text floating on
 * the background is measured.
 * Marks anywhere (see `scanFloatingMarks`): the whole frame is also searched, with low thresholds, for
 * marks floating on the background — semi-transparent text, tiled patterns, logos — beside and between
 * the parts that cross the person.
 * Marks on the person (see `scanStrokes`, watermark-strokes.ts): over the whole frame but a band along the
 * person's outline, text strokes are found by their shape — sharp-edged box pulses of a constant width on a
 * smooth surface, continuing over ≥ 6 lines — in the luminance and in R − B, so a stamp or a word lying
 * wholly on the face, the hair or the shirt is measured too, opaque or semi-transparent. A 64-px window
 * with ≥ STROKE_WINDOW_MIN strokes (along rows and along columns) is suspicious.
 * On the fast --no-face path (DC picture only, when the screen finds nothing for the full measure) marks
 * wholly on the person are not measured, and the message says so.
 * Suspicious tiles give `review` with their place; nothing is failed on this measure alone. When less than
 * 40 % of the regions is plain background (cluttered background, a face far too large), nothing meaningful
 * could be measured and the result is `review`, never a silent pass.
 */
import { type CheckContext, result, skipped } from './context.js';
import type { DcImage } from '../jpeg/dc.js';
import { medianColour as dcMedianColour } from './dc-screen.js';
import type { CheckResult, RawImage } from '../types.js';
import { strokeSignals, strokeTiles, type StrokeTiles } from './watermark-strokes.js';
import { placeOf, placed } from '../place.js';

const GRAD = 40;
/** A pixel further than this (any channel) from the background colour is foreground. */
const FG_DIFF = 30;
/** Mean edge runs per row in a tile above which the tile looks like text or a pattern. */
const RUNS_PER_ROW = 1.6;
/** Minimum share of edge pixels in such a tile. */
const MIN_EDGE_SHARE = 0.03;
/** Below this share of plain background in the regions, nothing meaningful was measured → review. */
const MIN_PLAIN_SHARE = 0.4;

interface Region {
  name: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  /** Sides through which the person (hair, head, shoulders) may enter the region. */
  attach: ('left' | 'right' | 'bottom')[];
}

export interface WatermarkTile {
  region: string;
  /** Tile box in the picture's own pixels. */
  x: number;
  y: number;
  size: number;
  runsPerRow: number;
  edgeShare: number;
}

/** Luminance inside the regions (and one pixel beyond, for the gradient); elsewhere left 0. */
function luma(img: RawImage, regions: Region[]): Uint8Array {
  const { width: w, height: h, data: d } = img;
  const out = new Uint8Array(w * h);
  for (const r of regions) {
    const x1 = Math.min(w, r.x1 + 1);
    for (let y = r.y0; y < Math.min(h, r.y1 + 1); y++) {
      for (let i = y * w + r.x0, j = i * 3, e = y * w + x1; i < e; i++, j += 3)
        out[i] = (d[j] * 77 + d[j + 1] * 150 + d[j + 2] * 29) >> 8;
    }
  }
  return out;
}

/** Median colour of a box (the background reference). */
function medianColour(img: RawImage, x0: number, x1: number, y0: number, y1: number): [number, number, number] {
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let n = 0;
  for (let y = y0; y < y1; y += 2) {
    for (let x = x0; x < x1; x += 2) {
      const i = (y * img.width + x) * 3;
      hist[0][img.data[i]]++;
      hist[1][img.data[i + 1]]++;
      hist[2][img.data[i + 2]]++;
      n++;
    }
  }
  return hist.map((h) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += h[v];
      if (acc * 2 >= n) return v;
    }
    return 255;
  }) as [number, number, number];
}

/** The pixels of a 0/1 mask (w×h) connected (4-neighbours) to the given sides of the box. */
function connectedToSides(
  mask: Uint8Array,
  rw: number,
  rh: number,
  sides: readonly ('left' | 'right' | 'bottom')[],
): Uint8Array {
  const out = new Uint8Array(rw * rh);
  const stack = new Int32Array(rw * rh);
  let sp = 0;
  const seed = (k: number) => {
    if (mask[k] && !out[k]) {
      out[k] = 1;
      stack[sp++] = k;
    }
  };
  for (const side of sides) {
    if (side === 'bottom') for (let xx = 0; xx < rw; xx++) seed((rh - 1) * rw + xx);
    else for (let yy = 0; yy < rh; yy++) seed(yy * rw + (side === 'left' ? 0 : rw - 1));
  }
  const n = rw * rh;
  while (sp > 0) {
    const k = stack[--sp];
    const xx = k % rw;
    if (xx > 0) seed(k - 1);
    if (xx < rw - 1) seed(k + 1);
    if (k >= rw) seed(k - rw);
    if (k + rw < n) seed(k + rw);
  }
  return out;
}

/**
 * For one region: `edge` marks pixels whose luminance gradient |dx|+|dy| exceeds GRAD; `person` marks
 * everything that differs from the background (colour or edge) and is connected to a side the person
 * enters from. Both are region-local (index (y − y0)·rw + (x − x0)).
 */
function regionMasks(
  img: RawImage,
  y: Uint8Array,
  r: Region,
  bg: [number, number, number],
): { edge: Uint8Array; person: Uint8Array; plain: number } {
  const w = img.width;
  const rw = r.x1 - r.x0;
  const rh = r.y1 - r.y0;
  const edge = new Uint8Array(rw * rh);
  const fg = new Uint8Array(rw * rh);
  const d = img.data;
  for (let yy = 0, k = 0; yy < rh; yy++) {
    let gi = (r.y0 + yy) * w + r.x0;
    for (let xx = 0; xx < rw; xx++, k++, gi++) {
      const g = Math.abs(y[gi + 1] - y[gi]) + Math.abs(y[gi + w] - y[gi]);
      if (g > GRAD) {
        edge[k] = 1;
        fg[k] = 1;
        continue;
      }
      const i = gi * 3;
      if (
        Math.abs(d[i] - bg[0]) > FG_DIFF ||
        Math.abs(d[i + 1] - bg[1]) > FG_DIFF ||
        Math.abs(d[i + 2] - bg[2]) > FG_DIFF
      )
        fg[k] = 1;
    }
  }
  let plain = 0;
  for (let k = 0; k < fg.length; k++) if (!fg[k]) plain++;
  const person = connectedToSides(fg, rw, rh, r.attach);
  return { edge, person, plain };
}

/** The background regions measured, in pixels of a w×h picture. */
function watermarkRegions(w: number, h: number): Region[] {
  const m = Math.max(1, Math.round(w * 0.02));
  const top = Math.round(h * 0.07);
  return [
    { name: '顶部', x0: m, x1: w - m, y0: m, y1: top, attach: ['bottom'] },
    { name: '左上侧', x0: m, x1: Math.round(w * 0.17), y0: top, y1: Math.round(h * 0.45), attach: ['right', 'bottom'] },
    {
      name: '右上侧',
      x0: Math.round(w * 0.83),
      x1: w - m,
      y0: top,
      y1: Math.round(h * 0.45),
      attach: ['left', 'bottom'],
    },
  ];
}

/**
 * The same measure for a photo whose background regions screened flat on the DC picture (no block with
 * AC activity or a DC step outside the person, see dc-screen.ts): no edge pixel, so no suspicious tile;
 * the tile count follows from the geometry and the plain share is measured on the 1/8 picture's blocks.
 */
export function scanFlatBackground(dc: DcImage): { tiles: number; suspicious: WatermarkTile[]; plainShare: number } {
  const { fullWidth: w, fullHeight: h } = dc;
  const regions = watermarkRegions(w, h);
  const r0 = regions[0];
  const bx = (x: number) => Math.min(dc.width - 1, x >> 3);
  const by = (y: number) => Math.min(dc.height - 1, y >> 3);
  // Background colour: median of the top strip's blocks.
  const bg = dcMedianColour(dc, bx(r0.x0), bx(r0.x1 - 1) + 1, by(r0.y0), by(r0.y1 - 1) + 1);
  let tiles = 0,
    plain = 0,
    total = 0;
  const t = 32;
  for (const r of regions) {
    if (r.x1 - r.x0 < 4 || r.y1 - r.y0 < 4) continue;
    // Each block counts for the region pixels it covers.
    for (let y = r.y0; y < r.y1; y = ((y >> 3) + 1) << 3) {
      const rows = Math.min(r.y1, ((y >> 3) + 1) << 3) - y;
      const row = by(y) * dc.width;
      for (let x = r.x0; x < r.x1; x = ((x >> 3) + 1) << 3) {
        const n = rows * (Math.min(r.x1, ((x >> 3) + 1) << 3) - x);
        const i = (row + bx(x)) * 3;
        total += n;
        if (
          Math.abs(dc.data[i] - bg[0]) <= FG_DIFF &&
          Math.abs(dc.data[i + 1] - bg[1]) <= FG_DIFF &&
          Math.abs(dc.data[i + 2] - bg[2]) <= FG_DIFF
        )
          plain += n;
      }
    }
    for (let ty = r.y0; ty + t / 2 <= r.y1; ty += t) {
      for (let tx = r.x0; tx + t / 2 <= r.x1; tx += t) {
        if (Math.min(tx + t, r.x1, w - 1) > tx && Math.min(ty + t, r.y1, h - 1) > ty) tiles++;
      }
    }
  }
  return { tiles, suspicious: [], plainShare: total ? plain / total : 0 };
}

/** Scan the plain-background regions; return every tile and the suspicious ones. */
export function scanBackgroundTiles(
  img: RawImage,
  scale: number,
): { tiles: number; suspicious: WatermarkTile[]; plainShare: number } {
  const { width: w, height: h } = img;
  const regions = watermarkRegions(w, h);
  const m = regions[0].x0,
    top = regions[0].y1;
  const y = luma(img, regions);
  const bg = medianColour(img, m, w - m, m, top);
  const t = Math.max(8, Math.round(32 * scale));
  const suspicious: WatermarkTile[] = [];
  let tiles = 0;
  let plain = 0;
  let total = 0;
  for (const r of regions) {
    if (r.x1 - r.x0 < 4 || r.y1 - r.y0 < 4) continue;
    const masks = regionMasks(img, y, r, bg);
    const { edge, person } = masks;
    plain += masks.plain;
    total += (r.x1 - r.x0) * (r.y1 - r.y0);
    const rw = r.x1 - r.x0;
    for (let ty = r.y0; ty + t / 2 <= r.y1; ty += t) {
      for (let tx = r.x0; tx + t / 2 <= r.x1; tx += t) {
        const xe = Math.min(tx + t, r.x1, w - 1);
        const ye = Math.min(ty + t, r.y1, h - 1);
        let runs = 0;
        let edges = 0;
        let rows = 0;
        let px = 0;
        for (let yy = ty; yy < ye; yy++) {
          let prev = false;
          const prow = (yy - r.y0) * rw - r.x0;
          for (let xx = tx; xx < xe; xx++) {
            const e = edge[prow + xx] === 1 && person[prow + xx] === 0;
            if (e) {
              edges++;
              if (!prev) runs++;
            }
            prev = e;
            px++;
          }
          rows++;
        }
        if (!rows || !px) continue;
        tiles++;
        const runsPerRow = runs / rows;
        const edgeShare = edges / px;
        if (runsPerRow >= RUNS_PER_ROW && edgeShare >= MIN_EDGE_SHARE) {
          suspicious.push({
            region: r.name,
            x: Math.round(tx / scale),
            y: Math.round(ty / scale),
            size: Math.round(t / scale),
            runsPerRow: Math.round(runsPerRow * 100) / 100,
            edgeShare: Math.round(edgeShare * 1000) / 1000,
          });
        }
      }
    }
  }
  return { tiles, suspicious, plainShare: total ? plain / total : 0 };
}

/** Faint marks (whole frame): a pixel this far (any channel) from the background colour is not background. */
const FAINT_DIFF = 12;
/** A tile of floating marks looks like text or a logo from this many runs per row and this share of marks. */
const FAINT_RUNS_PER_ROW = 0.7;
const FAINT_MIN_SHARE = 0.04;
const FAINT_MAX_SHARE = 0.6;

/** Growth (px) of the person: JPEG ringing and chroma bleeding beside the outline (8×8 / 16×16 blocks). */
const PERSON_HALO = 10;

/** A thick part this large (share of the frame) is the person even when it does not reach the bottom. */
const MIN_BODY_SHARE = 0.015;

/** Add to `keep` every 4-connected part of `mask` not yet in it with at least `minSize` pixels. */
function keepLargeParts(mask: Uint8Array, keep: Uint8Array, w: number, h: number, minSize: number): void {
  const n = w * h;
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const part = new Int32Array(n);
  for (let start = 0; start < n; start++) {
    if (!mask[start] || keep[start] || seen[start]) continue;
    let sp = 0,
      size = 0;
    seen[start] = 1;
    stack[sp++] = start;
    while (sp > 0) {
      const k = stack[--sp];
      part[size++] = k;
      const x = k % w;
      const visit = (j: number) => {
        if (mask[j] && !keep[j] && !seen[j]) {
          seen[j] = 1;
          stack[sp++] = j;
        }
      };
      if (x > 0) visit(k - 1);
      if (x < w - 1) visit(k + 1);
      if (k >= w) visit(k - w);
      if (k + w < n) visit(k + w);
    }
    if (size >= minSize) for (let i = 0; i < size; i++) keep[part[i]] = 1;
  }
}

/** Separable running min/max over ±r along rows (`horizontal`) or columns of a 0/1 mask (window counts). */
function boxFilter(
  src: Uint8Array,
  w: number,
  h: number,
  r: number,
  horizontal: boolean,
  op: 'min' | 'max',
): Uint8Array {
  const out = new Uint8Array(w * h);
  const len = horizontal ? w : h,
    lines = horizontal ? h : w;
  const step = horizontal ? 1 : w,
    lineStep = horizontal ? w : 1;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStep;
    // Ones in the window [k − r, k + r] ∩ [0, len): min needs all of them set (outside counts as unset
    // for max, as set for min so the picture's edge does not erode), max needs one.
    let ones = 0;
    for (let k = 0; k < Math.min(len, r); k++) ones += src[base + k * step];
    for (let k = 0; k < len; k++) {
      if (k + r < len) ones += src[base + (k + r) * step];
      if (k - r - 1 >= 0) ones -= src[base + (k - r - 1) * step];
      const inWindow = Math.min(len - 1, k + r) - Math.max(0, k - r) + 1;
      out[base + k * step] = op === 'min' ? (ones === inWindow ? 1 : 0) : ones > 0 ? 1 : 0;
    }
  }
  return out;
}

/** The frame scanned for floating marks, its foreground and the person (see `scanFloatingMarks`). */
export interface PersonParts {
  bg: [number, number, number];
  /** The scanned box [x0, x0 + rw) × [y0, y0 + rh) of the picture; the masks below are box-local. */
  x0: number;
  y0: number;
  rw: number;
  rh: number;
  /** Differs from the background colour by more than FAINT_DIFF. */
  fg: Uint8Array;
  /** The foreground connected to the bottom edge or large, not grown. */
  reached: Uint8Array;
  /** `reached` grown by PERSON_HALO. */
  person: Uint8Array;
}

export function personParts(img: RawImage, scale: number): PersonParts {
  const { width: w, height: h, data: d } = img;
  const m = Math.max(1, Math.round(w * 0.02));
  const top = Math.round(h * 0.07);
  const bg = medianColour(img, m, w - m, m, top);
  const x0 = m,
    x1 = w - m,
    y0 = m,
    y1 = h;
  const rw = x1 - x0,
    rh = y1 - y0;
  const fg = new Uint8Array(rw * rh);
  for (let yy = 0, k = 0; yy < rh; yy++) {
    const y = y0 + yy;
    for (let xx = 0; xx < rw; xx++, k++) {
      const i = (y * w + x0 + xx) * 3;
      if (
        Math.abs(d[i] - bg[0]) > FAINT_DIFF ||
        Math.abs(d[i + 1] - bg[1]) > FAINT_DIFF ||
        Math.abs(d[i + 2] - bg[2]) > FAINT_DIFF
      )
        fg[k] = 1;
    }
  }
  // The person: the foreground connected to the bottom edge, and any other part of at least MIN_BODY_SHARE
  // of the frame (a head the neck does not join to the body), grown by PERSON_HALO px (JPEG ringing). Marks
  // touching the person count as the person (flyaway hair looks like strokes); letters apart from it do not.
  const reached = connectedToSides(fg, rw, rh, ['bottom']);
  keepLargeParts(fg, reached, rw, rh, Math.round(rw * rh * MIN_BODY_SHARE));
  const grow = Math.max(2, Math.round(PERSON_HALO * scale));
  const person = boxFilter(boxFilter(reached, rw, rh, grow, true, 'max'), rw, rh, grow, false, 'max');
  return { bg, x0, y0, rw, rh, fg, reached, person };
}

/**
 * Marks anywhere on the background (水印：整幅画面): over the whole frame, every pixel that differs from the
 * background colour (median of the top strip) by more than FAINT_DIFF is foreground (no gradient test: JPEG
 * ringing beside the hair would pass one). The foreground connected to the bottom edge, or any part of at
 * least MIN_BODY_SHARE of the frame, grown by PERSON_HALO, is the person (body, neck, head, hair) and is left
 * out. What remains floats on the background: semi-transparent text, tiled patterns, logos and stamps — the
 * letters apart from the person; letters touching it count as the person (so does flyaway hair). A 32×32 tile is
 * suspicious when its floating marks form strokes (≥ FAINT_RUNS_PER_ROW runs per row) and cover
 * FAINT_MIN_SHARE–FAINT_MAX_SHARE of it.
 */
export function scanFloatingMarks(
  img: RawImage,
  scale: number,
  parts: PersonParts = personParts(img, scale),
): { tiles: number; suspicious: WatermarkTile[] } {
  const { x0, y0, rw, rh, fg, person } = parts;
  const t = Math.max(8, Math.round(32 * scale));
  const suspicious: WatermarkTile[] = [];
  let tiles = 0;
  for (let ty = 0; ty + t / 2 <= rh; ty += t) {
    for (let tx = 0; tx + t / 2 <= rw; tx += t) {
      const xe = Math.min(tx + t, rw),
        ye = Math.min(ty + t, rh);
      let runs = 0,
        marks = 0,
        px = 0,
        personPx = 0;
      for (let yy = ty; yy < ye; yy++) {
        let prev = false;
        for (let xx = tx; xx < xe; xx++) {
          const k = yy * rw + xx;
          const mk = fg[k] === 1 && person[k] === 0;
          if (mk) {
            marks++;
            if (!prev) runs++;
          }
          if (person[k]) personPx++;
          prev = mk;
          px++;
        }
      }
      tiles++;
      const rows = ye - ty;
      const share = marks / px;
      if (personPx > px * 0.85) continue;
      if (runs / rows >= FAINT_RUNS_PER_ROW && share >= FAINT_MIN_SHARE && share <= FAINT_MAX_SHARE) {
        suspicious.push({
          region: '画面',
          x: Math.round((x0 + tx) / scale),
          y: Math.round((y0 + ty) / scale),
          size: Math.round(t / scale),
          runsPerRow: Math.round((runs / rows) * 100) / 100,
          edgeShare: Math.round(share * 1000) / 1000,
        });
      }
    }
  }
  return { tiles, suspicious };
}

/** Band (px at 480×640) inside the person's outline left out of the stroke scan: the matte edge, hair ends. */
const OUTLINE_BAND = 6;

/**
 * Stroke pulses per tile over the whole frame (watermark-strokes.ts) but a band along the person's outline:
 * OUTLINE_BAND px inside it, PERSON_HALO px outside (flyaway hair, the matte's edge, JPEG ringing).
 */
export function strokeTilesOf(
  img: RawImage,
  scale: number,
  parts: PersonParts,
  onHit?: (i: number, alongRows: boolean) => void,
): StrokeTiles {
  const { width: w, height: h } = img;
  const { x0, y0, rw, rh, reached, person } = parts;
  const r = Math.max(2, Math.round(OUTLINE_BAND * scale));
  const core = boxFilter(boxFilter(reached, rw, rh, r, true, 'min'), rw, rh, r, false, 'min');
  const skip = new Uint8Array(w * h).fill(1);
  for (let yy = 0; yy < rh; yy++) {
    for (let xx = 0, k = yy * rw, i = (y0 + yy) * w + x0; xx < rw; xx++, k++, i++)
      skip[i] = person[k] && !core[k] ? 1 : 0;
  }
  return strokeTiles(strokeSignals(img), w, h, skip, Math.max(8, Math.round(32 * scale)), scale, onHit);
}

/** A 64×64 window (2×2 tiles) with this many strokes, along rows and columns together (both at least one), looks like text. */
export const STROKE_WINDOW_MIN = 6;

/**
 * Marks on the person as well as on the background, by their strokes (watermark-strokes.ts): every 2×2-tile
 * window holding STROKE_WINDOW_MIN strokes or more, at least one along rows and one along columns. Set on
 * the eval's London frames: compliant (light-blue background) ≤ 5 on all 59 (one measured 6 — hair strands,
 * curls, an eyelid crease — until light strands over dark hair were left out, see DARK_SURFACE), the same frames on their grey studio
 * background ≤ 5; a stamp or a word over the face or the shirt ≥ 6 on 57 of the 59 variants (the misses
 * are two logo rings lying mostly on the hair, whose texture hides the edges). JPEG q70 blurs faint edges:
 * 38 of 59 then.
 */
export function scanStrokes(
  img: RawImage,
  scale: number,
  parts: PersonParts,
): { windows: number; maxStrokes: number; suspicious: WatermarkTile[] } {
  const st = strokeTilesOf(img, scale, parts);
  const { cols, rows, strokesAlongRows: a, strokesAlongCols: b, size } = st;
  const suspicious: WatermarkTile[] = [];
  let windows = 0,
    maxStrokes = 0;
  for (let ty = 0; ty + 1 < rows; ty++) {
    for (let tx = 0; tx + 1 < cols; tx++, windows++) {
      const k = ty * cols + tx;
      const alongRows = a[k] + a[k + 1] + a[k + cols] + a[k + cols + 1];
      const alongCols = b[k] + b[k + 1] + b[k + cols] + b[k + cols + 1];
      if (!alongRows || !alongCols) continue;
      const n = alongRows + alongCols;
      if (n > maxStrokes) maxStrokes = n;
      if (n >= STROKE_WINDOW_MIN) {
        suspicious.push({
          region: '笔画',
          x: Math.round((tx * size) / scale),
          y: Math.round((ty * size) / scale),
          size: Math.round((2 * size) / scale),
          runsPerRow: n,
          edgeShare: 0,
        });
      }
    }
  }
  return { windows, maxStrokes, suspicious };
}

export function checkWatermark(ctx: CheckContext): CheckResult {
  const img = ctx.pixels;
  if (!img && !ctx.dc) return skipped('watermark', ctx.noPixelsReason ?? '图像无法解码');
  const strips = img ? scanBackgroundTiles(img, ctx.pixelScale) : scanFlatBackground(ctx.dc!);
  const parts = img ? personParts(img, ctx.pixelScale) : null;
  const floating = img ? scanFloatingMarks(img, ctx.pixelScale, parts!) : { tiles: 0, suspicious: [] };
  const strokes = img ? scanStrokes(img, ctx.pixelScale, parts!) : null;
  const { tiles, plainShare } = strips;
  // One stray floating tile is noise (a speck, a hair end); marks need two tiles.
  // On a background that is not plain (cluttered, see MIN_PLAIN_SHARE) floating marks and strokes mean nothing.
  const plain = plainShare >= MIN_PLAIN_SHARE;
  const floats = floating.suspicious.length >= 2 && plain ? floating.suspicious : [];
  const strokeTiles = strokes && plain ? strokes.suspicious : [];
  const suspicious = [...strips.suspicious, ...floats, ...strokeTiles];
  const maxStrokes = strokes?.maxStrokes ?? 0;
  const measured = img
    ? `检查了整幅画面中浮在背景上的文字、图案和标志（含半透明，${floating.tiles} 个小块）、顶部和两侧上方背景 ${tiles} 个小块，以及整幅画面（含脸部、头发和衣服）上的文字笔画（${strokes!.windows} 个 64 像素窗口，每窗最多 ${maxStrokes} 笔，${STROKE_WINDOW_MIN} 笔起疑）`
    : `快速筛查：在 1/8 DC 图上筛查了整幅画面中不与人像相连的纹理，顶部和两侧上方背景 ${tiles} 个小块无文字状纹理；完全落在人像（脸部、衣服）上的水印在快速筛查中未测，需完整检查`;
  const value = { tiles, suspicious: suspicious.length, strokes: maxStrokes };
  const limit = { suspicious: 0, strokes: STROKE_WINDOW_MIN - 1 };
  if (suspicious.length) {
    const byRegion = new Map<string, WatermarkTile[]>();
    for (const s of suspicious) byRegion.set(s.region, [...(byRegion.get(s.region) ?? []), s]);
    const where = [...byRegion]
      .map(([name, ts]) => {
        const x0 = Math.min(...ts.map((s) => s.x)),
          x1 = Math.max(...ts.map((s) => s.x + s.size));
        const y0 = Math.min(...ts.map((s) => s.y)),
          y1 = Math.max(...ts.map((s) => s.y + s.size));
        const label =
          name === '笔画'
            ? `文字笔画（最多 ${Math.max(...ts.map((s) => s.runsPerRow))} 笔／窗口，限 ${STROKE_WINDOW_MIN - 1}）`
            : name;
        return `${label}（x ${x0}–${x1}，y ${y0}–${y1}）`;
      })
      .join('、');
    const r = result(
      'watermark',
      'review',
      value,
      limit,
      `疑似水印、文字或图案：${where}，共 ${suspicious.length} 处（${measured}）`,
      `请人工查看所标位置是否有水印、文字或图标（包括脸上和衣服上的半透明字样）；若有，请用无水印的原图重新制作`,
      'WATERMARK_SUSPECT',
    );
    // All the suspicious tiles in one box, for the overlay.
    return placed(
      r,
      placeOf(
        suspicious.flatMap((t) => [
          [t.x, t.y],
          [t.x + t.size, t.y + t.size],
        ]),
      ),
    );
  }
  const plainPct = Math.round(plainShare * 100);
  if (plainShare < MIN_PLAIN_SHARE) {
    return result(
      'watermark',
      'review',
      { ...value, plainShare: plainPct },
      limit,
      `无法判断有无水印：顶部和两侧上方应为纯色背景的区域只有 ${plainPct}% 是纯色（要求至少 ${Math.round(MIN_PLAIN_SHARE * 100)}%），背景杂乱或人像过大`,
      '请人工查看照片有无水印、文字或图案，并检查背景是否为纯色',
      'WATERMARK_UNMEASURED',
    );
  }
  return result(
    'watermark',
    'pass',
    { ...value, plainShare: plainPct },
    limit,
    `未发现水印或文字（${measured}；纯色背景占 ${plainPct}%）`,
  );
}
