/**
 * One Playwright journey of a new centre clerk, from the web app alone (issue 11 points 4, 5, 9): import a roster,
 * open the students' accounts and print their initial passwords, import a zip of photos made by Chinese Windows
 * (GBK names, no UTF-8 flag) — twice, the second time every photo is recognised as the same and skipped — read
 * the import history, confirm a photo the checks sent to review (人工复核), import a 学信网 photo that is another
 * shot, bulk-create and submit applications (同版 ticked per student; the other shot is refused with the scores and
 * then submitted with a written reason), record arrival for the whole batch and hand over from the list.
 * Screenshots: docs/screenshots/clerk-*.png.
 */
import fs from 'node:fs';
import iconv from 'iconv-lite';
import yazl from 'yazl';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { HAVE_CHROMIUM, apiSession, drawPhoto, ensureWebBuilt, idCard, launchBrowser, loginAs, screenshotPath, seedAuditChain, startServer, type TestServer, tick } from './support';

const PASSWORD = 'Passw0rd!2026';
const STUDENTS = [
  { xuehao: '2237001400001', idCard: idCard('19930105', 15), name: '韩梅' },
  { xuehao: '2237001400002', idCard: idCard('19940206', 26), name: '杨帆' },
  { xuehao: '2237001400003', idCard: idCard('19950307', 37), name: '秦岚' },
];
const FOLDER = '历下学习中心毕业照片';

/** Bit 11 of the general-purpose flags: "file name is UTF-8". */
const UTF8_FLAG = 0x0800;

/**
 * A zip as Windows' built-in compression makes it on a Chinese system: names in GBK and the UTF-8 flag off. yazl
 * writes UTF-8 names with the flag on, so each entry's name bytes are replaced by GBK and the flag is cleared in
 * its local header and central directory record as they are written.
 */
function gbkZip(files: Array<[string, Buffer]>): Promise<Buffer> {
  const z = new yazl.ZipFile();
  for (const [name, data] of files) {
    z.addBuffer(data, name, { mtime: new Date(2026, 0, 5), forceDosTimestamp: true });
    type YazlEntry = { utf8FileName: Buffer; getLocalFileHeader(): Buffer; getCentralDirectoryRecord(...a: unknown[]): Buffer };
    const entries = (z as unknown as { entries: YazlEntry[] }).entries;
    const entry = entries[entries.length - 1];
    entry.utf8FileName = iconv.encode(name, 'gbk');
    const local = entry.getLocalFileHeader.bind(entry);
    entry.getLocalFileHeader = () => {
      const b = local();
      b.writeUInt16LE(b.readUInt16LE(6) & ~UTF8_FLAG, 6);
      return b;
    };
    const central = entry.getCentralDirectoryRecord.bind(entry);
    entry.getCentralDirectoryRecord = (...a: unknown[]) => {
      const b = central(...a);
      b.writeUInt16LE(b.readUInt16LE(8) & ~UTF8_FLAG, 8);
      return b;
    };
  }
  z.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

describe.skipIf(!HAVE_CHROMIUM)('a new centre clerk, from the web app alone (Chromium)', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: false });
    await seedAuditChain(server, PASSWORD, [
      ['clerk1', '新老师', 'centre_staff', 'centre'],
      ['city1', '陈审批', 'city_reviewer', 'city'],
      ['prov1', '赵复审', 'province_reviewer', 'province'],
      ['nat1', '孙终审', 'national_reviewer', 'national'],
    ]);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('roster → accounts and printed passwords → GBK zip twice → history → a review photo confirmed → a 同版 refusal → applications → arrival → hand-over', async () => {
    const url = server.url;
    const { page } = await loginAs(browser, url, 'clerk1', PASSWORD, { width: 1280, height: 800 });

    // ---- roster ----
    await page.goto('/import');
    const csv = ['学号,身份证号,姓名,专业,层次,入学学期', ...STUDENTS.map((s) => `${s.xuehao},${s.idCard},${s.name},行政管理,本科,2022春`)].join('\n');
    await page.locator('[data-testid=roster-card] input[type=file]').setInputFiles({ name: '名册.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('roster-import-result').getByText('新增 3').waitFor();

    // ---- student accounts, the printable list of initial passwords ----
    await page.getByRole('menuitem', { name: '学生账号' }).click();
    await page.getByTestId('student-accounts-page').getByText('未开通 3').waitFor();
    await page.getByTestId('accounts-open-all').click();
    const sheet = page.getByTestId('password-sheet');
    await sheet.waitFor();
    const rows = sheet.getByTestId('sheet-row');
    expect(await rows.count()).toBe(3);
    const first = (await rows.first().locator('td').allTextContents()).map((t) => t.trim());
    expect(first[0]).toBe(STUDENTS[0].name);
    expect(first[1]).toBe(STUDENTS[0].xuehao);
    expect(first[2]).toBe(STUDENTS[0].xuehao); // user name = 学号
    expect(first[3]).toMatch(/^[A-HJ-NP-Za-km-z2-9]{12}$/); // no 0/O/1/l/I
    expect(first[4]).toBe('首次登录须修改密码');
    await page.screenshot({ path: screenshotPath('clerk-password-sheet.png') });
    // the printed page is the list alone: the menu and the buttons are not printed
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.ant-layout-sider, .ant-layout-header').first().isVisible()).toBe(false);
    expect(await page.getByTestId('sheet-print').isVisible()).toBe(false);
    expect(await sheet.getByText('学生账号初始密码单').isVisible()).toBe(true);
    await page.screenshot({ path: screenshotPath('clerk-password-sheet-print.png'), fullPage: true });
    await page.emulateMedia({ media: 'screen' });
    // the Excel copy of the same list
    const [xlsxDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('sheet-xlsx').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(fs.readFileSync(await xlsxDl.path()) as unknown as ArrayBuffer);
    expect(wb.worksheets[0].getRow(2).values).toEqual([undefined, STUDENTS[0].name, STUDENTS[0].xuehao, STUDENTS[0].xuehao, first[3], '首次登录须修改密码']);
    // the printed password works once and must be changed
    const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: STUDENTS[0].xuehao, password: first[3] }) });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { mustChangePassword: boolean }).mustChangePassword).toBe(true);
    await page.getByTestId('sheet-close').click();
    await page.getByTestId('student-accounts-page').getByText('已开通 3').waitFor();

    // ---- a zip from Chinese Windows (GBK names), then the same zip again ----
    const photos: Array<[string, Buffer]> = [];
    for (const [i, s] of STUDENTS.entries()) photos.push([`${FOLDER}/${s.xuehao}.jpg`, await drawPhoto(31 + i)]);
    const zip = await gbkZip(photos);
    expect(zip.includes(Buffer.from(FOLDER))).toBe(false); // really not UTF-8 inside
    await page.getByRole('menuitem', { name: '导入名册与照片' }).click();
    const photoInput = page.locator('[data-testid=photo-import-card] input[type=file]');
    await photoInput.setInputFiles({ name: '毕业照片.zip', mimeType: 'application/zip', buffer: zip });
    const report = page.getByTestId('photo-import-result');
    await report.getByText('已匹配 3').waitFor();
    await report.getByRole('tab', { name: /已匹配/ }).click();
    await report.getByText(FOLDER).first().waitFor(); // decoded, not "└·╧┬…"
    await photoInput.setInputFiles({ name: '毕业照片.zip', mimeType: 'application/zip', buffer: zip });
    await report.getByText('与当前照片相同 3').waitFor();
    await report.getByText('已匹配 0').waitFor();
    await page.screenshot({ path: screenshotPath('clerk-photo-reimport.png') });

    // ---- the import history: three imports, the last one's report says why nothing was stored ----
    await page.getByRole('menuitem', { name: '导入记录' }).click();
    const history = page.getByTestId('import-jobs-table');
    await history.getByText('毕业照片.zip').first().waitFor();
    expect(await history.locator('tbody tr.ant-table-row').count()).toBe(3);
    await history.getByTestId('import-job-open').first().click();
    const drawer = page.getByTestId('import-job-drawer');
    await drawer.getByText(`${FOLDER}/${STUDENTS[0].xuehao}.jpg（${STUDENTS[0].name}）：与当前照片相同，已跳过`).waitFor();
    await page.screenshot({ path: screenshotPath('clerk-import-history.png') });
    const [reportDl] = await Promise.all([page.waitForEvent('download'), drawer.getByRole('button', { name: /下载报告/ }).click()]);
    const rb = new ExcelJS.Workbook();
    await rb.xlsx.load(fs.readFileSync(await reportDl.path()) as unknown as ArrayBuffer);
    const cells = rb.worksheets[0].getColumn(5).values.map(String).join('\n');
    expect(cells).toContain('与当前照片相同，已跳过');
    await page.keyboard.press('Escape');
    await server.app.ctx.queue.idle();

    // ---- a photo the checks sent to review (需人工复核): the clerk looks and confirms it ----
    const repos = server.app.ctx.repos as unknown as {
      students: { byXuehao(x: string): Promise<{ id: number; photo_id: number | null } | undefined> };
      photos: { update(id: number, patch: { status: string }): Promise<unknown> };
    };
    const reviewed = (await repos.students.byXuehao(STUDENTS[1].xuehao))!;
    await repos.photos.update(reviewed.photo_id!, { status: 'review' }); // fixture: as for ears the checks cannot see
    await page.goto(`/students/${reviewed.id}`);
    await page.getByTestId('human-review-note').fill('双耳露出，无饰品，背景无阴影');
    await page.getByTestId('human-review-pass').click();
    await page.getByTestId('human-review-decision').getByText('人工复核：合格').waitFor();

    // ---- the 学信网 photo of the third student is another shot: imported here, it will stop the submission ----
    const other = await sharp(photos[2][1]).extract({ left: 60, top: 80, width: 360, height: 480 }).resize(480, 640).flop().modulate({ brightness: 0.7 }).jpeg({ quality: 80 }).toBuffer();
    const third = (await repos.students.byXuehao(STUDENTS[2].xuehao))!;
    await page.goto(`/students/${third.id}`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('reference-upload').click()]);
    await chooser.setFiles({ name: '学信网照片.jpg', mimeType: 'image/jpeg', buffer: other });
    await page.getByTestId('reference-compare').waitFor();

    // ---- applications for a pasted column of 学号, then submission with 同版 ticked per student ----
    await page.getByRole('menuitem', { name: '毕业审核' }).click();
    await page.getByTestId('bulk-create-open').click();
    await page.getByTestId('bulk-create-xuehao').fill([...STUDENTS.map((s) => s.xuehao), '2237009999999'].join('\n'));
    await page.getByTestId('bulk-create-signed').check();
    await page.getByTestId('bulk-create-ok').click();
    const created = page.getByTestId('bulk-create-results');
    await created.waitFor();
    expect(await created.getByText('已建立', { exact: true }).count()).toBe(3);
    await created.getByText('学号“2237009999999”不是本单位的学生').waitFor();
    await page.screenshot({ path: screenshotPath('clerk-bulk-create.png') });
    await page.getByTestId('bulk-create-close').click();
    const appRows = page.locator('[data-testid=applications-table] tbody tr', { hasText: STUDENTS[2].xuehao });
    await appRows.waitFor();
    await page.locator('[data-testid=applications-table] thead input[type=checkbox]').check();
    await page.getByTestId('bulk-submit').click();
    const boxes = page.locator('.ant-modal input[type=checkbox][data-testid^=same-photo-confirm-], .ant-modal [data-testid^=same-photo-confirm-] input[type=checkbox]');
    await boxes.first().waitFor();
    expect(await boxes.count()).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(await boxes.nth(i).isChecked()).toBe(false);
      await boxes.nth(i).check();
    }
    await page.getByTestId('action-confirm').click();
    // two go through; the third is refused by the 同版 gate, with the scores, in the clerk's words
    const outcomes = page.getByTestId('bulk-outcomes');
    await outcomes.getByText('成功 2，未成功 1').waitFor();
    expect(await outcomes.locator('[data-code=REFERENCE_MISMATCH]').innerText()).toMatch(/同版/);
    await page.screenshot({ path: screenshotPath('clerk-reference-refused.png') });
    // it really is the student (an old 学信网 photo): the clerk records why and submits that one
    await page.goto(`/students/${third.id}`);
    await page.getByTestId('action-submit').click();
    await tick(page.getByTestId('same-photo-confirm'));
    await page.getByTestId('action-confirm').click();
    await page.getByTestId('override-reason').fill('学信网照片为入学时所摄，本人到场核对证件无误');
    await page.getByTestId('override-confirm').click();
    await page.getByText('已说明理由并提交', { exact: false }).first().waitFor();

    // the three levels above approve (their own pages are walked in issue11.test.ts)
    const appIds = (await server.app.ctx.repos.applications.listAll({ orgPath: '/' })).map((a: { id: number }) => a.id);
    expect(appIds).toHaveLength(3);
    for (const reviewer of ['city1', 'prov1', 'nat1']) {
      const r = (await (await apiSession(url, reviewer, PASSWORD))('/api/applications/bulk', { ids: appIds, action: 'approve' })) as { okCount: number };
      expect(r.okCount).toBe(3);
    }

    // ---- arrival for the whole batch, then hand-over from the list ----
    await page.getByRole('menuitem', { name: '证书发放' }).click();
    await page.getByTestId('cert-arrive-batch').click();
    await page.getByTestId('arrive-batch-ok').click();
    const arrived = page.getByTestId('arrive-batch-results');
    await arrived.waitFor();
    expect(await arrived.getByText('已到达', { exact: true }).count()).toBe(3);
    await page.screenshot({ path: screenshotPath('clerk-arrive-batch.png') });
    await page.getByTestId('arrive-batch-close').click();
    const certRow = page.locator('[data-testid=certificates-table] tbody tr', { hasText: STUDENTS[1].xuehao });
    await certRow.getByTestId('cert-handover').click();
    expect(await page.getByTestId('handover-id-checked').isChecked()).toBe(false);
    expect(await page.getByTestId('handover-signed').isChecked()).toBe(false);
    // the identity check per row: a wrong number is named as not the student's, the right one as theirs
    await page.getByTestId('handover-idcard').fill(STUDENTS[0].idCard);
    await page.getByTestId('handover-verify').click();
    expect(await page.getByTestId('handover-verify-result').getAttribute('data-match')).toBe('false');
    await page.getByTestId('handover-idcard').fill(STUDENTS[1].idCard);
    await page.getByTestId('handover-verify').click();
    await page.locator('[data-testid=handover-verify-result][data-match=true]').getByText(`与${STUDENTS[1].name}本人的身份证号一致`).waitFor();
    await page.screenshot({ path: screenshotPath('clerk-handover-check.png') });
    await page.getByTestId('handover-id-checked').check();
    await page.getByTestId('handover-signed').check();
    await page.getByTestId('handover-ok').click();
    await certRow.getByText('已发放').first().waitFor();
    await page.screenshot({ path: screenshotPath('clerk-handover.png') });
  }, 240_000);
});
