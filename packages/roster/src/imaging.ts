/**
 * Picture fingerprints for matching (图像指纹): SHA-256 of the bytes, perceptual hashes (pHash, dHash)
 * of a small grey thumbnail, and structural similarity (SSIM) of two pictures in the standard frame.
 */
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { RawImage } from '@gradpass/photo';

/** SHA-256 of the file bytes, hex. 文件指纹 */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const DCT_N = 32;
const DCT_K = 8;
/** cos((2x+1)uπ / 2N) for x, u < N. */
const COS = (() => {
  const t = new Float64Array(DCT_N * DCT_N);
  for (let u = 0; u < DCT_N; u++) for (let x = 0; x < DCT_N; x++) t[u * DCT_N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * DCT_N));
  return t;
})();

function bitsToHex(bits: number[]): string {
  let hex = '';
  for (let i = 0; i < bits.length; i += 4) hex += ((bits[i] << 3) | (bits[i + 1] << 2) | (bits[i + 2] << 1) | bits[i + 3]).toString(16);
  return hex;
}

/** Perceptual hashes of one picture, 64 bits each as 16 hex digits. 感知哈希 */
export interface PictureHashes {
  /** DCT hash: 32×32 grey thumbnail, the 8×8 lowest frequencies (DC excluded from the median) against their median. */
  phash: string;
  /** Difference hash: 9×8 grey thumbnail, each pixel brighter than its right neighbour. */
  dhash: string;
}

/** Compute pHash and dHash of an encoded picture (EXIF orientation applied). Throws when it cannot be decoded. */
export async function pictureHashes(bytes: Buffer): Promise<PictureHashes> {
  const base = sharp(bytes, { failOn: 'none' }).rotate().greyscale();
  const [p, d] = await Promise.all([
    base.clone().resize(DCT_N, DCT_N, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false }).raw().toBuffer(),
    base.clone().resize(9, 8, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false }).raw().toBuffer(),
  ]);
  return { phash: phashFromGrey(p), dhash: dhashFromGrey(d) };
}

/** pHash of a 32×32 grey thumbnail. */
export function phashFromGrey(px: Uint8Array): string {
  // Separable 2D DCT-II, keeping only the K×K lowest frequencies.
  const rows = new Float64Array(DCT_N * DCT_K); // [y][u]
  for (let y = 0; y < DCT_N; y++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let x = 0; x < DCT_N; x++) s += px[y * DCT_N + x] * COS[u * DCT_N + x];
      rows[y * DCT_K + u] = s;
    }
  }
  const coeffs: number[] = [];
  for (let v = 0; v < DCT_K; v++) {
    for (let u = 0; u < DCT_K; u++) {
      let s = 0;
      for (let y = 0; y < DCT_N; y++) s += rows[y * DCT_K + u] * COS[v * DCT_N + y];
      coeffs.push(s);
    }
  }
  const sorted = coeffs.slice(1).sort((a, b) => a - b);
  const median = (sorted[31] + sorted[32]) / 2;
  return bitsToHex(coeffs.map((c) => (c > median ? 1 : 0)));
}

/** dHash of a 9×8 grey thumbnail. */
export function dhashFromGrey(px: Uint8Array): string {
  const bits: number[] = [];
  for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) bits.push(px[y * 9 + x] > px[y * 9 + x + 1] ? 1 : 0);
  return bitsToHex(bits);
}

/** Number of differing bits between two hex hashes of the same length. 汉明距离 */
export function hammingDistance(a: string, b: string): number {
  if (a.length !== b.length) throw new Error('hash lengths differ');
  let d = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    while (x) {
      x &= x - 1;
      d++;
    }
  }
  return d;
}

// ---------------------------------------------------------------------------------------------------
// Standard frame and SSIM

/** The frame both pictures are brought to before SSIM (the graduation photo's 480×640). 标准画幅 */
export const FRAME = { width: 480, height: 640 } as const;
/**
 * Where the pupils sit in the standard frame when aligning by the eyes: the middle of the profile's eye-line
 * band and a pupil distance typical of compliant photos (fractions of width/height).
 */
export const FRAME_EYES = { left: [0.4, 0.45], right: [0.6, 0.45] } as const;

/** A grey picture, one byte per pixel. */
export interface GreyImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Eye positions (pupil centres, left then right as seen) in a picture's own pixels. */
export type EyePair = [[number, number], [number, number]];

/** Decode to RGB raw pixels (EXIF orientation applied) — the face module's input. */
export async function decodeRaw(bytes: Buffer): Promise<RawImage> {
  const { data, info } = await sharp(bytes, { failOn: 'none' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** Map eye positions from a picture's own pixels to the standard frame `toStandardFrame` cuts (cover + centre). */
export function eyesInFrame(eyes: EyePair, width: number, height: number): EyePair {
  const k = Math.max(FRAME.width / width, FRAME.height / height);
  const ox = (width * k - FRAME.width) / 2;
  const oy = (height * k - FRAME.height) / 2;
  return [
    [eyes[0][0] * k - ox, eyes[0][1] * k - oy],
    [eyes[1][0] * k - ox, eyes[1][1] * k - oy],
  ];
}

/** Grey version of a raw RGB image (Rec. 601 luma). */
export function toGrey(img: RawImage): GreyImage {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = Math.round(0.299 * d[j] + 0.587 * d[j + 1] + 0.114 * d[j + 2]);
  return { data: out, width: img.width, height: img.height };
}

/**
 * Bring a picture to the 480×640 grey standard frame. With eyes: a similarity transform (rotate, scale,
 * shift) that puts the pupils at `FRAME_EYES`. Without: scale to cover the frame and cut the centre.
 */
export async function toStandardFrame(bytes: Buffer, eyes?: EyePair | null): Promise<GreyImage> {
  if (!eyes) {
    const data = await sharp(bytes, { failOn: 'none' })
      .rotate()
      .greyscale()
      .resize(FRAME.width, FRAME.height, { fit: 'cover', position: 'centre', fastShrinkOnLoad: false })
      .raw()
      .toBuffer();
    return { data, width: FRAME.width, height: FRAME.height };
  }
  const { data, info } = await sharp(bytes, { failOn: 'none' }).rotate().greyscale().raw().toBuffer({ resolveWithObject: true });
  return alignByEyes({ data, width: info.width, height: info.height }, eyes);
}

/** Warp a grey picture so its pupils land on `FRAME_EYES` of the standard frame (bilinear sampling). */
export function alignByEyes(src: GreyImage, eyes: EyePair): GreyImage {
  const W = FRAME.width;
  const H = FRAME.height;
  const [[sx1, sy1], [sx2, sy2]] = eyes;
  const dx1 = FRAME_EYES.left[0] * W;
  const dy1 = FRAME_EYES.left[1] * H;
  const dx2 = FRAME_EYES.right[0] * W;
  const dy2 = FRAME_EYES.right[1] * H;
  // Map destination → source: s = A·d + t, with A = [[a, -b], [b, a]].
  const ddx = dx2 - dx1;
  const ddy = dy2 - dy1;
  const sdx = sx2 - sx1;
  const sdy = sy2 - sy1;
  const den = ddx * ddx + ddy * ddy;
  const a = (sdx * ddx + sdy * ddy) / den;
  const b = (sdy * ddx - sdx * ddy) / den;
  const tx = sx1 - (a * dx1 - b * dy1);
  const ty = sy1 - (b * dx1 + a * dy1);
  const out = new Uint8Array(W * H);
  const sw = src.width;
  const sh = src.height;
  const s = src.data;
  // When shrinking a lot, pre-average would be better; the scales here are moderate (≤ 3×).
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const fx = a * x - b * y + tx;
      const fy = b * x + a * y + ty;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const cx = Math.min(Math.max(x0, 0), sw - 2);
      const cy = Math.min(Math.max(y0, 0), sh - 2);
      const ax = Math.min(Math.max(fx - cx, 0), 1);
      const ay = Math.min(Math.max(fy - cy, 0), 1);
      const i = cy * sw + cx;
      const v = (s[i] * (1 - ax) + s[i + 1] * ax) * (1 - ay) + (s[i + sw] * (1 - ax) + s[i + sw + 1] * ax) * ay;
      out[y * W + x] = Math.round(v);
    }
  }
  return { data: out, width: W, height: H };
}

/**
 * Mean structural similarity (SSIM, Wang et al. 2004) of two grey pictures of equal size, over all
 * `win`×`win` windows (box window, computed with integral images). 1 = identical.
 */
export function ssim(a: GreyImage, b: GreyImage, win = 8): number {
  return ssimDetail(a, b, win).mean;
}

/** SSIM summary: the mean over all windows, and the 10th percentile of 40×40-px block means (central 80 %). */
export interface SsimDetail {
  mean: number;
  /** Low tail of local similarity: a different shot differs somewhere (mouth, eyes); a re-encode nowhere much. */
  blockP10: number;
}

/** SSIM with a local summary (see `SsimDetail`). */
export function ssimDetail(a: GreyImage, b: GreyImage, win = 8, block = 40): SsimDetail {
  if (a.width !== b.width || a.height !== b.height) throw new Error('ssim: sizes differ');
  const W = a.width;
  const H = a.height;
  const W1 = W + 1;
  const sA = new Float64Array(W1 * (H + 1));
  const sB = new Float64Array(W1 * (H + 1));
  const sAA = new Float64Array(W1 * (H + 1));
  const sBB = new Float64Array(W1 * (H + 1));
  const sAB = new Float64Array(W1 * (H + 1));
  for (let y = 0; y < H; y++) {
    let ra = 0;
    let rb = 0;
    let raa = 0;
    let rbb = 0;
    let rab = 0;
    for (let x = 0; x < W; x++) {
      const va = a.data[y * W + x];
      const vb = b.data[y * W + x];
      ra += va;
      rb += vb;
      raa += va * va;
      rbb += vb * vb;
      rab += va * vb;
      const i = (y + 1) * W1 + x + 1;
      const up = y * W1 + x + 1;
      sA[i] = sA[up] + ra;
      sB[i] = sB[up] + rb;
      sAA[i] = sAA[up] + raa;
      sBB[i] = sBB[up] + rbb;
      sAB[i] = sAB[up] + rab;
    }
  }
  const C1 = (0.01 * 255) ** 2;
  const C2 = (0.03 * 255) ** 2;
  const n = win * win;
  const bx0 = Math.floor(W * 0.1);
  const by0 = Math.floor(H * 0.1);
  const bw = Math.max(1, Math.floor((W * 0.8) / block));
  const bh = Math.max(1, Math.floor((H * 0.8) / block));
  const blockSum = new Float64Array(bw * bh);
  const blockCount = new Float64Array(bw * bh);
  let total = 0;
  let count = 0;
  for (let y = 0; y + win <= H; y++) {
    const byi = Math.floor((y - by0) / block);
    for (let x = 0; x + win <= W; x++) {
      const i1 = y * W1 + x;
      const i2 = y * W1 + x + win;
      const i3 = (y + win) * W1 + x;
      const i4 = (y + win) * W1 + x + win;
      const ma = (sA[i4] - sA[i2] - sA[i3] + sA[i1]) / n;
      const mb = (sB[i4] - sB[i2] - sB[i3] + sB[i1]) / n;
      const va = (sAA[i4] - sAA[i2] - sAA[i3] + sAA[i1]) / n - ma * ma;
      const vb = (sBB[i4] - sBB[i2] - sBB[i3] + sBB[i1]) / n - mb * mb;
      const cov = (sAB[i4] - sAB[i2] - sAB[i3] + sAB[i1]) / n - ma * mb;
      const v = ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      total += v;
      count++;
      const bxi = Math.floor((x - bx0) / block);
      if (byi >= 0 && byi < bh && bxi >= 0 && bxi < bw) {
        blockSum[byi * bw + bxi] += v;
        blockCount[byi * bw + bxi]++;
      }
    }
  }
  const means: number[] = [];
  for (let i = 0; i < blockSum.length; i++) if (blockCount[i] > 0) means.push(blockSum[i] / blockCount[i]);
  means.sort((p, q) => p - q);
  return { mean: total / count, blockP10: means.length ? means[Math.floor(means.length * 0.1)] : total / count };
}

// ---------------------------------------------------------------------------------------------------
// Registration (对齐): find the scale and shift that best lay one standard frame over another

/** A similarity transform from frame `a` pixels to frame `b` pixels: b = scale·R(angle)·a + (tx, ty). */
export interface FrameTransform {
  scale: number;
  /** Radians. */
  angle: number;
  tx: number;
  ty: number;
}

export const IDENTITY: FrameTransform = { scale: 1, angle: 0, tx: 0, ty: 0 };

/** Sample `src` through a transform: out(x, y) = src(T(x, y)), bilinear, edges clamped. Output has `src`'s size. */
export function warpGrey(src: GreyImage, t: FrameTransform): GreyImage {
  const W = src.width;
  const H = src.height;
  const out = new Uint8Array(W * H);
  const a = t.scale * Math.cos(t.angle);
  const b = t.scale * Math.sin(t.angle);
  const s = src.data;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const fx = a * x - b * y + t.tx;
      const fy = b * x + a * y + t.ty;
      const cx = Math.min(Math.max(Math.floor(fx), 0), W - 2);
      const cy = Math.min(Math.max(Math.floor(fy), 0), H - 2);
      const ax = Math.min(Math.max(fx - cx, 0), 1);
      const ay = Math.min(Math.max(fy - cy, 0), 1);
      const i = cy * W + cx;
      out[y * W + x] = Math.round((s[i] * (1 - ax) + s[i + 1] * ax) * (1 - ay) + (s[i + W] * (1 - ax) + s[i + W + 1] * ax) * ay);
    }
  }
  return { data: out, width: W, height: H };
}

/** Box-downscale a grey picture by an integer factor. */
export function shrinkGrey(img: GreyImage, k: number): GreyImage {
  const W = Math.floor(img.width / k);
  const H = Math.floor(img.height / k);
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let sum = 0;
      for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) sum += img.data[(y * k + dy) * img.width + x * k + dx];
      out[y * W + x] = Math.round(sum / (k * k));
    }
  }
  return { data: out, width: W, height: H };
}

/** Normalised cross-correlation of `a` with `b` seen through transform `t` (−1..1), on the central 80 %. */
function ncc(a: GreyImage, b: GreyImage, t: FrameTransform): number {
  const W = a.width;
  const H = a.height;
  const ca = t.scale * Math.cos(t.angle);
  const sb = t.scale * Math.sin(t.angle);
  const x0 = Math.floor(W * 0.1);
  const x1 = Math.ceil(W * 0.9);
  const y0 = Math.floor(H * 0.1);
  const y1 = Math.ceil(H * 0.9);
  let sa = 0;
  let sbv = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const fx = ca * x - sb * y + t.tx;
      const fy = sb * x + ca * y + t.ty;
      const ix = Math.round(fx);
      const iy = Math.round(fy);
      if (ix < 0 || iy < 0 || ix >= W || iy >= H) continue;
      const va = a.data[y * W + x];
      const vb = b.data[iy * W + ix];
      sa += va;
      sbv += vb;
      saa += va * va;
      sbb += vb * vb;
      sab += va * vb;
      n++;
    }
  }
  if (n < (x1 - x0) * (y1 - y0) * 0.6) return -1;
  const cov = sab / n - (sa / n) * (sbv / n);
  const va = saa / n - (sa / n) ** 2;
  const vb = sbb / n - (sbv / n) ** 2;
  return va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : -1;
}

/**
 * Register frame `b` onto frame `a` (both standard frames of equal size) near a seed transform (e.g. from
 * the eyes): a search over scale (±4 %), rotation (±1°) and shift (±3 px on a 4×-reduced picture), then a
 * finer one on a 2×-reduced picture, maximising normalised cross-correlation. Full-size pixels in and out.
 */
export function registerFrames(a: GreyImage, b: GreyImage, seed: FrameTransform = IDENTITY): FrameTransform {
  const search = (fa: GreyImage, fb: GreyImage, start: FrameTransform, scales: number[], angles: number[], r: number) => {
    let best = { t: start, score: -2 };
    const cx = fa.width / 2;
    const cy = fa.height / 2;
    for (const dAng of angles) {
      for (const ds of scales) {
        const scale = start.scale * (1 + ds);
        const angle = start.angle + (dAng * Math.PI) / 180;
        // Scale and turn about the frame centre's image under `start`, so the search stays centred.
        const c0 = start.scale * Math.cos(start.angle);
        const s0 = start.scale * Math.sin(start.angle);
        const c1 = scale * Math.cos(angle);
        const s1 = scale * Math.sin(angle);
        const baseTx = start.tx + (c0 - c1) * cx - (s0 - s1) * cy;
        const baseTy = start.ty + (s0 - s1) * cx + (c0 - c1) * cy;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const t = { scale, angle, tx: baseTx + dx, ty: baseTy + dy };
            const score = ncc(fa, fb, t);
            if (score > best.score) best = { t, score };
          }
        }
      }
    }
    return best.t;
  };
  const a4 = shrinkGrey(a, 4);
  const b4 = shrinkGrey(b, 4);
  const coarse = search(a4, b4, { ...seed, tx: seed.tx / 4, ty: seed.ty / 4 }, [-0.04, -0.02, 0, 0.02, 0.04], [-1, 0, 1], 3);
  const a2 = shrinkGrey(a, 2);
  const b2 = shrinkGrey(b, 2);
  const fine = search(a2, b2, { ...coarse, tx: coarse.tx * 2, ty: coarse.ty * 2 }, [-0.01, 0, 0.01], [-0.5, 0, 0.5], 1);
  return { ...fine, tx: fine.tx * 2, ty: fine.ty * 2 };
}

/** The transform that carries frame `a`'s eyes onto frame `b`'s eyes (both in standard-frame pixels). */
export function transformFromEyes(ea: EyePair, eb: EyePair): FrameTransform {
  const [[ax1, ay1], [ax2, ay2]] = ea;
  const [[bx1, by1], [bx2, by2]] = eb;
  const da = Math.hypot(ax2 - ax1, ay2 - ay1);
  const db = Math.hypot(bx2 - bx1, by2 - by1);
  const scale = db / da;
  const angle = Math.atan2(by2 - by1, bx2 - bx1) - Math.atan2(ay2 - ay1, ax2 - ax1);
  const c = scale * Math.cos(angle);
  const s = scale * Math.sin(angle);
  return { scale, angle, tx: bx1 - (c * ax1 - s * ay1), ty: by1 - (s * ax1 + c * ay1) };
}

/** True when a transform is within eye-detection jitter of the identity (the two frames are cut alike). */
export function isNearIdentity(t: FrameTransform, width: number = FRAME.width): boolean {
  return Math.abs(t.scale - 1) < 0.03 && Math.abs(t.angle) < (1 * Math.PI) / 180 && Math.hypot(t.tx, t.ty) < 0.03 * width;
}

/**
 * Same-shot similarity (同版相似度) of two standard frames: SSIM as they are when they are cut alike (no eyes
 * known, or the eyes agree within detection jitter) — `resize`; otherwise `b` is registered onto `a`
 * starting from the eyes and SSIM is taken after registration — `registered` (a re-cut of the same shot).
 */
export function sameShotScore(a: GreyImage, b: GreyImage, eyes?: { a: EyePair; b: EyePair } | null): SsimDetail & { mode: 'resize' | 'registered'; transform: FrameTransform } {
  if (eyes) {
    const seed = transformFromEyes(eyes.a, eyes.b);
    if (!isNearIdentity(seed, a.width)) {
      const t = registerFrames(a, b, seed);
      return { ...ssimDetail(a, warpGrey(b, t)), mode: 'registered', transform: t };
    }
  }
  return { ...ssimDetail(a, b), mode: 'resize', transform: IDENTITY };
}
