/**
 * Pure geometry of the composition rules (构图几何): pupil-line angle, rotation about the picture
 * centre, and the face-aligned crop solver. No pixels and no models here, so it is tested on
 * synthetic landmarks.
 */
import type { CropPlan, Profile, Refusal } from '../types.js';

export type Point = [number, number];

/** Angle of the pupil line in degrees; positive when the right pupil (as seen) is lower (clockwise tilt). */
export function pupilLineAngle(left: Point, right: Point): number {
  return (Math.atan2(right[1] - left[1], right[0] - left[0]) * 180) / Math.PI;
}

/** Size of the canvas that holds a W×H picture rotated by `angle` degrees (the bounding box). */
export function rotatedSize(width: number, height: number, angle: number): { width: number; height: number } {
  const t = (angle * Math.PI) / 180;
  const c = Math.abs(Math.cos(t)), s = Math.abs(Math.sin(t));
  return { width: width * c + height * s, height: width * s + height * c };
}

/**
 * Map a source point into the rotated picture: rotate by `angle` degrees clockwise (as seen, y down)
 * about the source centre, on a canvas of the SAME size and centre as the source (the convention of
 * `standardize.applyCropPlan`: corners that come in from outside are not picture).
 */
export function rotatePoint(p: Point, width: number, height: number, angle: number): Point {
  const t = (angle * Math.PI) / 180;
  const c = Math.cos(t), s = Math.sin(t);
  const x = p[0] - width / 2, y = p[1] - height / 2;
  return [x * c - y * s + width / 2, x * s + y * c + height / 2];
}

/** Inverse of `rotatePoint`: a point of the rotated picture back in source pixels. */
export function unrotatePoint(p: Point, width: number, height: number, angle: number): Point {
  const t = (angle * Math.PI) / 180;
  const c = Math.cos(t), s = Math.sin(t);
  const x = p[0] - width / 2, y = p[1] - height / 2;
  return [x * c + y * s + width / 2, -x * s + y * c + height / 2];
}

/** Map a source point through a crop plan into the output frame (outW × outH). */
export function mapThroughPlan(p: Point, plan: CropPlan, source: { width: number; height: number }, out: { width: number; height: number }): Point {
  const r = rotatePoint(p, source.width, source.height, plan.angle);
  return [((r[0] - plan.crop.left) * out.width) / plan.crop.width, ((r[1] - plan.crop.top) * out.height) / plan.crop.height];
}

/**
 * Extra rotation, after levelling the pupils, that brings the shoulders towards level (双肩找平), as a
 * photographer straightens a sitter whose head leans on level shoulders: when levelled pupils would leave
 * the shoulder line tilted by more than `aim` degrees, turn towards level shoulders by the excess, but by
 * at most `maxTurn` degrees, so the pupils stay well inside the roll limit. 0 when the shoulders are not
 * measured or already within `aim`. `roll` and `shoulderTilt`: the pupil line and the shoulder line in the
 * source, in degrees with `pupilLineAngle`'s sign (positive: the right side as seen is lower).
 */
export function shoulderLevelling(roll: number, shoulderTilt: number | null, aim: number, maxTurn: number): number {
  if (shoulderTilt === null) return 0;
  const residual = shoulderTilt - roll;
  const excess = Math.abs(residual) - aim;
  return excess > 0 ? -Math.sign(residual) * Math.min(excess, maxTurn) : 0;
}

/** The landmarks the crop solver needs, in source pixels. */
export interface CropLandmarks {
  width: number;
  height: number;
  eyes: [Point, Point];
  noseTip: Point;
  /** Top of the hair (a point on the head outline). */
  headTop: Point;
  /** Cheek-to-cheek width, px (rotation-invariant). */
  faceWidth: number;
}

/** Targets inside the profile's ranges the solver aims at; defaults to the middle of each range. */
export interface CropTargets {
  eyeLine?: number;
  headTop?: number;
  faceWidth?: number;
  /** Offset of the nose from the centre line in output px (0 = centred). */
  centreOffset?: number;
  /** Extra rotation added after levelling, degrees (used to make test variants). */
  extraAngle?: number;
  /** Let targets fall outside the profile's ranges (for building deliberately broken variants). */
  unconstrained?: boolean;
  /** Largest allowed upscaling factor (output px per source px). Default 1: never enlarge. */
  maxUpscale?: number;
  /**
   * Where the frame may reach beyond the source (only when the background is replaced: the extension is
   * filled with the background colour and invents no pixel of the person). `top`: above the source;
   * `leftUntil` / `rightUntil`: beyond the left / right edge for crop corners at source y ≤ this value
   * (the first row where the person touches that edge; −Infinity = never, Infinity = anywhere).
   */
  extend?: { top: boolean; leftUntil: number; rightUntil: number };
}

export type CropSolution = { ok: true; plan: CropPlan; scale: number; predicted: { eyeLine: number; headTop: number; faceWidth: number; noseX: number } } | { ok: false; refusal: Refusal };

const MESSAGES: Record<string, string> = {
  HEAD_CUT_OFF: '原图头顶已被裁切，无法得到完整的头顶，请使用头顶上方留有空间的原图',
  NO_ROOM_ABOVE_HEAD: '原图头顶上方空间不足，按标准构图需要超出原图上边缘，请使用头顶上方留有更多空间的原图',
  NO_ROOM_BELOW: '原图下方空间不足（肩部被裁切），按标准构图需要超出原图下边缘，请使用拍到肩部以下的原图',
  NO_ROOM_AT_SIDES: '原图左右空间不足，人像无法居中，请使用人物居中、两侧留有空间的原图',
  FACE_TOO_LARGE: '原图中人脸过大（距离镜头太近），按标准构图需要超出原图范围，请离镜头远一些重新拍摄',
  FACE_TOO_SMALL: '原图中人脸像素过少，放大后会模糊，请使用更清晰、人脸更大的原图',
  GEOMETRY_CONFLICT: '头顶、眼睛位置与脸宽无法同时满足标准（可能发型过高或戴帽子），请人工处理',
};

/**
 * Safety margins tried in turn by the crop solver, as a fraction of each range kept clear of its limits:
 * 10 % first, then closer to the limits when the source lacks room (0.02 of the eye-line range of the
 * graduation profile is 2 px — about the measurement error of the pupils on the output).
 */
export const RELAX_MARGINS = [0.1, 0.06, 0.03, 0.015] as const;

export function refusal(code: string, extra = ''): Refusal {
  return { code, message: (MESSAGES[code] ?? code) + extra };
}

/**
 * Solve the face-aligned crop (人脸对齐裁剪): level the pupils, then choose scale and position so the
 * pupils sit on the eye line, the nose on the centre line, face width and head top inside their ranges
 * (aiming at the middle of each), with the crop entirely inside the rotated source picture.
 * Refuses (never invents pixels) when the source lacks room.
 */
export function solveCrop(lm: CropLandmarks, profile: Pick<Profile, 'width' | 'height' | 'geometry'>, targets: CropTargets = {}): CropSolution {
  const { width: W, height: H } = lm;
  const outW = profile.width, outH = profile.height;
  const g = profile.geometry;
  if (lm.headTop[1] <= 1) return { ok: false, refusal: refusal('HEAD_CUT_OFF') };
  const roll = pupilLineAngle(lm.eyes[0], lm.eyes[1]);
  const angle = -roll + (targets.extraAngle ?? 0);
  const e0 = rotatePoint(lm.eyes[0], W, H, angle), e1 = rotatePoint(lm.eyes[1], W, H, angle);
  const eyeY = (e0[1] + e1[1]) / 2;
  const nose = rotatePoint(lm.noseTip, W, H, angle);
  const top = rotatePoint(lm.headTop, W, H, angle);
  const eyeToTop = eyeY - top[1];
  const fw = lm.faceWidth;
  const mid = (r: [number, number]) => (r[0] + r[1]) / 2;
  const tEye = targets.eyeLine ?? mid(g.eyeLine);
  const tTop = targets.headTop ?? mid(g.headTop);
  const tFw = targets.faceWidth ?? mid(g.faceWidth);
  const tDx = targets.centreOffset ?? 0;
  const maxUp = targets.maxUpscale ?? 1;

  const inside = (crop: CropPlan['crop']) => {
    const corners: Point[] = [[crop.left, crop.top], [crop.left + crop.width, crop.top], [crop.left, crop.top + crop.height], [crop.left + crop.width, crop.top + crop.height]];
    const bad = { top: false, bottom: false, sides: false, excess: 0 };
    const ext = targets.extend;
    for (const c of corners) {
      const s = unrotatePoint(c, W, H, angle);
      if (s[0] < -0.5 && !(ext && s[1] <= ext.leftUntil)) bad.sides = true;
      if (s[0] > W + 0.5 && !(ext && s[1] <= ext.rightUntil)) bad.sides = true;
      if (s[1] < -0.5 && !ext?.top) bad.top = true;
      if (s[1] > H + 0.5) bad.bottom = true;
      bad.excess = Math.max(bad.excess, -s[0], s[0] - W, -s[1], s[1] - H);
    }
    return bad;
  };
  const makeCrop = (s: number, ye: number, dx: number) => ({
    left: nose[0] - (outW / 2 + dx) / s,
    top: eyeY - ye / s,
    width: outW / s,
    height: outH / s,
  });

  if (targets.unconstrained) {
    const s = tFw / fw;
    const ye = targets.eyeLine ?? (targets.headTop !== undefined ? tTop + s * eyeToTop : tEye);
    const crop = makeCrop(s, ye, tDx);
    const bad = inside(crop);
    if (bad.top || bad.bottom || bad.sides) return { ok: false, refusal: refusal(bad.top ? 'NO_ROOM_ABOVE_HEAD' : bad.bottom ? 'NO_ROOM_BELOW' : 'NO_ROOM_AT_SIDES') };
    return { ok: true, plan: { angle, crop }, scale: s, predicted: { eyeLine: ye, headTop: ye - s * eyeToTop, faceWidth: s * fw, noseX: outW / 2 + tDx } };
  }

  const tol = g.centreTolerance * outW;
  /** Whether some placement within the limits fits the source's top edge, its bottom, its sides, the upscaling cap. */
  type Fits = { top: boolean; bottom: boolean; sides: boolean; scale: boolean };
  type Placement = { cost: number; s: number; ye: number; dx: number; crop: CropPlan['crop']; bad: { top: boolean; bottom: boolean; sides: boolean; excess: number } };
  /**
   * Grid search over scale (face width), eye line and horizontal offset, each kept `margin` (a fraction
   * of its range) inside the profile's limits; the head top must fall inside its range with the same
   * margin. Returns the feasible placement (inside the rotated source, no enlargement beyond maxUp)
   * closest to the targets, and (for the diagnosis) the placement that leaves the source by the fewest pixels.
   */
  const search = (margin: number): { best: Placement | null; geom: Placement | null; fits: Fits } => {
    const inset = (r: [number, number]): [number, number] => [r[0] + margin * (r[1] - r[0]), r[1] - margin * (r[1] - r[0])];
    const [fwLo, fwHi] = inset(g.faceWidth), [eyLo, eyHi] = inset(g.eyeLine), [htLo, htHi] = inset(g.headTop);
    const dxMax = tol * Math.min(1 - 2 * margin, 0.5 + 5 * (0.1 - margin));
    const dxs = [0, -0.25, 0.25, -0.5, 0.5, -0.75, 0.75, -1, 1].map((k) => tDx + k * dxMax).filter((dx, i, a) => a.indexOf(dx) === i && Math.abs(dx - tDx) <= dxMax + 1e-9);
    let best: Placement | null = null, geom: Placement | null = null;
    const fits: Fits = { top: false, bottom: false, sides: false, scale: false };
    const steps = 48;
    for (let i = 0; i <= steps; i++) {
      const fwOut = fwLo + ((fwHi - fwLo) * i) / steps;
      const s = fwOut / fw;
      for (let j = 0; j <= 40; j++) {
        const ye = eyLo + ((eyHi - eyLo) * j) / 40;
        const ht = ye - s * eyeToTop;
        if (ht < htLo - 1e-9 || ht > htHi + 1e-9) continue;
        for (const dx of dxs) {
          // Enlargement (only possible when maxUpscale > 1) costs more than any placement within the
          // ranges: the least enlargement that fits is taken.
          const cost = (s > 1 ? 20 * (s - 1) ** 2 : 0) + ((fwOut - tFw) / (g.faceWidth[1] - g.faceWidth[0])) ** 2 + ((ye - tEye) / (g.eyeLine[1] - g.eyeLine[0])) ** 2 + ((ht - tTop) / (g.headTop[1] - g.headTop[0])) ** 2 + (tol > 0 ? ((dx - tDx) / tol) ** 2 : 0);
          const crop = makeCrop(s, ye, dx);
          const bad = inside(crop);
          const ok = !bad.top && !bad.bottom && !bad.sides && s <= maxUp;
          if (ok && (!best || cost < best.cost)) best = { cost, s, ye, dx, crop, bad };
          if (s <= maxUp) {
            fits.scale = true;
            if (!bad.top) fits.top = true;
            if (!bad.bottom) fits.bottom = true;
            if (!bad.sides) fits.sides = true;
          }
          const miss = (s > maxUp ? 1e9 : 0) + bad.excess;
          if (!geom || miss < geom.cost) geom = { cost: miss, s, ye, dx, crop, bad };
        }
      }
    }
    return { best, geom, fits };
  };
  // Aim well inside the ranges (10 % of each range as a safety margin against measurement error on
  // the output); when the source lacks room for that, relax towards the limits step by step and take
  // the feasible placement closest to the targets. Refuse only when no placement within the limits fits.
  let best: Placement | null = null;
  let bestGeom: Placement | null = null;
  let fits: Fits = { top: false, bottom: false, sides: false, scale: false };
  for (const margin of RELAX_MARGINS) {
    const r = search(margin);
    bestGeom = r.geom ?? bestGeom;
    fits = r.fits;
    if (r.best) { best = r.best; break; }
  }
  if (best) {
    return {
      ok: true,
      plan: { angle, crop: best.crop },
      scale: best.s,
      predicted: { eyeLine: best.ye, headTop: best.ye - best.s * eyeToTop, faceWidth: best.s * fw, noseX: outW / 2 + best.dx },
    };
  }
  if (!bestGeom) return { ok: false, refusal: refusal('GEOMETRY_CONFLICT') };
  // Diagnose why no geometrically valid placement fits inside the source.
  // At the smallest face width allowed the frame covers the most of the source; when even that frame
  // is larger than the source, the face is too large for it (too close to the camera): step back.
  const smallest = g.faceWidth[0] / fw;
  if (!targets.extend && (outW / smallest > W + 1 || outH / smallest > H + 1)) return { ok: false, refusal: refusal('FACE_TOO_LARGE') };
  if (!fits.scale) return { ok: false, refusal: refusal('FACE_TOO_SMALL') };
  if (!fits.top) return { ok: false, refusal: refusal('NO_ROOM_ABOVE_HEAD') };
  if (!fits.bottom) return { ok: false, refusal: refusal('NO_ROOM_BELOW') };
  if (!fits.sides) return { ok: false, refusal: refusal('NO_ROOM_AT_SIDES') };
  // Each edge can be met on its own but never all at once: the source is too tight around the face.
  return { ok: false, refusal: refusal('FACE_TOO_LARGE') };
}
