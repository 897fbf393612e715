/**
 * Clerk's words for photo check results (面向老师和学生的说明). The engine (@gradpass/photo) words its messages
 * and hints for every user, the command line included: hints say "用 gradpass fix …" and a few messages carry
 * the formula behind a measure. The web app shows the same facts without command lines or formulas. Pure.
 */

/** Who reads the hint: someone who may press 一键修正 (centre staff), or someone who must ask the centre. */
export interface HintReader {
  canFix: boolean;
}

const FIX_BUTTON = '点“一键修正”';

/** A hint without command-line advice; null when nothing useful is left. 修正建议 */
export function hintForStaff(hint: string | undefined | null, reader: HintReader): string | null {
  if (!hint) return null;
  if (!/gradpass|--[a-z]/.test(hint)) return hint;
  let h = hint;
  // "…，可用 gradpass rename 按名册批量改名": batch renaming is a command-line job; the clerk renames and re-uploads.
  h = h.replace(/[，,]?\s*可用 gradpass rename[^，。；]*/g, '，改名后重新上传');
  // "请重新获取原图后用 gradpass fix 处理" → re-upload the original.
  h = h.replace(/后用 gradpass fix 处理/g, reader.canFix ? `后重新上传，再${FIX_BUTTON}` : '后重新上传');
  // "用 gradpass fix 重新压缩" → the button does the same on the server.
  h = h.replace(/(或)?用 gradpass fix\s*/g, (_m, or: string | undefined) => `${or ?? ''}${reader.canFix ? FIX_BUTTON : '请学习中心用“一键修正”'}`);
  // Anything still addressed to the command line is dropped rather than shown half-translated.
  if (/gradpass|--[a-z]/.test(h)) return reader.canFix ? `可${FIX_BUTTON}处理，或重新上传合格照片` : '请联系学习中心处理，或重新上传合格照片';
  return h.replace(/^[，,]/, '');
}

/** A message without formulas and file-format jargon a clerk cannot act on. 检测说明 */
export function messageForStaff(message: string): string {
  return (
    message
      // colour: "色度 C=max(R,G,B)−min(R,G,B) 的 95% 分位数为 41（0–255）" → "色彩浓度 41（0–255）"
      .replace(/色度\s*C\s*=\s*max\(R,\s*G,\s*B\)\s*[−-]\s*min\(R,\s*G,\s*B\)\s*的\s*95%\s*分位数为\s*/g, '色彩浓度 ')
      // JPEG frame markers: "渐进式 JPEG（SOF2），应为基线 JPEG（SOF0）" → "渐进式 JPEG，应为基线 JPEG"
      .replace(/（SOF\d+）/g, '')
  );
}
