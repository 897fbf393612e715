/**
 * Standardise one photo (照片修正, the `fix` operation): orient, convert to sRGB, flatten alpha on white,
 * crop to the profile frame (centre or face-aligned), optionally replace the background, encode to the
 * byte window, then inspect the OUTPUT. Never throws on bad input; refusals are reported.
 *
 * Face-aligned crop plans (CropPlan) are applied by the face module's `applyCropPlan` (rotate about the
 * centre onto the bounding-box canvas, cut, lanczos3 resize), so planning and applying share one convention.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import { stemOf } from './checks/name.js';
import { encodeToSize } from './encode.js';
import { applyCropPlan, DEFAULT_MAX_UPSCALE, frameWithBackground, planFaceCrop, replaceBackgroundMatte } from './face/index.js';
import { inspect, MAX_INPUT_PIXELS } from './inspect.js';
import { FORMAT_NAMES, sniffFormat } from './jpeg/sniff.js';
import type { FaceGeometry, PhotoReport, Profile, RawImage, Refusal } from './types.js';

export interface StandardizeOptions {
  /** 'centre' (default): centre crop to the profile aspect; 'face': crop planned around the face. */
  align?: 'centre' | 'face';
  /** 'keep' (default) or 'blue': replace the background with the profile's background colour. */
  background?: 'keep' | 'blue';
  /** Run face analysis when inspecting the output (default true, as inspect). */
  face?: boolean;
  /** The input's file name; the output is inspected as `<stem><profile.extensions[0]>`. */
  fileName?: string;
  /** Roster look-up passed on to the `name` rule of the output inspection. */
  isKnownId?: (id: string) => boolean;
}

export interface StandardizeResult {
  /** The standardised JPEG, or null when the photo was refused or unreadable. */
  jpeg: Buffer | null;
  /** The report on the OUTPUT (or, when refused, the reason in `error`). */
  report: PhotoReport;
  /** JPEG encodes spent by encode-to-size. */
  encodes: number;
}

/** The national reference light blue, used when a profile has no background setting. */
const REFERENCE_BLUE: [number, number, number] = [100, 197, 255];
const WHITE = { r: 255, g: 255, b: 255 };

function errMessage(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].slice(0, 200);
}

/** The largest centred crop with the profile's aspect ratio. */
export function centreCrop(w: number, h: number, profile: Profile): { left: number; top: number; width: number; height: number } {
  const aspect = profile.width / profile.height;
  let cw: number, ch: number;
  if (w / h > aspect) {
    ch = h;
    cw = Math.min(w, Math.round(h * aspect));
  } else {
    cw = w;
    ch = Math.min(h, Math.round(w / aspect));
  }
  return { left: Math.floor((w - cw) / 2), top: Math.floor((h - ch) / 2), width: cw, height: ch };
}

async function rawOf(p: Sharp): Promise<RawImage> {
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Standardise one photo for the profile. Never throws. */
export async function standardize(bytes: Buffer, profile: Profile, opts: StandardizeOptions = {}): Promise<StandardizeResult> {
  const fileName = opts.fileName ?? `photo${profile.extensions[0] ?? '.jpg'}`;
  const fail = (verdict: 'fail' | 'error', error: Refusal, encodes = 0, face?: FaceGeometry | null): StandardizeResult => {
    const report: PhotoReport = { file: fileName, verdict, checks: [], error };
    if (face !== undefined) report.face = face;
    return { jpeg: null, report, encodes };
  };
  try {
    const format = sniffFormat(bytes);
    if (format === 'empty') return fail('error', { code: 'EMPTY_FILE', message: '空文件（0 字节），不是照片' });
    if (['text', 'pdf', 'zip', 'unknown'].includes(format)) {
      return fail('error', { code: 'NOT_AN_IMAGE', message: `文件内容是${FORMAT_NAMES[format]}，不是照片` });
    }
    let meta: Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (err) {
      return fail('error', { code: 'UNDECODABLE', message: `无法读取图像（${FORMAT_NAMES[format]}）：${errMessage(err)}` });
    }
    const w0 = meta.width ?? 0;
    const h0 = meta.height ?? 0;
    if (w0 * h0 > MAX_INPUT_PIXELS) {
      return fail('error', { code: 'IMAGE_TOO_LARGE', message: `图像 ${w0}×${h0}（${(w0 * h0 / 1e6).toFixed(0)} 百万像素）超过解码上限 ${MAX_INPUT_PIXELS / 1e6} 百万像素，未处理` });
    }
    const turned = (meta.orientation ?? 1) >= 5;
    const w = turned ? h0 : w0;
    const h = turned ? w0 : h0;
    const source = () =>
      sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
        .rotate()
        .flatten({ background: WHITE })
        .toColourspace('srgb')
        .removeAlpha();

    let framed: RawImage;
    let face: FaceGeometry | null | undefined;
    /** The background was replaced while framing (face-aligned crop). */
    let replaced = false;
    let upscale = 1;
    try {
      if ((opts.align ?? 'centre') === 'centre') {
        const c = centreCrop(w, h, profile);
        if (c.width < profile.width || c.height < profile.height) {
          return fail('fail', { code: 'SOURCE_TOO_SMALL', message: `原图 ${w}×${h} 像素，按 ${profile.width}:${profile.height} 裁剪后只有 ${c.width}×${c.height}，小于规定的 ${profile.width}×${profile.height}；不放大低清照片，请提供更大的原图` });
        }
        framed = await rawOf(source().extract(c).resize(profile.width, profile.height, { kernel: 'lanczos3', fit: 'fill' }));
      } else {
        const src = await rawOf(source());
        const maxUpscale = profile.maxUpscale ?? DEFAULT_MAX_UPSCALE;
        const planned = await planFaceCrop(src, profile, { replaceBackground: opts.background === 'blue', maxUpscale });
        if (!planned.ok) return fail('fail', planned.refusal, 0, planned.face);
        face = planned.face;
        upscale = planned.scale;
        const c = planned.plan.crop;
        if (planned.scale > maxUpscale + 1e-6) {
          return fail('fail', { code: 'SOURCE_TOO_SMALL', message: `人像区域只有 ${Math.round(c.width)}×${Math.round(c.height)} 像素，需放大 ${planned.scale.toFixed(2)} 倍，超过规格允许的 ${maxUpscale} 倍；请提供更大的原图` }, 0, face);
        }
        try {
          if (opts.background === 'blue') {
            framed = await frameWithBackground(src, planned.plan, profile.width, profile.height, profile.background?.rgb ?? REFERENCE_BLUE);
            replaced = true;
          } else framed = await applyCropPlan(src, planned.plan, profile.width, profile.height);
        } catch (err) {
          if (err instanceof RangeError) return fail('fail', { code: 'CROP_OUT_OF_PICTURE', message: `裁剪区域超出原图范围：${errMessage(err)}` }, 0, face);
          throw err;
        }
      }
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 'FACE_UNAVAILABLE') return fail('error', { code: 'FACE_UNAVAILABLE', message: `人脸分析不可用，无法按人脸裁剪：${errMessage(err)}` });
      return fail('error', { code: 'UNDECODABLE', message: `图像数据损坏，无法解码（${FORMAT_NAMES[format]}）：${errMessage(err)}` });
    }

    let edited = replaced;
    if (opts.background === 'blue' && !replaced) {
      try {
        framed = await replaceBackgroundMatte(framed, profile.background?.rgb ?? REFERENCE_BLUE);
        edited = true;
      } catch (err) {
        return fail('error', { code: 'BACKGROUND_UNAVAILABLE', message: `背景替换不可用：${errMessage(err)}` });
      }
    }

    const enc = await encodeToSize(framed, profile);
    if (!enc.ok) return fail('fail', enc.refusal, enc.encodes);
    const outName = `${stemOf(fileName)}${profile.extensions[0] ?? '.jpg'}`;
    const report = await inspect(enc.jpeg, { profile, fileName: outName, face: opts.face, isKnownId: opts.isKnownId });
    report.file = fileName;
    const sharpCheck = report.checks.find((c) => c.id === 'sharpness');
    if (upscale > 1 + 1e-6 && sharpCheck?.status === 'fail') {
      // Enlarged only on the condition that the output stays sharp: it did not, so refuse as before.
      return fail('fail', { code: 'FACE_TOO_SMALL', message: `原图中人脸像素过少：需放大 ${upscale.toFixed(2)} 倍，放大后清晰度不合格（${sharpCheck.message}），请使用更清晰、人脸更大的原图` }, enc.encodes, face);
    }
    if (edited) report.edited = true;
    return { jpeg: enc.jpeg, report, encodes: enc.encodes };
  } catch (err) {
    return fail('error', { code: 'FIX_FAILED', message: `修正时出错：${errMessage(err)}` });
  }
}
