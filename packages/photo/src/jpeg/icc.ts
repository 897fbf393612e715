/**
 * Embedded ICC profile (ICC 色彩配置): is the picture sRGB? A full decode converts through the profile to
 * sRGB; the DC-only path cannot, so it is used only when the profile really is sRGB (or is absent).
 *
 * "Really sRGB" is read from the profile's tags, not found as a substring anywhere in it: the description
 * (`desc`: v2 textDescriptionType or v4 multiLocalizedUnicodeType) must name sRGB as a word at its start
 * ("sRGB IEC61966-2.1", "sRGB built-in", "sRGB2014" — not "esRGB", not a copyright line), and the red, green
 * and blue colorants, when present, must be sRGB's (D50-adapted, as every sRGB profile stores them).
 */

const ICC_TAG = Buffer.from('ICC_PROFILE\0', 'latin1');

/** sRGB's colorants adapted to D50 (IEC 61966-2-1 via Bradford), XYZ. */
const SRGB_COLORANTS: Record<'rXYZ' | 'gXYZ' | 'bXYZ', [number, number, number]> = {
  rXYZ: [0.4361, 0.2225, 0.0139],
  gXYZ: [0.3851, 0.7169, 0.0971],
  bXYZ: [0.1431, 0.0606, 0.7141],
};
/** Largest difference per coordinate from sRGB's colorants (profiles round differently; P3's red is 0.07 off). */
const COLORANT_TOLERANCE = 0.01;

/** A description that names sRGB: the word at the start, not inside another word ("esRGB"). */
const SRGB_NAME = /^sRGB(?![A-Za-z])/;

/** The `desc` tag's text of an ICC profile, or null when absent or unreadable. */
export function iccDescription(prof: Buffer): string | null {
  const tag = findTag(prof, 'desc');
  if (!tag) return null;
  const t = prof.subarray(tag.offset, tag.offset + tag.size);
  const type = t.toString('latin1', 0, 4);
  if (type === 'desc' && t.length >= 12) {
    const n = t.readUInt32BE(8);
    if (n < 1 || 12 + n > t.length) return null;
    return t.toString('latin1', 12, 12 + n).replace(/\0+$/, '');
  }
  if (type === 'mluc' && t.length >= 16) {
    const records = t.readUInt32BE(8);
    const recordSize = t.readUInt32BE(12);
    if (records < 1 || recordSize < 12 || 16 + recordSize > t.length) return null;
    // The first record (profiles put en-US first); UTF-16BE.
    const len = t.readUInt32BE(20);
    const off = t.readUInt32BE(24);
    if (off + len > t.length || len % 2 !== 0) return null;
    const be = t.subarray(off, off + len);
    const le = Buffer.alloc(len);
    for (let i = 0; i < len; i += 2) {
      le[i] = be[i + 1];
      le[i + 1] = be[i];
    }
    return le.toString('utf16le').replace(/\0+$/, '');
  }
  return null;
}

function findTag(prof: Buffer, sig: string): { offset: number; size: number } | null {
  if (prof.length < 132) return null;
  const count = prof.readUInt32BE(128);
  if (count > 1000 || 132 + count * 12 > prof.length) return null;
  for (let i = 0; i < count; i++) {
    const e = 132 + i * 12;
    if (prof.toString('latin1', e, e + 4) !== sig) continue;
    const offset = prof.readUInt32BE(e + 4);
    const size = prof.readUInt32BE(e + 8);
    return offset + size <= prof.length ? { offset, size } : null;
  }
  return null;
}

/** An XYZType tag's first value, or null. */
function xyzTag(prof: Buffer, sig: string): [number, number, number] | null {
  const tag = findTag(prof, sig);
  if (!tag || tag.size < 20 || prof.toString('latin1', tag.offset, tag.offset + 4) !== 'XYZ ') return null;
  const s15 = (o: number): number => prof.readInt32BE(tag.offset + o) / 65536;
  return [s15(8), s15(12), s15(16)];
}

/** Is this ICC profile (the bytes of the profile itself) an sRGB profile? */
export function isSrgbProfile(prof: Buffer): boolean {
  if (prof.length < 132 || prof.toString('latin1', 16, 20) !== 'RGB ' || prof.toString('latin1', 36, 40) !== 'acsp') return false;
  const desc = iccDescription(prof);
  if (desc === null || !SRGB_NAME.test(desc.trim())) return false;
  for (const [sig, ref] of Object.entries(SRGB_COLORANTS)) {
    const xyz = xyzTag(prof, sig);
    if (xyz && xyz.some((v, i) => Math.abs(v - ref[i]) > COLORANT_TOLERANCE)) return false;
  }
  return true;
}

/** true when the JPEG has no ICC profile or its (first) APP2 profile is an sRGB profile. */
export function iccIsSrgbOrAbsent(bytes: Buffer): boolean {
  let p = 2;
  while (p + 4 <= bytes.length && bytes[p] === 0xff) {
    const m = bytes[p + 1];
    if (m === 0xda || m === 0xd9) return true; // headers ended without a profile
    if (m === 0xff) {
      p++;
      continue;
    }
    const len = bytes.readUInt16BE(p + 2);
    if (m === 0xe2 && len > 16 + 128 && bytes.subarray(p + 4, p + 16).equals(ICC_TAG)) {
      // A profile in several chunks: the first chunk holds the header and, in practice, the tag table and desc.
      return isSrgbProfile(bytes.subarray(p + 18, Math.min(bytes.length, p + 2 + len)));
    }
    p += 2 + len;
  }
  return true;
}
