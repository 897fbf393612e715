/** `format.baseline`: baseline (not progressive) JPEG, 3 channels × 8 bits, no CMYK. 基线 JPEG／24 位彩色 */
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult } from '../types.js';

const PROCESS_ZH = { baseline: '基线', extended: '扩展顺序', progressive: '渐进式', lossless: '无损' } as const;

export function checkFormatBaseline(ctx: CheckContext): CheckResult {
  const f = ctx.jpeg?.frame;
  if (!ctx.jpeg || !f) return skipped('format.baseline', '不是可读的 JPEG 文件');
  const channels = f.components.length;
  const value = { process: f.process, sof: `SOF${f.marker - 0xc0}`, channels, precision: f.precision, bits: channels * f.precision };
  const limit = 'baseline 3×8';
  const hint = '用 gradpass fix 重新保存为基线 JPEG（24 位 RGB 彩色）';
  const sof = `SOF${f.marker - 0xc0}`;
  if (f.process === 'progressive') {
    return result('format.baseline', 'fail', value, limit, `渐进式 JPEG（${sof}），应为基线 JPEG（SOF0）`, hint, 'JPEG_PROGRESSIVE');
  }
  if (f.process !== 'baseline' || f.arithmetic || f.differential) {
    const how = `${PROCESS_ZH[f.process]}${f.arithmetic ? '、算术编码' : ''}${f.differential ? '、分层' : ''}`;
    return result('format.baseline', 'fail', value, limit, `${how} JPEG（${sof}），应为基线 JPEG（SOF0）`, hint, 'JPEG_NOT_BASELINE');
  }
  if (channels === 4) {
    const ycck = ctx.jpeg.adobeTransform === 2;
    return result('format.baseline', 'fail', value, limit, `${ycck ? 'YCCK' : 'CMYK'} 四色 JPEG（印刷色彩），应为 3 通道 RGB 彩色`, hint, 'JPEG_CMYK');
  }
  if (channels === 1) {
    return result('format.baseline', 'fail', value, limit, '单通道（灰度）JPEG，应为 3 通道 24 位彩色', '用彩色原图重新制作照片', 'JPEG_GREYSCALE');
  }
  if (channels !== 3) {
    return result('format.baseline', 'fail', value, limit, `JPEG 有 ${channels} 个通道，应为 3 通道 24 位彩色`, hint, 'JPEG_CHANNELS');
  }
  if (f.precision !== 8) {
    return result('format.baseline', 'fail', value, limit, `每通道 ${f.precision} 位（共 ${channels * f.precision} 位），应为每通道 8 位（24 位彩色）`, hint, 'JPEG_PRECISION');
  }
  return result('format.baseline', 'pass', value, limit, '基线 JPEG（SOF0），3 通道 × 8 位 = 24 位彩色');
}
