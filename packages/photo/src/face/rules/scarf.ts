/**
 * `scarf` — no scarf (严禁佩戴围巾).
 *
 * Native value: the share of skin on the neck just below the chin (|u| ≤ 0.3 IPD, from 0.1 to 0.45 IPD
 * below the chin). A scarf wraps exactly there; a shirt or a jacket leaves the throat free. Below
 * `MIN_NECK_SKIN` → `review`, never `fail`: a polo-neck, a high collar or a full beard look the same on
 * this measure, so a person decides. `wide` (the share of non-background points beside the neck at the
 * same height) is reported to help that person.
 */
import type { CheckResult } from '../../types.js';
import { deltaE2000 } from '../colour.js';
import type { FaceAnalysis } from '../analysis.js';
import { backgroundLab, faceFrame, memo, r2, ruleResult, sampleBox, skinShare } from './frame.js';

export const MIN_NECK_SKIN = 0.2;

export function measureScarf(a: FaceAnalysis): { neckSkin: number; wide: number; measured: boolean } {
  return memo(a, 'rules.scarf', () => {
    const F = faceFrame(a);
    const chin = F.uv(152)[1];
    const s = sampleBox(a, -0.3, 0.3, chin + 0.1, chin + 0.45, 0.025);
    const bg = backgroundLab(a);
    const sides = [sampleBox(a, -0.9, -0.6, chin + 0.1, chin + 0.45, 0.03), sampleBox(a, 0.6, 0.9, chin + 0.1, chin + 0.45, 0.03)];
    const covered = sides.map((x) => (x.lab.length ? x.lab.filter((c) => !(bg && deltaE2000(c, bg) < 15)).length / x.lab.length : 0));
    return { neckSkin: skinShare(a, s), wide: Math.min(covered[0], covered[1]), measured: s.lab.length >= s.requested * 0.6 };
  });
}

export function checkScarf(a: FaceAnalysis): CheckResult {
  const m = measureScarf(a);
  const value = { neckSkin: r2(m.neckSkin), wide: r2(m.wide) };
  const limit = MIN_NECK_SKIN;
  const hint = '不得佩戴围巾，请露出颈部后重新拍摄';
  if (!m.measured) return ruleResult('scarf', 'review', value, limit, '颈部不在画面内，无法判断有无围巾，请人工确认', hint, 'SCARF_UNMEASURED');
  if (m.neckSkin < MIN_NECK_SKIN) return ruleResult('scarf', 'review', value, limit, `下巴下方颈部肤色偏少（${Math.round(m.neckSkin * 100)}%，参考下限 ${Math.round(limit * 100)}%），疑似围巾（或高领、胡须），请人工查看`, hint, 'SCARF_SUSPECT');
  return ruleResult('scarf', 'pass', value, limit, `下巴下方颈部可见（肤色占 ${Math.round(m.neckSkin * 100)}%），未见围巾`);
}
