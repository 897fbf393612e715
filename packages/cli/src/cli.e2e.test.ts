/**
 * End-to-end: spawn the real command (`node packages/cli/bin/gradpass.js`, which runs the BUILT dist —
 * the test command runs `tsc -b` first) on generated photo folders.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(root, 'packages/cli/bin/gradpass.js');
const PORTRAITS = path.resolve(root, '../shared/fixtures/portraits/london/neutral');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function gradpass(args: string[], cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: unknown }).code as number) : 0;
      resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
    });
  });
}

function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function zipBuffer(entries: { name: string; data: Buffer }[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new yazl.ZipFile();
    for (const e of entries) zip.addBuffer(e.data, e.name, { mtime: new Date(2024, 0, 1) });
    zip.end();
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('error', reject);
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** A tiny JPEG whose frame header (SOF0) claims 30000×30000: a decompression bomb by declaration. */
async function jpegBomb(): Promise<Buffer> {
  const jpeg = Buffer.from(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#8ac' } }).jpeg().toBuffer());
  for (let i = 2; i < jpeg.length - 9; ) {
    if (jpeg[i] !== 0xff) break;
    const marker = jpeg[i + 1];
    const len = jpeg.readUInt16BE(i + 2);
    if (marker === 0xc0 || marker === 0xc2) {
      jpeg.writeUInt16BE(30000, i + 5);
      jpeg.writeUInt16BE(30000, i + 7);
      return jpeg;
    }
    i += 2 + len;
  }
  throw new Error('no SOF');
}

/** A PNG whose IHDR claims 30000×30000 (CRC fixed up so the header itself is valid). */
async function pngBomb(): Promise<Buffer> {
  const png = Buffer.from(await sharp({ create: { width: 16, height: 16, channels: 3, background: '#8ac' } }).png().toBuffer());
  png.writeUInt32BE(30000, 16);
  png.writeUInt32BE(30000, 20);
  const { crc32 } = await import('node:zlib');
  png.writeUInt32BE(crc32(png.subarray(12, 29)) >>> 0, 29);
  return png;
}

let tmp: string;
let bad: string;
let zipPath: string;

const KEYS_CHECK = ['checks', 'file', 'verdict'];
const KEYS_CHECK_ITEM = ['id', 'limit', 'message', 'status', 'value'];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'gp-e2e-'));
  bad = path.join(tmp, '坏照片 目录');
  await mkdir(path.join(bad, '二班 A'), { recursive: true });
  // Textured (noise) pictures, so encode-to-size can reach the byte window when fix converts them.
  const textured = () => sharp({ create: { width: 480, height: 640, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).blur(1.2);
  const good = await textured().jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
  await writeFile(path.join(bad, 'empty.jpg'), Buffer.alloc(0));
  await writeFile(path.join(bad, 'text.jpg'), 'hello, I am a text file renamed .jpg\n');
  await writeFile(path.join(bad, 'truncated.jpg'), good.subarray(0, Math.floor(good.length / 3)));
  await writeFile(path.join(bad, 'photo.png'), await textured().png().toBuffer());
  await writeFile(path.join(bad, 'photo2.webp'), await textured().webp({ quality: 95 }).toBuffer());
  // Two photos with the same stem: their outputs would collide.
  await writeFile(path.join(bad, 'dup.png'), await textured().png().toBuffer());
  // Not photos by name nor content: skipped and counted, never an error, never a conflict with 003_03.jpg.
  await writeFile(path.join(bad, 'notes.txt'), 'a text file in a photo folder');
  await writeFile(path.join(bad, '二班 A', '张三 照片.tem'), '179\n0 0\n');
  await writeFile(path.join(bad, 'dup.jpg'), 'another text file');
  await writeFile(path.join(bad, 'bomb.jpg'), await jpegBomb());
  await writeFile(path.join(bad, '二班 A', 'bomb.png'), await pngBomb());
  await writeFile(path.join(bad, '二班 A', '张三 照片.jpg'), good);
  await writeFile(path.join(bad, '.DS_Store'), 'litter');
  // A zip with one good entry and one corrupt entry.
  const zip = await zipBuffer([
    { name: '坏的.jpg', data: Buffer.alloc(8000, 7) },
    { name: '好的.jpg', data: good },
  ]);
  const nameLen = zip.readUInt16LE(26);
  const start = 30 + nameLen + zip.readUInt16LE(28);
  for (let i = start; i < start + 8; i++) zip[i] = 0xff;
  zipPath = path.join(tmp, '照片 包.zip');
  await writeFile(zipPath, zip);
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.concurrent('gradpass: misuse exits 2 with a Chinese message and a code', () => {
  it.each([
    [['check'], 'MISSING_ARGUMENT'],
    [['check', 'x.jpg', '--bogus'], 'UNKNOWN_OPTION'],
    [['frobnicate'], 'UNKNOWN_COMMAND'],
    [['check', 'x.jpg', '--profile', 'no-such-profile'], 'PROFILE_NOT_FOUND'],
    [['check', 'x.jpg', '--report', 'r.pdf'], 'REPORT_FORMAT'],
    [['check', 'x.jpg', '--jobs', 'zero'], 'INVALID_OPTION_VALUE'],
    [['fix', 'x.jpg'], 'MISSING_REQUIRED_OPTION'],
    [['fix', 'x.jpg', '--out', 'o', '--align', 'diagonal'], 'INVALID_OPTION_VALUE'],
  ])('%j → %s', async (args, code) => {
    const r = await gradpass(args, tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(r.stderr).toMatch(/[\u4e00-\u9fff]/);
    expect(r.stdout).toBe('');
  });

  it('a bad profile file is refused with PROFILE_INVALID', async () => {
    const file = path.join(tmp, 'bad-profile.json');
    await writeFile(file, JSON.stringify({ id: 'x', name: '坏规格', width: -3 }));
    const r = await gradpass(['check', bad, '--profile', file], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PROFILE_INVALID');
  });

  it('refuses an --out folder inside an input folder', async () => {
    const r = await gradpass(['fix', bad, '--out', path.join(bad, 'out')], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('OUT_INSIDE_INPUT');
    expect(existsSync(path.join(bad, 'out'))).toBe(false);
  });

  it('prints Chinese help', async () => {
    const r = await gradpass(['check', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('用法：');
    expect(r.stdout).toContain('--no-face');
    expect(r.stdout).toContain('只做技术检查');
  });
});

describe('gradpass check: bad input never stops a batch', () => {
  it('--json: one JSON object per photo per line, nothing else on stdout, each bad file its own clear line', async () => {
    const r = await gradpass(['check', bad, zipPath, path.join(tmp, '不存在.jpg'), '--json', '--no-face', '--jobs', '2']);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(13);
    for (const l of lines) {
      const keys = Object.keys(l).sort();
      if (l.verdict === 'error') expect(keys).toEqual([...KEYS_CHECK, 'error'].sort());
      else expect(keys).toEqual(KEYS_CHECK);
      expect(['pass', 'fail', 'review', 'error']).toContain(l.verdict);
      for (const c of l.checks as Record<string, unknown>[]) {
        expect(Object.keys(c).sort()).toEqual(KEYS_CHECK_ITEM);
        expect(['pass', 'fail', 'review', 'skip']).toContain(c.status);
        expect(typeof c.message).toBe('string');
      }
    }
    const by = (suffix: string) => {
      const l = lines.find((x) => String(x.file).endsWith(suffix));
      if (!l) throw new Error(`no line for ${suffix}`);
      return l as { file: string; verdict: string; checks: { id: string; status: string; message: string }[]; error?: { code: string; message: string } };
    };
    const problem = (l: ReturnType<typeof by>) => (l.error ? `${l.error.code} ${l.error.message}` : l.checks.filter((c) => c.status === 'fail').map((c) => `${c.id} ${c.message}`).join(' | '));
    for (const f of ['empty.jpg', 'text.jpg', 'truncated.jpg', 'bomb.jpg', 'bomb.png', '坏的.jpg', '不存在.jpg']) {
      const l = by(f);
      expect(l.verdict, f).not.toBe('pass');
      expect(problem(l), f).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const f of ['photo.png', 'photo2.webp', 'dup.png']) {
      const l = by(f);
      expect(l.verdict).not.toBe('pass');
      expect(l.checks.find((c) => c.id === 'format.jpeg')?.status, f).toBe('fail');
    }
    expect(by('坏的.jpg').error?.code).toBe('ZIP_ENTRY_CORRUPT');
    expect(by('不存在.jpg').error?.code).toBe('NOT_FOUND');
    expect(by('好的.jpg').file).toBe(`${zipPath}!/好的.jpg`);
    expect(by('二班 A/张三 照片.jpg').checks.find((c) => c.id === 'size.pixels')?.status).toBe('pass');
    // The summary goes to stderr in --json mode, with Chinese and English rule names.
    expect(r.stderr).toContain('合计 Total');
    // .DS_Store, notes.txt and 张三 照片.tem: skipped and counted; the .tem never costs 张三 照片.jpg anything.
    expect(r.stderr).toContain('已跳过 3 个非照片文件');
    expect(lines.some((l) => /\.(txt|tem)$/.test(String(l.file)))).toBe(false);
    expect(r.stderr).toContain('文件格式（JPEG）');
    expect(r.stderr).toContain('JPEG format');
  });

  it('human mode: a line per problem photo, the summary table on stdout, and reports (CSV/XLSX/HTML)', async () => {
    const xlsx = path.join(tmp, '检测 报告.xlsx');
    const html = path.join(tmp, 'report.html');
    const csv = path.join(tmp, 'report.csv');
    const r = await gradpass(['check', bad, '--no-face', '--report', xlsx]);
    expect(r.code).toBe(1);
    for (const f of ['empty.jpg', 'text.jpg', 'truncated.jpg', 'bomb.jpg', 'bomb.png', 'photo.png', 'photo2.webp', 'dup.png']) {
      expect(r.stdout.split('\n').some((l) => l.includes(f) && /^\[(不通过|无法处理|需人工复核)\]/.test(l)), f).toBe(true);
    }
    expect(r.stdout).toContain('合计 Total');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets[0].getRow(1).getCell(1).value).toBe('文件');
    expect(wb.worksheets[0].rowCount).toBe(1 + 10);

    const r2 = await gradpass(['check', bad, '--no-face', '--report', html]);
    expect(r2.code).toBe(1);
    const page = await readFile(html, 'utf8');
    expect(page).toContain('data:image/jpeg;base64,');
    expect(page).toContain('format.jpeg');
    const r3 = await gradpass(['check', bad, '--no-face', '--report', csv, '--json']);
    expect(jsonLines(r3.stdout)).toHaveLength(10);
    expect([...(await readFile(csv)).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});

describe('gradpass fix', () => {
  it('converts PNG/WebP, keeps sub-folders, reports bad files, never overwrites an input, and a re-run is safe', async () => {
    const out = path.join(tmp, 'fixed 输出');
    const args = ['fix', bad, '--out', out, '--no-face', '--align', 'centre', '--json'];
    const r = await gradpass(args);
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(10);
    for (const l of lines) {
      const keys = Object.keys(l).filter((k) => k !== 'error' && k !== 'edited').sort();
      expect(keys).toEqual(['checks', 'file', 'output', 'verdict']);
    }
    for (const [input, output] of [['photo.png', 'photo.jpg'], ['photo2.webp', 'photo2.jpg']]) {
      const l = lines.find((x) => String(x.file).endsWith(input));
      expect(l?.output, input).toBe(path.join(out, output));
      const jpeg = await readFile(path.join(out, output));
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
      expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: 480, height: 640 });
    }
    // dup.png and dup.jpg would both become dup.jpg: the second gets a clear conflict error, not a silent overwrite.
    const dups = lines.filter((l) => /dup\.(png|jpg)$/.test(String(l.file))) as { error?: { code: string } }[];
    expect(dups.map((d) => d.error?.code)).toContain('OUTPUT_CONFLICT');
    expect(existsSync(path.join(out, '二班 A', '张三 照片.jpg'))).toBe(true);
    for (const f of ['empty.jpg', 'text.jpg', 'bomb.jpg']) {
      const l = lines.find((x) => String(x.file).endsWith(f));
      expect(l?.verdict, f).not.toBe('pass');
      expect(l?.output, f).toBeNull();
    }
    const before = (await readdir(out, { recursive: true })).sort();
    const r2 = await gradpass(args);
    expect(r2.code).toBe(1);
    expect((await readdir(out, { recursive: true })).sort()).toEqual(before);

    // A file argument whose output would be the file itself is refused and left untouched.
    const self = path.join(tmp, 'self');
    await mkdir(self);
    const original = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#64c5ff' } }).jpeg().toBuffer();
    await writeFile(path.join(self, 'a.jpg'), original);
    const r3 = await gradpass(['fix', path.join(self, 'a.jpg'), '--out', self, '--no-face', '--json']);
    expect(r3.code).toBe(1);
    expect(jsonLines(r3.stdout)[0]).toMatchObject({ verdict: 'error', error: { code: 'OUTPUT_IS_INPUT' } });
    expect((await readFile(path.join(self, 'a.jpg'))).equals(original)).toBe(true);
  });

  it.skipIf(!existsSync(PORTRAITS))('real portraits: fix output (also from PNG/WebP) passes check → exit 0', async () => {
    const src = path.join(tmp, 'portraits 原图');
    await mkdir(path.join(src, '计算机 班'), { recursive: true });
    const files = (await readdir(PORTRAITS)).filter((f) => f.endsWith('.jpg')).sort().slice(0, 3);
    await copyFile(path.join(PORTRAITS, files[0]), path.join(src, '1837001400123.jpg'));
    await sharp(path.join(PORTRAITS, files[1])).png().toFile(path.join(src, '计算机 班', '1837001400124.png'));
    await sharp(path.join(PORTRAITS, files[2])).webp({ quality: 90 }).toFile(path.join(src, '1837001400125.webp'));
    const out = path.join(tmp, 'portraits 合格');
    const fix = await gradpass(['fix', src, '--out', out, '--no-face', '--align', 'centre', '--json']);
    const lines = jsonLines(fix.stdout);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.verdict), fix.stdout).toEqual(['pass', 'pass', 'pass']);
    expect(fix.code).toBe(0);
    expect(existsSync(path.join(out, '计算机 班', '1837001400124.jpg'))).toBe(true);
    const check = await gradpass(['check', out, '--no-face', '--json']);
    expect(check.code, check.stdout).toBe(0);
    const checked = jsonLines(check.stdout);
    expect(checked).toHaveLength(3);
    for (const l of checked) {
      expect(l.verdict).toBe('pass');
      const bytes = (await stat(String(l.file))).size;
      expect(bytes).toBeGreaterThanOrEqual(20 * 1024);
      expect(bytes).toBeLessThanOrEqual(40 * 1024);
    }
  });
});

describe('gradpass with face analysis', () => {
  it.skipIf(!existsSync(PORTRAITS))('fix aligns on the face by default, replaces the background on request; lines carry "face"', async () => {
    const src = path.join(tmp, 'face 原图');
    await mkdir(src);
    const first = (await readdir(PORTRAITS)).filter((f) => f.endsWith('.jpg')).sort()[0];
    await copyFile(path.join(PORTRAITS, first), path.join(src, '1837001400126.jpg'));
    const out = path.join(tmp, 'face 输出');
    const fix = await gradpass(['fix', src, '--out', out, '--background', 'blue', '--json', '--jobs', '1']);
    const [line] = jsonLines(fix.stdout) as { verdict: string; output: string | null; edited?: boolean; face?: unknown; checks: { id: string; status: string }[] }[];
    expect(line.output).toBe(path.join(out, '1837001400126.jpg'));
    expect(line.edited).toBe(true);
    expect(line.face).toBeTruthy();
    // The face-aligned crop puts the eyes on the eye line and the head top in its band.
    for (const id of ['geometry.eye-line', 'geometry.head-top', 'face.count', 'background.colour']) {
      expect(line.checks.find((c) => c.id === id)?.status, id).toBe('pass');
    }
    const overlays = path.join(tmp, 'face 叠加图');
    const check = await gradpass(['check', out, '--json', '--jobs', '1', '--overlays', overlays]);
    const [checked] = jsonLines(check.stdout);
    expect(Object.keys(checked)).toContain('face');
    expect(checked.verdict).toBe(line.verdict);
    // The overlay: a PNG of the photo's size with the guide of seed 004 drawn on it.
    const overlay = await sharp(path.join(overlays, '1837001400126.png')).metadata();
    expect([overlay.format, overlay.width, overlay.height]).toEqual(['png', 480, 640]);
  });
});
