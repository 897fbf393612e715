/**
 * `necklace` — no necklace (严禁佩戴项链).
 *
 * A chain, a string of pearls or a pendant's cord hangs from the sides of the neck in a U below the jaw: a
 * thin line of another colour than the neck's skin, with neck skin on both sides of it. Neck folds are
 * darker skin of the neck's own hue, a neckline or a collar has cloth (not skin) beyond its edge, stubble
 * and moles do not line up on a U.
 *
 * Native value: over the neck and the neckline (|u| ≤ 0.66 IPD, 0.12–1.5 IPD below the chin, a grid of
 * 0.015 IPD), the *line points* — a point that is not neck skin, differs from the mean of its two
 * neighbours 0.045 IPD away (above and below, or left and right) by ΔE76 ≥ `LINE_CONTRAST`, both of them
 * neck skin, and is not a darker shade of the neck's hue (a fold) — are voted into U-curves
 * v = c − k·(u − u₀)² (v grows downwards) (u₀ within ±0.1, k from 0.8 to 6 IPD⁻¹, c every 0.03 IPD). The value is the share of
 * the zone's columns (every 0.03 IPD) that the best U-curve crosses on line points, with at least 3 columns
 * on each side of u₀ and its lowest point ≥ `MIN_DEPTH` below the chin; with it, the share of all line
 * points lying on that curve (a chain's do; stubble, chest hair and wrinkles scatter, ≤ 0.21 on the London
 * set, drawn chains ≥ 0.40). ≥ `MIN_COLUMNS` with ≥ `MIN_ON_CURVE` on the curve → `review`;
 * ≥ `FAIL_COLUMNS` → `fail`. A choker sitting higher than `MIN_DEPTH` is not looked for. When less than 15 % of the
 * zone is skin (high collar, scarf, beard) the chain could not be looked for → `review` saying so.
 */
import type { CheckResult } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { placeOf, placed } from '../../place.js';
import { deltaE2000, hypot2, type Lab } from '../colour.js';
import { faceFrame, indexAt, labOf, memo, r2, ruleResult, sampleBox, skinModel, type FaceFrame } from './frame.js';

export const MIN_COLUMNS = 0.2;
/** Share of the line points lying on the best U: a chain's are on it, stubble's and chest hair's scatter. */
export const MIN_ON_CURVE = 0.33;
export const FAIL_COLUMNS = 0.8;
export const LINE_CONTRAST = 10;
/** A thin line lighter than the neck by this much (L*) is no fold, whatever its hue (silver, pearls). */
export const LIGHTER = 5;
const STEP = 0.015;
const COL = 2; // a column every 2 grid steps (0.03 IPD)
const SIDE = 3; // neighbours 3 grid steps away (0.045 IPD)
const U0 = [-0.1, -0.05, 0, 0.05, 0.1];
const K = [0.8, 1.2, 1.6, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6];
const C_BIN = 0.03;
/** Lowest point of the U at least this far below the chin (IPD): below the stubble and the jaw's shadow. */
export const MIN_DEPTH = 0.55;

export function measureNecklace(a: FaceAnalysis): {
  columns: number;
  skin: number;
  measured: boolean;
  points: number;
  /** Share of the line points on the best U. */
  onCurve: number;
  where: [number, number][];
} {
  return memo(a, 'rules.necklace', () => necklaceNow(a));
}

/**
 * The neck's grid (u from u0, v from v0, every STEP IPD): colour and skin computed when first needed (most
 * points are looked at only as a centre), skin memoised per RGB value (a shirt or the neck repeats a few
 * hundred colours). A class, not closures made per photo: V8 keeps optimised code only while a closure
 * of it lives, so per-photo closures start cold again after every full GC.
 */
class NeckGrid {
  readonly lab: (Lab | null | undefined)[];
  readonly skin: Int8Array; // 0 unknown, 1 skin, -1 not
  readonly pix: Int32Array;
  readonly skinOfRgb = new Map<number, boolean>();
  constructor(
    private readonly a: FaceAnalysis,
    private readonly F: FaceFrame,
    private readonly sk: { isSkin(c: Lab): boolean },
    private readonly neck: Lab | null,
    private readonly u0: number,
    private readonly v0: number,
    private readonly nu: number,
    nv: number,
  ) {
    this.lab = new Array(nu * nv);
    this.skin = new Int8Array(nu * nv);
    this.pix = new Int32Array(nu * nv).fill(-2);
  }
  isSkin(c: Lab): boolean {
    const neck = this.neck;
    return (
      this.sk.isSkin(c) ||
      (neck !== null &&
        Math.abs(c[0] - neck[0]) < 25 &&
        (c[1] - neck[1]) ** 2 + (c[2] - neck[2]) ** 2 < 1600 &&
        deltaE2000(c, neck) < 10)
    );
  }
  /** A fold or a shadow of the neck is darker skin of the same hue; a chain, a cord or pearls are not. */
  foreign(c: Lab): boolean {
    const neck = this.neck;
    return neck === null || (c[1] - neck[1]) ** 2 + (c[2] - neck[2]) ** 2 > 100 || c[0] > neck[0] + LIGHTER;
  }
  pixAt(k: number): number {
    if (this.pix[k] === -2)
      this.pix[k] = indexAt(this.a, this.F, this.u0 + (k % this.nu) * STEP, this.v0 + Math.floor(k / this.nu) * STEP);
    return this.pix[k];
  }
  labAt(k: number): Lab | null {
    let c = this.lab[k];
    if (c === undefined) {
      const idx = this.pixAt(k);
      c = this.lab[k] = idx < 0 ? null : labOf(this.a, idx);
    }
    return c;
  }
  skinAt(k: number): boolean {
    const skin = this.skin;
    if (!skin[k]) {
      const idx = this.pixAt(k);
      if (idx < 0) skin[k] = -1;
      else {
        const d = this.a.img.data;
        const key = (d[idx * 3] << 16) | (d[idx * 3 + 1] << 8) | d[idx * 3 + 2];
        let yes = this.skinOfRgb.get(key);
        if (yes === undefined) this.skinOfRgb.set(key, (yes = this.isSkin(this.labAt(k)!)));
        skin[k] = yes ? 1 : -1;
      }
    }
    return skin[k] > 0;
  }
  /** c differs from the mean of grid points kp and kq, both neck skin, by ΔE76 ≥ LINE_CONTRAST. */
  line(c: Lab, kp: number, kq: number): boolean {
    if (!this.skinAt(kp) || !this.skinAt(kq)) return false;
    const p = this.labAt(kp)!,
      q = this.labAt(kq)!;
    const m0 = (p[0] + q[0]) / 2,
      m1 = (p[1] + q[1]) / 2,
      m2 = (p[2] + q[2]) / 2;
    return (c[0] - m0) ** 2 + (c[1] - m1) ** 2 + (c[2] - m2) ** 2 >= LINE_CONTRAST ** 2;
  }
}

function necklaceNow(a: FaceAnalysis): ReturnType<typeof measureNecklace> {
  {
    const F = faceFrame(a);
    const chin = F.uv(152)[1];
    const sk = skinModel(a);
    // The neck's own colour (often yellower or darker than the cheeks): the throat just below the chin.
    const throat = sampleBox(a, -0.25, 0.25, chin + 0.1, chin + 0.4, 0.03).lab.filter(
      (c) => hypot2(c[1] - sk.lab[1], c[2] - sk.lab[2]) < 14,
    );
    const neck: Lab | null =
      throat.length >= 10
        ? ([0, 1, 2].map((k) => throat.map((c) => c[k]).sort((x, y) => x - y)[throat.length >> 1]) as Lab)
        : null;
    const u0 = -0.66,
      v0 = chin + 0.12;
    let skinPts = 0,
      pts = 0;
    const nu = Math.round(1.32 / STEP) + 1,
      nv = Math.round((1.5 - 0.12) / STEP) + 1;
    const grid = new NeckGrid(a, F, sk, neck, u0, v0, nu, nv);
    const ncol = Math.floor((nu - 1) / COL) + 1;
    const ci = Math.round(-u0 / STEP); // grid column of u = 0
    const nb = Math.ceil((1.5 - 0.12) / C_BIN) + 1;
    const acc = new Uint8Array(U0.length * K.length * nb * ncol);
    const votes = new Uint16Array(U0.length * K.length * nb);
    let points = 0;
    const cand: [number, number][] = [];
    for (let j = SIDE; j < nv - SIDE; j++) {
      for (let i = 0; i < nu; i += COL) {
        const k = j * nu + i,
          c = grid.labAt(k);
        if (!c) continue;
        pts++;
        if (grid.skinAt(k)) skinPts++;
        if (!grid.foreign(c)) continue;
        const vert = grid.line(c, k - SIDE * nu, k + SIDE * nu);
        const horz = i >= SIDE && i < nu - SIDE && grid.line(c, k - SIDE, k + SIDE);
        if (!vert && !horz) continue;
        points++;
        const u = (i - ci) * STEP,
          v = j * STEP;
        cand.push([u, v]);
        for (let a0 = 0; a0 < U0.length; a0++) {
          for (let b = 0; b < K.length; b++) {
            // v grows downwards: the chain's lowest point is c, its sides rise by k·(u − u₀)².
            const bin = Math.floor((v + K[b] * (u - U0[a0]) ** 2) / C_BIN);
            if (bin >= nb - 1) continue;
            const cell = (a0 * K.length + b) * nb + bin;
            acc[cell * ncol + i / COL] = 1;
            votes[cell]++;
          }
        }
      }
    }
    let best = 0,
      bestCurve = [0, 0, 0];
    for (let a0 = 0; a0 < U0.length; a0++) {
      const mid = (U0[a0] - u0) / STEP / COL;
      for (let b = 0; b < K.length; b++) {
        for (let bin = Math.floor((MIN_DEPTH - 0.12) / C_BIN); bin + 1 < nb; bin++) {
          const cell = (a0 * K.length + b) * nb + bin;
          if (votes[cell] + votes[cell + 1] < Math.max(6, best)) continue; // cannot beat the best or reach both sides
          const base = cell * ncol;
          let n = 0,
            left = 0,
            right = 0;
          for (let col = 0; col < ncol; col++) {
            if (!acc[base + col] && !acc[base + ncol + col]) continue;
            n++;
            if (col < mid - 3) left++;
            else if (col > mid + 3) right++;
          }
          if (left >= 3 && right >= 3 && n > best) {
            best = n;
            bestCurve = [a0, b, bin];
          }
        }
      }
    }
    // Where the best U lies (image points on it), for the message.
    const [ba, bk, bb] = bestCurve;
    const where = best
      ? cand
          .filter(([u, v]) => {
            const d = Math.floor((v + K[bk] * (u - U0[ba]) ** 2) / C_BIN) - bb;
            return d === 0 || d === 1;
          })
          .map(([u, v]) => F.at(u, v0 + v))
      : [];
    const share = pts ? skinPts / pts : 0;
    return {
      columns: best / ncol,
      skin: share,
      measured: pts >= 100 && share >= 0.15,
      points,
      onCurve: points ? where.length / points : 0,
      where,
    };
  }
}

export function checkNecklace(a: FaceAnalysis): CheckResult {
  const m = measureNecklace(a);
  const value = { columns: r2(m.columns), onCurve: r2(m.onCurve), neckSkin: r2(m.skin) };
  const limit = { review: MIN_COLUMNS, fail: FAIL_COLUMNS, onCurve: MIN_ON_CURVE };
  const chain = m.onCurve >= MIN_ON_CURVE;
  const hint = '不得佩戴项链等饰品，请摘下后重新拍摄';
  if (!m.measured)
    return ruleResult(
      'necklace',
      'review',
      value,
      limit,
      `颈部和领口几乎不见皮肤（肤色占 ${Math.round(m.skin * 100)}%），无法判断有无项链，请人工查看（高领、围巾或胡须也会如此）`,
      hint,
      'NECKLACE_UNMEASURED',
    );
  const pc = `${Math.round(m.columns * 100)}%`;
  const place = placeOf(m.where);
  const at = place.text;
  const on = `线上点占 ${Math.round(m.onCurve * 100)}%`;
  if (chain && m.columns >= FAIL_COLUMNS)
    return placed(
      ruleResult(
        'necklace',
        'fail',
        value,
        limit,
        `颈部皮肤上${at}有一条 U 形细线横贯颈部（${pc} 的竖列被截断，${on}；允许 < ${Math.round(MIN_COLUMNS * 100)}%），判定为佩戴项链`,
        hint,
        'NECKLACE',
      ),
      place,
    );
  if (chain && m.columns >= MIN_COLUMNS)
    return placed(
      ruleResult(
        'necklace',
        'review',
        value,
        limit,
        `颈部皮肤上${at}有疑似项链的 U 形细线（${pc} 的竖列被截断，${on}；参考上限 ${Math.round(MIN_COLUMNS * 100)}%、线上点 ≥ ${Math.round(MIN_ON_CURVE * 100)}% 时视为链状），疑似项链，请人工查看颈部和领口`,
        hint,
        'NECKLACE_SUSPECT',
      ),
      place,
    );
  const why =
    m.columns >= MIN_COLUMNS
      ? `细线零散不成链（${on}，链状要求 ≥ ${Math.round(MIN_ON_CURVE * 100)}%，如胡茬、皱纹）`
      : `参考上限 ${Math.round(MIN_COLUMNS * 100)}%`;
  return ruleResult('necklace', 'pass', value, limit, `颈部和领口未见链状细线（${pc} 的竖列被截断，${why}），未见项链`);
}
