/**
 * Scope walk (管辖范围): EVERY route of /openapi.json, as EVERY role below the national level, called with the ids
 * and numbers of ANOTHER province's objects answers exactly like the same call with ids that do not exist — same
 * status, same code, same message — never shows that province's data, never answers 500, and changes nothing
 * there. Also the two known leaks: certificates/arrive by application id, flags/import by 学号.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { idCardCheckChar } from '@gradpass/ids';
import type { FastifyInstance } from 'fastify';
import { BACKENDS, Client, Clock, checksDone, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

/** The foreign province's objects (江苏), each id the walk substitutes. */
interface Foreign {
  province: number;
  city: number;
  centre: number;
  collection: number;
  student: number;
  applied: number; // a not-yet-graduated application
  graduated: number;
  certificate: number;
  photo: number;
  document: number;
  order: number;
  user: number;
  xuehao: string;
  idCard: string;
  names: string[];
}

const MISSING_ID = 987654;
const MISSING_XUEHAO = '2399001299999';
const missingIdCard = () => {
  const first17 = '11010119900307999';
  return first17 + idCardCheckChar(first17);
};

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  items?: Schema;
  minItems?: number;
  minLength?: number;
  format?: string;
  anyOf?: Schema[];
};
interface Operation {
  parameters?: Array<{ in: string; name: string; schema?: Schema }>;
  requestBody?: { content: Record<string, { schema?: Schema }> };
}

/** Which object an id in a path, query or body field stands for. */
function idKind(path: string, field: string): keyof Foreign | 'batch' | null {
  if (field === 'id') {
    if (path.startsWith('/api/students/')) return 'student';
    if (path.startsWith('/api/identity-documents/')) return 'document';
    if (path.startsWith('/api/photos/')) return 'photo';
    if (path.startsWith('/api/applications/')) return 'applied';
    if (path.startsWith('/api/certificates/')) return 'certificate';
    if (path.startsWith('/api/collection/orders/')) return 'order';
    if (path.startsWith('/api/users/')) return 'user';
    if (path.startsWith('/api/batches/')) return 'batch';
    return null;
  }
  const byField: Record<string, keyof Foreign | 'batch'> = {
    orgId: 'centre',
    parentId: 'city',
    collectionOrgId: 'collection',
    studentId: 'student',
    entityId: 'student',
    applicationIds: 'applied',
    ids: 'applied',
    batchId: 'batch',
  };
  return byField[field] ?? null;
}

/** One request of the walk, built twice: against the foreign ids, and against ids that do not exist. */
interface Built {
  url: string;
  body?: unknown;
  multipart?: { fileName: string; fields: Record<string, string> };
  refersToForeign: boolean;
}

function build(
  path: string,
  verb: string,
  op: Operation,
  ids: Record<string, number | string>,
  realBatch: number,
): Built {
  let refers = false;
  const idFor = (field: string): number | null => {
    const k = idKind(path, field);
    if (!k) return null;
    if (k === 'batch') return realBatch;
    refers = true;
    return ids[k] as number;
  };
  let url = path.replace(/\{id\}/g, () => {
    const k = idKind(path, 'id');
    if (k && k !== 'batch') refers = true;
    return String(k === 'batch' ? MISSING_ID : (ids[k ?? 'student'] as number));
  });
  const query: string[] = [];
  for (const p of op.parameters ?? []) {
    if (p.in !== 'query') continue;
    const id = idFor(p.name);
    if (id != null) query.push(`${p.name}=${id}`);
    else if (p.name === 'q') {
      refers = true;
      query.push(`q=${ids.xuehao}`);
    }
  }
  if (query.length) url += `?${query.join('&')}`;
  const content = op.requestBody?.content ?? {};
  if (content['multipart/form-data']) {
    const fields: Record<string, string> = {};
    if (path === '/api/students/import' || path === '/api/photos/import') fields.orgId = String(idFor('orgId'));
    const fileName = path.includes('import') && path.startsWith('/api/students') ? 'roster.csv' : `${ids.xuehao}.jpg`;
    if (path === '/api/photos/import') refers = true;
    return { url, multipart: { fileName, fields }, refersToForeign: refers };
  }
  const schema = content['application/json']?.schema;
  if (verb === 'get' || !schema) return { url, refersToForeign: refers };
  const value = (field: string, s: Schema): unknown => {
    const id = idFor(field);
    const type = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
    if (type === 'array') {
      if (id != null) return [id];
      if (field === 'identifiers') {
        refers = true;
        return [ids.xuehao, ids.idCard];
      }
      return s.minItems ? [value(field, s.items ?? { type: 'string' })] : [];
    }
    if (id != null) return id;
    if (field === 'idCard') return ids.idCard;
    if (s.enum) return s.enum[0];
    if (type === 'integer' || type === 'number') return 1;
    if (type === 'boolean') return true;
    if (type === 'object') return {};
    if (s.format === 'date') return '2026-01-10';
    if (field === 'username') return 'walk_user';
    if (field === 'password' || field === 'newPassword') return 'Walk-password-2026';
    return '测试';
  };
  const body: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties ?? {})) body[k] = value(k, s);
  return { url, body, refersToForeign: refers };
}

async function send(c: Client, verb: string, b: Built, jpeg: Buffer) {
  if (b.multipart) {
    const bytes = b.multipart.fileName.endsWith('.csv') ? Buffer.from('学号,姓名,身份证号,专业,层次,入学学期\n') : jpeg;
    return c.upload(b.url, b.multipart.fileName, bytes, b.multipart.fields, 'image/jpeg');
  }
  if (verb === 'get') return c.get(b.url);
  return c.post(b.url, b.body ?? {}, verb === 'patch' ? 'PATCH' : 'POST');
}

/** What must be identical: status, and for JSON the code, the message and (for 200) the whole body — digits aside. */
function answer(r: { statusCode: number; headers: Record<string, unknown>; body: string }) {
  const type = String(r.headers['content-type'] ?? '');
  if (!type.includes('json')) return { status: r.statusCode, type: type.split(';')[0] };
  const digitsAside = (x: string) => x.replace(/\d+/g, '#');
  return { status: r.statusCode, body: digitsAside(r.body) };
}

async function foreignProvince(app: FastifyInstance, realBatch: number, clock: Clock): Promise<Foreign> {
  const { services, repos } = app.ctx;
  const national = (await repos.orgs.all()).find((o) => o.kind === 'national')!;
  const org = (name: string, kind: 'province' | 'city' | 'centre' | 'collection_centre', parentId: number) =>
    services.orgs.create(null, { name, kind, parentId });
  const province = await org('江苏开放大学', 'province', national.id);
  const city = await org('南京市开放大学', 'city', province.id);
  const centre = await org('南京市开放大学鼓楼学习中心', 'centre', city.id);
  const collection = await org('新华社江苏图像采集中心', 'collection_centre', province.id);
  const mk = async (n: number, name: string) => {
    const first17 = `32010219960304${String(n).padStart(3, '0')}`;
    return services.students.create(null, {
      xuehao: `2332001200${String(n).padStart(3, '0')}`,
      idCard: first17 + idCardCheckChar(first17),
      name,
      orgId: centre.id,
      programme: '会计学',
      level: '本科',
      enrolTerm: '2023秋',
    });
  };
  const s1 = await mk(1, '钟离秀');
  const s2 = await mk(2, '司马岚');
  const password = 'test-password-1';
  const user = (username: string, role: 'centre_staff' | 'student', orgId: number, studentId?: number) =>
    services.auth.createUser(null, {
      username,
      password,
      displayName: username,
      role,
      orgId,
      studentId,
      mustChangePassword: false,
    });
  const staff = await user('gulou', 'centre_staff', centre.id);
  await user(s2.xuehao, 'student', centre.id, s2.id);
  const gulou = await Client.login(app, 'gulou');
  const up = await gulou.upload(`/api/students/${s1.id}/photo`, `${s1.xuehao}.jpg`, await compliantJpeg(21));
  expect(up.statusCode, up.body).toBe(200);
  await checksDone(app);
  const ref = await gulou.upload(`/api/students/${s1.id}/reference-photo`, 'ref.jpg', await compliantJpeg(21));
  expect(ref.statusCode, ref.body).toBe(200);
  await repos.students.update(s1.id, { identity_doubtful: 1 }); // 学信网身份存疑: documents are collected
  const doc = await gulou.upload(`/api/students/${s1.id}/identity/documents`, '身份证.jpg', await compliantJpeg(22));
  expect(doc.statusCode, doc.body).toBe(200);
  const at = clock.now().toISOString();
  const appRow = (studentId: number, state: string, registration: string | null) =>
    repos.applications.insert({
      student_id: studentId,
      batch_id: realBatch,
      state,
      degree_requested: 0,
      signed_at: at,
      same_version_confirmed_at: state === 'applied' ? null : at,
      photo_id: state === 'applied' ? null : up.json().id,
      returned_by: null,
      submission_count: state === 'applied' ? 0 : 1,
      version: 1,
      registration_number: registration,
      last_reason: null,
      created_at: at,
      updated_at: at,
    });
  const graduated = await appRow(s1.id, 'graduated', '5116120261999001');
  const applied = await appRow(s2.id, 'applied', null);
  await services.certificates.ensureFor(graduated.id, s1.id);
  const cert = (await repos.certificates.byApplication(graduated.id))!;
  const student2 = await Client.login(app, s2.xuehao);
  const order = await student2.post('/api/collection/orders', { studentId: s2.id, collectionOrgId: collection.id });
  expect(order.statusCode, order.body).toBe(200);
  return {
    province: province.id,
    city: city.id,
    centre: centre.id,
    collection: collection.id,
    student: s1.id,
    applied: applied.id,
    graduated: graduated.id,
    certificate: cert.id,
    photo: up.json().id,
    document: doc.json().id,
    order: order.json().id,
    user: staff.id,
    xuehao: s1.xuehao,
    idCard: (await repos.students.byId(s1.id))!.id_card,
    names: [s1.name, s2.name, centre.name, city.name, province.name, collection.name],
  };
}

/** Everything of the foreign province the walk could change, as text. */
async function snapshot(app: FastifyInstance, f: Foreign): Promise<string> {
  const { repos } = app.ctx;
  const students = await repos.students.listAll({ orgIds: [f.centre] });
  const apps = await repos.applications.forStudent(students.map((s) => s.id));
  const certs = await repos.certificates.listAll({ orgIds: [f.centre] });
  const photos = await repos.photos.forStudent(f.student);
  return JSON.stringify({ students, apps, certs, photos, order: await repos.collection.byId(f.order) });
}

describe.each(BACKENDS)('scope walk on %s', (backend) => {
  let t: TestApp;
  let f: Foreign;
  let realBatch: number;
  const clock = new Clock('2025-12-10');
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now, loginRateLimit: 1000, expensiveRateLimit: 10_000 });
    realBatch = (await demoIds(t.app)).realBatch;
    f = await foreignProvince(t.app, realBatch, clock);
  }, 120_000);
  afterAll(async () => t?.close());

  test('certificates/arrive and flags/import tell nothing about another province', async () => {
    const lixia = await Client.login(t.app, 'lixia');
    const shandong = await Client.login(t.app, 'shandong');
    for (const applicationId of [f.applied, f.graduated]) {
      const theirs = await lixia.post('/api/certificates/arrive', {
        applicationIds: [applicationId],
        receivedFrom: '王',
      });
      const none = await lixia.post('/api/certificates/arrive', { applicationIds: [MISSING_ID], receivedFrom: '王' });
      expect(theirs.statusCode).toBe(200);
      expect(theirs.json().results[0]).toMatchObject({ ok: false, code: 'NOT_FOUND' });
      expect(theirs.json().results[0].message).toBe(none.json().results[0].message);
      for (const name of f.names) expect(theirs.body).not.toContain(name);
    }
    const flags = async (identifier: string) =>
      (
        await shandong.post('/api/students/flags/import', {
          flag: 'identity_doubtful',
          set: true,
          identifiers: [identifier],
        })
      ).json().rows[0];
    const theirs = await flags(f.xuehao);
    const none = await flags(MISSING_XUEHAO);
    expect(theirs.code).toBe('STUDENT_NOT_FOUND');
    expect(theirs.code).toBe(none.code);
    expect(theirs.message.replace(f.xuehao, '#')).toBe(none.message.replace(MISSING_XUEHAO, '#'));
    const byIdCard = await flags(f.idCard);
    const noIdCard = await flags(missingIdCard());
    const digitsAside = (x: string) => x.replace(/\d+/g, '#');
    expect(digitsAside(byIdCard.message)).toBe(digitsAside(noIdCard.message));
    expect(byIdCard.identifier).toBe(`${f.idCard.slice(0, 6)}********${f.idCard.slice(14)}`); // echoed masked
  });

  test("every route, every role, another province's ids: answered as non-existent, no data, no 500", async () => {
    const spec = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
    const skip = /^\/api\/(auth|setup|events)/;
    const ops = Object.entries(spec.paths)
      .filter(([p]) => !skip.test(p))
      .flatMap(([p, m]) => Object.entries(m).map(([verb, op]) => ({ p, verb, op })));
    expect(ops.length).toBeGreaterThan(60);
    const missing: Record<string, number | string> = {
      province: MISSING_ID,
      city: MISSING_ID,
      centre: MISSING_ID,
      collection: MISSING_ID,
      student: MISSING_ID,
      applied: MISSING_ID,
      graduated: MISSING_ID,
      certificate: MISSING_ID,
      photo: MISSING_ID,
      document: MISSING_ID,
      order: MISSING_ID,
      user: MISSING_ID,
      xuehao: MISSING_XUEHAO,
      idCard: missingIdCard(),
    };
    const before = await snapshot(t.app, f);
    const jpeg = await compliantJpeg(30);
    const problems: string[] = [];
    let compared = 0;
    for (const user of ['shandong', 'jinan', 'lixia', 'zhangqiu', 'caiji', '2337001200002']) {
      const c = await Client.login(t.app, user);
      for (const { p, verb, op } of ops) {
        const theirs = build(p, verb, op, f as unknown as Record<string, number | string>, realBatch);
        const none = build(p, verb, op, missing, realBatch);
        const a = await send(c, verb, theirs, jpeg);
        const b = await send(c, verb, none, jpeg);
        const what = `${user} ${verb.toUpperCase()} ${theirs.url}`;
        for (const r of [a, b])
          if (r.statusCode >= 500) problems.push(`${what}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        if (String(a.headers['content-type'] ?? '').includes('json'))
          for (const secret of [...f.names, f.idCard])
            if (a.body.includes(secret)) problems.push(`${what}: shows “${secret}”: ${a.body.slice(0, 200)}`);
        if (!theirs.refersToForeign) continue;
        compared++;
        const [x, y] = [answer(a), answer(b)];
        if (JSON.stringify(x) !== JSON.stringify(y))
          problems.push(
            `${what}: ${JSON.stringify(x).slice(0, 240)} ≠ non-existent ${JSON.stringify(y).slice(0, 240)}`,
          );
      }
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThan(6 * 40);
    expect(await snapshot(t.app, f)).toBe(before);
  }, 300_000);
});
