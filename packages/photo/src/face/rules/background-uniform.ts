/**
 * 背景均匀（无阴影、无杂物、无他人）— background.uniform, measured everywhere in the background,
 * right up to the hair and the shoulders (seed 004: 背景不得含有阴影、其他人或物).
 *
 * Measures (on a 2-px grid of the frame, person mask from the shared analysis):
 * - `spread` / `gradient`: the whole background's 95th-percentile ΔE from its median, and the ΔE2000
 *   between its halves (broad shadows, gradients) — as before (`backgroundMeasures`).
 * - `patch`: the largest connected patch of background pixels that do not have the background's colour,
 *   as a share of the frame (objects, cast shadows, a leftover of an old background after replacement).
 *   Far from the person a pixel must match the background; in the band along the person's outline
 *   (hair strands, a soft edge) it may also be a mix of the background and a colour of the person — a
 *   leftover of green leaves beside dark hair is neither, so it still counts. A light grey wall the mask
 *   took in beside the jaw is within the palette's margin of a highlight on pale skin: a flat, light,
 *   colourless cell with no colour of the hair near it is a neutral leftover (`neutralLeftover`).
 * - `scatterArea`: the widest patch when off cells a cell or two apart above the chin are joined (a
 *   speckled object or leftover) — for review only.
 * - `others`: person-mask area not connected to the student, or touching a side edge above the
 *   chin (another person partly in the picture), share of the frame.
 * - `bump`: the largest bump on the outline beside the head or on a shoulder (a thing in the person's own
 *   colour that the mask took in) — review only.
 */
import type { CheckResult, PhotoLimits, Region } from '../../types.js';
import { rgbToLab, type Lab } from '../colour.js';
import { MESH, faceWidthOf, memo, pt, pupils, type FaceAnalysis } from '../analysis.js';
import { backgroundMeasures } from '../measures.js';
import { f32, f64, i32, u16, u8, workBuffers } from './work-buffers.js';

/** Thresholds of the local measures (calibrated on the London set and the eval variants). */
export const BACKGROUND_LOCAL = {
  /** ΔE76 from the background colour above which a background pixel is "not background". */
  maxDeltaE: 11,
  /** ΔE76 from the nearest background–person mix above which an outline pixel is "not background". */
  maxMixDeltaE: 9,
  /** ΔE76 to the nearest colour of the person's palette within which a rim pixel is the person. */
  maxPaletteDeltaE: 14,
  /** Width of the outline band where mixes are allowed, share of the frame width. */
  band: 0.06,
  /** Largest off-colour patch (share of the frame): weighted above → fail; its area above `reviewPatch` → review. */
  failPatch: 0.0025,
  reviewPatch: 0.0014,
  /** Other person / object area outside the student (share of the frame): above → fail. */
  failOthers: 0.004,
  /** Tile of the local palette (grid cells of 2 px) and how far around a place it is gathered (share of the width). */
  tile: 8,
  reach: 0.12,
  /** The local palette's mask is shrunk by this many grid cells (JPEG ringing and the mask's edge stay out). */
  innerCells: 3,
  /** ΔE76 within which neighbours count as the same colour (flat: shadow, veil, leftover). */
  flatDeltaE: 3,
  /** Bump on the outline (share of the face width) above which an object may touch the person → review. */
  reviewBump: 0.12,
  /** The same on a shoulder (both neighbours lower; a shoulder's own outline is smoother than hair). */
  reviewShoulderBump: 0.095,
  /**
   * The same beside the head below the ear lobes (`jawBelowNose`): there the hair hangs free and its ends
   * curl out (London 007: a curl at the mouth's height, 0.143); above the ears it follows the skull.
   */
  reviewFreeHairBump: 0.16,
  /** A patch that is only "not a colour of the person nearby" next to the person counts at 1/3 of its area. */
  unsureFactor: 3,
  /**
   * Beside the jaw — outside the face contour's widest points, from this far below the nose (share of the
   * face width; the ear lobes end about here) down to the chin — the person is hair: the mask's rim there
   * must be a colour of the hair (or a mix of it with the background), not of the skin. A light grey
   * leftover of an old background the mask took in beside the jaw is close to light skin (ΔE76 < 14).
   */
  jawBelowNose: 0.06,
  /** A neutral leftover in the rim (see `neutralLeftover`): L* at least, chroma C*ab at most, and no hair colour within this ΔE76. */
  neutralMinL: 55,
  neutralMaxChroma: 5,
  neutralHairDeltaE: 6,
};

export interface BackgroundUniformMeasures {
  spread: number;
  gradient: number;
  /** Largest off-colour background patch, share of the frame — weighted: a patch that is only unexplained
   * next to the person counts 1/`unsureFactor` (see BACKGROUND_LOCAL). */
  patch: number;
  /** That patch's true area, share of the frame. */
  patchArea: number;
  /** Where that patch is (centre, frame px), or null. */
  patchAt: [number, number] | null;
  /**
   * The widest patch (off cells a cell or two apart above the chin joined), share of the frame, and where;
   * `patchArea` when the off cells are too few to make one over the review size, or when that patch is over it.
   */
  scatterArea: number;
  scatterAt: [number, number] | null;
  /** Person-like area that is not the student, share of the frame. */
  others: number;
  /** Largest bump on the person's outline beside the head or on a shoulder, share of the face width. */
  bump: number;
  bumpAt: [number, number] | null;
}

/** Work buffers reused from photo to photo (see work-buffers.ts): ~3 MB of typed arrays a 480×640 photo. */
const scratch = workBuffers();

/**
 * Binary dilation / erosion of a grid by a square of half-size r (窗口裁到网格内). Dilation: any cell set in
 * the window; erosion: every cell of the window inside the grid set — the complement's dilation. On the
 * rows as bits (32 cells a word): the window over each row by shifted ORs, then over the rows by ORs of
 * whole words; ~10× faster than counting cell by cell.
 */
export function morph(src: Uint8Array, w: number, h: number, r: number, dilate: boolean, name: string): Uint8Array {
  const ww = (w + 31) >> 5;
  const bits = scratch('morphBits', i32, ww * h).fill(0),
    rows = scratch('morphRows', i32, ww * h),
    out = scratch(name, u8, w * h);
  // Dilation of the set cells, or (erosion) of the unset ones; cells beyond the grid are neither.
  for (let y = 0, i = 0; y < h; y++) {
    const base = y * ww;
    for (let x = 0; x < w; x++, i++) if ((src[i] !== 0) === dilate) bits[base + (x >> 5)] |= 1 << (x & 31);
  }
  // Along each row: OR of the row shifted by -r .. r cells.
  for (let y = 0; y < h; y++) {
    const base = y * ww;
    for (let j = 0; j < ww; j++) rows[base + j] = bits[base + j];
    for (let d = 1; d <= r; d++) {
      const q = d >> 5,
        s = d & 31;
      for (let j = 0; j < ww; j++) {
        // Cell x takes cell x - d (the row shifted up by d) and cell x + d (shifted down).
        const lo = j - q,
          hi = j + q;
        let up = 0,
          down = 0;
        if (lo >= 0)
          up = s ? (bits[base + lo] << s) | (lo > 0 ? bits[base + lo - 1] >>> (32 - s) : 0) : bits[base + lo];
        if (hi < ww)
          down = s ? (bits[base + hi] >>> s) | (hi + 1 < ww ? bits[base + hi + 1] << (32 - s) : 0) : bits[base + hi];
        rows[base + j] |= up | down;
      }
    }
  }
  // Across the rows (clipped to the grid), then back to one cell a byte (complemented for erosion).
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r),
      y1 = Math.min(h - 1, y + r);
    for (let j = 0; j < ww; j++) {
      let word = 0;
      for (let v = y0; v <= y1; v++) word |= rows[v * ww + j];
      const x0 = j << 5,
        x1 = Math.min(w, x0 + 32);
      for (let x = x0, i = y * w + x0; x < x1; x++, i++)
        out[i] = ((word >>> (x & 31)) & 1) === (dilate ? 1 : 0) ? 1 : 0;
    }
  }
  return out;
}

/** sRGB channel → linear light (the same table as colour.ts, so the grid's Lab equals `rgbToLab`'s). */
const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const labF = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);

/**
 * sRGB → Lab memo shared by every photo of the process (the conversion is a pure function of the 24-bit
 * colour): direct-mapped, 2^18 entries (4 MB); a 480×640 photo has 12–20 thousand distinct colours on the
 * 2-px grid and ~90 % of the cells hit.
 */
const LAB_BITS = 18;
const labTag = new Int32Array(1 << LAB_BITS).fill(-1);
const labMemo = new Float32Array(3 << LAB_BITS);

/** Lab of the 24-bit colour `rgb` into out[o..o+2] (float32, as the grid stores it). */
function labInto(rgb: number, out: Float32Array, o: number): void {
  const h = Math.imul(rgb, 0x9e3779b1) >>> (32 - LAB_BITS);
  if (labTag[h] !== rgb) {
    const R = LINEAR[rgb >>> 16],
      G = LINEAR[(rgb >>> 8) & 255],
      Bl = LINEAR[rgb & 255];
    const fx = labF((0.4124564 * R + 0.3575761 * G + 0.1804375 * Bl) / 0.95047);
    const fy = labF(0.2126729 * R + 0.7151522 * G + 0.072175 * Bl);
    const fz = labF((0.0193339 * R + 0.119192 * G + 0.9503041 * Bl) / 1.08883);
    labTag[h] = rgb;
    labMemo[h * 3] = 116 * fy - 16;
    labMemo[h * 3 + 1] = 500 * (fx - fy);
    labMemo[h * 3 + 2] = 200 * (fy - fz);
  }
  out[o] = labMemo[h * 3];
  out[o + 1] = labMemo[h * 3 + 1];
  out[o + 2] = labMemo[h * 3 + 2];
}

/** Squared ΔE76 between grid cell i of a packed Lab array and (c0, c1, c2). */
function dist2(lab: Float32Array, i: number, c0: number, c1: number, c2: number): number {
  const d0 = lab[i * 3] - c0,
    d1 = lab[i * 3 + 1] - c1,
    d2 = lab[i * 3 + 2] - c2;
  return d0 * d0 + d1 * d1 + d2 * d2;
}

/** Connected components (4-neighbour) of `on` cells; returns labels and the cell count per label. */
function components(on: Uint8Array, w: number, h: number, name: string): { label: Int32Array; sizes: number[] } {
  const label = scratch(name, i32, on.length).fill(-1);
  const sizes: number[] = [];
  const stack = scratch('stack', i32, on.length);
  for (let i = 0; i < on.length; i++) {
    if (!on[i] || label[i] >= 0) continue;
    const id = sizes.length;
    let n = 0,
      top = 0;
    label[i] = id;
    stack[top++] = i;
    while (top) {
      const j = stack[--top];
      n++;
      const x = j % w,
        y = (j - x) / w;
      if (x > 0 && on[j - 1] && label[j - 1] < 0) {
        label[j - 1] = id;
        stack[top++] = j - 1;
      }
      if (x < w - 1 && on[j + 1] && label[j + 1] < 0) {
        label[j + 1] = id;
        stack[top++] = j + 1;
      }
      if (y > 0 && on[j - w] && label[j - w] < 0) {
        label[j - w] = id;
        stack[top++] = j - w;
      }
      if (y < h - 1 && on[j + w] && label[j + w] < 0) {
        label[j + w] = id;
        stack[top++] = j + w;
      }
    }
    sizes.push(n);
  }
  return { label, sizes };
}

/**
 * Why a grid cell counts as off-colour (kept in the analysis cache as 'background.uniform.cells', a
 * Uint8Array on the 2-px grid, for overlays): in the mask's rim, far from the person, in the outline
 * band, a flat mix (shadow, veil) in the band, or a neutral leftover (`neutralLeftover`) and its edge.
 */
export const OFF = { rim: 1, far: 2, band: 3, flatMix: 4, neutral: 5 } as const;

/**
 * A person's palette: coarse colour bins (8 levels per channel, 512 bins) with their Lab sums and
 * counts, in typed arrays; `keys` lists the bins in use in the order first seen.
 */
class Bins {
  readonly n = new Float64Array(512);
  readonly sum = new Float64Array(512 * 3);
  keys: number[] = [];
  add(key: number, l: number, a: number, b: number, n = 1): void {
    if (this.n[key] === 0) this.keys.push(key);
    this.n[key] += n;
    this.sum[key * 3] += l;
    this.sum[key * 3 + 1] += a;
    this.sum[key * 3 + 2] += b;
  }
  /** Add grid cell i (its palette key and Lab). */
  addCell(key9: Uint16Array, lab: Float32Array, i: number): void {
    this.add(key9[i], lab[i * 3], lab[i * 3 + 1], lab[i * 3 + 2]);
  }
  clear(): void {
    for (const k of this.keys) {
      this.n[k] = 0;
      this.sum[k * 3] = 0;
      this.sum[k * 3 + 1] = 0;
      this.sum[k * 3 + 2] = 0;
    }
    this.keys = [];
  }
  /** Bins holding at least `share` of the count (and 3 cells), as mean Lab colours (packed). */
  palette(share: number): Float64Array {
    let total = 0;
    for (const k of this.keys) total += this.n[k];
    const min = Math.max(3, total * share);
    const out: number[] = [];
    for (const k of this.keys)
      if (this.n[k] >= min)
        out.push(this.sum[k * 3] / this.n[k], this.sum[k * 3 + 1] / this.n[k], this.sum[k * 3 + 2] / this.n[k]);
    return Float64Array.from(out);
  }
}

const concat = (a: Float64Array, b: Float64Array) => {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/** Explained by a packed palette: 1 = a colour of the person, 2 = a mix of the background and one of them, 0 = neither. */
function explained(c0: number, c1: number, c2: number, B: Lab, pal: Float64Array): number {
  const maxP = BACKGROUND_LOCAL.maxPaletteDeltaE ** 2,
    maxMix = BACKGROUND_LOCAL.maxMixDeltaE;
  let mix = false;
  for (let k = 0; k < pal.length; k += 3) {
    const p0 = pal[k],
      p1 = pal[k + 1],
      p2 = pal[k + 2];
    const e0 = c0 - p0,
      e1 = c1 - p1,
      e2 = c2 - p2;
    if (e0 * e0 + e1 * e1 + e2 * e2 <= maxP) return 1;
    if (!mix && mixDistance(c0, c1, c2, B, p0, p1, p2) <= maxMix) mix = true;
  }
  return mix ? 2 : 0;
}

/** ΔE76 from the colour (c0, c1, c2) to the segment from the background B to the colour (p0, p1, p2): how far it is from a mix of the two. */
function mixDistance(c0: number, c1: number, c2: number, B: Lab, p0: number, p1: number, p2: number): number {
  const d0 = p0 - B[0],
    d1 = p1 - B[1],
    d2 = p2 - B[2];
  const len = d0 * d0 + d1 * d1 + d2 * d2;
  const t = len > 0 ? Math.max(0, Math.min(1, ((c0 - B[0]) * d0 + (c1 - B[1]) * d1 + (c2 - B[2]) * d2) / len)) : 0;
  const f0 = c0 - B[0] - t * d0,
    f1 = c1 - B[1] - t * d1,
    f2 = c2 - B[2] - t * d2;
  return Math.sqrt(f0 * f0 + f1 * f1 + f2 * f2);
}

/**
 * Bumps on the person's outline (轮廓凸起): an object touching the hair or standing on a shoulder that the
 * segmentation took into the person, in a colour of the person (a dark bag beside dark hair). Beside the
 * head (rows from the head top to the chin) the outline's reach (the mask plus what is attached to it
 * outside: the visible silhouette, `on`) from the face centre on each side; on the
 * shoulders (columns beyond the neck) the outline's top. Measured against the outline `d` away on both
 * sides (second difference), in px, so that a round head, a slope or flowing hair give almost nothing.
 * A shoulder bump is scaled by reviewBump / reviewShoulderBump so that one limit applies to both.
 */
function outlineBump(
  on: Uint8Array,
  gw: number,
  gh: number,
  a: FaceAnalysis,
): { px: number; at: [number, number] | null } {
  const f = a.face!;
  const fw = faceWidthOf(f) / 2; // grid cells
  const nose = pt(f, MESH.noseTip),
    chin = pt(f, MESH.chin);
  const cx = Math.round(nose[0] / 2),
    chinY = Math.min(gh - 1, Math.round(chin[1] / 2));
  const top = Math.max(0, Math.round(a.headTop.y / 2));
  const d = Math.max(4, Math.round(0.2 * fw));
  // Below the ear lobes the free hair's limit applies (scaled so that one limit applies to all).
  const freeHairY = Math.round((pt(f, MESH.noseBottom)[1] + BACKGROUND_LOCAL.jawBelowNose * 2 * fw) / 2);
  const freeHairScale = BACKGROUND_LOCAL.reviewBump / BACKGROUND_LOCAL.reviewFreeHairBump;
  let best = 0;
  let at: [number, number] | null = null;
  // Beside the head: reach per row on each side (cells from the centre column to the outermost mask cell).
  const reach = new Float64Array(gh);
  for (const dir of [-1, 1]) {
    reach.fill(NaN);
    for (let y = top; y <= chinY; y++) {
      let r = NaN;
      for (let k = Math.floor(gw / 2); k >= 0; k--) {
        const x = cx + dir * k;
        if (x >= 0 && x < gw && on[y * gw + x]) {
          r = k;
          break;
        }
      }
      reach[y] = r;
    }
    for (let y = top + d; y + d <= chinY; y++) {
      const e = reach[y],
        u = reach[y - d],
        v = reach[y + d];
      if (!(e >= 0 && u >= 0 && v >= 0)) continue;
      const bump = (e - Math.max(u, v)) * (y >= freeHairY ? freeHairScale : 1);
      if (bump > best) {
        best = bump;
        at = [2 * (cx + dir * e), 2 * y];
      }
    }
  }
  // On the shoulders: the outline's top per column beyond the neck (0.7 face width from the centre).
  const tops = new Float64Array(gw).fill(NaN);
  for (let x = 0; x < gw; x++) {
    for (let y = chinY; y < gh; y++)
      if (on[y * gw + x]) {
        tops[x] = y;
        break;
      }
  }
  const inner = Math.round(0.7 * fw);
  // Both neighbours lower (a thing standing on a sloping shoulder), a little over an object's half-width away.
  const ds = Math.max(3, Math.round(0.13 * fw));
  for (let x = 0; x < gw; x++) {
    if (Math.abs(x - cx) < inner) continue;
    // Near a side edge the outer neighbour is the edge column (a thing standing in a bottom corner).
    const i0 = Math.max(0, x - ds),
      i1 = Math.min(gw - 1, x + ds);
    if (Math.min(x - i0, i1 - x) < ds / 2 || Math.abs(i0 - cx) < inner * 0.85 || Math.abs(i1 - cx) < inner * 0.85)
      continue;
    const t = tops[x],
      u = tops[i0],
      v = tops[i1];
    if (!(t >= 0 && u >= 0 && v >= 0)) continue;
    const bump = (Math.min(u, v) - t) * (BACKGROUND_LOCAL.reviewBump / BACKGROUND_LOCAL.reviewShoulderBump);
    if (bump > best) {
      best = bump;
      at = [2 * x, 2 * t];
    }
  }
  return { px: 2 * best, at };
}

/** Patch weight: a sure patch counts fully, a merely unexplained or neutral one at a third (fails only when large). */
function patchWeight(sure: Float64Array, sizes: ArrayLike<number>, k: number): number {
  return sure[k] * 2 >= sizes[k] ? sizes[k] : sizes[k] / BACKGROUND_LOCAL.unsureFactor;
}

/** Rows and columns (grid cells) the rim's tests depend on: eyes, chin, and the jaw (see `rimPalette`). */
interface Rim {
  eyeCell: number;
  chinCell: number;
  jawTop: number;
  jawLeft: number;
  jawRight: number;
}

/** Which palette judges a cell of the mask's rim: 0 global (below the chin), 2 hair (beside the jaw), 1 head. */
function rimPalette(r: Rim, gw: number, i: number): number {
  if (i >= r.chinCell * gw) return 0;
  const x = i % gw,
    y = (i - x) / gw;
  return y >= r.jawTop && (x < r.jawLeft || x > r.jawRight) ? 2 : 1;
}

/**
 * The person's palette near each tile (for the band outside the mask), made when first asked for: the
 * tile bins within `reachT` tiles merged (tile t's bins are entries tileStart[t] .. tileStart[t + 1]).
 * Appends to `palettes` and returns the palette's number (0, global, where no bins are near).
 */
class LocalPalettes {
  private readonly tilePalette: Int32Array;
  private readonly merged = new Bins();
  constructor(
    private readonly gw: number,
    private readonly tw: number,
    private readonly th: number,
    private readonly reachT: number,
    private readonly tileStart: Int32Array,
    private readonly tileKey: Uint16Array,
    private readonly tileN: Float64Array,
    private readonly tileSum: Float64Array,
    private readonly palettes: Float64Array[],
  ) {
    this.tilePalette = new Int32Array(tw * th).fill(-1);
  }
  at(i: number): number {
    const { gw, tw, th, reachT, tileStart, tileKey, tileN, tileSum, tilePalette, merged } = this;
    const T = BACKGROUND_LOCAL.tile;
    const x = i % gw,
      y = (i - x) / gw,
      t = Math.floor(y / T) * tw + Math.floor(x / T);
    if (tilePalette[t] < 0) {
      const tx = t % tw,
        ty = (t - tx) / tw;
      for (let v = Math.max(0, ty - reachT); v <= Math.min(th - 1, ty + reachT); v++) {
        for (let u = Math.max(0, tx - reachT); u <= Math.min(tw - 1, tx + reachT); u++) {
          const s = v * tw + u;
          for (let e = tileStart[s]; e < tileStart[s + 1]; e++)
            merged.add(tileKey[e], tileSum[e * 3], tileSum[e * 3 + 1], tileSum[e * 3 + 2], tileN[e]);
        }
      }
      if (merged.keys.length) {
        tilePalette[t] = this.palettes.length;
        this.palettes.push(merged.palette(0.01));
      } else tilePalette[t] = 0;
      merged.clear();
    }
    return tilePalette[t];
  }
}

/** Flat: the colour hardly changes over ±2 cells (a shadow, a veil, a leftover — not a hair edge). */
function flatAt(lab: Float32Array, gw: number, gh: number, i: number): boolean {
  const x = i % gw,
    y = (i - x) / gw;
  if (x < 2 || y < 2 || x >= gw - 2 || y >= gh - 2) return false;
  const c0 = lab[i * 3],
    c1 = lab[i * 3 + 1],
    c2 = lab[i * 3 + 2];
  const flat2 = BACKGROUND_LOCAL.flatDeltaE ** 2;
  return (
    dist2(lab, i - 2, c0, c1, c2) <= flat2 &&
    dist2(lab, i + 2, c0, c1, c2) <= flat2 &&
    dist2(lab, i - 2 * gw, c0, c1, c2) <= flat2 &&
    dist2(lab, i + 2 * gw, c0, c1, c2) <= flat2 &&
    dist2(lab, i - 2 * gw - 2, c0, c1, c2) <= flat2 &&
    dist2(lab, i + 2 * gw + 2, c0, c1, c2) <= flat2
  );
}

/** Light and colourless (L* ≥ neutralMinL, C*ab ≤ neutralMaxChroma): a grey or white wall, or grey hair. */
function lightNeutral(lab: Float32Array, i: number): boolean {
  const c1 = lab[i * 3 + 1],
    c2 = lab[i * 3 + 2];
  return lab[i * 3] >= BACKGROUND_LOCAL.neutralMinL && c1 * c1 + c2 * c2 <= BACKGROUND_LOCAL.neutralMaxChroma ** 2;
}

/**
 * A flat, light, colourless cell (of the rim or the band) from the eyes to the chin that no colour of the hair comes close
 * to: a leftover of a grey or white studio wall the mask took in (skin, even pale, always has some colour;
 * a highlight on pale skin or light hair is within maxPaletteDeltaE of grey, so the palette alone lets it pass).
 */
function neutralLeftover(lab: Float32Array, gw: number, gh: number, i: number, rim: Rim, hair: Float64Array): boolean {
  // From the eyes to the chin: above the eyes the rim can be a bald scalp's highlight.
  if (i < rim.eyeCell * gw || i >= rim.chinCell * gw) return false;
  if (!lightNeutral(lab, i) || !flatAt(lab, gw, gh, i)) return false;
  const c0 = lab[i * 3],
    c1 = lab[i * 3 + 1],
    c2 = lab[i * 3 + 2];
  const near2 = BACKGROUND_LOCAL.neutralHairDeltaE ** 2;
  for (let k = 0; k < hair.length; k += 3) {
    const e0 = c0 - hair[k],
      e1 = c1 - hair[k + 1],
      e2 = c2 - hair[k + 2];
    if (e0 * e0 + e1 * e1 + e2 * e2 <= near2) return false;
  }
  return true;
}

/**
 * The edge of a neutral leftover: cells reached from it (outside the deep core) whose colour is a mix of the
 * background and the leftover's own colour — the soft rim where the old wall meets the new background,
 * which is neither flat nor far from a mix of the person's colours. Marked `OFF.neutral` into `off`.
 */
function neutralEdges(g: Grid, core: Uint8Array, B: Lab, off: Uint8Array): void {
  const { gw, gh, n, lab } = g;
  const stack = scratch('stack', i32, n),
    seedOf = scratch('seedOf', i32, n);
  let top = 0;
  for (let i = 0; i < n; i++)
    if (off[i] === OFF.neutral) {
      stack[top++] = i;
      seedOf[i] = i;
    }
  const maxBg2 = BACKGROUND_LOCAL.maxDeltaE ** 2,
    maxMix = BACKGROUND_LOCAL.maxMixDeltaE;
  while (top) {
    const j = stack[--top],
      s = seedOf[j];
    const x = j % gw,
      y = (j - x) / gw;
    for (const k of [x > 0 ? j - 1 : -1, x < gw - 1 ? j + 1 : -1, y > 0 ? j - gw : -1, y < gh - 1 ? j + gw : -1]) {
      if (k < 0 || off[k] || core[k] || dist2(lab, k, B[0], B[1], B[2]) <= maxBg2) continue;
      if (
        mixDistance(lab[k * 3], lab[k * 3 + 1], lab[k * 3 + 2], B, lab[s * 3], lab[s * 3 + 1], lab[s * 3 + 2]) > maxMix
      )
        continue;
      off[k] = OFF.neutral;
      seedOf[k] = s;
      stack[top++] = k;
    }
  }
}

/** The flood fill of cells attached to the person outside the mask (see `attached`). */
interface Flood {
  attached: Uint8Array;
  near: Uint8Array;
  lab: Float32Array;
  B: Lab;
  maxBg2: number;
  stack: Int32Array;
  top: number;
}

function visit(f: Flood, k: number): void {
  if (f.attached[k] || !f.near[k] || dist2(f.lab, k, f.B[0], f.B[1], f.B[2]) <= f.maxBg2) return;
  f.attached[k] = 1;
  f.stack[f.top++] = k;
}

/** `explained` memoised per palette and colour (RGB at 5 bits per channel, `key15`). */
function explainedAt(
  memoOf: Map<number, number>,
  i: number,
  palette: number,
  key15: Uint16Array,
  lab: Float32Array,
  B: Lab,
  palettes: Float64Array[],
): number {
  const key = palette * 32768 + key15[i];
  let e = memoOf.get(key);
  if (e === undefined)
    memoOf.set(key, (e = explained(lab[i * 3], lab[i * 3 + 1], lab[i * 3 + 2], B, palettes[palette])));
  return e;
}

/**
 * The local background measures (memoised on the analysis). Cost: one Lab conversion per grid cell
 * (76,800 on 480×640), three morphology passes and two component labellings, all in typed arrays.
 */
export function backgroundUniformMeasures(a: FaceAnalysis): BackgroundUniformMeasures {
  return memo(a, 'background.uniform', () => measureUniform(a));
}

/**
 * The body of `backgroundUniformMeasures`. A module-level function with module-level helpers, not closures
 * made per photo: V8 keeps the optimised code of a function only while one of its closures lives, so a
 * closure made per photo starts cold again after every full GC (the London bench: ~80 ms instead of ~8).
 */
function measureUniform(a: FaceAnalysis): BackgroundUniformMeasures {
  const base = backgroundMeasures(a);
  const out: BackgroundUniformMeasures = {
    spread: base.spread,
    gradient: base.gradient,
    patch: 0,
    patchArea: 0,
    patchAt: null,
    scatterArea: 0,
    scatterAt: null,
    others: 0,
    bump: 0,
    bumpAt: null,
  };
  if (!base.rgb || !a.mask || !a.face) return out;
  const W = a.img.width;
  const g = fillGrid(a);
  const { gw, gh, person } = g;
  const bandCells = Math.max(2, Math.round((BACKGROUND_LOCAL.band * W) / 2));
  const near = morph(person, gw, gh, bandCells, true, 'near');
  // The palette comes from deep inside the mask (an object the mask swallowed beside the hair stays out).
  const core = morph(person, gw, gh, bandCells, false, 'core');
  // The person's palette near each place (for the band outside the mask): bins of the mask shrunk by a
  // few px per tile, merged over the tiles within `reach` — a grey leftover beside dark hair is
  // compared with the hair and skin next to it, not with the shaded white shirt at the bottom.
  const inner = morph(person, gw, gh, BACKGROUND_LOCAL.innerCells, false, 'inner');
  const B = rgbToLab(base.rgb[0], base.rgb[1], base.rgb[2]);
  // (A tenth of the face width above the chin: high shoulders of a shirt can reach the chin's height.)
  const chinCell = Math.round((pt(a.face, MESH.chin)[1] - 0.1 * faceWidthOf(a.face)) / 2);
  const palettes = personPalettes(a, g, core, inner, chinCell);
  // The rim beside the jaw (see BACKGROUND_LOCAL.jawBelowNose), in grid cells.
  const jawTop = Math.round((pt(a.face, MESH.noseBottom)[1] + BACKGROUND_LOCAL.jawBelowNose * faceWidthOf(a.face)) / 2);
  const jawLeft = pt(a.face, MESH.cheekEdgeLeft)[0] / 2,
    jawRight = pt(a.face, MESH.cheekEdgeRight)[0] / 2;
  const eyeCell = Math.round((pupils(a.face)[0][1] + pupils(a.face)[1][1]) / 4);
  const rim: Rim = { eyeCell, chinCell, jawTop, jawLeft, jawRight };
  // Memoised per palette and colour (RGB at 5 bits per channel: within the ΔE margins of the test);
  // the first cell of a colour decides for the others.
  const memoOf = new Map<number, number>();
  const off = new Uint8Array(g.n);
  offRimCells(g, core, B, rim, palettes, memoOf, off);
  // What the rim found is not the person: it stays out of the local palettes (a leftover the mask took
  // in would otherwise explain its own part outside the mask).
  for (let i = 0; i < g.n; i++) if (off[i]) inner[i] = 0;
  const tiles = tileBins(g, inner);
  const reachT = Math.ceil((BACKGROUND_LOCAL.reach * W) / 2 / BACKGROUND_LOCAL.tile);
  const local = new LocalPalettes(gw, tiles.tw, tiles.th, reachT, tiles.start, tiles.key, tiles.n, tiles.sum, palettes);
  const attached = attachedCells(g, near, B);
  offBackgroundCells(g, near, attached, B, local, palettes, memoOf, rim, off);
  neutralEdges(g, core, B, off);
  a.cache.set('background.uniform.cells', off);
  largestPatch(off, gw, gh, Math.max(0, Math.min(gh, chinCell)), out);
  otherPeople(a, g, attached, out);
  return out;
}

/** The 2-px grid of a photo: per cell the person mask, Lab, and the colour keys of the palette bins (3 bits
 *  per channel) and of the explanation memo (5 bits per channel), in the module's work buffers. */
interface Grid {
  gw: number;
  gh: number;
  n: number;
  person: Uint8Array;
  lab: Float32Array;
  key9: Uint16Array;
  key15: Uint16Array;
}

function fillGrid(a: FaceAnalysis): Grid {
  const { width: W, height: H, data } = a.img;
  const gw = Math.ceil(W / 2),
    gh = Math.ceil(H / 2),
    n = gw * gh;
  const alpha = a.mask!.alpha;
  const person = scratch('person', u8, n);
  const lab = scratch('lab', f32, n * 3);
  const key9 = scratch('key9', u16, n),
    key15 = scratch('key15', u16, n);
  for (let y = 0, i = 0, prev = -1; y < gh; y++) {
    for (let x = 0; x < gw; x++, i++) {
      const q = 2 * y * W + 2 * x,
        p = q * 3;
      person[i] = alpha[q] >= 128 ? 1 : 0;
      const r = data[p],
        g = data[p + 1],
        b = data[p + 2];
      key9[i] = ((r >> 5) << 6) | ((g >> 5) << 3) | (b >> 5);
      key15[i] = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
      const rgb = (r << 16) | (g << 8) | b;
      // The same colour as the cell before (flat background, a shirt): its Lab again, without the memo.
      if (rgb === prev) {
        lab[i * 3] = lab[i * 3 - 3];
        lab[i * 3 + 1] = lab[i * 3 - 2];
        lab[i * 3 + 2] = lab[i * 3 - 1];
      } else labInto(rgb, lab, i * 3);
      prev = rgb;
    }
  }
  return { gw, gh, n, person, lab, key9, key15 };
}

/**
 * The person's palettes for the mask's rim, by number: 0 global, 1 head, 2 hair (head when no hair was
 * sampled); `LocalPalettes` appends the local ones. Global and head: bins over the mask's deep core, so an
 * object the mask took in beside the hair stays out of it; above the chin only the head's core counts
 * (skin, hair): a grey leftover beside the jaw is not the shaded white shirt further down. Both with the
 * hair's colours.
 */
function personPalettes(
  a: FaceAnalysis,
  g: Grid,
  core: Uint8Array,
  inner: Uint8Array,
  chinCell: number,
): Float64Array[] {
  const { gw, gh, n, key9, lab } = g;
  const globalBins = new Bins(),
    headBins = new Bins();
  for (let i = 0; i < n; i += 2) {
    if (!core[i]) continue;
    globalBins.addCell(key9, lab, i);
    if (i < chinCell * gw) headBins.addCell(key9, lab, i);
  }
  // The hair (thin at the sides, often missing from the deep core): the mask over the crown, between
  // the head top and the top of the forehead, across the middle of the face.
  const f = a.face!,
    fw = faceWidthOf(f) / 2,
    cx = pt(f, MESH.noseTip)[0] / 2;
  const y0 = Math.max(0, Math.floor(a.headTop.y / 2)),
    y1 = Math.min(gh - 1, Math.round(pt(f, MESH.foreheadTop)[1] / 2));
  const hairBins = new Bins();
  for (let y = y0; y <= y1; y++) {
    for (let x = Math.max(0, Math.round(cx - 0.5 * fw)); x <= Math.min(gw - 1, Math.round(cx + 0.5 * fw)); x++) {
      if (inner[y * gw + x]) hairBins.addCell(key9, lab, y * gw + x);
    }
  }
  // and beside the temples, just outside the face contour (hair above the ears).
  const eyeY = Math.round((pupils(f)[0][1] + pupils(f)[1][1]) / 4);
  const cl = pt(f, MESH.cheekEdgeLeft)[0] / 2,
    cr = pt(f, MESH.cheekEdgeRight)[0] / 2,
    side = 0.12 * fw;
  for (let y = y1; y <= Math.min(gh - 1, eyeY); y++) {
    for (const [u0, u1] of [
      [cl - side, cl],
      [cr, cr + side],
    ]) {
      for (let x = Math.max(0, Math.round(u0)); x <= Math.min(gw - 1, Math.round(u1)); x++) {
        if (inner[y * gw + x]) hairBins.addCell(key9, lab, y * gw + x);
      }
    }
  }
  const hair = hairBins.palette(0.02);
  const global = concat(globalBins.palette(0.003), hair),
    head = concat(headBins.palette(0.003), hair);
  return [global, head, hair.length ? hair : head];
}

/** Tile bins over the shrunk mask, packed: tile t's bins are entries start[t] .. start[t + 1] of key / n / sum. */
function tileBins(
  g: Grid,
  inner: Uint8Array,
): { tw: number; th: number; start: Int32Array; key: Uint16Array; n: Float64Array; sum: Float64Array } {
  const { gw, gh, key9, lab } = g;
  const T = BACKGROUND_LOCAL.tile,
    tw = Math.ceil(gw / T),
    th = Math.ceil(gh / T);
  const start = new Int32Array(tw * th + 1);
  // At most one entry per cell (work buffers, see `scratch`).
  const key = scratch('tileKey', u16, g.n),
    n = scratch('tileN', f64, g.n),
    sum = scratch('tileSum', f64, 3 * g.n);
  let e = 0;
  const bins = new Bins();
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const t = ty * tw + tx;
      start[t] = e;
      for (let y = ty * T; y < Math.min(gh, ty * T + T); y++) {
        for (let x = tx * T, i = y * gw + x; x < Math.min(gw, tx * T + T); x++, i++)
          if (inner[i]) bins.addCell(key9, lab, i);
      }
      for (const k of bins.keys) {
        key[e] = k;
        n[e] = bins.n[k];
        sum[e * 3] = bins.sum[k * 3];
        sum[e * 3 + 1] = bins.sum[k * 3 + 1];
        sum[e * 3 + 2] = bins.sum[k * 3 + 2];
        e++;
      }
      bins.clear();
    }
  }
  start[tw * th] = e;
  return { tw, th, start, key, n, sum };
}

/**
 * Cells outside the mask reached from the person through cells that are not the background colour: hair
 * strands and an edge the mask missed are attached; a thing standing apart (a ring of background between
 * it and the person) is not the person, whatever its colour. Person cells are attached too.
 */
function attachedCells(g: Grid, near: Uint8Array, B: Lab): Uint8Array {
  const { gw, gh, n, person, lab } = g;
  const attached = scratch('attached', u8, n).fill(0);
  const stack = scratch('stack', i32, n);
  let top = 0;
  for (let i = 0; i < n; i++) {
    if (!person[i]) continue;
    attached[i] = 1;
    // Seeds: person cells on the mask's outline only.
    const x = i % gw;
    if (
      (x > 0 && !person[i - 1]) ||
      (x < gw - 1 && !person[i + 1]) ||
      (i >= gw && !person[i - gw]) ||
      (i + gw < n && !person[i + gw])
    )
      stack[top++] = i;
  }
  const fill: Flood = { attached, near, lab, B, maxBg2: BACKGROUND_LOCAL.maxDeltaE ** 2, stack, top };
  while (fill.top) {
    const j = stack[--fill.top];
    const x = j % gw,
      y = (j - x) / gw;
    if (x > 0) visit(fill, j - 1);
    if (x < gw - 1) visit(fill, j + 1);
    if (y > 0) visit(fill, j - gw);
    if (y < gh - 1) visit(fill, j + gw);
  }
  return attached;
}

/**
 * Off-colour cells of the mask's outer rim (between the mask's edge and its deep core) into `off`: an
 * object or a leftover the mask took in is neither a colour of the person nearby nor a mix of one with
 * the background (a flat mix is a veil, not an edge); from the eyes to the chin, a neutral leftover
 * (`neutralLeftover`).
 */
function offRimCells(
  g: Grid,
  core: Uint8Array,
  B: Lab,
  rim: Rim,
  palettes: Float64Array[],
  memoOf: Map<number, number>,
  off: Uint8Array,
): void {
  const { gw, gh, n, person, lab, key15 } = g;
  for (let i = 0; i < n; i++) {
    if (core[i] || !person[i]) continue;
    const e = explainedAt(memoOf, i, rimPalette(rim, gw, i), key15, lab, B, palettes);
    if (e === 0 || (e === 2 && flatAt(lab, gw, gh, i))) off[i] = OFF.rim;
    else if (neutralLeftover(lab, gw, gh, i, rim, palettes[2])) off[i] = OFF.neutral;
  }
}

/** Off-colour background cells (outside the mask) into `off`, by why (`OFF`): far from the person, or in the outline band. */
function offBackgroundCells(
  g: Grid,
  near: Uint8Array,
  attached: Uint8Array,
  B: Lab,
  local: LocalPalettes,
  palettes: Float64Array[],
  memoOf: Map<number, number>,
  rim: Rim,
  off: Uint8Array,
): void {
  const { gw, gh, n, person, lab, key15 } = g;
  const maxBg2 = BACKGROUND_LOCAL.maxDeltaE ** 2;
  for (let i = 0; i < n; i++) {
    if (person[i] || dist2(lab, i, B[0], B[1], B[2]) <= maxBg2) continue;
    if (near[i] && attached[i]) {
      // A colour of the person nearby, or below the ear lobes one of the hair (a ponytail beside the neck,
      // hair on the shoulders: far from the crown and temples where the hair's colours were taken) —
      // but not a light colourless one: that is as likely a grey or white wall as grey hair.
      let e = explainedAt(memoOf, i, local.at(i), key15, lab, B, palettes);
      if (
        e !== 1 &&
        i >= rim.jawTop * gw &&
        explainedAt(memoOf, i, 2, key15, lab, B, palettes) === 1 &&
        !lightNeutral(lab, i)
      )
        e = 1;
      // A mix is only an edge where the colour changes; a flat mix is a shadow or a veil on the background.
      const neutral = neutralLeftover(lab, gw, gh, i, rim, palettes[2]);
      if (!neutral && (e === 1 || (e === 2 && !flatAt(lab, gw, gh, i)))) continue;
      off[i] = neutral ? OFF.neutral : e === 2 ? OFF.flatMix : OFF.band;
      continue;
    }
    off[i] = OFF.far;
  }
}

/** Per patch (component label): its off cells, how many of them are sure, and its centre. */
function patchStats(
  label: Int32Array,
  m: number,
  off: Uint8Array,
  gw: number,
): { sizes: Float64Array; sure: Float64Array; centre(k: number): [number, number] } {
  const sizes = new Float64Array(m),
    sure = new Float64Array(m),
    sx = new Float64Array(m),
    sy = new Float64Array(m);
  for (let i = 0; i < off.length; i++) {
    const k = label[i];
    if (k < 0 || !off[i]) continue;
    sizes[k]++;
    if (off[i] !== OFF.band && off[i] !== OFF.neutral) sure[k]++;
    sx[k] += i % gw;
    sy[k] += Math.floor(i / gw);
  }
  // Grid cells are 2 px: the centre in frame px.
  return { sizes, sure, centre: (k) => [Math.round((2 * sx[k]) / sizes[k]), Math.round((2 * sy[k]) / sizes[k])] };
}

/**
 * The off-colour patches into `out`: for a fail, the heaviest patch of touching off cells (weighted, see
 * `patchWeight`: a patch that is mostly only unexplained next to the person, or a neutral leftover that
 * may be haze, counts at a third); for a review, the widest patch whatever its weight, where above the
 * chin off cells a cell or two apart are one patch (a textured object, or a leftover with strands across
 * it, is speckled: some of its cells fall within the margins). Below the chin a white shirt the mask left
 * out beside a light background is speckled too, so there only touching cells join.
 */
function largestPatch(off: Uint8Array, gw: number, gh: number, chinCell: number, out: BackgroundUniformMeasures): void {
  const n = gw * gh;
  const plain = components(off, gw, gh, 'offLabel');
  const p = patchStats(plain.label, plain.sizes.length, off, gw);
  let best = -1;
  for (let k = 0; k < plain.sizes.length; k++)
    if (best < 0 || patchWeight(p.sure, p.sizes, k) > patchWeight(p.sure, p.sizes, best)) best = k;
  if (best >= 0) {
    out.patch = patchWeight(p.sure, p.sizes, best) / n;
    out.patchArea = p.sizes[best] / n;
    out.patchAt = p.centre(best);
  }
  out.scatterArea = out.patchArea;
  out.scatterAt = out.patchAt;
  // Joined patches are only worth labelling when the off cells could make one over the review size (most
  // photos have a few dozen off cells at most) and the touching cells have not made one already.
  const above = scratch('offAbove', u8, n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    above[i] = i < chinCell * gw && off[i] ? 1 : 0;
    if (off[i]) count++;
  }
  if (count / n <= BACKGROUND_LOCAL.reviewPatch || out.patchArea > BACKGROUND_LOCAL.reviewPatch) return;
  const joined = morph(above, gw, gh, 1, true, 'offJoined');
  for (let i = chinCell * gw; i < n; i++) joined[i] = off[i] || (i < (chinCell + 1) * gw && joined[i]) ? 1 : 0;
  const wide = components(joined, gw, gh, 'offJoinedLabel');
  const q = patchStats(wide.label, wide.sizes.length, off, gw);
  let widest = -1;
  for (let k = 0; k < wide.sizes.length; k++) if (widest < 0 || q.sizes[k] > q.sizes[widest]) widest = k;
  if (widest >= 0 && q.sizes[widest] / n > out.patchArea) {
    out.scatterArea = q.sizes[widest] / n;
    out.scatterAt = q.centre(widest);
  }
}

/**
 * Other people / objects in the person mask into `out.others`: components not holding the nose, and mask
 * touching a side edge above the mouth (the student's shoulders meet the sides below it); and the
 * outline's largest bump (`outlineBump`) into `out.bump`.
 */
function otherPeople(a: FaceAnalysis, g: Grid, attached: Uint8Array, out: BackgroundUniformMeasures): void {
  const { gw, gh, n, person } = g;
  const face = a.face!;
  const pc = components(person, gw, gh, 'personLabel');
  const nose = pt(face, MESH.noseTip);
  const main =
    pc.label[
      Math.min(gh - 1, Math.max(0, Math.round(nose[1] / 2))) * gw +
        Math.min(gw - 1, Math.max(0, Math.round(nose[0] / 2)))
    ];
  let others = 0;
  for (let k = 0; k < pc.sizes.length; k++) if (k !== main) others += pc.sizes[k];
  // (Above the mouth: high shoulders and hair lying on them can reach a side between mouth and chin.)
  const shoulderY = Math.min(gh, Math.round((pt(face, MESH.chin)[1] - 0.3 * faceWidthOf(face)) / 2));
  let edge = 0;
  for (let y = 0; y < shoulderY; y++) {
    for (const x0 of [0, gw - 1]) {
      // Count the run of mask cells inward from this edge cell (how far the touching region reaches).
      const dir = x0 === 0 ? 1 : -1;
      for (let x = x0, k = 0; k < gw / 6 && person[y * gw + x] && pc.label[y * gw + x] === main; x += dir, k++) edge++;
    }
  }
  out.others = (others + edge) / n;
  if (main >= 0) {
    // The visible silhouette: the student's mask plus what is attached to it outside.
    const on = scratch('on', u8, n),
      label = pc.label;
    for (let i = 0; i < n; i++)
      on[i] = (person[i] === 1 && label[i] === main) || (person[i] === 0 && attached[i] === 1) ? 1 : 0;
    const b = outlineBump(on, gw, gh, a);
    out.bump = b.px / faceWidthOf(face);
    out.bumpAt = b.at;
  }
}

/** A square box of `area` (share of the frame) around `at`, inside the frame (the patch's place for the overlay). */
function boxAround(at: [number, number], area: number, W: number, H: number, min = 24): Region {
  const side = Math.max(min, Math.round(1.4 * Math.sqrt(area * W * H)));
  const x = Math.max(0, Math.min(W - side, Math.round(at[0] - side / 2))),
    y = Math.max(0, Math.min(H - side, Math.round(at[1] - side / 2)));
  return { x, y, width: Math.min(side, W), height: Math.min(side, H) };
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** The background.uniform check on the shared analysis. */
export function checkBackgroundUniform(a: FaceAnalysis, L: PhotoLimits, minShare: number): CheckResult {
  const id = 'background.uniform' as const;
  const base = backgroundMeasures(a);
  const limit = {
    maxSpread: L.maxBackgroundSpread,
    maxGradient: L.maxBackgroundGradient,
    maxPatch: BACKGROUND_LOCAL.failPatch,
    maxOthers: BACKGROUND_LOCAL.failOthers,
  };
  const hint = '请在均匀无阴影的纯色背景前拍摄，背景不得有其他人或物';
  if (!base.rgb || base.share < minShare) {
    return {
      id,
      status: 'review',
      value: null,
      limit,
      message: '可见背景过少，无法判断背景是否均匀，请人工确认',
      hint: '背景不得有阴影、其他人或物',
      code: 'BACKGROUND_TOO_SMALL',
    };
  }
  const m = backgroundUniformMeasures(a);
  const value = {
    spread: r1(m.spread),
    gradient: r1(m.gradient),
    patch: Math.round(m.patch * 1e5) / 1e5,
    patchArea: Math.round(m.patchArea * 1e5) / 1e5,
    scatterArea: Math.round(m.scatterArea * 1e5) / 1e5,
    others: Math.round(m.others * 1e5) / 1e5,
    bump: Math.round(m.bump * 1e3) / 1e3,
  };
  const where = m.patchAt ? `（约在 x=${m.patchAt[0]}、y=${m.patchAt[1]} 处）` : '';
  const problems: string[] = [];
  const codes: string[] = [];
  if (m.spread > L.maxBackgroundSpread) {
    problems.push(`背景颜色离散度 ΔE ${r1(m.spread)}，超过 ${L.maxBackgroundSpread}（有杂物、阴影、边框或图案）`);
    codes.push('BACKGROUND_SPREAD');
  }
  if (m.gradient > L.maxBackgroundGradient) {
    problems.push(`背景两侧／上下色差 ΔE2000 ${r1(m.gradient)}，超过 ${L.maxBackgroundGradient}（渐变或阴影）`);
    codes.push('BACKGROUND_GRADIENT');
  }
  if (m.patch > BACKGROUND_LOCAL.failPatch) {
    problems.push(
      `背景中有一块与背景颜色不同的区域，占画面 ${pct(m.patchArea)}${where}，超过 ${pct(BACKGROUND_LOCAL.failPatch)}（杂物、阴影或换背景残留的原背景）`,
    );
    codes.push('BACKGROUND_PATCH');
  }
  if (m.others > BACKGROUND_LOCAL.failOthers) {
    problems.push(
      `人像以外还有人形或物体区域，占画面 ${pct(m.others)}（超过 ${pct(BACKGROUND_LOCAL.failOthers)}），背景中疑有其他人或物`,
    );
    codes.push('BACKGROUND_OTHER_PERSON');
  }
  const W = a.img.width,
    H = a.img.height;
  if (problems.length) {
    const region = codes[0] === 'BACKGROUND_PATCH' && m.patchAt ? boxAround(m.patchAt, m.patchArea, W, H) : undefined;
    return {
      id,
      status: 'fail',
      value,
      limit,
      message: problems.join('；'),
      hint,
      code: codes[0],
      ...(region && { region }),
    };
  }
  const [reviewArea, reviewAt] = m.scatterArea > m.patchArea ? [m.scatterArea, m.scatterAt] : [m.patchArea, m.patchAt];
  if (reviewArea > BACKGROUND_LOCAL.reviewPatch) {
    const at = reviewAt ? `（约在 x=${reviewAt[0]}、y=${reviewAt[1]} 处）` : '';
    return {
      id,
      status: 'review',
      value,
      limit,
      message: `背景中有一小块与背景颜色不同的区域，占画面 ${pct(reviewArea)}${at}，请人工确认是否有杂物、阴影或原背景残留`,
      hint,
      code: 'BACKGROUND_PATCH',
      ...(reviewAt && { region: boxAround(reviewAt, reviewArea, W, H) }),
    };
  }
  if (m.bump > BACKGROUND_LOCAL.reviewBump) {
    const at = m.bumpAt ? `（约在 x=${m.bumpAt[0]}、y=${m.bumpAt[1]} 处）` : '';
    return {
      id,
      status: 'review',
      value,
      limit,
      message: `人像轮廓在头部旁或肩上有一处凸起${at}，凸出约 ${Math.round(m.bump * 100)}% 脸宽，请人工确认是否有物体贴着头发或肩膀（也可能是发型）`,
      hint,
      code: 'BACKGROUND_OBJECT_TOUCHING',
      ...(m.bumpAt && { region: boxAround(m.bumpAt, 0, W, H, Math.round(0.3 * faceWidthOf(a.face!))) }),
    };
  }
  return {
    id,
    status: 'pass',
    value,
    limit,
    message: `背景均匀：离散度 ΔE ${r1(m.spread)}（≤ ${L.maxBackgroundSpread}），色差 ${r1(m.gradient)}（≤ ${L.maxBackgroundGradient}），未见杂物、阴影或他人`,
  };
}
