/**
 * Fixture of the rules' model tests (not used by the engine): a London portrait of the shared fixtures made
 * compliant as `fix` would (face-aligned crop, light-blue background) with its analysis, and SVG drawn over a
 * picture (the violation under test, placed from the portrait's own landmarks).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Profile, RawImage } from '../../types.js';
import type { FaceAnalysis } from '../analysis.js';
import { analyseFace, applyCropPlan, planFaceCrop, replaceBackground, warmUpFace } from '../index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
/** The London set of the shared fixtures (read from there, never copied into the repository). */
export const LONDON = path.resolve(root, '../shared/fixtures/portraits/london');
export const profile = JSON.parse(
  readFileSync(path.join(root, 'packages/photo/profiles/chsi-graduation.json'), 'utf8'),
) as Profile;

export async function readRaw(file: string): Promise<RawImage> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** The picture with `svgBody` (SVG elements in the picture's pixels) drawn over it. */
export async function draw(img: RawImage, svgBody: string): Promise<RawImage> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}">${svgBody}</svg>`;
  const layer = await sharp(Buffer.from(svg)).png().toBuffer();
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .composite([{ input: layer }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** London portrait `id` (neutral) made compliant, and its analysis. */
export async function compliantPortrait(id: string): Promise<{ good: RawImage; a: FaceAnalysis }> {
  await warmUpFace();
  const src = await readRaw(path.join(LONDON, 'neutral', `${id}_03.jpg`));
  const planned = await planFaceCrop(src, profile);
  if (!planned.ok) throw new Error(planned.refusal.code);
  const good = await replaceBackground(await applyCropPlan(src, planned.plan, 480, 640), [100, 197, 255]);
  return { good, a: await analyseFace(good) };
}
