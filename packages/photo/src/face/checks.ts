/**
 * The §3–4 checks (构图与拍摄检查). Each maps one native measure of the shared analysis against the
 * profile's limit and says, in Chinese, what was measured, the limit, and how to fix it.
 */
import type { CheckResult, CheckStatus, Measure, PhotoLimits, Profile, RuleId } from '../types.js';
import { deltaE2000Rgb } from './colour.js';
import type { FaceAnalysis } from './analysis.js';
import { checkBackgroundUniform } from './rules/background-uniform.js';
import { ACCESSORY_RULES } from './rules/index.js';
import { checkShoulders } from './rules/shoulders.js';
import { backgroundMeasures, clothingColour, exposureMeasures, expressionMeasures, eyeSharpness, glassesMeasures, skinTexture } from './measures.js';

/** Defaults of the photographic limits, calibrated on the London set (see scripts/eval). */
export const DEFAULT_PHOTO_LIMITS: PhotoLimits = {
  maxBackgroundSpread: 12,
  maxBackgroundGradient: 5,
  minClothingDeltaE: 12,
  maxShoulderTilt: 8,
  minFaceLightness: 22,
  minPhotoHighlight: 70,
  maxFaceClipped: 0.05,
  maxHalfLit: 14,
  minSharpness: 0.03,
  minEyeOpening: 0.14,
  maxMouthOpening: 0.2,
  maxTeeth: 0.02,
};

/** Internal thresholds that are not profile settings (heuristic detectors whose result is `review`). */
export const HEURISTICS = {
  /** glasses: bridge edge energy above which frames are suspected. */
  glassesBridge: 0.09,
  glassesRims: 0.09,
  glassesGlare: 0.02,
  /** retouch: skin texture below which beautification is suspected. */
  minSkinTexture: 0.004,
  /** expression: smile curvature (mouth corners above the lip centre / mouth width) → review. */
  maxSmile: 0.09,
  /**
   * Measurement uncertainty added to a limit before a photo FAILS; between the limit and limit + margin
   * the check says `review`. The face-plane pitch (`meshPitch`) scatters with sd 1.8°, up to ±4.2°, on
   * frontal studio portraits (London set, graduation frame); yaw scatters by ~3° (the shoulder line's margin
   * is in rules/shoulders.ts).
   */
  pitchMargin: 5,
  yawMargin: 2,
  /** background: smallest share of the picture that must be background to judge it. */
  minBackgroundShare: 0.04,
};

export function limitsOf(profile: Profile): PhotoLimits {
  return { ...DEFAULT_PHOTO_LIMITS, ...(profile.photo ?? {}) };
}

/** `sharpness` between its limit and this multiple of it → review (an upscaled small photo measured 0.031 against 0.03). */
export const SHARPNESS_REVIEW = 1.5;

const r1 = (v: number) => Math.round(v * 10) / 10;
const r2 = (v: number) => Math.round(v * 100) / 100;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

function result(id: RuleId, status: CheckStatus, value: Measure, limit: Measure, message: string, hint?: string): CheckResult {
  return hint && status !== 'pass' && status !== 'skip' ? { id, status, value, limit, message, hint } : { id, status, value, limit, message };
}

const FACE_RULES: RuleId[] = ['face.count', 'geometry.head-top', 'geometry.eye-line', 'geometry.face-width', 'geometry.centre', 'pose.roll', 'pose.yaw', 'pose.pitch', 'expression', 'shoulders', 'background.colour', 'background.uniform', 'clothing.contrast', 'exposure', 'sharpness', 'glasses', ...ACCESSORY_RULES.map((r) => r.id), 'retouch'];

/** Run every face-dependent check on one analysis. */
export function runChecks(a: FaceAnalysis, profile: Profile): CheckResult[] {
  const out: CheckResult[] = [];
  const n = a.faces.length;
  if (n === 1) out.push(result('face.count', 'pass', 1, 1, '检测到 1 张人脸'));
  else if (n === 0) out.push(result('face.count', 'fail', 0, 1, '未检测到人脸（要求恰好 1 张）', '请上传正面、面部清晰无遮挡的本人照片'));
  else out.push(result('face.count', 'fail', n, 1, `检测到 ${n} 张人脸（要求恰好 1 张）`, '照片中只能有本人，背景中不得有其他人'));
  if (!a.face || !a.geometry || n !== 1) {
    for (const id of FACE_RULES.slice(1)) out.push(result(id, 'skip', null, null, n === 0 ? '未检测到人脸，无法检查' : '人脸数量不符，无法检查'));
    return out;
  }
  const L = limitsOf(profile);
  const g = a.geometry;
  const G = profile.geometry;
  const W = a.img.width;

  // geometry.head-top
  {
    const v = Math.round(g.headTop);
    const [lo, hi] = G.headTop;
    if (a.headTop.touchesTop) out.push(result('geometry.head-top', 'fail', v, [lo, hi], `头顶被裁切或紧贴上边缘（要求头顶距上边缘 ${lo}–${hi} 像素）`, '请重新取景，头顶上方留出空间'));
    else if (a.headTop.method === 'none') out.push(result('geometry.head-top', 'review', null, [lo, hi], '未能测出头顶（发顶）位置，请人工查看头顶距上边缘是否在 ' + `${lo}–${hi} 像素`, '请确认头顶在【顶部最高点】范围内'));
    else if (v < lo) out.push(result('geometry.head-top', 'fail', v, [lo, hi], `头顶距上边缘 ${v} 像素，小于 ${lo} 像素（要求 ${lo}–${hi}）`, '人像过高或过大：请把人像整体下移或缩小'));
    else if (v > hi) out.push(result('geometry.head-top', 'fail', v, [lo, hi], `头顶距上边缘 ${v} 像素，大于 ${hi} 像素（要求 ${lo}–${hi}）`, '人像过低或过小：请把人像整体上移或放大'));
    else out.push(result('geometry.head-top', 'pass', v, [lo, hi], `头顶距上边缘 ${v} 像素（要求 ${lo}–${hi}）`));
  }
  // geometry.eye-line
  {
    const v = Math.round((g.eyes[0][1] + g.eyes[1][1]) / 2);
    const [lo, hi] = G.eyeLine;
    if (v < lo || v > hi) out.push(result('geometry.eye-line', 'fail', v, [lo, hi], `瞳孔中心距上边缘 ${v} 像素，超出眼中线范围 ${lo}–${hi} 像素`, v < lo ? '人像偏上：请把人像下移，使双眼瞳孔落在眼中线范围内' : '人像偏下：请把人像上移，使双眼瞳孔落在眼中线范围内'));
    else out.push(result('geometry.eye-line', 'pass', v, [lo, hi], `瞳孔中心距上边缘 ${v} 像素（要求 ${lo}–${hi}）`));
  }
  // geometry.face-width
  {
    const v = Math.round(g.faceWidth);
    const [lo, hi] = G.faceWidth;
    if (v < lo) out.push(result('geometry.face-width', 'fail', v, [lo, hi], `脸宽 ${v} 像素，小于 ${lo} 像素（要求 ${lo}–${hi}）`, '人像过小：请放大人像，使脸宽在两条竖直基准线之间'));
    else if (v > hi) out.push(result('geometry.face-width', 'fail', v, [lo, hi], `脸宽 ${v} 像素，大于 ${hi} 像素（要求 ${lo}–${hi}）`, '人像过大（离镜头太近）：请缩小人像，使脸宽不超过两条竖直基准线'));
    else out.push(result('geometry.face-width', 'pass', v, [lo, hi], `脸宽 ${v} 像素（要求 ${lo}–${hi}）`));
  }
  // geometry.centre
  {
    const off = Math.round(g.noseTip[0] - W / 2);
    const tol = Math.round(G.centreTolerance * W);
    if (Math.abs(off) > tol) out.push(result('geometry.centre', 'fail', off, tol, `鼻尖偏离画中线 ${Math.abs(off)} 像素（偏${off < 0 ? '左' : '右'}），超过允许的 ±${tol} 像素`, '请水平移动人像，使鼻子对准画中线'));
    else out.push(result('geometry.centre', 'pass', off, tol, `鼻尖偏离画中线 ${Math.abs(off)} 像素（允许 ±${tol}）`));
  }
  // pose
  {
    const roll = r1(g.pose.roll), lim = profile.pose.maxRoll;
    if (Math.abs(roll) > lim) out.push(result('pose.roll', 'fail', roll, lim, `双眼瞳孔连线倾斜 ${Math.abs(roll)}°，超过 ${lim}°`, '头部歪斜：请端正头部，或旋转照片使双眼水平'));
    else out.push(result('pose.roll', 'pass', roll, lim, `双眼瞳孔连线倾斜 ${Math.abs(roll)}°（允许 ≤ ${lim}°）`));
    const yaw = r1(g.pose.yaw), ly = profile.pose.maxYaw;
    if (Math.abs(yaw) > ly + HEURISTICS.yawMargin) out.push(result('pose.yaw', 'fail', yaw, ly, `头部左右转动约 ${Math.abs(yaw)}°，超过 ${ly}°`, '请正对镜头，不要侧脸'));
    else if (Math.abs(yaw) > ly) out.push(result('pose.yaw', 'review', yaw, ly, `头部左右转动约 ${Math.abs(yaw)}°，略超 ${ly}°（估计误差约 ±${HEURISTICS.yawMargin}°），请人工确认是否正对镜头`, '请正对镜头，不要侧脸'));
    else out.push(result('pose.yaw', 'pass', yaw, ly, `头部左右转动约 ${Math.abs(yaw)}°（允许 ≤ ${ly}°）`));
    const pitch = r1(g.pose.pitch), lp = profile.pose.maxPitch;
    const dir = pitch > 0 ? '低头' : '抬头';
    if (Math.abs(pitch) > lp + HEURISTICS.pitchMargin) out.push(result('pose.pitch', 'fail', pitch, lp, `头部${dir}约 ${Math.abs(pitch)}°，超过 ${lp}°`, '请平视镜头，不要抬头或低头'));
    else if (Math.abs(pitch) > lp) out.push(result('pose.pitch', 'review', pitch, lp, `头部${dir}约 ${Math.abs(pitch)}°，略超 ${lp}°（估计误差约 ±${HEURISTICS.pitchMargin}°），请人工确认是否平视镜头`, '请平视镜头，不要抬头或低头'));
    else out.push(result('pose.pitch', 'pass', pitch, lp, `头部俯仰约 ${Math.abs(pitch)}°（允许 ≤ ${lp}°）`));
  }
  // expression
  {
    const e = expressionMeasures(a);
    const value = { eyeOpening: r2(e.eyeOpening), mouthOpening: r2(e.mouthOpening), teeth: r2(e.teeth), smile: r2(e.smile) };
    const limit = { minEyeOpening: L.minEyeOpening, maxMouthOpening: L.maxMouthOpening, maxTeeth: L.maxTeeth };
    const problems: string[] = [];
    if (e.eyeOpening < L.minEyeOpening) problems.push(`眼睛睁开程度 ${r2(e.eyeOpening)}，低于 ${L.minEyeOpening}（疑似闭眼或眯眼）`);
    if (e.mouthOpening > L.maxMouthOpening) problems.push(`嘴唇张开程度 ${r2(e.mouthOpening)}，超过 ${L.maxMouthOpening}`);
    if (e.teeth > L.maxTeeth) problems.push(`唇间露齿像素占比 ${r2(e.teeth)}，超过 ${L.maxTeeth}`);
    if (problems.length) out.push(result('expression', 'fail', value, limit, problems.join('；'), '请双眼自然睁开、嘴唇自然闭合、不露齿，保持自然表情'));
    else if (e.smile > HEURISTICS.maxSmile) out.push(result('expression', 'review', value, limit, `嘴角上扬明显（${r2(e.smile)}，参考上限 ${HEURISTICS.maxSmile}），请人工确认表情是否自然`, '请保持自然表情，不要大笑'));
    else out.push(result('expression', 'pass', value, limit, `双眼睁开（${r2(e.eyeOpening)}）、嘴唇闭合（${r2(e.mouthOpening)}）、未见露齿（${r2(e.teeth)}）`));
  }
  // shoulders (rules/shoulders.ts)
  out.push(checkShoulders(a, L.maxShoulderTilt));
  // background
  const bgm = backgroundMeasures(a);
  {
    const ref = profile.background;
    if (!ref) out.push(result('background.colour', 'pass', null, null, '本规格不限定背景颜色'));
    else if (!bgm.rgb || bgm.share < HEURISTICS.minBackgroundShare) out.push(result('background.colour', 'review', null, ref.maxDeltaE, '可见背景过少，无法测量背景颜色，请人工确认', '请在人像周围留出背景'));
    else {
      const de = r1(deltaE2000Rgb(bgm.rgb, ref.rgb));
      const rgbText = `RGB(${bgm.rgb.join(',')})`;
      if (de > ref.maxDeltaE) out.push(result('background.colour', 'fail', de, ref.maxDeltaE, `背景颜色 ${rgbText} 与标准 RGB(${ref.rgb.join(',')}) 相差 ΔE2000 = ${de}，超过 ${ref.maxDeltaE}`, '请在浅蓝色背景前重新拍摄'));
      else out.push(result('background.colour', 'pass', de, ref.maxDeltaE, `背景颜色 ${rgbText}，与标准相差 ΔE2000 = ${de}（允许 ≤ ${ref.maxDeltaE}）`));
    }
  }
  out.push(checkBackgroundUniform(a, L, HEURISTICS.minBackgroundShare));
  // clothing.contrast
  {
    const c = clothingColour(a);
    if (!c.rgb || c.pixels < 1500 || !bgm.rgb) out.push(result('clothing.contrast', 'review', null, L.minClothingDeltaE, '画面中服装区域过小或无法区分背景，请人工确认服装颜色与背景有明显区别', '请拍到肩部以下，穿与背景颜色不同的衣服'));
    else {
      const de = r1(deltaE2000Rgb(c.rgb, bgm.rgb));
      if (de < L.minClothingDeltaE) out.push(result('clothing.contrast', 'fail', de, L.minClothingDeltaE, `服装颜色 RGB(${c.rgb.join(',')}) 与背景相差 ΔE2000 = ${de}，小于 ${L.minClothingDeltaE}`, '服装颜色与背景过于接近，请换与背景明显不同的衣服（建议白色衬衫）'));
      else out.push(result('clothing.contrast', 'pass', de, L.minClothingDeltaE, `服装与背景相差 ΔE2000 = ${de}（要求 ≥ ${L.minClothingDeltaE}）`));
    }
  }
  // exposure
  {
    const e = exposureMeasures(a);
    const value = { faceL: r1(e.faceL), halfLit: r1(e.halfLit), clipped: r3(e.clipped), highlight: r1(e.highlight) };
    const limit = { minFaceL: L.minFaceLightness, maxHalfLit: L.maxHalfLit, maxClipped: L.maxFaceClipped, minHighlight: L.minPhotoHighlight };
    const problems: string[] = [];
    if (e.faceL < L.minFaceLightness) problems.push(`面部亮度 L* ${r1(e.faceL)}，低于 ${L.minFaceLightness}（过暗）`);
    if (e.highlight < L.minPhotoHighlight) problems.push(`整张照片最亮处 L* ${r1(e.highlight)}，低于 ${L.minPhotoHighlight}（曝光不足）`);
    if (e.clipped > L.maxFaceClipped) problems.push(`面部过曝像素占 ${r3(e.clipped)}，超过 ${L.maxFaceClipped}`);
    if (e.halfLit > L.maxHalfLit) problems.push(`左右脸亮度差 ΔL* ${r1(e.halfLit)}，超过 ${L.maxHalfLit}（阴阳脸）`);
    if (problems.length) out.push(result('exposure', 'fail', value, limit, problems.join('；'), '请在均匀、充足的正面光线下重新拍摄，避免侧光和强光'));
    else out.push(result('exposure', 'pass', value, limit, `面部亮度 L* ${r1(e.faceL)}，左右脸亮度差 ${r1(e.halfLit)}，未见过曝`));
  }
  // sharpness
  {
    const s = eyeSharpness(a);
    const hint = '请使用原始清晰照片，不要放大小图或翻拍纸质照片';
    if (s < L.minSharpness) out.push(result('sharpness', 'fail', r3(s), L.minSharpness, `眼部细节清晰度 ${r3(s)}，低于 ${L.minSharpness}（模糊、放大的小图或翻拍）`, hint));
    // Just above the limit (within the measure's spread on one photo): a person looks. Compliant London frames: ≥ 0.09.
    else if (s < SHARPNESS_REVIEW * L.minSharpness) out.push(result('sharpness', 'review', r3(s), L.minSharpness, `眼部细节清晰度 ${r3(s)}，仅略高于下限 ${L.minSharpness}，可能是放大的小图或轻微模糊，请人工确认照片是否清晰`, hint));
    else out.push(result('sharpness', 'pass', r3(s), L.minSharpness, `眼部细节清晰度 ${r3(s)}（要求 ≥ ${L.minSharpness}）`));
  }
  // glasses
  {
    const m = glassesMeasures(a);
    const value = { bridge: r3(m.bridge), rims: r3(m.rims), glare: r3(m.glare) };
    const limit = { bridge: HEURISTICS.glassesBridge, rims: HEURISTICS.glassesRims, glare: HEURISTICS.glassesGlare };
    const suspected = m.bridge > HEURISTICS.glassesBridge || m.rims > HEURISTICS.glassesRims;
    if (m.glare > HEURISTICS.glassesGlare) out.push(result('glasses', 'review', value, limit, `眼部有强反光（过曝像素占 ${r3(m.glare)}），请人工确认是否为眼镜反光`, '佩戴眼镜时镜片不得反光，可调整角度或摘下眼镜'));
    else if (suspected) out.push(result('glasses', 'review', value, limit, `鼻梁／眼下有疑似镜框边缘（${r3(m.bridge)}／${r3(m.rims)}），请人工确认：镜片无色、无反光，镜框不遮挡眉毛和眼睛`, '不得佩戴有色眼镜、美瞳；镜框不得过宽'));
    else out.push(result('glasses', 'pass', value, limit, '鼻梁与眼下未见镜框边缘，眼部无反光'));
  }
  // headwear, hair over the brows / eyes, ears, earrings, necklace, scarf (rules/*.ts, one module each)
  for (const rule of ACCESSORY_RULES) out.push(rule.check(a));
  // retouch
  {
    const t = skinTexture(a);
    if (t < HEURISTICS.minSkinTexture) out.push(result('retouch', 'review', r3(t * 1000) / 1000, HEURISTICS.minSkinTexture, `面部皮肤纹理异常平滑（${r3(t * 1000) / 1000}，参考下限 ${HEURISTICS.minSkinTexture}），疑似美颜磨皮，请人工确认`, '请提交未经美颜、修图的原始照片'));
    else out.push(result('retouch', 'pass', Math.round(t * 1e4) / 1e4, HEURISTICS.minSkinTexture, '皮肤纹理正常，未见磨皮；换背景、镜像等编辑不能自动判断'));
  }
  return out;
}
