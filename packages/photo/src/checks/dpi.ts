/** `dpi`: the profile's dpi written in the JFIF header, and in EXIF when EXIF gives a resolution. 分辨率 */
import { exifDpi, jfifDpi } from '../jpeg/parse.js';
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult } from '../types.js';

const fmt = (d: { x: number; y: number }) => (Math.round(d.x) === Math.round(d.y) ? `${Math.round(d.x)} dpi` : `${Math.round(d.x)}×${Math.round(d.y)} dpi`);
/** dots-per-cm headers cannot say 300 dpi exactly (118 dpcm = 299.7 dpi): accept within 1 dpi. */
const near = (v: number, want: number) => Math.abs(v - want) < 1;

export function checkDpi(ctx: CheckContext): CheckResult {
  const s = ctx.jpeg;
  if (!s || !s.frame) return skipped('dpi', '不是可读的 JPEG 文件');
  const want = ctx.profile.dpi;
  const jd = s.jfif ? jfifDpi(s.jfif) : null;
  const ed = s.exif ? exifDpi(s.exif) : null;
  const value = { jfif: jd ? Math.round(jd.x * 10) / 10 : null, exif: ed ? Math.round(ed.x * 10) / 10 : null };
  const hint = `用 gradpass fix 重新保存（写入 ${want ?? 300} dpi）`;
  if (want === null) {
    return result('dpi', 'pass', value, null, `本规格不限分辨率（JFIF ${jd ? fmt(jd) : '未写'}${ed ? `，EXIF ${fmt(ed)}` : ''}）`);
  }
  if (!s.jfif) return result('dpi', 'fail', value, want, `没有 JFIF 文件头，未写分辨率；应为 ${want} dpi`, hint, 'DPI_NO_JFIF');
  if (!jd) {
    return result('dpi', 'fail', value, want, `JFIF 文件头未写分辨率（单位为 0，只表示宽高比 ${s.jfif.xDensity}:${s.jfif.yDensity}）；应为 ${want} dpi`, hint, 'DPI_MISSING');
  }
  if (!near(jd.x, want) || !near(jd.y, want)) {
    return result('dpi', 'fail', value, want, `JFIF 分辨率 ${fmt(jd)}，应为 ${want} dpi`, hint, 'DPI_WRONG');
  }
  if (ed && (!near(ed.x, want) || !near(ed.y, want))) {
    return result('dpi', 'fail', value, want, `JFIF 分辨率 ${fmt(jd)}，但 EXIF 分辨率 ${fmt(ed)}，应为 ${want} dpi`, hint, 'DPI_EXIF_MISMATCH');
  }
  return result('dpi', 'pass', value, want, `分辨率 ${fmt(jd)}（JFIF${ed ? ' 与 EXIF' : ''}），符合 ${want} dpi`);
}
