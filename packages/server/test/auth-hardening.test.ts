/**
 * Access and abuse (issue 10, items 4 and 6): forwarded addresses believed only from TRUST_PROXY (over real HTTP),
 * login limits per address + user name and per user name, the per-user limit on exports, the password rule,
 * the forced change of initial passwords, sessions ended on change and reset, names without control or bidi
 * characters, hostile input (NUL, 1e400, over-long strings) answered 400 in Chinese, 500s with a request id.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { passwordProblem } from '../src/services/passwords.js';
import { nameProblem } from '../src/services/names.js';
import { BACKENDS, Client, demoIds, makeApp, type TestApp } from './helpers.js';

const PW = 'test-password-1';

describe('password and name rules', () => {
  test('weak passwords are refused with the reason in Chinese', () => {
    expect(passwordProblem(' '.repeat(8))).toMatch(/至少 10 个字符（不计空格），当前 0 个/);
    expect(passwordProblem('a b c d e f g h i')).toMatch(/当前 9 个/);
    expect(passwordProblem('abcdefghijkl')).toMatch(/一类字符/);
    expect(passwordProblem('12345678901234')).toMatch(/一类字符/);
    for (const common of [
      'gradpass2026',
      'Gradpass2026!',
      'qwerty123456',
      'Password2026',
      '1qaz2wsx3edc',
      'woaini1314',
    ])
      expect(passwordProblem(common), common).toMatch(/过于常见/);
    expect(passwordProblem('Passw0rd!2026')).toMatch(/过于常见/);
    expect(passwordProblem('my-jinan-pass-7', 'jinan')).toBe('密码不能包含用户名');
    expect(passwordProblem('x'.repeat(200) + '1')).toMatch(/最多 128/);
    expect(passwordProblem('Hill-river-42', 'jinan')).toBeNull();
    expect(passwordProblem('山东 开放 大学 2026 毕业')).toBeNull();
  });

  test('names: no control or bidi characters, a length cap', () => {
    expect(nameProblem('王芳', '姓名', 50)).toBeNull();
    expect(nameProblem('王\u202E芳', '姓名', 50)).toMatch(/U\+202E/);
    expect(nameProblem('王\u2067芳', '姓名', 50)).toMatch(/U\+2067/);
    expect(nameProblem('王\u0000芳', '姓名', 50)).toMatch(/U\+0000/);
    expect(nameProblem('王\n芳', '姓名', 50)).toMatch(/U\+000A/);
    expect(nameProblem('张'.repeat(51), '姓名', 50)).toBe('姓名过长：51 个字符，最多 50 个');
    expect(nameProblem('   ', '姓名', 50)).toBe('姓名不能为空');
  });
});

/** POST /api/auth/login over real HTTP with optional forwarded headers. */
async function login(base: string, username: string, password: string, headers: Record<string, string> = {}) {
  const r = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });
  return { status: r.status, body: (await r.json()) as { code?: string }, cookie: r.headers.getSetCookie().join('\n') };
}

async function listen(t: TestApp): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
}

describe.each(BACKENDS)('forwarded addresses on %s (real HTTP)', (backend) => {
  let direct: TestApp;
  let proxied: TestApp;
  let directUrl: string;
  let proxiedUrl: string;
  beforeAll(async () => {
    direct = await makeApp(backend, { loginRateLimit: 3 });
    proxied = await makeApp(backend, { loginRateLimit: 3, trustProxy: ['127.0.0.1'] });
    directUrl = await listen(direct);
    proxiedUrl = await listen(proxied);
  });
  afterAll(async () => {
    await direct?.close();
    await proxied?.close();
  });

  test('without TRUST_PROXY a spoofed X-Forwarded-For does not reset the login limit', async () => {
    for (let i = 0; i < 3; i++)
      expect((await login(directUrl, 'jinan', 'wrong', { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(401);
    const r = await login(directUrl, 'jinan', PW, { 'x-forwarded-for': '198.51.100.99' });
    expect(r.status).toBe(429);
    expect(r.body.code).toBe('RATE_LIMITED');
    // X-Forwarded-Proto is not believed either: no Secure cookie over plain http
    const other = await login(directUrl, 'lixia', PW, { 'x-forwarded-proto': 'https' });
    expect(other.status).toBe(200);
    expect(other.cookie).not.toMatch(/Secure/);
  });

  test('with TRUST_PROXY=127.0.0.1 the forwarded address is the client', async () => {
    const from = (ip: string) => ({ 'x-forwarded-for': ip });
    for (let i = 0; i < 3; i++)
      expect((await login(proxiedUrl, 'jinan', 'wrong', from('203.0.113.7'))).status).toBe(401);
    expect((await login(proxiedUrl, 'jinan', PW, from('203.0.113.7'))).status).toBe(429);
    expect((await login(proxiedUrl, 'jinan', PW, from('203.0.113.8'))).status).toBe(200);
    const https = await login(proxiedUrl, 'lixia', PW, { ...from('203.0.113.9'), 'x-forwarded-proto': 'https' });
    expect(https.cookie).toMatch(/gp_session=[^\n]*Secure/);
    // one user name from many addresses: 3× the per-address limit in total, then refused
    for (let i = 0; i < 9; i++)
      expect((await login(proxiedUrl, 'shandong', 'wrong', from(`192.0.2.${i}`))).status).toBe(401);
    const spread = await login(proxiedUrl, 'shandong', PW, from('192.0.2.200'));
    expect(spread.status).toBe(429);
  });
});

describe.each(BACKENDS)('accounts and input on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(backend, { expensiveRateLimit: 2 });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('an account created by an administrator must change its password; other sessions end', async () => {
    const admin = await Client.login(t.app, 'admin');
    const ids = await demoIds(t.app);
    const weak = await admin.post('/api/users', {
      username: 'lixia2',
      password: ' '.repeat(8),
      displayName: '历下老师二',
      role: 'centre_staff',
      orgId: ids.centreA,
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'PASSWORD_WEAK', message: expect.stringMatching(/至少 10 个字符/) });
    const common = await admin.post('/api/users', {
      username: 'lixia2',
      password: 'gradpass2026',
      displayName: '历下老师二',
      role: 'centre_staff',
      orgId: ids.centreA,
    });
    expect(common.json().code).toBe('PASSWORD_WEAK');
    const created = await admin.post('/api/users', {
      username: 'lixia2',
      password: 'Initial-pass-31',
      displayName: '历下老师二',
      role: 'centre_staff',
      orgId: ids.centreA,
    });
    expect(created.statusCode, created.body).toBe(200);

    const first = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'lixia2', password: 'Initial-pass-31' },
    });
    expect(first.json().mustChangePassword).toBe(true);
    const phone = await Client.login(t.app, 'lixia2', 'Initial-pass-31');
    const desk = await Client.login(t.app, 'lixia2', 'Initial-pass-31');
    const blocked = await desk.get('/api/students');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({
      code: 'PASSWORD_CHANGE_REQUIRED',
      message: expect.stringMatching(/初始密码/),
    });
    expect((await desk.get('/api/auth/me')).json().mustChangePassword).toBe(true);
    const same = await desk.post('/api/auth/password', {
      oldPassword: 'Initial-pass-31',
      newPassword: 'lixia2-lixia2-9',
    });
    expect(same.json()).toMatchObject({ code: 'PASSWORD_WEAK', message: '密码不能包含用户名' });
    const ok = await desk.post('/api/auth/password', {
      oldPassword: 'Initial-pass-31',
      newPassword: 'Quiet-lake-2026',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await desk.get('/api/students')).statusCode).toBe(200);
    expect((await desk.get('/api/auth/me')).json().mustChangePassword).toBe(false);
    expect((await phone.get('/api/auth/me')).statusCode).toBe(401); // the other session ended

    // an administrator's reset: every session ends, and the user must change the new initial password
    const userId = created.json().id as number;
    const reset = await admin.post(`/api/users/${userId}/password`, { password: 'Reset-pass-4711' });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await desk.get('/api/auth/me')).statusCode).toBe(401);
    const again = await Client.login(t.app, 'lixia2', 'Reset-pass-4711');
    expect((await again.get('/api/students')).json().code).toBe('PASSWORD_CHANGE_REQUIRED');
    // a centre cannot reset anyone's password
    const lixia = await Client.login(t.app, 'lixia');
    expect((await lixia.post(`/api/users/${userId}/password`, { password: 'Reset-pass-4712' })).statusCode).toBe(403);
  });

  test('names refuse bidi overrides, control characters and over-long values', async () => {
    const admin = await Client.login(t.app, 'admin');
    const ids = await demoIds(t.app);
    const user = (displayName: string) =>
      admin.post('/api/users', {
        username: `u${displayName.length}x${Math.random().toString(36).slice(2, 7)}`,
        password: 'Initial-pass-31',
        displayName,
        role: 'city_reviewer',
        orgId: ids.city,
      });
    const rtl = await user('王\u202E芳');
    expect(rtl.statusCode).toBe(400);
    expect(rtl.json()).toMatchObject({ code: 'NAME_INVALID', message: expect.stringMatching(/U\+202E/) });
    expect((await user('x'.repeat(51))).json().message).toMatch(/最多 50 个/);
    const org = await admin.post('/api/orgs', { name: '天桥\u2066学习中心', kind: 'centre', parentId: ids.city });
    expect(org.json()).toMatchObject({ code: 'NAME_INVALID' });
    const longOrg = await admin.post('/api/orgs', { name: '学'.repeat(101), kind: 'centre', parentId: ids.city });
    expect(longOrg.json().message).toMatch(/最多 100 个/);
    const lixia = await Client.login(t.app, 'lixia');
    const student = ids.student('王芳');
    const renamed = await lixia.patch(`/api/students/${student.id}`, { name: '王\u202E芳' });
    expect(renamed.statusCode).toBeGreaterThanOrEqual(400);
    expect(renamed.statusCode).toBeLessThan(500);
    expect(renamed.json().code).toBe('NAME_INVALID');
  });

  test('NUL bytes, 1e400, huge ids and over-long strings answer 400 in Chinese, never 500', async () => {
    const lixia = await Client.login(t.app, 'lixia');
    const cases = [
      await lixia.get('/api/students?q=%00abc'),
      await lixia.get('/api/students?page=1e400'),
      await lixia.get('/api/students?page=99999999999999999999'),
      await lixia.get('/api/students/99999999999'),
      await lixia.get(`/api/students?q=${'x'.repeat(10_001)}`),
      await lixia.patch('/api/students/1', { programme: 'a\u0000b' }),
      await lixia.patch('/api/students/1', { programme: 'x'.repeat(10_001) }),
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username":"lixia","password":1e400}',
      }),
      await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: '{"username":"li\\u0000xia","password":"x"}',
      }),
    ];
    for (const r of cases) {
      expect(r.statusCode, r.body).toBeGreaterThanOrEqual(400);
      expect(r.statusCode, r.body).toBeLessThan(500);
      expect(r.json().message, r.body).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(cases[0].json().code).toBe('INPUT_NUL');
    expect(cases[4].json()).toMatchObject({ code: 'INPUT_TOO_LONG', message: expect.stringMatching(/最多 10000 个/) });
  });

  test('exports are limited per user, not per address', async () => {
    const lixia = await Client.login(t.app, 'lixia');
    const zhangqiu = await Client.login(t.app, 'zhangqiu');
    expect((await lixia.get('/api/reports/students.xlsx')).statusCode).toBe(200);
    expect((await lixia.get('/api/reports/students.xlsx')).statusCode).toBe(200);
    const third = await lixia.get('/api/reports/students.xlsx');
    expect(third.statusCode).toBe(429);
    expect(third.json().message).toMatch(/每分钟最多 2 次/);
    expect((await zhangqiu.get('/api/reports/students.xlsx')).statusCode).toBe(200); // same address, other user
  });

  test('security headers: CSP, no framing, no sniffing; a request id on every answer', async () => {
    const r = await t.app.inject('/api/health');
    expect(r.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect(r.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('a fault answers 500 with the request id, and the error is logged by default', () => {
  test('the id in the Chinese message is the one in the log', async () => {
    const lines: string[] = [];
    const t = await makeApp('sqlite', { logStream: { write: (l: string) => void lines.push(l) } });
    try {
      const admin = await Client.login(t.app, 'admin');
      await t.app.ctx.db.db.schema.dropTable('batches').execute(); // a real fault: the table is gone
      const r = await admin.get('/api/batches');
      expect(r.statusCode).toBe(500);
      const body = r.json() as { code: string; message: string };
      expect(body.code).toBe('INTERNAL_ERROR');
      const id = /提供编号 ([0-9a-f]{12})/.exec(body.message)?.[1];
      expect(id, body.message).toBe(r.headers['x-request-id']);
      const logged = lines.map((l) => JSON.parse(l) as { level: number; reqId?: string; err?: { message: string } });
      expect(logged.some((l) => l.level >= 50 && l.reqId === id && /batches/.test(l.err?.message ?? ''))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
