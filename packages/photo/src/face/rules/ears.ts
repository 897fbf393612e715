/**
 * `ears` — both ears visible, not covered by hair (双耳露出，头发不得遮挡耳朵).
 *
 * Native value: per ear, the share of skin-coloured points in the band just outside the face contour
 * (from |u| of the contour + 0.03 to + 0.3 IPD) between the eye line and the nose bottom — where a
 * visible ear is seen from the front. Hair over the ear, or a head-scarf, leaves no skin there.
 * An ear counts as visible at a share of `MIN_EAR_SKIN`; when both ears are below it the rule says
 * `review` (a head turned a little hides one ear, so one low ear alone is not reported), and when the
 * band lies outside the picture it says `review` because it could not look.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, memo, r2, ruleResult, sampleBox, skinShare } from './frame.js';

/** Skin share beside the cheek above which an ear counts as visible (London set, see eval). */
export const MIN_EAR_SKIN = 0.1;

export interface EarMeasure {
  /** Skin share beside the left / right cheek (as seen); null where the band is outside the picture. */
  skin: [number | null, number | null];
}

export function measureEars(a: FaceAnalysis): EarMeasure {
  return memo(a, 'rules.ears', () => {
    const F = faceFrame(a);
    const side = (pts: number[], sign: number): number | null => {
      const edge = Math.max(...pts.map((i) => sign * F.uv(i)[0]));
      const v0 = 0, v1 = Math.max(0.3, F.uv(2)[1]);
      const u0 = sign < 0 ? -(edge + 0.3) : edge + 0.03, u1 = sign < 0 ? -(edge + 0.03) : edge + 0.3;
      const s = sampleBox(a, u0, u1, v0, v1, 0.03);
      if (s.lab.length < s.requested * 0.6) return null;
      return skinShare(a, s);
    };
    return { skin: [side([127, 234, 93], -1), side([356, 454, 323], 1)] };
  });
}

export function checkEars(a: FaceAnalysis): CheckResult {
  const m = measureEars(a);
  const [l, r] = m.skin;
  const value = { left: l === null ? null : r2(l), right: r === null ? null : r2(r) };
  const lim = MIN_EAR_SKIN;
  if (l === null || r === null) {
    return ruleResult('ears', 'review', value, lim, '耳部区域超出画面，无法判断双耳是否露出，请人工确认', '头发不得遮挡耳朵，请将头发拢到耳后', 'EARS_UNMEASURED');
  }
  if (l < lim && r < lim) {
    return ruleResult('ears', 'review', value, lim, `两侧耳部区域几乎不见肤色（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${lim}），疑似头发遮挡耳朵，请人工确认双耳是否露出`, '头发不得遮挡耳朵，请将头发拢到耳后', 'EARS_COVERED');
  }
  return ruleResult('ears', 'pass', value, lim, `耳部可见（肤色占比 左 ${r2(l)}、右 ${r2(r)}，参考下限 ${lim}）`);
}
