/**
 * Estimate the IJG quality factor (压缩质量估计) from the quantisation tables by inverting the IJG scaling
 * of the standard tables of ITU-T T.81 Annex K.
 */

/** Annex K luminance table, natural order. */
export const STD_LUMINANCE = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56,
  68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
/** Annex K chrominance table, natural order. */
export const STD_CHROMINANCE = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

/** The table libjpeg's jpeg_set_quality writes for quality q (force_baseline). */
export function ijgTable(std: readonly number[], q: number): number[] {
  const qq = Math.min(100, Math.max(1, Math.round(q)));
  const scale = qq < 50 ? Math.floor(5000 / qq) : 200 - qq * 2;
  return std.map((v) => Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))));
}

export interface QualityEstimate {
  /** Estimated IJG quality factor 1–100. */
  quality: number;
  /** True when the tables are exactly the IJG-scaled standard tables at that quality. */
  exact: boolean;
  /** Root-mean-square log2 ratio between the file's tables and the nearest IJG tables (0 when exact). */
  misfit: number;
}

/**
 * Estimate the quality from a luminance table and an optional chrominance table (natural order).
 * Exact IJG tables give the exact factor; other tables (cameras, Photoshop, mozjpeg presets) give the
 * IJG factor whose tables are nearest in log scale.
 */
export function estimateQuality(luma: readonly number[], chroma?: readonly number[]): QualityEstimate {
  // Files of one batch usually share their tables: remember the last answers.
  const key = chroma ? `${luma.join(',')}/${chroma.join(',')}` : luma.join(',');
  const hit = cache.get(key);
  if (hit) return { ...hit };
  const est = estimate(luma, chroma);
  if (cache.size >= 256) cache.delete(cache.keys().next().value!);
  cache.set(key, est);
  return { ...est };
}

const cache = new Map<string, QualityEstimate>();
/** IJG tables for q = 1…100 (index q − 1), computed once. */
let tables: { l: number[]; c: number[] }[] | null = null;

function estimate(luma: readonly number[], chroma?: readonly number[]): QualityEstimate {
  tables ??= Array.from({ length: 100 }, (_, i) => ({ l: ijgTable(STD_LUMINANCE, i + 1), c: ijgTable(STD_CHROMINANCE, i + 1) }));
  let best = { quality: 50, err: Infinity, exact: false };
  for (let q = 1; q <= 100; q++) {
    const tl = tables[q - 1].l;
    let err = 0;
    let exact = true;
    for (let i = 0; i < 64; i++) {
      const d = Math.log2(Math.max(1, luma[i]) / tl[i]);
      err += d * d;
      if (luma[i] !== tl[i]) exact = false;
    }
    let n = 64;
    if (chroma) {
      const tc = tables[q - 1].c;
      for (let i = 0; i < 64; i++) {
        const d = Math.log2(Math.max(1, chroma[i]) / tc[i]);
        err += d * d;
        if (chroma[i] !== tc[i]) exact = false;
      }
      n += 64;
    }
    if (exact) return { quality: q, exact: true, misfit: 0 };
    const rms = Math.sqrt(err / n);
    if (rms < best.err) best = { quality: q, err: rms, exact: false };
  }
  return { quality: best.quality, exact: false, misfit: Math.round(best.err * 1000) / 1000 };
}
