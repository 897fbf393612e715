/**
 * `necklace` — no necklace (严禁佩戴项链).
 *
 * Native value: over the neck and the neckline (|u| ≤ 0.6 IPD, from 0.15 to 1.3 IPD below the chin),
 * the share of columns (every 0.03 IPD) in which a thin band crosses the skin — a run of at most 0.08 IPD
 * of non-skin points with skin above and below it, or any jewellery-like point with skin within 0.06 IPD
 * above and below; a darker run of the neck's own hue (a fold, a shadow) does not count — and continues in a neighbouring column (a chain is continuous; a mole is not). Skin is
 * the face's skin or the throat's own colour (ΔE2000 < 10). A chain, a string of pearls or a pendant on the skin cuts many columns; the neck,
 * a collar or a neckline cut them at most once at the clothing's edge (which has no skin below).
 * ≥ `MIN_COLUMNS` → `review`; ≥ `FAIL_COLUMNS` → `fail`. When less than 15 % of the zone is skin (high
 * collar, scarf, beard) the chain could not be looked for → `review` saying so.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { deltaE2000, type Lab } from '../colour.js';
import { faceFrame, jewelleryLike, memo, r2, ruleResult, sampleBox, skinModel } from './frame.js';

export const MIN_COLUMNS = 0.35;
export const FAIL_COLUMNS = 0.95;
const STEP = 0.015;
const MAX_RUN = 0.08;

export function measureNecklace(a: FaceAnalysis): { columns: number; skin: number; measured: boolean } {
  return memo(a, 'rules.necklace', () => {
    const F = faceFrame(a);
    const chin = F.uv(152)[1];
    const sk = skinModel(a);
    // The neck's own colour (often yellower or darker than the cheeks): the throat just below the chin.
    const throat = sampleBox(a, -0.25, 0.25, chin + 0.1, chin + 0.4, 0.03).lab.filter((c) => Math.hypot(c[1] - sk.lab[1], c[2] - sk.lab[2]) < 14);
    const neck: Lab | null = throat.length >= 10 ? [0, 1, 2].map((k) => throat.map((c) => c[k]).sort((x, y) => x - y)[throat.length >> 1]) as Lab : null;
    const isSkin = (c: Lab) => sk.isSkin(c) || (neck !== null && deltaE2000(c, neck) < 10);
    const v0 = chin + 0.15, v1 = chin + 1.3;
    const maxRun = Math.round(MAX_RUN / STEP), near = Math.round(0.06 / STEP);
    const runs: number[][] = [];
    let skinPts = 0, pts = 0;
    for (let u = -0.6; u <= 0.6 + 1e-9; u += 0.03) {
      const s = sampleBox(a, u, u, v0, v1, STEP);
      const found: number[] = [];
      runs.push(found);
      if (s.lab.length < 10) continue;
      const skin = s.lab.map(isSkin);
      skinPts += skin.filter(Boolean).length;
      pts += skin.length;
      for (let k = 0; k < skin.length; k++) {
        if (skin[k]) continue;
        let e = k;
        while (e < skin.length && !skin[e]) e++;
        const above = k > 0 && skin[k - 1], below = e < skin.length && skin[e];
        // A fold or a shadow of the neck is darker skin of the same hue; a chain, a cord or pearls are not.
        const foreign = (c: Lab) => neck === null || Math.hypot(c[1] - neck[1], c[2] - neck[2]) > 10 || c[0] > neck[0] + 12;
        const thin = above && below && e - k <= maxRun && s.lab.slice(k, e).some(foreign);
        const jewel = !thin && jewelleryLike(a, s.lab[k]) && skin.slice(Math.max(0, k - near), k).some(Boolean) && skin.slice(k + 1, k + 1 + near).some(Boolean);
        if (thin || jewel) found.push(s.at[k][1]);
        k = e;
      }
    }
    // A chain is continuous: count columns whose thin band continues in a neighbouring column (±0.045 IPD).
    const cont = (i: number, j: number) => j >= 0 && j < runs.length && runs[i].some((v) => runs[j].some((w) => Math.abs(v - w) <= 0.045));
    const cols = runs.length;
    const hit = runs.filter((r, i) => r.length > 0 && (cont(i, i - 1) || cont(i, i + 1))).length;
    const skin = pts ? skinPts / pts : 0;
    return { columns: cols ? hit / cols : 0, skin, measured: pts >= 100 && skin >= 0.15 };
  });
}

export function checkNecklace(a: FaceAnalysis): CheckResult {
  const m = measureNecklace(a);
  const value = { columns: r2(m.columns), neckSkin: r2(m.skin) };
  const limit = { review: MIN_COLUMNS, fail: FAIL_COLUMNS };
  const hint = '不得佩戴项链等饰品，请摘下后重新拍摄';
  if (!m.measured) return ruleResult('necklace', 'review', value, limit, `颈部和领口几乎不见皮肤（肤色占 ${Math.round(m.skin * 100)}%），无法判断有无项链，请人工查看（高领、围巾或胡须也会如此）`, hint, 'NECKLACE_UNMEASURED');
  if (m.columns >= FAIL_COLUMNS) return ruleResult('necklace', 'fail', value, limit, `颈部皮肤上有一条横贯的细带（${Math.round(m.columns * 100)}% 的竖列被截断，允许 < ${Math.round(MIN_COLUMNS * 100)}%），判定为佩戴项链`, hint, 'NECKLACE');
  if (m.columns >= MIN_COLUMNS) return ruleResult('necklace', 'review', value, limit, `颈部皮肤上有疑似链状细带（${Math.round(m.columns * 100)}% 的竖列被截断，参考上限 ${Math.round(MIN_COLUMNS * 100)}%），疑似项链，请人工查看颈部和领口`, hint, 'NECKLACE_SUSPECT');
  return ruleResult('necklace', 'pass', value, limit, `颈部和领口未见链状细带（${Math.round(m.columns * 100)}% 的竖列被截断），未见项链`);
}
