/**
 * A full batch through the API: roster import, photo upload (zip and single), the student applies, the centre
 * submits, city → province → national approve, 电子注册号 issued, certificate arrives, handed over, confirmed.
 * Runs on SQLite always and on PostgreSQL when DATABASE_URL is set.
 */
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS,
  Client,
  Clock,
  checksDone,
  compliantJpeg,
  demoIds,
  makeApp,
  serverErrorsOnGets,
  type TestApp,
} from './helpers.js';

function zip(files: Array<[string, Buffer]>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [n, b] of files) z.addBuffer(b, n);
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream
      .on('data', (c: Buffer) => chunks.push(c))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}

describe.each(BACKENDS)('full batch on %s', (backend) => {
  let t: TestApp;
  const clock = new Clock('2025-12-10'); // inside the first window of 2026年1月毕业
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now });
  });
  afterAll(async () => t?.close());

  test('roster import, photos, four-level review, registration number, certificate', async () => {
    const { app } = t;
    const ids = await demoIds(app);
    const centre = await Client.login(app, 'lixia');

    // 1. roster import: two good rows, one bad (身份证号 check digit), per-row results in Chinese
    const csv = [
      '学号,姓名,身份证号,专业,层次,入学学期',
      '2337001200101,赵敏,370102199602022024,会计学,本科,2023秋',
      '2337001200102,钱程,370102199703030410,法学,本科,2023秋',
      '2337001200103,孙丽,370102199703030415,法学,本科,2023秋',
    ].join('\n');
    const imp = await centre.upload('/api/students/import', 'roster.csv', Buffer.from(csv), {
      orgId: String(ids.centreA),
    });
    expect(imp.statusCode, imp.body).toBe(200);
    const ir = imp.json();
    expect(ir.created).toBe(2);
    expect(ir.failed).toBe(1);
    const bad = ir.rows.find((r: { ok: boolean }) => !r.ok);
    expect(bad.row).toBe(4);
    expect(bad.message).toMatch(/第 4 行/);
    // re-import: the same rows update, nothing is duplicated; an XLSX roster works the same way
    const reimport = (
      await centre.upload('/api/students/import', 'roster.csv', Buffer.from(csv), { orgId: String(ids.centreA) })
    ).json();
    expect([reimport.created, reimport.updated, reimport.failed]).toEqual([0, 2, 1]);
    const wbIn = new ExcelJS.Workbook();
    const sheet = wbIn.addWorksheet('名册');
    sheet.addRow(['学号', '姓名', '身份证号', '专业', '层次', '入学学期']);
    sheet.addRow(['2337001200104', '郑爽', '370102199602022024', '法学', '专科', '2024春']);
    const xbuf = Buffer.from(await wbIn.xlsx.writeBuffer());
    const xr = (await centre.upload('/api/students/import', '名册.xlsx', xbuf, { orgId: String(ids.centreA) })).json();
    expect(xr.created, JSON.stringify(xr)).toBe(1);
    const garbage = await centre.upload('/api/students/import', 'roster.xlsx', Buffer.from('not a spreadsheet'), {
      orgId: String(ids.centreA),
    });
    expect(garbage.statusCode).toBe(422);
    expect(garbage.json().message).toMatch(/[\u4e00-\u9fa5]/);
    // a centre cannot import into another centre
    expect(
      (
        await centre.upload('/api/students/import', 'roster.csv', Buffer.from(csv), { orgId: String(ids.centreB) })
      ).json().code,
    ).toBe('NOT_FOUND');

    // 2. photos: a zip named by 学号 (+ one stray file), checks run in the background
    const good = await compliantJpeg(1);
    const z = await zip([
      ['2337001200101.jpg', good],
      ['2337001200102.jpg', await compliantJpeg(2)],
      ['9999999999999.jpg', good],
      ['readme.txt', Buffer.from('x')],
    ]);
    const pz = await centre.upload('/api/photos/import', 'photos.zip', z, {
      orgId: String(ids.centreA),
      source: 'collection',
    });
    expect(pz.statusCode, pz.body).toBe(200);
    const pr = pz.json();
    expect(pr.matched.map((m: { file: string }) => m.file).sort()).toEqual(['2337001200101.jpg', '2337001200102.jpg']);
    expect(pr.unmatched.map((m: { code: string }) => m.code).sort()).toEqual(['NOT_JPEG', 'NO_STUDENT']);
    expect(pr.missing.map((m: { name: string }) => m.name)).toContain('李娜');

    const lina = ids.student('李娜');
    const up = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, good, {
      source: 'collection',
    });
    expect(up.statusCode, up.body).toBe(200);
    expect(up.json().status).toBe('pending');
    await checksDone(app);
    const photo = (await centre.get(`/api/photos/${up.json().id}`)).json();
    expect(photo.status, JSON.stringify(photo.checks)).toBe('pass');
    expect(photo.source).toBe('collection');
    const bytes = await centre.get(`/api/students/${lina.id}/photo`);
    expect(bytes.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.compare(bytes.rawPayload, good)).toBe(0);

    // 3. the student applies (signs the form)
    const student = await Client.login(app, lina.xuehao);
    const created = await student.post('/api/applications', {
      studentId: lina.id,
      batchId: ids.realBatch,
      degreeRequested: true,
    });
    expect(created.statusCode, created.body).toBe(200);
    const appId = created.json().id;
    expect(created.json().state).toBe('draft');
    const applied = await student.post(`/api/applications/${appId}/actions`, { action: 'apply' });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json().state).toBe('applied');

    // 4. the centre submits — first without the 同版 confirmation (refused), then with it
    const noConfirm = await centre.post(`/api/applications/${appId}/actions`, { action: 'submit' });
    expect(noConfirm.statusCode).toBe(422);
    expect(noConfirm.json().code).toBe('PHOTO_VERSION_UNCONFIRMED');
    const submitted = await centre.post(`/api/applications/${appId}/actions`, {
      action: 'submit',
      samePhotoConfirmed: true,
    });
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json().state).toBe('submitted');
    expect(submitted.json().photoId).toBe(up.json().id);

    // photo locked while in review
    const locked = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, good);
    expect(locked.statusCode).toBe(409);
    expect(locked.json().code).toBe('PHOTO_LOCKED');
    expect(locked.json().message).toMatch(/锁定/);
    expect((await centre.get(`/api/students/${lina.id}`)).json().photoLocked).toBe(true);

    // 5. city, province, national
    const city = await Client.login(app, 'jinan');
    const province = await Client.login(app, 'shandong');
    const national = await Client.login(app, 'guokai');
    expect((await city.post(`/api/applications/${appId}/actions`, { action: 'approve' })).json().state).toBe(
      'city_approved',
    );
    expect((await province.post(`/api/applications/${appId}/actions`, { action: 'approve' })).json().state).toBe(
      'province_approved',
    );
    const fin = await national.post(`/api/applications/${appId}/actions`, { action: 'approve' });
    expect(fin.statusCode, fin.body).toBe(200);
    expect(fin.json().state).toBe('graduated');
    const number = fin.json().registrationNumber as string;
    expect(number).toMatch(/^51161\d{11}$/);

    // the number is immutable: nothing moves the application any more
    const again = await national.post(`/api/applications/${appId}/actions`, {
      action: 'national_reject',
      reason: '测试',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('REGISTRATION_NUMBER_IMMUTABLE');
    expect((await centre.get(`/api/applications/${appId}`)).json().registrationNumber).toBe(number);

    // progress per child org × state, as the city sees it
    const prog = (await city.get(`/api/progress?batchId=${ids.realBatch}`)).json();
    const rowA = prog.rows.find((r: { org: { id: number } }) => r.org.id === ids.centreA);
    expect(rowA.counts.graduated).toBe(1);
    expect(prog.totals.total).toBe(1);

    // 6. certificate: pending → arrived → handed over → confirmed
    const certs = (await centre.get('/api/certificates')).json();
    expect(certs.items).toHaveLength(1);
    expect(certs.items[0].state).toBe('pending');
    expect(certs.items[0].registrationNumber).toBe(number);
    const certId = certs.items[0].id;
    const early = await centre.post(`/api/certificates/${certId}/handover`, {
      recipient: 'student',
      idCard: lina.id_card,
      idChecked: true,
      signed: true,
    });
    expect(early.json().code).toBe('CERTIFICATE_NOT_ARRIVED');
    const arr = await centre.post('/api/certificates/arrive', {
      applicationIds: [appId],
      receivedFrom: '济南市开放大学 王老师',
    });
    expect(arr.json().okCount, arr.body).toBe(1);
    expect((await centre.get(`/api/certificates/pending`)).json().rows[0].notHandedOver).toBe(1);
    const noId = await centre.post(`/api/certificates/${certId}/handover`, {
      recipient: 'student',
      idCard: lina.id_card,
      idChecked: false,
      signed: true,
    });
    expect(noId.json().code).toBe('ID_CHECK_REQUIRED');
    const handed = await centre.post(`/api/certificates/${certId}/handover`, {
      recipient: 'student',
      idCard: lina.id_card,
      idChecked: true,
      signed: true,
    });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(handed.json().state).toBe('handed_over');
    expect(handed.json().handover.name).toBe('李娜');
    const confirmed = await student.post(`/api/certificates/${certId}/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().state).toBe('confirmed');
    expect((await centre.get(`/api/certificates/pending`)).json().rows[0].notHandedOver).toBe(0);
    // a problem the student finds later goes up to the city
    const problem = await student.post(`/api/certificates/${certId}/problem`, {
      text: '证书上的专业名称与学信网不一致',
    });
    expect(problem.json().state, problem.body).toBe('problem_reported');
    const cityView = (await city.get('/api/certificates?state=problem_reported')).json().items;
    expect(cityView.map((c: { id: number }) => c.id)).toEqual([certId]);
    expect(cityView[0].problem.escalatedTo).toBe((await app.ctx.repos.orgs.byId(ids.city))!.path);

    // 7. audit: every step, who and before → after
    const audit = (await centre.get(`/api/audit?entity=application&entityId=${appId}`)).json();
    expect(audit.items.map((a: { action: string }) => a.action).reverse()).toEqual([
      'create',
      'apply',
      'submit',
      'city_approve',
      'province_approve',
      'national_approve',
    ]);
    const last = audit.items[0];
    expect(last.actorName).toMatch(/国开终审员/);
    expect(last.before).toEqual({ state: 'province_approved' });
    expect(last.after.registrationNumber).toBe(number);

    // 8. XLSX export with Chinese headers
    const x = await centre.get(`/api/reports/applications.xlsx?batchId=${ids.realBatch}`);
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).getCell(1).value).toBe('学号');
    expect(ws.getRow(2).getCell(1).value).toBe(lina.xuehao);
    expect(ws.getRow(2).getCell(8).value).toBe(number);

    // with real data in every table, every GET route still serialises (response schemas match), for every role
    expect(await serverErrorsOnGets(app, ['admin', 'jinan', 'lixia', lina.xuehao], appId)).toEqual([]);
  });

  test('registration numbers are unique across many graduates (bulk, per-item results)', async () => {
    const { app } = t;
    const ids = await demoIds(app);
    const centre = await Client.login(app, 'lixia');
    const appIds: number[] = [];
    // its own two students (no data from the other test)
    for (const [xuehao, idCard, name, seed] of [
      ['2337001200201', '370102199602022024', '周杰', 41],
      ['2337001200202', '370102199703030410', '吴敏', 42],
    ] as const) {
      const st = await centre.post('/api/students', {
        xuehao,
        idCard,
        name,
        orgId: ids.centreA,
        programme: '会计学',
        level: '本科',
        enrolTerm: '2023秋',
      });
      expect(st.statusCode, st.body).toBe(200);
      expect(
        (await centre.upload(`/api/students/${st.json().id}/photo`, `${xuehao}.jpg`, await compliantJpeg(seed)))
          .statusCode,
      ).toBe(200);
      const a = (await centre.post('/api/applications', { studentId: st.json().id, batchId: ids.realBatch })).json();
      expect((await centre.post(`/api/applications/${a.id}/actions`, { action: 'apply' })).statusCode).toBe(200);
      appIds.push(a.id);
    }
    await checksDone(app);
    // bulk submit: both have a passing photo
    const sub = (
      await centre.post('/api/applications/bulk', { ids: appIds, action: 'submit', samePhotoConfirmedIds: appIds })
    ).json();
    expect(sub.okCount, JSON.stringify(sub)).toBe(2);
    // bulk with one application in the wrong state: per-item result
    const city = await Client.login(app, 'jinan');
    const c1 = (await city.post('/api/applications/bulk', { ids: [appIds[0], appIds[1]], action: 'approve' })).json();
    expect(c1.okCount).toBe(2);
    const c2 = (
      await city.post('/api/applications/bulk', { ids: [appIds[0]], action: 'return', reason: '照片不清晰' })
    ).json();
    expect(c2.failCount).toBe(1);
    expect(c2.results[0].code).toBe('NOT_PERMITTED'); // city_approved is the province's to return
    const province = await Client.login(app, 'shandong');
    expect((await province.post('/api/applications/bulk', { ids: appIds, action: 'approve' })).json().okCount).toBe(2);
    const national = await Client.login(app, 'guokai');
    const fin = (await national.post('/api/applications/bulk', { ids: appIds, action: 'approve' })).json();
    expect(fin.okCount, JSON.stringify(fin)).toBe(2);
    const numbers = fin.results.map((r: { registrationNumber: string }) => r.registrationNumber);
    expect(new Set(numbers).size).toBe(2);
  });
});
