import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lyingEntry, rawZip, storedEntry, yazlZip, zeroBombEntry } from '../testing/zips.js';
import { decodeZipName, photoSourceMaxBytes, readZipEntries, unsafeNameReason, type ZipItem, type ZipLimits } from './zip.js';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-zip-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function toFile(bytes: Buffer): Promise<string> {
  const file = path.join(dir, `z${n++}.zip`);
  await writeFile(file, bytes);
  return file;
}

interface Seen {
  kind: ZipItem['kind'];
  name?: string;
  code?: string;
  message?: string;
  bytes?: string;
}

/** Walk an archive as a consumer does: read every entry, note every refusal. */
async function walk(file: string, limits: Partial<ZipLimits> = {}): Promise<Seen[]> {
  const out: Seen[] = [];
  for await (const item of readZipEntries(file, { limits })) {
    if (item.kind === 'stop') out.push({ kind: 'stop', code: item.error.code, message: item.error.message });
    else if (item.kind === 'error') out.push({ kind: 'error', name: item.name, code: item.error.code, message: item.error.message });
    else if (item.kind === 'skipped') out.push({ kind: 'skipped', name: item.name });
    else {
      try {
        out.push({ kind: 'entry', name: item.name, bytes: (await item.read()).toString() });
      } catch (err) {
        const e = err as { code: string; message: string };
        out.push({ kind: 'error', name: item.name, code: e.code, message: e.message });
      }
    }
  }
  return out;
}

describe('readZipEntries: bombs stop the archive before anything is inflated', () => {
  it('a 1 GiB entry in a ~1 MB zip → ZIP_BOMB, with the ratio and its limit in Chinese', async () => {
    const file = await toFile(rawZip([zeroBombEntry('2337001200001.jpg', 1024), storedEntry('ok.jpg', Buffer.from('ok'))]));
    expect((await stat(file)).size).toBeLessThan(2 * 1024 * 1024);
    const seen = await walk(file);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'stop', code: 'ZIP_BOMB' });
    expect(seen[0].message).toMatch(/1024\.0 MB.*压缩比 \d+:1.*上限 200:1.*压缩炸弹/);
  });

  it('4 × 512 MiB → ZIP_BOMB up front; without the ratio rule, the total cap refuses it (ZIP_TOTAL_TOO_LARGE)', async () => {
    const entries = [1, 2, 3, 4].map((i) => zeroBombEntry(`233700120000${i}.jpg`, 512));
    const file = await toFile(rawZip(entries));
    expect(await walk(file)).toEqual([expect.objectContaining({ kind: 'stop', code: 'ZIP_BOMB' })]);
    const seen = await walk(file, { maxRatio: Infinity, maxEntryBytes: 1024 ** 3, maxTotalBytes: 1024 ** 3 });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ kind: 'stop', code: 'ZIP_TOTAL_TOO_LARGE' });
    expect(seen[0].message).toContain('1024.0 MB');
  });

  it('a lying header (declares 1000 bytes, inflates to 64 MiB) → ZIP_BOMB at byte 1001; nothing after it is read', async () => {
    const file = await toFile(rawZip([storedEntry('a.jpg', Buffer.from('first')), lyingEntry('b.jpg', 1000, 64), storedEntry('c.jpg', Buffer.from('after'))]));
    const seen = await walk(file);
    expect(seen.map((s) => [s.kind, s.code ?? s.bytes])).toEqual([
      ['entry', 'first'],
      ['error', 'ZIP_BOMB'],
      ['stop', 'ZIP_BOMB'],
    ]);
    expect(seen[2].message).toMatch(/声明的 1000 字节/);
  });

  it('100,000 entries → ZIP_TOO_MANY_ENTRIES before any entry is read', async () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => storedEntry(`p/${i}.jpg`, Buffer.alloc(0)));
    const file = await toFile(rawZip(entries));
    const seen = await walk(file);
    expect(seen).toEqual([expect.objectContaining({ kind: 'stop', code: 'ZIP_TOO_MANY_ENTRIES' })]);
    expect(seen[0].message).toContain('100000 个条目，超过上限 20000 个');
  });
});

describe('readZipEntries: refusals per entry, the rest goes on', () => {
  it('zip-slip names are refused by name (../, absolute, drive letters, NUL); good entries still read', async () => {
    const bad = ['../../etc/passwd.jpg', '/etc/abs.jpg', 'C:\\Windows\\x.jpg', 'a/C:/x.jpg', 'nul\0.jpg', 'ok/..\\..\\y.jpg'];
    const file = await toFile(rawZip([...bad.map((name) => storedEntry(name, Buffer.from('x'))), storedEntry('张三.jpg', Buffer.from('good'))]));
    const seen = await walk(file);
    expect(seen.slice(0, bad.length).map((s) => s.code)).toEqual(bad.map(() => 'ZIP_UNSAFE_NAME'));
    expect(seen[0].message).toContain('../');
    expect(seen[bad.length]).toEqual({ kind: 'entry', name: '张三.jpg', bytes: 'good' });
    expect(unsafeNameReason('学习中心/张三.jpg')).toBeNull();
  });

  it('an entry over the per-entry cap is refused with the cap; a corrupt and an encrypted entry among good ones', async () => {
    const garbage = Buffer.alloc(64, 0xff);
    const file = await toFile(
      rawZip([
        storedEntry('big.jpg', Buffer.alloc(2000, 1)),
        { name: 'broken.jpg', data: garbage, method: 8, uncompressedSize: 800 },
        { ...storedEntry('locked.jpg', Buffer.from('secret')), flags: 0x1 },
        storedEntry('good.jpg', Buffer.from('good')),
      ]),
    );
    const seen = await walk(file, { maxEntryBytes: 1000 });
    expect(seen.map((s) => s.code ?? s.bytes)).toEqual(['ZIP_ENTRY_TOO_LARGE', 'ZIP_ENTRY_CORRUPT', 'ZIP_ENCRYPTED', 'good']);
    expect(seen[0].message).toMatch(/2000 字节，超过单个照片文件上限 1000 字节/);
    expect(seen[1].message).toMatch(/损坏/);
  });

  it('a deflated entry that inflates to fewer bytes than declared is damaged, not a bomb', async () => {
    const data = zlib.deflateRawSync(Buffer.from('short'));
    const file = await toFile(rawZip([{ name: 'short.jpg', data, method: 8, uncompressedSize: 500 }, storedEntry('next.jpg', Buffer.from('n'))]));
    expect((await walk(file)).map((s) => s.code ?? s.bytes)).toEqual(['ZIP_ENTRY_CORRUPT', 'n']);
  });

  it('reads a real yazl archive, folders skipped; a file that is no zip is one stop item', async () => {
    const file = await toFile(await yazlZip([{ name: '一班/2337001200001.jpg', data: Buffer.from('one') }]));
    expect(await walk(file)).toEqual([{ kind: 'entry', name: '一班/2337001200001.jpg', bytes: 'one' }]);
    const notZip = await toFile(Buffer.from('not a zip at all'));
    expect(await walk(notZip)).toEqual([expect.objectContaining({ kind: 'stop', code: 'ZIP_INVALID' })]);
  });
});

describe('entry names', () => {
  it('GBK names without the UTF-8 flag (Windows built-in compression, Linux zip) decode as Chinese', async () => {
    const gbk = iconv.encode('历下 学习中心/张三 2337001200001.jpg', 'gbk');
    expect(gbk.includes(Buffer.from('张三', 'utf8'))).toBe(false);
    const file = await toFile(rawZip([storedEntry(gbk, Buffer.from('g'))]));
    expect(await walk(file)).toEqual([{ kind: 'entry', name: '历下 学习中心/张三 2337001200001.jpg', bytes: 'g' }]);
  });

  it('CP437 when the bytes are no valid GBK (old DOS and some Western archivers)', async () => {
    // 0x82 = é, 0xC0 = └ in CP437; 0x82 0x2E and a lone 0xC0 at the end are not GBK sequences.
    expect(decodeZipName(Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x6a, 0x70, 0x67]), 0)).toBe('café.jpg');
    expect(decodeZipName(Buffer.from([0x61, 0xc0]), 0)).toBe('a└');
    const file = await toFile(rawZip([storedEntry(Buffer.from([0x63, 0x61, 0x66, 0x82, 0x2e, 0x6a, 0x70, 0x67]), Buffer.from('c'))]));
    expect((await walk(file))[0].name).toBe('café.jpg');
  });

  it('honours the UTF-8 flag, the Info-ZIP unicode path field, unflagged UTF-8, GB18030 four-byte characters', () => {
    const utf8 = Buffer.from('张三.jpg', 'utf8');
    const gbk = iconv.encode('张三.jpg', 'gbk');
    expect(decodeZipName(utf8, 0x800)).toBe('张三.jpg');
    expect(decodeZipName(utf8, 0)).toBe('张三.jpg');
    expect(decodeZipName(gbk, 0)).toBe('张三.jpg');
    expect(decodeZipName(Buffer.from('plain.jpg'), 0)).toBe('plain.jpg');
    expect(decodeZipName(iconv.encode('䶮.jpg', 'gb18030'), 0)).toBe('䶮.jpg');
    const upath = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), Buffer.from('李四.jpg', 'utf8')]);
    expect(decodeZipName(gbk, 0, [{ id: 0x7075, data: upath }])).toBe('李四.jpg');
  });
});

describe('limits from the profile', () => {
  it('the per-entry cap is max(bytes.max × 512, 50 MiB)', () => {
    expect(photoSourceMaxBytes({ bytes: { max: 40 * 1024 } })).toBe(50 * 1024 * 1024);
    expect(photoSourceMaxBytes({ bytes: { max: 200 * 1024 } })).toBe(100 * 1024 * 1024);
    expect(photoSourceMaxBytes(null)).toBe(50 * 1024 * 1024);
  });
});
