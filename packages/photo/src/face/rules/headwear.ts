/**
 * `headwear` — no hat, cap, headband or hair ornament (严禁佩戴帽子、发饰).
 *
 * Native values, measured on the head above the forehead (the crown):
 * - `foreign`: the share of crown points (|u| ≤ 0.95 IPD, inside the person) that are neither skin nor hair
 *   by what hair looks like — the colour of the person's own hair beside the temples (ΔE2000 < 16), dark
 *   (L* < 45, chroma < 25) or low-chroma brown to blond (chroma < 28, hue 35°–100°). A hat or cap of another
 *   colour covers most of the crown.
 * - `ornament`: the largest crown patch that is an object (rules/crown/colour.ts: pixels far from the hair model
 *   learned from the same photo, grouped; see `ornamentPatch`), IPD², with its mean Mahalanobis distance from
 *   the hair (`ornamentDist`) and its colour step to the ring just outside it (`ornamentStep`) — a clip, a bow,
 *   a flower. A long such patch across the crown is a band (`BAND_*`).
 * - `band`: the share of forehead columns with skin above and below a non-skin run — a sports band or a
 *   headband across the forehead, of any colour.
 * - `forehead`: the skin share of the upper forehead (5–30 % of the way from the mesh's forehead top to
 *   the brows, |u| ≤ 0.4): a brim, a cap's visor covers it whatever its colour — so does a thick fringe,
 *   which the review message names.
 * - `height`: the head top above the pupils in IPD (a hat's crown stands above the hair; London: ≤ 2.4).
 * - `smoothTexture` / `smoothEdge`: a smooth object in the hair whatever its colour (rules/crown/texture.ts
 *   `smoothBlobs`: no strand texture inside, a sharp outline all round) — a compact one is an ornament, one
 *   ≥ `SMOOTH_BAND_WIDTH` IPD wide a band (`smoothObject`, `smoothBand`).
 * - `sparkleDots`: a row of ≥ `SPARKLE_DOTS` evenly spaced near-white stones (rules/crown/rhinestones.ts `sparkleRow`) — a
 *   clip set with rhinestones, whatever the colour of its bar (a black one on black hair, on a shaved crown).
 * - `solidStep` / `solidTexture`: a solid light body with a sharp outline and no strands inside (rules/crown/light-body.ts
 *   `lightBodies`, `solidLight`) — a white clip where the hair's sheen or grey strands are light too, or the
 *   skin so pale that white passes its colour test.
 * `foreign` ≥ `FAIL_FOREIGN` → `fail` (HEADWEAR); `foreign` ≥ `MIN_FOREIGN`, `forehead` < `MIN_FOREHEAD_SKIN` or
 * `height` > `MAX_HEAD_HEIGHT` → review (HEADWEAR_SUSPECT); an ornament patch → review (HAIR_ORNAMENT_SUSPECT);
 * a long patch, a smooth band or `band` ≥ `MIN_BAND` → review (HEADBAND_SUSPECT); a smooth
 * compact object, a row of stones or a solid light body → review (HAIR_ORNAMENT_SUSPECT). A crown outside the picture → review
 * (HEADWEAR_UNMEASURED), never pass.
 */
import type { CheckResult, Region } from '../../types.js';
import { deltaE2000, type Lab } from '../colour.js';
import type { FaceAnalysis } from '../analysis.js';
import { placeOf } from '../../place.js';
import {
  analyseCrown,
  crownTexture,
  DARK_MARGIN,
  SPARKLE_DOTS,
  type CrownPatch,
  type LightBody,
  type SmoothBlob,
} from './crown.js';
import { backgroundLab, faceFrame, inPerson, memo, r2, ruleResult, sampleBox, skinModel } from './frame.js';

/** Crown share of points neither skin nor hair (by the generic hair colours) sent to review; ≥ `FAIL_FOREIGN` fails. */
export const MIN_FOREIGN = 0.5;
export const FAIL_FOREIGN = 0.7;
/**
 * A crown patch (rules/crown/colour.ts) is an object — a clip, a bow, a flower, a band — when it is
 * - coloured: ≥ `ORNAMENT_AREA` IPD², mean Mahalanobis distance from the hair ≥ `ORNAMENT_D` and a colour step
 *   ≥ `ORNAMENT_STEP` (ΔE76) to the ring just outside it (London crowns: hair sheen and skin at the hairline stay
 *   below d 13 or step 20), or
 * - light or neutral (white, pink, silver: on dark hair it lies along the hair's own lightness axis): ≥
 *   `LIGHT_AREA` IPD², a sharp edge (step ≥ `LIGHT_STEP`) and compact (fills ≥ `LIGHT_FILL` of its box) —
 *   sheen on curly dark hair stays under step 50 or is scattered.
 */
export const ORNAMENT_AREA = 0.008;
export const ORNAMENT_D = 12;
export const ORNAMENT_STEP = 25;
export const LIGHT_AREA = 0.03;
export const LIGHT_STEP = 50;
export const LIGHT_FILL = 0.35;
/**
 * Tinted (pink, lilac on dark hair, whose sheen is neutral or of the hair's own hue): ≥ `LIGHT_AREA` IPD²,
 * chroma ≥ `TINT_CHROMA`, its hue ≥ `TINT_HUE`° from the hair's and ΔE76(a*b*) ≥ 8 from the skin, step ≥ `ORNAMENT_STEP`.
 */
export const TINT_CHROMA = 7;
export const TINT_HUE = 30;
/**
 * Dark (a black clip on brown or blond hair lies on the hair's own shadow axis): ≥ `DARK_AREA` IPD², mean
 * lightness below the hair's 2nd percentile − `DARK_MARGIN`, step ≥ `ORNAMENT_STEP`, compact. A light patch far
 * from the hair (d ≥ 9) with a clear edge (step ≥ 35) and solid (fill ≥ 0.5) counts too.
 */
export const DARK_AREA = 0.02;
/**
 * A long patch across the crown is a band (an Alice band on the hair): ≥ `BAND_AREA` IPD², ≥ `BAND_WIDTH` IPD
 * wide, step ≥ `BAND_STEP` and d ≥ `BAND_D` (London crowns: their largest sheen is 0.12 IPD², 0.74 wide).
 */
export const BAND_AREA = 0.15;
export const BAND_WIDTH = 1.0;
export const BAND_STEP = 35;
export const BAND_D = 5;
/** Share of forehead columns with skin above and below a non-skin run (a band across the forehead). */
export const MIN_BAND = 0.6;
/**
 * A smooth object in the hair (rules/crown/texture.ts `smoothBlobs`), of any colour: `SMOOTH_AREA`–`SMOOTH_MAX_AREA`
 * IPD², compact (fill ≥ `LIGHT_FILL`), mostly inside the crown (≤ 30 % of its outline open), smooth inside
 * (texture ≤ `SMOOTH_TEXTURE`) and a sharp outline (edge ≥ `SMOOTH_EDGE` and ≥ `SMOOTH_CONTRAST` × its texture).
 * London crowns: the smoothest compact stretches of hair or skin have texture ≥ 0.69 or an edge ≤ 1.6; drawn
 * bows and flowers: texture ≤ 0.9, edge ≥ 2.4.
 */
export const SMOOTH_AREA = 0.008;
export const SMOOTH_MAX_AREA = 0.3;
export const SMOOTH_TEXTURE = 0.9;
export const SMOOTH_EDGE = 2.2;
export const SMOOTH_CONTRAST = 2.5;

/**
 * A smooth band over the crown (an Alice band, a headband of any colour): a smooth, sharp-edged blob ≥
 * `SMOOTH_BAND_WIDTH` IPD wide and ≥ `SMOOTH_BAND_AREA` IPD², of any fill (an arc fills little of its box).
 * London crowns: their wide smooth stretches (skin, sheen) have an edge ≤ 1.4; drawn bands ≥ 2.7.
 */
export const SMOOTH_BAND_WIDTH = 1.2;
export const SMOOTH_BAND_AREA = 0.05;

/** The widest smooth, sharp-edged band across the crown, or null. */
export function smoothBand(blobs: SmoothBlob[]): SmoothBlob | null {
  const bands = blobs.filter(
    (b) =>
      b.u1 - b.u0 >= SMOOTH_BAND_WIDTH &&
      b.area >= SMOOTH_BAND_AREA &&
      b.open < 0.3 &&
      b.texture <= SMOOTH_TEXTURE &&
      b.edge >= SMOOTH_EDGE &&
      b.edge >= SMOOTH_CONTRAST * b.texture,
  );
  return bands.sort((p, q) => q.u1 - q.u0 - (p.u1 - p.u0))[0] ?? null;
}

/** The largest smooth, sharp-edged compact object in the crown (a clip, a bow, a flower), or null. */
export function smoothObject(blobs: SmoothBlob[]): SmoothBlob | null {
  return (
    blobs.find(
      (b) =>
        b.area >= SMOOTH_AREA &&
        b.area <= SMOOTH_MAX_AREA &&
        b.fill >= LIGHT_FILL &&
        b.open < 0.3 &&
        b.texture <= SMOOTH_TEXTURE &&
        b.edge >= SMOOTH_EDGE &&
        b.edge >= SMOOTH_CONTRAST * b.texture,
    ) ?? null
  );
}
/**
 * A solid light body in the hair (rules/crown/light-body.ts `lightBodies`: a white or pale clip whose colour the hair's own
 * sheen or grey strands share): ≥ `SOLID_AREA` IPD², step ≥ `SOLID_STEP` L* to the ring outside it, ≤ 15 % of that
 * ring outside the crown, and no strands inside (median core texture ≤ `SOLID_TEXTURE`). London crowns: their
 * light bodies with a step ≥ 33 are sheen on dark hair (core texture ≥ 2.7, and ≤ 0.016 IPD² or 23 % open), and the
 * others of ≥ 0.02 IPD² a step ≤ 27; drawn white clips (with stones): 0.03–0.05 IPD², step 39–63, texture ≤ 2.1.
 */
export const SOLID_AREA = 0.02;
export const SOLID_STEP = 33;
export const SOLID_TEXTURE = 2.5;

/** The largest solid light body that is an object (see `SOLID_*`), or null. */
export function solidLight(bodies: LightBody[]): LightBody | null {
  return (
    bodies.find((b) => b.area >= SOLID_AREA && b.step >= SOLID_STEP && b.open < 0.15 && b.texture <= SOLID_TEXTURE) ??
    null
  );
}
export const MAX_HEAD_HEIGHT = 2.6;
export const MIN_FOREHEAD_SKIN = 0.3;
const STEP = 0.03;

/** Hair colour from the hair beside the temples (outside the face, inside the person), if enough is seen. */
function hairReference(a: FaceAnalysis): Lab | null {
  const sk = skinModel(a);
  const bg = backgroundLab(a);
  const labs: Lab[] = [];
  for (const sign of [-1, 1]) {
    const s = sampleBox(a, sign < 0 ? -1.3 : 1.0, sign < 0 ? -1.0 : 1.3, -0.7, 0.1, 0.04, (i) => inPerson(a, i));
    for (const c of s.lab) if (!sk.isSkin(c) && !(bg && de76(c, bg) < FAR76 && deltaE2000(c, bg) < 15)) labs.push(c);
  }
  if (labs.length < 20) return null;
  const m = (k: 0 | 1 | 2) => labs.map((c) => c[k]).sort((x, y) => x - y)[labs.length >> 1];
  return [m(0), m(1), m(2)];
}

/** ΔE76 above which ΔE2000 is far above the 14–16 used here (skip the costly formula). */
const FAR76 = 48;
const de76 = (p: Lab, q: Lab) => Math.sqrt((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2);

export function hairLike(c: Lab, ref: Lab | null): boolean {
  const chroma = Math.sqrt(c[1] * c[1] + c[2] * c[2]);
  if (c[0] < 45 && chroma < 25) return true;
  const hue = (Math.atan2(c[2], c[1]) * 180) / Math.PI;
  if (chroma < 28 && hue >= 35 && hue <= 100) return true;
  return !!ref && de76(c, ref) < FAR76 && deltaE2000(c, ref) < 16;
}

export interface HeadwearMeasure {
  foreign: number;
  /** Skin share of the upper forehead (a brim, a cap's visor or a band covers it). */
  forehead: number;
  height: number;
  /** Face-frame box of the foreign points (where to look), null when none. */
  where: { u0: number; u1: number; v0: number; v1: number } | null;
  measured: boolean;
}

export function measureHeadwear(a: FaceAnalysis): HeadwearMeasure {
  return memo(a, 'rules.headwear', () => headwearNow(a));
}

/** The measure itself, at module level (its optimised code survives from photo to photo; see analysis.ts `memo`). */
function headwearNow(a: FaceAnalysis): HeadwearMeasure {
  const F = faceFrame(a);
  const [ox, oy] = F.at(0, 0);
  const topV = (a.headTop.y - oy) / F.ipd;
  void ox;
  const height = -topV;
  const v1 = F.uv(10)[1] - 0.05;
  const sk = skinModel(a);
  // A bald or shaved crown is skin too, with the highlight of a lit scalp.
  const scalp = (c: Lab) =>
    Math.hypot(c[1] - sk.lab[1], c[2] - sk.lab[2]) < 12 && c[0] > sk.lab[0] - 35 && c[0] < sk.lab[0] + 30;
  const ref = hairReference(a);
  const s = sampleBox(a, -0.95, 0.95, Math.min(topV, v1 - 0.3) - 0.1, v1, STEP, (i) => inPerson(a, i));
  let foreign = 0;
  let box: HeadwearMeasure['where'] = null;
  s.lab.forEach((c, k) => {
    if (scalp(c) || hairLike(c, ref)) return;
    foreign++;
    const [u, v] = s.at[k];
    box = box
      ? { u0: Math.min(box.u0, u), u1: Math.max(box.u1, u), v0: Math.min(box.v0, v), v1: Math.max(box.v1, v) }
      : { u0: u, u1: u, v0: v, v1: v };
  });
  const measured = s.lab.length >= 40;
  // Upper forehead: from 5 % to 30 % of the way from the mesh's forehead top down to the brows.
  const top10 = F.uv(10)[1],
    h = Math.max(0.2, F.uv(105)[1] - top10);
  const fh = sampleBox(a, -0.4, 0.4, top10 + 0.05 * h, top10 + 0.3 * h, 0.025);
  const forehead = fh.lab.length ? fh.lab.filter((c) => sk.isSkin(c)).length / fh.lab.length : 0;
  return { foreign: s.lab.length ? foreign / s.lab.length : 0, forehead, height, where: box, measured };
}

/** The crown patch that looks like an object (largest first), or null. */
export type OrnamentKind = 'tinted' | 'coloured' | 'light' | 'solid' | 'dark';

/**
 * The first crown patch (largest first) that is an object, with the test it met, or null. The hue test runs
 * first; on a bare crown (no hair model) a patch counts by its step and its distance from the skin's colour.
 */
export function ornamentPatch(
  patches: CrownPatch[],
  hair: Lab | null,
  skin: Lab,
  hairLow = 0,
): { patch: CrownPatch; kind: OrnamentKind } | null {
  const modelled = hair !== null;
  const hue = (c: Lab) => Math.atan2(c[2], c[1]);
  for (const p of patches) {
    if (
      hair &&
      p.area >= LIGHT_AREA &&
      p.step >= ORNAMENT_STEP &&
      Math.hypot(p.lab[1], p.lab[2]) >= TINT_CHROMA &&
      Math.hypot(p.lab[1] - skin[1], p.lab[2] - skin[2]) >= 8
    ) {
      const dh = Math.abs(((hue(p.lab) - hue(hair) + 3 * Math.PI) % (2 * Math.PI)) - Math.PI);
      if (Math.hypot(hair[1], hair[2]) < 3 || (dh * 180) / Math.PI >= TINT_HUE) return { patch: p, kind: 'tinted' };
    }
    const coloured = modelled
      ? p.dist >= ORNAMENT_D && p.step >= ORNAMENT_STEP
      : p.step >= ORNAMENT_STEP && Math.hypot(p.lab[1] - skin[1], p.lab[2] - skin[2]) >= 15;
    if (p.area >= ORNAMENT_AREA && coloured) return { patch: p, kind: 'coloured' };
    if (p.area >= LIGHT_AREA && p.step >= LIGHT_STEP && p.fill >= LIGHT_FILL) return { patch: p, kind: 'light' };
    if (modelled && p.area >= LIGHT_AREA && p.dist >= 9 && p.step >= 35 && p.fill >= 0.5)
      return { patch: p, kind: 'solid' };
    if (
      modelled &&
      p.area >= DARK_AREA &&
      p.lab[0] < hairLow - DARK_MARGIN &&
      p.step >= ORNAMENT_STEP &&
      p.fill >= LIGHT_FILL
    )
      return { patch: p, kind: 'dark' };
  }
  return null;
}

export function checkHeadwear(a: FaceAnalysis): CheckResult {
  const boxes = new Map<string, Region>();
  const r = headwearResult(a, boxes);
  // The place the message names (its "（约 x …，y …）") is the result's region, for the overlay.
  for (const [text, region] of boxes) if (r.status !== 'pass' && r.message.includes(text)) return { ...r, region };
  return r;
}

/** The headwear verdict; every place `box` words for a message is kept in `boxes` (its text → the region). */
function headwearResult(a: FaceAnalysis, boxes: Map<string, Region>): CheckResult {
  const m = measureHeadwear(a);
  const crown = analyseCrown(a);
  const found = ornamentPatch(crown.patches, crown.hairMean, skinModel(a).lab, crown.hairLow);
  const orn = found?.patch ?? null;
  const value = {
    foreign: r2(m.foreign),
    ornament: orn ? Math.round(orn.area * 1000) / 1000 : 0,
    ornamentDist: orn ? Math.round(orn.dist * 10) / 10 : 0,
    ornamentStep: orn ? Math.round(orn.step) : 0,
    band: r2(crown.band),
    forehead: r2(m.forehead),
    height: r2(m.height),
  };
  const limit = {
    maxForeign: MIN_FOREIGN,
    ornamentArea: ORNAMENT_AREA,
    ornamentDist: ORNAMENT_D,
    ornamentStep: ORNAMENT_STEP,
    maxBand: MIN_BAND,
    minForehead: MIN_FOREHEAD_SKIN,
    maxHeight: MAX_HEAD_HEIGHT,
  };
  const hint = '不得佩戴帽子、发箍、发卡、头花等头饰，请摘下后重新拍摄';
  if (!m.measured || a.headTop.touchesTop || crown.pixels < 40)
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      '头顶区域不在画面内或过小，无法判断有无帽子、头饰，请人工确认',
      hint,
      'HEADWEAR_UNMEASURED',
    );
  const F = faceFrame(a);
  const box = (b: { u0: number; u1: number; v0: number; v1: number }) => {
    const place = placeOf([F.at(b.u0, b.v0), F.at(b.u1, b.v0), F.at(b.u0, b.v1), F.at(b.u1, b.v1)]);
    if (place.region) boxes.set(place.text, place.region);
    return place.text;
  };
  const where = m.where ? box(m.where) : '';
  if (m.foreign >= FAIL_FOREIGN)
    return ruleResult(
      'headwear',
      'fail',
      value,
      limit,
      `头顶有大片非头发、非皮肤的物体${where}，占头顶区域 ${Math.round(m.foreign * 100)}%（允许 < ${Math.round(MIN_FOREIGN * 100)}%），判定为戴帽子或头饰`,
      hint,
      'HEADWEAR',
    );
  if (m.foreign >= MIN_FOREIGN)
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `头顶有颜色不同于头发和皮肤的物体${where}，占头顶区域 ${Math.round(m.foreign * 100)}%（参考上限 ${Math.round(MIN_FOREIGN * 100)}%），疑似帽子、发箍、发卡或头花，请人工查看`,
      hint,
      'HEADWEAR_SUSPECT',
    );
  const long = crown.patches.find(
    (p) =>
      p.area >= BAND_AREA &&
      p.u1 - p.u0 >= BAND_WIDTH &&
      p.step >= BAND_STEP &&
      (crown.hairMean === null || p.dist >= BAND_D),
  );
  if (long)
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `头顶有一条横跨 ${r2(long.u1 - long.u0)} 倍瞳距的异色带状物${box(long)}（宽 ≥ ${BAND_WIDTH} 倍瞳距、面积 ${Math.round(long.area * 1000) / 1000} 倍瞳距² ≥ ${BAND_AREA}、与周围色差 ${Math.round(long.step)} ≥ ${BAND_STEP} 视为带状），疑似发箍、发带，请人工查看头顶`,
      hint,
      'HEADBAND_SUSPECT',
    );
  const texture = crownTexture(a);
  const blobs = texture.blobs;
  const sband = smoothBand(blobs);
  if (sband)
    return ruleResult(
      'headwear',
      'review',
      { ...value, smoothTexture: r2(sband.texture), smoothEdge: r2(sband.edge) },
      { ...limit, smoothTexture: SMOOTH_TEXTURE, smoothEdge: SMOOTH_EDGE },
      `头顶有一条横跨 ${r2(sband.u1 - sband.u0)} 倍瞳距、表面光滑、两侧边缘清晰的带状物${box(sband)}（无发丝纹理：纹理 ${r2(sband.texture)} ≤ ${SMOOTH_TEXTURE}；边缘 ${r2(sband.edge)} ≥ ${SMOOTH_EDGE}；宽 ≥ ${SMOOTH_BAND_WIDTH} 倍瞳距视为带状），颜色可能与头发相近，疑似发箍、发带，请人工查看头顶`,
      hint,
      'HEADBAND_SUSPECT',
    );
  if (found && orn) {
    const step = Math.round(orn.step),
      d = value.ornamentDist,
      area = value.ornament;
    const why: Record<OrnamentKind, string> = {
      tinted: `色调不同于本人发色和肤色（与周围色差 ${step}，≥ ${ORNAMENT_STEP} 视为边缘清晰；面积 ${area} 倍瞳距²，≥ ${LIGHT_AREA} 即报告）`,
      coloured: `颜色远离本人发色（马氏距离 ${d}，≥ ${ORNAMENT_D} 视为异色；与周围色差 ${step}，≥ ${ORNAMENT_STEP} 视为边缘清晰；面积 ${area} 倍瞳距²，≥ ${ORNAMENT_AREA} 即报告）`,
      light: `浅色、边缘清晰（与周围头发色差 ${step}，≥ ${LIGHT_STEP} 视为边缘清晰；面积 ${area} 倍瞳距²，≥ ${LIGHT_AREA} 即报告）`,
      solid: `颜色偏离本人发色且成块（马氏距离 ${d}，≥ 9；与周围色差 ${step}，≥ 35；面积 ${area} 倍瞳距²，≥ ${LIGHT_AREA} 即报告）`,
      dark: `比本人头发最深处还暗（亮度 ${Math.round(orn.lab[0])}，头发最暗约 ${Math.round(crown.hairLow)}；与周围色差 ${step}，≥ ${ORNAMENT_STEP}；面积 ${area} 倍瞳距²，≥ ${DARK_AREA} 即报告）`,
    };
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `头发中有一块${why[found.kind]}的物体${box(orn)}，疑似发卡、发夹、蝴蝶结或头花，请人工查看该处`,
      hint,
      'HAIR_ORNAMENT_SUSPECT',
    );
  }
  const smooth = smoothObject(blobs);
  if (smooth)
    return ruleResult(
      'headwear',
      'review',
      { ...value, smoothTexture: r2(smooth.texture), smoothEdge: r2(smooth.edge) },
      { ...limit, smoothTexture: SMOOTH_TEXTURE, smoothEdge: SMOOTH_EDGE },
      `头发中有一块表面光滑、轮廓清晰的物体${box(smooth)}（无发丝纹理：纹理 ${r2(smooth.texture)} ≤ ${SMOOTH_TEXTURE}；边缘 ${r2(smooth.edge)} ≥ ${SMOOTH_EDGE}；面积 ${Math.round(smooth.area * 1000) / 1000} 倍瞳距²），颜色可能与头发或皮肤相近，疑似发卡、发夹、蝴蝶结或头花，请人工查看该处`,
      hint,
      'HAIR_ORNAMENT_SUSPECT',
    );
  const bar = texture.sparkle;
  if (bar)
    return ruleResult(
      'headwear',
      'review',
      { ...value, sparkleDots: bar.dots, sparkleSpacing: r2(bar.spacing) },
      { ...limit, sparkleDots: SPARKLE_DOTS },
      `头发中有一排 ${bar.dots} 个等距的细小亮点${box(bar)}（间距约 ${r2(bar.spacing)} 倍瞳距，亮度 ${Math.round(bar.lightness)}，比周围亮 ${Math.round(bar.contrast)}；≥ ${SPARKLE_DOTS} 个成排即报告，发丝反光不成排），疑似镶钻发卡、水钻发夹，请人工查看该处`,
      hint,
      'HAIR_ORNAMENT_SUSPECT',
    );
  const solid = solidLight(texture.light);
  if (solid)
    return ruleResult(
      'headwear',
      'review',
      { ...value, solidStep: Math.round(solid.step), solidTexture: r2(solid.texture) },
      { ...limit, solidStep: SOLID_STEP, solidTexture: SOLID_TEXTURE },
      `头发中有一块浅色、实心、轮廓清晰的物体${box(solid)}（面积 ${Math.round(solid.area * 1000) / 1000} 倍瞳距² ≥ ${SOLID_AREA}；比周围头发亮 ${Math.round(solid.step)} ≥ ${SOLID_STEP}；内部无发丝纹理：${r2(solid.texture)} ≤ ${SOLID_TEXTURE}），颜色可能与头发高光相近，疑似白色或浅色发卡、发夹，请人工查看该处`,
      hint,
      'HAIR_ORNAMENT_SUSPECT',
    );
  if (crown.band >= MIN_BAND) {
    const at = crown.bandAt ? box({ u0: -0.6, u1: 0.6, v0: crown.bandAt.v0, v1: crown.bandAt.v1 }) : '';
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `额头上有一条横贯的非皮肤带状物${at}，${Math.round(crown.band * 100)}% 的额头列可见其上下都是皮肤（≥ ${Math.round(MIN_BAND * 100)}% 视为发带），疑似发带、头箍，请人工查看额头`,
      hint,
      'HEADBAND_SUSPECT',
    );
  }
  if (m.forehead < MIN_FOREHEAD_SKIN)
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `额头上部几乎不见皮肤（${Math.round(m.forehead * 100)}%，参考下限 ${Math.round(MIN_FOREHEAD_SKIN * 100)}%），可能是帽檐、帽舌、发带或厚刘海，请人工查看额头和头顶`,
      hint,
      'HEADWEAR_SUSPECT',
    );
  if (m.height > MAX_HEAD_HEIGHT)
    return ruleResult(
      'headwear',
      'review',
      value,
      limit,
      `头顶高出眼睛 ${r2(m.height)} 倍瞳距（参考上限 ${MAX_HEAD_HEIGHT}），疑似戴帽子、头饰或发型过高，请人工确认`,
      hint,
      'HEADWEAR_SUSPECT',
    );
  return ruleResult(
    'headwear',
    'pass',
    value,
    limit,
    `头顶只见头发和皮肤（其他物体占 ${Math.round(m.foreign * 100)}%，未见发饰或发带，头顶高出眼睛 ${r2(m.height)} 倍瞳距），未见帽子或头饰`,
  );
}
