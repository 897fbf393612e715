/**
 * `border`: no frame or border lines, no empty bands at the edges. 边框／留白
 *
 * Measured on each edge (every second pixel along it): the first k lines parallel to the edge (k = 1 … 12 %
 * of the picture) are each uniform along the edge (≥ 85 % of their pixels within ±24 of the line's median
 * colour), and the band they
 * form ends in a step: along ≥ 60 % of the edge the colour changes by more than 32 (any channel) between
 * line k−1 and the lines k, k+1 beyond it. A photo that runs out to its edges has no such straight step
 * parallel to an edge; a frame, a drawn line, or padding bars (letterboxing, "留白") do.
 * Padding of exactly the background colour cannot be seen and is not reported.
 */
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult, RawImage } from '../types.js';

const UNIFORM_TOL = 24;
const UNIFORM_FRAC = 0.85;
const STEP = 32;
const STEP_FAIL = 0.6;
const STEP_REVIEW = 0.4;

type Edge = 'top' | 'bottom' | 'left' | 'right';
const EDGE_ZH: Record<Edge, string> = { top: '上', bottom: '下', left: '左', right: '右' };

interface Band {
  edge: Edge;
  /** Band width in the picture's own pixels. */
  width: number;
  /** Fraction of the edge with a step at the band's inner side. */
  step: number;
}

/** Read line `depth` along `edge` into out (RGB triplets). */
function readLine(img: RawImage, edge: Edge, depth: number, out: Uint8Array): number {
  const { width: w, height: h, data } = img;
  if (edge === 'top' || edge === 'bottom') {
    const y = edge === 'top' ? depth : h - 1 - depth;
    out.set(data.subarray(y * w * 3, (y + 1) * w * 3));
    return w;
  }
  const x = edge === 'left' ? depth : w - 1 - depth;
  for (let y = 0, o = 0; y < h; y++, o += 3) {
    const i = (y * w + x) * 3;
    out[o] = data[i];
    out[o + 1] = data[i + 1];
    out[o + 2] = data[i + 2];
  }
  return h;
}

/** Median of one channel over every 4th pixel of the line. */
function median(line: Uint8Array, n: number, c: number, hist: Uint32Array): number {
  hist.fill(0);
  let m = 0;
  for (let i = 0; i < n; i += 4, m++) hist[line[i * 3 + c]]++;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc * 2 >= m) return v;
  }
  return 255;
}

function isUniform(line: Uint8Array, n: number, hist: Uint32Array): boolean {
  const m0 = median(line, n, 0, hist), m1 = median(line, n, 1, hist), m2 = median(line, n, 2, hist);
  let ok = 0;
  let m = 0;
  for (let i = 0, o = 0; i < n; i += 2, o += 6, m++) {
    if (Math.abs(line[o] - m0) <= UNIFORM_TOL && Math.abs(line[o + 1] - m1) <= UNIFORM_TOL && Math.abs(line[o + 2] - m2) <= UNIFORM_TOL) ok++;
  }
  return ok >= m * UNIFORM_FRAC;
}

function stepFraction(a: Uint8Array, b: Uint8Array, c: Uint8Array | null, n: number): number {
  let steps = 0;
  let m = 0;
  for (let i = 0, o = 0; i < n; i += 2, o += 6, m++) {
    let d = Math.max(Math.abs(a[o] - b[o]), Math.abs(a[o + 1] - b[o + 1]), Math.abs(a[o + 2] - b[o + 2]));
    if (c) d = Math.max(d, Math.abs(a[o] - c[o]), Math.abs(a[o + 1] - c[o + 1]), Math.abs(a[o + 2] - c[o + 2]));
    if (d > STEP) steps++;
  }
  return steps / m;
}

/** Find the strongest band at each edge. */
export function findBands(img: RawImage, scale: number): Band[] {
  const maxLen = Math.max(img.width, img.height) * 3;
  const lines = [new Uint8Array(maxLen), new Uint8Array(maxLen), new Uint8Array(maxLen)];
  const hist = new Uint32Array(256);
  const bands: Band[] = [];
  for (const edge of ['top', 'bottom', 'left', 'right'] as Edge[]) {
    const span = edge === 'top' || edge === 'bottom' ? img.height : img.width;
    const maxDepth = Math.max(1, Math.floor(span * 0.12));
    let n = readLine(img, edge, 0, lines[0]);
    let best: (Band & { k: number }) | null = null;
    for (let k = 1; k <= maxDepth && k + 1 < span; k++) {
      // lines[0] = line k−1 (band side); read k and k+1 (inside).
      if (!isUniform(lines[0], n, hist)) break;
      n = readLine(img, edge, k, lines[1]);
      readLine(img, edge, k + 1, lines[2]);
      const step = stepFraction(lines[0], lines[1], lines[2], n);
      if (step >= STEP_REVIEW) {
        // A step seen through line k+1 shows again one line further when the edge is really there: keep the later one.
        if (!best || step > best.step + 0.02 || (k === best.k + 1 && step >= best.step - 0.02)) best = { edge, width: Math.round(k / scale), step, k };
      } else if (best) {
        break; // the band ended
      }
      const t = lines[0];
      lines[0] = lines[1];
      lines[1] = t;
    }
    if (best) bands.push({ edge: best.edge, width: best.width, step: best.step });
  }
  return bands;
}

export function checkBorder(ctx: CheckContext): CheckResult {
  const img = ctx.pixels;
  if (!img && !ctx.dc) return skipped('border', ctx.noPixelsReason ?? '图像无法解码');
  // Without full pixels the DC screen found no edge line that could hold a band (see dc-screen.ts).
  const bands = img ? findBands(img, ctx.pixelScale) : [];
  const value: Record<string, number> = {};
  for (const b of bands) value[b.edge] = b.width;
  const limit = 0;
  const describe = (bs: Band[]) => bs.map((b) => `${EDGE_ZH[b.edge]}边 ${b.width} px（${Math.round(b.step * 100)}% 长度有边界）`).join('，');
  const fails = bands.filter((b) => b.step >= STEP_FAIL);
  if (fails.length) {
    return result('border', 'fail', value, limit, `照片边缘有边框或留白：${describe(fails)}`, '用 gradpass fix 从原图重新裁剪（不要加边框或补白边）', 'BORDER_FOUND');
  }
  if (bands.length) {
    return result('border', 'review', value, limit, `照片边缘可能有边框或留白：${describe(bands)}`, '请人工查看照片四周是否有边框、细线或色带', 'BORDER_SUSPECT');
  }
  return result('border', 'pass', value, limit, '四边均未发现边框、线条或留白色带（检查了每边向内 12% 范围内与边平行的色带和边界）');
}
