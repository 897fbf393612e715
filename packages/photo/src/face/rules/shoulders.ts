/**
 * `shoulders` — shoulders level (双肩平衡).
 *
 * Native value: the tilt of the shoulder line in degrees (positive: the right shoulder as seen is
 * lower), from the person mask's top edge on both sides of the neck (see `measureShoulders`). The top is
 * the first person row below the chin row; where the person already covers the chin row, it is looked for
 * from 0.35 face widths above the chin, so a broad sitter whose shoulders rise above the chin line is
 * measured (it used to be 'not measured'); a column inside the person there too (hair falling on the
 * shoulder, the head) gives no point — two of the three distances are needed, else `review` unmeasured.
 * Above `limit + SHOULDER_MARGIN` → `fail`; between the limit and the margin → `review`; no shoulder
 * line in the picture → `review` (not measured).
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { faceWidthOf, MESH, pt } from '../analysis.js';
import { memo, ruleResult } from './frame.js';

/** Measurement uncertainty (°) added to the limit before the rule fails; inside it, `review`. */
export const SHOULDER_MARGIN = 4;
/** The shoulder line is looked for from this far above the chin (face widths). */
const SHOULDER_SEARCH_ABOVE_CHIN = 0.35;

function median(v: number[]): number {
  const s = [...v].sort((x, y) => x - y);
  return s[s.length >> 1];
}

/**
 * Tilt of the shoulder line from the person mask; null when no shoulder line is in the picture, with why:
 * `outside` (a sampling column beyond the frame's side, or no shoulder top in the frame), `covered` (hair or
 * the head over the shoulder), `no-mask`.
 */
export function measureShoulders(a: FaceAnalysis): {
  tilt: number | null;
  unmeasured?: 'outside' | 'covered' | 'no-mask';
} {
  return memo(a, 'rules.shoulders', () => {
    const f = a.face!;
    const fw = faceWidthOf(f);
    const chin = pt(f, MESH.chin),
      nose = pt(f, MESH.noseTip);
    const { width: W, height: H } = a.img;
    if (!a.mask) return { tilt: null, unmeasured: 'no-mask' as const };
    let outside = 0,
      covered = 0;
    // The shoulder's top at column x: the first person row below a background run that starts above the
    // chin (a broad sitter's shoulders can rise above the chin line beside the face); a column that is person
    // already there is hair or the head, not a shoulder line.
    const from = Math.max(0, Math.round(chin[1] - SHOULDER_SEARCH_ABOVE_CHIN * fw));
    const c0 = Math.max(0, Math.round(chin[1]));
    const on = (x: number, y: number) => a.mask!.alpha[y * W + x] >= 128;
    const topAt = (x: number) => {
      const xi = Math.round(x);
      if (xi < 0 || xi >= W || c0 >= H) {
        outside++;
        return null;
      }
      // Background on the chin row: the first person row below it.
      if (!on(xi, c0)) {
        for (let y = c0 + 1; y < H; y++) if (on(xi, y)) return y;
        outside++;
        return null;
      }
      // Person on the chin row: a shoulder risen above it if there is background higher up, else hair or head.
      if (on(xi, from)) {
        covered++;
        return null;
      }
      for (let y = from + 1; y <= c0; y++) if (on(xi, y)) return y;
      return null;
    };
    const pairs: number[] = [];
    for (const k of [0.75, 0.85, 0.95]) {
      const yl = topAt(nose[0] - k * fw),
        yr = topAt(nose[0] + k * fw);
      if (yl !== null && yr !== null) pairs.push((Math.atan2(yr - yl, 2 * k * fw) * 180) / Math.PI);
    }
    if (pairs.length >= 2) return { tilt: median(pairs) };
    return { tilt: null, unmeasured: covered > outside ? ('covered' as const) : ('outside' as const) };
  });
}

export function checkShoulders(a: FaceAnalysis, maxTilt: number): CheckResult {
  const s = measureShoulders(a);
  const lim = maxTilt;
  const value = s.tilt === null ? null : Math.round(s.tilt * 10) / 10;
  const t = value === null ? 0 : Math.abs(value);
  const hint = '请坐正，双肩保持水平';
  if (value === null)
    return ruleResult(
      'shoulders',
      'review',
      value,
      lim,
      s.unmeasured === 'covered'
        ? '未能测出双肩连线：颈部两侧的肩线被头发遮住，请人工确认双肩是否平衡（此项未测，不是倾斜）'
        : s.unmeasured === 'outside'
          ? '未能测出双肩连线：双肩在画面之外或被画面边缘切去，请人工确认双肩是否平衡（此项未测，不是倾斜）'
          : '画面中未能测出双肩位置（无人像分割），请人工确认双肩是否平衡',
      s.unmeasured === 'covered' ? '请将头发拨到肩后，露出双肩' : '请拍到双肩，坐姿端正',
      'SHOULDERS_UNMEASURED',
    );
  if (t > lim + SHOULDER_MARGIN)
    return ruleResult('shoulders', 'fail', value, lim, `双肩连线倾斜 ${t}°，超过 ${lim}°`, hint, 'SHOULDERS_TILTED');
  if (t > lim)
    return ruleResult(
      'shoulders',
      'review',
      value,
      lim,
      `双肩连线倾斜约 ${t}°，略超 ${lim}°（估计误差约 ±${SHOULDER_MARGIN}°），请人工确认双肩是否平衡`,
      hint,
      'SHOULDERS_TILT_SUSPECT',
    );
  return ruleResult('shoulders', 'pass', value, lim, `双肩倾斜 ${t}°（允许 ≤ ${lim}°）`);
}
