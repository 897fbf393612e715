/**
 * Production mode (issue 10, item 6) through the real start command (`node packages/server/dist/main.js`):
 * no demo data in production unless DEMO=1, the one-time setup (token printed on the console → POST /api/setup,
 * or ADMIN_INITIAL_PASSWORD), the common-password list refusing `gradpass2026`, forced changes of handed-over
 * passwords, TRUST_PROXY read from the environment; development keeps the README's demo tour.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, test } from 'vitest';
import { BACKENDS, type Backend } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const STRONG = 'Lake-shore-2026';

interface Started {
  url: string;
  out: () => string;
  proc: ChildProcess;
}

const running: Array<{ proc: ChildProcess; cleanup: () => Promise<void> }> = [];

/** A fresh data folder (and PostgreSQL database) and the start command with `env`; resolves once it listens. */
async function start(backend: Backend, env: Record<string, string>): Promise<Started> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-prod-'));
  let dbName: string | null = null;
  const extra: Record<string, string> = {};
  if (backend === 'postgres') {
    dbName = `gradpass_test_${crypto.randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${dbName}`;
    extra.DATABASE_URL = u.toString();
  }
  const base: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, NODE_ENV: undefined };
  for (const k of ['DEMO', 'NO_DEMO', 'ADMIN_INITIAL_PASSWORD', 'TRUST_PROXY', 'REDIS_URL', 'LOG']) delete base[k];
  const proc = spawn(process.execPath, [MAIN], {
    env: { ...base, DATA_DIR: dataDir, PORT: '0', PHOTO_FACE: '0', ...extra, ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  running.push({
    proc,
    cleanup: async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      }
    },
  });
  const deadline = Date.now() + 60_000;
  // wait for the whole start-up report (the last line printed is the web-app hint or the setup instructions)
  while (
    Date.now() < deadline &&
    proc.exitCode === null &&
    !/已启动：http:\/\/[^\n]+\n(.*\n)*?.*(curl|管理员|演示|提示|\/docs)/.test(out)
  )
    await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 300));
  const m = /已启动：(http:\/\/[^/\s]+)\//.exec(out);
  return { url: m?.[1] ?? '', out: () => out, proc };
}

afterEach(async () => {
  for (const r of running.splice(0)) await r.cleanup();
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, cookie: r.headers.getSetCookie() };
}
const login = (s: Started, username: string, password: string, headers: Record<string, string> = {}) =>
  post(`${s.url}/api/auth/login`, { username, password }, headers);

describe.skipIf(!fs.existsSync(MAIN)).each(BACKENDS)('the start command on %s', (backend) => {
  test('production on an empty database: no demo account, a one-time setup token, gradpass2026 refused', async () => {
    const s = await start(backend, { NODE_ENV: 'production' });
    expect(s.url, s.out()).toMatch(/^http:/);
    expect(s.out()).not.toMatch(/演示账号/);
    for (const u of ['admin', 'lixia', 'shandong']) expect((await login(s, u, 'gradpass2026')).status).toBe(401);
    expect(await (await fetch(`${s.url}/api/setup`)).json()).toEqual({ needed: true });
    const token = /初始化令牌：(\S+)/.exec(s.out())?.[1];
    expect(token, s.out()).toBeTruthy();
    const wrong = await post(`${s.url}/api/setup`, { token: 'not-the-token', password: STRONG });
    expect(wrong).toMatchObject({ status: 403, json: { code: 'SETUP_TOKEN_INVALID' } });
    const weak = await post(`${s.url}/api/setup`, { token, password: 'gradpass2026' });
    expect(weak).toMatchObject({ status: 400, json: { code: 'PASSWORD_WEAK' } });
    expect(weak.json.message).toMatch(/过于常见/);
    const done = await post(`${s.url}/api/setup`, { token, password: STRONG }); // a refused password kept the token
    expect(done.status, JSON.stringify(done.json)).toBe(200);
    expect(done.json).toEqual({ username: 'admin', orgName: '国家开放大学' });
    const again = await post(`${s.url}/api/setup`, { token, password: STRONG });
    expect(again.status).toBe(409);
    const admin = await login(s, 'admin', STRONG);
    expect(admin.status).toBe(200);
    expect(admin.json.mustChangePassword).toBe(false); // chosen by the administrator themself
  });

  test('ADMIN_INITIAL_PASSWORD: refused when common, otherwise the first admin must change it', async () => {
    const refused = await start(backend, { NODE_ENV: 'production', ADMIN_INITIAL_PASSWORD: 'gradpass2026' });
    await new Promise<void>((resolve) =>
      refused.proc.exitCode !== null ? resolve() : refused.proc.on('exit', () => resolve()),
    );
    expect(refused.proc.exitCode).toBe(1);
    expect(refused.out()).toMatch(/启动失败：\s*ADMIN_INITIAL_PASSWORD 不可用：该密码过于常见/);

    const s = await start(backend, { NODE_ENV: 'production', ADMIN_INITIAL_PASSWORD: STRONG });
    expect(s.out()).toMatch(/已创建首个管理员 admin（国家开放大学）/);
    expect(s.out()).not.toMatch(/初始化令牌/);
    expect(s.out()).not.toContain(STRONG);
    const admin = await login(s, 'admin', STRONG);
    expect(admin.json.mustChangePassword).toBe(true);
    expect(await (await fetch(`${s.url}/api/setup`)).json()).toEqual({ needed: false });
  });

  test('production with DEMO=1: demo accounts that must change the published password; TRUST_PROXY', async () => {
    const s = await start(backend, { NODE_ENV: 'production', DEMO: '1', TRUST_PROXY: '127.0.0.1' });
    expect(s.out()).toMatch(/每个演示账号首次登录须修改密码/);
    const r = await login(s, 'lixia', 'gradpass2026', { 'x-forwarded-proto': 'https' });
    expect(r.status).toBe(200);
    expect(r.json.mustChangePassword).toBe(true);
    expect(r.cookie.find((c) => c.startsWith('gp_session='))).toMatch(/Secure/); // the trusted proxy said https
  });

  test('development (npm start on a fresh clone): the demo tour of the README', async () => {
    const s = await start(backend, {});
    expect(s.out()).toMatch(/演示账号（密码均为 gradpass2026，请登录后修改）/);
    expect(s.out()).toMatch(/首个管理员账号：admin \/ gradpass2026/);
    const r = await login(s, 'lixia', 'gradpass2026', { 'x-forwarded-proto': 'https' });
    expect(r.json.mustChangePassword).toBe(false);
    expect(r.cookie.find((c) => c.startsWith('gp_session='))).not.toMatch(/Secure/); // no TRUST_PROXY
  });
});
