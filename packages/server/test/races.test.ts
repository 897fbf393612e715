/**
 * Races against the real server over real HTTP (数据库约束与并发), on SQLite and on PostgreSQL: the invariants
 * of seed 000 三.3 and 三.6 hold when requests arrive at the same moment, not only one at a time.
 * - concurrent final approvals of one student's applications in two batches → one 电子注册号, one certificate;
 * - a photo upload racing the submission → the submitted photo is the student's current photo;
 * - 25 concurrent approvals of one application → one success, the others a clear 409;
 * - 50 concurrent approvals of different applications → 50 numbers, consecutive serials, no gaps, no 500.
 * Fixture rows are written through the repositories; every raced step goes through HTTP.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseRegistrationNumber } from '@gradpass/core';
import {
  BACKENDS,
  Clock,
  applicationIn,
  checksDone,
  compliantJpeg,
  httpSuite,
  newTestStudent,
  type demoIds,
  type TestApp,
} from './helpers.js';
import { HttpClient } from './http-client.js';

describe.each(BACKENDS)('races on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let national: HttpClient;
  let centre: HttpClient;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let serial = 0;
  const clock = new Clock('2025-12-10'); // inside the first window of 2026年1月毕业

  beforeAll(async () => {
    ({ t, base, ids, national } = await httpSuite(backend, { now: clock.now }));
    centre = await HttpClient.login(base, 'lixia');
  });
  afterAll(async () => t?.close());

  /** A new student of centre A with a valid 身份证号, and (optionally) a checked, passing photo. */
  async function newStudent(withPhoto: boolean) {
    const s = await newTestStudent(t.app, ids.centreA, ++serial);
    if (withPhoto) {
      const up = await centre.upload(s.id, `${s.xuehao}.jpg`, await compliantJpeg(serial));
      expect(up.status, JSON.stringify(up.body)).toBe(200);
      await checksDone(t.app);
    }
    return (await t.app.ctx.repos.students.byId(s.id))!;
  }

  /** An application row of a student in a batch, already in `state` (fixture; the race itself is over HTTP). */
  function appIn(studentId: number, batchId: number, state: string, photoId: number | null): Promise<number> {
    return applicationIn(t.app, clock.now().toISOString(), { studentId, batchId, state, photoId });
  }

  test('concurrent final approvals across two batches give one 电子注册号 and one certificate', async () => {
    for (let round = 0; round < 8; round++) {
      const s = await newStudent(true);
      const a = await appIn(s.id, ids.realBatch, 'province_approved', s.photo_id);
      const b = await appIn(s.id, ids.demoBatch, 'province_approved', s.photo_id);
      const rs = await Promise.all([national.act(a, 'approve'), national.act(b, 'approve')]);
      const statuses = rs.map((r) => r.status).sort();
      expect(statuses, JSON.stringify(rs)).toEqual([200, 409]);
      expect(rs.find((r) => r.status === 409)!.body.code).toBe('ALREADY_GRADUATED');
      const apps = await t.app.ctx.repos.applications.forStudent([s.id]);
      expect(apps.filter((x) => x.registration_number).length).toBe(1);
      expect(apps.filter((x) => x.state === 'graduated').length).toBe(1);
      const certs = await t.app.ctx.repos.certificates.listAll({ orgIds: [ids.centreA], studentId: s.id });
      expect(certs.length).toBe(1);
    }
  });

  test('a photo upload racing the submission never leaves the application with another photo', async () => {
    for (let round = 0; round < 15; round++) {
      const s = await newStudent(true);
      const appId = await appIn(s.id, ids.realBatch, 'applied', null);
      const replacement = await compliantJpeg(1000 + round);
      const [sub, up] = await Promise.all([
        centre.act(appId, 'submit', { samePhotoConfirmed: true }),
        centre.upload(s.id, `${s.xuehao}.jpg`, replacement),
      ]);
      for (const r of [sub, up]) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
      const app = (await t.app.ctx.repos.applications.byId(appId))!;
      const student = (await t.app.ctx.repos.students.byId(s.id))!;
      if (app.state === 'submitted') {
        expect(app.photo_id).toBe(student.photo_id);
      }
      // whatever won, a later replacement of a submitted photo is refused by the database itself
      if (app.state === 'submitted') {
        await expect(t.app.ctx.repos.students.update(s.id, { photo_id: null })).rejects.toThrow(/PHOTO_LOCKED/);
      }
    }
  });

  test('25 concurrent approvals of one application: one succeeds, the others get a 409', async () => {
    for (let round = 0; round < 3; round++) {
      const s = await newStudent(true);
      const appId = await appIn(s.id, ids.realBatch, 'province_approved', s.photo_id);
      const rs = await Promise.all(Array.from({ length: 25 }, () => national.act(appId, 'approve')));
      expect(rs.filter((r) => r.status === 200).length, JSON.stringify(rs.map((r) => r.body.code))).toBe(1);
      for (const r of rs.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(409);
        expect(['CONCURRENT_CHANGE', 'INVALID_TRANSITION', 'REGISTRATION_NUMBER_IMMUTABLE']).toContain(r.body.code);
        expect(r.body.message).toMatch(/[\u4e00-\u9fa5]/);
      }
      const apps = await t.app.ctx.repos.applications.forStudent([s.id]);
      expect(apps.filter((x) => x.registration_number).length).toBe(1);
    }
  });

  test('50 concurrent approvals of different applications: distinct numbers, consecutive serials, no gaps', async () => {
    const before = await issuedSerials();
    const appIds: number[] = [];
    for (let i = 0; i < 50; i++) {
      const s = await newStudent(false);
      appIds.push(await appIn(s.id, ids.realBatch, 'province_approved', null));
    }
    // one refusal in the middle (a 学信网 flag) must not leave a gap in the serials
    const flagged = (await t.app.ctx.repos.applications.byId(appIds[25]))!;
    await t.app.ctx.repos.students.update(flagged.student_id, { chsi_photo_missing: 1 });
    const rs = await Promise.all(appIds.map((id) => national.act(id, 'approve')));
    for (const r of rs) expect(r.status, JSON.stringify(r.body)).toBeLessThan(500);
    expect(rs.filter((r) => r.status === 200).length).toBe(49);
    expect(rs[25].body.code).toBe('CHSI_PHOTO_MISSING');
    const numbers = rs.filter((r) => r.status === 200).map((r) => r.body.registrationNumber as string);
    expect(new Set(numbers).size).toBe(49);
    const after = await issuedSerials();
    const fresh = after.filter((n) => !before.includes(n)).sort((x, y) => x - y);
    expect(fresh.length).toBe(49);
    const first = before.length ? Math.max(...before) + 1 : 1;
    expect(fresh).toEqual(Array.from({ length: 49 }, (_, i) => first + i));
  });

  /** Serials of every 电子注册号 issued so far. */
  async function issuedSerials(): Promise<number[]> {
    const all = await t.app.ctx.repos.applications.listAll({ orgIds: [ids.centreA, ids.centreB] });
    return all
      .filter((a) => a.registration_number)
      .map((a) => parseRegistrationNumber(a.registration_number as string)!.serial);
  }
});
