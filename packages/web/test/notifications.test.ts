/**
 * 消息通知 in Chromium (issue 11, point 12): a centre clerk adds the centre's 企业微信 group robot, sends a test
 * message that reaches a local robot receiver started here, and sets their own e-mail; a student finds the e-mail
 * setting from 我的账号. Screenshots at 1280×800 and 390×844: docs/screenshots/notifications*.png.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { HAVE_CHROMIUM, REPO, ensureWebBuilt, launchBrowser, loginAs, screenshotPath, startServer, type TestServer } from './support';

const DEMO_PASSWORD = 'gradpass2026';

describe.skipIf(!HAVE_CHROMIUM)('notifications page in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let robot: http.Server;
  let robotUrl = '';
  const received: Array<{ msgtype: string; markdown: { content: string } }> = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    robot = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof received)[number]);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"errcode":0,"errmsg":"ok"}');
      });
    });
    await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
    robotUrl = `http://127.0.0.1:${(robot.address() as AddressInfo).port}/cgi-bin/webhook/send?key=wecom-key-123456`;
    server = await startServer({ face: false });
    const { seedDemo } = (await import(path.join(REPO, 'packages/server/dist/seed.js'))) as { seedDemo(app: unknown): Promise<unknown> };
    await seedDemo(server.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((r) => robot?.close(r));
  });

  it('a clerk adds the centre’s WeCom robot, the test message arrives; own e-mail saved', async () => {
    const { ctx, page } = await loginAs(browser, server.url, 'lixia', DEMO_PASSWORD, { width: 1280, height: 800 });
    await page.getByRole('menuitem', { name: '消息通知' }).click();
    await page.getByTestId('notifications-page').waitFor();
    await page.getByTestId('channel-add').click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('名称').fill('历下学习中心毕业工作群');
    await dialog.getByLabel('机器人地址').fill(robotUrl);
    await dialog.getByRole('button', { name: /保\s*存/ }).click();
    const row = page.getByRole('row', { name: /历下学习中心毕业工作群/ });
    await row.waitFor();
    // the robot's key is shortened on screen
    expect(await row.textContent()).not.toContain('wecom-key-123456');
    expect(await row.textContent()).toContain('企业微信群机器人');
    await row.getByRole('button', { name: '发送测试' }).click();
    await page.getByText('测试消息已发出').waitFor();
    expect(received).toHaveLength(1);
    expect(received[0]!.msgtype).toBe('markdown');
    expect(received[0]!.markdown.content).toContain('测试消息：济南市开放大学历下学习中心');

    await page.getByTestId('my-email').fill('teacher.li@example.edu.cn');
    await page.getByTestId('my-email-save').click();
    await page.getByText('已保存').waitFor();
    await page.reload();
    await page.getByTestId('notifications-page').waitFor();
    await expect.poll(() => page.getByTestId('my-email').inputValue()).toBe('teacher.li@example.edu.cn');
    // no engineer's words on the page: no English codes, no stack traces
    const text = (await page.getByTestId('notifications-page').textContent()) ?? '';
    expect(text).not.toMatch(/application_returned|window_closing|NOT_PERMITTED|undefined/);
    await page.screenshot({ path: screenshotPath('notifications.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: screenshotPath('notifications-phone.png', false), fullPage: true });
    await ctx.close();
  });

  it('a student reaches the e-mail setting from 我的账号 and sees no channel settings', async () => {
    const { ctx, page } = await loginAs(browser, server.url, '2337001200002', DEMO_PASSWORD, { width: 390, height: 844 });
    await page.goto('/account');
    await page.getByRole('link', { name: '设置我的邮箱' }).click();
    await page.getByTestId('notifications-page').waitFor();
    await page.getByTestId('my-email').waitFor();
    expect(await page.getByTestId('channel-add').count()).toBe(0);
    expect(await page.getByText('毕业证书已到达').count()).toBeGreaterThan(0);
    await ctx.close();
  });
});
