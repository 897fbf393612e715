/**
 * `ears` — both ears visible, not covered by hair (双耳露出，头发不得遮挡耳朵).
 *
 * Native value: per ear, the share of skin-coloured points in the band just outside the face contour
 * (from |u| of the contour + 0.03 to + 0.3 IPD) between the eye line and the nose bottom — where a
 * visible ear is seen from the front. Hair over the ear, or a head-scarf, leaves no skin there.
 * Skin-coloured hair (blond, grey, or hair as dark as dark skin) is told by its strand texture: the share of
 * points with hair-strand texture (`hairTextured`, hair-eyebrows.ts) in the same band — compliant London
 * ears (their outline and the hair behind them included) ≤ 0.56 per ear on the lower side, a lock over the
 * ear ≥ 0.68, real hair over the ears (003) 0.54–0.59.
 * An ear counts as visible at a skin share of `MIN_EAR_SKIN` with less than `MAX_EAR_HAIR` strands; when
 * neither ear is visible the rule says
 * `review` (a head turned a little hides one ear, so one low ear alone is not reported), and when the
 * band lies outside the picture it says `review` because it could not look.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, memo, r2, ruleResult, sampleBox, skinShare } from './frame.js';
import { freeSkinAndHair } from './hair-eyebrows.js';

/** Skin share beside the cheek above which an ear counts as visible (London set, see eval). */
export const MIN_EAR_SKIN = 0.1;
/** Share of strand-textured points beside the cheek from which the ear counts as covered by hair. */
export const MAX_EAR_HAIR = 0.6;

export interface EarMeasure {
  /** Skin share beside the left / right cheek (as seen); null where the band is outside the picture. */
  skin: [number | null, number | null];
  /** Share of hair-strand texture in the same bands. */
  hair: [number | null, number | null];
}

export function measureEars(a: FaceAnalysis): EarMeasure {
  return memo(a, 'rules.ears', () => {
    const F = faceFrame(a);
    const side = (pts: number[], sign: number): { skin: number; hair: number } | null => {
      const edge = Math.max(...pts.map((i) => sign * F.uv(i)[0]));
      const v0 = 0,
        v1 = Math.max(0.3, F.uv(2)[1]);
      const u0 = sign < 0 ? -(edge + 0.3) : edge + 0.03,
        u1 = sign < 0 ? -(edge + 0.03) : edge + 0.3;
      const s = sampleBox(a, u0, u1, v0, v1, 0.03);
      if (s.lab.length < s.requested * 0.6) return null;
      return { skin: skinShare(a, s), hair: freeSkinAndHair(a, s).hair };
    };
    const [l, r] = [side([127, 234, 93], -1), side([356, 454, 323], 1)];
    return { skin: [l?.skin ?? null, r?.skin ?? null], hair: [l?.hair ?? null, r?.hair ?? null] };
  });
}

export function checkEars(a: FaceAnalysis): CheckResult {
  const m = measureEars(a);
  const [l, r] = m.skin;
  const n = (x: number | null) => (x === null ? null : r2(x));
  const value = { left: n(l), right: n(r), hairLeft: n(m.hair[0]), hairRight: n(m.hair[1]) };
  const lim = { skin: MIN_EAR_SKIN, hair: MAX_EAR_HAIR };
  if (l === null || r === null) {
    return ruleResult(
      'ears',
      'review',
      value,
      lim,
      '耳部区域超出画面，无法判断双耳是否露出，请人工确认',
      '头发不得遮挡耳朵，请将头发拢到耳后',
      'EARS_UNMEASURED',
    );
  }
  const hl = m.hair[0] ?? 0,
    hr = m.hair[1] ?? 0;
  const figures = `肤色占比 左 ${r2(l)}、右 ${r2(r)}，发丝纹理 左 ${r2(hl)}、右 ${r2(hr)}；参考 肤色 ≥ ${MIN_EAR_SKIN}、发丝 < ${MAX_EAR_HAIR}`;
  const visible = (skin: number, hair: number) => skin >= MIN_EAR_SKIN && hair < MAX_EAR_HAIR;
  if (!visible(l, hl) && !visible(r, hr)) {
    const why = hl >= MAX_EAR_HAIR && hr >= MAX_EAR_HAIR ? '两侧耳部区域布满发丝' : '两侧耳部区域几乎不见肤色';
    return ruleResult(
      'ears',
      'review',
      value,
      lim,
      `${why}（${figures}），疑似头发遮挡耳朵，请人工确认双耳是否露出`,
      '头发不得遮挡耳朵，请将头发拢到耳后',
      'EARS_COVERED',
    );
  }
  return ruleResult('ears', 'pass', value, lim, `耳部可见（${figures}）`);
}
