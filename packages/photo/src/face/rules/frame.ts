/**
 * What the photographic rules share (拍摄规则公用测量): the face-aligned frame, colour samples of the
 * face's own skin and the person's hair, and region sampling. Each rule module (headwear.ts, ears.ts …)
 * measures in this frame, so one rule reads the same on a 480×640 frame and on a larger source.
 *
 * Face frame (面部坐标): origin at the mid-point of the pupils, u along the pupil line (towards the
 * right pupil as seen), v across it (downwards), both in inter-pupil distances (IPD). On the London
 * portraits the brows sit at v ≈ −0.25, the mesh forehead top (point 10) at v ≈ −0.8, the chin at
 * v ≈ +1.75, the face contour at |u| ≈ 1.05.
 */
import type { CheckResult, CheckStatus, Measure, RuleId } from '../../types.js';
import { LAB_MEMO, deltaE2000, hypot2, labSlot, type Lab } from '../colour.js';
import { memo, pt, pupils, type FaceAnalysis } from '../analysis.js';
import type { DetectedFace } from '../engine.js';
import type { Point } from '../geometry.js';

export { memo };

export interface FaceFrame {
  ipd: number;
  /** Image point of face coordinates (u, v). */
  at(u: number, v: number): Point;
  /** Face coordinates of mesh point i. */
  uv(i: number): Point;
}

/**
 * The frame of one face. A class, not closures made per photo: the rules call `at` in their inner loops,
 * and V8 keeps optimised code only while a closure of it lives (closures made per photo start cold again
 * after every full GC); one prototype method stays optimised and inlined.
 */
class Frame implements FaceFrame {
  constructor(
    private readonly face: DetectedFace,
    readonly ipd: number,
    private readonly ox: number,
    private readonly oy: number,
    private readonly ex0: number,
    private readonly ex1: number,
  ) {}
  at(u: number, v: number): Point {
    const { ipd, ox, oy, ex0, ex1 } = this;
    return [ox + ipd * (u * ex0 - v * ex1), oy + ipd * (u * ex1 + v * ex0)];
  }
  uv(i: number): Point {
    const { ipd, ox, oy, ex0, ex1 } = this;
    const p = pt(this.face, i);
    const dx = p[0] - ox,
      dy = p[1] - oy;
    return [(dx * ex0 + dy * ex1) / ipd, (-dx * ex1 + dy * ex0) / ipd];
  }
}

export function faceFrame(a: FaceAnalysis): FaceFrame {
  return memo(a, 'rules.frame', () => {
    const f = a.face!;
    const [l, r] = pupils(f);
    const ipd = hypot2(r[0] - l[0], r[1] - l[1]) || 1;
    return new Frame(f, ipd, (l[0] + r[0]) / 2, (l[1] + r[1]) / 2, (r[0] - l[0]) / ipd, (r[1] - l[1]) / ipd);
  });
}

/** Pixel index at face coordinates, or -1 outside the picture. */
export function indexAt(a: FaceAnalysis, F: FaceFrame, u: number, v: number): number {
  const [x, y] = F.at(u, v);
  const xi = Math.round(x), yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= a.img.width || yi >= a.img.height) return -1;
  return yi * a.img.width + xi;
}

export function labOf(a: FaceAnalysis, i: number): Lab {
  const d = a.img.data, p = i * 3;
  const k = labSlot(d[p], d[p + 1], d[p + 2]);
  return [LAB_MEMO[k], LAB_MEMO[k + 1], LAB_MEMO[k + 2]];
}

export interface Sample {
  /** Lab of each sampled point inside the picture. */
  lab: Lab[];
  /** Pixel index of each (same order). */
  idx: number[];
  /** Face coordinates of each (same order). */
  at: Point[];
  /** Points requested (inside and outside the picture). */
  requested: number;
}

/** Sample a face-frame box on a grid of `step` IPD. `keep` filters points (e.g. inside the person). */
export function sampleBox(a: FaceAnalysis, u0: number, u1: number, v0: number, v1: number, step: number, keep?: (i: number, u: number, v: number) => boolean): Sample {
  const F = faceFrame(a);
  const s: Sample = { lab: [], idx: [], at: [], requested: 0 };
  for (let v = v0; v <= v1 + 1e-9; v += step) {
    for (let u = u0; u <= u1 + 1e-9; u += step) {
      s.requested++;
      const i = indexAt(a, F, u, v);
      if (i < 0 || (keep && !keep(i, u, v))) continue;
      s.lab.push(labOf(a, i));
      s.idx.push(i);
      s.at.push([u, v]);
    }
  }
  return s;
}

function medianLab(labs: Lab[]): Lab | null {
  if (!labs.length) return null;
  const v = new Float64Array(labs.length);
  const m = (k: 0 | 1 | 2) => {
    for (let i = 0; i < labs.length; i++) v[i] = labs[i][k];
    return v.sort()[labs.length >> 1];
  };
  return [m(0), m(1), m(2)];
}

/**
 * The face's own skin (肤色): median Lab of both cheeks and the nose bridge. `isSkin` allows the
 * shading of a lit face: the same chromaticity within 9 units of a*b*, lightness from 30 below (shadow
 * under the jaw, the side of the nose) to 15 above (a highlight) — hair, fabric, metal and the
 * background fall outside.
 */
export function skinModel(a: FaceAnalysis): { lab: Lab; isSkin(c: Lab): boolean } {
  return memo(a, 'rules.skin', () => {
    const labs: Lab[] = [];
    for (const [u, v] of [[-0.55, 0.45], [0.55, 0.45], [0, 0.05]] as const) labs.push(...sampleBox(a, u - 0.08, u + 0.08, v - 0.08, v + 0.08, 0.04).lab);
    return new SkinModel(medianLab(labs) ?? [65, 12, 16]);
  });
}

/** `skinModel`'s test, a class for the reason given at `Frame`. */
class SkinModel {
  constructor(readonly lab: Lab) {}
  isSkin(c: Lab): boolean {
    const lab = this.lab;
    return hypot2(c[1] - lab[1], c[2] - lab[2]) < 9 && c[0] > lab[0] - 30 && c[0] < lab[0] + 15;
  }
}

/** Share of the sample that is skin (0 when nothing was sampled). */
export function skinShare(a: FaceAnalysis, s: Sample): number {
  const sk = skinModel(a);
  return s.lab.length ? s.lab.filter((c) => sk.isSkin(c)).length / s.lab.length : 0;
}

/** Inside the person mask (alpha ≥ 128); everything counts when there is no mask. */
export function inPerson(a: FaceAnalysis, i: number): boolean {
  return !a.mask || a.mask.alpha[i] >= 128;
}

/** Median background colour (Lab) just beside and above the head, from the analysis' background pixels. */
export function backgroundLab(a: FaceAnalysis): Lab | null {
  return memo(a, 'rules.bg', () => {
    const all = a.background;
    const step = Math.max(1, Math.floor(all.length / 1500));
    const labs: Lab[] = [];
    for (let k = 0; k < all.length; k += step) labs.push(labOf(a, all[k]));
    return medianLab(labs);
  });
}

/**
 * Jewellery-like colour (饰品色): specular metal or stone highlights (lightness well above the skin and
 * at least L* 78 with little colour), or strong colour far from the skin — never the background's colour.
 */
export function jewelleryLike(a: FaceAnalysis, c: Lab): boolean {
  const sk = skinModel(a).lab;
  const bg = backgroundLab(a);
  if (bg && deltaE2000(c, bg) < 20) return false;
  const chroma = hypot2(c[1], c[2]);
  if (c[0] >= Math.max(78, sk[0] + 12) && chroma < 30) return true;
  if (chroma >= 38 && deltaE2000(c, sk) > 25) return true;
  return false;
}

export const r2 = (v: number) => Math.round(v * 100) / 100;

/** A rule's result with its stable code (code only on fail / review). */
export function ruleResult(id: RuleId, status: CheckStatus, value: Measure, limit: Measure, message: string, hint?: string, code?: string): CheckResult {
  const r: CheckResult = { id, status, value, limit, message };
  if (hint && status !== 'pass' && status !== 'skip') r.hint = hint;
  if (code && status !== 'pass') r.code = code;
  return r;
}
