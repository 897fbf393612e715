/**
 * `hair.eyebrows` — hair must not cover the eyebrows (头发不得遮挡眉毛).
 *
 * Native value: per brow, the share of skin in the forehead band just above it (from 0.05 to 0.2 IPD
 * above the top of the brow, over the brow's width). With the brows free this band is forehead skin;
 * bangs down to or over the brows replace it with hair. A brow whose band shows less than
 * `MIN_SKIN_ABOVE_BROW` skin is reported; `FAIL_SKIN_ABOVE_BROW` on both brows fails.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, memo, r2, ruleResult, sampleBox, skinShare } from './frame.js';

export const MIN_SKIN_ABOVE_BROW = 0.35;
export const FAIL_SKIN_ABOVE_BROW = 0.05;

/** Upper-brow mesh points, left brow as seen then right. */
export const BROW_UPPER = [[70, 63, 105, 66, 107], [336, 296, 334, 293, 300]] as const;

export function measureHairEyebrows(a: FaceAnalysis): { skin: [number | null, number | null] } {
  return memo(a, 'rules.hairBrows', () => {
    const F = faceFrame(a);
    const one = (pts: readonly number[]): number | null => {
      const uv = pts.map((i) => F.uv(i));
      const us = uv.map((p) => p[0]), top = Math.min(...uv.map((p) => p[1]));
      const s = sampleBox(a, Math.min(...us) + 0.05, Math.max(...us) - 0.05, top - 0.2, top - 0.05, 0.025);
      return s.lab.length < s.requested * 0.6 ? null : skinShare(a, s);
    };
    return { skin: [one(BROW_UPPER[0]), one(BROW_UPPER[1])] };
  });
}

export function checkHairEyebrows(a: FaceAnalysis): CheckResult {
  const { skin: [l, r] } = measureHairEyebrows(a);
  const value = { left: l === null ? null : r2(l), right: r === null ? null : r2(r) };
  const limit = MIN_SKIN_ABOVE_BROW;
  const hint = '头发不得遮挡眉毛，请将刘海梳起或拨开，露出双眉';
  if (l === null || r === null) return ruleResult('hair.eyebrows', 'review', value, limit, '眉毛上方区域超出画面，无法判断头发是否遮挡眉毛，请人工确认', hint, 'HAIR_BROWS_UNMEASURED');
  if (l < FAIL_SKIN_ABOVE_BROW && r < FAIL_SKIN_ABOVE_BROW) {
    return ruleResult('hair.eyebrows', 'fail', value, limit, `双眉上方几乎不见额头皮肤（左 ${r2(l)}、右 ${r2(r)}，要求 ≥ ${limit}），头发（刘海）遮挡眉毛`, hint, 'HAIR_OVER_BROWS');
  }
  if (l < limit || r < limit) {
    const which = l < limit && r < limit ? '双眉' : l < limit ? '左侧眉毛（画面左侧）' : '右侧眉毛（画面右侧）';
    return ruleResult('hair.eyebrows', 'review', value, limit, `${which}上方额头皮肤偏少（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}），疑似刘海遮挡眉毛，请人工查看眉毛是否完整露出`, hint, 'HAIR_OVER_BROWS_SUSPECT');
  }
  return ruleResult('hair.eyebrows', 'pass', value, limit, `双眉上方可见额头皮肤（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}），头发未遮挡眉毛`);
}
