/**
 * `watermark`: no watermark, text or pattern added. 水印
 *
 * What is measured: the background regions that are plain in a compliant photo — the strip above the
 * highest allowed head top (the top 7 % of the frame) and the two upper side strips beside the head
 * (outer 17 % of the width, from 7 % to 45 % of the height). They are cut into tiles of about 32×32 px;
 * in each tile the luminance gradient |dx|+|dy| is thresholded (> 40) and we count, per row, how many
 * separate edge runs it crosses. Text and patterns give many short runs per row (strokes); a plain
 * background gives none, and the outline of hair or a shoulder entering the tile gives at most one or two.
 * The face and body area is NOT measured (a watermark across the face is left to the reviewer).
 * Suspicious tiles give `review` with their place; nothing is failed on this measure alone.
 */
import { type CheckContext, result, skipped } from './context.js';
import type { CheckResult, RawImage } from '../types.js';

const GRAD = 40;
/** Mean edge runs per row in a tile above which the tile looks like text or a pattern. */
const RUNS_PER_ROW = 1.6;
/** Minimum share of edge pixels in such a tile. */
const MIN_EDGE_SHARE = 0.03;

interface Region {
  name: string;
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export interface WatermarkTile {
  region: string;
  /** Tile box in the picture's own pixels. */
  x: number;
  y: number;
  size: number;
  runsPerRow: number;
  edgeShare: number;
}

function luma(img: RawImage): Uint8Array {
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0, j = 0; i < n; i++, j += 3) out[i] = (d[j] * 77 + d[j + 1] * 150 + d[j + 2] * 29) >> 8;
  return out;
}

/** Scan the plain-background regions; return every tile and the suspicious ones. */
export function scanBackgroundTiles(img: RawImage, scale: number): { tiles: number; suspicious: WatermarkTile[]; busy: number } {
  const { width: w, height: h } = img;
  const y = luma(img);
  const m = Math.max(1, Math.round(w * 0.02));
  const regions: Region[] = [
    { name: '顶部', x0: m, x1: w - m, y0: m, y1: Math.round(h * 0.07) },
    { name: '左上侧', x0: m, x1: Math.round(w * 0.17), y0: Math.round(h * 0.07), y1: Math.round(h * 0.45) },
    { name: '右上侧', x0: Math.round(w * 0.83), x1: w - m, y0: Math.round(h * 0.07), y1: Math.round(h * 0.45) },
  ];
  const t = Math.max(8, Math.round(32 * scale));
  const suspicious: WatermarkTile[] = [];
  let tiles = 0;
  let busy = 0;
  for (const r of regions) {
    for (let ty = r.y0; ty + t / 2 <= r.y1; ty += t) {
      for (let tx = r.x0; tx + t / 2 <= r.x1; tx += t) {
        const xe = Math.min(tx + t, r.x1, w - 1);
        const ye = Math.min(ty + t, r.y1, h - 1);
        let runs = 0;
        let edges = 0;
        let rows = 0;
        let px = 0;
        for (let yy = ty; yy < ye; yy++) {
          let prev = false;
          const row = yy * w;
          for (let xx = tx; xx < xe; xx++) {
            const i = row + xx;
            const g = Math.abs(y[i + 1] - y[i]) + Math.abs(y[i + w] - y[i]);
            const e = g > GRAD;
            if (e) {
              edges++;
              if (!prev) runs++;
            }
            prev = e;
            px++;
          }
          rows++;
        }
        if (!rows || !px) continue;
        tiles++;
        const runsPerRow = runs / rows;
        const edgeShare = edges / px;
        if (edgeShare > 0.25) busy++;
        if (runsPerRow >= RUNS_PER_ROW && edgeShare >= MIN_EDGE_SHARE) {
          suspicious.push({ region: r.name, x: Math.round(tx / scale), y: Math.round(ty / scale), size: Math.round(t / scale), runsPerRow: Math.round(runsPerRow * 100) / 100, edgeShare: Math.round(edgeShare * 1000) / 1000 });
        }
      }
    }
  }
  return { tiles, suspicious, busy };
}

export function checkWatermark(ctx: CheckContext): CheckResult {
  const img = ctx.pixels;
  if (!img) return skipped('watermark', ctx.noPixelsReason ?? '图像无法解码');
  const { tiles, suspicious } = scanBackgroundTiles(img, ctx.pixelScale);
  const measured = `检查了顶部和两侧上方背景区域的 ${tiles} 个小块的文字状高频纹理；人像区域未检查`;
  if (suspicious.length) {
    const byRegion = new Map<string, WatermarkTile[]>();
    for (const s of suspicious) byRegion.set(s.region, [...(byRegion.get(s.region) ?? []), s]);
    const where = [...byRegion].map(([name, ts]) => {
      const x0 = Math.min(...ts.map((s) => s.x)), x1 = Math.max(...ts.map((s) => s.x + s.size));
      const y0 = Math.min(...ts.map((s) => s.y)), y1 = Math.max(...ts.map((s) => s.y + s.size));
      return `${name}（x ${x0}–${x1}，y ${y0}–${y1}）`;
    }).join('、');
    return result('watermark', 'review', { tiles, suspicious: suspicious.length }, 0, `疑似水印、文字或图案：${where} 有 ${suspicious.length} 个小块呈文字状纹理（${measured}）`, `请人工查看${where}是否有水印或文字；若有，请用无水印的原图重新制作`, 'WATERMARK_SUSPECT');
  }
  return result('watermark', 'pass', { tiles, suspicious: 0 }, 0, `未发现水印或文字（${measured}）`);
}
