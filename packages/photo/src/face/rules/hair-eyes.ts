/**
 * `hair.eyes` — hair must not cover the eyes (头发不得遮挡眼睛).
 *
 * Native value: per eye, the share of free skin on the upper lid — the band from 0.06 IPD below the brow
 * to just above the lid's edge, over the eye's width — and the share of hair-strand texture there (see
 * `hairTextured` in hair-eyebrows.ts; a skin-coloured blond or grey lock is told from the lid by it).
 * Free eyes show lid skin there; a fringe or a lock of hair over an eye replaces it with hair. An eye
 * whose lid shows less than `MIN_LID_SKIN` free skin or at least `MIN_LID_HAIR` strands while the
 * forehead above its brow is covered too (hair.eyebrows below its limit: hair comes down from above) is
 * reported — a dark or deep-set lid under a free brow is not. Below `FAIL_LID_SKIN`, with the brow above
 * below hair.eyebrows' fail limit too, it fails.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, memo, r2, ruleResult, sampleBox } from './frame.js';
import { FAIL_SKIN_ABOVE_BROW, MIN_SKIN_ABOVE_BROW, freeSkinAndHair, measureHairEyebrows } from './hair-eyebrows.js';

export const MIN_LID_SKIN = 0.15;
export const FAIL_LID_SKIN = 0.03;
/** Share of strand-textured points on a lid that counts as hair over it (compliant lids ≤ 0.17, London). */
export const MIN_LID_HAIR = 0.4;

/** Eye corners (outer, inner), upper lid, and the lower brow point above, per eye as seen. */
const EYES = [
  { outer: 33, inner: 133, lid: 159, brow: 52 },
  { outer: 263, inner: 362, lid: 386, brow: 282 },
] as const;

type Lid = { free: number; hair: number } | null;

export function measureHairEyes(a: FaceAnalysis): {
  lidSkin: [number | null, number | null];
  lidHair: [number | null, number | null];
} {
  return memo(a, 'rules.hairEyes', () => {
    const F = faceFrame(a);
    const one = (e: (typeof EYES)[number]): Lid => {
      const u0 = Math.min(F.uv(e.outer)[0], F.uv(e.inner)[0]),
        u1 = Math.max(F.uv(e.outer)[0], F.uv(e.inner)[0]);
      const v0 = F.uv(e.brow)[1] + 0.06,
        v1 = Math.max(v0 + 0.04, F.uv(e.lid)[1] - 0.03);
      const s = sampleBox(a, u0 + 0.04, u1 - 0.04, v0, v1, 0.02);
      if (s.lab.length < s.requested * 0.6 || s.lab.length === 0) return null;
      return freeSkinAndHair(a, s);
    };
    const [l, r] = [one(EYES[0]), one(EYES[1])];
    return { lidSkin: [l?.free ?? null, r?.free ?? null], lidHair: [l?.hair ?? null, r?.hair ?? null] };
  });
}

export function checkHairEyes(a: FaceAnalysis): CheckResult {
  const m = measureHairEyes(a);
  const [l, r] = m.lidSkin;
  const n = (x: number | null) => (x === null ? null : r2(x));
  const value = { left: n(l), right: n(r), hairLeft: n(m.lidHair[0]), hairRight: n(m.lidHair[1]) };
  const limit = { lidSkin: MIN_LID_SKIN, lidHair: MIN_LID_HAIR };
  const hint = '头发不得遮挡眼睛，请将头发拨开，露出双眼';
  if (l === null || r === null)
    return ruleResult(
      'hair.eyes',
      'review',
      value,
      limit,
      '眼部区域超出画面，无法判断头发是否遮挡眼睛，请人工确认',
      hint,
      'HAIR_EYES_UNMEASURED',
    );
  // Hair over an eye comes down from above: the brow on that side is covered too. A lid without skin under
  // a free brow is a dark or deep-set lid (or make-up), not hair.
  const brows = measureHairEyebrows(a).skin;
  const hair = [m.lidHair[0] ?? 0, m.lidHair[1] ?? 0];
  const low = [
    (l < MIN_LID_SKIN || hair[0] >= MIN_LID_HAIR) && (brows[0] ?? 1) < MIN_SKIN_ABOVE_BROW,
    (r < MIN_LID_SKIN || hair[1] >= MIN_LID_HAIR) && (brows[1] ?? 1) < MIN_SKIN_ABOVE_BROW,
  ];
  const covered = (lid: number, brow: number | null) =>
    lid < FAIL_LID_SKIN && brow !== null && brow < FAIL_SKIN_ABOVE_BROW;
  const figures = `上眼睑皮肤 左 ${r2(l)}、右 ${r2(r)}，发丝纹理 左 ${r2(hair[0])}、右 ${r2(hair[1])}`;
  if (covered(l, brows[0]) || covered(r, brows[1])) {
    const which =
      covered(l, brows[0]) && covered(r, brows[1])
        ? '双眼'
        : covered(l, brows[0])
          ? '左眼（画面左侧）'
          : '右眼（画面右侧）';
    return ruleResult(
      'hair.eyes',
      'fail',
      value,
      limit,
      `${which}上眼睑处不见皮肤（${figures}；要求皮肤 ≥ ${MIN_LID_SKIN}），头发遮挡眼睛`,
      hint,
      'HAIR_OVER_EYES',
    );
  }
  if (low[0] || low[1]) {
    const which = low[0] && low[1] ? '双眼' : low[0] ? '左眼（画面左侧）' : '右眼（画面右侧）';
    return ruleResult(
      'hair.eyes',
      'review',
      value,
      limit,
      `${which}上眼睑处皮肤偏少或有发丝（${figures}；参考 皮肤 ≥ ${MIN_LID_SKIN}、发丝 < ${MIN_LID_HAIR}），疑似头发遮挡眼睛，请人工查看`,
      hint,
      'HAIR_OVER_EYES_SUSPECT',
    );
  }
  return ruleResult(
    'hair.eyes',
    'pass',
    value,
    limit,
    `双眼上眼睑可见皮肤（${figures}；参考 皮肤 ≥ ${MIN_LID_SKIN}、发丝 < ${MIN_LID_HAIR}），头发未遮挡眼睛`,
  );
}
