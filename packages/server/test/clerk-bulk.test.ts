/**
 * Issue 11 for a centre clerk (学习中心批量办理): imports as jobs (background roster import polled to its end,
 * history, XLSX report; a re-imported zip skips identical photos by SHA-256; a PDF named .jpg never stored),
 * student accounts from the roster (initial passwords once, readable, forced change, audited without passwords),
 * applications for a pasted 学号 column, certificate arrival for a whole batch — all with per-item Chinese results.
 */
import ExcelJS from 'exceljs';
import { yazlZip } from '@gradpass/photo/testing/zips';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, checksDone, Client, Clock, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';
import { initialPassword, INITIAL_PASSWORD_ALPHABET } from '../src/services/initial-password.js';
import { passwordProblem } from '../src/services/passwords.js';
import { capReport, flagsOutcome, type ImportReportRow } from '../src/services/import-jobs.js';
import { actorFromUser } from '../src/services/auth.js';
import { OrgTree } from '../src/services/context.js';

const zip = (files: Array<[string, Buffer]>) => yazlZip(files.map(([name, data]) => ({ name, data })));

const ROSTER = [
  '学号,姓名,身份证号,专业,层次,入学学期',
  '2337001200301,冯雪,370102199602022024,会计学,本科,2023秋',
  '2337001200302,陈立,370102199703030410,法学,本科,2023秋',
  '2337001200303,褚红,370102199703030415,法学,本科,2023秋',
].join('\n');

test('initial passwords: readable alphabet, 12 characters, accepted by the password rule', () => {
  expect(INITIAL_PASSWORD_ALPHABET).not.toMatch(/[0O1lI]/);
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const pw = initialPassword('2337001200301');
    expect(pw).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(pw).not.toMatch(/[0O1lI]/);
    expect(passwordProblem(pw, '2337001200301')).toBeNull();
    seen.add(pw);
  }
  expect(seen.size).toBe(300);
});

test('report cap keeps failures first and says it truncated', () => {
  const rows: ImportReportRow[] = Array.from({ length: 30 }, (_, i) => ({
    ref: `第 ${i + 2} 行`,
    status: i % 10 === 9 ? 'failed' : 'ok',
    message: 'x',
  }));
  const { kept, truncated } = capReport(rows, 5);
  expect(truncated).toBe(true);
  expect(kept).toHaveLength(5);
  expect(kept.filter((r) => r.status === 'failed')).toHaveLength(3);
  expect(capReport(rows, 100).truncated).toBe(false);
});

describe.each(BACKENDS)('centre clerk in bulk on %s', (backend) => {
  let t: TestApp;
  const clock = new Clock('2025-12-10'); // inside the first window of 2026年1月毕业
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now });
  });
  afterAll(async () => t?.close());

  async function waitJob(c: Client, id: number) {
    for (let i = 0; i < 200; i++) {
      const j = (await c.get(`/api/import-jobs/${id}`)).json();
      if (j.status !== 'running') return j;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`import job ${id} still running`);
  }

  test('background imports run one at a time; more than three waiting are refused with IMPORT_BUSY', async () => {
    const { app } = t;
    const user = (await app.ctx.repos.users.byUsername('lixia'))!;
    const actor = actorFromUser(user, await OrgTree.load(app.ctx.repos));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const order: number[] = [];
    const start = (n: number) =>
      app.ctx.services.importJobs.run(
        actor,
        { kind: 'flags', orgId: actor.orgId, fileName: `任务 ${n}`, sha256: null, bytes: 0 },
        async () => {
          order.push(n);
          if (n === 1) await gate;
          return { rows: [] };
        },
        flagsOutcome,
        { background: true },
      );
    for (const n of [1, 2, 3, 4]) await start(n); // one running, three waiting
    try {
      const busy = await start(5).catch((e: { code: string; status: number }) => e);
      expect(busy).toMatchObject({ code: 'IMPORT_BUSY', status: 429 });
      expect(order).toEqual([1]); // the others wait behind the first
    } finally {
      release();
    }
    await expect.poll(() => order.length).toBe(4);
    expect(order).toEqual([1, 2, 3, 4]);
    await expect.poll(async () => (await app.ctx.services.importJobs.list(actor, { kind: 'flags' })).items.filter((j) => j.status === 'done').length).toBe(4);
  });

  test('imports as jobs, accounts, bulk applications, arrival for the batch', async () => {
    const { app } = t;
    const ids = await demoIds(app);
    const centre = await Client.login(app, 'lixia');

    // 1. background roster import: answered at once (202), finished on the server, report kept
    const started = await centre.upload('/api/import-jobs/roster', '名册.csv', Buffer.from(ROSTER), {
      orgId: String(ids.centreA),
    });
    expect(started.statusCode, started.body).toBe(202);
    const job = await waitJob(centre, started.json().job.id);
    expect(job.status).toBe('done');
    expect([job.okCount, job.failedCount]).toEqual([2, 1]);
    expect(job.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(job.summary).toBe('新增 2 名，更新 0 名，失败 1 行');
    expect(job.report.find((r: ImportReportRow) => r.status === 'failed').ref).toBe('第 4 行');
    // the waiting endpoint is recorded too; another centre's clerk sees neither
    expect((await centre.upload('/api/students/import', 'again.csv', Buffer.from(ROSTER), { orgId: String(ids.centreA) })).statusCode).toBe(200);
    const history = (await centre.get('/api/import-jobs')).json();
    expect(history.items.map((j: { fileName: string }) => j.fileName).slice(0, 2)).toEqual(['again.csv', '名册.csv']);
    const other = await Client.login(app, 'zhangqiu');
    expect((await other.get('/api/import-jobs')).json().items).toEqual([]);
    expect((await other.get(`/api/import-jobs/${job.id}`)).statusCode).toBe(404);
    const xlsx = await centre.get(`/api/import-jobs/${job.id}/report.xlsx`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).toEqual([undefined, '位置', '结果', '学号', '姓名', '说明']);
    expect(String(ws.getRow(2).getCell(5).value)).toMatch(/学生名册“名册\.csv”.*开始 2025-12-10 12:00/);
    expect(ws.getRow(5).getCell(2).value).toBe('失败');

    // 2. photos: the same zip twice — the second run stores nothing new; a PDF named .jpg is refused
    const [feng, chen] = ['2337001200301', '2337001200302'];
    const lina = ids.student('李娜');
    const z = await zip([
      [`${feng}.jpg`, await compliantJpeg(51)],
      [`${chen}.jpg`, await compliantJpeg(52)],
      [`${lina.xuehao}.jpg`, Buffer.from('%PDF-1.4 not a photo')],
    ]);
    const first = await centre.upload('/api/import-jobs/photos', '照片.zip', z, { orgId: String(ids.centreA), source: 'collection' });
    expect(first.statusCode, first.body).toBe(202);
    const j1 = await waitJob(centre, first.json().job.id);
    expect(j1.okCount, JSON.stringify(j1.report)).toBe(2);
    const again = (await centre.upload('/api/photos/import', '照片.zip', z, { orgId: String(ids.centreA) })).json();
    expect(again.matched).toEqual([]);
    expect(again.identical.map((m: { message: string }) => m.message)).toEqual([
      `${feng}.jpg（冯雪）：与当前照片相同，已跳过`,
      `${chen}.jpg（陈立）：与当前照片相同，已跳过`,
    ]);
    expect(again.unmatched.map((m: { message: string }) => m.message)).toEqual([
      `${lina.xuehao}.jpg：文件内容是PDF 文档，不是 JPEG 照片，已跳过`,
    ]);
    const fengRow = (await app.ctx.repos.students.byXuehao(feng))!;
    expect((await centre.get(`/api/students/${fengRow.id}/photos`)).json().items).toHaveLength(1);
    const j2 = (await centre.get('/api/import-jobs?kind=photos')).json().items[0];
    expect([j2.okCount, j2.skippedCount, j2.failedCount]).toEqual([0, 2, 1]);
    await checksDone(app);

    // 3. student accounts for every imported student without one: passwords once, forced change, audited
    const status = (await centre.get(`/api/student-accounts?orgId=${ids.centreA}`)).json();
    expect(status.without.map((s: { xuehao: string }) => s.xuehao)).toEqual(expect.arrayContaining([feng, chen]));
    const made = (await centre.post('/api/student-accounts', { orgId: ids.centreA, allWithout: true })).json();
    expect(made.failCount).toBe(0);
    expect(made.okCount).toBe(status.withoutCount);
    const fengAcc = made.results.find((r: { xuehao: string }) => r.xuehao === feng);
    expect(fengAcc.username).toBe(feng);
    expect(passwordProblem(fengAcc.initialPassword, feng)).toBeNull();
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: feng, password: fengAcc.initialPassword } });
    expect(login.statusCode).toBe(200);
    expect(login.json().mustChangePassword).toBe(true);
    const twice = (await centre.post('/api/student-accounts', { orgId: ids.centreA, studentIds: [fengRow.id] })).json();
    expect(twice.results[0]).toMatchObject({ ok: false, code: 'ACCOUNT_EXISTS' });
    expect(twice.results[0].initialPassword).toBeUndefined();
    const auditRows = await app.ctx.db.db.selectFrom('audit_log').selectAll().where('action', '=', 'student_accounts_created').execute();
    expect(auditRows).toHaveLength(1);
    expect(auditRows[0].after_json).toContain(feng);
    expect(auditRows[0].after_json).not.toContain(fengAcc.initialPassword);
    expect((await (await Client.login(app, 'jinan')).post('/api/student-accounts', { orgId: ids.centreA, allWithout: true })).json().code).toBe('NOT_PERMITTED');
    expect((await other.post('/api/student-accounts', { orgId: ids.centreA, allWithout: true })).json().code).toBe('NOT_FOUND');
    const sheet = await centre.post('/api/student-accounts/sheet.xlsx', {
      rows: [{ name: '冯雪', xuehao: feng, username: feng, initialPassword: fengAcc.initialPassword }],
    });
    expect(sheet.statusCode).toBe(200);

    // 4. applications for a pasted column of 学号: repeats answered once, strangers refused per row
    const zhangqiuStudent = (await app.ctx.repos.students.listAll({ orgIds: [ids.centreB] }))[0];
    const bulk = (
      await centre.post('/api/applications/bulk-create', {
        batchId: ids.realBatch,
        xuehaoList: [feng, ` ${chen} `, feng, '', '9999999999999', zhangqiuStudent.xuehao],
        apply: true,
      })
    ).json();
    expect(bulk.results.map((r: { ok: boolean; message: string }) => [r.ok, r.message])).toEqual([
      [true, '冯雪：已建立毕业申请（学生已申请）'],
      [true, '陈立：已建立毕业申请（学生已申请）'],
      [false, '学号“9999999999999”不是本单位的学生'],
      [false, `学号“${zhangqiuStudent.xuehao}”不是本单位的学生`],
    ]);
    const repeat = (await centre.post('/api/applications/bulk-create', { batchId: ids.realBatch, xuehaoList: [feng] })).json();
    expect(repeat.results[0]).toMatchObject({ ok: false, code: 'APPLICATION_EXISTS' });
    const appIds = bulk.results.filter((r: { ok: boolean }) => r.ok).map((r: { applicationId: number }) => r.applicationId);

    // 5. through the four levels, then arrival for the whole batch
    const sub = (await centre.post('/api/applications/bulk', { ids: appIds, action: 'submit', samePhotoConfirmedIds: appIds })).json();
    expect(sub.okCount, JSON.stringify(sub)).toBe(2);
    for (const user of ['jinan', 'shandong', 'guokai']) {
      const r = (await (await Client.login(app, user)).post('/api/applications/bulk', { ids: appIds, action: 'approve' })).json();
      expect(r.okCount, JSON.stringify(r)).toBe(2);
    }
    const arrive = (await centre.post('/api/certificates/arrive-batch', { batchId: ids.realBatch, receivedFrom: '济南市开放大学' })).json();
    expect(arrive.okCount).toBe(2);
    expect(arrive.results.map((r: { message: string }) => r.message).sort()).toEqual(['冯雪：已到达，待发放', '陈立：已到达，待发放'].sort());
    // nothing left to arrive: an empty answer, not an error
    expect((await centre.post('/api/certificates/arrive-batch', { batchId: ids.realBatch, receivedFrom: '济南市开放大学' })).json().okCount).toBe(0);
    expect((await other.post('/api/certificates/arrive-batch', { batchId: ids.realBatch, receivedFrom: 'x', orgId: ids.centreA })).json().code).toBe('NOT_FOUND');
  });
});
