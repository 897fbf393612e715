/**
 * A small baseline JPEG writer (测试用 JPEG 生成器, tests only): any sampling factors, restart intervals,
 * interleaved or one scan per component, random AC coefficients (which the DC decoder must decode to skip, and
 * which do not change a block's mean), custom Huffman tables with codes longer than the decoder's first-level
 * lookup; component ids, extra segments after SOI and bytes before the first marker for the corpus findings.
 */
import { prng } from './synthetic.js';

interface Table { counts: number[]; symbols: number[]; code: Map<number, [number, number]> }

function huffTable(byLength: Record<number, number[]>): Table {
  const counts = new Array(16).fill(0);
  const symbols: number[] = [];
  const code = new Map<number, [number, number]>();
  let c = 0;
  for (let len = 1; len <= 16; len++) {
    for (const s of byLength[len] ?? []) {
      counts[len - 1]++;
      symbols.push(s);
      code.set(s, [c++, len]);
    }
    c <<= 1;
  }
  return { counts, symbols, code };
}

const DC_TABLE = huffTable({ 2: [0], 3: [1, 2, 3, 4, 5], 4: [6], 5: [7], 6: [8], 7: [9], 8: [10], 9: [11] });
const AC_SYMBOLS: number[] = [];
for (let r = 0; r < 16; r++) for (let s = 1; s <= 10; s++) AC_SYMBOLS.push((r << 4) | s);
// EOB and one short symbol at 2 bits; 100 symbols at 9 bits (fast path); the rest and ZRL at 12 bits (slow path, > FAST_BITS).
const AC_TABLE = huffTable({ 2: [0x00, 0x01], 9: AC_SYMBOLS.filter((s) => s !== 0x01).slice(0, 100), 12: [...AC_SYMBOLS.filter((s) => s !== 0x01).slice(100), 0xf0] });

class BitWriter {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  put(value: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0);
    this.acc = 0;
    this.n = 0;
  }
  align(): void {
    while (this.n) this.put(1, 1);
  }
}

function magnitude(v: number): [number, number] {
  const a = Math.abs(v);
  let s = 0;
  while (a >> s) s++;
  return [s, v >= 0 ? v : v + (1 << s) - 1];
}

export interface WriteOptions {
  width: number;
  height: number;
  /** Sampling factors per component (1 or 3 components). */
  sampling: [number, number][];
  restart?: number;
  /** One scan per component instead of one interleaved scan. */
  separateScans?: boolean;
  /** Block mean (0–255) of component c at block (bx, by) of its own grid. */
  level: (c: number, bx: number, by: number) => number;
  seed?: number;
  /** Component ids (default 1, 2, 3; 'R','G','B' = 0x52, 0x47, 0x42 marks an RGB-coded file). */
  ids?: number[];
  /** Segments written right after SOI, each `[marker, ...payload]` (e.g. COM 0xFE, APP2 ICC 0xE2). */
  segments?: number[][];
  /** Bytes between SOI and the first marker (garbage libjpeg skips with a warning). */
  afterSoi?: number[];
  /** Write no AC coefficients: every block is flat at its level. */
  flat?: boolean;
}

export function writeJpeg(o: WriteOptions): Buffer {
  const out: number[] = [0xff, 0xd8, ...(o.afterSoi ?? [])];
  const seg = (m: number, body: number[]) => {
    out.push(0xff, m, (body.length + 2) >> 8, (body.length + 2) & 255);
    for (const b of body) out.push(b);
  };
  for (const [m, ...body] of o.segments ?? []) seg(m, body);
  const ids = o.ids ?? o.sampling.map((_, i) => i + 1);
  // DQT: DC step 8 (DC coefficient = mean − 128), AC steps 1.
  seg(0xdb, [0, 8, ...new Array(63).fill(1)]);
  const hmax = Math.max(...o.sampling.map((s) => s[0])), vmax = Math.max(...o.sampling.map((s) => s[1]));
  seg(0xc0, [8, o.height >> 8, o.height & 255, o.width >> 8, o.width & 255, o.sampling.length, ...o.sampling.flatMap(([h, v], i) => [ids[i], (h << 4) | v, 0])]);
  seg(0xc4, [0x00, ...DC_TABLE.counts, ...DC_TABLE.symbols]);
  seg(0xc4, [0x10, ...AC_TABLE.counts, ...AC_TABLE.symbols]);
  if (o.restart) seg(0xdd, [o.restart >> 8, o.restart & 255]);
  const rnd = prng(o.seed ?? 5);
  const mcusX = Math.ceil(o.width / (8 * hmax)), mcusY = Math.ceil(o.height / (8 * vmax));
  const code = (t: Table, s: number, w: BitWriter) => {
    const [c, len] = t.code.get(s)!;
    w.put(c, len);
  };
  const writeScan = (comps: number[]) => {
    seg(0xda, [comps.length, ...comps.flatMap((c) => [ids[c], 0x00]), 0, 63, 0]);
    const w = new BitWriter();
    const pred = comps.map(() => 0);
    const block = (ci: number, bx: number, by: number) => {
      const dc = Math.round(o.level(comps[ci], bx, by)) - 128;
      const [s, bits] = magnitude(dc - pred[ci]);
      pred[ci] = dc;
      code(DC_TABLE, s, w);
      if (s) w.put(bits, s);
      // A few AC coefficients, sometimes after a run of more than 15 zeros (ZRL).
      let k = 1;
      while (!o.flat && k < 64 && rnd() < 0.6) {
        let run = Math.floor(rnd() * (rnd() < 0.1 ? 30 : 6));
        if (k + run > 63) break;
        while (run > 15) {
          code(AC_TABLE, 0xf0, w);
          run -= 16;
          k += 16;
        }
        k += run;
        const v = (rnd() < 0.5 ? -1 : 1) * (1 + Math.floor(rnd() * (rnd() < 0.1 ? 40 : 4)));
        const [sz, vb] = magnitude(v);
        code(AC_TABLE, (run << 4) | sz, w);
        w.put(vb, sz);
        k++;
      }
      if (k < 64) code(AC_TABLE, 0x00, w);
    };
    const units = comps.length > 1 ? mcusX * mcusY : Math.ceil(Math.ceil((o.width * o.sampling[comps[0]][0]) / hmax) / 8) * Math.ceil(Math.ceil((o.height * o.sampling[comps[0]][1]) / vmax) / 8);
    const perLine = comps.length > 1 ? mcusX : Math.ceil(Math.ceil((o.width * o.sampling[comps[0]][0]) / hmax) / 8);
    let rst = 0;
    const bytes: number[] = [];
    for (let n = 0; n < units; n++) {
      if (o.restart && n > 0 && n % o.restart === 0) {
        w.align();
        bytes.push(...w.bytes, 0xff, 0xd0 + (rst++ & 7));
        w.bytes = [];
        pred.fill(0);
      }
      const mx = n % perLine, my = Math.floor(n / perLine);
      if (comps.length > 1) {
        comps.forEach((c, ci) => {
          const [h, v] = o.sampling[c];
          for (let j = 0; j < v; j++) for (let i = 0; i < h; i++) block(ci, mx * h + i, my * v + j);
        });
      } else block(0, mx, my);
    }
    w.align();
    out.push(...bytes, ...w.bytes);
  };
  if (o.separateScans) o.sampling.forEach((_, c) => writeScan([c]));
  else writeScan(o.sampling.map((_, c) => c));
  out.push(0xff, 0xd9);
  return Buffer.from(out);
}

