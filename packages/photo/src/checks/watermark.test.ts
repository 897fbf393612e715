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
import { scanFloatingMarks } from './watermark.js';
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
  for (let y = -300; y < 1000; y += 110) for (let x = -400; x < 900; x += 190) t += `<text x="${x}" y="${y}">${text}</text>`;
  return `<g font-family="DejaVu Sans, sans-serif" font-size="30" fill="${fill}" opacity="${opacity}" transform="rotate(-30 240 320)">${t}</g>`;
}

describe('watermark anywhere', () => {
  test('the plain portrait has no floating marks, also after strong JPEG compression', async () => {
    for (const q of [30, 60, 90]) expect(scanFloatingMarks(await pixels(await rawSharp(await syntheticPortrait()).jpeg({ quality: q }).toBuffer()), 1).suspicious).toEqual([]);
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
  });

  test('a grey semi-transparent studio stamp in a corner of the background is found', async () => {
    const bytes = await withOverlay('<text x="466" y="40" text-anchor="end" font-family="DejaVu Sans" font-size="22" fill="#606060" opacity="0.5">STUDIO 2026</text>');
    expect(scanFloatingMarks(await pixels(bytes), 1).suspicious.length).toBeGreaterThanOrEqual(2);
  });
});
