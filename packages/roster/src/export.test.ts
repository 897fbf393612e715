import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeToSize, inspect, loadProfile, type Profile, type RawImage } from '@gradpass/photo';
import { exportPhotos, type ExportOptions } from './export.js';
import { matchPhotos, type PhotoInput } from './match.js';
import type { Student } from './roster.js';
import { idCard } from './testkit.test-util.js';

/** A 480×640 picture with enough texture to be encoded inside the 20–40 KB window, then encoded to size. */
async function compliantPhoto(seed: number, profile: Profile): Promise<Buffer> {
  let s = seed;
  const w = 120;
  const h = 160;
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    px[i] = (s >>> 16) & 0xff;
  }
  const { data, info } = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).resize(480, 640, { kernel: 'cubic' }).blur(4).raw().toBuffer({ resolveWithObject: true });
  const img: RawImage = { data, width: info.width, height: info.height, channels: 3 };
  const r = await encodeToSize(img, profile);
  if (!r.ok) throw new Error(`could not encode the test photo to size: ${r.refusal.message}`);
  return r.jpeg;
}

async function zipNames(file: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names.sort()));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const ID = [idCard('19900101', 11), idCard('19910202', 22), idCard('19920303', 33), idCard('19930404', 44)];
const students: Student[] = [
  { row: 2, xuehao: '1837001400001', idCard: ID[0], name: '张三' },
  { row: 3, xuehao: '1837001400002', idCard: ID[1], name: '欧阳娜娜' },
  { row: 4, xuehao: '1837001400003', idCard: null, name: '王五' },
  { row: 5, xuehao: '1837001400004', idCard: ID[3], name: '赵六' },
  { row: 6, xuehao: '1837001400005', idCard: idCard('19940505', 55), name: '钱七' },
];
const roster = { students };

describe('exportPhotos', () => {
  let dir: string;
  let profile: Profile;
  let photos: PhotoInput[];
  let options: (o: Partial<ExportOptions>) => ExportOptions;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gradpass-export-'));
    profile = loadProfile('chsi-graduation');
    const good = await Promise.all([1, 2, 3].map((s) => compliantPhoto(s * 101, profile)));
    const bad = await sharp(await compliantPhoto(909, profile)).resize(300, 400).jpeg({ quality: 95 }).toBuffer(); // wrong pixel size
    photos = [
      { name: 'a/1837001400001.jpg', fileName: '1837001400001.jpg', bytes: good[0] },
      { name: `a/${ID[1]}.jpg`, fileName: `${ID[1]}.jpg`, bytes: good[1] },
      { name: 'a/1837001400003.jpg', fileName: '1837001400003.jpg', bytes: good[2] },
      { name: 'a/1837001400004.jpg', fileName: '1837001400004.jpg', bytes: bad },
    ];
    options = (o) => ({
      nameBy: 'xuehao',
      out: path.join(dir, 'out.zip'),
      inspect: (bytes, fileName) => inspect(bytes, { profile: { ...profile, fileNaming: o.nameBy ?? 'xuehao' }, fileName, face: false }),
      ...o,
    });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes only compliant photos named by 学号 into a zip, with a report row per student', async () => {
    const match = await matchPhotos(roster, photos, { face: false });
    const out = path.join(dir, 'by-xuehao.zip');
    const r = await exportPhotos(roster, match, options({ out, nameBy: 'xuehao' }));
    expect(r.format).toBe('zip');
    expect(r.written).toBe(3);
    expect(await zipNames(out)).toEqual(['1837001400001.jpg', '1837001400002.jpg', '1837001400003.jpg']);
    expect(r.rows.map((x) => x.status)).toEqual(['exported', 'exported', 'exported', 'failed', 'missing']);
    expect(r.rows[3].rules).toContain('size.pixels');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(r.reportPath!)) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('导出报告')!;
    expect(ws.getRow(1).values).toEqual([undefined, '行号', '学号', '身份证号', '姓名', '状态', '未通过规则', '说明', '原照片', '导出文件名', '状态代码']);
    expect(ws.rowCount).toBe(6);
    expect(ws.getRow(5).getCell(5).value).toBe('不合格');
    expect(String(ws.getRow(5).getCell(6).value)).toContain('像素尺寸（size.pixels）');
    expect(ws.getRow(6).getCell(5).value).toBe('缺照片');
    expect(ws.getRow(3).getCell(3).value).toBe(ID[1]); // 身份证号 kept as text
  });

  it('names by 身份证号 into a folder, masks names, and reports students without one', async () => {
    const match = await matchPhotos(roster, photos, { face: false });
    const out = path.join(dir, 'by-idcard');
    const r = await exportPhotos(roster, match, options({ out, nameBy: 'idcard', maskNames: true }));
    expect(r.format).toBe('folder');
    expect((await readdir(out)).sort()).toEqual([`${ID[0]}.jpg`, `${ID[1]}.jpg`]);
    expect(r.rows[2]).toMatchObject({ status: 'no-id' });
    const bytes = await readFile(path.join(out, `${ID[1]}.jpg`));
    expect(bytes.equals(photos[1].bytes!)).toBe(true); // the checked bytes, unchanged
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await readFile(r.reportPath!)) as unknown as ArrayBuffer);
    const names = [2, 3, 4].map((i) => wb.getWorksheet('导出报告')!.getRow(i).getCell(4).value);
    expect(names).toEqual(['张*', '欧***', '王*']);
  });

  it('refuses to overwrite, replaces only with force (via a temporary name), never touches the inputs', async () => {
    const match = await matchPhotos(roster, photos, { face: false });
    const out = path.join(dir, 'rerun.zip');
    await writeFile(out, 'keep me');
    await expect(exportPhotos(roster, match, options({ out }))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    expect(await readFile(out, 'utf8')).toBe('keep me');
    const r = await exportPhotos(roster, match, options({ out, force: true }));
    expect(r.written).toBe(3);
    expect(await zipNames(out)).toHaveLength(3);
    // A second forced run gives the same result; no temporary files are left behind.
    await exportPhotos(roster, match, options({ out, force: true }));
    expect((await readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    // The folder form: an existing folder is refused, then replaced as a whole with force.
    const folder = path.join(dir, 'rerun-folder');
    await exportPhotos(roster, match, options({ out: folder }));
    await writeFile(path.join(folder, 'stale.jpg'), 'old');
    await expect(exportPhotos(roster, match, options({ out: folder }))).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await exportPhotos(roster, match, options({ out: folder, force: true }));
    expect((await readdir(folder)).sort()).toEqual(['1837001400001.jpg', '1837001400002.jpg', '1837001400003.jpg']);
    expect((await stat(path.join(dir, 'rerun-folder-报告.xlsx'))).size).toBeGreaterThan(0);
  });

  it('does not export photos that conflict with another student', async () => {
    const dup: PhotoInput[] = [photos[0], { name: 'b/1837001400005.jpg', fileName: '1837001400005.jpg', bytes: photos[0].bytes }];
    const match = await matchPhotos(roster, dup, { face: false });
    const r = await exportPhotos(roster, match, options({ out: path.join(dir, 'conflict.zip') }));
    expect(r.written).toBe(0);
    expect(r.rows[0]).toMatchObject({ status: 'conflict', rules: ['photo.same-file'] });
    expect(r.rows[4]).toMatchObject({ status: 'conflict' });
    expect(r.rows[4].message).toContain('张三（1837001400001）');
  });

  it('stops, leaving nothing behind, when a photo changes between the check and the write', async () => {
    let reads = 0;
    const shifty: PhotoInput = {
      name: 'c/1837001400001.jpg',
      fileName: '1837001400001.jpg',
      read: async () => (reads++ < 2 ? photos[0].bytes! : photos[2].bytes!),
    };
    const match = await matchPhotos(roster, [shifty], { face: false });
    const out = path.join(dir, 'changed.zip');
    await expect(exportPhotos(roster, match, options({ out, concurrency: 2 }))).rejects.toMatchObject({ code: 'PHOTO_CHANGED' });
    expect((await readdir(dir)).filter((f) => f.startsWith('changed'))).toEqual([]);
  });
});
