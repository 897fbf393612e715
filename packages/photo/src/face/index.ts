/**
 * Face and composition analysis (人脸与构图分析): one analysis pass per photo (detection, mesh, iris,
 * pose, person segmentation) shared by every §3–4 check; face-aligned crop planning; background
 * replacement; the guide overlay; face embeddings for identity matching.
 */
import sharp from 'sharp';
import type { CheckResult, CropPlan, FaceGeometry, Profile, RawImage, Refusal } from '../types.js';
import { buildAnalysis, faceWidthOf, findHeadTop, pt, pupils, refinePupils, MESH, FACE_SCORE, type FaceAnalysis } from './analysis.js';
import { limitsOf, runChecks } from './checks.js';
import { FaceUnavailableError, loadEngine, runEngine, type PersonMask } from './engine.js';
import { pupilLineAngle, shoulderLevelling, solveCrop, unrotatePoint, type CropSolution, type CropTargets, type Point } from './geometry.js';
import { measureShoulders } from './rules/shoulders.js';
import { alphaFromColours, compositeMatte, dropBackgroundLookalikes, estimateBackground, runMatte } from './matte.js';

export { FaceUnavailableError } from './engine.js';
export { compositeMatte, estimateBackground, runMatte, type Matte } from './matte.js';
export { backgroundUniformMeasures, checkBackgroundUniform, BACKGROUND_LOCAL } from './rules/background-uniform.js';
export { renderOverlay, overlaySvg } from './overlay.js';
export { DEFAULT_PHOTO_LIMITS, HEURISTICS, limitsOf } from './checks.js';
export { deltaE2000, deltaE2000Rgb, rgbToLab } from './colour.js';
export { pupilLineAngle, mapThroughPlan, rotatePoint, unrotatePoint, rotatedSize, shoulderLevelling, solveCrop, RELAX_MARGINS } from './geometry.js';
export { meshPitch, meshPose, PITCH_PLANE_OFFSET, PITCH_REF_FACE_WIDTH } from './analysis.js';
export type { CropLandmarks, CropTargets, CropSolution, Point } from './geometry.js';

/** One analysis pass per photo, shared by all composition and photographic checks. */
export interface FaceInspection {
  face: FaceGeometry | null;
  checks: CheckResult[];
}

/** Load the face models now (otherwise they load on first use). Rejects with FaceUnavailableError. */
export async function warmUpFace(): Promise<void> {
  await loadEngine();
}

/** Run the single analysis pass (detection, mesh, iris, pose, segmentation) on one picture. */
export async function analyseFace(img: RawImage): Promise<FaceAnalysis> {
  const { faces, mask } = await runEngine(img, { segmentation: true });
  return buildAnalysis(img, faces, mask);
}

/** Analyse one photo already in the profile's frame and run every §3–4 check on it. */
export async function inspectFace(img: RawImage, profile: Profile): Promise<FaceInspection> {
  const analysis = await analyseFace(img);
  return { face: analysis.geometry, checks: runChecks(analysis, profile) };
}

/** Largest side analysed for crop planning; bigger sources are analysed on a downscaled copy. */
const MAX_ANALYSIS_SIDE = 1600;

async function downscaled(img: RawImage): Promise<{ small: RawImage; k: number }> {
  const side = Math.max(img.width, img.height);
  if (side <= MAX_ANALYSIS_SIDE) return { small: img, k: 1 };
  const k = MAX_ANALYSIS_SIDE / side;
  const w = Math.round(img.width * k), h = Math.round(img.height * k);
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(w, h, { fit: 'fill' }).raw().toBuffer();
  return { small: { data, width: w, height: h, channels: 3 }, k: w / img.width };
}

/** A crop plan with the measured face of the source and the enlargement it needs (scale > 1 = enlarged). */
type PlanResult = { ok: true; plan: CropPlan; face: FaceGeometry; scale: number; extended: boolean } | { ok: false; refusal: Refusal; face?: FaceGeometry };

/** How `fix` may go beyond today's crop: reach past the source (background replaced) and enlarge. */
export interface PlanOptions {
  /** The background will be replaced: the frame may reach beyond the source above the head and at the sides. */
  replaceBackground?: boolean;
  /** Largest enlargement allowed (profile `maxUpscale`); 1 = never enlarge. */
  maxUpscale?: number;
}

/** Default of the profile's `maxUpscale` (最大放大倍数). */
export const DEFAULT_MAX_UPSCALE = 1.5;

/**
 * Where the frame may reach beyond the source (see CropTargets.extend), from the person mask: above
 * the source unless the person touches its top edge; beyond a side down to the first row where the
 * person touches that side (source px).
 */
export function extensionOf(mask: PersonMask | null, k: number): NonNullable<CropTargets['extend']> {
  if (!mask) return { top: false, leftUntil: -Infinity, rightUntil: -Infinity };
  const { width: W, height: H, alpha } = mask;
  const firstRow = (x: number) => {
    for (let y = 0; y < H; y++) if (alpha[y * W + x] >= 128) return y;
    return Infinity;
  };
  let top = true;
  for (let x = 0; x < W && top; x++) if (alpha[x] >= 128 || alpha[W + x] >= 128) top = false;
  const l = Math.min(firstRow(0), firstRow(1)), r = Math.min(firstRow(W - 1), firstRow(W - 2));
  // A safety band of 2 % of the height above the first touching row.
  const band = 0.02 * H;
  return { top, leftUntil: (l - band) / k, rightUntil: (r - band) / k };
}

/**
 * Plan a face-aligned crop with explicit targets (used by `planFaceCrop`, and by the eval to build
 * deliberately misplaced variants with `unconstrained: true`).
 */
export async function planFaceCropWith(img: RawImage, profile: Profile, targets: CropTargets = {}, opts: PlanOptions = {}): Promise<PlanResult> {
  const { small, k } = await downscaled(img);
  const { faces, mask } = await runEngine(small, { segmentation: true });
  const counted = faces.filter((f) => f.score >= FACE_SCORE && f.mesh.length >= 478);
  if (counted.length === 0) return { ok: false, refusal: { code: 'NO_FACE', message: '未检测到人脸，无法自动裁剪' } };
  if (counted.length > 1) return { ok: false, refusal: { code: 'MULTIPLE_FACES', message: `检测到 ${counted.length} 张人脸，无法确定裁剪对象，请使用只有本人的照片` } };
  const f = counted[0];
  refinePupils(small, f);
  const head = findHeadTop(small, mask, f);
  const [l, r] = pupils(f);
  const nose = pt(f, MESH.noseTip);
  const s = (p: Point): Point => [p[0] / k, p[1] / k];
  const analysis = buildAnalysis(small, counted, mask);
  const g = analysis.geometry!;
  const face: FaceGeometry = {
    box: [g.box[0] / k, g.box[1] / k, g.box[2] / k, g.box[3] / k],
    eyes: [s(l), s(r)],
    noseTip: s(nose),
    headTop: head.y / k,
    faceWidth: faceWidthOf(f) / k,
    pose: g.pose,
  };
  if (head.touchesTop) return { ok: false, refusal: { code: 'HEAD_CUT_OFF', message: '原图头顶已被裁切，无法得到完整的头顶，请使用头顶上方留有空间的原图' } };
  // The head-top point: on the head outline above the midpoint of the pupils.
  const headPoint: Point = [(face.eyes[0][0] + face.eyes[1][0]) / 2, face.headTop];
  const lm = { width: img.width, height: img.height, eyes: face.eyes, noseTip: face.noseTip, headTop: headPoint, faceWidth: face.faceWidth };
  // Level the pupils, turned towards level shoulders when the head leans (at most half the roll limit;
  // shoulders aimed within half their limit) — a nicety, never a reason to refuse or to enlarge: at each
  // stage the crop is tried turned, then with the pupils level. Explicit targets keep their angle.
  const angles: (number | undefined)[] = [targets.extraAngle];
  if (targets.extraAngle === undefined && !targets.unconstrained) {
    const turn = shoulderLevelling(pupilLineAngle(face.eyes[0], face.eyes[1]), measureShoulders(analysis).tilt, limitsOf(profile).maxShoulderTilt / 2, profile.pose.maxRoll / 2);
    if (turn !== 0) angles.unshift(turn);
  }
  const solve = (more: CropTargets) => {
    // The refusal reported is that of the level crop (the last tried).
    let sol: CropSolution | null = null;
    for (const extraAngle of angles) {
      sol = solveCrop(lm, profile, { ...targets, ...more, extraAngle });
      if (sol.ok) return sol;
    }
    return sol!;
  };
  // Today's crop first (inside the source, no enlargement); then, only when that is refused, reach
  // beyond the source (background replaced), then enlarge up to the profile's limit.
  let sol = solve({});
  let extended = false;
  const retry = (code: string) => !targets.unconstrained && !['HEAD_CUT_OFF', 'NO_ROOM_BELOW'].includes(code);
  const ext = opts.replaceBackground ? extensionOf(mask, k) : undefined;
  if (!sol.ok && ext && retry(sol.refusal.code)) {
    sol = solve({ extend: ext });
    extended = true;
  }
  const maxUp = opts.maxUpscale ?? 1;
  if (!sol.ok && maxUp > 1 && retry(sol.refusal.code)) {
    sol = solve({ extend: ext, maxUpscale: maxUp });
    extended = !!ext;
    if (!sol.ok && sol.refusal.code === 'FACE_TOO_SMALL') {
      sol = { ok: false, refusal: { ...sol.refusal, message: `${sol.refusal.message}（放大超过规格允许的 ${maxUp} 倍）` } };
    }
  }
  if (!sol.ok) return { ok: false, refusal: sol.refusal, face };
  return { ok: true, plan: sol.plan, face, scale: sol.scale, extended };
}

/** Plan a face-aligned crop of a larger source photo for the profile, or refuse with the reason. */
export async function planFaceCrop(img: RawImage, profile: Profile, opts: PlanOptions = {}): Promise<PlanResult> {
  return planFaceCropWith(img, profile, {}, opts);
}

/**
 * Render a crop plan (执行裁剪方案) with the convention of `standardize.applyCropPlan`: rotate about the
 * centre on a canvas of the source's size, cut `crop`, resize to width × height (Lanczos). Used by the
 * eval and tests; throws RangeError when the crop leaves the canvas.
 */
export async function applyCropPlan(img: RawImage, plan: CropPlan, width: number, height: number): Promise<RawImage> {
  const raw = { width: img.width, height: img.height, channels: 3 as const };
  let src: Buffer = img.data;
  if (Math.abs(plan.angle) > 1e-3) {
    const out = await sharp(img.data, { raw }).rotate(plan.angle, { background: { r: 255, g: 255, b: 255 } }).raw().toBuffer({ resolveWithObject: true });
    const left = Math.round((out.info.width - img.width) / 2), top = Math.round((out.info.height - img.height) / 2);
    src = await sharp(out.data, { raw: { width: out.info.width, height: out.info.height, channels: 3 } }).extract({ left, top, width: img.width, height: img.height }).raw().toBuffer();
  }
  const c = { left: Math.round(plan.crop.left), top: Math.round(plan.crop.top), width: Math.round(plan.crop.width), height: Math.round(plan.crop.height) };
  if (c.left < 0 || c.top < 0 || c.width < 1 || c.height < 1 || c.left + c.width > img.width || c.top + c.height > img.height) throw new RangeError('裁剪区域超出原图范围');
  const data = await sharp(src, { raw }).extract(c).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  return { data, width, height, channels: 3 };
}

/**
 * Render a crop plan that may reach beyond the source (top and sides, background replaced): the part
 * outside the source is filled by repeating the source's edge (so the matte sees a continuous
 * background) and marked 0 in `inside`; the composite paints it with the background colour.
 */
export async function applyCropPlanExtended(img: RawImage, plan: CropPlan, width: number, height: number, belowToo = false): Promise<{ img: RawImage; inside: Uint8Array }> {
  const W = img.width, H = img.height;
  const raw = { width: W, height: H, channels: 3 as const };
  let src: Buffer = img.data;
  if (Math.abs(plan.angle) > 1e-3) {
    const out = await sharp(img.data, { raw }).rotate(plan.angle, { background: { r: 255, g: 255, b: 255 } }).raw().toBuffer({ resolveWithObject: true });
    const left = Math.round((out.info.width - W) / 2), top = Math.round((out.info.height - H) / 2);
    src = await sharp(out.data, { raw: { width: out.info.width, height: out.info.height, channels: 3 } }).extract({ left, top, width: W, height: H }).raw().toBuffer();
  }
  const c = { left: Math.round(plan.crop.left), top: Math.round(plan.crop.top), width: Math.round(plan.crop.width), height: Math.round(plan.crop.height) };
  if (c.width < 1 || c.height < 1 || (!belowToo && c.top + c.height > H + 1)) throw new RangeError('裁剪区域超出原图下边缘');
  const pad = { top: Math.max(0, -c.top), left: Math.max(0, -c.left), right: Math.max(0, c.left + c.width - W), bottom: Math.max(0, c.top + c.height - H) };
  // sharp runs extract before extend within one pipeline: extend in its own pass.
  const padded = pad.top + pad.left + pad.right + pad.bottom > 0 ? await sharp(src, { raw }).extend({ ...pad, extendWith: 'copy' }).raw().toBuffer() : src;
  const data = await sharp(padded, { raw: { width: W + pad.left + pad.right, height: H + pad.top + pad.bottom, channels: 3 } })
    .extract({ left: c.left + pad.left, top: c.top + pad.top, width: c.width, height: c.height })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  // Which output pixels come from inside the (rotated) source picture (half a source px of rounding).
  const inside = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = unrotatePoint([c.left + ((x + 0.5) * c.width) / width, c.top + ((y + 0.5) * c.height) / height], W, H, plan.angle);
      inside[y * width + x] = q[0] >= -0.5 && q[0] <= W + 0.5 && q[1] >= -0.5 && q[1] <= H + 0.5 ? 1 : 0;
    }
  }
  return { img: { data, width, height, channels: 3 }, inside };
}

/**
 * Replace the background with a true alpha matte (背景替换，RVM 抠图): hair strands keep their
 * transparency, the foreground colour has the old background removed (no halo, no leftover). Pixels
 * marked 0 in `inside` (outside the source picture) become the background colour.
 */
export async function replaceBackgroundMatte(img: RawImage, rgb: [number, number, number], inside?: Uint8Array): Promise<RawImage> {
  const matte = await runMatte(img);
  // RVM can leave light clothing against a light background partly transparent; the segmentation's
  // confident core (eroded by 1 % of the height, away from hair strands) is opaque person.
  const { mask } = await runEngine(img, { segmentation: true, noFaces: true });
  if (mask) {
    const core = rankFilter(mask.alpha, mask.width, mask.height, Math.max(2, Math.round(img.height / 100)), 'min');
    // There the model's foreground colour is not meaningful (it took the pixel for background): the
    // picture's own colour is the person's. The core's edge ramps from 128 to 242 (its bilinear slope):
    // a hard cut at 242 drew the coarse mask's pixel steps along a white shirt against a light wall.
    for (let i = 0; i < core.length; i++) {
      if (core[i] <= 128 || matte.alpha[i] >= 250) continue;
      const sure = Math.min(1, (core[i] - 128) / (242 - 128));
      const target = Math.round(255 * sure);
      if (target <= matte.alpha[i]) continue;
      const w = sure * (1 - matte.alpha[i] / 255);
      for (let k = 0; k < 3; k++) matte.fgr[i * 3 + k] = Math.round(matte.fgr[i * 3 + k] * (1 - w) + img.data[i * 3 + k] * w);
      matte.alpha[i] = target;
    }
    // Far from the person the segmentation sees (beyond 2.5 % of the height, softened), what the matte
    // keeps is a piece of the old background taken for hair — a pole, leaves, a shadow: it goes.
    const r = Math.max(3, Math.round(img.height * 0.025));
    const near = rankFilter(mask.alpha, mask.width, mask.height, r, 'max');
    const soft = boxBlur(near, mask.width, mask.height, Math.round(r / 2));
    for (let i = 0; i < soft.length; i++) if (soft[i] < 255) matte.alpha[i] = Math.round((matte.alpha[i] * soft[i]) / 255);
  }
  const oldBackground = estimateBackground(img, matte.alpha, inside);
  dropBackgroundLookalikes(img, matte.alpha, oldBackground);
  // Where the segmentation sees background the matte may still fill gaps between strands: alpha from the colours.
  if (mask) alphaFromColours(img, matte.alpha, mask.alpha, oldBackground);
  return compositeMatte(img, matte, rgb, inside);
}

/** Context kept around the frame when matting (share of the frame's size on every side). */
export const MATTE_CONTEXT = 0.12;

/**
 * Frame a source by a crop plan and replace its background (裁剪并替换背景): the matte is computed on the
 * frame with MATTE_CONTEXT of context on every side (the whole shoulder, the hair beside the frame:
 * without it the model leaves a sleeve that enters at the frame's edge partly transparent), then cut to
 * the frame. The frame may reach beyond the source (top and sides): that part is the background colour.
 */
export async function frameWithBackground(src: RawImage, plan: CropPlan, width: number, height: number, rgb: [number, number, number]): Promise<RawImage> {
  const mx = Math.round(MATTE_CONTEXT * width), my = Math.round(MATTE_CONTEXT * height);
  const kx = plan.crop.width / width, ky = plan.crop.height / height;
  const wide: CropPlan = { angle: plan.angle, crop: { left: plan.crop.left - mx * kx, top: plan.crop.top - my * ky, width: plan.crop.width + 2 * mx * kx, height: plan.crop.height + 2 * my * ky } };
  const Wc = width + 2 * mx, Hc = height + 2 * my;
  const ctx = await applyCropPlanExtended(src, wide, Wc, Hc, true);
  const full = await replaceBackgroundMatte(ctx.img, rgb, ctx.inside);
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) full.data.copy(data, y * width * 3, ((y + my) * Wc + mx) * 3, ((y + my) * Wc + mx + width) * 3);
  return { data, width, height, channels: 3 };
}

/** Grey-level erosion ('min') or dilation ('max') over a (2r+1)² square, separable. */
function rankFilter(a: Uint8Array, W: number, H: number, r: number, kind: 'min' | 'max'): Uint8Array {
  const tmp = new Uint8Array(a.length),
    out = new Uint8Array(a.length);
  const better = kind === 'min' ? (v: number, m: number) => v < m : (v: number, m: number) => v > m;
  const start = kind === 'min' ? 255 : 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let m = start;
      for (let k = Math.max(0, x - r), e = Math.min(W - 1, x + r); k <= e; k++) if (better(a[y * W + k], m)) m = a[y * W + k];
      tmp[y * W + x] = m;
    }
  }
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) {
      let m = start;
      for (let k = Math.max(0, y - r), e = Math.min(H - 1, y + r); k <= e; k++) if (better(tmp[k * W + x], m)) m = tmp[k * W + x];
      out[y * W + x] = m;
    }
  }
  return out;
}

/** Mean over a (2r+1)² square (running sums, separable), edges clamped. */
function boxBlur(a: Uint8Array, W: number, H: number, r: number): Uint8Array {
  if (r < 1) return a;
  const tmp = new Float32Array(a.length),
    out = new Uint8Array(a.length);
  for (let y = 0; y < H; y++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += a[y * W + Math.min(W - 1, Math.max(0, k))];
    for (let x = 0; x < W; x++) {
      tmp[y * W + x] = sum / (2 * r + 1);
      sum += a[y * W + Math.min(W - 1, x + r + 1)] - a[y * W + Math.max(0, x - r)];
    }
  }
  for (let x = 0; x < W; x++) {
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += tmp[Math.min(H - 1, Math.max(0, k)) * W + x];
    for (let y = 0; y < H; y++) {
      out[y * W + x] = Math.round(sum / (2 * r + 1));
      sum += tmp[Math.min(H - 1, y + r + 1) * W + x] - tmp[Math.max(0, y - r) * W + x];
    }
  }
  return out;
}

/**
 * Replace the background with the given colour using person segmentation (背景替换): the mask is
 * feathered (blurred, slightly tightened) and the person composited onto the colour.
 */
export async function replaceBackground(img: RawImage, rgb: [number, number, number]): Promise<RawImage> {
  const { mask } = await runEngine(img, { segmentation: true, noFaces: true });
  if (!mask) throw new FaceUnavailableError('人像分割失败，无法替换背景');
  const sigma = Math.max(0.8, Math.min(img.width, img.height) / 400);
  const blurred = await sharp(Buffer.from(mask.alpha), { raw: { width: mask.width, height: mask.height, channels: 1 } }).blur(sigma).raw().toBuffer({ resolveWithObject: true });
  const ch = blurred.info.channels;
  const soft = ch === 1 ? blurred.data : Uint8Array.from({ length: mask.width * mask.height }, (_, i) => blurred.data[i * ch]);
  const out = Buffer.alloc(img.width * img.height * 3);
  const d = img.data;
  for (let i = 0, n = img.width * img.height; i < n; i++) {
    // Tighten the soft edge a little so the old background does not halo around the hair.
    const a = Math.max(0, Math.min(1, (soft[i] / 255 - 0.2) / 0.65));
    const p = i * 3;
    out[p] = Math.round(d[p] * a + rgb[0] * (1 - a));
    out[p + 1] = Math.round(d[p + 1] * a + rgb[1] * (1 - a));
    out[p + 2] = Math.round(d[p + 2] * a + rgb[2] * (1 - a));
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

/** A face embedding for identity comparison (人脸特征), or null when no single face is found. */
export async function faceEmbedding(img: RawImage): Promise<Float32Array | null> {
  const { small } = await downscaled(img);
  const { faces } = await runEngine(small, { embedding: true });
  const counted = faces.filter((f) => f.score >= FACE_SCORE);
  if (counted.length !== 1 || !counted[0].embedding) return null;
  return Float32Array.from(counted[0].embedding);
}

/**
 * Similarity of two face embeddings (人脸相似度), Human's measure: Euclidean distance (order 2,
 * multiplier 25) mapped to 0..1 over [0.2, 0.8] — 1 = identical; about ≥ 0.5 is usually the same person.
 */
export function faceSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  const distance = 25 * sum;
  if (distance === 0) return 1;
  const s = (1 - Math.sqrt(distance) / 100 - 0.2) / (0.8 - 0.2);
  return Math.max(0, Math.min(1, s));
}

/** Cosine similarity of two embeddings (-1..1), an alternative for calibration. */
export function faceCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa && bb ? ab / Math.sqrt(aa * bb) : 0;
}

export type { FaceAnalysis } from './analysis.js';
