/**
 * `watermark` anywhere: semi-transparent tiled text and a stamp floating on the background are found
 * (full decode and the --no-face DC path), over the person too where the tiles reach the background; the
 * plain synthetic portrait passes; JPEG ringing beside the head is not taken for marks.
 */
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { inspect } from '../inspect.js';
import { loadProfile } from '../profiles.js';
import { portraitSvg, syntheticPortrait, rawSharp } from '../testing/synthetic.js';
import { checkWatermark, personParts, scanFloatingMarks, scanStrokes, STROKE_WINDOW_MIN } from './watermark.js';
import type { RawImage } from '../types.js';

const chsi = loadProfile('chsi-graduation');

/** The synthetic portrait with an SVG overlay, as a JPEG of quality q. */
async function withOverlay(overlay: string, q = 85): Promise<Buffer> {
  const svg = portraitSvg().replace('</svg>', `${overlay}</svg>`);
  return sharp(Buffer.from(svg)).jpeg({ quality: q }).toBuffer();
}
async function pixels(jpeg: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}
function tiled(text: string, fill: string, opacity: number): string {
  let t = '';
  for (let y = -300; y < 1000; y += 110)
    for (let x = -400; x < 900; x += 190) t += `<text x="${x}" y="${y}">${text}</text>`;
  return `<g font-family="DejaVu Sans, sans-serif" font-size="30" fill="${fill}" opacity="${opacity}" transform="rotate(-30 240 320)">${t}</g>`;
}

describe('watermark anywhere', () => {
  test('the plain portrait has no floating marks, also after strong JPEG compression', async () => {
    for (const q of [30, 60, 90])
      expect(
        scanFloatingMarks(
          await pixels(
            await rawSharp(await syntheticPortrait())
              .jpeg({ quality: q })
              .toBuffer(),
          ),
          1,
        ).suspicious,
      ).toEqual([]);
  });

  test('a tiled 30 %-opacity SAMPLE text over the whole photo is sent to review on the --no-face path (the DC screen sends it to the full measure)', async () => {
    const bytes = await withOverlay(tiled('SAMPLE 2026', '#ffffff', 0.3));
    const marks = scanFloatingMarks(await pixels(bytes), 1).suspicious;
    expect(marks.length).toBeGreaterThanOrEqual(2);
    // The tiles found span the person's columns (letters between and beside the head and shoulders).
    expect(Math.min(...marks.map((m) => m.x))).toBeLessThan(150);
    expect(Math.max(...marks.map((m) => m.x))).toBeGreaterThan(330);
    const r = await inspect(bytes, { profile: chsi, fileName: '1837001200001.jpg', face: false });
    const c = r.checks.find((x) => x.id === 'watermark')!;
    expect(c).toMatchObject({ status: 'review', code: 'WATERMARK_SUSPECT' });
    expect(c.message).toContain('整幅画面');
    // The overlay's box holds every tile found: across the person's columns.
    expect(c.region!.x).toBeLessThan(150);
    expect(c.region!.x + c.region!.width).toBeGreaterThan(330);
  });

  test('a grey semi-transparent studio stamp in a corner of the background is found', async () => {
    const bytes = await withOverlay(
      '<text x="466" y="40" text-anchor="end" font-family="DejaVu Sans" font-size="22" fill="#606060" opacity="0.5">STUDIO 2026</text>',
    );
    expect(scanFloatingMarks(await pixels(bytes), 1).suspicious.length).toBeGreaterThanOrEqual(2);
  });
});

describe('watermark on the person (stroke pulses)', () => {
  const ctxOf = (img: RawImage) => ({
    pixels: img,
    pixelScale: 1,
    profile: chsi,
    bytes: Buffer.alloc(0),
    fileName: 'x.jpg',
    format: 'jpeg' as const,
    jpeg: null,
  });

  test('the plain portrait (sharp SVG eyes and mouth line) holds no text-like strokes, raw and as JPEG q30–90', async () => {
    const raw = await syntheticPortrait();
    expect(scanStrokes(raw, 1, personParts(raw, 1)).suspicious).toEqual([]);
    for (const q of [30, 60, 90]) {
      const img = await pixels(await rawSharp(raw).jpeg({ quality: q }).toBuffer());
      const s = scanStrokes(img, 1, personParts(img, 1));
      expect(s.suspicious).toEqual([]);
      expect(s.maxStrokes).toBeLessThan(STROKE_WINDOW_MIN);
    }
  });

  test('a 40 %-opacity white text lying wholly on the dark shirt is sent to review, with its place, though nothing of it reaches the background', async () => {
    const img = await pixels(
      await withOverlay(
        '<text x="240" y="590" text-anchor="middle" font-family="DejaVu Sans" font-size="28" fill="#ffffff" opacity="0.4">PHOTO STUDIO</text>',
        90,
      ),
    );
    // Nothing floats on the background: the old whole-frame scan cannot see it.
    expect(scanFloatingMarks(img, 1).suspicious).toEqual([]);
    const strokes = scanStrokes(img, 1, personParts(img, 1)).suspicious;
    expect(strokes.length).toBeGreaterThan(0);
    // Each suspicious 64-px window (on the 32-px tile grid) holds part of the text (y 566–596, x 135–345).
    for (const s of strokes) {
      expect(s.y).toBeGreaterThanOrEqual(512);
      expect(s.y + s.size).toBeGreaterThan(566);
      expect(s.x).toBeGreaterThan(60);
      expect(s.x + s.size).toBeLessThan(420);
    }
    const c = checkWatermark(ctxOf(img));
    expect(c).toMatchObject({ status: 'review', code: 'WATERMARK_SUSPECT' });
    expect(c.message).toContain('文字笔画');
    expect((c.value as { strokes: number }).strokes).toBeGreaterThanOrEqual(STROKE_WINDOW_MIN);
    expect(c.limit).toEqual({ suspicious: 0, strokes: STROKE_WINDOW_MIN - 1 });
  });

  test('a grey semi-transparent stamp (ring and word) on the face is sent to review', async () => {
    const stamp =
      '<g opacity="0.5"><circle cx="240" cy="300" r="40" fill="none" stroke="#606060" stroke-width="4"/><text x="240" y="308" text-anchor="middle" font-family="DejaVu Sans" font-size="22" fill="#606060">PROOF</text></g>';
    const img = await pixels(await withOverlay(stamp, 90));
    const c = checkWatermark(ctxOf(img));
    expect(c).toMatchObject({ status: 'review', code: 'WATERMARK_SUSPECT' });
    const s = scanStrokes(img, 1, personParts(img, 1)).suspicious;
    expect(Math.min(...s.map((t) => t.y))).toBeGreaterThan(200);
    expect(Math.max(...s.map((t) => t.y + t.size))).toBeLessThan(400);
  });

  test('the same shirt text in a JPEG of quality 85 is still found', async () => {
    const img = await pixels(
      await withOverlay(
        '<text x="240" y="590" text-anchor="middle" font-family="DejaVu Sans" font-size="28" fill="#ffffff" opacity="0.5">PHOTO STUDIO</text>',
        85,
      ),
    );
    expect(checkWatermark(ctxOf(img)).status).toBe('review');
  });
});

describe('watermark: hair strands are not text', () => {
  /** A person from the bottom edge: dark hair on the left (with `strands` over it), a white shirt on the right, and `overlay`. */
  async function hairAndShirt(strands: number, overlay = ''): Promise<RawImage> {
    let paths = '';
    for (let k = 0; k < strands; k++) {
      // Strands curving down and outwards, 90 px long, in two tiers (as beside the neck of hivision-test1).
      const x = 84 + (k % 7) * 18,
        y = 240 + Math.floor(k / 7) * 150 + (k % 3) * 20;
      paths += `<path d="M ${x} ${y} c 20 10 40 40 50 90" fill="none" stroke="#6e665e" stroke-width="1.6"/>`;
    }
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640"><rect width="480" height="640" fill="#8cc8ff"/>' +
      '<rect x="70" y="200" width="150" height="440" fill="#16130f"/><rect x="220" y="200" width="200" height="440" fill="#f0f0ee"/>' +
      `${paths}${overlay}</svg>`;
    return pixels(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
  }

  test('long light strands curving over dark hair hold no text-like strokes; a short word on the shirt beside them still does', async () => {
    const hair = await hairAndShirt(14);
    const s = scanStrokes(hair, 1, personParts(hair, 1));
    expect(s.suspicious).toEqual([]);
    expect(s.maxStrokes).toBeLessThan(STROKE_WINDOW_MIN);
    const word = await hairAndShirt(
      10,
      '<text x="320" y="420" text-anchor="middle" font-family="DejaVu Sans" font-size="26" fill="#606060" opacity="0.5">PHOTO</text>',
    );
    const t = scanStrokes(word, 1, personParts(word, 1)).suspicious;
    expect(t.length).toBeGreaterThan(0);
    for (const w of t) expect(w.x + w.size).toBeGreaterThan(250);
  });
});
