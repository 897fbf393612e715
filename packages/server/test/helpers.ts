/**
 * Test harness: builds the real app on a fresh database — always SQLite (temp dir), and PostgreSQL too when
 * DATABASE_URL is set (a fresh `gradpass_test_<random>` database per app, dropped afterwards).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import sharp from 'sharp';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { encodeToSize, loadProfile } from '@gradpass/photo';
import { idCardCheckChar } from '@gradpass/ids';
import { buildApp } from '../src/app.js';
import { seedDemo } from '../src/seed.js';
import type { AppConfig } from '../src/config.js';
import { HttpClient } from './http-client.js';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: Backend[] = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

export interface TestApp {
  app: FastifyInstance;
  close(): Promise<void>;
}

/** A fresh app with the demo seed (orgs, users, batches, 5 students). */
export async function makeApp(backend: Backend, config: Partial<AppConfig> = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-test-'));
  let databaseUrl: string | undefined;
  let dbName: string | null = null;
  const adminUrl = process.env.DATABASE_URL;
  if (backend === 'postgres' && adminUrl) {
    dbName = `gradpass_test_${crypto.randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(adminUrl);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const app = await buildApp({
    dataDir,
    databaseUrl,
    photoChecks: { profile: 'chsi-graduation', face: false },
    ...config,
  });
  await seedDemo(app, { password: 'test-password-1', today: app.ctx.config.now() });
  return {
    app,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName && adminUrl) {
        const c = new pg.Client({ connectionString: adminUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      }
    },
  };
}

/** A logged-in client: keeps the session cookie and sends the CSRF header. */
export class Client {
  private cookie = '';
  csrf = '';
  constructor(readonly app: FastifyInstance) {}
  static async login(app: FastifyInstance, username: string, password = 'test-password-1'): Promise<Client> {
    const c = new Client(app);
    const r = await c.post('/api/auth/login', { username, password });
    if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
    return c;
  }
  private remember(r: LightMyRequestResponse) {
    const set = r.cookies as Array<{ name: string; value: string }>;
    const jar = new Map(
      this.cookie
        .split('; ')
        .filter(Boolean)
        .map((kv) => kv.split('=') as [string, string]),
    );
    for (const c of set) jar.set(c.name, c.value);
    this.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const csrf = jar.get('gp_csrf');
    if (csrf) this.csrf = csrf;
    return r;
  }
  async get(url: string) {
    return this.remember(await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookie } }));
  }
  async post(url: string, body?: unknown, method: 'POST' | 'PATCH' = 'POST') {
    return this.remember(
      await this.app.inject({
        method,
        url,
        payload: body as object,
        headers: { cookie: this.cookie, 'x-csrf-token': this.csrf },
      }),
    );
  }
  async patch(url: string, body: unknown) {
    return this.post(url, body, 'PATCH');
  }
  /** multipart upload of one file plus text fields. */
  async upload(
    url: string,
    fileName: string,
    bytes: Buffer,
    fields: Record<string, string> = {},
    contentType = 'application/octet-stream',
  ) {
    const boundary = `----gp${crypto.randomBytes(8).toString('hex')}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields))
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${contentType}\r\n\r\n`,
      ),
      bytes,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    );
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: Buffer.concat(parts),
        headers: {
          cookie: this.cookie,
          'x-csrf-token': this.csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
      }),
    );
  }
}

const PORTRAIT = (bg: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640">
  <rect width="100%" height="100%" fill="${bg}"/>
  <path d="M 30 640 L 60 520 Q 240 440 420 520 L 450 640 Z" fill="rgb(40,45,70)"/>
  <rect x="205" y="380" width="70" height="90" fill="rgb(214,168,140)"/>
  <ellipse cx="240" cy="215" rx="112" ry="135" fill="rgb(35,25,20)"/>
  <ellipse cx="240" cy="265" rx="95" ry="125" fill="rgb(224,178,150)"/>
  <ellipse cx="205" cy="250" rx="12" ry="6" fill="rgb(60,40,35)"/>
  <ellipse cx="275" cy="250" rx="12" ry="6" fill="rgb(60,40,35)"/>
</svg>`;

/** A generated 480×640 portrait JPEG inside the chsi-graduation byte window (passes the technical checks). */
export async function compliantJpeg(seed = 1): Promise<Buffer> {
  const { data, info } = await sharp(Buffer.from(PORTRAIT('rgb(100,197,255)')))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < data.length; i++)
    data[i] = Math.max(0, Math.min(255, Math.round(data[i] + (rnd() + rnd() + rnd() - 1.5) * 6)));
  const r = await encodeToSize(
    sharp(data, { raw: { width: info.width, height: info.height, channels: 3 } }),
    loadProfile('chsi-graduation'),
  );
  if (!r.ok) throw new Error(r.refusal.message);
  return r.jpeg;
}

/** A JPEG that fails the checks: wrong size (200×200). */
export async function badJpeg(): Promise<Buffer> {
  return sharp(Buffer.from(PORTRAIT('rgb(100,197,255)')))
    .resize(200, 200)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Waits until the app's photo-check queue is idle. */
export const checksDone = (app: FastifyInstance) => app.ctx.queue.idle();

/** A settable clock for the app (Beijing noon of a day). */
export class Clock {
  t: Date;
  constructor(day: string) {
    this.t = Clock.at(day);
  }
  static at(day: string): Date {
    return new Date(`${day}T04:00:00Z`);
  }
  set(day: string) {
    this.t = Clock.at(day);
  }
  readonly now = () => this.t;
}

/** Ids of the demo seed, looked up by name. */
/**
 * An application row already in `state` (fixture: the step under test then goes through HTTP): signed, 同版
 * confirmed unless still `applied`, submitted once unless `applied`.
 */
export async function applicationIn(
  app: FastifyInstance,
  at: string,
  row: { studentId: number; batchId: number; state: string; photoId?: number | null },
): Promise<number> {
  const inserted = await app.ctx.repos.applications.insert({
    student_id: row.studentId,
    batch_id: row.batchId,
    state: row.state,
    degree_requested: 0,
    signed_at: at,
    same_version_confirmed_at: row.state === 'applied' ? null : at,
    photo_id: row.photoId ?? null,
    returned_by: null,
    submission_count: row.state === 'applied' ? 0 : 1,
    version: 1,
    registration_number: null,
    last_reason: null,
    created_at: at,
    updated_at: at,
  });
  return inserted.id;
}

export async function demoIds(app: FastifyInstance) {
  const orgs = await app.ctx.repos.orgs.all();
  const org = (n: string) => orgs.find((o) => o.name === n)!.id;
  const students = await app.ctx.repos.students.listAll({ orgIds: orgs.map((o) => o.id) });
  const student = (n: string) => students.find((s) => s.name === n)!;
  const batches = await app.ctx.repos.batches.all();
  return {
    centreA: org('济南市开放大学历下学习中心'),
    centreB: org('济南市开放大学章丘学习中心'),
    city: org('济南市开放大学'),
    province: org('山东开放大学'),
    student,
    realBatch: batches.find((b) => b.name === '2026年1月毕业')!.id,
    demoBatch: batches.find((b) => b.name.endsWith('（演示）'))!.id,
  };
}

/**
 * Student number `n` (0–999) of a centre, created through the service: a valid 身份证号 (born 1995-01-01), 学号
 * 23370012 + (70000 + n), 会计学 2023秋. One per `n` in an app.
 */
export function newTestStudent(app: FastifyInstance, orgId: number, n: number, level: '本科' | '专科' = '本科') {
  const first17 = `37010219950101${String(n).padStart(3, '0')}`;
  return app.ctx.services.students.create(null, {
    xuehao: `23370012${String(70000 + n).padStart(5, '0')}`,
    idCard: first17 + idCardCheckChar(first17),
    name: `学生${n}`,
    orgId,
    programme: '会计学',
    level,
    enrolTerm: '2023秋',
  });
}

/**
 * A suite over real HTTP (races, bulk steps): a fresh app listening on a free port, its address, the demo seed's
 * ids and the national reviewer (guokai) logged in.
 */
export async function httpSuite(backend: Backend, config: Partial<AppConfig> = {}) {
  const t = await makeApp(backend, config);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const base = HttpClient.baseOf(t.app);
  return { t, base, ids: await demoIds(t.app), national: await HttpClient.login(base, 'guokai') };
}

/** Calls every GET route of the OpenAPI document (ids = `id`) as each user; returns the ones answering ≥ 500. */
export async function serverErrorsOnGets(app: FastifyInstance, users: string[], id = 1): Promise<string[]> {
  const spec = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
  const gets = Object.entries(spec.paths)
    .filter(([p, m]) => m.get && p !== '/api/events')
    .map(([p]) => p.replace(/\{id\}/g, String(id)));
  const bad: string[] = [];
  for (const user of users) {
    const c = await Client.login(app, user);
    for (const url of gets) {
      const r = await c.get(url);
      if (r.statusCode >= 500) bad.push(`${user} GET ${url}: ${r.body.slice(0, 200)}`);
    }
  }
  return bad;
}
