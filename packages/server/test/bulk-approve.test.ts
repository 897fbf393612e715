/**
 * Set-based bulk review (批量审核, issue 12) over real HTTP, on SQLite and on PostgreSQL: a bulk step locks its
 * chunk's rows, judges every item with core and writes the changes in multi-row statements — and still keeps every
 * invariant of the single step:
 * - refusals in the middle of a chunk (学信网 flag, wrong state, wrong level's step, unknown id, a student's second
 *   graduation, a repeated id) are per-item results and leave no gap in the 电子注册号 serials of either level;
 * - one audit row and one certificate per graduate, the counters (`application_counts`) equal to the table;
 * - bulk approvals racing each other and single approvals over the same applications: each application graduates
 *   once, serials stay consecutive, nothing answers 500.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { parseRegistrationNumber } from '@gradpass/core';
import { BACKENDS, Clock, applicationIn, httpSuite, newTestStudent, type demoIds, type TestApp } from './helpers.js';
import { HttpClient } from './http-client.js';

type BulkResult = { id: number; ok: boolean; state?: string; registrationNumber?: string | null; code?: string };

describe.each(BACKENDS)('set-based bulk review on %s', (backend) => {
  let t: TestApp;
  let base: string;
  let national: HttpClient;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let serial = 0;
  const clock = new Clock('2025-12-10'); // inside the first window of 2026年1月毕业

  beforeAll(async () => {
    ({ t, base, ids, national } = await httpSuite(backend, { now: clock.now }));
  });
  afterAll(async () => t?.close());

  /** A new student of centre A (本科 or 专科) with a valid 身份证号. */
  const newStudent = (level: '本科' | '专科') => newTestStudent(t.app, ids.centreA, ++serial, level);

  /** An application row already in `state` (fixture; the step under test goes through HTTP). */
  function appIn(studentId: number, batchId: number, state: string): Promise<number> {
    return applicationIn(t.app, clock.now().toISOString(), { studentId, batchId, state });
  }

  /** Serials issued so far, per level. */
  async function issued(): Promise<Record<'bachelor' | 'associate', number[]>> {
    const all = await t.app.ctx.repos.applications.listAll({ orgIds: [ids.centreA, ids.centreB] });
    const out = { bachelor: [] as number[], associate: [] as number[] };
    for (const a of all.filter((x) => x.registration_number)) {
      const p = parseRegistrationNumber(a.registration_number as string)!;
      out[p.level].push(p.serial);
    }
    return out;
  }

  /** The serials issued since `before`, sorted; they must run on from the last one without a gap. */
  function fresh(before: number[], after: number[]) {
    const got = after.filter((n) => !before.includes(n)).sort((x, y) => x - y);
    const first = before.length ? Math.max(...before) + 1 : 1;
    return { got, expected: Array.from({ length: got.length }, (_, i) => first + i) };
  }

  /** `application_counts` (kept by the triggers) against a count of the table itself. */
  async function countersMatchTable() {
    const { db } = t.app.ctx.db;
    const kept = await sql<{ org_id: number; batch_id: number; state: string; n: number }>`
      select org_id, batch_id, state, sum(n) as n from application_counts where n <> 0
      group by org_id, batch_id, state order by org_id, batch_id, state`.execute(db);
    const real = await sql<{ org_id: number; batch_id: number; state: string; n: number }>`
      select s.org_id, a.batch_id, a.state, count(*) as n from applications a join students s on s.id = a.student_id
      group by s.org_id, a.batch_id, a.state order by s.org_id, a.batch_id, a.state`.execute(db);
    const norm = (rows: Array<{ org_id: number; batch_id: number; state: string; n: number }>) =>
      rows.map((r) => `${r.org_id}/${r.batch_id}/${r.state}=${Number(r.n)}`);
    expect(norm(kept.rows)).toEqual(norm(real.rows));
  }

  test('refusals in the middle of a bulk final approval: per-item results, consecutive serials, audit and certificates', async () => {
    const before = await issued();
    // 230 items: two chunks; every 7th student 专科 (its own serial counter).
    const appIds: number[] = [];
    const levelOf = new Map<number, 'bachelor' | 'associate'>();
    for (let k = 0; k < 230; k++) {
      const level = k % 7 === 3 ? '专科' : '本科';
      const s = await newStudent(level);
      const state = k === 120 ? 'submitted' : k === 170 ? 'applied' : 'province_approved';
      const id = await appIn(s.id, ids.realBatch, state);
      appIds.push(id);
      levelOf.set(id, level === '专科' ? 'associate' : 'bachelor');
    }
    // 25: 学信网缺学历照片; 61: the same student as 60, in the other batch (graduates once);
    // 90: an id that does not exist; 150: a repeat of 10 (already graduated by then).
    const flagged = (await t.app.ctx.repos.applications.byId(appIds[25]))!;
    await t.app.ctx.repos.students.update(flagged.student_id, { chsi_photo_missing: 1 });
    const sixty = (await t.app.ctx.repos.applications.byId(appIds[60]))!;
    appIds[61] = await appIn(sixty.student_id, ids.demoBatch, 'province_approved');
    levelOf.set(appIds[61], levelOf.get(appIds[60])!);
    appIds[90] = 99_999_999;
    appIds[150] = appIds[10];
    const refused: Record<number, string> = {
      25: 'CHSI_PHOTO_MISSING',
      61: 'ALREADY_GRADUATED',
      90: 'NOT_FOUND',
      120: 'NOT_PERMITTED', // submitted: the city's step, not the national reviewer's
      150: 'INVALID_TRANSITION', // graduated by then: nothing left to approve
      170: 'INVALID_TRANSITION', // applied: nothing to approve yet
    };

    const r = await national.send('POST', '/api/applications/bulk', { ids: appIds, action: 'approve' });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    const body = r.body as unknown as { results: BulkResult[]; okCount: number; failCount: number };
    expect(body.results.map((x) => x.id)).toEqual(appIds);
    const codes = Object.fromEntries(body.results.flatMap((x, k) => (x.ok ? [] : [[k, x.code]])));
    expect(codes).toEqual(refused);
    expect([body.okCount, body.failCount]).toEqual([230 - 6, 6]);
    for (const x of body.results.filter((y) => y.ok)) expect(x.state).toBe('graduated');

    // Serials: consecutive per level, handed out in the order of the list, none lost to a refusal.
    const after = await issued();
    for (const level of ['bachelor', 'associate'] as const) {
      const { got, expected } = fresh(before[level], after[level]);
      expect(got).toEqual(expected);
      const inOrder = body.results
        .filter((x) => x.ok && levelOf.get(x.id) === level)
        .map((x) => parseRegistrationNumber(x.registrationNumber as string)!.serial);
      expect(inOrder).toEqual(expected);
      expect(inOrder.length).toBe(level === 'associate' ? 32 : 230 - 6 - 32); // 150 (专科) is a repeat
    }
    const { db } = t.app.ctx.db;
    const counters = await db.selectFrom('counters').selectAll().execute();
    for (const level of ['bachelor', 'associate'] as const) {
      const c = counters.find((x) => x.name.endsWith(level === 'bachelor' ? '20251' : '20252'));
      expect(Number(c?.value)).toBe(Math.max(...after[level]));
    }

    // The database: what the results say, one audit row and one certificate per graduate, refused rows untouched.
    const okIds = body.results.filter((x) => x.ok).map((x) => x.id);
    const rows = await t.app.ctx.repos.applications.listAll({
      orgIds: [ids.centreA],
      ids: appIds.filter((i) => i < 99_999_999),
    });
    const byId = new Map(rows.map((a) => [a.id, a]));
    for (const x of body.results.filter((y) => y.ok))
      expect(byId.get(x.id)?.registration_number).toBe(x.registrationNumber);
    expect(byId.get(appIds[25])?.state).toBe('province_approved');
    expect(byId.get(appIds[25])?.registration_number).toBeNull();
    expect(byId.get(appIds[61])?.state).toBe('province_approved');
    expect(byId.get(appIds[120])?.state).toBe('submitted');
    const audits = await db
      .selectFrom('audit_log')
      .select(['entity_id', 'reason', 'after_json'])
      .where('entity', '=', 'application')
      .where('action', '=', 'national_approve')
      .where('entity_id', 'in', appIds)
      .execute();
    expect(audits.map((a) => a.entity_id).sort((x, y) => x - y)).toEqual([...okIds].sort((x, y) => x - y));
    for (const a of audits)
      expect(JSON.parse(a.after_json as string).registrationNumber).toBe(byId.get(a.entity_id)?.registration_number);
    const certs = await db
      .selectFrom('certificates')
      .select('application_id')
      .where('application_id', 'in', appIds)
      .execute();
    expect(certs.map((c) => c.application_id).sort((x, y) => x - y)).toEqual([...okIds].sort((x, y) => x - y));
    await countersMatchTable();
  });

  test('bulk approvals racing each other and single approvals: each application graduates once, no gaps, no 500', async () => {
    const before = await issued();
    const appIds: number[] = [];
    for (let k = 0; k < 120; k++) {
      const s = await newStudent('本科');
      appIds.push(await appIn(s.id, ids.realBatch, 'province_approved'));
    }
    const other = await HttpClient.login(base, 'guokai');
    const bulk = (client: HttpClient, list: number[]) =>
      client.send('POST', '/api/applications/bulk', { ids: list, action: 'approve' });
    const [a, b, ...singles] = await Promise.all([
      bulk(national, appIds.slice(0, 80)),
      bulk(other, appIds.slice(40).reverse()),
      ...appIds.slice(30, 50).map((id) => other.act(id, 'approve')),
    ]);
    for (const r of [a, b, ...singles]) expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBeLessThan(500);
    const wins = new Map<number, number>();
    for (const r of [a, b])
      for (const x of (r.body as unknown as { results: BulkResult[] }).results) {
        if (x.ok) wins.set(x.id, (wins.get(x.id) ?? 0) + 1);
        else expect(['REGISTRATION_NUMBER_IMMUTABLE', 'INVALID_TRANSITION', 'CONCURRENT_CHANGE']).toContain(x.code);
      }
    singles.forEach((r, k) => {
      if (r.status === 200) wins.set(appIds[30 + k], (wins.get(appIds[30 + k]) ?? 0) + 1);
      else expect(['REGISTRATION_NUMBER_IMMUTABLE', 'INVALID_TRANSITION', 'CONCURRENT_CHANGE']).toContain(r.body.code);
    });
    expect([...wins.values()].every((n) => n === 1)).toBe(true);
    expect([...wins.keys()].sort((x, y) => x - y)).toEqual([...appIds].sort((x, y) => x - y));
    const after = await issued();
    const { got, expected } = fresh(before.bachelor, after.bachelor);
    expect(got.length).toBe(120);
    expect(got).toEqual(expected);
    const { db } = t.app.ctx.db;
    const certs = await db
      .selectFrom('certificates')
      .select('application_id')
      .where('application_id', 'in', appIds)
      .execute();
    expect(certs.length).toBe(120);
    await countersMatchTable();
  });

  test('a city bulk approval and a bulk return: per-item results, audited reasons, counters follow', async () => {
    const appIds: number[] = [];
    for (let k = 0; k < 6; k++) {
      const s = await newStudent('本科');
      appIds.push(await appIn(s.id, ids.realBatch, k === 4 ? 'city_approved' : 'submitted'));
    }
    const city = await HttpClient.login(base, 'jinan');
    const ok = await city.send('POST', '/api/applications/bulk', { ids: appIds.slice(0, 3), action: 'approve' });
    expect((ok.body as unknown as { okCount: number }).okCount).toBe(3);
    const ret = await city.send('POST', '/api/applications/bulk', {
      ids: appIds.slice(3),
      action: 'return',
      reason: '照片背景不符合要求',
    });
    const rs = (ret.body as unknown as { results: BulkResult[] }).results;
    expect(rs.map((x) => [x.ok, x.ok ? x.state : x.code])).toEqual([
      [true, 'returned'],
      [false, 'NOT_PERMITTED'], // city_approved: the province's to return
      [true, 'returned'],
    ]);
    const back = (await t.app.ctx.repos.applications.byId(appIds[3]))!;
    expect([back.state, back.last_reason, back.returned_by]).toEqual(['returned', '照片背景不符合要求', 'city']);
    const { db } = t.app.ctx.db;
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'reason'])
      .where('entity', '=', 'application')
      .where('entity_id', '=', appIds[3])
      .execute();
    expect(audit).toEqual([{ action: 'city_return', reason: '照片背景不符合要求' }]);
    await countersMatchTable();
  });
});
