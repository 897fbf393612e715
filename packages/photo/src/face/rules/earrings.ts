/**
 * `earrings` — no earrings or ear studs (严禁佩戴耳环、耳钉).
 *
 * Native value: per side, the number of jewellery-like points (see `jewelleryLike`: specular metal or
 * stone, or strong colour far from the skin, never the background's colour) around the ear lobe — the
 * box just outside the lower face contour, from 0.3 IPD above the jaw point 132/361 to 0.5 below it,
 * sampled every 0.02 IPD — as a share of the box. Studs, hoops and drops show such highlights; skin,
 * hair, and the plain background do not. A share ≥ `MIN_SHARE` on either side → `review` with the
 * place; ≥ `FAIL_SHARE` → `fail`. A lobe box outside the picture → `review` (not measured).
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceFrame, jewelleryLike, memo, ruleResult, sampleBox } from './frame.js';

export const MIN_SHARE = 0.006;
export const FAIL_SHARE = 0.2;

export function measureEarrings(a: FaceAnalysis): { share: [number | null, number | null]; where: [number, number][] } {
  return memo(a, 'rules.earrings', () => {
    const F = faceFrame(a);
    const where: [number, number][] = [];
    const one = (jaw: number, sign: number): number | null => {
      const [ju, jv] = F.uv(jaw);
      const inner = Math.abs(ju) - 0.04, outer = Math.abs(ju) + 0.32;
      const s = sampleBox(a, sign < 0 ? -outer : inner, sign < 0 ? -inner : outer, jv - 0.3, jv + 0.5, 0.02);
      if (s.lab.length < s.requested * 0.6) return null;
      let n = 0;
      s.lab.forEach((c, k) => {
        if (!jewelleryLike(a, c)) return;
        n++;
        where.push(F.at(s.at[k][0], s.at[k][1]));
      });
      return n / s.lab.length;
    };
    return { share: [one(132, -1), one(361, 1)], where };
  });
}

export function checkEarrings(a: FaceAnalysis): CheckResult {
  const m = measureEarrings(a);
  const [l, r] = m.share;
  const pc = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const value = { left: pc(l), right: pc(r) };
  const limit = { review: MIN_SHARE * 100, fail: FAIL_SHARE * 100 };
  const hint = '不得佩戴耳环、耳钉等饰品，请摘下后重新拍摄';
  if (l === null || r === null) return ruleResult('earrings', 'review', value, limit, '耳垂区域超出画面，无法判断有无耳环、耳钉，请人工确认', hint, 'EARRINGS_UNMEASURED');
  const worst = Math.max(l, r);
  const side = l >= MIN_SHARE && r >= MIN_SHARE ? '两侧耳垂' : l >= r ? '左侧耳垂（画面左侧）' : '右侧耳垂（画面右侧）';
  const xs = m.where.map((p) => p[0]), ys = m.where.map((p) => p[1]);
  const where = m.where.length ? `（约 x ${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}，y ${Math.round(Math.min(...ys))}–${Math.round(Math.max(...ys))}）` : '';
  if (worst >= FAIL_SHARE) return ruleResult('earrings', 'fail', value, limit, `${side}${where}有明显的金属或宝石光泽（占耳垂区域 ${pc(worst)}%，允许 < ${MIN_SHARE * 100}%），判定为佩戴耳环、耳钉`, hint, 'EARRINGS');
  if (worst >= MIN_SHARE) return ruleResult('earrings', 'review', value, limit, `${side}${where}有疑似金属或宝石的亮点（占耳垂区域 ${pc(worst)}%，参考上限 ${MIN_SHARE * 100}%），疑似耳环、耳钉，请人工查看`, hint, 'EARRINGS_SUSPECT');
  return ruleResult('earrings', 'pass', value, limit, `耳垂区域未见金属或宝石光泽（左 ${pc(l)}%、右 ${pc(r)}%），未见耳环、耳钉`);
}
