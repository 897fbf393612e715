/**
 * Synthetic photos for tests (测试用合成照片), generated with sharp: a 480×640 "portrait-like" picture —
 * light-blue background, skin-tone face ellipse, hair, a shirt — with deterministic noise so JPEG sizes
 * behave like a real photo's.
 */
import sharp from 'sharp';
import type { RawImage } from '../types.js';

/** Deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function portraitSvg(width = 480, height = 640, opts: { background?: string; shirt?: string } = {}): string {
  const k = width / 480;
  const bg = opts.background ?? 'rgb(100,197,255)';
  const shirt = opts.shirt ?? 'rgb(40,45,70)';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
  <rect width="100%" height="100%" fill="${bg}"/>
  <path d="M ${30 * k} ${height} L ${60 * k} ${520 * k} Q ${240 * k} ${440 * k} ${420 * k} ${520 * k} L ${450 * k} ${height} Z" fill="${shirt}"/>
  <rect x="${205 * k}" y="${380 * k}" width="${70 * k}" height="${90 * k}" fill="rgb(214,168,140)"/>
  <ellipse cx="${240 * k}" cy="${215 * k}" rx="${112 * k}" ry="${135 * k}" fill="rgb(35,25,20)"/>
  <ellipse cx="${240 * k}" cy="${265 * k}" rx="${95 * k}" ry="${125 * k}" fill="rgb(224,178,150)"/>
  <ellipse cx="${205 * k}" cy="${250 * k}" rx="${12 * k}" ry="${6 * k}" fill="rgb(60,40,35)"/>
  <ellipse cx="${275 * k}" cy="${250 * k}" rx="${12 * k}" ry="${6 * k}" fill="rgb(60,40,35)"/>
  <path d="M ${215 * k} ${330 * k} Q ${240 * k} ${342 * k} ${265 * k} ${330 * k}" stroke="rgb(170,90,90)" stroke-width="${4 * k}" fill="none"/>
</svg>`;
}

/** Raw pixels of the synthetic portrait, with gaussian-ish noise of the given amplitude. */
export async function syntheticPortrait(opts: { width?: number; height?: number; noise?: number; seed?: number; background?: string; shirt?: string } = {}): Promise<RawImage> {
  const width = opts.width ?? 480;
  const height = opts.height ?? 640;
  const { data, info } = await sharp(Buffer.from(portraitSvg(width, height, opts))).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const noise = opts.noise ?? 6;
  if (noise > 0) {
    const rnd = prng(opts.seed ?? 1);
    for (let i = 0; i < data.length; i++) {
      const n = (rnd() + rnd() + rnd() - 1.5) * noise;
      data[i] = Math.max(0, Math.min(255, Math.round(data[i] + n)));
    }
  }
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Uniform random noise picture (the hardest to compress). */
export function noiseImage(width: number, height: number, seed = 7, amplitude = 255): RawImage {
  const rnd = prng(seed);
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(128 + (rnd() - 0.5) * amplitude);
  return { data, width, height, channels: 3 };
}

/** A flat single-colour picture (the easiest to compress). */
export function flatImage(width: number, height: number, rgb: [number, number, number] = [100, 197, 255]): RawImage {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    data[i * 3] = rgb[0];
    data[i * 3 + 1] = rgb[1];
    data[i * 3 + 2] = rgb[2];
  }
  return { data, width, height, channels: 3 };
}

export const rawSharp = (img: RawImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
