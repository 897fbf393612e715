/**
 * `hair.eyes` — hair must not cover the eyes (头发不得遮挡眼睛).
 *
 * Native value: per eye, the share of skin on the upper lid — the band from 0.06 IPD below the brow to
 * just above the lid's edge, over the eye's width. Free eyes show lid skin there; a fringe or a lock of
 * hair over an eye replaces it with hair. An eye whose lid shows less than `MIN_LID_SKIN` skin while the
 * forehead above its brow is covered too (hair.eyebrows below its limit: hair comes down from above) is
 * reported — a dark or deep-set lid under a free brow is not. Below `FAIL_LID_SKIN`, with the brow above
 * below hair.eyebrows' fail limit too, it fails.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, memo, r2, ruleResult, sampleBox, skinShare } from './frame.js';
import { FAIL_SKIN_ABOVE_BROW, MIN_SKIN_ABOVE_BROW, measureHairEyebrows } from './hair-eyebrows.js';

export const MIN_LID_SKIN = 0.15;
export const FAIL_LID_SKIN = 0.03;

/** Eye corners (outer, inner), upper lid, and the lower brow point above, per eye as seen. */
const EYES = [{ outer: 33, inner: 133, lid: 159, brow: 52 }, { outer: 263, inner: 362, lid: 386, brow: 282 }] as const;

export function measureHairEyes(a: FaceAnalysis): { lidSkin: [number | null, number | null] } {
  return memo(a, 'rules.hairEyes', () => {
    const F = faceFrame(a);
    const one = (e: (typeof EYES)[number]): number | null => {
      const u0 = Math.min(F.uv(e.outer)[0], F.uv(e.inner)[0]), u1 = Math.max(F.uv(e.outer)[0], F.uv(e.inner)[0]);
      const v0 = F.uv(e.brow)[1] + 0.06, v1 = Math.max(v0 + 0.04, F.uv(e.lid)[1] - 0.03);
      const s = sampleBox(a, u0 + 0.04, u1 - 0.04, v0, v1, 0.02);
      if (s.lab.length < s.requested * 0.6 || s.lab.length === 0) return null;
      return skinShare(a, s);
    };
    return { lidSkin: [one(EYES[0]), one(EYES[1])] };
  });
}

export function checkHairEyes(a: FaceAnalysis): CheckResult {
  const { lidSkin: [l, r] } = measureHairEyes(a);
  const value = { left: l === null ? null : r2(l), right: r === null ? null : r2(r) };
  const limit = MIN_LID_SKIN;
  const hint = '头发不得遮挡眼睛，请将头发拨开，露出双眼';
  if (l === null || r === null) return ruleResult('hair.eyes', 'review', value, limit, '眼部区域超出画面，无法判断头发是否遮挡眼睛，请人工确认', hint, 'HAIR_EYES_UNMEASURED');
  // Hair over an eye comes down from above: the brow on that side is covered too. A lid without skin under
  // a free brow is a dark or deep-set lid (or make-up), not hair.
  const browsNow = measureHairEyebrows(a).skin;
  const low = [l < limit && (browsNow[0] ?? 1) < MIN_SKIN_ABOVE_BROW, r < limit && (browsNow[1] ?? 1) < MIN_SKIN_ABOVE_BROW];
  // Fails only when the same side's brow is covered too: hair over an eye comes down over the brow.
  const brows = measureHairEyebrows(a).skin;
  const covered = (lid: number, brow: number | null) => lid < FAIL_LID_SKIN && brow !== null && brow < FAIL_SKIN_ABOVE_BROW;
  if (covered(l, brows[0]) || covered(r, brows[1])) {
    return ruleResult('hair.eyes', 'fail', value, limit, `${l < FAIL_LID_SKIN && r < FAIL_LID_SKIN ? '双眼' : l < FAIL_LID_SKIN ? '左眼（画面左侧）' : '右眼（画面右侧）'}上眼睑处不见皮肤（左 ${r2(l)}、右 ${r2(r)}，要求 ≥ ${limit}），头发遮挡眼睛`, hint, 'HAIR_OVER_EYES');
  }
  if (low[0] || low[1]) {
    return ruleResult('hair.eyes', 'review', value, limit, `${low[0] && low[1] ? '双眼' : low[0] ? '左眼（画面左侧）' : '右眼（画面右侧）'}上眼睑处皮肤偏少（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}），疑似头发遮挡眼睛，请人工查看`, hint, 'HAIR_OVER_EYES_SUSPECT');
  }
  return ruleResult('hair.eyes', 'pass', value, limit, `双眼上眼睑可见皮肤（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}），头发未遮挡眼睛`);
}
