/**
 * `headwear` — no hat, cap, headband or hair ornament (严禁佩戴帽子、发饰).
 *
 * Native values, measured on the head above the forehead (the crown: from the head top to the mesh's
 * forehead top, |u| ≤ 0.95 IPD, inside the person):
 * - `foreign`: the share of crown points that are neither skin nor hair. Hair is the colour of the
 *   person's own hair beside the temples when it can be seen there (ΔE2000 < 14), and otherwise what hair
 *   looks like: dark (L* < 38, chroma < 22) or low-chroma brown to blond (chroma < 28, hue 35°–100°).
 *   Hats, caps, headbands, bows, clips and flowers are of another material and colour.
 * - `height`: the head top above the pupils in IPD (a hat's crown or piled-up headwear stands above the
 *   hair; London portraits: at most 2.4).
 * - `forehead`: the skin share of the upper forehead (5–30 % of the way from the mesh's forehead top to
 *   the brows, |u| ≤ 0.4): a brim, a cap's visor or a band across the forehead covers it whatever its
 *   colour — so does a thick fringe, which the review message names.
 * - `blob`: the area (IPD²) of the largest connected patch of foreign points — one bow, clip or flower
 *   is a compact object, stray highlights and the background's fringe are scattered.
 * `foreign` ≥ `MIN_FOREIGN`, `blob` ≥ `MIN_BLOB`, `forehead` < `MIN_FOREHEAD_SKIN` or `height` > `MAX_HEAD_HEIGHT` → `review`;
 * `foreign` ≥ `FAIL_FOREIGN` → `fail`. A crown outside the picture → `review` (not measured).
 */
import type { CheckResult } from '../../types.js';
import { deltaE2000, type Lab } from '../colour.js';
import type { FaceAnalysis } from '../analysis.js';
import { backgroundLab, faceFrame, inPerson, memo, r2, ruleResult, sampleBox, skinModel } from './frame.js';

export const MIN_FOREIGN = 0.2;
/** Largest compact patch of foreign points (IPD²) that is reported: a bow, a clip, a flower, a band. */
export const MIN_BLOB = 0.15;
export const FAIL_FOREIGN = 0.7;
export const MAX_HEAD_HEIGHT = 2.6;
export const MIN_FOREHEAD_SKIN = 0.3;
const STEP = 0.03;

/** Hair colour from the hair beside the temples (outside the face, inside the person), if enough is seen. */
function hairReference(a: FaceAnalysis): Lab | null {
  const sk = skinModel(a);
  const bg = backgroundLab(a);
  const labs: Lab[] = [];
  for (const sign of [-1, 1]) {
    const s = sampleBox(a, sign < 0 ? -1.3 : 1.0, sign < 0 ? -1.0 : 1.3, -0.7, 0.1, 0.04, (i) => inPerson(a, i));
    for (const c of s.lab) if (!sk.isSkin(c) && !(bg && deltaE2000(c, bg) < 15)) labs.push(c);
  }
  if (labs.length < 20) return null;
  const m = (k: 0 | 1 | 2) => labs.map((c) => c[k]).sort((x, y) => x - y)[labs.length >> 1];
  return [m(0), m(1), m(2)];
}

export function hairLike(c: Lab, ref: Lab | null): boolean {
  const chroma = Math.hypot(c[1], c[2]);
  if (ref && deltaE2000(c, ref) < 16) return true;
  if (c[0] < 45 && chroma < 25) return true;
  const hue = (Math.atan2(c[2], c[1]) * 180) / Math.PI;
  return chroma < 28 && hue >= 35 && hue <= 100;
}

export interface HeadwearMeasure {
  foreign: number;
  /** Area (IPD²) of the largest 4-connected patch of foreign points: headwear is one compact object. */
  blob: number;
  /** Skin share of the upper forehead (a brim, a cap's visor or a band covers it). */
  forehead: number;
  height: number;
  /** Face-frame box of the foreign points (where to look), null when none. */
  where: { u0: number; u1: number; v0: number; v1: number } | null;
  measured: boolean;
}

export function measureHeadwear(a: FaceAnalysis): HeadwearMeasure {
  return memo(a, 'rules.headwear', () => {
    const F = faceFrame(a);
    const [ox, oy] = F.at(0, 0);
    const topV = (a.headTop.y - oy) / F.ipd;
    void ox;
    const height = -topV;
    const v1 = F.uv(10)[1] - 0.05;
    const sk = skinModel(a);
    // A bald or shaved crown is skin too, with the highlight of a lit scalp.
    const scalp = (c: Lab) => Math.hypot(c[1] - sk.lab[1], c[2] - sk.lab[2]) < 12 && c[0] > sk.lab[0] - 35 && c[0] < sk.lab[0] + 30;
    const ref = hairReference(a);
    const s = sampleBox(a, -0.95, 0.95, Math.min(topV, v1 - 0.3) - 0.1, v1, STEP, (i) => inPerson(a, i));
    let foreign = 0;
    let box: HeadwearMeasure['where'] = null;
    const grid = new Map<string, number>();
    const key = (u: number, v: number) => `${Math.round(u / STEP)},${Math.round(v / STEP)}`;
    s.lab.forEach((c, k) => {
      if (scalp(c) || hairLike(c, ref)) return;
      foreign++;
      grid.set(key(s.at[k][0], s.at[k][1]), k);
      const [u, v] = s.at[k];
      box = box ? { u0: Math.min(box.u0, u), u1: Math.max(box.u1, u), v0: Math.min(box.v0, v), v1: Math.max(box.v1, v) } : { u0: u, u1: u, v0: v, v1: v };
    });
    const measured = s.lab.length >= 40;
    // Largest patch of foreign grid points (4-neighbours).
    let blob = 0;
    const seen = new Set<string>();
    for (const start of grid.keys()) {
      if (seen.has(start)) continue;
      let size = 0;
      const stack = [start];
      seen.add(start);
      while (stack.length) {
        const [i, j] = stack.pop()!.split(',').map(Number);
        size++;
        for (const nb of [`${i + 1},${j}`, `${i - 1},${j}`, `${i},${j + 1}`, `${i},${j - 1}`]) {
          if (grid.has(nb) && !seen.has(nb)) { seen.add(nb); stack.push(nb); }
        }
      }
      blob = Math.max(blob, size * STEP * STEP);
    }
    // Upper forehead: from 5 % to 30 % of the way from the mesh's forehead top down to the brows.
    const top10 = F.uv(10)[1], h = Math.max(0.2, F.uv(105)[1] - top10);
    const fh = sampleBox(a, -0.4, 0.4, top10 + 0.05 * h, top10 + 0.3 * h, 0.025);
    const forehead = fh.lab.length ? fh.lab.filter((c) => sk.isSkin(c)).length / fh.lab.length : 0;
    return { foreign: s.lab.length ? foreign / s.lab.length : 0, blob, forehead, height, where: box, measured };
  });
}

export function checkHeadwear(a: FaceAnalysis): CheckResult {
  const m = measureHeadwear(a);
  const value = { foreign: r2(m.foreign), blob: Math.round(m.blob * 1000) / 1000, forehead: r2(m.forehead), height: r2(m.height) };
  const limit = { maxForeign: MIN_FOREIGN, maxBlob: MIN_BLOB, minForehead: MIN_FOREHEAD_SKIN, maxHeight: MAX_HEAD_HEIGHT };
  const hint = '不得佩戴帽子、发箍、发卡、头花等头饰，请摘下后重新拍摄';
  if (!m.measured || a.headTop.touchesTop) return ruleResult('headwear', 'review', value, limit, '头顶区域不在画面内或过小，无法判断有无帽子、头饰，请人工确认', hint, 'HEADWEAR_UNMEASURED');
  const F = faceFrame(a);
  const where = m.where ? (() => {
    const [x0, y0] = F.at(m.where.u0, m.where.v0), [x1, y1] = F.at(m.where.u1, m.where.v1);
    return `（约 x ${Math.round(Math.min(x0, x1))}–${Math.round(Math.max(x0, x1))}，y ${Math.round(Math.min(y0, y1))}–${Math.round(Math.max(y0, y1))}）`;
  })() : '';
  if (m.foreign >= FAIL_FOREIGN) return ruleResult('headwear', 'fail', value, limit, `头顶有大片非头发、非皮肤的物体${where}，占头顶区域 ${Math.round(m.foreign * 100)}%（允许 < ${Math.round(MIN_FOREIGN * 100)}%），判定为戴帽子或头饰`, hint, 'HEADWEAR');
  if (m.foreign >= MIN_FOREIGN || m.blob >= MIN_BLOB) return ruleResult('headwear', 'review', value, limit, `头顶有颜色不同于头发和皮肤的物体${where}，占头顶区域 ${Math.round(m.foreign * 100)}%（参考上限 ${Math.round(MIN_FOREIGN * 100)}%），疑似帽子、发箍、发卡或头花，请人工查看`, hint, 'HEADWEAR_SUSPECT');
  if (m.forehead < MIN_FOREHEAD_SKIN) return ruleResult('headwear', 'review', value, limit, `额头上部几乎不见皮肤（${Math.round(m.forehead * 100)}%，参考下限 ${Math.round(MIN_FOREHEAD_SKIN * 100)}%），可能是帽檐、帽舌、发带或厚刘海，请人工查看额头和头顶`, hint, 'HEADWEAR_SUSPECT');
  if (m.height > MAX_HEAD_HEIGHT) return ruleResult('headwear', 'review', value, limit, `头顶高出眼睛 ${r2(m.height)} 倍瞳距（参考上限 ${MAX_HEAD_HEIGHT}），疑似戴帽子、头饰或发型过高，请人工确认`, hint, 'HEADWEAR_SUSPECT');
  return ruleResult('headwear', 'pass', value, limit, `头顶只见头发和皮肤（其他物体占 ${Math.round(m.foreign * 100)}%，头顶高出眼睛 ${r2(m.height)} 倍瞳距），未见帽子或头饰`);
}
