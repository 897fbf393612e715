/**
 * `quality`: the IJG quality factor estimated from the quantisation tables must be ≥ profile.minQuality.
 * 压缩质量（由量化表估计）
 */
import { estimateQuality } from '../jpeg/quality.js';
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult } from '../types.js';

export function checkQuality(ctx: CheckContext): CheckResult {
  const f = ctx.jpeg?.frame;
  if (!ctx.jpeg || !f || f.components.length === 0) return skipped('quality', '不是可读的 JPEG 文件');
  const luma = ctx.jpeg.quantTables[f.components[0].tq];
  if (!luma) return skipped('quality', 'JPEG 缺少量化表（DQT）', 'JPEG_NO_DQT');
  const ct = f.components.length >= 3 && f.components[1].tq !== f.components[0].tq ? ctx.jpeg.quantTables[f.components[1].tq] : undefined;
  const est = estimateQuality(luma, ct);
  const min = ctx.profile.minQuality;
  const how = est.exact ? '量化表为标准 IJG 表，估计精确' : `量化表不是标准 IJG 表，按最接近的 IJG 缩放估计（偏差 ${est.misfit}）`;
  if (est.quality < min) {
    return result('quality', 'fail', est.quality, min, `压缩质量约 ${est.quality}，低于下限 ${min}（${how}）`, `用清晰的原图重新导出，或用 gradpass fix 重新压缩（质量不低于 ${min}）`, 'QUALITY_LOW');
  }
  return result('quality', 'pass', est.quality, min, `压缩质量约 ${est.quality}，不低于 ${min}（${how}）`);
}
