/**
 * Every technical rule on generated photos: a compliant synthetic portrait passes every rule, and a variant
 * made to break one rule fails (or, for the watermark measure, goes to review) on exactly that rule.
 */
import type { Sharp } from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import { encodeToSize } from './encode.js';
import { FACE_RULE_IDS, inspect } from './inspect.js';
import { withJfifDensity } from './jpeg/jfif.js';
import { loadProfile } from './profiles.js';
import { rawSharp, syntheticPortrait } from './testing/synthetic.js';
import type { CheckResult, PhotoReport, Profile, RawImage, RuleId } from './types.js';

const chsi = loadProfile('chsi-graduation');
const platform = loadProfile('liaoning-platform');
const XUEHAO = '1837001200001.jpg';
const TECHNICAL: RuleId[] = ['format.jpeg', 'format.baseline', 'size.pixels', 'size.bytes', 'dpi', 'quality', 'colour', 'border', 'watermark', 'name'];

let portrait: RawImage;
let good: Buffer;

const check = (r: PhotoReport, id: RuleId): CheckResult => {
  const c = r.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no ${id} in report`);
  return c;
};
const run = (bytes: Buffer, fileName = XUEHAO, profile: Profile = chsi) => inspect(bytes, { profile, fileName, face: false });
/** Encode a picture into a byte window with the same engine the product uses. */
async function toWindow(img: RawImage | Sharp, min: number, max: number): Promise<Buffer> {
  const r = await encodeToSize(img, { ...chsi, bytes: { min, max }, minQuality: 1 });
  if (!r.ok) throw new Error(r.refusal.message);
  return r.jpeg;
}
/** Assert the rule fails (or reviews) and every other technical rule that is not listed passes. */
function expectOnly(r: PhotoReport, id: RuleId, status: 'fail' | 'review', alsoFailing: RuleId[] = []): CheckResult {
  const c = check(r, id);
  expect(c.status, `${id}: ${c.message}`).toBe(status);
  if (id !== 'format.jpeg' && id !== 'name') expect(c.message).toMatch(/\d/);
  expect(c.hint).toBeTruthy();
  expect(c.code).toMatch(/^[A-Z_]+$/);
  for (const other of TECHNICAL) {
    if (other === id || alsoFailing.includes(other)) continue;
    expect(check(r, other).status, `${other}: ${check(r, other).message}`).toBe('pass');
  }
  expect(r.verdict).toBe(status);
  return c;
}

beforeAll(async () => {
  portrait = await syntheticPortrait();
  const r = await encodeToSize(portrait, chsi);
  if (!r.ok) throw new Error(r.refusal.message);
  good = r.jpeg;
});

describe('a compliant photo', () => {
  test('passes every technical check with numbers in the messages', async () => {
    const r = await run(good);
    expect(r.checks.map((c) => c.id)).toEqual(TECHNICAL);
    for (const c of r.checks) expect(c.status, `${c.id}: ${c.message}`).toBe('pass');
    expect(r.verdict).toBe('pass');
    expect(check(r, 'size.bytes').message).toMatch(/文件大小 \d+\.\d KB，在 20 KB–40 KB 之间/);
    expect(check(r, 'dpi').value).toEqual({ jfif: 300, exif: null });
    expect(check(r, 'quality').value).toBeGreaterThanOrEqual(60);
    expect(r.face).toBeUndefined();
  });

  test('with face analysis on but the wrong frame size: the frame rules skip with the reason, the others are measured', async () => {
    const small = await toWindow(await syntheticPortrait({ width: 360, height: 480 }), 20480, 40960);
    const r = await inspect(small, { profile: chsi, fileName: XUEHAO, face: true });
    const frameRules = ['geometry.head-top', 'geometry.eye-line', 'geometry.face-width', 'geometry.centre'];
    for (const id of FACE_RULE_IDS) {
      const c = check(r, id);
      if (frameRules.includes(id)) {
        expect(c.status, id).toBe('skip');
        expect(c.message).toContain('360×480');
      } else expect(c.status, `${id}: ${c.message}`).not.toBe('skip');
    }
    // the centre learns at once whether fix can make it compliant (or the refusal it would give)
    expect(r.fixable).toBeDefined();
  });
});

describe('format.jpeg', () => {
  test('PNG, WebP, HEIC by content are named and fail; the other checks skip', async () => {
    const png = await rawSharp(portrait).png().toBuffer();
    const r = await run(png);
    const c = expectOnly(r, 'format.jpeg', 'fail', ['format.baseline', 'size.pixels', 'size.bytes', 'dpi', 'quality', 'colour', 'border', 'watermark']);
    expect(c.code).toBe('NOT_JPEG_PNG');
    expect(c.message).toContain('PNG');
    expect(check(r, 'colour').status).toBe('skip');
    const webp = await run(await rawSharp(portrait).webp({ quality: 80 }).toBuffer());
    expect(check(webp, 'format.jpeg')).toMatchObject({ status: 'fail', code: 'NOT_JPEG_WEBP' });
    const heic = await run(Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(30000, 7)]));
    expect(check(heic, 'format.jpeg')).toMatchObject({ status: 'fail', code: 'NOT_JPEG_HEIC' });
    expect(check(heic, 'format.jpeg').message).toContain('HEIC');
  });

  test('a JPEG with a .png or .jpeg extension fails on the extension', async () => {
    const c = expectOnly(await run(good, '1837001200001.png'), 'format.jpeg', 'fail');
    expect(c.code).toBe('EXTENSION_NOT_ALLOWED');
    expect(c.message).toContain('.jpg、.JPG');
    expect(check(await run(good, '1837001200001.JPG'), 'format.jpeg').status).toBe('pass');
  });

  test('empty file and text renamed .jpg: verdict error with code, never a throw', async () => {
    const e = await run(Buffer.alloc(0));
    expect(e.verdict).toBe('error');
    expect(e.error).toMatchObject({ code: 'EMPTY_FILE' });
    expect(check(e, 'format.jpeg').status).toBe('fail');
    const t = await run(Buffer.from('这不是照片\nname,id\n'));
    expect(t.verdict).toBe('error');
    expect(t.error?.code).toBe('NOT_AN_IMAGE');
    expect(t.error?.message).toContain('文本');
  });

  test('truncated JPEG fails with JPEG_TRUNCATED and the pixel checks skip', async () => {
    const r = await run(good.subarray(0, Math.floor(good.length * 0.7)), XUEHAO);
    expect(check(r, 'format.jpeg')).toMatchObject({ status: 'fail', code: 'JPEG_TRUNCATED' });
    for (const id of ['colour', 'border', 'watermark'] as RuleId[]) expect(check(r, id).status).toBe('skip');
    expect(r.verdict).toBe('fail');
  });

  test('corrupt entropy data: undecodable is reported, not thrown', async () => {
    const bad = Buffer.from(good);
    const sos = bad.indexOf(Buffer.from([0xff, 0xda]));
    for (let i = sos + 20; i < bad.length - 2; i += 7) if (bad[i] !== 0xff && bad[i - 1] !== 0xff) bad[i] = 0xff;
    const r = await run(bad);
    expect(['fail', 'error']).toContain(r.verdict);
  });

  test('decompression bomb: a 30000×30000 header is reported from the header, not decoded', async () => {
    const bomb = Buffer.from(good);
    const sof = bomb.indexOf(Buffer.from([0xff, 0xc0]));
    bomb.writeUInt16BE(30000, sof + 5);
    bomb.writeUInt16BE(30000, sof + 7);
    const r = await run(bomb);
    expect(check(r, 'size.pixels')).toMatchObject({ status: 'fail', value: [30000, 30000] });
    expect(check(r, 'colour').status).toBe('skip');
    expect(check(r, 'colour').message).toContain('解压炸弹');
  });
});

describe('format.baseline', () => {
  test('progressive fails', async () => {
    const c = expectOnly(await run(withJfifDensity(await rawSharp(portrait).jpeg({ progressive: true, quality: 85 }).toBuffer(), 300)), 'format.baseline', 'fail', ['size.bytes']);
    expect(c.code).toBe('JPEG_PROGRESSIVE');
  });

  test('CMYK fails', async () => {
    const cmyk = withJfifDensity(await rawSharp(portrait).toColourspace('cmyk').jpeg({ quality: 80 }).toBuffer(), 300);
    const r = await run(cmyk);
    expect(check(r, 'format.baseline')).toMatchObject({ status: 'fail', code: 'JPEG_CMYK' });
    expect(check(r, 'colour').status).toBe('pass'); // decoded to sRGB, still a colour picture
  });

  test('greyscale (1 channel) fails format.baseline and colour', async () => {
    const grey = withJfifDensity(await rawSharp(portrait).toColourspace('b-w').jpeg({ quality: 92 }).toBuffer(), 300);
    const r = await run(grey);
    expect(check(r, 'format.baseline')).toMatchObject({ status: 'fail', code: 'JPEG_GREYSCALE' });
    expect(check(r, 'colour')).toMatchObject({ status: 'fail', code: 'COLOUR_GREYSCALE' });
  });
});

describe('size.pixels', () => {
  test('wrong size and landscape fail with both sizes in the message', async () => {
    const big = await toWindow(await syntheticPortrait({ width: 500, height: 700 }), 20480, 40960);
    const c = expectOnly(await run(big), 'size.pixels', 'fail');
    expect(c.message).toContain('500×700');
    expect(c.message).toContain('480×640');
    const land = await toWindow(rawSharp(portrait).rotate(90), 20480, 40960);
    expect(check(await run(land), 'size.pixels').message).toContain('横向');
  });

  test('EXIF orientation 6 (turns the picture) and 3 (upside down) fail; 1 passes', async () => {
    const withOrientation = async (o: number) => withJfifDensity(await rawSharp(portrait).withMetadata({ orientation: o, density: 300 }).jpeg({ quality: 85 }).toBuffer(), 300);
    const six = await run(await withOrientation(6));
    expect(check(six, 'size.pixels')).toMatchObject({ status: 'fail', code: 'EXIF_ROTATED' });
    expect(check(six, 'size.pixels').message).toContain('640×480');
    expect(check(await run(await withOrientation(3)), 'size.pixels')).toMatchObject({ status: 'fail', code: 'EXIF_MIRRORED_OR_FLIPPED' });
    expect(check(await run(await withOrientation(1)), 'size.pixels').status).toBe('pass');
  });
});

describe('size.bytes', () => {
  test('41 KB fails (over 40 KB) and 19 KB fails (under 20 KB), with KB figures', async () => {
    const noisy = await syntheticPortrait({ noise: 14, seed: 3 });
    const big = await toWindow(noisy, 41 * 1024, 44 * 1024);
    const c = expectOnly(await run(big), 'size.bytes', 'fail', ['quality']);
    expect(c.code).toBe('BYTES_TOO_LARGE');
    expect(c.message).toMatch(/文件大小 4[1-4]\.\d KB.*超出上限 40 KB/);
    expect(c.hint).toContain('gradpass fix');
    const small = await toWindow(portrait, 18 * 1024, 19.5 * 1024);
    const s = check(await run(small), 'size.bytes');
    expect(s).toMatchObject({ status: 'fail', code: 'BYTES_TOO_SMALL' });
    expect(s.message).toMatch(/低于下限 20 KB/);
  });

  test('a profile without a byte window accepts any size', async () => {
    const r = await run(good, 'x.jpg', loadProfile('liaoning-collection'));
    expect(check(r, 'size.bytes').status).toBe('fail'); // 60–500 KB window
    const any = await inspect(good, { profile: { ...chsi, bytes: null }, fileName: XUEHAO, face: false });
    expect(check(any, 'size.bytes').status).toBe('pass');
  });
});

describe('dpi', () => {
  test('72 dpi in JFIF fails', async () => {
    const c = expectOnly(await run(withJfifDensity(good, 72)), 'dpi', 'fail');
    expect(c.code).toBe('DPI_WRONG');
    expect(c.message).toContain('72 dpi');
    expect(c.message).toContain('300 dpi');
  });

  test('no JFIF header fails; JFIF units 0 fails', async () => {
    const plain = await rawSharp(portrait).jpeg({ quality: 85 }).toBuffer();
    expect(check(await run(plain), 'dpi')).toMatchObject({ status: 'fail', code: 'DPI_NO_JFIF' });
    const units0 = withJfifDensity(plain, 300);
    units0[units0.indexOf(Buffer.from('JFIF\0')) + 7] = 0;
    expect(check(await run(units0), 'dpi')).toMatchObject({ status: 'fail', code: 'DPI_MISSING' });
  });

  test('JFIF 300 but EXIF 72 fails; EXIF 300 passes', async () => {
    const exif72 = withJfifDensity(await rawSharp(portrait).withMetadata({ density: 72 }).jpeg({ quality: 85 }).toBuffer(), 300);
    expect(check(await run(exif72), 'dpi')).toMatchObject({ status: 'fail', code: 'DPI_EXIF_MISMATCH' });
    const exif300 = withJfifDensity(await rawSharp(portrait).withMetadata({ density: 300 }).jpeg({ quality: 85 }).toBuffer(), 300);
    expect(check(await run(exif300), 'dpi')).toMatchObject({ status: 'pass', value: { jfif: 300, exif: 300 } });
  });

  test('a profile without dpi accepts any', async () => {
    const r = await inspect(withJfifDensity(good, 72), { profile: { ...chsi, dpi: null }, fileName: XUEHAO, face: false });
    expect(check(r, 'dpi').status).toBe('pass');
  });
});

describe('quality', () => {
  test('quality 30 fails with the estimate and the limit', async () => {
    const q30 = withJfifDensity(await rawSharp(await syntheticPortrait({ noise: 30, seed: 9 })).jpeg({ quality: 30 }).toBuffer(), 300);
    const r = await run(q30);
    const c = check(r, 'quality');
    expect(c).toMatchObject({ status: 'fail', value: 30, limit: 60, code: 'QUALITY_LOW' });
    expect(c.message).toContain('约 30');
    expect(c.message).toContain('60');
  });
});

describe('colour', () => {
  test('a near-greyscale 3-channel photo is not passed', async () => {
    const faded = withJfifDensity(await rawSharp(portrait).modulate({ saturation: 0.04 }).jpeg({ quality: 90 }).toBuffer(), 300);
    const c = check(await run(faded), 'colour');
    expect(['fail', 'review']).toContain(c.status);
    const grey3 = withJfifDensity(await rawSharp(portrait).modulate({ saturation: 0 }).jpeg({ quality: 90 }).toBuffer(), 300);
    expect(check(await run(grey3), 'colour')).toMatchObject({ status: 'fail', code: 'COLOUR_GREYSCALE' });
  });
});

describe('border', () => {
  test('a 2-px black frame fails', async () => {
    const framed = await toWindow(rawSharp(await syntheticPortrait({ width: 476, height: 636 })).extend({ top: 2, bottom: 2, left: 2, right: 2, background: '#000000' }), 20480, 40960);
    const c = expectOnly(await run(framed), 'border', 'fail');
    expect(c.code).toBe('BORDER_FOUND');
    expect(c.message).toMatch(/上边 2 px/);
  });

  test('white letterbox bars left and right fail', async () => {
    const barred = await toWindow(rawSharp(await syntheticPortrait({ width: 400, height: 640 })).extend({ left: 40, right: 40, background: '#ffffff' }), 20480, 40960);
    const c = expectOnly(await run(barred), 'border', 'fail');
    expect(c.message).toMatch(/左边 40 px/);
    expect(c.message).toMatch(/右边 40 px/);
  });

  test('a white band under the picture fails', async () => {
    const banded = await toWindow(rawSharp(await syntheticPortrait({ width: 480, height: 600 })).extend({ bottom: 40, background: '#ffffff' }), 20480, 40960);
    expect(check(await run(banded), 'border')).toMatchObject({ status: 'fail', value: { bottom: 40 } });
  });
});

describe('watermark', () => {
  test('text drawn over the background is sent to review with the place to look', async () => {
    const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640"><text x="12" y="34" font-family="sans-serif" font-size="26" fill="white" fill-opacity="0.8">SAMPLE 样片 SAMPLE 样片</text><text x="10" y="150" font-family="sans-serif" font-size="20" fill="white">样片</text></svg>`);
    const marked = await toWindow(rawSharp(portrait).composite([{ input: svg }]), 20480, 40960);
    const c = expectOnly(await run(marked), 'watermark', 'review');
    expect(c.code).toBe('WATERMARK_SUSPECT');
    expect(c.message).toContain('顶部');
    expect(c.message).toMatch(/x \d+–\d+，y \d+–\d+/);
  });
});

describe('watermark, cannot measure', () => {
  test('a cluttered background is not passed: review WATERMARK_UNMEASURED with the measured share', async () => {
    const busy = await syntheticPortrait({ noise: 160, seed: 11 });
    const r = await run(await toWindow(busy, 20480, 409600));
    const c = check(r, 'watermark');
    expect(c).toMatchObject({ status: 'review', code: 'WATERMARK_UNMEASURED' });
    expect(c.message).toMatch(/只有 \d+% 是纯色/);
  });
});

describe('name', () => {
  test('学号 profile: 13 digits pass, 12 digits fail', async () => {
    expect(check(await run(good, '1837001200001.jpg'), 'name').status).toBe('pass');
    const c = expectOnly(await run(good, '183700120000.jpg'), 'name', 'fail');
    expect(c.code).toBe('NAME_NOT_XUEHAO');
    expect(c.message).toContain('13 位');
  });

  test('身份证号 profile: check character and birth date are validated', async () => {
    expect(check(await run(good, '11010519491231002X.jpg', platform), 'name')).toMatchObject({ status: 'pass', value: '11010519491231002X' });
    expect(check(await run(good, '110105194912310021.jpg', platform), 'name')).toMatchObject({ status: 'fail', code: 'NAME_IDCARD_CHECK_CHAR' });
    expect(check(await run(good, '110105194902300020.jpg', platform), 'name')).toMatchObject({ status: 'fail', code: 'NAME_IDCARD_BIRTH_DATE' });
    expect(check(await run(good, '张三.jpg', platform), 'name')).toMatchObject({ status: 'fail', code: 'NAME_NOT_IDCARD' });
  });

  test("'either' and 'none'", async () => {
    const either = { ...chsi, fileNaming: 'either' as const };
    expect(check(await run(good, '440524188001010014.jpg', either), 'name').status).toBe('pass');
    expect(check(await run(good, '1837001200001.jpg', either), 'name').status).toBe('pass');
    expect(check(await run(good, 'IMG_2041.jpg', either), 'name')).toMatchObject({ status: 'fail', code: 'NAME_NOT_IDENTIFIER' });
    expect(check(await run(good, 'IMG_2041.jpg', { ...chsi, fileNaming: 'none' }), 'name').status).toBe('pass');
  });

  test('a roster look-up that does not know the id fails 不在名册中', async () => {
    const roster = new Set(['1837001200001']);
    const known = await inspect(good, { profile: chsi, fileName: 'dir/1837001200001.jpg', face: false, isKnownId: (id) => roster.has(id) });
    expect(check(known, 'name').status).toBe('pass');
    const unknown = await inspect(good, { profile: chsi, fileName: '1837001200002.jpg', face: false, isKnownId: (id) => roster.has(id) });
    expect(check(unknown, 'name')).toMatchObject({ status: 'fail', code: 'NAME_NOT_IN_ROSTER' });
    expect(check(unknown, 'name').message).toContain('不在名册中');
  });
});
