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

/** The frame a position is told in when the photo's own size is not given: the standard 480×640. */
const FRAME = { width: 480, height: 640 };

/** Where a point lies in the picture, in words (画面左上方…): thirds across and down. */
export function placeInWords(x: number, y: number, size = FRAME): string {
  const col = x < size.width / 3 ? 0 : x > (2 * size.width) / 3 ? 2 : 1;
  const row = y < size.height / 3 ? 0 : y > (2 * size.height) / 3 ? 2 : 1;
  return [
    ['左上方', '上方', '右上方'],
    ['左侧', '中部', '右侧'],
    ['左下方', '下方', '右下方'],
  ][row][col];
}

/**
 * The engine's evidence in brackets that a clerk cannot weigh: measures in pupil distances, Mahalanobis
 * distances, texture and colour-difference scores, tile and window counts. Bracketed numbers in plain words
 * (a share of the forehead with its limit, degrees, pixels of the frame) stay.
 */
const EVIDENCE = /倍瞳距|马氏距离|纹理|色差|视为|即报告|小块|像素窗口|竖列|线上点|亮度|笔／窗口|DC 图/;

/** The message without its bracketed evidence (`EVIDENCE`), a bracket with the brackets inside it. */
function withoutEvidence(message: string): string {
  const open: number[] = [];
  const cut: [number, number][] = [];
  for (let i = 0; i < message.length; i++) {
    if (message[i] === '（') open.push(i);
    else if (message[i] === '）' && open.length) {
      const start = open.pop()!;
      if (EVIDENCE.test(message.slice(start, i + 1))) cut.push([start, i + 1]);
    }
  }
  let out = '',
    at = 0;
  // Outer brackets close after the ones inside them: sorted by start, a cut inside a cut is skipped.
  for (const [start, end] of cut.sort((a, b) => a[0] - b[0])) {
    if (start < at) continue;
    out += message.slice(at, start);
    at = end;
  }
  return out + message.slice(at);
}

/**
 * A message without formulas, file-format jargon and raw measures a clerk cannot act on (检测说明): the
 * engine words its messages for the command line's reports too, with every measure and limit; the web app
 * keeps the verdict, the place in words and the plain numbers. `size` is the photo's, for positions.
 */
export function messageForStaff(message: string, size = FRAME): string {
  const m = withoutEvidence(message)
    // colour: "色度 C=max(R,G,B)−min(R,G,B) 的 95% 分位数为 41（0–255）" → "色彩浓度 41（0–255）"
    .replace(/色度\s*C\s*=\s*max\(R,\s*G,\s*B\)\s*[−-]\s*min\(R,\s*G,\s*B\)\s*的\s*95%\s*分位数为\s*/g, '色彩浓度 ')
    // JPEG frame markers: "渐进式 JPEG（SOF2），应为基线 JPEG（SOF0）" → "渐进式 JPEG，应为基线 JPEG"
    .replace(/（SOF\d+）/g, '')
    // Positions in frame pixels → in words: "（约在 x=92、y=413 处）", "（约 x 190–250，y 60–90）", "（x 0–64，y 0–64）"
    .replace(/（约在 x=(\d+)、y=(\d+) 处）/g, (_m, x: string, y: string) => `（画面${placeInWords(+x, +y, size)}）`)
    .replace(/（约?\s*x (\d+)–(\d+)，y (\d+)–(\d+)）/g, (_m, x0: string, x1: string, y0: string, y1: string) => `（画面${placeInWords((+x0 + +x1) / 2, (+y0 + +y1) / 2, size)}）`)
    // Colour differences: "ΔE2000 = 12.3" / "ΔE 4.1" → "色差 12.3"; "RGB(200,200,198)" is not for a clerk.
    .replace(/相差\s*ΔE2000\s*=?\s*/g, '色差 ')
    .replace(/色差\s*ΔE(2000|76)?\s*=?\s*/g, '色差 ')
    .replace(/离散度\s*ΔE\s*/g, '颜色不均 ')
    .replace(/ΔE(2000|76)?\s*=?\s*/g, '色差 ')
    .replace(/\s*RGB\([^)]*\)\s*/g, '')
    // Sizes in pupil distances outside brackets: "横跨 1.4 倍瞳距的异色带状物" → "异色带状物"
    .replace(/横跨 [\d.]+ 倍瞳距[的、]?/g, '')
    .replace(/高出眼睛 [\d.]+ 倍瞳距/g, '高出眼睛较多')
    .replace(/在 1\/8 DC 图上/g, '')
    .replace(/\s*[\d,]+ 个小块/g, '')
    .replace(/像素占比/g, '占比')
    .replace(/过曝像素/g, '过曝区域');
  // What the brackets left: "，，" and "：，" and a space before a mark.
  return m.replace(/[，、；]\s*(?=[，。；）])/g, '').replace(/\s+([，。；、）])/g, '$1');
}
