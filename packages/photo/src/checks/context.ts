/**
 * What every technical check reads (检查上下文): the bytes, the profile, the sniffed format, the parsed
 * JPEG structure and, when decodable, the pixels — each computed once per photo and shared.
 */
import type { DcImage } from '../jpeg/dc.js';
import type { JpegStructure } from '../jpeg/parse.js';
import type { SniffedFormat } from '../jpeg/sniff.js';
import type { CheckResult, Profile, RawImage, RuleId } from '../types.js';

export interface CheckContext {
  bytes: Buffer;
  fileName: string;
  profile: Profile;
  isKnownId?: (id: string) => boolean;
  format: SniffedFormat;
  /** Parsed JPEG headers; null when the content is not a JPEG. */
  jpeg: JpegStructure | null;
  /** Decoded sRGB pixels (possibly reduced); null when not decoded. */
  pixels: RawImage | null;
  /** pixels.width / the picture's own width (1 at full resolution). */
  pixelScale: number;
  /**
   * The 1/8-scale DC picture, when the full decode was skipped because screening found nothing for the
   * full-resolution measures (face analysis off). `pixels` is null then.
   */
  dc?: DcImage | null;
  /** Why there are no pixels (Chinese), when `pixels` is null. */
  noPixelsReason?: string;
}

/** Format bytes as KB with one decimal, by the profile's kilobyte (default 1024). */
export function kb(bytes: number, profile: Profile): string {
  const k = profile.kilobyte ?? 1024;
  const v = bytes / k;
  return `${Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1)} KB`;
}

export function result(id: RuleId, status: CheckResult['status'], value: CheckResult['value'], limit: CheckResult['limit'], message: string, hint?: string, code?: string): CheckResult {
  const r: CheckResult = { id, status, value, limit, message };
  if (hint !== undefined && status !== 'pass') r.hint = hint;
  if (code !== undefined && status !== 'pass') r.code = code;
  return r;
}

/** A `skip` for a rule whose prerequisite failed. */
export function skipped(id: RuleId, why: string, code = 'PREREQUISITE_FAILED'): CheckResult {
  return { id, status: 'skip', value: null, limit: null, message: `未检查：${why}`, code };
}
