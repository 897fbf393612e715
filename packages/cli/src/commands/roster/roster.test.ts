/**
 * The roster commands end to end, through the BUILT command (`npx tsc -b` first): exit codes, Chinese
 * text with codes, and `--json` lines.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCardCheckChar } from '@gradpass/ids';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/gradpass.js');

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function id(birth: string, seq: number): string {
  const f = `370102${birth}${String(seq).padStart(3, '0')}`;
  return f + idCardCheckChar(f);
}

async function picture(seed: number): Promise<Buffer> {
  let s = seed;
  const px = Buffer.alloc(6 * 8 * 3);
  for (let i = 0; i < px.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    px[i] = (s >>> 16) & 0xff;
  }
  return sharp(px, { raw: { width: 6, height: 8, channels: 3 } }).resize(480, 640).blur(6).jpeg({ quality: 90 }).toBuffer();
}

describe('gradpass roster commands', () => {
  let dir: string;
  const ids = [id('19900101', 11), id('19910202', 22), id('19920303', 33)];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'gradpass-roster-cli-'));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('名册');
    ws.addRow(['学号', '身份证号', '姓名']);
    ws.addRow(['1837001400001', ids[0], '张三']);
    ws.addRow(['1837001400002', ids[1], '李四']);
    ws.addRow(['1837001400003', ids[2], '王五']);
    ws.addRow(['1837001400004', ids[2].slice(0, 17) + (ids[2][17] === '0' ? '1' : '0'), '赵六']); // bad check char
    await writeFile(path.join(dir, '名册.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()));
    await writeFile(path.join(dir, 'good.csv'), iconv.encode(`学号,身份证号码,姓名\r\n1837001400001,${ids[0]},张三\r\n`, 'gbk'));
    await mkdir(path.join(dir, 'photos'));
    await writeFile(path.join(dir, 'photos', '1837001400001.jpg'), await picture(1));
    await writeFile(path.join(dir, 'photos', `${ids[1].toLowerCase()}.jpg`), await picture(2));
    await writeFile(path.join(dir, 'photos', '1837009999999.jpg'), await picture(3));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('roster check: bad rows with row numbers and codes, exit 1; a clean GBK CSV exits 0', async () => {
    const r = await run(['roster', 'check', '名册.xlsx'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('导入 3 名学生');
    expect(r.stdout).toContain('第 5 行：身份证号');
    expect(r.stdout).toContain('IDCARD_CHECK_CHAR');
    const ok = await run(['roster', 'check', 'good.csv'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('编码 gb18030');
    const json = await run(['roster', 'check', '名册.xlsx', '--json', '--mask-names'], dir);
    const lines = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({ row: 2, status: 'pass', student: { name: '张*' } });
    expect(lines[3]).toMatchObject({ row: 5, student: null, status: 'fail', checks: [{ code: 'IDCARD_CHECK_CHAR', status: 'fail' }] });
  });

  it('misuse exits 2 with a Chinese message and a code', async () => {
    const missing = await run(['roster', 'check', 'nope.xlsx'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ROSTER_NOT_FOUND');
    const badMap = await run(['roster', 'check', '名册.xlsx', '--map', '学生编号'], dir);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain('ROSTER_BAD_MAP');
  });

  it('match --json: one line per student, then orphan photos; exit 1 when something is missing', async () => {
    const r = await run(['match', '--roster', '名册.xlsx', 'photos', '--no-face', '--json'], dir);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.student?.name ?? l.photo)).toEqual(['张三', '李四', '王五', 'photos/1837009999999.jpg']);
    expect(lines.map((l) => l.status)).toEqual(['pass', 'pass', 'fail', 'fail']);
    expect(lines[2].checks[0]).toMatchObject({ id: 'photo.present', code: 'PHOTO_MISSING' });
    expect(lines[3].checks[0]).toMatchObject({ code: 'NOT_IN_ROSTER' });
    expect(r.stderr).toContain('缺照片的学生');
  });

  it('export refuses to overwrite (exit 2) and writes a report', async () => {
    const out = path.join(dir, 'out.zip');
    const first = await run(['export', '--roster', '名册.xlsx', '--out', out, 'photos', '--no-face'], dir);
    expect(first.stdout).toContain('报告');
    expect(first.code).toBe(1); // the generated pictures are not compliant (size window): nothing exported
    expect((await readdir(dir)).filter((f) => f.startsWith('out'))).toEqual(['out-报告.xlsx', 'out.zip']);
    const again = await run(['export', '--roster', '名册.xlsx', '--out', out, 'photos', '--no-face'], dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('OUTPUT_EXISTS');
  });
});
