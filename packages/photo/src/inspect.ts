/**
 * Inspect one photo (照片检测): every technical rule, then face and composition analysis.
 * Never throws on bad input; the report says what is wrong, per file, in Chinese with stable codes.
 *
 * Pipeline: sniff the format → parse the JPEG headers (no decode) → header checks → pixels:
 * - face analysis off (`face: false`, 技术检查): a DC-only decode (jpeg/dc.ts, the 8×8 block means, ~3×
 *   cheaper than sharp) screens the picture (checks/dc-screen.ts). When no edge line can hold a band, no
 *   background block holds an edge and the chroma is not near a threshold, colour is measured on the
 *   1/8 picture and border/watermark report what the screen established; otherwise, and for anything the
 *   DC decoder does not handle (progressive, CMYK, non-sRGB ICC, EXIF rotation, corrupt data), a full decode.
 * - full decode: ONCE with sharp (sRGB, 3 channels; reduced with shrink-on-load only when the picture is far
 *   larger than the profile frame) → colour, border and watermark share those pixels → face analysis on
 *   the same pixels.
 */
import sharp from 'sharp';
import { checkBorder } from './checks/border.js';
import { checkColour, colourNeedsFullPicture } from './checks/colour.js';
import { type CheckContext, skipped } from './checks/context.js';
import { checkDpi } from './checks/dpi.js';
import { checkFormatBaseline } from './checks/format-baseline.js';
import { checkFormatJpeg } from './checks/format-jpeg.js';
import { checkName } from './checks/name.js';
import { checkQuality } from './checks/quality.js';
import { checkSizeBytes } from './checks/size-bytes.js';
import { checkSizePixels } from './checks/size-pixels.js';
import { checkWatermark } from './checks/watermark.js';
import { backgroundSuspect, borderSuspect } from './checks/dc-screen.js';
import { analyseFace, DEFAULT_MAX_UPSCALE, inspectFace, planFaceCrop } from './face/index.js';
import { runChecks } from './face/checks.js';
import { decodeDc } from './jpeg/dc.js';
import { iccIsSrgbOrAbsent } from './jpeg/icc.js';
import { parseJpeg } from './jpeg/parse.js';
import { FORMAT_NAMES, sniffFormat } from './jpeg/sniff.js';
import { RULE_IDS, RULES } from './rules.js';
import type { CheckResult, FaceGeometry, InspectOptions, PhotoReport, Profile, RawImage, RuleId, Verdict } from './types.js';

/** Pictures above this many pixels are not decoded (decompression-bomb guard). 解码像素上限 */
export const MAX_INPUT_PIXELS = 100_000_000;

/** The §3–4 rules answered by the face module. */
export const FACE_RULE_IDS: RuleId[] = RULE_IDS.filter((id) => RULES[id].group !== 'technical');

/** Rules that are measured in the profile's frame (skipped on a photo not yet in it). */
const FRAME_RULES = new Set<RuleId>(['geometry.head-top', 'geometry.eye-line', 'geometry.face-width', 'geometry.centre']);

/** Face findings of a photo not in the frame, its face in the file's pixels, and what `fix` would do. */
async function inspectOffFrame(img: RawImage, scale: number, profile: Profile): Promise<{ checks: CheckResult[]; face: FaceGeometry | null; fixable: NonNullable<PhotoReport['fixable']> }> {
  const a = await analyseFace(img);
  const checks = runChecks(a, profile);
  const g = a.geometry;
  const k = 1 / scale;
  const face: FaceGeometry | null = g && {
    box: [g.box[0] * k, g.box[1] * k, g.box[2] * k, g.box[3] * k],
    eyes: [[g.eyes[0][0] * k, g.eyes[0][1] * k], [g.eyes[1][0] * k, g.eyes[1][1] * k]],
    noseTip: [g.noseTip[0] * k, g.noseTip[1] * k],
    headTop: g.headTop * k,
    faceWidth: g.faceWidth * k,
    pose: g.pose,
  };
  const planned = await planFaceCrop(img, profile, { replaceBackground: true, maxUpscale: (profile.maxUpscale ?? DEFAULT_MAX_UPSCALE) * k });
  const fixable = planned.ok
    ? { ok: true as const, message: `可用 gradpass fix --background blue 修正（裁剪${planned.extended ? '并向上／两侧补背景色' : ''}${planned.scale * scale > 1.0001 ? `，放大 ${(planned.scale * scale).toFixed(2)} 倍` : ''}）` }
    : { ok: false as const, code: planned.refusal.code, message: planned.refusal.message };
  return { checks, face, fixable };
}

/** fail if any fail, else review if any review, else pass (skip counts as neither). */
export function verdictOf(checks: CheckResult[]): Verdict {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  if (checks.some((c) => c.status === 'review')) return 'review';
  return 'pass';
}

function errMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0].slice(0, 200);
}

/** Decode to sRGB 3-channel pixels, shrunk on load when far larger than the frame. */
async function decodePixels(bytes: Buffer, width: number, height: number, profile: Profile): Promise<{ img: RawImage; scale: number }> {
  let pipeline = sharp(bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS, sequentialRead: true });
  if (width * height > 4 * profile.width * profile.height) {
    const scale = Math.sqrt((profile.width * profile.height) / (width * height));
    pipeline = pipeline.resize(Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale)), { kernel: 'nearest', fastShrinkOnLoad: true, fit: 'fill' });
  }
  const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded ${info.channels} channels`);
  return { img: { data, width: info.width, height: info.height, channels: 3 }, scale: info.width / width };
}

const NOT_AN_IMAGE = new Set(['empty', 'text', 'pdf', 'zip', 'unknown']);

/** Inspect one photo against a profile. Never throws. */
export async function inspect(bytes: Buffer, opts: InspectOptions): Promise<PhotoReport> {
  const report: PhotoReport = { file: opts.fileName, verdict: 'pass', checks: [] };
  try {
    return await inspectInner(bytes, opts, report);
  } catch (err) {
    report.verdict = 'error';
    report.error = { code: 'INSPECT_FAILED', message: `检测时出错：${errMessage(err)}` };
    return report;
  }
}

async function inspectInner(bytes: Buffer, opts: InspectOptions, report: PhotoReport): Promise<PhotoReport> {
  const { profile } = opts;
  const format = sniffFormat(bytes);
  const jpeg = format === 'jpeg' ? parseJpeg(bytes) : null;
  const ctx: CheckContext = { bytes, fileName: opts.fileName, profile, isKnownId: opts.isKnownId, format, jpeg, pixels: null, pixelScale: 1 };
  const byId = new Map<RuleId, CheckResult>();
  const put = (c: CheckResult) => byId.set(c.id, c);

  put(checkFormatJpeg(ctx));
  put(checkFormatBaseline(ctx));
  put(checkSizePixels(ctx));
  put(checkSizeBytes(ctx));
  put(checkDpi(ctx));
  put(checkQuality(ctx));
  put(checkName(ctx));

  // Decode once for the pixel checks (and the face module).
  const frame = jpeg?.frame ?? null;
  if (format !== 'jpeg') {
    ctx.noPixelsReason = `文件不是 JPEG（${FORMAT_NAMES[format]}）`;
  } else if (!frame || jpeg?.truncated) {
    ctx.noPixelsReason = jpeg?.truncated ? 'JPEG 文件不完整（被截断）' : 'JPEG 文件损坏';
  } else if (frame.width * frame.height > MAX_INPUT_PIXELS || frame.width === 0 || frame.height === 0) {
    ctx.noPixelsReason = `图像 ${frame.width}×${frame.height}（${(frame.width * frame.height / 1e6).toFixed(0)} 百万像素）超过解码上限 ${MAX_INPUT_PIXELS / 1e6} 百万像素，未解码（防止解压炸弹）`;
  } else {
    // Face analysis off: screen on the 1/8 DC picture; decode fully only when a full-resolution measure may find something.
    const dc = opts.face === false && (jpeg?.exif?.orientation ?? 1) === 1 && (!jpeg?.icc || iccIsSrgbOrAbsent(bytes)) ? decodeDc(bytes) : null;
    if (dc && !borderSuspect(dc) && !backgroundSuspect(dc) && (frame.components.length === 1 || !colourNeedsFullPicture(dc))) ctx.dc = dc;
    else try {
      const { img, scale } = await decodePixels(bytes, frame.width, frame.height, profile);
      ctx.pixels = img;
      ctx.pixelScale = scale;
    } catch (err) {
      ctx.noPixelsReason = 'JPEG 数据损坏，无法解码';
      put({
        id: 'format.jpeg', status: 'fail', value: 'undecodable', limit: 'jpeg',
        message: `JPEG 数据损坏，无法解码（${errMessage(err)}）`, hint: '文件可能在传输中损坏，请重新获取原图', code: 'JPEG_UNDECODABLE',
      });
    }
  }
  put(checkColour(ctx));
  put(checkBorder(ctx));
  put(checkWatermark(ctx));

  if (opts.face !== false) {
    const img = ctx.pixels;
    if (!img) {
      for (const id of FACE_RULE_IDS) put(skipped(id, ctx.noPixelsReason ?? '图像无法解码'));
    } else if (ctx.pixelScale !== 1 || img.width !== profile.width || img.height !== profile.height) {
      // Not yet in the frame: the findings that do not depend on it, the face in the file's own pixels,
      // and whether `fix` could make it compliant (so the student is photographed again at once if not).
      const why = `像素尺寸 ${frame?.width}×${frame?.height} 不是 ${profile.width}×${profile.height}，构图位置无法按规格衡量（修正后再查）`;
      try {
        const off = await inspectOffFrame(img, ctx.pixelScale, profile);
        report.face = off.face;
        report.fixable = off.fixable;
        for (const c of off.checks) put(FRAME_RULES.has(c.id) ? skipped(c.id, why) : c);
      } catch (err) {
        for (const id of FACE_RULE_IDS) put(skipped(id, `${why}；人脸分析不可用：${errMessage(err)}`));
      }
    } else {
      try {
        const fi = await inspectFace(img, profile);
        report.face = fi.face;
        for (const c of fi.checks) put(c);
        for (const id of FACE_RULE_IDS) {
          if (!byId.has(id)) put({ id, status: 'review', value: null, limit: null, message: '人脸分析未给出此项结果，请人工查看', code: 'FACE_NO_RESULT' });
        }
      } catch (err) {
        const code = (err as { code?: unknown }).code === 'FACE_UNAVAILABLE' ? 'FACE_UNAVAILABLE' : 'FACE_FAILED';
        for (const id of FACE_RULE_IDS) {
          put({ id, status: 'review', value: null, limit: null, message: `人脸分析不可用：${errMessage(err)}；${RULES[id].zh}需人工查看`, hint: '请人工对照照片标准查看此项', code });
        }
      }
    }
  }

  report.checks = RULE_IDS.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
  if (NOT_AN_IMAGE.has(format)) {
    report.verdict = 'error';
    report.error = format === 'empty'
      ? { code: 'EMPTY_FILE', message: '空文件（0 字节），不是照片' }
      : { code: 'NOT_AN_IMAGE', message: `文件内容是${FORMAT_NAMES[format]}，不是照片` };
    return report;
  }
  report.verdict = verdictOf(report.checks);
  return report;
}
