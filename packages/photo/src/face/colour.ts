/**
 * Colour science for the photographic checks (色彩计算): sRGB → CIELAB (D65) and CIEDE2000.
 */

export type Lab = [number, number, number];

const LINEAR = new Float64Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  LINEAR[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116;
}

/** Linearise one sRGB channel value (0..255, may be fractional). */
function linear(v: number): number {
  const i = Math.max(0, Math.min(255, v));
  if (Number.isInteger(i)) return LINEAR[i];
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** sRGB (0..255) to CIELAB under D65. */
export function rgbToLab(r: number, g: number, b: number): Lab {
  const R = linear(r), G = linear(g), B = linear(b);
  const x = (0.4124564 * R + 0.3575761 * G + 0.1804375 * B) / 0.95047;
  const y = 0.2126729 * R + 0.7151522 * G + 0.072175 * B;
  const z = (0.0193339 * R + 0.119192 * G + 0.9503041 * B) / 1.08883;
  const fx = labF(x), fy = labF(y), fz = labF(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/**
 * `rgbToLab` of 0..255 integer channels, memoised for every photo of the process (a pure function of the
 * 24-bit colour): direct-mapped, 2^16 entries of doubles — the values are rgbToLab's own. `labSlot` fills
 * the colour's entry and answers its index k: L*, a*, b* are LAB_MEMO[k], [k + 1], [k + 2] (read them
 * before the next call). L* equals `lightness` of the same colour (the same operations).
 */
const LAB_MEMO_BITS = 16;
const labTag = new Int32Array(1 << LAB_MEMO_BITS).fill(-1);
export const LAB_MEMO = new Float64Array(3 << LAB_MEMO_BITS);

export function labSlot(r: number, g: number, b: number): number {
  const rgb = (r << 16) | (g << 8) | b;
  const h = Math.imul(rgb, 0x9e3779b1) >>> (32 - LAB_MEMO_BITS);
  if (labTag[h] !== rgb) {
    const c = rgbToLab(r, g, b);
    labTag[h] = rgb;
    LAB_MEMO[h * 3] = c[0];
    LAB_MEMO[h * 3 + 1] = c[1];
    LAB_MEMO[h * 3 + 2] = c[2];
  }
  return h * 3;
}

/** CIELAB L* of an sRGB pixel (lightness 0..100). */
export function lightness(r: number, g: number, b: number): number {
  const y = 0.2126729 * linear(r) + 0.7151522 * linear(g) + 0.072175 * linear(b);
  return 116 * labF(y) - 16;
}

/**
 * `Math.hypot(x, y)` to the last bit, without its cost: V8's builtin (max-normalised, Kahan-summed) takes
 * its arguments as an array and returns a heap number — ~2 MB of garbage per photo across the rules.
 */
export function hypot2(x: number, y: number): number {
  x = Math.abs(x);
  y = Math.abs(y);
  if (x !== x || y !== y) return x === Infinity || y === Infinity ? Infinity : NaN;
  const max = x > y ? x : y;
  if (max === Infinity) return Infinity;
  if (max === 0) return 0;
  const a = x / max, b = y / max;
  // V8's Kahan sum of two terms: its compensation is still 0 when the second is added.
  return Math.sqrt(a * a + b * b) * max;
}

/** `Math.hypot(x, y, z)` to the last bit (see `hypot2`). */
export function hypot3(x: number, y: number, z: number): number {
  x = Math.abs(x);
  y = Math.abs(y);
  z = Math.abs(z);
  if (x !== x || y !== y || z !== z) return x === Infinity || y === Infinity || z === Infinity ? Infinity : NaN;
  const max = Math.max(x, y, z);
  if (max === Infinity) return Infinity;
  if (max === 0) return 0;
  const a = x / max, b = y / max, c = z / max;
  // V8's Kahan sum: the compensation after the second term applies to the third.
  const s = a * a + b * b;
  const comp = s - a * a - b * b;
  return Math.sqrt(s + (c * c - comp)) * max;
}

const RAD = Math.PI / 180;

/** CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1. */
export function deltaE2000(lab1: Lab, lab2: Lab): number {
  const [L1, a1, b1] = lab1;
  const [L2, a2, b2] = lab2;
  const C1 = hypot2(a1, b1), C2 = hypot2(a2, b2);
  const Cbar = (C1 + C2) / 2;
  const Cbar7 = Math.pow(Cbar, 7);
  const G = 0.5 * (1 - Math.sqrt(Cbar7 / (Cbar7 + Math.pow(25, 7))));
  const a1p = (1 + G) * a1, a2p = (1 + G) * a2;
  const C1p = hypot2(a1p, b1), C2p = hypot2(a2p, b2);
  const hue = (b: number, a: number) => {
    if (a === 0 && b === 0) return 0;
    const h = Math.atan2(b, a) / RAD;
    return h >= 0 ? h : h + 360;
  };
  const h1p = hue(b1, a1p), h2p = hue(b2, a2p);
  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp / 2) * RAD);
  const Lbarp = (L1 + L2) / 2;
  const Cbarp = (C1p + C2p) / 2;
  let hbarp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) hbarp = (h1p + h2p) / 2;
    else hbarp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  }
  const T = 1 - 0.17 * Math.cos((hbarp - 30) * RAD) + 0.24 * Math.cos(2 * hbarp * RAD) + 0.32 * Math.cos((3 * hbarp + 6) * RAD) - 0.2 * Math.cos((4 * hbarp - 63) * RAD);
  const dTheta = 30 * Math.exp(-Math.pow((hbarp - 275) / 25, 2));
  const Cbarp7 = Math.pow(Cbarp, 7);
  const RC = 2 * Math.sqrt(Cbarp7 / (Cbarp7 + Math.pow(25, 7)));
  const SL = 1 + (0.015 * Math.pow(Lbarp - 50, 2)) / Math.sqrt(20 + Math.pow(Lbarp - 50, 2));
  const SC = 1 + 0.045 * Cbarp;
  const SH = 1 + 0.015 * Cbarp * T;
  const RT = -Math.sin(2 * dTheta * RAD) * RC;
  const l = dLp / SL, c = dCp / SC, h = dHp / SH;
  return Math.sqrt(l * l + c * c + h * h + RT * c * h);
}

/** ΔE2000 between two sRGB colours. */
export function deltaE2000Rgb(a: readonly [number, number, number], b: readonly [number, number, number]): number {
  return deltaE2000(rgbToLab(a[0], a[1], a[2]), rgbToLab(b[0], b[1], b[2]));
}

/** Median of each channel over the selected pixels (stride-sampled when there are many). */
export function medianRgb(data: Buffer | Uint8Array, indices: ArrayLike<number>): [number, number, number] | null {
  const n = indices.length;
  if (n === 0) return null;
  const step = Math.max(1, Math.floor(n / 20000));
  const hist = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let count = 0;
  for (let k = 0; k < n; k += step) {
    const p = indices[k] * 3;
    hist[0][data[p]]++;
    hist[1][data[p + 1]]++;
    hist[2][data[p + 2]]++;
    count++;
  }
  const med = (h: Uint32Array) => {
    let acc = 0;
    for (let v = 0; v < 256; v++) {
      acc += h[v];
      if (acc * 2 >= count) return v;
    }
    return 255;
  };
  return [med(hist[0]), med(hist[1]), med(hist[2])];
}
