/**
 * `hair.eyebrows` — hair must not cover the eyebrows (头发不得遮挡眉毛).
 *
 * Native value: per brow, the share of *free forehead skin* in the band just above it (from 0.05 to 0.2
 * IPD above the top of the brow, over the brow's width): points of the face's skin colour that do not
 * show hair-strand texture (`hairTextured`). With the brows free this band is forehead skin; bangs down to
 * or over the brows replace it with hair — dark hair by its colour, blond, grey or skin-coloured hair by
 * its texture (thin strands falling across the brow line: strong curvature across them, little along
 * them; skin and forehead wrinkles do not look like that). A brow whose band shows less than
 * `MIN_SKIN_ABOVE_BROW` free skin is reported; `FAIL_SKIN_ABOVE_BROW` on both brows fails.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { greyAt } from '../measures.js';
import { faceFrame, memo, r2, ruleResult, sampleBox, skinModel, type FaceFrame, type Sample } from './frame.js';

export const MIN_SKIN_ABOVE_BROW = 0.35;
export const FAIL_SKIN_ABOVE_BROW = 0.05;

/** Upper-brow mesh points, left brow as seen then right. */
export const BROW_UPPER = [
  [70, 63, 105, 66, 107],
  [336, 296, 334, 293, 300],
] as const;

/** Strand texture: scale of the second differences (IPD), curvature floor (grey levels, sum of 3) and
 *  across/along ratio. Measured on the London set: compliant foreheads ≤ 0.19 of points, drawn fringes
 *  ≥ 0.69, a real fringe (003) 0.33; real hair over the ears (003) 0.54–0.59. */
export const STRAND_SCALE = 0.015;
export const STRAND_MIN_CURVATURE = 6;
export const STRAND_RATIO = 2.5;

/**
 * Hair-strand texture at face point (u, v) (发丝纹理): hair falling over the brows, the lids or the ears
 * runs roughly along v, so its grey level curves strongly across u (strand, gap, strand) and little along
 * v. Summed over three points 2·`STRAND_SCALE` apart along v: |∂²/∂u²| ≥ `STRAND_MIN_CURVATURE` and
 * ≥ `STRAND_RATIO` × |∂²/∂v²|. Smooth skin fails the first test, wrinkles and lid creases the second.
 */
export function hairTextured(a: FaceAnalysis, F: FaceFrame, u: number, v: number): boolean {
  const e = STRAND_SCALE;
  // The centre and the two steps of `e` along u and v, in pixels (the frame is a similarity).
  const [x, y] = F.at(u, v),
    [xu, yu] = F.at(u + e, v),
    [xv, yv] = F.at(u, v + e);
  const ux = xu - x,
    uy = yu - y,
    vx = xv - x,
    vy = yv - y;
  let across = 0,
    along = 0;
  for (let s = -2; s <= 2; s += 2) {
    const cx = x + s * vx,
      cy = y + s * vy;
    const m = 2 * greyAt(a, cx, cy);
    across += Math.abs(greyAt(a, cx - ux, cy - uy) + greyAt(a, cx + ux, cy + uy) - m);
    along += Math.abs(greyAt(a, cx - vx, cy - vy) + greyAt(a, cx + vx, cy + vy) - m);
  }
  return across >= STRAND_MIN_CURVATURE && across >= STRAND_RATIO * along;
}

/** Shares of a sample: skin colour without strand texture (free skin), and strand texture (hair). */
export function freeSkinAndHair(a: FaceAnalysis, s: Sample): { free: number; hair: number } {
  if (!s.lab.length) return { free: 0, hair: 0 };
  const F = faceFrame(a);
  const sk = skinModel(a);
  let free = 0,
    hair = 0;
  s.lab.forEach((c, k) => {
    const strands = hairTextured(a, F, s.at[k][0], s.at[k][1]);
    if (strands) hair++;
    else if (sk.isSkin(c)) free++;
  });
  return { free: free / s.lab.length, hair: hair / s.lab.length };
}

export function measureHairEyebrows(a: FaceAnalysis): {
  skin: [number | null, number | null];
  hair: [number | null, number | null];
} {
  return memo(a, 'rules.hairBrows', () => {
    const F = faceFrame(a);
    const one = (pts: readonly number[]): { free: number; hair: number } | null => {
      const uv = pts.map((i) => F.uv(i));
      const us = uv.map((p) => p[0]),
        top = Math.min(...uv.map((p) => p[1]));
      const s = sampleBox(a, Math.min(...us) + 0.05, Math.max(...us) - 0.05, top - 0.2, top - 0.05, 0.025);
      return s.lab.length < s.requested * 0.6 ? null : freeSkinAndHair(a, s);
    };
    const [l, r] = [one(BROW_UPPER[0]), one(BROW_UPPER[1])];
    return { skin: [l?.free ?? null, r?.free ?? null], hair: [l?.hair ?? null, r?.hair ?? null] };
  });
}

export function checkHairEyebrows(a: FaceAnalysis): CheckResult {
  const m = measureHairEyebrows(a);
  const [l, r] = m.skin;
  const n = (x: number | null) => (x === null ? null : r2(x));
  const value = { left: n(l), right: n(r), hairLeft: n(m.hair[0]), hairRight: n(m.hair[1]) };
  const limit = MIN_SKIN_ABOVE_BROW;
  const hint = '头发不得遮挡眉毛，请将刘海梳起或拨开，露出双眉';
  if (l === null || r === null)
    return ruleResult(
      'hair.eyebrows',
      'review',
      value,
      limit,
      '眉毛上方区域超出画面，无法判断头发是否遮挡眉毛，请人工确认',
      hint,
      'HAIR_BROWS_UNMEASURED',
    );
  const hairNote =
    (m.hair[0] ?? 0) >= 0.3 || (m.hair[1] ?? 0) >= 0.3
      ? `，发丝纹理占 左 ${r2(m.hair[0] ?? 0)}、右 ${r2(m.hair[1] ?? 0)}`
      : '';
  if (l < FAIL_SKIN_ABOVE_BROW && r < FAIL_SKIN_ABOVE_BROW) {
    return ruleResult(
      'hair.eyebrows',
      'fail',
      value,
      limit,
      `双眉上方几乎不见额头皮肤（左 ${r2(l)}、右 ${r2(r)}，要求 ≥ ${limit}${hairNote}），头发（刘海）遮挡眉毛`,
      hint,
      'HAIR_OVER_BROWS',
    );
  }
  if (l < limit || r < limit) {
    const which = l < limit && r < limit ? '双眉' : l < limit ? '左侧眉毛（画面左侧）' : '右侧眉毛（画面右侧）';
    return ruleResult(
      'hair.eyebrows',
      'review',
      value,
      limit,
      `${which}上方额头皮肤偏少（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}${hairNote}），疑似刘海遮挡眉毛，请人工查看眉毛是否完整露出`,
      hint,
      'HAIR_OVER_BROWS_SUSPECT',
    );
  }
  return ruleResult(
    'hair.eyebrows',
    'pass',
    value,
    limit,
    `双眉上方可见额头皮肤（左 ${r2(l)}、右 ${r2(r)}，参考下限 ${limit}），头发未遮挡眉毛`,
  );
}
