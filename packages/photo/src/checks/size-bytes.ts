/** `size.bytes`: file size inside the profile's byte window (KB = profile.kilobyte, default 1024). 文件大小 */
import { type CheckContext, kb, result } from './context.js';
import type { CheckResult } from '../types.js';

export function checkSizeBytes(ctx: CheckContext): CheckResult {
  const n = ctx.bytes.length;
  const w = ctx.profile.bytes;
  if (!w) return result('size.bytes', 'pass', n, null, `文件大小 ${kb(n, ctx.profile)}（本规格不限大小）`);
  const limit = [w.min, w.max];
  if (n > w.max) {
    return result('size.bytes', 'fail', n, limit, `文件大小 ${kb(n, ctx.profile)}（${n} 字节），超出上限 ${kb(w.max, ctx.profile)}`, '用 gradpass fix 重新压缩', 'BYTES_TOO_LARGE');
  }
  if (n < w.min) {
    return result('size.bytes', 'fail', n, limit, `文件大小 ${kb(n, ctx.profile)}（${n} 字节），低于下限 ${kb(w.min, ctx.profile)}`, '用 gradpass fix 以更高质量重新压缩；若原图本身太小太糊，请重新拍摄', 'BYTES_TOO_SMALL');
  }
  return result('size.bytes', 'pass', n, limit, `文件大小 ${kb(n, ctx.profile)}，在 ${kb(w.min, ctx.profile)}–${kb(w.max, ctx.profile)} 之间`);
}
