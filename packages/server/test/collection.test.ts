/**
 * Photo collection orders (seed 004) through the API: the student submits 采集码 + 特征码 + photo, the collection
 * centre reviews (sees the name masked), the student pays 67 yuan, final review, completion, shipping, receipt
 * and the 学信网 reminder; wrong feature code and wrong amount refused; more than 3 rejections → in-person advice.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  BACKENDS,
  checksDone,
  Client,
  Clock,
  compliantJpeg,
  demoIds,
  makeApp,
  serverErrorsOnGets,
  type TestApp,
} from './helpers.js';

describe.each(BACKENDS)('collection orders on %s', (backend) => {
  let t: TestApp;
  const clock = new Clock('2025-09-01');
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now });
  });
  afterAll(async () => t?.close());

  test('an order from submission to receipt, with refusals and reminders', async () => {
    const ids = await demoIds(t.app);
    const lina = ids.student('李娜');
    const student = await Client.login(t.app, lina.xuehao);
    const collector = await Client.login(t.app, 'caiji');
    const orgs = (await student.get('/api/orgs')).json();
    expect(orgs.items).toHaveLength(1); // a student sees its own centre only
    const cc = (await t.app.ctx.repos.orgs.all()).find((o) => o.kind === 'collection_centre')!;
    const created = await student.post('/api/collection/orders', { studentId: lina.id, collectionOrgId: cc.id });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id;
    const noPhoto = await student.post(`/api/collection/orders/${id}/actions`, {
      type: 'collection_submit',
      collectionCode: 'CJ123456',
      featureCode: 'yknmcm',
    });
    expect(noPhoto.json().code).toBe('PHOTO_MISSING');
    expect(
      (await student.upload(`/api/collection/orders/${id}/photo`, 'me.jpg', await compliantJpeg(51))).json().hasPhoto,
    ).toBe(true);
    const wrongCode = await student.post(`/api/collection/orders/${id}/actions`, {
      type: 'collection_submit',
      collectionCode: 'CJ123456',
      featureCode: 'abcdef',
    });
    expect(wrongCode.statusCode).toBe(422);
    expect(wrongCode.json().code).toBe('FEATURE_CODE_INVALID');
    const sub = await student.post(`/api/collection/orders/${id}/actions`, {
      type: 'collection_submit',
      collectionCode: 'CJ123456',
      featureCode: ' YKNMCM ',
      shippingAddress: '济南市历下区…',
    });
    expect(sub.statusCode, sub.body).toBe(200);
    expect(sub.json().status).toBe('submitted');

    // the collection centre sees the order, name masked
    const list = (await collector.get('/api/collection/orders')).json().items;
    expect(list).toHaveLength(1);
    expect(list[0].name).toBe('李*');
    expect((await collector.get(`/api/collection/orders/${id}/photo`)).headers['content-type']).toBe('image/jpeg');
    // only the collector reviews
    expect(
      (await student.post(`/api/collection/orders/${id}/actions`, { type: 'collection_first_review_pass' })).json()
        .code,
    ).toBe('NOT_PERMITTED');
    expect(
      (await collector.post(`/api/collection/orders/${id}/actions`, { type: 'collection_first_review_pass' })).json()
        .status,
    ).toBe('first_review_passed');
    const wrongAmount = await student.post(`/api/collection/orders/${id}/actions`, {
      type: 'collection_pay',
      amountFen: 6000,
    });
    expect(wrongAmount.json().code).toBe('PAYMENT_AMOUNT_WRONG');
    expect(
      (await student.post(`/api/collection/orders/${id}/actions`, { type: 'collection_pay', amountFen: 6700 })).json()
        .status,
    ).toBe('paid');
    expect(
      (await collector.post(`/api/collection/orders/${id}/actions`, { type: 'collection_final_pass' })).json().status,
    ).toBe('final_passed');
    expect(
      (await collector.post(`/api/collection/orders/${id}/actions`, { type: 'collection_complete' })).json().status,
    ).toBe('completed');
    // collection → audit: the collected photo is now the student's current photo (source 采集中心), checked
    await checksDone(t.app);
    const onRecord = (await t.app.ctx.repos.photos.forStudent(lina.id))[0];
    expect(onRecord?.source).toBe('collection');
    expect((await t.app.ctx.repos.students.byId(lina.id))?.photo_id).toBe(onRecord?.id);
    expect(onRecord?.status).toBe('pass');
    // …and the 学信网缺学历照片 flag clears on the centre's confirmation (refused before completion: see below)
    await t.app.ctx.repos.students.update(lina.id, { chsi_photo_missing: 1 });
    const centre = await Client.login(t.app, 'lixia');
    const confirmed = await centre.post(`/api/students/${lina.id}/chsi-photo/confirm`);
    expect(confirmed.statusCode, confirmed.body).toBe(200);
    expect(confirmed.json().flags.chsiPhotoMissing).toBe(false);
    const other = ids.student('王芳');
    await t.app.ctx.repos.students.update(other.id, { chsi_photo_missing: 1 });
    const early = await centre.post(`/api/students/${other.id}/chsi-photo/confirm`);
    expect(early.json().code).toBe('CHSI_UPLOAD_NOT_DONE');
    // 7 working days later the paper copies are overdue
    clock.set('2025-09-15');
    const rem = (await collector.get('/api/collection/reminders')).json();
    expect(rem.overdueShipments.map((x: { orderId: number }) => x.orderId)).toEqual([id]);
    expect(
      (
        await collector.post(`/api/collection/orders/${id}/actions`, {
          type: 'collection_ship',
          trackingNumber: 'SF123',
        })
      ).json().status,
    ).toBe('shipped');
    const receipt = await student.post(`/api/collection/orders/${id}/actions`, {
      type: 'collection_record_receipt',
      receivedOn: '2025-09-15',
    });
    expect(receipt.json().paperReceivedOn).toBe('2025-09-15');
    const chsi = (await student.get('/api/collection/reminders')).json().chsiChecks;
    expect(chsi[0].message).toMatch(/学信网/);
    // centre B sees nothing of it
    expect((await (await Client.login(t.app, 'zhangqiu')).get(`/api/collection/orders/${id}`)).json().code).toBe(
      'NOT_FOUND',
    );
    expect(await serverErrorsOnGets(t.app, ['caiji', 'lixia', lina.xuehao], id)).toEqual([]);
    clock.set('2025-09-01');
  });

  test('more than 3 rejections: advise collection in person', async () => {
    const ids = await demoIds(t.app);
    const centre = await Client.login(t.app, 'lixia');
    const collector = await Client.login(t.app, 'caiji');
    const cc = (await t.app.ctx.repos.orgs.all()).find((o) => o.kind === 'collection_centre')!;
    const s = ids.student('王芳');
    const id = (await centre.post('/api/collection/orders', { studentId: s.id, collectionOrgId: cc.id })).json().id;
    await centre.upload(`/api/collection/orders/${id}/photo`, 'x.jpg', await compliantJpeg(52));
    const studentUser = await t.app.ctx.services.auth.createUser(null, {
      username: 'wangfang',
      password: 'long-enough-2',
      displayName: '王芳',
      role: 'student',
      orgId: ids.centreA,
      studentId: s.id,
    });
    const student = await Client.login(t.app, studentUser.username, 'long-enough-2');
    // collection deadline reminder per centre: the province sets 采集截止日期, 王芳 is flagged 学信网缺学历照片
    const province = await Client.login(t.app, 'shandong');
    await province.post('/api/students/flags/import', { flag: 'chsi_photo_missing', identifiers: [s.xuehao] });
    expect(
      (await province.patch(`/api/batches/${ids.realBatch}`, { collectionDeadline: '2025-09-15' })).statusCode,
    ).toBe(200);
    const dl = (await centre.get('/api/collection/reminders')).json().deadlines;
    expect(dl).toHaveLength(1);
    expect(dl[0]).toMatchObject({
      orgId: ids.centreA,
      deadline: '2025-09-15',
      daysLeft: 14,
      pendingStudentIds: [s.id],
    });
    expect(dl[0].message).toMatch(/采集截止日期/);
    let last;
    for (let i = 0; i < 4; i++) {
      expect(
        (
          await student.post(`/api/collection/orders/${id}/actions`, {
            type: 'collection_submit',
            collectionCode: 'C1',
            featureCode: 'yknmcm',
          })
        ).statusCode,
      ).toBe(200);
      last = await collector.post(`/api/collection/orders/${id}/actions`, {
        type: 'collection_reject',
        reason: '背景不是浅蓝色',
      });
    }
    expect(last!.json().rejectionCount).toBe(4);
    expect(last!.json().inPersonAdvice).toMatch(/现场采集/);
    expect(last!.json().warnings.map((w: { code: string }) => w.code)).toContain('IN_PERSON_ADVISED');
  });
});
