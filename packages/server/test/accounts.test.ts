/**
 * 停用 / 启用账号: an administrator disables an account of the subtree — it cannot log in and its sessions end at
 * once — and enables it again; nobody disables themselves; only administrators may.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, Client, makeApp, type TestApp } from './helpers.js';

describe.each(BACKENDS)('disabling accounts on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp(backend);
  });
  afterAll(async () => t?.close());

  test('a disabled account cannot log in and its open sessions end; enabled again, it can', async () => {
    const admin = await Client.login(t.app, 'admin');
    const lixia = await Client.login(t.app, 'lixia');
    const user = (await admin.get('/api/users')).json().items.find((u: { username: string }) => u.username === 'lixia');
    expect(user.disabled).toBe(false);
    const centre = await Client.login(t.app, 'zhangqiu');
    expect((await centre.post(`/api/users/${user.id}/disable`, {})).statusCode).toBe(403);
    const off = await admin.post(`/api/users/${user.id}/disable`, {});
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().disabled).toBe(true);
    expect((await lixia.get('/api/students')).statusCode).toBe(401);
    const again = await new Client(t.app).post('/api/auth/login', { username: 'lixia', password: 'test-password-1' });
    expect(again.statusCode).toBe(403);
    expect(again.json()).toMatchObject({ code: 'ACCOUNT_DISABLED', message: expect.stringMatching(/停用/) });
    const self = (await admin.get('/api/auth/me')).json().user.id;
    expect((await admin.post(`/api/users/${self}/disable`, {})).json().code).toBe('CANNOT_DISABLE_SELF');
    expect((await admin.post(`/api/users/${user.id}/enable`, {})).json().disabled).toBe(false);
    expect((await Client.login(t.app, 'lixia')).csrf).toBeTruthy();
    const history = (await admin.get(`/api/audit?entity=user&entityId=${user.id}`)).json().items;
    expect(history.map((h: { action: string }) => h.action)).toEqual(
      expect.arrayContaining(['disable_user', 'enable_user']),
    );
  });
});
