/**
 * DC-only JPEG decoder (JPEG 直流分量解码): decodes the entropy-coded data of a sequential, Huffman-coded
 * JPEG (SOF0/SOF1, 8-bit; any sampling factors, restart intervals, several scans; 1 or 3 components) and
 * keeps only each 8×8 block's DC coefficient — the block's mean — giving a 1/8-scale picture (60×80 for
 * 480×640) in sRGB. AC coefficients are Huffman-decoded only to be skipped; for the luma component their
 * de-quantised magnitude is summed per block (`activity`), a measure of texture/edges inside the block.
 *
 * Pure TypeScript, ~10× cheaper than a full decode. Returns null for anything it does not handle
 * (progressive, arithmetic, 12-bit, CMYK/RGB JPEG, Adobe transform 0) and for corrupt data, so the caller
 * falls back to a full decode.
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
  /** 9-bit first-level lookup: (length << 8) | symbol, 0 = longer code. */
  fast: Uint16Array;
  maxcode: Int32Array;
  valptr: Int32Array;
  mincode: Int32Array;
  values: Uint8Array;
}

const FAST_BITS = 9;

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
  return { fast, maxcode, valptr, mincode, values };
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
  act: Float32Array | null;
  pred: number;
}

class Corrupt extends Error {}

/** Bit reader over entropy-coded data (byte stuffing, markers stop the bits). */
class Bits {
  pos: number;
  buf = 0;
  cnt = 0;
  /** A marker was met (0xFFxx, xx ≠ 0): no more bytes are consumed. */
  marker = -1;
  /** Zero bytes fed after the data ended (at a marker). */
  pad = 0;
  constructor(private d: Uint8Array, start: number) {
    this.pos = start;
  }
  fill(): void {
    const d = this.d;
    while (this.cnt <= 24) {
      let b = 0;
      if (this.marker >= 0) this.pad++;
      else {
        if (this.pos >= d.length) {
          this.marker = 0xd9; // ran out of data: treat as EOI
          this.pad++;
        } else {
          b = d[this.pos++];
          if (b === 0xff) {
            let c = d[this.pos];
            while (c === 0xff) c = d[++this.pos]; // fill bytes
            if (c === 0) this.pos++;
            else {
              this.marker = c;
              this.pos--; // leave pos at the 0xFF of the marker
              b = 0;
              this.pad++;
            }
          }
        }
      }
      this.buf = (this.buf << 8) | b;
      this.cnt += 8;
    }
  }
  decode(h: Huff): number {
    if (this.cnt < 16) this.fill();
    const look = (this.buf >>> (this.cnt - FAST_BITS)) & ((1 << FAST_BITS) - 1);
    const e = h.fast[look];
    if (e) {
      this.cnt -= e >> 8;
      return e & 0xff;
    }
    // Longer code.
    let len = FAST_BITS + 1;
    let code = (this.buf >>> (this.cnt - len)) & ((1 << len) - 1);
    while (len <= 16 && code > h.maxcode[len]) {
      len++;
      code = (this.buf >>> (this.cnt - len)) & ((1 << len) - 1);
    }
    if (len > 16) throw new Corrupt('bad huffman code');
    this.cnt -= len;
    return h.values[h.valptr[len] + code - h.mincode[len]];
  }
  /** Read s bits (s ≤ 16) and sign-extend (JPEG EXTEND). */
  receive(s: number): number {
    if (this.cnt < s) this.fill();
    const v = (this.buf >>> (this.cnt - s)) & ((1 << s) - 1);
    this.cnt -= s;
    return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
  }
  /** More bits were consumed than the data held (read into the zero padding after a marker). */
  overrun(): boolean {
    return this.pad * 8 > this.cnt;
  }
  /** Drop the buffered bits (byte alignment before a restart marker) and find that marker. */
  toMarker(): void {
    if (this.marker < 0) {
      const d = this.d;
      let p = this.pos;
      while (p + 1 < d.length && !(d[p] === 0xff && d[p + 1] !== 0 && d[p + 1] !== 0xff)) p++;
      if (p + 1 >= d.length) throw new Corrupt('no marker');
      this.pos = p;
      this.marker = d[p + 1];
    }
    this.buf = 0;
    this.cnt = 0;
    this.pad = 0;
  }
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

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
      comps = [];
      for (let i = 0; i < n; i++) {
        const o = s + 6 + i * 3;
        const h = d[o + 1] >> 4, v = d[o + 1] & 15;
        if (h < 1 || h > 4 || v < 1 || v > 4) return null;
        comps.push({ id: d[o], h, v, tq: d[o + 2] & 3, bw: 0, bh: 0, dc: new Int32Array(0), act: null, pred: 0 });
      }
      hmax = Math.max(...comps.map((c) => c.h));
      vmax = Math.max(...comps.map((c) => c.v));
      mcusX = Math.ceil(width / (8 * hmax));
      mcusY = Math.ceil(height / (8 * vmax));
      for (const c of comps) {
        c.bw = mcusX * c.h;
        c.bh = mcusY * c.v;
        c.dc = new Int32Array(c.bw * c.bh);
      }
      comps[0].act = new Float32Array(comps[0].bw * comps[0].bh);
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
  if (comps.length === 3 && adobe === 0) return null; // RGB-coded JPEG
  return toPicture(comps, qt, width, height, hmax, vmax);
}

/** Decode one scan; returns the offset of the marker that ends it. */
function decodeScan(
  d: Uint8Array, start: number, sc: { c: Comp; dcH: Huff; acH: Huff }[], interleaved: boolean,
  mcusX: number, mcusY: number, width: number, height: number, hmax: number, vmax: number, restart: number, qt: (Int32Array | undefined)[],
): number {
  const bits = new Bits(d, start);
  for (const s of sc) s.c.pred = 0;
  let total: number;
  let perLine = 0;
  if (interleaved) total = mcusX * mcusY;
  else {
    const c = sc[0].c;
    perLine = Math.ceil(Math.ceil((width * c.h) / hmax) / 8);
    total = perLine * Math.ceil(Math.ceil((height * c.v) / vmax) / 8);
  }
  let todo = restart || total;
  for (let n = 0; n < total; n++) {
    if (todo === 0) {
      // Expect RSTn (after at most 7 padding bits).
      if (bits.overrun()) throw new Corrupt('interval overran its data');
      bits.toMarker();
      if (bits.marker < 0xd0 || bits.marker > 0xd7) throw new Corrupt('restart marker missing');
      bits.pos += 2;
      bits.marker = -1;
      for (const s of sc) s.c.pred = 0;
      todo = restart;
    }
    todo--;
    if (interleaved) {
      const mx = n % mcusX, my = (n / mcusX) | 0;
      for (const s of sc) {
        const c = s.c;
        const q = qt[c.tq]!;
        for (let j = 0; j < c.v; j++) {
          for (let i = 0; i < c.h; i++) decodeBlock(bits, s.dcH, s.acH, c, (my * c.v + j) * c.bw + mx * c.h + i, q);
        }
      }
    } else {
      const s = sc[0];
      const bx = n % perLine, by = (n / perLine) | 0;
      decodeBlock(bits, s.dcH, s.acH, s.c, by * s.c.bw + bx, qt[s.c.tq]!);
    }
  }
  if (bits.overrun()) throw new Corrupt('scan overran its data');
  // Find the marker that ends the scan.
  bits.toMarker();
  if (bits.marker >= 0xd0 && bits.marker <= 0xd7) throw new Corrupt('unexpected restart marker');
  return bits.pos;
}

function decodeBlock(bits: Bits, dcH: Huff, acH: Huff, c: Comp, idx: number, q: Int32Array): void {
  const t = bits.decode(dcH);
  if (t > 11) throw new Corrupt('bad DC class');
  const diff = t ? bits.receive(t) : 0;
  c.pred += diff;
  c.dc[idx] = c.pred;
  const act = c.act;
  let sum = 0;
  for (let k = 1; k < 64;) {
    const rs = bits.decode(acH);
    const r = rs >> 4, s = rs & 15;
    if (s === 0) {
      if (r !== 15) break;
      k += 16;
      continue;
    }
    k += r;
    if (k > 63) throw new Corrupt('AC index');
    const v = bits.receive(s);
    if (act) sum += (v < 0 ? -v : v) * q[k];
    k++;
  }
  if (act) act[idx] = sum;
}

function toPicture(comps: Comp[], qt: (Int32Array | undefined)[], width: number, height: number, hmax: number, vmax: number): DcImage {
  const w = Math.ceil(width / 8), h = Math.ceil(height / 8);
  const out = new Uint8Array(w * h * 3);
  const activity = new Float32Array(w * h);
  const y = comps[0];
  const qy = qt[y.tq]![0] / 8;
  // Output pixel (ox, oy) reads block (ox·h/hmax, oy·v/vmax) of each component.
  const cols = (c: Comp) => Int32Array.from({ length: w }, (_, ox) => Math.min(c.bw - 1, Math.floor((ox * c.h) / hmax)));
  const rows = (c: Comp) => Int32Array.from({ length: h }, (_, oy) => Math.min(c.bh - 1, Math.floor((oy * c.v) / vmax)) * c.bw);
  const ydc = y.dc, yact = y.act!, yc = cols(y), yr = rows(y);
  if (comps.length === 1) {
    for (let oy = 0, o = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++, o++) {
        const i = yr[oy] + yc[ox];
        const v = clamp(Math.round(ydc[i] * qy + 128));
        out[o * 3] = out[o * 3 + 1] = out[o * 3 + 2] = v;
        activity[o] = yact[i];
      }
    }
  } else {
    const cb = comps[1], cr = comps[2];
    const qb = qt[cb.tq]![0] / 8, qr = qt[cr.tq]![0] / 8;
    const bdc = cb.dc, rdc = cr.dc, bc = cols(cb), br = rows(cb), rc = cols(cr), rr = rows(cr);
    for (let oy = 0, o = 0; oy < h; oy++) {
      for (let ox = 0; ox < w; ox++, o++) {
        const iy = yr[oy] + yc[ox];
        const Y = ydc[iy] * qy + 128;
        const B = bdc[br[oy] + bc[ox]] * qb;
        const R = rdc[rr[oy] + rc[ox]] * qr;
        out[o * 3] = clamp(Math.round(Y + 1.402 * R));
        out[o * 3 + 1] = clamp(Math.round(Y - 0.344136 * B - 0.714136 * R));
        out[o * 3 + 2] = clamp(Math.round(Y + 1.772 * B));
        activity[o] = yact[iy];
      }
    }
  }
  return { data: out, width: w, height: h, fullWidth: width, fullHeight: height, activity, components: comps.length };
}

