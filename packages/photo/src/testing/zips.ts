/**
 * Hostile zip archives for tests (测试用压缩包), built by code: a plain zip writer that can declare any sizes
 * (yazl cannot lie), and deflate streams of zeros of any length made from one flushed block repeated, so a
 * 1 GiB entry costs about 1 MB and a millisecond to build.
 */
import zlib from 'node:zlib';
import yazl from 'yazl';

/** One entry as written: the bytes stored (already deflated when `method` is 8) and what the headers declare. */
export interface RawZipEntry {
  /** A string is written as UTF-8 with the UTF-8 flag; a Buffer as raw bytes without it. */
  name: string | Buffer;
  /** Stored bytes. */
  data: Buffer;
  /** 0 stored, 8 deflate. */
  method: 0 | 8;
  /** Declared uncompressed size (may lie). */
  uncompressedSize: number;
  crc32?: number;
  /** General-purpose flags to add (e.g. 0x1 encrypted). */
  flags?: number;
}

const MIB = 1024 * 1024;

/** Raw deflate of `mib` MiB of zeros, with its CRC-32: one fully flushed block of 1 MiB repeated. */
export function deflatedZeros(mib: number): { data: Buffer; crc32: number } {
  const zeros = Buffer.alloc(MIB);
  // A full flush ends the block on a byte boundary and resets the history: the bytes are self-contained.
  const block = zlib.deflateRawSync(zeros, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const final = zlib.deflateRawSync(Buffer.alloc(0));
  let crc = 0;
  for (let i = 0; i < mib; i++) crc = zlib.crc32(zeros, crc);
  return { data: Buffer.concat([...Array.from({ length: mib }, () => block), final]), crc32: crc };
}

/** Write a zip with exactly the headers given (sizes < 4 GiB; a zip64 end record when over 65,535 entries). */
export function rawZip(entries: readonly RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const utf8 = typeof e.name === 'string';
    const name = typeof e.name === 'string' ? Buffer.from(e.name, 'utf8') : e.name;
    const flags = (utf8 ? 0x800 : 0) | (e.flags ?? 0);
    const crc = e.crc32 ?? (e.method === 0 ? zlib.crc32(e.data) : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(0x58210000, 10); // 2024-01-01 00:00 DOS time/date
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.uncompressedSize, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(0x58210000, 12);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.uncompressedSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cdSize = centrals.reduce((n, b) => n + b.length, 0);
  const zip64: Buffer[] = [];
  if (entries.length >= 0xffff) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    zip64.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, ...zip64, eocd]);
}

/** A stored entry with honest headers. */
export function storedEntry(name: string | Buffer, data: Buffer): RawZipEntry {
  return { name, data, method: 0, uncompressedSize: data.length };
}

/** One entry of `mib` MiB of zeros, deflated (ratio ≈ 1000:1). */
export function zeroBombEntry(name: string, mib: number): RawZipEntry {
  const { data, crc32 } = deflatedZeros(mib);
  return { name, data, method: 8, uncompressedSize: mib * MIB, crc32 };
}

/** An entry that declares `declared` bytes but inflates to `mib` MiB (a lying header). */
export function lyingEntry(name: string, declared: number, mib: number): RawZipEntry {
  const { data } = deflatedZeros(mib);
  return { name, data, method: 8, uncompressedSize: declared };
}

/** An honest zip made by yazl, in memory (`store` keeps an entry uncompressed). */
export function yazlZip(entries: readonly { name: string; data: Buffer; store?: boolean }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addBuffer(e.data, e.name, { compress: !e.store, mtime: new Date(2024, 0, 1) });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}
