/**
 * Encode-to-size (按文件大小压缩): a baseline sRGB JPEG inside the profile's byte window with quality ≥
 * profile.minQuality, 300 dpi (or the profile's dpi) in the JFIF header, no EXIF/GPS/ICC.
 *
 * The quality is predicted, not stepped: the first encode at a guess gives one point of the size curve;
 * a reference curve ln size(q) − ln size(75) (measured on 480×640 portraits, 4:2:0, libjpeg standard
 * tables) predicts the quality for the middle of the window; further encodes interpolate (secant in
 * q vs ln size) between the nearest points on each side. Never pads: a window the picture cannot reach
 * is refused with the nearest size.
 */
import sharp, { type Sharp } from 'sharp';
import { kb } from './checks/context.js';
import { withJfifDensity } from './jpeg/jfif.js';
import type { Profile, RawImage, Refusal } from './types.js';

export type Subsampling = '4:2:0' | '4:4:4';

export type EncodeResult =
  | { ok: true; jpeg: Buffer; quality: number; encodes: number; subsampling: Subsampling }
  | { ok: false; refusal: Refusal; nearestBytes: number; encodes: number };

/** Mean ln(size(q)/size(75)) for q = 20, 25 … 100 (20 London portraits at 480×640, 4:2:0). */
const REFERENCE_CURVE = [-1.124, -0.965, -0.84, -0.733, -0.653, -0.564, -0.49, -0.418, -0.336, -0.233, -0.119, 0, 0.17, 0.375, 0.665, 1.1, 1.812];

/** Reference log-size offset at quality q (linear interpolation; extrapolated below 20). */
function curve(q: number): number {
  const x = (Math.min(100, Math.max(1, q)) - 20) / 5;
  if (x <= 0) return REFERENCE_CURVE[0] + x * (REFERENCE_CURVE[1] - REFERENCE_CURVE[0]);
  const i = Math.min(REFERENCE_CURVE.length - 2, Math.floor(x));
  return REFERENCE_CURVE[i] + (x - i) * (REFERENCE_CURVE[i + 1] - REFERENCE_CURVE[i]);
}

/** The quality whose reference-curve size is `target`, given a measured point (q0, s0). */
function predictFromCurve(q0: number, s0: number, target: number): number {
  const want = curve(q0) + Math.log(target / s0);
  let best = q0;
  let err = Infinity;
  for (let q = 1; q <= 100; q++) {
    const e = Math.abs(curve(q) - want);
    if (e < err) { err = e; best = q; }
  }
  return best;
}

/** Default first guess when the window is met around the usual portrait figures. */
const FIRST_GUESS = 85;
/** Quality used when the profile has no byte window. */
export const DEFAULT_QUALITY = 90;
const MAX_ENCODES = 14;

function isRawImage(x: RawImage | Sharp): x is RawImage {
  return Buffer.isBuffer((x as RawImage).data) && typeof (x as RawImage).width === 'number';
}

async function toRaw(input: RawImage | Sharp): Promise<RawImage> {
  if (isRawImage(input)) {
    const img = input;
    if (img.channels !== 3 || img.data.length !== img.width * img.height * 3) throw new Error('RawImage must be 3-channel interleaved sRGB');
    return img;
  }
  const { data, info } = await input
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** One baseline JPEG encode with the JFIF density patched in; no metadata is copied. */
export async function encodeJpeg(img: RawImage, quality: number, subsampling: Subsampling, dpi: number): Promise<Buffer> {
  const jpeg = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality, progressive: false, chromaSubsampling: subsampling, optimiseCoding: true, mozjpeg: false })
    .toBuffer();
  return withJfifDensity(jpeg, dpi);
}


/**
 * Encode `img` into the profile's byte window. `img` is a 3-channel sRGB RawImage or a sharp pipeline
 * (rendered once to raw pixels, flattened on white, converted to sRGB).
 */
export async function encodeToSize(img: RawImage | Sharp, profile: Profile): Promise<EncodeResult> {
  const raw = await toRaw(img);
  const dpi = profile.dpi ?? 300;
  let encodes = 0;
  const window = profile.bytes;
  if (!window) {
    const jpeg = await encodeJpeg(raw, Math.max(DEFAULT_QUALITY, profile.minQuality), '4:2:0', dpi);
    return { ok: true, jpeg, quality: Math.max(DEFAULT_QUALITY, profile.minQuality), encodes: 1, subsampling: '4:2:0' };
  }
  const { min, max } = window;
  const target = (min + max) / 2;
  const qMin = Math.max(1, Math.ceil(profile.minQuality));
  let nearest = { bytes: 0, dist: Infinity };

  const note = (n: number) => {
    const dist = n < min ? min - n : n > max ? n - max : 0;
    if (dist < nearest.dist) nearest = { bytes: n, dist };
  };

  /** Search one subsampling mode. Returns the hit, or which side the whole range lies on. */
  const search = async (sub: Subsampling, firstQ: number): Promise<{ hit: { jpeg: Buffer; quality: number } } | { miss: 'too-big' | 'too-small' | 'gap' }> => {
    const points = new Map<number, number>();
    const enc = async (q: number) => {
      const jpeg = await encodeJpeg(raw, q, sub, dpi);
      encodes++;
      points.set(q, jpeg.length);
      note(jpeg.length);
      return jpeg;
    };
    let q = Math.min(100, Math.max(qMin, firstQ));
    while (encodes < MAX_ENCODES) {
      const jpeg = await enc(q);
      const n = jpeg.length;
      if (n >= min && n <= max) return { hit: { jpeg, quality: q } };
      // Bracket: the highest q known too small and the lowest q known too big.
      let lo: [number, number] | null = null;
      let hi: [number, number] | null = null;
      for (const [pq, ps] of points) {
        if (ps < min && (!lo || pq > lo[0])) lo = [pq, ps];
        if (ps > max && (!hi || pq < hi[0])) hi = [pq, ps];
      }
      if (hi && hi[0] <= qMin) return { miss: 'too-big' };
      if (lo && lo[0] >= 100) return { miss: 'too-small' };
      if (lo && hi && hi[0] - lo[0] <= 1) return { miss: 'gap' };
      let next: number;
      if (lo && hi) {
        // Secant in (q, ln size) between the bracket ends, aiming at the middle of the window.
        const t = (Math.log(target) - Math.log(lo[1])) / (Math.log(hi[1]) - Math.log(lo[1]));
        next = Math.round(lo[0] + t * (hi[0] - lo[0]));
        next = Math.min(hi[0] - 1, Math.max(lo[0] + 1, next));
      } else {
        const [pq, ps] = (lo ?? hi)!;
        next = predictFromCurve(pq, ps, target);
        if (next === pq) next = lo ? pq + 1 : pq - 1;
        next = Math.min(100, Math.max(qMin, next));
        if (points.has(next)) next = lo ? Math.min(100, pq + 1) : Math.max(qMin, pq - 1);
        if (points.has(next)) return { miss: hi ? 'too-big' : 'too-small' };
      }
      q = next;
    }
    return { miss: 'gap' };
  };

  const first = await search('4:2:0', FIRST_GUESS);
  if ('hit' in first) return { ok: true, jpeg: first.hit.jpeg, quality: first.hit.quality, encodes, subsampling: '4:2:0' };
  if (first.miss === 'too-small') {
    // 4:2:0 at quality 100 is still too small: full-resolution chroma holds more detail (and bytes).
    const second = await search('4:4:4', 100);
    if ('hit' in second) return { ok: true, jpeg: second.hit.jpeg, quality: second.hit.quality, encodes, subsampling: '4:4:4' };
  }
  const why = first.miss === 'too-big'
    ? `以最低允许质量 ${qMin} 压缩仍有 ${kb(nearest.bytes, profile)}，超过上限 ${kb(max, profile)}（照片细节过多，如背景杂乱或噪点多）`
    : first.miss === 'too-small'
      ? `以最高质量 100 压缩也只有 ${kb(nearest.bytes, profile)}，低于下限 ${kb(min, profile)}（照片过于平滑或内容太少；不会用无效数据填充）`
      : `相邻两档质量的大小跨过了 ${kb(min, profile)}–${kb(max, profile)}（窗口太窄），最接近的是 ${kb(nearest.bytes, profile)}`;
  return {
    ok: false,
    refusal: { code: 'SIZE_WINDOW_UNREACHABLE', message: `无法压缩到规定大小：${why}` },
    nearestBytes: nearest.bytes,
    encodes,
  };
}
