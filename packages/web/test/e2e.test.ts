/**
 * Browser end-to-end test of the web app on the real server (毕业审核全流程):
 * a centre imports a roster and a zip of photos, fixes a failing photo, submits; city, province and
 * national reviewers approve; the 电子注册号 is shown; the certificate is handed over and the student
 * confirms it on a phone. Refusals from the server appear in Chinese with their code.
 *
 * Needs: `npx tsc -b` (server dist) and Debian's /usr/bin/chromium. Builds packages/web/dist when missing
 * or stale. Skips (with a message) only when Chromium is absent.
 * The server runs with face analysis off here, so the photos drawn with sharp are judged on the technical
 * rules only; test/overlay.test.ts covers a real portrait with face analysis.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { HAVE_CHROMIUM, day, drawPhoto, ensureWebBuilt, idCard, launchBrowser, loginAs, screenshotPath, startServer, zip, type TestServer, tick } from './support';

const PASSWORD = 'Passw0rd!2026';
const A = { xuehao: '2237001200001', idCard: idCard('19900101', 11), name: '张伟' };
const B = { xuehao: '2237001200002', idCard: idCard('19910202', 22), name: '李娜' };
const C = { xuehao: '2237001200003', idCard: idCard('19920303', 33), name: '王芳' };
/** Enrolled 2019春: valid until the spring 2027 cleanup, so listed as expiring soon; no photo. */
const D = { xuehao: '1937001200004', idCard: idCard('19880404', 44), name: '赵强', term: '2019春' };

const T0 = Date.now();
/** Progress lines when E2E_VERBOSE is set (where the time goes). */
function step(name: string): void {
  if (process.env.E2E_VERBOSE) console.log(`[e2e ${((Date.now() - T0) / 1000).toFixed(1)}s] ${name}`);
}

describe.skipIf(!HAVE_CHROMIUM)('web app end to end (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;
  let studentA = 0;
  let studentB = 0;
  let studentC = 0;
  let centreId = 0;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: false });
    const s = server.app.ctx.services;
    const nat = await s.orgs.create(null, { name: '国家开放大学', kind: 'national', parentId: null });
    const prov = await s.orgs.create(null, { name: '山东开放大学', kind: 'province', parentId: nat.id });
    const city = await s.orgs.create(null, { name: '济南市开放大学', kind: 'city', parentId: prov.id });
    const centre = await s.orgs.create(null, { name: '历下学习中心', kind: 'centre', parentId: city.id });
    centreId = centre.id;
    await s.auth.createUser(null, { username: 'centre1', password: PASSWORD, displayName: '刘老师', role: 'centre_staff', orgId: centre.id });
    await s.auth.createUser(null, { username: 'city1', password: PASSWORD, displayName: '陈审批', role: 'city_reviewer', orgId: city.id });
    await s.auth.createUser(null, { username: 'prov1', password: PASSWORD, displayName: '赵复审', role: 'province_reviewer', orgId: prov.id });
    await s.auth.createUser(null, { username: 'nat1', password: PASSWORD, displayName: '孙终审', role: 'national_reviewer', orgId: nat.id });
    // the open batch (first window open today) and one whose first window has closed and whose second is not open yet
    await s.batches.create(null, { name: '2026年1月毕业', firstWindow: { start: day(-5), end: day(10) }, secondWindow: { start: day(20), end: day(40) }, deadline: day(45) }, prov.id);
    await s.batches.create(null, { name: '2025年12月补办', firstWindow: { start: day(-40), end: day(-20) }, secondWindow: { start: day(30), end: day(50) }, deadline: day(60) }, prov.id);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('centre imports, fixes a photo and submits; three levels approve; certificate handed over and confirmed', async () => {
    const url = server.url;

    // ---- the centre: roster, then a zip of photos (one of them failing) ----
    step('the centre: roster, then a zip of photos (one of them failing)');
    const centre = await loginAs(browser, url, 'centre1', PASSWORD);
    const page = centre.page;
    await expect.poll(() => page.getByTestId('user-role').textContent()).toBe('学习中心老师');
    await page.goto('/import');
    const csv = ['学号,身份证号,姓名,专业,层次,入学学期', ...[A, B, C].map((s) => `${s.xuehao},${s.idCard},${s.name},行政管理,本科,2022春`), `${D.xuehao},${D.idCard},${D.name},会计学,专科,${D.term}`].join('\n');
    await page.locator('[data-testid=roster-card] input[type=file]').setInputFiles({ name: '历下学习中心名册.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
    await page.getByTestId('roster-import-result').getByText('新增 4').waitFor();

    const photos = await zip({
      [`${A.xuehao}.jpg`]: await drawPhoto(1, { width: 600, height: 800 }), // wrong pixel size: fails size.pixels
      [`${B.xuehao}.jpg`]: await drawPhoto(2),
      [`${C.xuehao}.jpg`]: await drawPhoto(3),
    });
    await page.locator('[data-testid=photo-import-card] input[type=file]').setInputFiles({ name: '照片.zip', mimeType: 'application/zip', buffer: photos });
    await page.getByTestId('photo-import-result').getByText('已匹配 3').waitFor();
    await page.getByTestId('photo-import-result').getByText('缺照片的学生 1').waitFor();
    await expect(page.locator('[data-testid=photo-import-card] [role=progressbar]').getAttribute('aria-valuenow')).resolves.toBe('100');

    studentA = (await server.app.ctx.repos.students.byXuehao(A.xuehao))!.id;
    studentB = (await server.app.ctx.repos.students.byXuehao(B.xuehao))!.id;
    studentC = (await server.app.ctx.repos.students.byXuehao(C.xuehao))!.id;
    await server.app.ctx.services.auth.createUser(null, { username: 'stu1', password: PASSWORD, displayName: A.name, role: 'student', orgId: centreId, studentId: studentA });

    // ---- the photo review grid: badges once the checks have run ----
    step('the photo review grid: badges once the checks have run');
    await page.goto('/photos');
    await waitForSettledPhotos(page, 3);
    await expect(page.locator('[data-testid=photo-thumb][data-status=fail]').count()).resolves.toBe(1);
    await expect(page.locator('[data-testid=photo-thumb][data-status=pass]').count()).resolves.toBe(2);
    await page.locator(`[data-testid=photo-thumb][data-xuehao="${A.xuehao}"]`).hover();
    await page.screenshot({ path: screenshotPath('photo-review.png') });

    // ---- the student applies and signs, on a phone ----
    step('the student applies and signs, on a phone');
    const phone = await loginAs(browser, url, 'stu1', PASSWORD, { width: 390, height: 844 });
    await phone.page.getByTestId('my-page').waitFor();
    await phone.page.getByRole('button', { name: /申请 2026年1月毕业/ }).click();
    await phone.page.getByTestId('action-apply').click();
    await phone.page.getByTestId('action-confirm').click();
    await phone.page.locator('[data-testid=state-tag][data-state=applied]').first().waitFor();

    // ---- the centre tries to submit with the failing photo: refused, in Chinese ----
    step('the centre tries to submit with the failing photo: refused, in Chinese');
    await page.goto(`/students/${studentA}`);
    await page.getByTestId('action-submit').click();
    await tick(page.getByTestId('same-photo-confirm'));
    await page.getByTestId('action-confirm').click();
    const refusal = page.getByTestId('error-message').last();
    await refusal.waitFor();
    const refusalText = (await refusal.textContent()) ?? '';
    step(`refused: ${refusalText}`);
    expect(refusalText).toMatch(/[\u4e00-\u9fa5]/);
    expect(refusalText).not.toMatch(/[A-Z]{2,}_[A-Z]/); // codes stay in the tooltip
    expect(await refusal.getAttribute('data-code')).toMatch(/^PHOTO_[A-Z_]+$/);
    expect(refusalText).toContain('像素尺寸'); // the failing rule, as the engine words it
    await page.locator('.ant-modal').waitFor({ state: 'hidden' }); // the dialog closes; the refusal stays

    // ---- fix: upload a good photo on the student page, wait for the check, submit ----
    step('fix: upload a good photo on the student page, wait for the check, submit');
    await page.locator('[data-testid=photo-upload] input[type=file]').setInputFiles({ name: `${A.xuehao}.jpg`, mimeType: 'image/jpeg', buffer: await drawPhoto(4) });
    await waitForStudentPhoto(page, 'pass');
    await page.getByTestId('action-submit').click();
    await tick(page.getByTestId('same-photo-confirm'));
    await page.getByTestId('action-confirm').click();
    await page.locator('[data-testid=application-card] [data-testid=state-tag][data-state=submitted]').waitFor();
    await page.getByTestId('photo-locked').waitFor();
    await page.screenshot({ path: screenshotPath('student-page.png', false), fullPage: true });

    // ---- a second student: the centre applies for them and bulk-submits from the review page ----
    step('a second student: the centre applies for them and bulk-submits from the review page');
    await page.goto(`/students/${studentC}`);
    await page.getByTestId('create-application').click();
    await page.getByTestId('action-apply').click();
    await page.getByTestId('action-confirm').click();
    await page.locator('[data-testid=application-card] [data-testid=state-tag][data-state=applied]').waitFor();
    await page.goto('/review');
    await selectRows(page, [C.xuehao]);
    await page.getByTestId('bulk-submit').click();
    await tick(page.getByTestId('same-photo-confirm'));
    await page.getByTestId('action-confirm').click();
    await page.getByTestId('bulk-outcomes').getByText('成功 1').waitFor();

    // ---- city approves both at once (bulk, confirmed) ----
    step('city approves both at once (bulk, confirmed)');
    const city = await loginAs(browser, url, 'city1', PASSWORD);
    await city.page.goto('/review');
    await selectRows(city.page, [A.xuehao, C.xuehao]);
    await city.page.getByTestId('bulk-approve').click();
    await city.page.getByTestId('action-confirm').getByText('2').waitFor(); // the confirmation names the count
    await city.page.getByTestId('action-confirm').click();
    await city.page.getByTestId('bulk-outcomes').getByText('成功 2').waitFor();
    await city.ctx.close();

    // ---- province: returns one with a reason, approves the other ----
    step('province: returns one with a reason, approves the other');
    const prov = await loginAs(browser, url, 'prov1', PASSWORD);
    await prov.page.goto('/review');
    const rowC = prov.page.locator('[data-testid=applications-table] tbody tr', { hasText: C.xuehao });
    await rowC.getByTestId('action-return').click();
    await prov.page.getByTestId('action-confirm').click(); // no reason yet: the form refuses
    await prov.page.getByText('请填写原因').waitFor();
    await prov.page.getByTestId('action-reason').fill('照片与学信网照片不是同一版本，请核对后重新提交');
    await prov.page.getByTestId('action-confirm').click();
    await rowC.waitFor({ state: 'detached' });
    await selectRows(prov.page, [A.xuehao]);
    await prov.page.getByTestId('bulk-approve').click();
    await prov.page.getByTestId('action-confirm').click();
    await prov.page.getByTestId('bulk-outcomes').getByText('成功 1').waitFor();
    await prov.page.goto('/dashboard');
    await prov.page.locator('[data-testid=dashboard] .ant-table-row', { hasText: '济南市开放大学' }).waitFor();
    await prov.page.getByTestId('stat-returned').getByText('1').waitFor();
    await prov.page.locator('[data-testid=dashboard] .ant-table-row', { hasText: D.xuehao }).waitFor(); // expiring soon
    await prov.page.screenshot({ path: screenshotPath('dashboard.png') });
    await prov.ctx.close();

    // ---- national final review ----
    step('national final review');
    const nat = await loginAs(browser, url, 'nat1', PASSWORD);
    await nat.page.goto('/review');
    await selectRows(nat.page, [A.xuehao]);
    await nat.page.getByTestId('bulk-approve').click();
    await nat.page.getByTestId('action-confirm').click();
    await nat.page.getByTestId('bulk-outcomes').getByText('成功 1').waitFor();
    await nat.ctx.close();

    // ---- the 电子注册号 is shown ----
    step('the 电子注册号 is shown');
    await page.goto(`/students/${studentA}`);
    const reg = page.getByTestId('registration-number');
    await reg.waitFor();
    expect(((await reg.textContent()) ?? '').trim()).toMatch(/^\d{10,}$/);
    await page.locator('[data-testid=application-card] [data-testid=state-tag][data-state=graduated]').waitFor();
    await page.getByTestId('timeline').getByText('陈审批').first().waitFor();

    // ---- certificate: arrival, hand-over ----
    step('certificate: arrival, hand-over');
    await page.goto('/certificates');
    await page.getByTestId('cert-arrive').click();
    await page.getByTestId('arrive-select').click();
    await page.locator('.ant-select-item-option', { hasText: A.xuehao }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('arrive-ok').click();
    const certRow = page.locator('[data-testid=certificates-table] tbody tr', { hasText: A.xuehao });
    await certRow.locator('[data-testid=cert-state][data-state=arrived]').waitFor();
    await certRow.getByTestId('cert-handover').click();
    await page.getByTestId('handover-idcard').fill(A.idCard);
    // point 7: the two checks are never pre-ticked, and the form refuses until the clerk ticks them
    await expect(page.getByTestId('handover-id-checked').isChecked()).resolves.toBe(false);
    await expect(page.getByTestId('handover-signed').isChecked()).resolves.toBe(false);
    await page.getByTestId('handover-ok').click();
    await page.getByText('请先核验领取人的身份证原件').waitFor();
    await page.getByTestId('handover-id-checked').check();
    await page.getByTestId('handover-signed').check();
    await page.getByTestId('handover-ok').click();
    await certRow.locator('[data-testid=cert-state][data-state=handed_over]').waitFor();

    // ---- every list exports to XLSX through the server ----
    step('exports: the students list as XLSX');
    await page.goto('/students');
    await page.locator('[data-testid=students-table] tbody tr', { hasText: A.xuehao }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /导出 Excel/ }).click()]);
    expect(download.suggestedFilename()).toBe('学生名单.xlsx');
    const xlsx = fs.readFileSync(await download.path());
    expect(xlsx.subarray(0, 2).toString('latin1')).toBe('PK');

    // ---- the student confirms the certificate on the phone ----
    step('the student confirms the certificate on the phone');
    await phone.page.reload();
    await phone.page.getByRole('tab', { name: '我的证书' }).click();
    await phone.page.getByTestId('cert-confirm').click();
    await phone.page.getByRole('button', { name: '确认无误' }).click();
    await phone.page.locator('[data-testid=cert-state][data-state=confirmed]').waitFor();
    await phone.page.getByRole('tab', { name: '我的申请' }).click();
    await phone.page.getByTestId('registration-number').waitFor();
    await phone.page.screenshot({ path: screenshotPath('student-phone.png', false), fullPage: true });
    await phone.ctx.close();

    // ---- a refusal: submitting in a batch whose window is closed ----
    step('a refusal: submitting in a batch whose window is closed');
    await page.goto(`/students/${studentB}`);
    await page.getByTestId('application-card').locator('.ant-select').click();
    await page.locator('.ant-select-item-option', { hasText: '2025年12月补办' }).click();
    await page.getByTestId('create-application').click();
    const afterCreate = await Promise.race([
      page.getByTestId('action-apply').waitFor().then(() => 'created' as const),
      page.getByTestId('error-message').last().waitFor().then(() => 'refused' as const),
    ]);
    if (afterCreate === 'created') {
      await page.getByTestId('action-apply').click();
      await page.getByTestId('action-confirm').click();
      await page.getByTestId('action-submit').click();
      await tick(page.getByTestId('same-photo-confirm'));
      await page.getByTestId('action-confirm').click();
    }
    const closed = page.getByTestId('error-message').last();
    await closed.waitFor();
    const closedText = (await closed.textContent()) ?? '';
    step(`refused: ${closedText}`);
    await page.screenshot({ path: screenshotPath('refusal-window-closed.png', false) });
    expect(closedText).toMatch(/[\u4e00-\u9fa5]/);
    expect(await closed.getAttribute('data-code')).toBe('WINDOW_CLOSED');
    await centre.ctx.close();
  }, 240_000);
});

/** Tick the rows of the applications table holding these 学号. */
async function selectRows(page: Page, xuehaos: string[]): Promise<void> {
  for (const x of xuehaos) {
    const row = page.locator('[data-testid=applications-table] tbody tr', { hasText: x });
    await row.waitFor();
    await row.locator('input[type=checkbox]').check();
  }
}

/** Reload the grid until `n` photos show and none is still waiting for its check. */
async function waitForSettledPhotos(page: Page, n: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const thumbs = page.locator('[data-testid=photo-thumb]');
    const count = await thumbs.count();
    const waiting = await page.locator('[data-testid=photo-thumb][data-status=pending], [data-testid=photo-thumb][data-status=checking]').count();
    if (count >= n && waiting === 0) return;
    await page.waitForTimeout(500);
    if (i % 4 === 3) await page.reload();
  }
  throw new Error('photos were not checked in time');
}

/** Wait until the student page shows the photo with `status`. */
async function waitForStudentPhoto(page: Page, status: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const s = await page.locator('[data-testid=photo-card] [data-testid=photo-status]').getAttribute('data-status').catch(() => null);
    if (s === status) return;
    await page.waitForTimeout(500);
    if (i % 4 === 3) await page.reload();
  }
  throw new Error(`photo did not reach ${status}`);
}
