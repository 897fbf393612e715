import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import iconv from 'iconv-lite';
import { yazlZip as buildZip } from '../testing/zips.js';
import { iterateSources, safeSegments, type SkippedSource, type SourceItem } from './sources.js';

let dir: string;

async function collect(paths: string[], opts = {}, skipped: SkippedSource[] = []): Promise<SourceItem[]> {
  const out: SourceItem[] = [];
  for await (const item of iterateSources(paths, { ...opts, onSkip: (s: SkippedSource) => skipped.push(s) })) out.push(item);
  return out;
}

/** The first bytes of a baseline JPEG (SOI, APP0 JFIF): enough for content sniffing. */
const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01]);

/**
 * Rewrite every UTF-8 entry name of a zip as GBK bytes and clear the UTF-8 flag (bit 11), the way a Chinese
 * Windows archiver writes it. GBK names here have the same byte length as… not in general, so names are
 * chosen so that GBK (2 bytes per Han character) and UTF-8 (3 bytes) differ: we rebuild the headers.
 */
function toGbkZip(zip: Buffer): Buffer {
  // Walk local headers and central directory, re-encoding names; offsets are recomputed.
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const localOffsets = new Map<number, number>();
  let p = 0;
  let out = 0;
  while (zip.readUInt32LE(p) === 0x04034b50) {
    const flags = zip.readUInt16LE(p + 6);
    const compSize = zip.readUInt32LE(p + 18);
    const nameLen = zip.readUInt16LE(p + 26);
    const extraLen = zip.readUInt16LE(p + 28);
    const name = zip.subarray(p + 30, p + 30 + nameLen).toString('utf8');
    const gbk = iconv.encode(name, 'gbk');
    const header = Buffer.from(zip.subarray(p, p + 30));
    header.writeUInt16LE(flags & ~0x800, 6);
    header.writeUInt16LE(gbk.length, 26);
    const extra = zip.subarray(p + 30 + nameLen, p + 30 + nameLen + extraLen);
    const dataStart = p + 30 + nameLen + extraLen;
    let dataEnd = dataStart + compSize;
    if (flags & 0x8) {
      // data descriptor follows (yazl writes sizes there): signature + crc + sizes
      dataEnd += zip.readUInt32LE(dataEnd) === 0x08074b50 ? 16 : 12;
    }
    localOffsets.set(p, out);
    const chunk = Buffer.concat([header, gbk, extra, zip.subarray(dataStart, dataEnd)]);
    parts.push(chunk);
    out += chunk.length;
    p = dataEnd;
  }
  const cdStart = out;
  while (zip.readUInt32LE(p) === 0x02014b50) {
    const flags = zip.readUInt16LE(p + 8);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const gbk = iconv.encode(name, 'gbk');
    const header = Buffer.from(zip.subarray(p, p + 46));
    header.writeUInt16LE(flags & ~0x800, 8);
    header.writeUInt16LE(gbk.length, 28);
    header.writeUInt32LE(localOffsets.get(localOffset) as number, 42);
    const rest = zip.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen + commentLen);
    const chunk = Buffer.concat([header, gbk, rest]);
    central.push(chunk);
    out += chunk.length;
    p += 46 + nameLen + extraLen + commentLen;
  }
  const eocd = Buffer.from(zip.subarray(p, p + 22));
  const cdSize = out - cdStart;
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(cdStart, 16);
  return Buffer.concat([...parts, ...central, eocd]);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-sources-'));
  await mkdir(path.join(dir, '照片 2024', '计算机 一班', '深层'), { recursive: true });
  await writeFile(path.join(dir, '照片 2024', '张三.jpg'), Buffer.from('a'));
  await writeFile(path.join(dir, '照片 2024', '计算机 一班', '李四.png'), Buffer.from('bb'));
  await writeFile(path.join(dir, '照片 2024', '计算机 一班', '深层', '王五.txt'), Buffer.from('ccc'));
  await writeFile(path.join(dir, '照片 2024', '.DS_Store'), Buffer.from('x'));
  await writeFile(path.join(dir, '照片 2024', 'Thumbs.db'), Buffer.from('x'));
  await writeFile(path.join(dir, '照片 2024', '._张三.jpg'), Buffer.from('x'));
  await mkdir(path.join(dir, '照片 2024', '__MACOSX'));
  await writeFile(path.join(dir, '照片 2024', '__MACOSX', 'junk.jpg'), Buffer.from('x'));
  await writeFile(path.join(dir, 'big.jpg'), Buffer.alloc(3000));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('iterateSources: files and folders', () => {
  it('walks nested folders with Chinese names and spaces; skips and counts litter and non-photos', async () => {
    const skipped: SkippedSource[] = [];
    const items = await collect([path.join(dir, '照片 2024')], {}, skipped);
    const names = items.map((i) => i.fileName).sort();
    // 李四.png holds 'bb' — a photo name with non-photo content is still reported (by the engine), not skipped.
    expect(names).toEqual(['张三.jpg', '李四.png'].sort());
    expect(items.every((i) => i.kind === 'file')).toBe(true);
    const deep = items.find((i) => i.fileName === '李四.png');
    expect(deep?.relPath).toBe('计算机 一班/李四.png');
    expect(deep?.name.endsWith('照片 2024/计算机 一班/李四.png')).toBe(true);
    if (deep?.kind !== 'file') throw new Error('expected a file');
    expect((await deep.read()).toString()).toBe('bb');
    expect(skipped.map((s) => `${s.fileName}:${s.reason}`).sort()).toEqual(
      ['.DS_Store:system', 'Thumbs.db:system', '._张三.jpg:system', '王五.txt:not-photo'].sort(),
    );
  });

  it('a photo keeps its output next to a non-photo with the same stem; a renamed JPEG is processed', async () => {
    const root = path.join(dir, '同名');
    await mkdir(root, { recursive: true });
    await writeFile(path.join(root, '003_03.jpg'), JPEG_HEAD);
    await writeFile(path.join(root, '003_03.tem'), Buffer.from('179\n0 0\n1 1\n'));
    await writeFile(path.join(root, 'desktop.ini'), Buffer.from('[.ShellClassInfo]\r\n'));
    await writeFile(path.join(root, '名单.docx'), Buffer.from('PK\x03\x04 office document'));
    await writeFile(path.join(root, '2337001200001.tmp'), JPEG_HEAD); // renamed, content is a JPEG
    await writeFile(path.join(root, '2337001200002'), JPEG_HEAD); // no extension at all
    const skipped: SkippedSource[] = [];
    const items = await collect([root], {}, skipped);
    expect(items.map((i) => i.fileName).sort()).toEqual(['003_03.jpg', '2337001200001.tmp', '2337001200002']);
    expect(skipped.map((s) => s.fileName).sort()).toEqual(['003_03.tem', 'desktop.ini', '名单.docx']);
    // A file named on the command line is the user's choice: processed (and reported) even if no photo.
    const named = await collect([path.join(root, '003_03.tem')], {}, skipped);
    expect(named).toHaveLength(1);
  });

  it('a file argument keeps its base name as relPath; a missing path is an error item, not a throw', async () => {
    const items = await collect([path.join(dir, '照片 2024', '张三.jpg'), path.join(dir, '不存在.jpg')]);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ kind: 'file', fileName: '张三.jpg', relPath: '张三.jpg' });
    expect(items[1]).toMatchObject({ kind: 'error', error: { code: 'NOT_FOUND' } });
  });

  it('refuses a file over the size limit at read time with FILE_TOO_LARGE', async () => {
    const [item] = await collect([path.join(dir, 'big.jpg')], { maxBytes: 1000 });
    if (item.kind !== 'file') throw new Error('expected a file');
    await expect(item.read()).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
  });

  it('is lazy: pulling one item does not walk the rest', async () => {
    const it = iterateSources([path.join(dir, '照片 2024'), path.join(dir, '不存在')]);
    const first = await it.next();
    expect(first.done).toBe(false);
    await it.return(undefined);
  });
});

describe('iterateSources: zip archives', () => {
  it('reads entries lazily with UTF-8 names, skipping folders and __MACOSX', async () => {
    const zip = await buildZip([
      { name: '计算机 一班/1837001400123.jpg', data: Buffer.from('one') },
      { name: '__MACOSX/计算机 一班/._1837001400123.jpg', data: Buffer.from('junk') },
      { name: 'notes.txt', data: Buffer.from('two'), store: true },
      { name: '1837001400124.dat', data: JPEG_HEAD },
    ]);
    const file = path.join(dir, '照片 包.zip');
    await writeFile(file, zip);
    const skipped: SkippedSource[] = [];
    const items = await collect([file], {}, skipped);
    expect(items.map((i) => i.name)).toEqual([`${file}!/计算机 一班/1837001400123.jpg`, `${file}!/1837001400124.dat`]);
    expect(skipped.map((s) => s.reason)).toEqual(['system', 'not-photo']);
    expect(items[0].relPath).toBe('计算机 一班/1837001400123.jpg');
    if (items[0].kind !== 'file') throw new Error('expected a file');
    expect((await items[0].read()).toString()).toBe('one');
  });

  it('decodes GBK entry names written without the UTF-8 flag (Chinese Windows)', async () => {
    const utf8Zip = await buildZip([
      { name: '张三/1837001400123.jpg', data: Buffer.from('gbk one') },
      { name: '李四 同学.jpg', data: Buffer.from('gbk two') },
    ]);
    const gbkZip = toGbkZip(utf8Zip);
    // The names really are GBK bytes now (a UTF-8 decode would not give 张三).
    expect(gbkZip.includes(iconv.encode('张三', 'gbk'))).toBe(true);
    expect(gbkZip.includes(Buffer.from('张三', 'utf8'))).toBe(false);
    const file = path.join(dir, 'windows.zip');
    await writeFile(file, gbkZip);
    const items = await collect([file]);
    expect(items.map((i) => i.relPath)).toEqual(['张三/1837001400123.jpg', '李四 同学.jpg']);
    if (items[1].kind !== 'file') throw new Error('expected a file');
    expect((await items[1].read()).toString()).toBe('gbk two');
  });

  it('turns a corrupt entry into an error item and goes on with the next entries', async () => {
    const payload = Buffer.alloc(5000, 'x');
    const zip = await buildZip([
      { name: 'bad.jpg', data: payload },
      { name: 'good.jpg', data: Buffer.from('fine'), store: true },
    ]);
    // Damage the first entry's deflate stream (just after its local header).
    const nameLen = zip.readUInt16LE(26);
    const extraLen = zip.readUInt16LE(28);
    const start = 30 + nameLen + extraLen;
    for (let i = start; i < start + 8; i++) zip[i] = 0xff;
    const file = path.join(dir, 'corrupt-entry.zip');
    await writeFile(file, zip);
    const items = await collect([file]);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ kind: 'error', fileName: 'bad.jpg', error: { code: 'ZIP_ENTRY_CORRUPT' } });
    expect(items[0].kind === 'error' && items[0].error.message).toMatch(/损坏/);
    expect(items[1]).toMatchObject({ kind: 'file', fileName: 'good.jpg' });
  });

  it('a file that is not a zip at all is one error item; entries over the size limit are refused', async () => {
    const notZip = path.join(dir, '假的.zip');
    await writeFile(notZip, Buffer.from('this is not a zip archive at all'));
    const big = path.join(dir, 'big-entry.zip');
    await writeFile(big, await buildZip([{ name: 'huge.jpg', data: Buffer.alloc(20_000) }, { name: 'ok.jpg', data: Buffer.from('ok') }]));
    const items = await collect([notZip, big], { maxBytes: 10_000 });
    expect(items[0]).toMatchObject({ kind: 'error', error: { code: 'ZIP_INVALID' } });
    expect(items[1]).toMatchObject({ kind: 'error', fileName: 'huge.jpg', error: { code: 'ZIP_ENTRY_TOO_LARGE' } });
    expect(items[2]).toMatchObject({ kind: 'file', fileName: 'ok.jpg' });
  });

  it('descends into a zip found inside a folder: display name and relPath keep the folder', async () => {
    const root = path.join(dir, '含压缩包');
    await mkdir(path.join(root, '二班'), { recursive: true });
    await writeFile(path.join(root, '二班', '照片.zip'), await buildZip([{ name: '王五.jpg', data: Buffer.from('w') }]));
    const items = await collect([root]);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'file', fileName: '王五.jpg', relPath: '二班/王五.jpg' });
    expect(items[0].name).toBe(`${root}/二班/照片.zip!/王五.jpg`);
  });

  it('never lets an entry name escape (../, absolute paths)', async () => {
    expect(safeSegments('../../etc/passwd')).toEqual(['etc', 'passwd']);
    expect(safeSegments('/abs/./x.jpg')).toEqual(['abs', 'x.jpg']);
    expect(safeSegments('C:\\Users\\张三\\a.jpg')).toEqual(['Users', '张三', 'a.jpg']);
  });
});
