import { sniffFormat, FORMAT_NAMES, type SniffedFormat } from '@gradpass/photo/jpeg/sniff';
import { parseJpeg } from '@gradpass/photo/jpeg/parse';
import { AppError } from '../errors.js';

/** Largest picture a photo upload may declare (像素上限): 12,000 px a side and 60 million pixels. */
export const MAX_UPLOAD_SIDE = 12_000;
export const MAX_UPLOAD_PIXELS = 60_000_000;

/** Picture formats a person may bring; the checks then say what must change (一键修正 converts them). */
const PICTURES: ReadonlySet<SniffedFormat> = new Set(['jpeg', 'png', 'webp', 'heic', 'avif', 'gif', 'bmp', 'tiff']);

/**
 * What a photo upload must be before anything is stored (上传照片前的内容检查): a picture by its content (a PDF,
 * a document or an archive renamed .jpg is refused, NOT_A_PICTURE), and no decompression bomb — the pixel size
 * its header declares is within the caps (PHOTO_DIMENSIONS_TOO_LARGE). Read from the header only: nothing is
 * decoded.
 */
export function assertPictureUpload(bytes: Buffer, fileName: string): void {
  const format = sniffFormat(bytes);
  if (!PICTURES.has(format)) {
    throw new AppError(
      422,
      'NOT_A_PICTURE',
      `文件“${fileName}”不是照片（内容为${FORMAT_NAMES[format]}）：请上传 JPG 格式的照片`,
    );
  }
  const size = declaredSize(format, bytes);
  if (
    size &&
    (size.width > MAX_UPLOAD_SIDE || size.height > MAX_UPLOAD_SIDE || size.width * size.height > MAX_UPLOAD_PIXELS)
  ) {
    throw new AppError(
      422,
      'PHOTO_DIMENSIONS_TOO_LARGE',
      `照片“${fileName}”的像素尺寸 ${size.width}×${size.height} 过大（每边最多 ${MAX_UPLOAD_SIDE} 像素、` +
        `共最多 ${MAX_UPLOAD_PIXELS / 1_000_000} 百万像素），请上传正常尺寸的照片`,
    );
  }
}

/** The width and height the file's header declares (JPEG frame, PNG IHDR), or null when it does not say. */
function declaredSize(format: SniffedFormat, bytes: Buffer): { width: number; height: number } | null {
  if (format === 'jpeg') {
    const frame = parseJpeg(bytes).frame;
    return frame ? { width: frame.width, height: frame.height } : null;
  }
  if (format === 'png' && bytes.length >= 24) return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  return null;
}
