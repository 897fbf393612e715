/**
 * `earrings` — no earrings or ear studs (严禁佩戴耳环、耳钉).
 *
 * Native value: per side, the number of jewellery-like points around the ear lobe — the box just outside
 * the lower face contour, from 0.3 IPD above the jaw point 132/361 to 0.5 below it, sampled every 0.02
 * IPD — as a share of the box. Jewellery-like: specular metal or stone (`jewelleryLike`), or gold, enamel
 * and coloured stones (chroma ≥ 35 of another hue than the skin, so blond hair is not); never the
 * background's colour, never a point with hair-strand texture (`hairTextured`: blond strands, the old
 * light background left between strands), never a pale point right beside the background (that old
 * background again, at the hair's edge). Studs, hoops and drops show such points; skin, hair and the
 * plain background do not.
 *
 * Earrings come in pairs and a frontal photo shows both lobes: both sides ≥ `MIN_PAIR_SHARE`, or one side
 * ≥ `MIN_SHARE` (a single earring, or one hidden by hair) → `review` with the place; ≥ `FAIL_SHARE` →
 * `fail`. On the London set (compliant photos made as the eval does) the single bright spots in hair
 * reach 1.16 %, a real single earring (115) 1.28 %, drawn pairs ≥ 0.26 % on each side. A lobe box outside
 * the picture → `review` (not measured).
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { placeOf, placed } from '../../place.js';
import { deltaE2000, hypot2, type Lab } from '../colour.js';
import {
  backgroundLab,
  faceFrame,
  indexAt,
  jewelleryLike,
  labOf,
  memo,
  ruleResult,
  sampleBox,
  skinModel,
  type FaceFrame,
} from './frame.js';
import { hairTextured } from './hair-eyebrows.js';

export const MIN_SHARE = 0.012;
export const MIN_PAIR_SHARE = 0.002;
export const FAIL_SHARE = 0.2;

export function measureEarrings(a: FaceAnalysis): { share: [number | null, number | null]; where: [number, number][] } {
  return memo(a, 'rules.earrings', () => {
    const t = new EarringTest(a);
    return { share: [t.lobe(132, -1), t.lobe(361, 1)], where: t.where };
  });
}

const hue = (c: Lab) => (Math.atan2(c[2], c[1]) * 180) / Math.PI;

/**
 * The earring test of one photo. A class, not closures made per photo: V8 keeps optimised code only while
 * a closure of it lives, so per-photo closures start cold again after every full GC.
 */
class EarringTest {
  readonly where: [number, number][] = [];
  private readonly F: FaceFrame;
  private readonly sk: Lab;
  private readonly bg: Lab | null;
  private readonly skinHue: number;
  constructor(private readonly a: FaceAnalysis) {
    this.F = faceFrame(a);
    this.sk = skinModel(a).lab;
    this.bg = backgroundLab(a);
    this.skinHue = hue(this.sk);
  }
  private isBg(u: number, v: number): boolean {
    const i = indexAt(this.a, this.F, u, v);
    return i >= 0 && this.bg !== null && deltaE2000(labOf(this.a, i), this.bg) < 20;
  }
  /** Gold, coloured stones, enamel: clearly coloured, of another hue than the skin (blond hair is paler). */
  private coloured(c: Lab): boolean {
    const { sk, bg } = this;
    return (
      hypot2(c[1], c[2]) >= 35 &&
      Math.abs(((hue(c) - this.skinHue + 540) % 360) - 180) > 20 &&
      deltaE2000(c, sk) > 15 &&
      !(bg && deltaE2000(c, bg) < 20)
    );
  }
  private earringLike(c: Lab, u: number, v: number): boolean {
    const { a, sk, bg } = this;
    // The plain background (most of the box beside a lobe), without a CIEDE2000 for each of its points.
    if (bg && (c[0] - bg[0]) ** 2 + (c[1] - bg[1]) ** 2 + (c[2] - bg[2]) ** 2 < 100) return false;
    if (!this.coloured(c)) {
      // jewelleryLike's own tests, the cheap part first: bright, or strongly coloured.
      if (c[0] < Math.max(78, sk[0] + 12) && hypot2(c[1], c[2]) < 38) return false;
      if (!jewelleryLike(a, c)) return false;
      // A pale highlight right beside the background is the old background seen between hair strands.
      if (
        hypot2(c[1], c[2]) < 15 &&
        (this.isBg(u - 0.015, v) || this.isBg(u + 0.015, v) || this.isBg(u, v - 0.015) || this.isBg(u, v + 0.015))
      )
        return false;
    }
    // Hair (blond strands, the old background between strands) is no jewel.
    return !hairTextured(a, this.F, u, v);
  }
  /** Share of earring-like points in the box around the lobe below jaw point `jaw`, or null outside the picture. */
  lobe(jaw: number, sign: number): number | null {
    const F = this.F;
    const [ju, jv] = F.uv(jaw);
    const inner = Math.abs(ju) - 0.04,
      outer = Math.abs(ju) + 0.32;
    const s = sampleBox(this.a, sign < 0 ? -outer : inner, sign < 0 ? -inner : outer, jv - 0.3, jv + 0.5, 0.02);
    if (s.lab.length < s.requested * 0.6) return null;
    let n = 0;
    for (let k = 0; k < s.lab.length; k++) {
      if (!this.earringLike(s.lab[k], s.at[k][0], s.at[k][1])) continue;
      n++;
      this.where.push(F.at(s.at[k][0], s.at[k][1]));
    }
    return n / s.lab.length;
  }
}

export function checkEarrings(a: FaceAnalysis): CheckResult {
  const m = measureEarrings(a);
  const [l, r] = m.share;
  const pc = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const value = { left: pc(l), right: pc(r) };
  const limit = { review: MIN_SHARE * 100, reviewBothSides: MIN_PAIR_SHARE * 100, fail: FAIL_SHARE * 100 };
  const hint = '不得佩戴耳环、耳钉等饰品，请摘下后重新拍摄';
  if (l === null || r === null)
    return ruleResult(
      'earrings',
      'review',
      value,
      limit,
      '耳垂区域超出画面，无法判断有无耳环、耳钉，请人工确认',
      hint,
      'EARRINGS_UNMEASURED',
    );
  const worst = Math.max(l, r);
  const pair = l >= MIN_PAIR_SHARE && r >= MIN_PAIR_SHARE;
  const side = pair ? '两侧耳垂' : l >= r ? '左侧耳垂（画面左侧）' : '右侧耳垂（画面右侧）';
  const place = placeOf(m.where);
  const where = place.text;
  const lim = `单侧 < ${MIN_SHARE * 100}%、两侧同时 < ${MIN_PAIR_SHARE * 100}%`;
  if (worst >= FAIL_SHARE)
    return placed(
      ruleResult(
        'earrings',
        'fail',
        value,
        limit,
        `${side}${where}有明显的金属或宝石光泽（占耳垂区域 ${pc(worst)}%，允许 < ${FAIL_SHARE * 100}%，参考 ${lim}），判定为佩戴耳环、耳钉`,
        hint,
        'EARRINGS',
      ),
      place,
    );
  if (worst >= MIN_SHARE || pair)
    return placed(
      ruleResult(
        'earrings',
        'review',
        value,
        limit,
        `${side}${where}有疑似金属或宝石的亮点（占耳垂区域 左 ${pc(l)}%、右 ${pc(r)}%，参考 ${lim}），疑似耳环、耳钉，请人工查看`,
        hint,
        'EARRINGS_SUSPECT',
      ),
      place,
    );
  return ruleResult(
    'earrings',
    'pass',
    value,
    limit,
    `耳垂区域未见金属或宝石光泽（左 ${pc(l)}%、右 ${pc(r)}%，参考 ${lim}），未见耳环、耳钉`,
  );
}
