/**
 * Personal data (PIPL, 个人信息保护): a city reviewer's lists, XLSX exports and audit log hold no full 身份证号;
 * the full number only through the audited reveal (centre staff of the student's centre, with a reason), the
 * 学信网 photo export named by 身份证号 (centre staff), and the hand-over check (typed, compared, never shown);
 * old audit rows with whole student rows are masked by the migration step; the request log holds no full number.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { maskIdCard } from '@gradpass/ids';
import { maskAuditRows } from '../src/db/mask-audit.js';
import type { StudentRow } from '../src/repositories/index.js';
import { BACKENDS, Client, Clock, checksDone, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

/** Every cell of every sheet of an XLSX file, as text. */
async function xlsxCells(bytes: Buffer): Promise<string[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const out: string[] = [];
  wb.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        out.push(cell.text ?? String(cell.value ?? ''));
      }),
    ),
  );
  return out;
}

/** The seeded students' full numbers found in a text (18-character tokens compared with the real numbers). */
function fullNumbersIn(text: string, full: Set<string>): string[] {
  return [...text.toUpperCase().matchAll(/\d{17}[\dX]/g)].map((m) => m[0]).filter((m) => full.has(m));
}

describe.each(BACKENDS)('personal data on %s', (backend) => {
  let t: TestApp;
  let ids: Awaited<ReturnType<typeof demoIds>>;
  let students: StudentRow[];
  let full: Set<string>;
  let centre: Client;
  let city: Client;
  const logLines: string[] = [];
  const clock = new Clock('2025-12-10');

  beforeAll(async () => {
    t = await makeApp(backend, {
      now: clock.now,
      loginRateLimit: 1000,
      logger: true,
      logStream: { write: (line: string) => void logLines.push(line) },
    });
    ids = await demoIds(t.app);
    students = await t.app.ctx.repos.students.listAll({ orgIds: (await t.app.ctx.repos.orgs.all()).map((o) => o.id) });
    full = new Set(students.map((s) => s.id_card.toUpperCase()));
    centre = await Client.login(t.app, 'lixia');
    city = await Client.login(t.app, 'jinan');
  });
  afterAll(async () => t?.close());

  /** Takes 李娜 (centre A) to graduation through the four levels; returns her certificate id. */
  async function graduateLina(): Promise<number> {
    const lina = ids.student('李娜');
    const up = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, await compliantJpeg(3), {
      source: 'collection',
    });
    expect(up.statusCode, up.body).toBe(200);
    await checksDone(t.app);
    const student = await Client.login(t.app, lina.xuehao);
    const created = await student.post('/api/applications', { studentId: lina.id, batchId: ids.realBatch });
    expect(created.statusCode, created.body).toBe(200);
    const appId = created.json().id as number;
    const steps: Array<[Client, Record<string, unknown>]> = [
      [student, { action: 'apply' }],
      [centre, { action: 'submit', samePhotoConfirmed: true }],
      [city, { action: 'approve' }],
      [await Client.login(t.app, 'shandong'), { action: 'approve' }],
      [await Client.login(t.app, 'guokai'), { action: 'approve' }],
    ];
    for (const [c, body] of steps) {
      const r = await c.post(`/api/applications/${appId}/actions`, body);
      expect(r.statusCode, r.body).toBe(200);
    }
    const arr = await centre.post('/api/certificates/arrive', {
      applicationIds: [appId],
      receivedFrom: '市开大 王老师',
    });
    expect(arr.json().okCount, arr.body).toBe(1);
    return arr.json().results[0].certificateId as number;
  }

  test('centre work that touches personal data: updates, roster re-import, hand-over check and hand-over', async () => {
    const lina = ids.student('李娜');
    const zhang = ids.student('张伟');
    expect((await centre.patch(`/api/students/${zhang.id}`, { programme: '法学' })).statusCode).toBe(200);
    const csv = ['学号,姓名,身份证号,专业,层次,入学学期', `${zhang.xuehao},张伟,${zhang.id_card},法学,本科,2023秋`];
    const imp = await centre.upload('/api/students/import', 'roster.csv', Buffer.from(csv.join('\n')), {
      orgId: String(ids.centreA),
    });
    expect(imp.statusCode, imp.body).toBe(200);
    const certId = await graduateLina();
    // the clerk types the number on the card in hand: the server answers match / no match, shows nothing
    const wrong = await centre.post(`/api/certificates/${certId}/verify-id-card`, { idCard: zhang.id_card });
    expect(wrong.json()).toMatchObject({ match: false });
    expect(wrong.body).not.toContain(lina.id_card);
    const right = await centre.post(`/api/certificates/${certId}/verify-id-card`, {
      idCard: lina.id_card.toLowerCase(),
    });
    expect(right.json()).toMatchObject({ match: true });
    expect(right.body).not.toContain(lina.id_card);
    const handed = await centre.post(`/api/certificates/${certId}/handover`, {
      recipient: 'student',
      idCard: lina.id_card,
      idChecked: true,
      signed: true,
    });
    expect(handed.statusCode, handed.body).toBe(200);
    expect(handed.json().handover.idCard).toBe(maskIdCard(lina.id_card));
    expect(handed.body).not.toContain(lina.id_card);
  });

  test("a city reviewer's lists, exports and audit log hold no full 身份证号", async () => {
    const jsonUrls = [
      '/api/students?pageSize=200',
      '/api/students/expiring?before=2040-01-01',
      '/api/students/expired',
      '/api/students/priorities',
      '/api/audit?pageSize=200',
      '/api/applications?pageSize=200',
      '/api/certificates?pageSize=200',
      ...students.map((s) => `/api/students/${s.id}`),
    ];
    let seenMasked = 0;
    for (const url of jsonUrls) {
      const r = await city.get(url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(200);
      expect(fullNumbersIn(r.body, full), url).toEqual([]);
      seenMasked += students.filter((s) => r.body.includes(maskIdCard(s.id_card))).length;
    }
    expect(seenMasked).toBeGreaterThan(students.length); // the masked form is there: the scan reads real data
    const list = (await city.get('/api/students?pageSize=200')).json().items as Array<{ idCard: string }>;
    expect(list.length).toBeGreaterThan(0);
    for (const s of list) expect(s.idCard).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    // the audit log has the changes (field-level), not whole rows
    const log = (await city.get('/api/audit?entity=student&pageSize=200')).json().items as Array<{
      action: string;
      before: Record<string, unknown> | null;
      after: Record<string, unknown> | null;
    }>;
    const upd = log.find((e) => e.action === 'update');
    expect(upd?.after).toMatchObject({ programme: '法学' });
    expect(Object.keys(upd?.after ?? {})).not.toContain('id_card');
    expect(Object.keys(upd?.after ?? {})).not.toContain('name');

    const xlsxUrls = [
      '/api/reports/students.xlsx',
      '/api/reports/expiring.xlsx?before=2040-01-01',
      '/api/reports/expired.xlsx',
      '/api/reports/audit.xlsx',
      '/api/reports/applications.xlsx',
      '/api/reports/certificates.xlsx',
    ];
    for (const url of xlsxUrls) {
      const r = await city.get(url);
      expect(r.statusCode, `${url}: ${r.body.slice(0, 200)}`).toBe(200);
      const cells = await xlsxCells(r.rawPayload);
      expect(cells.length, url).toBeGreaterThan(1);
      expect(fullNumbersIn(cells.join('\n'), full), url).toEqual([]);
    }
    const sheet = await xlsxCells((await city.get('/api/reports/students.xlsx')).rawPayload);
    expect(sheet).toContain(maskIdCard(ids.student('李娜').id_card));
    // the audit export in people's words: Chinese objects and actions, what changed as text — no JSON, no codes
    const auditCells = await xlsxCells((await city.get('/api/reports/audit.xlsx')).rawPayload);
    expect(auditCells).toContain('修改内容');
    expect(auditCells).toContain('学生');
    expect(auditCells.some((c) => /^[{[]/.test(c))).toBe(false);
    expect(auditCells).not.toContain('photo_upload');
  });

  test('reveal: centre staff of the student’s centre, with a reason, audited without the number', async () => {
    const lina = ids.student('李娜'); // centre A
    const liu = ids.student('刘洋'); // centre B
    const noReason = await centre.post(`/api/students/${lina.id}/reveal-id-card`, { reason: '  ' });
    expect(noReason.statusCode).toBe(400);
    const ok = await centre.post(`/api/students/${lina.id}/reveal-id-card`, { reason: '核对学信网学历信息' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ studentId: lina.id, idCard: lina.id_card });
    // the city sees the student but may not reveal; another centre's student is as unknown as a missing one
    const byCity = await city.post(`/api/students/${lina.id}/reveal-id-card`, { reason: '核对' });
    expect(byCity.statusCode).toBe(403);
    expect(byCity.json().code).toBe('NOT_PERMITTED');
    const other = await centre.post(`/api/students/${liu.id}/reveal-id-card`, { reason: '核对' });
    const missing = await centre.post('/api/students/999999/reveal-id-card', { reason: '核对' });
    expect(other.statusCode).toBe(404);
    expect(other.json()).toEqual(missing.json());
    const self = await (
      await Client.login(t.app, lina.xuehao)
    ).post(`/api/students/${lina.id}/reveal-id-card`, {
      reason: '本人',
    });
    expect(self.statusCode).toBe(403);
    const entries = (await city.get(`/api/audit?entity=student&entityId=${lina.id}&pageSize=200`)).json()
      .items as Array<{
      action: string;
      actorName: string;
      reason: string;
      at: string;
    }>;
    const reveals = entries.filter((e) => e.action === 'reveal_id_card');
    expect(reveals).toHaveLength(1);
    expect(reveals[0]).toMatchObject({ reason: '核对学信网学历信息' });
    expect(reveals[0].actorName).toMatch(/lixia/);
    const raw = await t.app.ctx.repos.audit.list({ orgIds: [ids.centreA] }, 1, 1000);
    expect(fullNumbersIn(JSON.stringify(raw.rows), full)).toEqual([]);
  });

  test('the 学信网 export named by 身份证号: centre staff only, and audited', async () => {
    const byCity = await city.get('/api/photos/export.zip?naming=idcard');
    expect(byCity.statusCode).toBe(403);
    expect(byCity.json().message).toMatch(/学习中心/);
    const zip = await centre.get('/api/photos/export.zip?naming=idcard');
    expect(zip.statusCode).toBe(200);
    expect(zip.rawPayload.includes(Buffer.from(`${ids.student('李娜').id_card}.jpg`))).toBe(true);
    const byXuehao = await city.get('/api/photos/export.zip?naming=xuehao');
    expect(byXuehao.statusCode).toBe(200);
    const log = (await centre.get('/api/audit?entity=org&pageSize=50')).json().items as Array<{ action: string }>;
    expect(log.map((e) => e.action)).toContain('export_photos_by_id_card');
  });

  test('old audit rows holding whole student rows are masked by the migration step', async () => {
    const s = ids.student('王芳');
    await t.app.ctx.repos.audit.insert({
      at: clock.now().toISOString(),
      actor_id: null,
      actor_name: '系统',
      org_id: s.org_id,
      entity: 'student',
      entity_id: s.id,
      action: 'update',
      reason: `旧记录 ${s.id_card}`,
      before_json: JSON.stringify(s),
      after_json: JSON.stringify({ ...s, name: '王芳芳', nested: { idCard: s.id_card } }),
    });
    const { rows } = await t.app.ctx.repos.audit.list({ orgIds: [s.org_id], entity: 'student', entityId: s.id }, 1, 50);
    expect(fullNumbersIn(JSON.stringify(rows), full)).toContain(s.id_card);
    expect(await maskAuditRows(t.app.ctx.db.db)).toBeGreaterThanOrEqual(1);
    const after = await t.app.ctx.repos.audit.list({ orgIds: [s.org_id], entity: 'student', entityId: s.id }, 1, 50);
    const text = JSON.stringify(after.rows);
    expect(fullNumbersIn(text, full)).toEqual([]);
    expect(text).toContain(maskIdCard(s.id_card));
    expect(text).toContain('王芳芳'); // only the number is touched
    expect(await maskAuditRows(t.app.ctx.db.db)).toBe(0); // idempotent
  });

  test('the request log holds no full number (query strings, error messages)', async () => {
    const lina = ids.student('李娜');
    logLines.length = 0;
    expect((await city.get(`/api/students?q=${lina.id_card}`)).statusCode).toBe(200);
    t.app.log.error(new Error(`duplicate key (id_card)=(${lina.id_card})`));
    t.app.log.info({ body: { idCard: lina.id_card } }, `note ${lina.id_card}`);
    const text = logLines.join('');
    expect(text).toContain(maskIdCard(lina.id_card)); // the lines were written, masked
    expect(fullNumbersIn(text, full)).toEqual([]);
  });
});
