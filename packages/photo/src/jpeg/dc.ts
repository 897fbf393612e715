/**
 * DC-only JPEG decoder (JPEG 直流分量解码): decodes the entropy-coded data of a sequential, Huffman-coded
 * JPEG (SOF0/SOF1, 8-bit; any sampling factors, restart intervals, several scans; 1 or 3 components) and
 * keeps only each 8×8 block's DC coefficient — the block's mean — giving a 1/8-scale picture (60×80 for
 * 480×640) in sRGB. AC coefficients are Huffman-decoded only to be skipped; for the luma component their
 * de-quantised magnitude is summed per block (`activity`), a measure of texture/edges inside the block.
 *
 * Pure TypeScript, ~10× cheaper than a full decode. Returns null for anything it does not handle
 * (progressive, arithmetic, 12-bit, CMYK, RGB-coded) and for corrupt data, so the caller falls back to a full
 * decode. RGB-coded is judged as libjpeg does: no JFIF marker, and Adobe transform 0 or — without an Adobe
 * marker — component ids 'R','G','B' (a greyscale picture stored so must not pass as colour).
 */
/** The 1/8-scale picture. 八分之一缩略像素 */
export interface DcImage {
  /** sRGB, 3 channels, ceil(width/8) × ceil(height/8). */
  data: Uint8Array;
  width: number;
  height: number;
  /** The picture's own size. */
  fullWidth: number;
  fullHeight: number;
  /**
   * Per output pixel (same grid as data): sum of |de-quantised AC coefficient| of the luma block, i.e. how
   * much the block's 64 pixels vary around its mean (0 for a flat block).
   */
  activity: Float32Array;
  components: number;
}

interface Huff {
  /** First-level lookup on FAST_BITS bits: (length << 8) | symbol, 0 = longer code. */
  fast: Uint16Array;
  /**
   * AC tables: lookup of a whole coefficient when code and value bits fit in FAST_BITS bits:
   * (value << 8) | (run << 4) | total length; 0 = use the slow path.
   */
  fastAc: Int16Array;
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

const FAST_BITS = 10;
const FAST_MASK = (1 << FAST_BITS) - 1;

function buildHuff(counts: Uint8Array, values: Uint8Array): Huff | null {
  const fast = new Uint16Array(1 << FAST_BITS);
  const maxcode = new Int32Array(18).fill(-1);
  const valptr = new Int32Array(17);
  const mincode = new Int32Array(17);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1];
    valptr[len] = k;
    mincode[len] = code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (len <= FAST_BITS) {
        const shift = FAST_BITS - len;
        const base = code << shift;
        for (let j = 0; j < 1 << shift; j++) fast[base + j] = (len << 8) | values[k];
      }
    }
    if (n) maxcode[len] = code - 1;
    if (code > 1 << len) return null;
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff;
  const fastAc = new Int16Array(1 << FAST_BITS);
  for (let i = 0; i < 1 << FAST_BITS; i++) {
    const e = fast[i];
    if (!e) continue;
    const len = e >> 8, rs = e & 0xff, r = rs >> 4, sz = rs & 15;
    if (!sz || len + sz > FAST_BITS) continue;
    const bits = (i >> (FAST_BITS - len - sz)) & ((1 << sz) - 1);
    const v = bits < 1 << (sz - 1) ? bits - (1 << sz) + 1 : bits;
    if (v >= -128 && v <= 127) fastAc[i] = v * 256 + (r << 4) + len + sz;
  }
  return { fast, fastAc, maxcode, valptr, mincode, values };
}

interface Comp {
  id: number;
  h: number;
  v: number;
  tq: number;
  /** Blocks per line / per column in the component's padded grid. */
  bw: number;
  bh: number;
  dc: Int32Array;
  /** Per block: sum of |de-quantised AC coefficient|. */
  act: Float32Array;
  pred: number;
}

class Corrupt extends Error {}

/** Decode the DC picture; null when unsupported or corrupt. Never throws. */
export function decodeDc(bytes: Uint8Array): DcImage | null {
  try {
    return decode(bytes);
  } catch {
    return null;
  }
}

function decode(d: Uint8Array): DcImage | null {
  if (d.length < 4 || d[0] !== 0xff || d[1] !== 0xd8) return null;
  const qt: (Int32Array | undefined)[] = [];
  const dcT: (Huff | undefined)[] = [];
  const acT: (Huff | undefined)[] = [];
  let comps: Comp[] | null = null;
  let width = 0, height = 0, hmax = 1, vmax = 1, mcusX = 0, mcusY = 0;
  let restart = 0;
  let adobe: number | null = null;
  let jfif = false;
  let scanned = false;
  let p = 2;
  while (p + 4 <= d.length) {
    if (d[p] !== 0xff) return null;
    const m = d[p + 1];
    if (m === 0xff) { p++; continue; }
    if (m === 0xd9) break;
    if (m >= 0xd0 && m <= 0xd7) { p += 2; continue; }
    const len = (d[p + 2] << 8) | d[p + 3];
    const s = p + 4, e = p + 2 + len;
    if (len < 2 || e > d.length) return null;
    if (m === 0xc0 || m === 0xc1) {
      if (comps || d[s] !== 8) return null;
      height = (d[s + 1] << 8) | d[s + 2];
      width = (d[s + 3] << 8) | d[s + 4];
      const n = d[s + 5];
      if (!width || !height || (n !== 1 && n !== 3) || len < 8 + 3 * n) return null;
      const raw: { id: number; h: number; v: number; tq: number }[] = [];
      for (let i = 0; i < n; i++) {
        const o = s + 6 + i * 3;
        const h = d[o + 1] >> 4, v = d[o + 1] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) return null;
        raw.push({ id: d[o], h, v, tq: d[o + 2] & 3 });
      }
      hmax = Math.max(...raw.map((c) => c.h));
      vmax = Math.max(...raw.map((c) => c.v));
      mcusX = Math.ceil(width / (8 * hmax));
      mcusY = Math.ceil(height / (8 * vmax));
      // Every component gets the same object shape (one map for the hot loop).
      comps = raw.map((r): Comp => {
        const bw = mcusX * r.h, bh = mcusY * r.v;
        return { id: r.id, h: r.h, v: r.v, tq: r.tq, bw, bh, dc: new Int32Array(bw * bh), act: new Float32Array(bw * bh), pred: 0 };
      });
    } else if (m >= 0xc2 && m <= 0xcf && m !== 0xc4) {
      return null; // progressive, lossless, hierarchical, arithmetic
    } else if (m === 0xdb) {
      for (let o = s; o < e;) {
        const pq = d[o] >> 4, tq = d[o] & 15;
        if (tq > 3) return null;
        const q = new Int32Array(64);
        o++;
        for (let k = 0; k < 64; k++) {
          q[k] = pq ? (d[o] << 8) | d[o + 1] : d[o];
          o += pq ? 2 : 1;
        }
        if (o > e) return null;
        qt[tq] = q; // zig-zag order
      }
    } else if (m === 0xc4) {
      for (let o = s; o < e;) {
        const tc = d[o] >> 4, th = d[o] & 15;
        if (th > 3 || tc > 1) return null;
        const counts = d.subarray(o + 1, o + 17);
        let total = 0;
        for (let i = 0; i < 16; i++) total += counts[i];
        if (o + 17 + total > e) return null;
        const h = buildHuff(counts, d.subarray(o + 17, o + 17 + total));
        if (!h) return null;
        (tc ? acT : dcT)[th] = h;
        o += 17 + total;
      }
    } else if (m === 0xdd) {
      restart = (d[s] << 8) | d[s + 1];
    } else if (m === 0xe0 && len >= 7 && d[s] === 0x4a && d[s + 1] === 0x46 && d[s + 2] === 0x49 && d[s + 3] === 0x46 && d[s + 4] === 0) {
      jfif = true;
    } else if (m === 0xee && len >= 14 && d[s] === 0x41 && d[s + 1] === 0x64) {
      adobe = d[s + 11];
    } else if (m === 0xda) {
      if (!comps) return null;
      const ns = d[s];
      const sc: { c: Comp; dcH: Huff; acH: Huff }[] = [];
      for (let i = 0; i < ns; i++) {
        const cid = d[s + 1 + i * 2], tb = d[s + 2 + i * 2];
        const c = comps.find((x) => x.id === cid);
        const dcH = dcT[tb >> 4], acH = acT[tb & 15];
        if (!c || !dcH || !acH || !qt[c.tq]) return null;
        sc.push({ c, dcH, acH });
      }
      if (!sc.length) return null;
      p = decodeScan(d, e, sc, comps.length > 1 && ns > 1, mcusX, mcusY, width, height, hmax, vmax, restart, qt);
      scanned = true;
      continue;
    }
    p = e;
  }
  if (!comps || !scanned) return null;
  if (comps.length === 3 && isRgbCoded(jfif, adobe, comps.map((c) => c.id))) return null;
  return toPicture(comps, qt, width, height, hmax, vmax);
}

/**
 * Is a 3-component JPEG RGB-coded rather than YCbCr? libjpeg's rule (jdapimin.c): a JFIF marker means YCbCr;
 * else an Adobe marker's transform decides (0 = RGB); else component ids 'R','G','B' mean RGB.
 */
export function isRgbCoded(jfif: boolean, adobeTransform: number | null, ids: readonly number[]): boolean {
  if (jfif) return false;
  if (adobeTransform !== null) return adobeTransform === 0;
  return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42;
}

/** A code longer than FAST_BITS: (length << 8) | symbol. Out of line: rare, and kept out of the hot loop. */
function slowHuff(h: Huff, buf: number, cnt: number): number {
  let l = FAST_BITS + 1;
  let code = (buf >>> (cnt - l)) & ((1 << l) - 1);
  while (l <= 16 && code > h.maxcode[l]) {
    l++;
    code = (buf >>> (cnt - l)) & ((1 << l) - 1);
  }
  if (l > 16) throw new Corrupt('bad huffman code');
  return (l << 8) | h.values[h.valptr[l] + code - h.mincode[l]];
}

/** One block of an MCU: which component, its tables, and where it lands in the component's grid. */
interface McuBlock {
  c: Comp;
  dcH: Huff;
  acH: Huff;
  q: Int32Array;
  dx: number;
  dy: number;
}

/**
 * Decode one scan; returns the offset of the marker that ends it. The bit reader lives in local
 * variables (buf, cnt, pos) and is refilled inline: this loop is the whole cost of the decoder.
 */
function decodeScan(
  d: Uint8Array, start: number, sc: { c: Comp; dcH: Huff; acH: Huff }[], interleaved: boolean,
  mcusX: number, mcusY: number, width: number, height: number, hmax: number, vmax: number, restart: number, qt: (Int32Array | undefined)[],
): number {
  const blocks: McuBlock[] = [];
  let units: number, perLine: number;
  if (interleaved) {
    for (const s of sc) for (let j = 0; j < s.c.v; j++) for (let i = 0; i < s.c.h; i++) blocks.push({ c: s.c, dcH: s.dcH, acH: s.acH, q: qt[s.c.tq]!, dx: i, dy: j });
    perLine = mcusX;
    units = mcusX * mcusY;
  } else {
    const c = sc[0].c;
    blocks.push({ c, dcH: sc[0].dcH, acH: sc[0].acH, q: qt[c.tq]!, dx: 0, dy: 0 });
    perLine = Math.ceil(Math.ceil((width * c.h) / hmax) / 8);
    units = perLine * Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
  }
  const nb = blocks.length;
  for (const s of sc) s.c.pred = 0;
  const len = d.length;
  let pos = start, buf = 0, cnt = 0, marker = -1, pad = 0;
  let todo = restart || units;
  for (let n = 0; n < units; n++) {
    if (todo === 0) {
      // Byte-align and expect RSTn.
      if (pad * 8 > cnt) throw new Corrupt('interval overran its data');
      if (marker < 0) {
        while (pos + 1 < len && !(d[pos] === 0xff && d[pos + 1] !== 0 && d[pos + 1] !== 0xff)) pos++;
        if (pos + 1 >= len) throw new Corrupt('no marker');
        marker = d[pos + 1];
      }
      if (marker < 0xd0 || marker > 0xd7) throw new Corrupt('restart marker missing');
      pos += 2;
      marker = -1;
      buf = cnt = pad = 0;
      for (const s of sc) s.c.pred = 0;
      todo = restart;
    }
    todo--;
    const mx = n % perLine, my = (n / perLine) | 0;
    for (let b = 0; b < nb; b++) {
      const blk = blocks[b];
      const c = blk.c;
      const idx = interleaved ? (my * c.v + blk.dy) * c.bw + mx * c.h + blk.dx : my * c.bw + mx;
      const q = blk.q;
      // --- DC ---
      let h = blk.dcH;
      if (cnt < 16) {
        while (cnt <= 24) {
          let v = 0;
          if (marker >= 0) pad++;
          else if (pos >= len) { marker = 0xd9; pad++; }
          else {
            v = d[pos++];
            if (v === 0xff) {
              let x = d[pos];
              while (x === 0xff) x = d[++pos];
              if (x === 0) pos++;
              else { marker = x; pos--; v = 0; pad++; }
            }
          }
          buf = (buf << 8) | v;
          cnt += 8;
        }
      }
      let e = h.fast[(buf >>> (cnt - FAST_BITS)) & FAST_MASK];
      let sym: number;
      if (e) {
        cnt -= e >> 8;
        sym = e & 0xff;
      } else {
        e = slowHuff(h, buf, cnt);
        cnt -= e >> 8;
        sym = e & 0xff;
      }
      if (sym > 11) throw new Corrupt('bad DC class');
      if (sym) {
        if (cnt < sym) {
          while (cnt <= 24) {
            let v = 0;
            if (marker >= 0) pad++;
            else if (pos >= len) { marker = 0xd9; pad++; }
            else {
              v = d[pos++];
              if (v === 0xff) {
                let x = d[pos];
                while (x === 0xff) x = d[++pos];
                if (x === 0) pos++;
                else { marker = x; pos--; v = 0; pad++; }
              }
            }
            buf = (buf << 8) | v;
            cnt += 8;
          }
        }
        const v = (buf >>> (cnt - sym)) & ((1 << sym) - 1);
        cnt -= sym;
        c.pred += v < 1 << (sym - 1) ? v - (1 << sym) + 1 : v;
      }
      c.dc[idx] = c.pred;
      // --- AC: decoded to be skipped; luma magnitudes summed ---
      h = blk.acH;
      const fastAc = h.fastAc, fast = h.fast;
      let sum = 0;
      for (let k = 1; k < 64;) {
        if (cnt < 16) {
          while (cnt <= 24) {
            let v = 0;
            if (marker >= 0) pad++;
            else if (pos >= len) { marker = 0xd9; pad++; }
            else {
              v = d[pos++];
              if (v === 0xff) {
                let x = d[pos];
                while (x === 0xff) x = d[++pos];
                if (x === 0) pos++;
                else { marker = x; pos--; v = 0; pad++; }
              }
            }
            buf = (buf << 8) | v;
            cnt += 8;
          }
        }
        const look = (buf >>> (cnt - FAST_BITS)) & FAST_MASK;
        const f = fastAc[look];
        if (f) {
          k += (f >> 4) & 15;
          cnt -= f & 15;
          const v = f >> 8;
          sum += (v < 0 ? -v : v) * q[k];
          k++;
          continue;
        }
        e = fast[look];
        let rs: number;
        if (e) {
          cnt -= e >> 8;
          rs = e & 0xff;
        } else {
          e = slowHuff(h, buf, cnt);
          cnt -= e >> 8;
          rs = e & 0xff;
        }
        const r = rs >> 4, sz = rs & 15;
        if (sz === 0) {
          if (r !== 15) break;
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) throw new Corrupt('AC index');
        if (cnt < sz) {
          while (cnt <= 24) {
            let v = 0;
            if (marker >= 0) pad++;
            else if (pos >= len) { marker = 0xd9; pad++; }
            else {
              v = d[pos++];
              if (v === 0xff) {
                let x = d[pos];
                while (x === 0xff) x = d[++pos];
                if (x === 0) pos++;
                else { marker = x; pos--; v = 0; pad++; }
              }
            }
            buf = (buf << 8) | v;
            cnt += 8;
          }
        }
        let v = (buf >>> (cnt - sz)) & ((1 << sz) - 1);
        cnt -= sz;
        if (v < 1 << (sz - 1)) v = (1 << sz) - 1 - v; // |value| of the negative half
        sum += v * q[k];
        k++;
      }
      c.act[idx] = sum;
    }
  }
  if (pad * 8 > cnt) throw new Corrupt('scan overran its data');
  // Find the marker that ends the scan.
  if (marker < 0) {
    while (pos + 1 < len && !(d[pos] === 0xff && d[pos + 1] !== 0 && d[pos + 1] !== 0xff)) pos++;
    if (pos + 1 >= len) return len;
    marker = d[pos + 1];
  }
  if (marker >= 0xd0 && marker <= 0xd7) throw new Corrupt('unexpected restart marker');
  return pos;
}

/** Output pixel column/row → block index in a component's grid (by its sampling ratio). */
function blockCols(c: Comp, w: number, hmax: number): Int32Array {
  const out = new Int32Array(w);
  for (let ox = 0; ox < w; ox++) out[ox] = Math.min(c.bw - 1, Math.floor((ox * c.h) / hmax));
  return out;
}
function blockRows(c: Comp, h: number, vmax: number): Int32Array {
  const out = new Int32Array(h);
  for (let oy = 0; oy < h; oy++) out[oy] = Math.min(c.bh - 1, Math.floor((oy * c.v) / vmax)) * c.bw;
  return out;
}

/** YCbCr block means → sRGB (JFIF), luma activity alongside. */
function ycc(
  out: Uint8Array, activity: Float32Array, w: number, h: number,
  ydc: Int32Array, yact: Float32Array, yc: Int32Array, yr: Int32Array, qy: number,
  bdc: Int32Array, bc: Int32Array, br: Int32Array, qb: number,
  rdc: Int32Array, rc: Int32Array, rr: Int32Array, qr: number,
): void {
  for (let oy = 0, o = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++, o++) {
      const iy = yr[oy] + yc[ox];
      const Y = ydc[iy] * qy + 128.5;
      const B = bdc[br[oy] + bc[ox]] * qb;
      const R = rdc[rr[oy] + rc[ox]] * qr;
      const r = Y + 1.402 * R, g = Y - 0.344136 * B - 0.714136 * R, b = Y + 1.772 * B;
      out[o * 3] = r < 0 ? 0 : r > 255 ? 255 : r; // Uint8Array store truncates: +0.5 above rounds
      out[o * 3 + 1] = g < 0 ? 0 : g > 255 ? 255 : g;
      out[o * 3 + 2] = b < 0 ? 0 : b > 255 ? 255 : b;
      activity[o] = yact[iy];
    }
  }
}

function grey(out: Uint8Array, activity: Float32Array, w: number, h: number, ydc: Int32Array, yact: Float32Array, yc: Int32Array, yr: Int32Array, qy: number): void {
  for (let oy = 0, o = 0; oy < h; oy++) {
    for (let ox = 0; ox < w; ox++, o++) {
      const i = yr[oy] + yc[ox];
      const v = ydc[i] * qy + 128.5;
      out[o * 3] = out[o * 3 + 1] = out[o * 3 + 2] = v < 0 ? 0 : v > 255 ? 255 : v;
      activity[o] = yact[i];
    }
  }
}

function toPicture(comps: Comp[], qt: (Int32Array | undefined)[], width: number, height: number, hmax: number, vmax: number): DcImage {
  const w = Math.ceil(width / 8), h = Math.ceil(height / 8);
  const out = new Uint8Array(w * h * 3);
  const activity = new Float32Array(w * h);
  const y = comps[0];
  const qy = qt[y.tq]![0] / 8;
  if (comps.length === 1) grey(out, activity, w, h, y.dc, y.act, blockCols(y, w, hmax), blockRows(y, h, vmax), qy);
  else {
    const cb = comps[1], cr = comps[2];
    ycc(out, activity, w, h, y.dc, y.act, blockCols(y, w, hmax), blockRows(y, h, vmax), qy,
      cb.dc, blockCols(cb, w, hmax), blockRows(cb, h, vmax), qt[cb.tq]![0] / 8,
      cr.dc, blockCols(cr, w, hmax), blockRows(cr, h, vmax), qt[cr.tq]![0] / 8);
  }
  return { data: out, width: w, height: h, fullWidth: width, fullHeight: height, activity, components: comps.length };
}

