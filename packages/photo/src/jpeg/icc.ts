/**
 * Embedded ICC profile (ICC 色彩配置): is the picture sRGB? A full decode converts through the profile to
 * sRGB; the DC-only path cannot, so it is used only when the profile already describes sRGB (or is absent).
 */

const ICC_TAG = Buffer.from('ICC_PROFILE\0', 'latin1');
const SRGB_ASCII = Buffer.from('sRGB', 'latin1');
const SRGB_UTF16 = Buffer.from('\0s\0R\0G\0B', 'latin1');

/** true when the JPEG has no ICC profile or its (first) APP2 profile is an RGB profile described as sRGB. */
export function iccIsSrgbOrAbsent(bytes: Buffer): boolean {
  let p = 2;
  while (p + 4 <= bytes.length && bytes[p] === 0xff) {
    const m = bytes[p + 1];
    if (m === 0xda || m === 0xd9) return true; // headers ended without a profile
    if (m === 0xff) { p++; continue; }
    const len = bytes.readUInt16BE(p + 2);
    if (m === 0xe2 && len > 16 + 128 && bytes.subarray(p + 4, p + 16).equals(ICC_TAG)) {
      const prof = bytes.subarray(p + 18, Math.min(bytes.length, p + 2 + len));
      if (prof.toString('latin1', 16, 20) !== 'RGB ') return false;
      const desc = prof.subarray(0, Math.min(prof.length, 1024));
      return desc.includes(SRGB_ASCII) || desc.includes(SRGB_UTF16);
    }
    p += 2 + len;
  }
  return true;
}
