/**
 * 首批优先 (first-window priorities) as a paged query, on every backend: the pages, read one after another,
 * are exactly core's firstBatchPriorities over every student of the scope (the whole list, as computed before
 * paging) — the same students, reasons and order — with an exact total; for the national, city and centre scopes,
 * with and without `nextBatchStart`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { idCardCheckChar } from '@gradpass/ids';
import { firstBatchPriorities } from '@gradpass/core';
import { BACKENDS, Client, Clock, demoIds, makeApp, type TestApp } from './helpers.js';
import { toCoreStudent } from '../src/services/students.js';
import { OrgTree } from '../src/services/context.js';

type Item = { student: { id: number; xuehao: string }; reasons: Array<{ code: string }> };

describe.each(BACKENDS)('first-window priorities, paged, on %s', (backend) => {
  let t: TestApp;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  const clock = new Clock('2025-12-10');

  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now });
    ids = await demoIds(t.app);
    // 48 students over both centres: expiring terms (2018春 ends 2026-04-30, 2018秋 2026-10-31), an expired one,
    // valid ones, 续读 专科 and 本科 (the flag counts only for 专科), and graduates (never listed).
    const terms = ['2018春', '2018秋', '2017秋', '2021春', '2023秋', '2019春'];
    for (let k = 0; k < 48; k++) {
      const first17 = `37010219970303${String(k).padStart(3, '0')}`;
      const s = await t.app.ctx.services.students.create(null, {
        // 学号 not in creation order, so the order by 学号 is tested
        xuehao: `23370012${String(90000 + ((k * 37) % 48)).padStart(5, '0')}`,
        idCard: first17 + idCardCheckChar(first17),
        name: `优先${k}`,
        orgId: k % 3 ? ids.centreA : ids.centreB,
        programme: '会计学',
        level: k % 2 ? '专科' : '本科',
        enrolTerm: terms[k % terms.length],
        continuing: k % 4 === 1 || k % 4 === 2,
      });
      if (k % 11 === 5) {
        const at = clock.now().toISOString();
        await t.app.ctx.repos.applications.insert({
          student_id: s.id,
          batch_id: ids.demoBatch,
          state: 'graduated',
          degree_requested: 0,
          signed_at: at,
          same_version_confirmed_at: at,
          photo_id: null,
          returned_by: null,
          submission_count: 1,
          version: 1,
          registration_number: `51161${2025}${k % 2 ? 2 : 1}${String(900 + k).padStart(6, '0')}`,
          last_reason: null,
          created_at: at,
          updated_at: at,
        });
      }
    }
  });
  afterAll(async () => t?.close());

  /** Core's whole list over every student of an organisation's subtree (the answer before paging). */
  async function wholeList(orgId: number, nextBatchStart?: string) {
    const tree = await OrgTree.load(t.app.ctx.repos);
    const rows = await t.app.ctx.repos.students.listAll({ orgIds: tree.subtreeIds(orgId) });
    const apps = await t.app.ctx.repos.applications.forStudent(rows.map((r) => r.id));
    const list = firstBatchPriorities(
      rows.map((r) =>
        toCoreStudent(
          r,
          tree.get(r.org_id)!.path,
          apps.filter((a) => a.student_id === r.id),
        ),
      ),
      clock.now(),
      nextBatchStart,
    );
    return list.map((p) => [Number(p.student.id), p.reasons.map((r) => r.code).join()]);
  }

  test.each([
    ['admin', 'province', '2026-06-01'],
    ['admin', 'province', '2027-01-01'],
    ['admin', 'province', undefined],
    ['jinan', 'city', '2026-11-15'],
    ['lixia', 'centreA', '2026-06-01'],
  ] as const)('%s over the %s, next batch %s: the pages are core’s whole list', async (user, scope, nbs) => {
    const c = await Client.login(t.app, user);
    const orgId = ids[scope];
    const expected = await wholeList(orgId, nbs);
    expect(expected.length).toBeGreaterThan(3);
    const got: Array<[number, string]> = [];
    for (let page = 1; page < 50; page++) {
      const q = `orgId=${orgId}&page=${page}&pageSize=4${nbs ? `&nextBatchStart=${nbs}` : ''}`;
      const r = await c.get(`/api/students/priorities?${q}`);
      expect(r.statusCode, r.body).toBe(200);
      const body = r.json() as { items: Item[]; total: number; totalExact: boolean; pageSize: number };
      expect([body.total, body.totalExact, body.pageSize]).toEqual([expected.length, true, 4]);
      got.push(...body.items.map((i): [number, string] => [i.student.id, i.reasons.map((x) => x.code).join()]));
      if (body.items.length < 4) break;
    }
    expect(got).toEqual(expected);
  });
});
