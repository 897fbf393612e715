/**
 * Photos: results stored per photo, filtering by failed rule, history, the 学信网 reference photo and the 同版
 * comparison at submission (a different shot is refused with REFERENCE_MISMATCH unless a reason is recorded), the
 * active profile; bulk submission confirms 同版 per student.
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
    // an unreadable "jpg": refused before anything is stored, in Chinese (never a silent pass)
    const broken = await centre.upload(
      `/api/students/${ids.student('张伟').id}/photo`,
      '1837001200001.jpg',
      Buffer.from('not really a jpeg'),
    );
    expect(broken.statusCode).toBe(422);
    expect(broken.json().code).toBe('NOT_A_PICTURE');
    expect(broken.json().message).toMatch(/不是照片/);
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

  test('reference photo: same shot → submitted; another shot → REFERENCE_MISMATCH unless a reason is recorded', async () => {
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
    const submit = async (studentId: number, extra: object = {}) => {
      const a = (await centre.post('/api/applications', { studentId, batchId: ids.realBatch })).json();
      await centre.post(`/api/applications/${a.id}/actions`, { action: 'apply' });
      const r = await centre.post(`/api/applications/${a.id}/actions`, {
        action: 'submit',
        samePhotoConfirmed: true,
        ...extra,
      });
      return { id: a.id as number, r };
    };
    const first = await submit(s1.id);
    expect(first.r.statusCode, first.r.body).toBe(200);
    expect(first.r.json().warnings.map((w: { code: string }) => w.code)).not.toContain('PHOTO_REFERENCE_OVERRIDDEN');
    // 同版 as a gate: another shot is refused, with the scores, even with the confirmation ticked
    const second = await submit(s2.id);
    expect(second.r.statusCode).toBe(422);
    expect(second.r.json().code).toBe('REFERENCE_MISMATCH');
    expect(second.r.json().message).toMatch(/同版/);
    expect(second.r.json().message).toMatch(/\d\.\d{2}/);
    // the list shows the comparison without another face analysis (cached on the photo)
    const listed = (await centre.get(`/api/students/${s2.id}`)).json();
    expect(listed.photo.reference.sameShot.status).toBe('fail');
    const blank = await centre.post(`/api/applications/${second.id}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
      referenceOverrideReason: '   ',
    });
    expect(blank.json().code).toBe('REFERENCE_MISMATCH');
    const why = '学信网照片为本人 2019 年所摄，本人到场核对无误';
    const overridden = await centre.post(`/api/applications/${second.id}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
      referenceOverrideReason: why,
    });
    expect(overridden.statusCode, overridden.body).toBe(200);
    expect(overridden.json().warnings.map((w: { code: string }) => w.code)).toContain('PHOTO_REFERENCE_OVERRIDDEN');
    // every later level sees the override and its reason; the audit log keeps it
    const city = await Client.login(t.app, 'jinan');
    const seen = (await city.get(`/api/applications/${second.id}`)).json();
    expect(seen.referenceOverride.reason).toBe(why);
    expect(seen.referenceOverride.by).toBeTruthy();
    expect(JSON.stringify(seen.history)).toContain(why);
  });

  test('bulk submission: 同版 confirmed per student, never one tick for the whole list', async () => {
    const a = ids.student('王芳');
    const app = (await centre.post('/api/applications', { studentId: a.id, batchId: ids.realBatch })).json();
    await centre.post(`/api/applications/${app.id}/actions`, { action: 'apply' });
    // no 学信网 photo on file: the blanket tick does not count
    const blanket = (
      await centre.post('/api/applications/bulk', { ids: [app.id], action: 'submit', samePhotoConfirmed: true })
    ).json();
    expect(blanket.results[0].code).toBe('PHOTO_VERSION_UNCONFIRMED');
    const perStudent = (
      await centre.post('/api/applications/bulk', { ids: [app.id], action: 'submit', samePhotoConfirmedIds: [app.id] })
    ).json();
    expect(perStudent.results[0].ok, JSON.stringify(perStudent)).toBe(true);
  });

  test('人工复核: a review photo confirmed by centre staff may be submitted; the check results stay', async () => {
    const s = await t.app.ctx.services.students.create(null, {
      xuehao: '2337001209901',
      idCard: '370102199604040023',
      name: '周复核',
      orgId: ids.centreA,
      programme: '法学',
      level: '本科',
      enrolTerm: '2023秋',
    });
    const up = (await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(41))).json();
    await checksDone(t.app);
    // fixture: the engine sent this photo to review (as it does for 双耳 or 水印 it cannot measure)
    await t.app.ctx.repos.photos.update(up.id, { status: 'review' });
    const a = (await centre.post('/api/applications', { studentId: s.id, batchId: ids.realBatch })).json();
    await centre.post(`/api/applications/${a.id}/actions`, { action: 'apply' });
    const refused = await centre.post(`/api/applications/${a.id}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(refused.json().code).toBe('PHOTO_NOT_COMPLIANT');
    expect((await centre.post(`/api/photos/${up.id}/review`, { decision: 'pass', note: '' })).json().code).toBe(
      'REVIEW_NOTE_REQUIRED',
    );
    const city = await Client.login(t.app, 'jinan');
    expect((await city.post(`/api/photos/${up.id}/review`, { decision: 'pass', note: '看过' })).statusCode).toBe(403);
    const decided = await centre.post(`/api/photos/${up.id}/review`, {
      decision: 'pass',
      note: '双耳露出，背景无阴影',
    });
    expect(decided.statusCode, decided.body).toBe(200);
    expect(decided.json().status).toBe('review');
    expect(decided.json().checks.length).toBeGreaterThan(0);
    expect(decided.json().humanReview).toMatchObject({ decision: 'pass', note: '双耳露出，背景无阴影' });
    const ok = await centre.post(`/api/applications/${a.id}/actions`, { action: 'submit', samePhotoConfirmed: true });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().warnings.map((w: { code: string }) => w.code)).toContain('PHOTO_HUMAN_CONFIRMED');
    // locked now: the decision cannot be changed during review
    expect((await centre.post(`/api/photos/${up.id}/review`, { decision: 'fail', note: '改判' })).json().code).toBe(
      'PHOTO_LOCKED',
    );
    const history = (await centre.get(`/api/audit?entity=student&entityId=${s.id}`)).json();
    expect(JSON.stringify(history.items)).toContain('photo_human_review');
  });
});
