/**
 * `colour`: a colour photo, not greyscale or near-greyscale. 彩色照片
 *
 * Measured: per-pixel chroma C = max(R,G,B) − min(R,G,B) (0–255) on every third pixel in both directions;
 * the 95th percentile of C over the picture. A greyscale picture stays near 0 (JPEG chroma noise only);
 * a standard photo has a light-blue background (C ≈ 155) and skin (C ≈ 40–90). A single-channel JPEG fails.
 */
import { type CheckContext, result, skipped } from './context.js';
import type { DcImage } from '../jpeg/dc.js';
import type { CheckResult } from '../types.js';

/** p95 chroma below this: greyscale. */
export const COLOUR_FAIL_BELOW = 12;
/** p95 chroma below this: nearly greyscale (faded, sepia-like), a person should look. */
export const COLOUR_REVIEW_BELOW = 24;

/**
 * On the 1/8 DC picture (block means) the p95 chroma is within ±2 of the full picture's (measured on the
 * London portraits desaturated 0–100 %); within this margin of a threshold the full decode decides.
 */
export const COLOUR_DC_MARGIN = 3;

/** Is the DC picture's p95 chroma so close to a threshold that only the full picture can decide? */
export function colourNeedsFullPicture(dc: DcImage): boolean {
  const { p } = chromaPercentile(dc.data, dc.width, dc.height, 0.95, 1);
  return Math.abs(p - COLOUR_FAIL_BELOW) <= COLOUR_DC_MARGIN || Math.abs(p - COLOUR_REVIEW_BELOW) <= COLOUR_DC_MARGIN;
}

export function chromaPercentile(data: Uint8Array, width: number, height: number, p = 0.95, stride = 3): { p: number; mean: number } {
  const hist = new Uint32Array(256);
  let n = 0;
  let sum = 0;
  for (let y = 0; y < height; y += stride) {
    let i = y * width * 3;
    for (let x = 0; x < width; x += stride, i += 3 * stride) {
      const r = data[i], g = data[i + 1], b = data[i + 2];
      const mx = r > g ? (r > b ? r : b) : g > b ? g : b;
      const mn = r < g ? (r < b ? r : b) : g < b ? g : b;
      const c = mx - mn;
      hist[c]++;
      sum += c;
      n++;
    }
  }
  const target = Math.ceil(n * p);
  let acc = 0;
  let v = 0;
  for (; v < 256; v++) {
    acc += hist[v];
    if (acc >= target) break;
  }
  return { p: v, mean: n ? sum / n : 0 };
}

export function checkColour(ctx: CheckContext): CheckResult {
  const f = ctx.jpeg?.frame;
  const limit = COLOUR_FAIL_BELOW;
  if (f && f.components.length === 1) {
    return result('colour', 'fail', 0, limit, '单通道灰度 JPEG（黑白照片），应为彩色照片', '用彩色原图重新制作照片', 'COLOUR_GREYSCALE');
  }
  const img = ctx.pixels;
  const dc = ctx.dc;
  if (!img && !dc) return skipped('colour', ctx.noPixelsReason ?? '图像无法解码');
  // On the 1/8 DC picture every pixel is a block mean: use them all (step 1).
  const { p, mean } = img ? chromaPercentile(img.data, img.width, img.height) : chromaPercentile(dc!.data, dc!.width, dc!.height, 0.95, 1);
  const value = { p95: p, mean: Math.round(mean * 10) / 10 };
  const what = `色度 C=max(R,G,B)−min(R,G,B) 的 95% 分位数为 ${p}（0–255）`;
  if (p < COLOUR_FAIL_BELOW) {
    return result('colour', 'fail', value, limit, `黑白（灰度）照片：${what}，低于 ${COLOUR_FAIL_BELOW}`, '用彩色原图重新制作照片', 'COLOUR_GREYSCALE');
  }
  if (p < COLOUR_REVIEW_BELOW) {
    return result('colour', 'review', value, limit, `色彩很淡，接近黑白：${what}，低于 ${COLOUR_REVIEW_BELOW}`, '请人工确认是否为彩色照片（褪色、单色调或黑白照片不合格）', 'COLOUR_FAINT');
  }
  return result('colour', 'pass', value, limit, `彩色照片：${what}，不低于 ${COLOUR_REVIEW_BELOW}`);
}
