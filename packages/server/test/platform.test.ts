/**
 * The platform around the rules: health, OpenAPI and /docs, login, cookies, CSRF, rate limit, users and
 * organisations (admin), live updates over SSE, the SPA fallback, the photo job queue on Redis.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, Client, Clock, checksDone, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

describe.each(BACKENDS)('platform on %s', (backend) => {
  let t: TestApp;
  const clock = new Clock('2025-12-10');
  const web = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-web-'));
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>gradpass</title><div id="root"></div>');
  fs.mkdirSync(path.join(web, 'assets'));
  fs.writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
  beforeAll(async () => {
    t = await makeApp(backend, { now: clock.now, webDist: web, loginRateLimit: 5 });
  });
  afterAll(async () => {
    await t?.close();
    fs.rmSync(web, { recursive: true, force: true });
  });

  test('health, OpenAPI with schemas on every route, /docs served locally', async () => {
    const h = await t.app.inject('/api/health');
    expect(h.json()).toEqual({ ok: true, db: backend, queue: 'memory' });
    const spec = (await t.app.inject('/openapi.json')).json();
    expect(spec.openapi).toMatch(/^3\./);
    const ops = Object.entries(
      spec.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>,
    ).flatMap(([p, m]) => Object.entries(m).map(([verb, op]) => ({ p, verb, op })));
    expect(ops.length).toBeGreaterThan(45);
    for (const { p, verb, op } of ops) expect(op.responses['200'] ?? op.responses['202'], `${verb} ${p}`).toBeDefined();
    expect(spec.paths['/api/applications/{id}/actions'].post.requestBody).toBeDefined();
    const docs = await t.app.inject('/docs/');
    expect(docs.statusCode).toBe(200);
    expect(docs.body).not.toMatch(/cdn|unpkg|jsdelivr/i);
  });

  test('login: cookies, CSRF, bad password, rate limit in Chinese, logout', async () => {
    const anon = await t.app.inject('/api/students');
    expect(anon.statusCode).toBe(401);
    expect(anon.json().code).toBe('UNAUTHENTICATED');
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'jinan', password: 'nope' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ code: 'BAD_CREDENTIALS', message: '用户名或密码错误' });
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'lixia', password: 'test-password-1' },
    });
    const setCookie = ([] as string[]).concat(ok.headers['set-cookie'] as string | string[]);
    const session = setCookie.find((c) => c.startsWith('gp_session='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(setCookie.find((c) => c.startsWith('gp_csrf='))).not.toMatch(/HttpOnly/i);
    expect(session).not.toMatch(/Secure/);
    const viaHttps = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'lixia', password: 'test-password-1' },
      headers: { 'x-forwarded-proto': 'https' },
    });
    // X-Forwarded-Proto is believed only from a TRUST_PROXY address (auth-hardening.test.ts covers that case)
    expect(
      ([] as string[]).concat(viaHttps.headers['set-cookie'] as string[]).find((c) => c.startsWith('gp_session=')),
    ).not.toMatch(/Secure/);
    const csrf = ok.json().csrfToken as string;
    const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
    const noCsrf = await t.app.inject({
      method: 'PATCH',
      url: '/api/students/1',
      payload: { programme: 'x' },
      headers: { cookie },
    });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().code).toBe('CSRF_INVALID');
    const withCsrf = await t.app.inject({
      method: 'PATCH',
      url: '/api/students/1',
      payload: { programme: '行政管理（专升本）' },
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(withCsrf.statusCode, withCsrf.body).toBe(200);
    // rate limit per IP + username (5/min in this app): the 6th attempt is refused even with the right password
    const ids = await demoIds(t.app);
    await t.app.ctx.services.auth.createUser(null, {
      username: 'limited',
      password: 'test-password-1',
      displayName: '限流测试',
      role: 'city_reviewer',
      orgId: ids.city,
    });
    for (let i = 0; i < 5; i++)
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'limited', password: 'wrong' },
      });
    const limited = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'limited', password: 'test-password-1' },
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().code).toBe('RATE_LIMITED');
    expect(limited.json().message).toMatch(/频繁/);
    // another username from the same IP is not affected
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: 'shandong', password: 'test-password-1' },
        })
      ).statusCode,
    ).toBe(200);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });

  test('admin manages organisations and users inside its subtree; audit records who changed what', async () => {
    const admin = await Client.login(t.app, 'admin');
    const ids = await demoIds(t.app);
    const centre = await admin.post('/api/orgs', {
      name: '济南市开放大学天桥学习中心',
      kind: 'centre',
      parentId: ids.city,
    });
    expect(centre.statusCode, centre.body).toBe(200);
    expect(centre.json().path).toMatch(/^\/\d+\/\d+\/\d+\/\d+\/$/);
    const wrongKind = await admin.post('/api/orgs', { name: 'x', kind: 'city', parentId: ids.city });
    expect(wrongKind.json().code).toBe('ORG_KIND_INVALID');
    const u = await admin.post('/api/users', {
      username: 'tianqiao',
      password: 'long-enough-1',
      displayName: '天桥老师',
      role: 'centre_staff',
      orgId: centre.json().id,
    });
    expect(u.statusCode, u.body).toBe(200);
    const misplaced = await admin.post('/api/users', {
      username: 'x2',
      password: 'long-enough-1',
      displayName: 'x',
      role: 'city_reviewer',
      orgId: centre.json().id,
    });
    expect(misplaced.json().code).toBe('ROLE_LEVEL_MISMATCH');
    const staff = await Client.login(t.app, 'tianqiao', 'long-enough-1');
    // an account created by an administrator must change its initial password first
    expect((await staff.get('/api/students')).json().code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await staff.post('/api/auth/password', {
      oldPassword: 'long-enough-1',
      newPassword: 'Hill-river-42',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await staff.get('/api/students')).json().total).toBe(0);
    expect((await staff.get('/api/orgs')).json().items).toHaveLength(1);
    expect(
      (
        await staff.post('/api/users', {
          username: 'x3',
          password: 'long-enough-1',
          displayName: 'x',
          role: 'centre_staff',
          orgId: centre.json().id,
        })
      ).json().code,
    ).toBe('NOT_PERMITTED');
    const lixia = await Client.login(t.app, 'lixia');
    const s = ids.student('王芳');
    await lixia.patch(`/api/students/${s.id}`, { continuing: false });
    const log = (await lixia.get(`/api/audit?entity=student&entityId=${s.id}`)).json();
    expect(log.items[0]).toMatchObject({ action: 'update', before: { continuing: 1 }, after: { continuing: 0 } });
    expect(log.items[0].actorName).toMatch(/历下学习中心老师/);
    // the city sees centre A's audit entries; centre B does not
    expect(
      (await (await Client.login(t.app, 'jinan')).get(`/api/audit?entity=student&entityId=${s.id}`)).json().total,
    ).toBeGreaterThan(0);
    expect(
      (await (await Client.login(t.app, 'zhangqiu')).get(`/api/audit?entity=student&entityId=${s.id}`)).json().total,
    ).toBe(0);
  });

  test('live updates over SSE reach the subtree that may see them', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (t.app.server.address() as AddressInfo).port;
    const ids = await demoIds(t.app);
    const lixia = await Client.login(t.app, 'lixia');
    const cityLogin = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'jinan', password: 'test-password-1' },
    });
    const otherLogin = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'zhangqiu', password: 'test-password-1' },
    });
    const cookieOf = (r: typeof cityLogin) =>
      ([] as string[])
        .concat(r.headers['set-cookie'] as string[])
        .map((c) => c.split(';')[0])
        .join('; ');
    const listen = (cookie: string) => {
      const got: string[] = [];
      const req = http.get({ port, path: '/api/events', headers: { cookie } }, (res) =>
        res.on('data', (c: Buffer) => got.push(c.toString())),
      );
      return { got, stop: () => req.destroy() };
    };
    const city = listen(cookieOf(cityLogin));
    const other = listen(cookieOf(otherLogin));
    for (let i = 0; i < 100 && !(city.got.length && other.got.length); i++) await new Promise((r) => setTimeout(r, 50)); // both connected
    const s = ids.student('张伟');
    await lixia.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(11));
    await checksDone(t.app);
    const a = (await lixia.post('/api/applications', { studentId: s.id, batchId: ids.realBatch })).json();
    await lixia.post(`/api/applications/${a.id}/actions`, { action: 'apply' });
    // wait (bounded) until the city's stream has delivered the application event
    for (let i = 0; i < 100 && !/event: application/.test(city.got.join('')); i++)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    city.stop();
    other.stop();
    const cityText = city.got.join('');
    expect(cityText).toMatch(/event: photo\ndata: .*"status":"pass"/);
    expect(cityText).toMatch(/event: application\ndata: .*"state":"applied"/);
    expect(other.got.join('')).not.toMatch(/event: application/);
  });

  test('every GET route answers without a server error for every role (response schemas match the data)', async () => {
    const spec = (await t.app.inject('/openapi.json')).json();
    const gets = Object.entries(spec.paths as Record<string, Record<string, unknown>>)
      .filter(([p, m]) => m.get && p !== '/api/events')
      .map(([p]) => p.replace(/\{id\}/g, '1'));
    expect(gets.length).toBeGreaterThan(30);
    for (const user of ['admin', 'guokai', 'shandong', 'jinan', 'lixia', 'caiji', '2337001200002']) {
      const c = await Client.login(t.app, user);
      for (const url of gets) {
        const r = await c.get(url);
        expect(r.statusCode, `${user} GET ${url}: ${r.body.slice(0, 200)}`).toBeLessThan(500);
      }
    }
  });

  test('serves the web app with SPA fallback; unknown /api paths stay JSON 404', async () => {
    expect((await t.app.inject('/')).body).toMatch(/<div id="root">/);
    expect((await t.app.inject('/students/12')).body).toMatch(/<div id="root">/);
    expect((await t.app.inject('/assets/app.js')).body).toBe('console.log(1)');
    const api = await t.app.inject('/api/nope');
    expect(api.statusCode).toBe(404);
    expect(api.json().code).toBe('NOT_FOUND');
  });
});

describe.runIf(!!process.env.REDIS_URL)('photo checks on BullMQ (REDIS_URL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('sqlite', { redisUrl: process.env.REDIS_URL, now: new Clock('2025-12-10').now });
  });
  afterAll(async () => t?.close());
  test('the same handler runs through Redis', async () => {
    expect((await t.app.inject('/api/health')).json().queue).toBe('redis');
    const ids = await demoIds(t.app);
    const lixia = await Client.login(t.app, 'lixia');
    const s = ids.student('李娜');
    const up = await lixia.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(12));
    await checksDone(t.app);
    expect((await lixia.get(`/api/photos/${up.json().id}`)).json().status).toBe('pass');
  });
});
