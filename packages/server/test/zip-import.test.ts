/**
 * The zip photo import over real HTTP: bombs, a lying header, 100,000 entries, an oversized upload, zip-slip
 * names and GBK names from Chinese Windows — each a 4xx with a Chinese message and a stable code (never a
 * 500), GBK names decoded in the report, and the server's memory bounded while it refuses them.
 */
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lyingEntry, rawZip, storedEntry, zeroBombEntry } from '@gradpass/photo/testing/zips';
import { BACKENDS, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';
import { HttpClient } from './http-client.js';

const MIB = 1024 * 1024;

describe.each(BACKENDS)('zip photo import over HTTP on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let centre: HttpClient;
  let centreA: number;
  let xuehao: string;
  let studentId: number;
  beforeAll(async () => {
    t = await makeApp(backend);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = HttpClient.baseOf(t.app);
    centre = await HttpClient.login(base, 'lixia');
    centreA = (await demoIds(t.app)).centreA;
    const [s] = await t.app.ctx.repos.students.listAll({ orgIds: [centreA] });
    xuehao = s.xuehao;
    studentId = s.id;
  });
  afterAll(async () => t?.close());

  const importZip = (name: string, bytes: Buffer) => {
    const form = new FormData();
    form.set('orgId', String(centreA));
    form.set('source', 'centre');
    form.set('file', new Blob([bytes], { type: 'application/zip' }), name);
    return centre.send('POST', '/api/photos/import', undefined, form);
  };
  const photoOf = async () => (await t.app.ctx.repos.students.byId(studentId))?.photo_id ?? null;

  test('bombs, a lying header, 100k entries and a non-zip: 4xx + Chinese message + code; memory bounded', async () => {
    const cases: [string, Buffer, number, string, RegExp][] = [
      ['1 GiB in ~1 MB', rawZip([zeroBombEntry(`${xuehao}.jpg`, 1024)]), 422, 'ZIP_BOMB', /压缩比.*上限 200:1/],
      [
        '4 × 512 MiB',
        rawZip([1, 2, 3, 4].map((i) => zeroBombEntry(`${xuehao}_${i}.jpg`, 512))),
        422,
        'ZIP_BOMB',
        /压缩炸弹/,
      ],
      ['lying header', rawZip([lyingEntry(`${xuehao}.jpg`, 30_000, 256)]), 422, 'ZIP_BOMB', /声明的 30000 字节/],
      [
        '100,000 entries',
        rawZip(Array.from({ length: 100_000 }, (_, i) => storedEntry(`x/${i}.jpg`, Buffer.alloc(0)))),
        413,
        'ZIP_TOO_MANY_ENTRIES',
        /超过上限 20000 个/,
      ],
      ['not a zip', Buffer.from('PK but not really a zip archive'), 422, 'ZIP_INVALID', /不是有效的 zip/],
    ];
    const before = await photoOf();
    // Measured from here: the archives are built (by the test) before, so the growth is the server's handling.
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const figures: string[] = [];
    try {
      for (const [name, zip, status, code, message] of cases) {
        const r = await importZip('照片.zip', zip);
        figures.push(`${name}: ${(zip.length / MIB).toFixed(2)} MB zip → ${r.status} ${r.body.code}`);
        expect(r.status, name).toBe(status);
        expect(r.body.code, name).toBe(code);
        expect(r.body.message, name).toMatch(message);
        expect(r.body.message, name).toMatch(/[\u4e00-\u9fff]/);
      }
    } finally {
      clearInterval(sampler);
    }
    const growth = (peak - rss0) / MIB;
    console.log(
      `zip import RSS: start ${(rss0 / MIB).toFixed(0)} MB, peak growth ${growth.toFixed(0)} MB\n  ${figures.join('\n  ')}`,
    );
    expect(growth).toBeLessThan(300);
    // Nothing was stored for the student the bombs were named after.
    expect(await photoOf()).toBe(before);
  });

  test('an upload over the 200 MB cap is refused while streaming: 413 UPLOAD_TOO_LARGE with the cap', async () => {
    // 201 MiB of zeros (measured after the memory test above, so this buffer does not count there).
    const r0 = importZip('big.zip', Buffer.alloc(201 * MIB));
    const r = await r0;
    expect(r.status).toBe(413);
    expect(r.body.code).toBe('UPLOAD_TOO_LARGE');
    expect(r.body.message).toContain('超过上限 200 MB');
  });

  test('GBK names without the UTF-8 flag are decoded in the report; zip-slip names refused per entry', async () => {
    const gbkName = iconv.encode(`历下 学习中心/${xuehao}.jpg`, 'gbk');
    const zip = rawZip([
      storedEntry('../../etc/passwd.jpg', Buffer.from('x')),
      storedEntry('C:\\Windows\\evil.jpg', Buffer.from('x')),
      storedEntry(`${xuehao}.jpg`, Buffer.from('%PDF-1.7 a PDF renamed .jpg')),
      storedEntry(gbkName, await compliantJpeg(3)),
    ]);
    const r = await importZip('Windows 压缩.zip', zip);
    expect(r.status).toBe(200);
    const report = r.body as unknown as {
      matched: { file: string; studentId: number }[];
      unmatched: { file: string; code: string; message: string }[];
    };
    expect(report.matched).toEqual([expect.objectContaining({ file: `历下 学习中心/${xuehao}.jpg`, studentId })]);
    const codes = report.unmatched.map((u) => u.code);
    expect(codes.filter((c) => c === 'ZIP_UNSAFE_NAME')).toHaveLength(2);
    expect(report.unmatched.find((u) => u.code === 'ZIP_UNSAFE_NAME')?.message).toMatch(/已拒绝/);
    // Content is sniffed before anything is stored: a PDF named like a photo is not the student's photo.
    expect(report.unmatched.find((u) => u.file === `${xuehao}.jpg`)).toMatchObject({ code: 'NOT_JPEG' });
    expect(report.unmatched.find((u) => u.file === `${xuehao}.jpg`)?.message).toContain('PDF 文档');
    // The photo's history shows the decoded name too.
    const photo = await t.app.ctx.repos.photos.byId((await photoOf())!);
    expect(photo?.file_name).toBe(`历下 学习中心/${xuehao}.jpg`);
  });
});
