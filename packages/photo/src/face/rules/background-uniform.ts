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
 *   leftover of green leaves beside dark hair is neither, so it still counts.
 * - `others`: person-mask area not connected to the student, or touching a side edge above the
 *   chin (another person partly in the picture), share of the frame.
 */
import type { CheckResult, PhotoLimits } from '../../types.js';
import { rgbToLab, type Lab } from '../colour.js';
import { MESH, pt, type FaceAnalysis } from '../analysis.js';
import { backgroundMeasures } from '../measures.js';

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
  /** Largest off-colour patch (share of the frame): above → fail; above `reviewPatch` → review. */
  failPatch: 0.0025,
  reviewPatch: 0.0014,
  /** Other person / object area outside the student (share of the frame): above → fail. */
  failOthers: 0.004,
};

export interface BackgroundUniformMeasures {
  spread: number;
  gradient: number;
  /** Largest off-colour background patch, share of the frame. */
  patch: number;
  /** Where that patch is (centre, frame px), or null. */
  patchAt: [number, number] | null;
  /** Person-like area that is not the student, share of the frame. */
  others: number;
}

function memo<T>(a: FaceAnalysis, key: string, f: () => T): T {
  if (!a.cache.has(key)) a.cache.set(key, f());
  return a.cache.get(key) as T;
}

/** Binary dilation / erosion of a grid by a square of half-size r (separable). */
function morph(src: Uint8Array, w: number, h: number, r: number, dilate: boolean): Uint8Array {
  const tmp = new Uint8Array(src.length), out = new Uint8Array(src.length);
  const hit = dilate ? 1 : 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let v = 1 - hit;
      for (let k = Math.max(0, x - r), e = Math.min(w - 1, x + r); k <= e; k++) if (src[y * w + k] === hit) { v = hit; break; }
      tmp[y * w + x] = v;
    }
  }
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) {
      let v = 1 - hit;
      for (let k = Math.max(0, y - r), e = Math.min(h - 1, y + r); k <= e; k++) if (tmp[k * w + x] === hit) { v = hit; break; }
      out[y * w + x] = v;
    }
  }
  return out;
}

/** Distance (ΔE76) from c to the segment between b and p in Lab. */
function segmentDistance(c: Lab, b: Lab, p: Lab): number {
  const d0 = p[0] - b[0], d1 = p[1] - b[1], d2 = p[2] - b[2];
  const len = d0 * d0 + d1 * d1 + d2 * d2;
  const t = len > 0 ? Math.max(0, Math.min(1, ((c[0] - b[0]) * d0 + (c[1] - b[1]) * d1 + (c[2] - b[2]) * d2) / len)) : 0;
  return Math.hypot(c[0] - b[0] - t * d0, c[1] - b[1] - t * d1, c[2] - b[2] - t * d2);
}

/** Connected components (4-neighbour) of `on` cells; returns labels and the cell count per label. */
function components(on: Uint8Array, w: number, h: number): { label: Int32Array; sizes: number[] } {
  const label = new Int32Array(on.length).fill(-1);
  const sizes: number[] = [];
  const stack: number[] = [];
  for (let i = 0; i < on.length; i++) {
    if (!on[i] || label[i] >= 0) continue;
    const id = sizes.length;
    let n = 0;
    label[i] = id;
    stack.push(i);
    while (stack.length) {
      const j = stack.pop()!;
      n++;
      const x = j % w, y = (j - x) / w;
      const nb = [x > 0 ? j - 1 : -1, x < w - 1 ? j + 1 : -1, y > 0 ? j - w : -1, y < h - 1 ? j + w : -1];
      for (const k of nb) if (k >= 0 && on[k] && label[k] < 0) { label[k] = id; stack.push(k); }
    }
    sizes.push(n);
  }
  return { label, sizes };
}

/** The local background measures (memoised on the analysis). */
export function backgroundUniformMeasures(a: FaceAnalysis): BackgroundUniformMeasures {
  return memo(a, 'background.uniform', () => {
    const base = backgroundMeasures(a);
    const out: BackgroundUniformMeasures = { spread: base.spread, gradient: base.gradient, patch: 0, patchAt: null, others: 0 };
    if (!base.rgb || !a.mask || !a.face) return out;
    const { width: W, height: H, data } = a.img;
    const gw = Math.ceil(W / 2), gh = Math.ceil(H / 2), n = gw * gh;
    const person = new Uint8Array(n);
    for (let y = 0; y < gh; y++) for (let x = 0; x < gw; x++) person[y * gw + x] = a.mask.alpha[2 * y * W + 2 * x] >= 128 ? 1 : 0;
    const bandCells = Math.max(2, Math.round((BACKGROUND_LOCAL.band * W) / 2));
    const near = morph(person, gw, gh, bandCells, true);
    // The palette comes from deep inside the mask (an object the mask swallowed beside the hair stays out).
    const core = morph(person, gw, gh, bandCells, false);
    const B = rgbToLab(base.rgb[0], base.rgb[1], base.rgb[2]);
    const labAt = (cell: number): Lab => {
      const x = cell % gw, y = (cell - x) / gw;
      const p = (2 * y * W + 2 * x) * 3;
      return rgbToLab(data[p], data[p + 1], data[p + 2]);
    };
    // The person's palette: 8 levels per channel over the mask's core; bins holding ≥ 0.3 % of it.
    const bins = new Map<number, { n: number; lab: [number, number, number] }>();
    let coreN = 0;
    for (let i = 0; i < n; i += 2) {
      if (!core[i]) continue;
      const x = i % gw, y = (i - x) / gw, p = (2 * y * W + 2 * x) * 3;
      const key = ((data[p] >> 5) << 6) | ((data[p + 1] >> 5) << 3) | (data[p + 2] >> 5);
      const c = rgbToLab(data[p], data[p + 1], data[p + 2]);
      const b = bins.get(key) ?? { n: 0, lab: [0, 0, 0] };
      b.n++; b.lab[0] += c[0]; b.lab[1] += c[1]; b.lab[2] += c[2];
      bins.set(key, b);
      coreN++;
    }
    const palette: Lab[] = [...bins.values()].filter((b) => b.n >= coreN * 0.003).map((b) => [b.lab[0] / b.n, b.lab[1] / b.n, b.lab[2] / b.n]);
    // Off-colour background cells.
    const off = new Uint8Array(n);
    const nearPalette = (c: Lab) => {
      for (const p of palette) if (Math.hypot(c[0] - p[0], c[1] - p[1], c[2] - p[2]) <= BACKGROUND_LOCAL.maxPaletteDeltaE) return true;
      return false;
    };
    for (let i = 0; i < n; i++) {
      if (core[i]) continue;
      const c = labAt(i);
      if (person[i]) {
        // The mask's outer rim: an object or a leftover the mask took in is neither a colour of the person
        // nor a mix of the person and the background.
        if (nearPalette(c)) continue;
        let best = Infinity;
        for (const p of palette) { const sd = segmentDistance(c, B, p); if (sd < best) best = sd; if (best <= BACKGROUND_LOCAL.maxMixDeltaE) break; }
        if (best > BACKGROUND_LOCAL.maxMixDeltaE) off[i] = 1;
        continue;
      }
      const d = Math.hypot(c[0] - B[0], c[1] - B[1], c[2] - B[2]);
      if (d <= BACKGROUND_LOCAL.maxDeltaE) continue;
      if (near[i]) {
        let best = Infinity;
        for (const p of palette) { const s = segmentDistance(c, B, p); if (s < best) best = s; if (best <= BACKGROUND_LOCAL.maxMixDeltaE) break; }
        if (best <= BACKGROUND_LOCAL.maxMixDeltaE) continue;
      }
      off[i] = 1;
    }
    const offC = components(off, gw, gh);
    let bestId = -1;
    for (let k = 0; k < offC.sizes.length; k++) if (bestId < 0 || offC.sizes[k] > offC.sizes[bestId]) bestId = k;
    if (bestId >= 0) {
      out.patch = offC.sizes[bestId] / n;
      let sx = 0, sy = 0;
      for (let i = 0; i < n; i++) if (offC.label[i] === bestId) { sx += i % gw; sy += Math.floor(i / gw); }
      out.patchAt = [Math.round((2 * sx) / offC.sizes[bestId]), Math.round((2 * sy) / offC.sizes[bestId])];
    }
    // Other people / objects in the person mask: components not holding the nose, and mask touching a
    // side edge above the chin (the student's shoulders meet the sides below it).
    const pc = components(person, gw, gh);
    const nose = pt(a.face, MESH.noseTip);
    const main = pc.label[Math.min(gh - 1, Math.max(0, Math.round(nose[1] / 2))) * gw + Math.min(gw - 1, Math.max(0, Math.round(nose[0] / 2)))];
    let others = 0;
    for (let k = 0; k < pc.sizes.length; k++) if (k !== main) others += pc.sizes[k];
    const shoulderY = Math.min(gh, Math.round(pt(a.face, MESH.chin)[1] / 2));
    let edge = 0;
    for (let y = 0; y < shoulderY; y++) {
      for (const x0 of [0, gw - 1]) {
        // Count the run of mask cells inward from this edge cell (how far the touching region reaches).
        const dir = x0 === 0 ? 1 : -1;
        for (let x = x0, k = 0; k < gw / 6 && person[y * gw + x] && pc.label[y * gw + x] === main; x += dir, k++) edge++;
      }
    }
    out.others = (others + edge) / n;
    return out;
  });
}

const r1 = (v: number) => Math.round(v * 10) / 10;
const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

/** The background.uniform check on the shared analysis. */
export function checkBackgroundUniform(a: FaceAnalysis, L: PhotoLimits, minShare: number): CheckResult {
  const id = 'background.uniform' as const;
  const base = backgroundMeasures(a);
  const limit = { maxSpread: L.maxBackgroundSpread, maxGradient: L.maxBackgroundGradient, maxPatch: BACKGROUND_LOCAL.failPatch, maxOthers: BACKGROUND_LOCAL.failOthers };
  const hint = '请在均匀无阴影的纯色背景前拍摄，背景不得有其他人或物';
  if (!base.rgb || base.share < minShare) {
    return { id, status: 'review', value: null, limit, message: '可见背景过少，无法判断背景是否均匀，请人工确认', hint: '背景不得有阴影、其他人或物', code: 'BACKGROUND_TOO_SMALL' };
  }
  const m = backgroundUniformMeasures(a);
  const value = { spread: r1(m.spread), gradient: r1(m.gradient), patch: Math.round(m.patch * 1e5) / 1e5, others: Math.round(m.others * 1e5) / 1e5 };
  const where = m.patchAt ? `（约在 x=${m.patchAt[0]}、y=${m.patchAt[1]} 处）` : '';
  const problems: string[] = [];
  const codes: string[] = [];
  if (m.spread > L.maxBackgroundSpread) { problems.push(`背景颜色离散度 ΔE ${r1(m.spread)}，超过 ${L.maxBackgroundSpread}（有杂物、阴影、边框或图案）`); codes.push('BACKGROUND_SPREAD'); }
  if (m.gradient > L.maxBackgroundGradient) { problems.push(`背景两侧／上下色差 ΔE2000 ${r1(m.gradient)}，超过 ${L.maxBackgroundGradient}（渐变或阴影）`); codes.push('BACKGROUND_GRADIENT'); }
  if (m.patch > BACKGROUND_LOCAL.failPatch) { problems.push(`背景中有一块与背景颜色不同的区域，占画面 ${pct(m.patch)}${where}，超过 ${pct(BACKGROUND_LOCAL.failPatch)}（杂物、阴影或换背景残留的原背景）`); codes.push('BACKGROUND_PATCH'); }
  if (m.others > BACKGROUND_LOCAL.failOthers) { problems.push(`人像以外还有人形或物体区域，占画面 ${pct(m.others)}（超过 ${pct(BACKGROUND_LOCAL.failOthers)}），背景中疑有其他人或物`); codes.push('BACKGROUND_OTHER_PERSON'); }
  if (problems.length) return { id, status: 'fail', value, limit, message: problems.join('；'), hint, code: codes[0] };
  if (m.patch > BACKGROUND_LOCAL.reviewPatch) {
    return { id, status: 'review', value, limit, message: `背景中有一小块与背景颜色不同的区域，占画面 ${pct(m.patch)}${where}，请人工确认是否有杂物、阴影或原背景残留`, hint, code: 'BACKGROUND_PATCH' };
  }
  return { id, status: 'pass', value, limit, message: `背景均匀：离散度 ΔE ${r1(m.spread)}（≤ ${L.maxBackgroundSpread}），色差 ${r1(m.gradient)}（≤ ${L.maxBackgroundGradient}），未见杂物、阴影或他人` };
}
