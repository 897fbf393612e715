/**
 * Browser end-to-end test of the photo collection orders (图像采集订单, seed 004) and the 学信网 flag import,
 * on the real server. The learning centre opens an order on the student page (the collection centres offered
 * are those whose 特征码 the API lists); set-up through the API: two students have orders, upload photos and submit them with the
 * 采集码 and the 特征码 the collector set in the page. In the browser, the collection centre sees them with
 * names masked (张*), passes the first review and sees the status change; after the student pays 67 yuan
 * (API) it passes the final review, completes and ships with a tracking number; it rejects the second order
 * with a reason and filters by status. On a phone, the first student records the paper copies' arrival (the
 * collector then sees the 学信网 check reminder); the second re-submits, is refused for a wrong 特征码 in
 * Chinese with the code, then goes through. A province reviewer imports a 学信网 list and sees each row's answer.
 *
 * Needs: `npx tsc -b` (server dist) and Debian's /usr/bin/chromium. Skips (with a message) only when
 * Chromium is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { HAVE_CHROMIUM, apiSession, drawPhoto, ensureWebBuilt, idCard, launchBrowser, loginAs, screenshotPath, startServer, type TestServer } from './support';

const PASSWORD = 'Passw0rd!2026';
const A = { xuehao: '2237001300001', idCard: idCard('19900101', 12), name: '张伟' };
const B = { xuehao: '2237001300002', idCard: idCard('19910202', 23), name: '李娜' };
const FEATURE_CODE = 'yknmcm';

interface StudentsService {
  create(actor: null, input: { xuehao: string; idCard: string; name: string; orgId: number; programme: string; level: string; enrolTerm: string }): Promise<{ id: number }>;
}

/** A logged-in HTTP session (cookie + CSRF token) for API calls the UI does not make. */
describe.skipIf(!HAVE_CHROMIUM)('collection orders and 学信网 flag import (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let collectionId = 0;
  const studentIds: number[] = [];

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: false });
    const s = server.app.ctx.services;
    const nat = await s.orgs.create(null, { name: '国家开放大学', kind: 'national', parentId: null });
    const prov = await s.orgs.create(null, { name: '山东开放大学', kind: 'province', parentId: nat.id });
    const city = await s.orgs.create(null, { name: '济南市开放大学', kind: 'city', parentId: prov.id });
    const centre = await s.orgs.create(null, { name: '历下学习中心', kind: 'centre', parentId: city.id });
    const cc = await s.orgs.create(null, { name: '新华社山东图像采集中心', kind: 'collection_centre', parentId: prov.id });
    collectionId = cc.id;
    const students = (s as unknown as { students: StudentsService }).students;
    for (const [i, st] of [A, B].entries()) {
      const created = await students.create(null, { ...st, orgId: centre.id, programme: '行政管理', level: '本科', enrolTerm: '2022春' });
      studentIds.push(created.id);
      await s.auth.createUser(null, { username: `stu${i + 1}`, password: PASSWORD, displayName: st.name, role: 'student', orgId: centre.id, studentId: created.id });
    }
    await s.auth.createUser(null, { username: 'caiji', password: PASSWORD, displayName: '图像采集中心', role: 'collector', orgId: cc.id });
    await s.auth.createUser(null, { username: 'centre1', password: PASSWORD, displayName: '刘老师', role: 'centre_staff', orgId: centre.id });
    await s.auth.createUser(null, { username: 'prov1', password: PASSWORD, displayName: '赵复审', role: 'province_reviewer', orgId: prov.id });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The student opens an order, uploads the photo and submits it with 采集码 + 特征码 (API). */
  async function submittedOrder(username: string, studentId: number, seed: number, openedId?: number): Promise<{ id: number; post: Awaited<ReturnType<typeof apiSession>> }> {
    const post = await apiSession(server.url, username, PASSWORD);
    const order = openedId ? { id: openedId } : await post<{ id: number; status: string }>('/api/collection/orders', { studentId, collectionOrgId: collectionId });
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(await drawPhoto(seed))], { type: 'image/jpeg' }), `${seed}.jpg`);
    await post(`/api/collection/orders/${order.id}/photo`, form);
    const sub = await post<{ status: string }>(`/api/collection/orders/${order.id}/actions`, { type: 'collection_submit', collectionCode: `CJ2026${seed}0001`, featureCode: FEATURE_CODE });
    expect(sub.status).toBe('submitted');
    return { id: order.id, post };
  }

  async function closeDrawer(page: Page): Promise<void> {
    await page.locator('.ant-drawer-close').click();
    await page.locator('[data-testid=collection-detail]').waitFor({ state: 'detached' });
  }

  const statusOf = (page: Page) => page.locator('[data-testid=collection-detail] [data-testid=collection-status]').getAttribute('data-status');

  it('the collection centre reviews, completes and ships an order; rejects another with a reason', async () => {
    const collector = await loginAs(browser, server.url, 'caiji', PASSWORD);
    const page = collector.page;
    await page.waitForURL((u) => u.pathname === '/collection');
    // the centre's 特征码 for this year, set in the page
    await page.getByTestId('feature-code-open').click();
    await page.getByTestId('feature-code-input').fill(FEATURE_CODE);
    await page.getByTestId('feature-code-ok').click();
    await page.getByText('特征码已保存').waitFor();
    await page.getByText(`本年度特征码：${FEATURE_CODE}`).waitFor();

    // the learning centre opens an order for a student whose 学信网 photo is missing (flag set by the province, API)
    const provApi = await apiSession(server.url, 'prov1', PASSWORD);
    await provApi('/api/students/flags/import', { flag: 'chsi_photo_missing', identifiers: [A.xuehao] });
    const centre = await loginAs(browser, server.url, 'centre1', PASSWORD);
    await centre.page.goto(`/students/${studentIds[0]}`);
    await centre.page.getByTestId('collection-open-order').click();
    const opened = centre.page.getByTestId('student-collection-card').locator('[data-testid=collection-status][data-status=created]');
    await opened.waitFor();
    const openedId = Number(await centre.page.getByTestId('student-collection-card').locator('tbody tr.ant-table-row td').first().textContent());
    await centre.ctx.close();

    const one = await submittedOrder('stu1', studentIds[0]!, 1, openedId);
    const two = await submittedOrder('stu2', studentIds[1]!, 2);

    await page.reload();
    const row = page.locator(`[data-testid=collection-row][data-order-id="${one.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('张*'); // masked for the collection centre
    expect(await row.textContent()).not.toContain(A.name);
    expect(await row.textContent()).toContain(A.xuehao);
    await expect(row.locator('[data-testid=collection-status]').getAttribute('data-status')).resolves.toBe('submitted');

    // first review: pass → the status changes on screen
    await row.click();
    await page.locator('[data-testid=collection-photo]').waitFor();
    expect(await page.locator('[data-testid=collection-photo]').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(480);
    await page.getByTestId('collection-action-collection_first_review_pass').click();
    await expect.poll(() => statusOf(page)).toBe('first_review_passed');
    await expect(row.locator('[data-testid=collection-status]').textContent()).resolves.toBe('初审合格，待支付');
    await closeDrawer(page);

    // the student pays 67 yuan (API); the collector passes the final review, completes and ships
    const paid = await one.post<{ status: string; paidAmountFen: number }>(`/api/collection/orders/${one.id}/actions`, { type: 'collection_pay', amountFen: 6700 });
    expect(paid).toMatchObject({ status: 'paid', paidAmountFen: 6700 });
    await page.getByTestId('collection-reload').click();
    await expect.poll(() => row.locator('[data-testid=collection-status]').getAttribute('data-status')).toBe('paid');
    expect(await row.textContent()).toContain('67.00 元');
    await row.click();
    await page.getByTestId('collection-action-collection_final_pass').click();
    await expect.poll(() => statusOf(page)).toBe('final_passed');
    await page.getByTestId('collection-action-collection_complete').click();
    await expect.poll(() => statusOf(page)).toBe('completed');
    await page.getByTestId('collection-action-collection_ship').click();
    await page.getByTestId('collection-tracking-number').fill('SF1234567890');
    await page.getByTestId('collection-tracking-number-ok').click();
    await expect.poll(() => statusOf(page)).toBe('shipped');
    await page.locator('[data-testid=collection-detail]').getByText('SF1234567890').waitFor();
    await closeDrawer(page);

    // the second order: first review rejects, with a reason (required)
    const row2 = page.locator(`[data-testid=collection-row][data-order-id="${two.id}"]`);
    await row2.click();
    await page.getByTestId('collection-action-collection_reject').click();
    await expect(page.getByTestId('collection-reject-reason-ok').isDisabled()).resolves.toBe(true);
    await page.getByTestId('collection-reject-reason').fill('背景不均匀，请重新拍摄');
    await page.getByTestId('collection-reject-reason-ok').click();
    await expect.poll(() => statusOf(page)).toBe('rejected');
    await page.locator('[data-testid=collection-detail]').getByText('驳回原因：背景不均匀，请重新拍摄').waitFor();
    await closeDrawer(page);
    await expect(row2.locator('td').nth(5).textContent()).resolves.toBe('1');

    // filter by status
    await page.getByTestId('collection-status-filter').click();
    await page.locator('.ant-select-item-option').filter({ hasText: '已驳回' }).click();
    await expect.poll(() => page.locator('[data-testid=collection-row]').count()).toBe(1);
    await row2.waitFor();
    await page.screenshot({ path: screenshotPath('collection-orders-rejected.png', false) });
    await page.goto('/collection');
    await expect.poll(() => page.locator('[data-testid=collection-row]').count()).toBe(2);
    await page.screenshot({ path: screenshotPath('collection-orders.png') });

    // the student, on a phone, records when the paper copies arrived; the collector is reminded to have them check 学信网
    const phone = await loginAs(browser, server.url, 'stu1', PASSWORD, { width: 390, height: 844 });
    await phone.page.getByRole('tab', { name: '图像采集' }).click();
    const card = phone.page.getByTestId('my-collection-order');
    await card.getByText('SF1234567890').waitFor();
    await phone.page.getByTestId('my-collection-receipt').click();
    await card.getByText('收到纸质照片').waitFor();
    await phone.page.getByTestId('my-collection').locator('.ant-alert').first().waitFor();
    await phone.ctx.close();
    await page.getByTestId('collection-reload').click();
    await page.getByTestId('collection-reminders').getByText(/提醒学生核对学信网照片 1 个/).waitFor();

    // the rejected student re-submits on the phone: a wrong 特征码 is refused in Chinese with its code, the right one goes through
    const phone2 = await loginAs(browser, server.url, 'stu2', PASSWORD, { width: 390, height: 844 });
    await phone2.page.getByRole('tab', { name: '图像采集' }).click();
    await phone2.page.getByTestId('my-collection').getByText('驳回原因：背景不均匀，请重新拍摄').waitFor();
    await phone2.page.getByTestId('my-feature-code').fill('wrong1');
    await phone2.page.getByTestId('my-collection-submit').click();
    const refusal = phone2.page.getByTestId('error-message').last();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/[\u4e00-\u9fa5]/);
    expect(await refusal.textContent()).not.toMatch(/[A-Z]{2,}_[A-Z]/); // the code is in the tooltip, not the text
    expect(await refusal.getAttribute('data-code')).toMatch(/^FEATURE_CODE_[A-Z_]+$/);
    await phone2.page.getByTestId('my-feature-code').fill(FEATURE_CODE);
    await phone2.page.getByTestId('my-collection-submit').click();
    await expect.poll(() => phone2.page.locator('[data-testid=my-collection-order] [data-testid=collection-status]').getAttribute('data-status')).toBe('submitted');
    await phone2.page.screenshot({ path: screenshotPath('collection-student-phone.png', false), fullPage: true });
    await phone2.ctx.close();
    await page.getByTestId('collection-reload').click();
    await expect.poll(() => row2.locator('[data-testid=collection-status]').getAttribute('data-status')).toBe('submitted');

    await collector.ctx.close();
  }, 90_000);

  it('a province reviewer imports a 学信网 list and sees the answer per row', async () => {
    const prov = await loginAs(browser, server.url, 'prov1', PASSWORD);
    const page = prov.page;
    await page.goto('/students');
    await page.getByTestId('flag-import-open').click();
    await page.getByTestId('flag-import-text').fill(`学号,姓名\n${A.xuehao},${A.name}\n${B.idCard}\n2237009999999`);
    await page.getByTestId('flag-import-submit').click();
    const result = page.getByTestId('flag-import-result');
    await result.waitFor();
    await expect.poll(() => result.locator('[data-testid=flag-import-row][data-ok="1"]').count()).toBe(2);
    await expect(result.locator('[data-testid=flag-import-row][data-ok="0"]').count()).resolves.toBe(1);
    const bad = (await result.locator('[data-testid=flag-import-row][data-ok="0"]').textContent()) ?? '';
    expect(bad).toMatch(/[\u4e00-\u9fa5]/);
    expect(bad).not.toMatch(/[A-Z]{2,}_[A-Z]/);
    expect(await result.locator('[data-testid=flag-import-row][data-ok="0"]').getAttribute('data-code')).toMatch(/^[A-Z_]+$/);
    await page.screenshot({ path: screenshotPath('flag-import.png', false) });
    // the students list now shows the flag
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=students-table]').getByText('学信网缺学历照片').first().waitFor();
    await expect(page.locator('[data-testid=students-table]').getByText('学信网缺学历照片').count()).resolves.toBe(2);
    await prov.ctx.close();
  }, 60_000);
});
