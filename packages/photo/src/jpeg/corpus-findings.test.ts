/**
 * Findings from public decoder test corpora (image-rs/jpeg-decoder, libjpeg-turbo, Pillow, jpeg-js), each
 * rebuilt by code with the test JPEG writer: what libjpeg does with such files is what the checks must do.
 */
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { checkFormatJpeg } from '../checks/format-jpeg.js';
import { inspect } from '../inspect.js';
import { loadProfile } from '../profiles.js';
import { writeJpeg, type WriteOptions } from '../testing/jpeg-writer.js';
import { decodeDc, isRgbCoded } from './dc.js';
import { iccDescription, iccIsSrgbOrAbsent, isSrgbProfile } from './icc.js';
import { parseJpeg } from './parse.js';
import { sniffFormat } from './sniff.js';

const profile = loadProfile('chsi-graduation');
const RGB_IDS = [0x52, 0x47, 0x42];
const base: WriteOptions = { width: 96, height: 128, sampling: [[1, 1], [1, 1], [1, 1]], flat: true, level: () => 128 };

async function check(bytes: Buffer, id: string) {
  const report = await inspect(bytes, { profile, fileName: '2337001200001.jpg', face: false });
  return report.checks.find((c) => c.id === id)!;
}

describe('RGB-coded JPEG (component ids R,G,B, no JFIF, no Adobe marker) is RGB, as libjpeg decodes it', () => {
  // A greyscale picture: every channel holds the same level in each block.
  const greyLevel = (_c: number, bx: number, by: number) => 40 + ((bx * 13 + by * 7) % 170);
  const grey = writeJpeg({ ...base, ids: RGB_IDS, level: greyLevel });

  test('libjpeg (sharp) decodes it as grey; the DC path leaves it to the full decode', async () => {
    const { data } = await sharp(grey).raw().toBuffer({ resolveWithObject: true });
    expect([data[0], data[1], data[2]]).toEqual([40, 40, 40]);
    expect(isRgbCoded(false, null, RGB_IDS)).toBe(true);
    expect(isRgbCoded(true, null, RGB_IDS)).toBe(false); // a JFIF marker means YCbCr
    expect(isRgbCoded(false, 1, RGB_IDS)).toBe(false); // so does Adobe transform 1
    expect(isRgbCoded(false, 0, [1, 2, 3])).toBe(true);
    expect(decodeDc(grey)).toBeNull();
  });

  test('colour fails the greyscale picture and passes a coloured one stored the same way', async () => {
    expect((await check(grey, 'colour')).status).toBe('fail');
    const warm = writeJpeg({ ...base, ids: RGB_IDS, level: (c) => [200, 120, 60][c] });
    expect((await check(warm, 'colour')).status).toBe('pass');
  });
});

/** A minimal ICC profile: header, tag table, `desc` (v2 text or v4 mluc) and optional colorants. */
function iccProfile(desc: string, opts: { v4?: boolean; colorants?: number[][]; copyright?: string } = {}): Buffer {
  const tags: [string, Buffer][] = [];
  if (opts.v4) {
    const text = Buffer.from(desc, 'utf16le').swap16();
    const t = Buffer.alloc(28 + text.length);
    t.write('mluc', 0, 'latin1');
    t.writeUInt32BE(1, 8);
    t.writeUInt32BE(12, 12);
    t.write('enUS', 16, 'latin1');
    t.writeUInt32BE(text.length, 20);
    t.writeUInt32BE(28, 24);
    text.copy(t, 28);
    tags.push(['desc', t]);
  } else {
    const t = Buffer.alloc(12 + desc.length + 1 + 79);
    t.write('desc', 0, 'latin1');
    t.writeUInt32BE(desc.length + 1, 8);
    t.write(desc, 12, 'latin1');
    tags.push(['desc', t]);
  }
  if (opts.copyright) tags.push(['cprt', Buffer.concat([Buffer.from('text\0\0\0\0', 'latin1'), Buffer.from(`${opts.copyright}\0`, 'latin1')])]);
  (opts.colorants ?? []).forEach((xyz, i) => {
    const t = Buffer.alloc(20);
    t.write('XYZ ', 0, 'latin1');
    xyz.forEach((v, k) => t.writeInt32BE(Math.round(v * 65536), 8 + k * 4));
    tags.push([['rXYZ', 'gXYZ', 'bXYZ'][i], t]);
  });
  const header = Buffer.alloc(132 + tags.length * 12);
  header.write('RGB ', 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  header.write('acsp', 36, 'latin1');
  header.writeUInt32BE(tags.length, 128);
  let offset = header.length;
  const bodies: Buffer[] = [];
  tags.forEach(([sig, body], i) => {
    header.write(sig, 132 + i * 12, 'latin1');
    header.writeUInt32BE(offset, 136 + i * 12);
    header.writeUInt32BE(body.length, 140 + i * 12);
    const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
    bodies.push(padded);
    offset += padded.length;
  });
  const prof = Buffer.concat([header, ...bodies]);
  prof.writeUInt32BE(prof.length, 0);
  return prof;
}

const SRGB = [[0.4361, 0.2225, 0.0139], [0.3851, 0.7169, 0.0971], [0.1431, 0.0606, 0.7141]];
const P3 = [[0.5151, 0.2412, -0.0011], [0.292, 0.6922, 0.0419], [0.1571, 0.0666, 0.7841]];

function withIcc(prof: Buffer): Buffer {
  return writeJpeg({ ...base, segments: [[0xe2, ...Buffer.from('ICC_PROFILE\0', 'latin1'), 1, 1, ...prof]] });
}

describe('ICC profile: sRGB by its description tag and colorants, not by a substring', () => {
  test('descriptions are read from v2 desc and v4 mluc tags', () => {
    expect(iccDescription(iccProfile('sRGB IEC61966-2.1'))).toBe('sRGB IEC61966-2.1');
    expect(iccDescription(iccProfile('sRGB built-in', { v4: true }))).toBe('sRGB built-in');
  });

  test('"esRGB", a copyright line naming sRGB, and sRGB-named P3 colorants are not sRGB', () => {
    expect(isSrgbProfile(iccProfile('esRGB', { colorants: SRGB }))).toBe(false);
    expect(isSrgbProfile(iccProfile('Display P3', { copyright: 'Copyright: derived from sRGB', colorants: P3 }))).toBe(false);
    expect(isSrgbProfile(iccProfile('sRGB', { colorants: P3 }))).toBe(false);
    expect(iccIsSrgbOrAbsent(withIcc(iccProfile('esRGB')))).toBe(false);
  });

  test('real sRGB descriptions with sRGB colorants are sRGB; no profile at all counts as sRGB', () => {
    expect(isSrgbProfile(iccProfile('sRGB IEC61966-2.1', { colorants: SRGB }))).toBe(true);
    expect(isSrgbProfile(iccProfile('sRGB2014', { v4: true, colorants: SRGB }))).toBe(true);
    expect(iccIsSrgbOrAbsent(withIcc(iccProfile('sRGB IEC61966-2-1 black scaled', { colorants: SRGB })))).toBe(true);
    expect(iccIsSrgbOrAbsent(writeJpeg(base))).toBe(true);
  });

  test('the profiles libvips embeds: its sRGB is sRGB, its P3 is not', async () => {
    const img = sharp({ create: { width: 16, height: 16, channels: 3, background: '#64c5ff' } });
    expect(iccIsSrgbOrAbsent(await img.clone().withIccProfile('srgb').jpeg().toBuffer())).toBe(true);
    expect(iccIsSrgbOrAbsent(await img.clone().withIccProfile('p3').jpeg().toBuffer())).toBe(false);
  });
});

describe('sniffing: SOI followed by any marker (or a few stray bytes), as libjpeg reads it', () => {
  test('a COM marker right after SOI, a DQT first, stray bytes before the first marker: all JPEG', async () => {
    const com = writeJpeg({ ...base, segments: [[0xfe, ...Buffer.from('made by a scanner')]] });
    expect([...com.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xfe]);
    const dqtFirst = writeJpeg(base);
    expect([...dqtFirst.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xdb]);
    const stray = writeJpeg({ ...base, afterSoi: [0xfe, 0x00] });
    expect([...stray.subarray(0, 5)]).toEqual([0xff, 0xd8, 0xfe, 0x00, 0xff]);
    for (const bytes of [com, dqtFirst, stray]) {
      expect(sniffFormat(bytes)).toBe('jpeg');
      expect(await sharp(bytes).metadata()).toMatchObject({ format: 'jpeg', width: 96 });
      expect((await check(bytes, 'format.jpeg')).status).toBe('pass');
    }
  });

  test('SOI followed by no marker, or by EOI/SOS, is not a JPEG', () => {
    expect(sniffFormat(Buffer.from([0xff, 0xd8, ...Buffer.from('just some text after two bytes')]))).not.toBe('jpeg');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xd9]))).not.toBe('jpeg');
    expect(sniffFormat(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 8]))).not.toBe('jpeg');
  });
});

describe('a damaged segment length is reported as such, not as a missing EOI', () => {
  const good = writeJpeg({ ...base, flat: false, level: (c, bx, by) => (c === 0 ? 60 + ((bx * 7 + by * 5) % 130) : 128) });
  const dht = good.indexOf(Buffer.from([0xff, 0xc4]));

  test.each([
    ['DQT length, bit 11 flipped (runs into the scan)', 2, 0x08],
    ['DHT length, bit 14 flipped (runs past the end)', dht, 0x40],
    ['DQT length, bit 6 flipped (ends inside the table)', 2, 0x00, 0x40],
  ])('%s', async (_name, at, hiXor, loXor = 0) => {
    const bad = Buffer.from(good);
    bad[at + 2] ^= hiXor;
    bad[at + 3] ^= loXor;
    const jpeg = parseJpeg(bad);
    expect(jpeg.badLength).toMatchObject({ offset: at, marker: bad[at + 1] });
    const ctx = { bytes: bad, fileName: '2337001200001.jpg', profile, format: sniffFormat(bad), jpeg, pixels: null, pixelScale: 1 };
    const c = checkFormatJpeg(ctx);
    expect(c.status).toBe('fail');
    expect(c.code).toBe('JPEG_BAD_SEGMENT_LENGTH');
    expect(c.message).toContain(`偏移 ${at} 处`);
    expect(c.message).toContain('EOI 是有的');
    // The whole report never blames a missing EOI (a failed full decode may add its own reason).
    const reported = await check(bad, 'format.jpeg');
    expect(reported.status).toBe('fail');
    expect(reported.message).not.toContain('缺少结束标记');
  });

  test('a file really cut short still says EOI is missing; the intact file passes', async () => {
    const cut = good.subarray(0, good.length - 40);
    expect((await check(cut, 'format.jpeg')).code).toBe('JPEG_TRUNCATED');
    expect(parseJpeg(good).badLength).toBeNull();
    expect((await check(good, 'format.jpeg')).status).toBe('pass');
  });
});
