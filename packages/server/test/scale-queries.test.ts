/**
 * National-scale query paths (issue 12) on every backend: students seeded through the repositories in
 * multi-row chunks over a country-shaped tree; exact 学号 / 身份证号 search, keyset pages that cover every row
 * once, counters that follow the state changes, the organisation tree cache, and lists/exports over more
 * students than SQLite's 32,766 bind parameters (they answered 500 before).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { BACKENDS, Client, makeApp, type TestApp } from './helpers.js';
import { scaleIdCard, scaleName, scaleXuehao, seedScaleStudents, seedScaleTree } from '../src/scale-seed.js';

/** SQLite: beyond its 32,766-parameter limit. PostgreSQL (65,535) would need more; its path is the same code. */
const STUDENTS = { sqlite: 40_000, postgres: 8_000 } as const;
const SHAPE = { provinces: 4, cities: 12, centres: 60 };
/** Seeded students that land in the demo city's two centres (济南), all the first ones. */
const IN_CITY = 1_200;

for (const backend of BACKENDS) {
  describe(`scale queries on ${backend}`, () => {
    let t: TestApp;
    let admin: Client;
    let city: Client;
    let batchId: number;
    let cityId: number;
    let provinceId: number;
    const n = STUDENTS[backend];

    beforeAll(async () => {
      t = await makeApp(backend);
      const { repos } = t.app.ctx;
      const tree = await seedScaleTree(repos, SHAPE);
      const all = await repos.orgs.all();
      const demoCity = all.find((o) => o.name === '济南市开放大学');
      if (!demoCity) throw new Error('demo city missing');
      cityId = demoCity.id;
      provinceId = tree.provinces[1].id;
      batchId = Math.max(...(await repos.batches.all()).map((b) => b.id));
      await seedScaleStudents(repos, {
        from: 0,
        to: n,
        centres: tree.centres,
        batchId,
        firstCentres: all.filter((o) => o.parent_id === demoCity.id && o.kind === 'centre'),
        firstCount: IN_CITY,
      });
      admin = await Client.login(t.app, 'admin');
      city = await Client.login(t.app, 'jinan');
    }, 600_000);
    afterAll(async () => t?.close());

    /** Counts straight from the tables (what the counters must equal). */
    const exact = async (where: { state?: string; orgPath?: string }) => {
      const { db } = t.app.ctx.db;
      let q = db
        .selectFrom('applications')
        .innerJoin('students', 'students.id', 'applications.student_id')
        .innerJoin('orgs', 'orgs.id', 'students.org_id')
        .select((e) => e.fn.countAll().as('n'))
        .where('applications.batch_id', '=', batchId);
      if (where.state) q = q.where('applications.state', '=', where.state);
      if (where.orgPath) q = q.where('orgs.path', 'like', `${where.orgPath}%`);
      return Number((await q.executeTakeFirstOrThrow()).n);
    };

    it('finds a student by the exact 学号 and 身份证号, by name, and nothing for an unknown number', async () => {
      const i = n - 17;
      const byXuehao = (await admin.get(`/api/students?q=${scaleXuehao(i)}`)).json();
      expect(byXuehao.total).toBe(1);
      expect(byXuehao.items[0].xuehao).toBe(scaleXuehao(i));
      const byIdCard = (await admin.get(`/api/students?q=${scaleIdCard(i)}`)).json();
      expect(byIdCard.items.map((s: { xuehao: string }) => s.xuehao)).toContain(scaleXuehao(i));
      expect(byIdCard.items.every((s: { idCard: string }) => s.idCard.endsWith(scaleIdCard(i).slice(-4)))).toBe(true);
      expect((await admin.get(`/api/students?q=2699999999999`)).json().total).toBe(0);
      const name = scaleName(i);
      const byName = (await admin.get(`/api/students?q=${encodeURIComponent(name)}&pageSize=200`)).json();
      expect(byName.total).toBeGreaterThan(0);
      expect(byName.items.every((s: { name: string }) => s.name.includes(name))).toBe(true);
      // A prefix of digits narrows by 学号 prefix; a 学号 of another city is not found by the city reviewer.
      const prefix = scaleXuehao(i).slice(0, 11);
      const byPrefix = (await admin.get(`/api/students?q=${prefix}&pageSize=200`)).json();
      expect(byPrefix.total).toBe(Math.min(100, n - Number(prefix.slice(2)) * 100));
      expect((await city.get(`/api/students?q=${scaleXuehao(n - 1)}`)).json().total).toBe(0);
      expect((await city.get(`/api/students?q=${scaleXuehao(3)}`)).json().total).toBe(1);
    });

    it('walks every student of a province once with the keyset cursor; page numbers still work', async () => {
      const { db } = t.app.ctx.db;
      const province = await t.app.ctx.repos.orgs.byId(provinceId);
      const expected = (
        await db
          .selectFrom('students')
          .innerJoin('orgs', 'orgs.id', 'students.org_id')
          .select('students.id')
          .where('orgs.path', 'like', `${province?.path}%`)
          .orderBy('students.id')
          .execute()
      ).map((r) => r.id);
      expect(expected.length).toBeGreaterThan(1000);
      const seen: number[] = [];
      let cursor: number | null = null;
      let total = -1;
      for (let guard = 0; guard < 1000; guard++) {
        const url = `/api/students?orgId=${provinceId}&pageSize=200${cursor != null ? `&cursor=${cursor}` : ''}`;
        const r = await admin.get(url);
        expect(r.statusCode).toBe(200);
        const body = r.json() as { items: Array<{ id: number }>; total: number; nextCursor: number | null };
        total = body.total;
        seen.push(...body.items.map((s) => s.id));
        cursor = body.nextCursor;
        if (cursor == null) break;
      }
      expect(total).toBe(expected.length);
      expect(seen).toEqual(expected);
      const page3 = (await admin.get(`/api/students?orgId=${provinceId}&pageSize=50&page=3`)).json();
      expect(page3.items.map((s: { id: number }) => s.id)).toEqual(expected.slice(100, 150));
      expect(page3.total).toBe(expected.length);
    });

    it('keeps list totals and progress right through approvals and returns', async () => {
      const cityPath = (await t.app.ctx.repos.orgs.byId(cityId))?.path as string;
      const total = async (state: string) =>
        (await city.get(`/api/applications?batchId=${batchId}&state=${state}&pageSize=1`)).json().total as number;
      const submitted0 = await total('submitted');
      expect(submitted0).toBe(await exact({ state: 'submitted', orgPath: cityPath }));
      const page = (await city.get(`/api/applications?batchId=${batchId}&state=submitted&pageSize=60`)).json();
      const ids = page.items.map((a: { id: number }) => a.id) as number[];
      const approved = (await city.post('/api/applications/bulk', { ids: ids.slice(0, 50), action: 'approve' })).json();
      expect(approved.okCount, JSON.stringify(approved.results.find((r: { ok: boolean }) => !r.ok))).toBe(50);
      const returned = (
        await city.post('/api/applications/bulk', { ids: ids.slice(50, 60), action: 'return', reason: '照片需重拍' })
      ).json();
      expect(returned.okCount).toBe(10);
      expect(await total('submitted')).toBe(submitted0 - 60);
      for (const state of ['submitted', 'city_approved', 'returned'])
        expect(await total(state)).toBe(await exact({ state, orgPath: cityPath }));
      // Students filtered by batch × state use the same counters.
      const students = (await city.get(`/api/students?batchId=${batchId}&state=returned&pageSize=1`)).json();
      expect(students.total).toBe(await exact({ state: 'returned', orgPath: cityPath }));
      // 实时进度 as the national reviewer: every state of the batch equals a fresh count.
      const prog = (await admin.get(`/api/progress?batchId=${batchId}`)).json();
      for (const state of ['draft', 'submitted', 'city_approved', 'province_approved', 'returned'])
        expect(prog.totals.counts[state], state).toBe(await exact({ state }));
      expect(prog.totals.total).toBe(await exact({}));
      // The whole counter table equals a recount.
      const { db } = t.app.ctx.db;
      const drift = await sql<{ n: number }>`select count(*) as n from (
          select s.org_id, a.batch_id, a.state, count(*) as c from applications a
          join students s on s.id = a.student_id group by s.org_id, a.batch_id, a.state) x
        left join application_counts c on c.org_id = x.org_id and c.batch_id = x.batch_id and c.state = x.state
        where c.n is null or c.n <> x.c`.execute(db);
      expect(Number(drift.rows[0].n)).toBe(0);
    });

    it('sees a new organisation and a new student at once (tree cache and student counters)', async () => {
      const before = (await admin.get('/api/students?pageSize=1')).json().total as number;
      expect(before).toBe(n + 5);
      const centre = await admin.post('/api/orgs', { name: '新设学习中心', kind: 'centre', parentId: cityId });
      expect(centre.statusCode).toBe(200);
      const orgs = (await admin.get('/api/orgs')).json().items as Array<{ id: number }>;
      expect(orgs.some((o) => o.id === centre.json().id)).toBe(true);
      const lixia = await Client.login(t.app, 'lixia');
      const created = await admin.post('/api/students', {
        xuehao: '2637001299999',
        idCard: '370102199001011231',
        name: '新同学',
        orgId: centre.json().id,
        programme: '会计学',
        level: '本科',
        enrolTerm: '2023秋',
      });
      expect(created.statusCode, created.body).toBe(200);
      expect((await admin.get('/api/students?pageSize=1')).json().total).toBe(before + 1);
      expect((await admin.get(`/api/students?orgId=${centre.json().id}`)).json().total).toBe(1);
      expect((await lixia.get(`/api/students?orgId=${centre.json().id}`)).statusCode).toBe(404);
    });

    it('imports a roster in chunks and re-imports it as updates, with one result per row', async () => {
      const lixia = await Client.login(t.app, 'lixia');
      const centreId = (await t.app.ctx.repos.orgs.all()).find((o) => o.name === '济南市开放大学历下学习中心')?.id;
      const csv = (names: (k: number) => string) =>
        Buffer.from(
          [
            '学号,身份证号,姓名,专业,层次,入学学期',
            ...Array.from(
              { length: 600 },
              (_, k) =>
                `2637${String(8_000_000 + k).padStart(9, '0')},${scaleIdCard(700_000 + k)},${names(k)},会计学,本科,2023秋`,
            ),
          ].join('\n'),
        );
      const first = await lixia.upload(
        '/api/students/import',
        'r.csv',
        csv(scaleName),
        { orgId: String(centreId) },
        'text/csv',
      );
      expect(first.statusCode, first.body.slice(0, 300)).toBe(200);
      expect([first.json().created, first.json().updated, first.json().failed]).toEqual([600, 0, 0]);
      const again = await lixia.upload(
        '/api/students/import',
        'r.csv',
        csv((k) => (k === 299 ? '改名同学' : scaleName(k))),
        {
          orgId: String(centreId),
        },
        'text/csv',
      );
      const body = again.json() as {
        created: number;
        updated: number;
        rows: Array<{ row: number; ok: boolean; message: string }>;
      };
      expect([body.created, body.updated, body.rows.length]).toEqual([0, 600, 600]);
      expect(body.rows.map((r) => r.row)).toEqual(Array.from({ length: 600 }, (_, k) => k + 2));
      expect(body.rows[299].message).toContain('已更新 改名同学');
      const renamed = (await lixia.get(`/api/students?q=2637${String(8_000_299).padStart(9, '0')}`)).json();
      expect(renamed.items[0].name).toBe('改名同学');
      const { db } = t.app.ctx.db;
      const audited = await db
        .selectFrom('audit_log')
        .select((e) => e.fn.countAll().as('n'))
        .where('action', '=', 'import_update')
        .where('entity_id', '=', renamed.items[0].id)
        .executeTakeFirstOrThrow();
      expect(Number(audited.n)).toBe(1);
    });

    it('answers lists and exports over every student in scope without a server error', async () => {
      for (const url of [
        '/api/students/expiring?before=2027-12-31',
        '/api/students/expired',
        '/api/students/priorities?nextBatchStart=2027-06-01',
        `/api/students?photoStatus=fail&pageSize=5`,
        `/api/students?failedRule=dpi&pageSize=5`,
      ]) {
        const r = await admin.get(url);
        expect(r.statusCode, `${url} ${r.body.slice(0, 200)}`).toBe(200);
      }
      // A filter without a counter is counted up to 10,000 rows: beyond, the total says "at least".
      const many = (await admin.get('/api/students?photoStatus=pass&pageSize=1')).json();
      const passing = Math.ceil((n * 14) / 20);
      if (passing >= 10_000) expect([many.total, many.totalExact]).toEqual([10_000, false]);
      else expect(many.totalExact && many.total >= passing).toBe(true);
      const few = (await admin.get(`/api/students?photoStatus=fail&orgId=${cityId}&pageSize=1`)).json();
      expect(few.totalExact).toBe(true);
      expect(few.total).toBeGreaterThan(0);
      const expired = (await admin.get('/api/students/expired')).json().items as Array<{ expired: boolean }>;
      expect(expired.length).toBeGreaterThan(0);
      expect(expired.every((s) => s.expired)).toBe(true);
      const xlsx = await admin.get('/api/reports/students.xlsx');
      expect(xlsx.statusCode, xlsx.body.slice(0, 200)).toBe(200);
      expect(xlsx.rawPayload.length).toBeGreaterThan(n * 20);
    }, 300_000);
  });
}
