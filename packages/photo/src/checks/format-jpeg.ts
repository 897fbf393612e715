/** `format.jpeg`: the bytes are a JPEG (by content) and the extension is one the profile accepts. 文件格式 */
import { FORMAT_NAMES } from '../jpeg/sniff.js';
import { type CheckContext, result } from './context.js';
import type { CheckResult } from '../types.js';

/** The extension of a file name (`.jpg`), or '' when none; archive paths like `a.zip!/b.jpg` work. */
export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/!]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot) : '';
}

/** Marker names for messages. */
function segmentName(marker: number): string {
  if (marker >= 0xe0 && marker <= 0xef) return `APP${marker - 0xe0}（0xFF${marker.toString(16).toUpperCase()}）`;
  const names: Record<number, string> = { 0xdb: 'DQT 量化表', 0xc4: 'DHT 哈夫曼表', 0xda: 'SOS 扫描头', 0xdd: 'DRI', 0xfe: 'COM 注释' };
  if (names[marker]) return `${names[marker]}（0xFF${marker.toString(16).toUpperCase()}）`;
  if (marker >= 0xc0 && marker <= 0xcf) return `SOF 帧头（0xFF${marker.toString(16).toUpperCase()}）`;
  return `0xFF${marker.toString(16).toUpperCase()}`;
}

function endsWithEoi(ctx: CheckContext): boolean {
  const b = ctx.bytes;
  return b.length >= 2 && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

export function checkFormatJpeg(ctx: CheckContext): CheckResult {
  const { format, jpeg, profile } = ctx;
  const exts = profile.extensions.join('、');
  const ext = extensionOf(ctx.fileName);
  if (format === 'empty') return result('format.jpeg', 'fail', 'empty', 'jpeg', '空文件（0 字节），不是照片', '重新获取原始照片文件', 'EMPTY_FILE');
  if (format !== 'jpeg') {
    const what = FORMAT_NAMES[format];
    const image = ['png', 'webp', 'heic', 'avif', 'gif', 'bmp', 'tiff'].includes(format);
    return result(
      'format.jpeg', 'fail', format, 'jpeg',
      `文件内容是${what}，不是 JPEG${ext ? `（扩展名 ${ext} 与内容不符或不被接受）` : ''}`,
      image ? '用 gradpass fix 转换为 JPEG（改扩展名不能改变格式）' : '这不是照片文件，请重新获取原始照片',
      `NOT_JPEG_${format.toUpperCase()}`,
    );
  }
  // A wrong length matters when the structure is broken by it (stray bytes between intact segments do not).
  const broken = jpeg && (jpeg.truncated || !jpeg.frame || jpeg.scans === 0 || jpeg.frame.components.some((c) => !jpeg.quantTables[c.tq]));
  if (jpeg && jpeg.badLength && broken) {
    const { marker, offset, length } = jpeg.badLength;
    const name = segmentName(marker);
    return result(
      'format.jpeg', 'fail', 'bad-segment-length', 'jpeg',
      `JPEG 文件损坏：偏移 ${offset} 处的 ${name} 段长度字段错误（写的是 ${length} 字节，与文件内容不符）；` +
        `${jpeg.eoi || endsWithEoi(ctx) ? '文件末尾的结束标记 EOI 是有的，文件并未截断' : '其后的数据无法读取'}`,
      '文件内容已损坏（常见于存储或传输出错），请重新获取原图',
      'JPEG_BAD_SEGMENT_LENGTH',
    );
  }
  if (jpeg && jpeg.truncated) {
    return result('format.jpeg', 'fail', 'truncated', 'jpeg', 'JPEG 文件不完整：缺少结束标记 EOI（文件被截断或损坏）', '文件可能在传输中损坏，请重新获取原图后用 gradpass fix 处理', 'JPEG_TRUNCATED');
  }
  if (jpeg && !jpeg.frame) {
    return result('format.jpeg', 'fail', 'no-frame', 'jpeg', 'JPEG 文件损坏：没有图像帧头（SOF）', '请重新获取原图', 'JPEG_CORRUPT');
  }
  if (!profile.extensions.includes(ext)) {
    return result('format.jpeg', 'fail', ext || '(无)', exts, `扩展名“${ext || '（无）'}”不符合要求，应为 ${exts}`, `把文件改名为 ${profile.extensions[0]} 结尾`, 'EXTENSION_NOT_ALLOWED');
  }
  const trailing = jpeg && jpeg.trailingBytes > 0 ? `；结束标记后另有 ${jpeg.trailingBytes} 字节附加数据` : '';
  return result('format.jpeg', 'pass', 'jpeg', 'jpeg', `文件内容为 JPEG，扩展名 ${ext}${trailing}`);
}
