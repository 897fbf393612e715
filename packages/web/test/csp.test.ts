/**
 * The Content-Security-Policy the server sends (issue 10, item 6) against the built web app in Chromium: every
 * page of every menu, the student page with a photo, the setup page and /docs load without a single CSP
 * violation; and an account with an initial password sees only the change-password page until it has changed it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { HAVE_CHROMIUM, REPO, drawPhoto, ensureWebBuilt, launchBrowser, loginAs, startServer, type TestServer } from './support';

const DEMO_PASSWORD = 'gradpass2026';
const MENU = ['/dashboard', '/students', '/photos', '/import', '/review', '/identity', '/batches', '/certificates', '/collection', '/audit', '/accounts'];

/** Records CSP violations seen by the page (console reports and securitypolicyviolation events). */
async function watchCsp(page: Page): Promise<string[]> {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) seen.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return seen;
}

describe.skipIf(!HAVE_CHROMIUM)('CSP in the browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: false });
    const { seedDemo } = (await import(path.join(REPO, 'packages/server/dist/seed.js'))) as { seedDemo(app: unknown): Promise<unknown> };
    await seedDemo(server.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('every page loads under the policy without a violation', async () => {
    const res = await fetch(`${server.url}/`);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const { ctx, page } = await loginAs(browser, server.url, 'admin', DEMO_PASSWORD);
    const seen = await watchCsp(page);
    // a student with a photo, for the student page's image and overlay
    const lixia = await loginAs(browser, server.url, 'lixia', DEMO_PASSWORD);
    const student = (await lixia.page.evaluate(async () => (await (await fetch('/api/students')).json()) as { items: Array<{ id: number; xuehao: string }> })).items[0]!;
    const photo = await drawPhoto(3);
    await lixia.page.evaluate(
      async ({ id, name, bytes }) => {
        const form = new FormData();
        form.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), name);
        const csrf = document.cookie.split('; ').find((c) => c.startsWith('gp_csrf='))!.slice(8);
        await fetch(`/api/students/${id}/photo`, { method: 'POST', body: form, headers: { 'x-csrf-token': csrf } });
      },
      { id: student.id, name: `${student.xuehao}.jpg`, bytes: [...photo] },
    );
    await lixia.ctx.close();
    for (const p of [...MENU, `/students/${student.id}`]) {
      await page.goto(p);
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(200);
    }
    await page.goto('/docs');
    await page.waitForLoadState('networkidle');
    await page.locator('.swagger-ui').first().waitFor({ timeout: 15_000 });
    await ctx.close();
    const anon = await browser.newContext({ baseURL: server.url, locale: 'zh-CN' });
    const first = await anon.newPage();
    const seenAnon = await watchCsp(first);
    await first.goto('/setup');
    await first.getByText('系统已初始化').waitFor();
    await first.goto('/login');
    await first.locator('#login-username').waitFor();
    expect([...seen, ...seenAnon]).toEqual([]);
    // control: the watcher does see a violation (an inline script is refused by script-src 'self')
    await first.evaluate(() => {
      const el = document.createElement('script');
      el.textContent = 'window.__inline = 1';
      document.body.appendChild(el);
    });
    await first.waitForTimeout(300);
    expect(seenAnon.length).toBeGreaterThan(0);
    expect(await first.evaluate(() => (window as unknown as { __inline?: number }).__inline)).toBeUndefined();
    await anon.close();
  });

  it('an initial password: only the change-password page until it is changed', async () => {
    const s = server.app.ctx.services as unknown as {
      auth: { createUser(a: null, i: Record<string, unknown>): Promise<{ id: number }> };
    };
    const orgs = (await (server.app.ctx.repos as unknown as { orgs: { all(): Promise<Array<{ id: number; kind: string }>> } }).orgs.all());
    await s.auth.createUser(null, { username: 'newcity', password: 'Initial-pass-31', displayName: '新审批员', role: 'city_reviewer', orgId: orgs.find((o) => o.kind === 'city')!.id, mustChangePassword: true });
    const ctx = await browser.newContext({ baseURL: server.url, locale: 'zh-CN' });
    const page = await ctx.newPage();
    await page.goto('/login');
    await page.locator('#login-username').fill('newcity');
    await page.locator('#login-password').fill('Initial-pass-31');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('change-password').waitFor();
    await expect(page.getByText('您的账号仍在使用初始密码').count()).resolves.toBe(1);
    await page.goto('/students'); // every page shows the change-password form instead
    await page.getByTestId('change-password').waitFor();
    await page.locator('#old-password').fill('Initial-pass-31');
    await page.locator('#new-password').fill('gradpass2026');
    await page.locator('#confirm-password').fill('gradpass2026');
    await page.getByTestId('change-password-submit').click();
    await expect(page.getByTestId('error-message').first().getAttribute('data-code')).resolves.toBe('PASSWORD_WEAK');
    await page.locator('#new-password').fill('Quiet-lake-2026');
    await page.locator('#confirm-password').fill('Quiet-lake-2026');
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('main-menu').waitFor();
    expect(await page.getByTestId('change-password').count()).toBe(0);
    await ctx.close();
  });
});
