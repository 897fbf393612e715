/**
 * `size.pixels`: exactly width × height (portrait), and no EXIF orientation that changes how it shows. 像素尺寸
 *
 * EXIF orientation decision: 5–8 turn the picture by 90° when shown, so a viewer would display it as
 * height × width → fail. 2–4 (mirrored, upside down, mirrored vertically) keep the size but the stored
 * pixels and the displayed picture differ; whichever one the receiving system uses, one of them is wrong
 * (and mirroring is forbidden by the standard) → fail too. `gradpass fix` applies the orientation and
 * writes no EXIF, which settles it.
 */
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult } from '../types.js';

const ORIENTATION_ZH: Record<number, string> = {
  2: '水平镜像',
  3: '旋转 180°',
  4: '垂直镜像',
  5: '镜像并旋转 90°',
  6: '顺时针旋转 90°',
  7: '镜像并旋转 270°',
  8: '逆时针旋转 90°',
};

export function checkSizePixels(ctx: CheckContext): CheckResult {
  const f = ctx.jpeg?.frame;
  if (!f) return skipped('size.pixels', '不是可读的 JPEG 文件');
  const { width: W, height: H } = ctx.profile;
  const value = [f.width, f.height];
  const limit = [W, H];
  if (f.width !== W || f.height !== H) {
    const landscape = f.width > f.height ? '（横向）' : '';
    return result('size.pixels', 'fail', value, limit, `像素尺寸 ${f.width}×${f.height}${landscape}，应为 ${W}×${H}（宽×高，竖向）`, '用 gradpass fix 按比例裁剪并缩放到规定尺寸', 'PIXELS_WRONG');
  }
  const o = ctx.jpeg?.exif?.orientation ?? null;
  if (o !== null && o >= 2 && o <= 8) {
    const shown = o >= 5 ? `，显示时变为 ${f.height}×${f.width}` : '，显示的画面与存储的像素不一致';
    return result('size.pixels', 'fail', { width: f.width, height: f.height, orientation: o }, limit, `EXIF 方向标记为 ${o}（${ORIENTATION_ZH[o]}）${shown}`, '用 gradpass fix 按方向标记转正并去掉 EXIF', o >= 5 ? 'EXIF_ROTATED' : 'EXIF_MIRRORED_OR_FLIPPED');
  }
  return result('size.pixels', 'pass', value, limit, `像素尺寸 ${f.width}×${f.height}，符合 ${W}×${H}${o === 1 ? '（EXIF 方向正常）' : ''}`);
}
