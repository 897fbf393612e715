/**
 * Photos: results stored per photo, filtering by failed rule, history, the 学信网 reference photo and the 同版
 * comparison at submission (a different shot gives the PHOTO_REFERENCE_MISMATCH warning), the active profile.
 */
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS,
  Client,
  Clock,
  badJpeg,
  checksDone,
  compliantJpeg,
  demoIds,
  makeApp,
  type TestApp,
} from './helpers.js';

describe.each(BACKENDS)('photos on %s', (backend) => {
  let t: TestApp;
  let centre: Client;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  beforeAll(async () => {
    t = await makeApp(backend, { now: new Clock('2025-12-10').now });
    ids = await demoIds(t.app);
    centre = await Client.login(t.app, 'lixia');
  });
  afterAll(async () => t?.close());

  test('failed rules are stored and filterable; history keeps every upload', async () => {
    const s = ids.student('王芳');
    await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await badJpeg());
    await checksDone(t.app);
    const failing = (await centre.get('/api/students?failedRule=size.pixels')).json();
    expect(failing.items.map((x: { name: string }) => x.name)).toEqual(['王芳']);
    expect((await centre.get('/api/students?failedRule=watermark')).json().total).toBe(0);
    await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(21));
    await checksDone(t.app);
    expect((await centre.get('/api/students?failedRule=size.pixels')).json().total).toBe(0);
    const hist = (await centre.get(`/api/students/${s.id}/photos`)).json().items;
    expect(hist.map((p: { status: string }) => p.status)).toEqual(['pass', 'fail']);
    const xlsx = await centre.get('/api/reports/students.xlsx?photoStatus=pass');
    expect(xlsx.headers['content-type']).toMatch(/spreadsheetml/);
    // export: only compliant photos, named by 身份证号 on request, plus the report
    const zip = await centre.get('/api/photos/export.zip?naming=idcard');
    expect(zip.headers['content-type']).toBe('application/zip');
    const names = await new Promise<string[]>((resolve, reject) =>
      yauzl.fromBuffer(zip.rawPayload, { lazyEntries: false }, (e, z) => {
        if (e || !z) return reject(e);
        const out: string[] = [];
        z.on('entry', (x: yauzl.Entry) => out.push(x.fileName)).on('end', () => resolve(out));
      }),
    );
    expect(names.sort()).toEqual([`${s.id_card}.jpg`, '导出报告.xlsx']);
    // not a JPEG in the zip-or-jpg import: reported, nothing lost
    const r = (
      await centre.upload('/api/photos/import', 'notes.txt', Buffer.from('hello'), { orgId: String(ids.centreA) })
    ).json();
    expect(r.unmatched[0].code).toBe('NOT_JPEG');
    // an unreadable "jpg": stored, verdict error with a Chinese message (never a silent pass)
    const broken = await centre.upload(
      `/api/students/${ids.student('张伟').id}/photo`,
      '1837001200001.jpg',
      Buffer.from('not really a jpeg'),
    );
    await checksDone(t.app);
    const b = (await centre.get(`/api/photos/${broken.json().id}`)).json();
    expect(['error', 'fail']).toContain(b.status);
    expect(b.status).not.toBe('pass');
  });

  test('standardize: an oversized photo is cropped and encoded into the window, then passes', async () => {
    const s = ids.student('刘洋');
    const other = await Client.login(t.app, 'zhangqiu');
    const big = await sharp(await compliantJpeg(61))
      .resize(960, 1280)
      .jpeg({ quality: 95 })
      .toBuffer();
    await other.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, big);
    await checksDone(t.app);
    expect((await other.get(`/api/students/${s.id}`)).json().photo.status).toBe('fail');
    const fixed = await other.post(`/api/students/${s.id}/photo/standardize`, { align: 'centre' });
    expect(fixed.statusCode, fixed.body).toBe(200);
    expect(fixed.json().status).toBe('pass');
    expect(fixed.json().bytes).toBeLessThanOrEqual(40 * 1024);
    const meta = await sharp((await other.get(`/api/students/${s.id}/photo`)).rawPayload).metadata();
    expect([meta.width, meta.height, meta.density]).toEqual([480, 640, 300]);
    expect((await centre.post(`/api/students/${s.id}/photo/standardize`, {})).json().code).toBe('NOT_FOUND');
  });

  test('reference photo: same shot → no warning; another shot → PHOTO_REFERENCE_MISMATCH warning at submission', async () => {
    const profile = (await centre.get('/api/photo-profile')).json();
    expect(profile).toMatchObject({ id: 'chsi-graduation', width: 480, height: 640 });
    const same = await compliantJpeg(31);
    const s1 = ids.student('李娜');
    const s2 = ids.student('张伟');
    for (const s of [s1, s2]) {
      await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, same);
    }
    await checksDone(t.app);
    // reference of s1: the same picture; of s2: another shot (closer framing, mirrored, darker)
    const other = await sharp(same)
      .extract({ left: 60, top: 80, width: 360, height: 480 })
      .resize(480, 640)
      .flop()
      .modulate({ brightness: 0.7 })
      .jpeg({ quality: 80 })
      .toBuffer();
    expect((await centre.upload(`/api/students/${s1.id}/reference-photo`, 'ref.jpg', same)).statusCode).toBe(200);
    expect((await centre.upload(`/api/students/${s2.id}/reference-photo`, 'ref.jpg', other)).statusCode).toBe(200);
    expect((await centre.get(`/api/students/${s1.id}`)).json().hasReference).toBe(true);
    expect((await centre.get(`/api/students/${s1.id}/reference-compare`)).json().sameShot.status).toBe('pass');
    expect((await centre.get(`/api/students/${s2.id}/reference-compare`)).json().sameShot.status).toBe('fail');
    const ref = await centre.get(`/api/students/${s2.id}/reference-photo`);
    expect(Buffer.compare(ref.rawPayload, other)).toBe(0);
    const warningsOf = async (studentId: number) => {
      const a = (await centre.post('/api/applications', { studentId, batchId: ids.realBatch })).json();
      await centre.post(`/api/applications/${a.id}/actions`, { action: 'apply' });
      const r = await centre.post(`/api/applications/${a.id}/actions`, { action: 'submit', samePhotoConfirmed: true });
      expect(r.statusCode, r.body).toBe(200);
      return r.json().warnings.map((w: { code: string }) => w.code);
    };
    expect(await warningsOf(s1.id)).not.toContain('PHOTO_REFERENCE_MISMATCH');
    const w2 = await warningsOf(s2.id);
    expect(w2).toContain('PHOTO_REFERENCE_MISMATCH');
  });
});
