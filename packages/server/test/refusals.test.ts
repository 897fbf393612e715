/**
 * The refusals, each with its code and a Chinese message: closed window, frozen batch, locked photo, failing
 * photo, doubtful identity (and 身份复核 lifting it), 学信网缺学历照片 at the final review, expired enrolment,
 * wrong role, another centre's student.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
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

describe.each(BACKENDS)('refusals on %s', (backend) => {
  let t: TestApp;
  const clock = new Clock('2025-12-10');
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let centre: Client, other: Client, city: Client, province: Client, national: Client;
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now });
    ids = await demoIds(t.app);
    [centre, other, city, province, national] = await Promise.all(
      ['lixia', 'zhangqiu', 'jinan', 'shandong', 'guokai'].map((u) => Client.login(t.app, u)),
    );
  });
  afterAll(async () => t?.close());
  beforeEach(() => clock.set('2025-12-10'));

  /** A student of centre A with a checked photo and an application in state `applied`. */
  async function applied(name: string, photo: Buffer | null = null) {
    const s = ids.student(name);
    if (photo) {
      const r = await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, photo);
      expect(r.statusCode, r.body).toBe(200);
      await checksDone(t.app);
    }
    const a = (await centre.post('/api/applications', { studentId: s.id, batchId: ids.realBatch })).json();
    const r = await centre.post(`/api/applications/${a.id}/actions`, { action: 'apply' });
    return { s, appId: a.id as number, applyRes: r };
  }

  test('closed window (WINDOW_CLOSED) and frozen batch (BATCH_FROZEN); then inside the window it works', async () => {
    const { appId, applyRes } = await applied('张伟', await compliantJpeg(5));
    expect(applyRes.statusCode, applyRes.body).toBe(200);
    clock.set('2025-12-25'); // between the first window and the (not yet opened) second one
    const closed = await centre.post(`/api/applications/${appId}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('WINDOW_CLOSED');
    expect(closed.json().message).toMatch(/不在批次“2026年1月毕业”的审核时间内/);
    clock.set('2026-04-01'); // after the hard deadline
    const frozen = await centre.post(`/api/applications/${appId}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.json().code).toBe('BATCH_FROZEN');
    // the province opens the second window when the exam results are out
    clock.set('2026-02-20');
    const opened = await province.patch(`/api/batches/${ids.realBatch}`, {
      secondWindow: { start: '2026-02-15', end: '2026-03-31' },
    });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json().openWindow).toBe('second');
    const ok = await centre.post(`/api/applications/${appId}/actions`, { action: 'submit', samePhotoConfirmed: true });
    expect(ok.statusCode, ok.body).toBe(200);
    // a reviewer returns it: the photo is unlocked again
    const s = ids.student('张伟');
    expect(
      (await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(6))).json().code,
    ).toBe('PHOTO_LOCKED');
    const noReason = await city.post(`/api/applications/${appId}/actions`, { action: 'return' });
    expect(noReason.json().code).toBe('REASON_REQUIRED');
    const ret = await city.post(`/api/applications/${appId}/actions`, {
      action: 'return',
      reason: '照片与学信网不同版',
    });
    expect(ret.json().state).toBe('returned');
    expect(ret.json().lastReason).toBe('照片与学信网不同版');
    expect(
      (await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(6))).statusCode,
    ).toBe(200);
    await checksDone(t.app);
    clock.set('2025-12-10');
    const badWindow = await province.patch(`/api/batches/${ids.realBatch}`, {
      secondWindow: { start: '2025-12-01', end: '2026-03-31' },
    });
    expect(badWindow.statusCode).toBe(422);
    expect(badWindow.json().code).toBe('BATCH_INVALID');
  });

  test('missing or failing photo (PHOTO_MISSING, PHOTO_NOT_COMPLIANT)', async () => {
    const { appId } = await applied('王芳');
    const missing = await centre.post(`/api/applications/${appId}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().code).toBe('PHOTO_MISSING');
    const s = ids.student('王芳');
    const up = await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await badJpeg(), {
      source: 'student',
    });
    await checksDone(t.app);
    const p = (await centre.get(`/api/photos/${up.json().id}`)).json();
    expect(p.status).toBe('fail');
    expect(p.source).toBe('student');
    expect(p.checks.find((c: { id: string }) => c.id === 'size.pixels').status).toBe('fail');
    const failing = await centre.post(`/api/applications/${appId}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(failing.statusCode).toBe(422);
    expect(failing.json().code).toBe('PHOTO_NOT_COMPLIANT');
    expect(failing.json().message).toMatch(/不合格/);
    // filter students by photo status
    const list = (await centre.get('/api/students?photoStatus=fail')).json();
    expect(list.items.map((x: { name: string }) => x.name)).toEqual(['王芳']);
  });

  test('doubtful identity blocks applying until 身份复核 is approved; 学信网缺学历照片 blocks the final review', async () => {
    const s = ids.student('李娜');
    const flag = await province.post('/api/students/flags/import', {
      flag: 'identity_doubtful',
      identifiers: [s.id_card, '0000', '2437001200004'],
    });
    expect(flag.statusCode, flag.body).toBe(200);
    const rows = flag.json().rows;
    expect(rows[0]).toMatchObject({ ok: true, studentId: s.id });
    expect(rows[1]).toMatchObject({ ok: false, code: 'IDENTIFIER_INVALID' });
    expect(rows[2]).toMatchObject({ ok: true }); // 刘洋 of the other centre: inside the province's subtree
    // a centre cannot import 学信网 flags
    expect(
      (await centre.post('/api/students/flags/import', { flag: 'identity_doubtful', identifiers: [s.xuehao] }))
        .statusCode,
    ).toBe(403);

    const { appId, applyRes } = await applied('李娜', await compliantJpeg(7));
    expect(applyRes.statusCode).toBe(409);
    expect(applyRes.json().code).toBe('IDENTITY_DOUBTFUL');
    expect(applyRes.json().message).toMatch(/身份存疑/);

    // 身份复核: centre uploads documents and submits; province decides
    const doc = await centre.upload(
      `/api/students/${s.id}/identity/documents`,
      '身份证正反面.pdf',
      Buffer.from('%PDF-1.4 test'),
    );
    expect(doc.statusCode, doc.body).toBe(200);
    expect((await centre.get(`/api/students/${s.id}/identity`)).json().status).toBe('documents_collected');
    expect((await province.post(`/api/students/${s.id}/identity/decision`, { approve: true })).json().code).toBe(
      'INVALID_TRANSITION',
    );
    expect((await centre.post(`/api/students/${s.id}/identity/submit`)).json().status).toBe('submitted');
    expect((await centre.post(`/api/students/${s.id}/identity/decision`, { approve: true })).json().code).toBe(
      'NOT_PERMITTED',
    );
    const file = await province.get(`/api/identity-documents/${doc.json().id}/file`);
    expect(file.body).toBe('%PDF-1.4 test');
    expect((await province.post(`/api/students/${s.id}/identity/decision`, { approve: true })).json().status).toBe(
      'approved',
    );
    const ok = await centre.post(`/api/applications/${appId}/actions`, { action: 'apply' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().warnings).toEqual([]);

    // 学信网缺学历照片: warns at every step, blocks the national final review
    await province.post('/api/students/flags/import', { flag: 'chsi_photo_missing', identifiers: [s.xuehao] });
    const sub = await centre.post(`/api/applications/${appId}/actions`, { action: 'submit', samePhotoConfirmed: true });
    expect(sub.statusCode, sub.body).toBe(200);
    expect(sub.json().warnings.map((w: { code: string }) => w.code)).toContain('CHSI_PHOTO_MISSING');
    await city.post(`/api/applications/${appId}/actions`, { action: 'approve' });
    await province.post(`/api/applications/${appId}/actions`, { action: 'approve' });
    const fin = await national.post(`/api/applications/${appId}/actions`, { action: 'approve' });
    expect(fin.statusCode).toBe(409);
    expect(fin.json().code).toBe('CHSI_PHOTO_MISSING');
    const rej = await national.post(`/api/applications/${appId}/actions`, {
      action: 'reject',
      reason: '学信网缺学历照片',
    });
    expect(rej.json().state).toBe('rejected_final');
  });

  test('expired enrolment blocks everything and is listed for cleanup', async () => {
    const s = ids.student('陈静'); // 2017秋: valid until 2025-10-31
    const a = await other.post('/api/applications', { studentId: s.id, batchId: ids.realBatch });
    expect(a.statusCode, a.body).toBe(200);
    const r = await other.post(`/api/applications/${a.json().id}/actions`, { action: 'apply' });
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('ENROLMENT_EXPIRED');
    expect(r.json().message).toMatch(/8 年有效期/);
    const expired = (await other.get('/api/students/expired')).json();
    expect(expired.items.map((x: { name: string }) => x.name)).toEqual(['陈静']);
    expect(expired.items[0].expired).toBe(true);
    // 张伟 (2018春) is still valid but runs out on 2026-04-30
    const expiring = (await centre.get('/api/students/expiring?before=2026-06-01')).json();
    expect(expiring.items.map((x: { name: string }) => x.name)).toEqual(['张伟']);
    expect(expiring.items[0].validUntil).toBe('2026-04-30');
    // first-window priorities: 张伟 (expires before the next batch) first, then 王芳 (专科续读)
    const pri = (await centre.get('/api/students/priorities?nextBatchStart=2026-06-01')).json().items;
    expect(
      pri.map((p: { student: { name: string }; reasons: Array<{ code: string }> }) => [
        p.student.name,
        p.reasons.map((r) => r.code).join(),
      ]),
    ).toEqual([
      ['张伟', 'ENROLMENT_EXPIRING'],
      ['王芳', 'CONTINUING_TO_BACHELOR'],
    ]);
  });

  test("another centre's student: NOT_FOUND (as if it did not exist) on every route; wrong role: NOT_PERMITTED", async () => {
    const s = ids.student('刘洋'); // centre B
    const created = await other.post('/api/applications', { studentId: s.id, batchId: ids.demoBatch });
    expect(created.statusCode, created.body).toBe(200);
    const theirs = created.json();
    for (const r of [
      await centre.get(`/api/students/${s.id}`),
      await centre.patch(`/api/students/${s.id}`, { name: '改名' }),
      await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(9)),
      await centre.get(`/api/students/${s.id}/photo`),
      await centre.get(`/api/applications/${theirs.id}`),
      await centre.post(`/api/applications/${theirs.id}/actions`, { action: 'apply' }),
      await centre.post('/api/applications', { studentId: s.id, batchId: ids.demoBatch }),
      await centre.get(`/api/students?orgId=${ids.centreB}`),
      await centre.get(`/api/audit?orgId=${ids.centreB}`),
    ]) {
      expect(r.statusCode, r.body).toBe(404);
      expect(r.json().code).toBe('NOT_FOUND');
      expect(r.json().message).toMatch(/不存在或不在您的管辖范围内/);
    }
    // lists never show it
    expect(
      (await centre.get('/api/students?pageSize=200')).json().items.map((x: { name: string }) => x.name),
    ).not.toContain('刘洋');
    // the student user sees only self
    const lina = ids.student('李娜');
    const student = await Client.login(t.app, lina.xuehao);
    expect((await student.get(`/api/students/${ids.student('张伟').id}`)).json().code).toBe('NOT_FOUND');
    expect((await student.get(`/api/students/${lina.id}`)).statusCode).toBe(200);
    expect((await student.get('/api/students')).statusCode).toBe(403);
    // unknown id: the very same answer
    expect((await centre.get('/api/students/999999')).json()).toEqual(
      (await centre.get(`/api/students/${s.id}`)).json(),
    );
    // wrong role
    const mine = (
      await centre.post('/api/applications', { studentId: ids.student('张伟').id, batchId: ids.demoBatch })
    ).json();
    const r = await city.post(`/api/applications/${mine.id}/actions`, { action: 'apply' });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('NOT_PERMITTED');
    const nb = await centre.post('/api/batches', {
      name: 'x',
      firstWindow: { start: '2026-01-01', end: '2026-01-10' },
      secondWindow: { start: null, end: '2026-03-01' },
      deadline: '2026-03-01',
    });
    expect(nb.json().code).toBe('NOT_PERMITTED');
  });
});
