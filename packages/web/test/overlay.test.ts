/**
 * The guide overlay on a real portrait (参考线叠加): the server runs the photo engine WITH face analysis on
 * a London-set portrait cut naively to 480×640 (not standardised), and the student page draws the
 * seed-004 guide with the measured head top, pupils, nose and cheeks — green where the rule passed, red
 * where it failed — matching the check results in the table.
 *
 * Reads the portrait from /work/shared/fixtures (never copied into the repo); skips when it or Chromium
 * is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { HAVE_CHROMIUM, REPO, day, ensureWebBuilt, idCard, launchBrowser, loginAs, screenshotPath, startServer, withJfif300, type TestServer } from './support';

const PORTRAIT = path.resolve(REPO, '../shared/fixtures/portraits/london/neutral/004_03.jpg');
const FALLBACK = '/work/shared/fixtures/portraits/london/neutral/004_03.jpg';
const portrait = [PORTRAIT, FALLBACK].find((p) => fs.existsSync(p));
if (!portrait) console.warn('[web overlay] 跳过：未找到测试人像 fixtures/portraits/london（skipped: portrait fixtures absent）');

const PASSWORD = 'Passw0rd!2026';
const XUEHAO = '2237001200101';

/**
 * A too-tight 3:4 cut (the upper two thirds of the portrait) scaled to 480×640, 300 dpi, inside 20–40 KB:
 * what a careless centre uploads — the head too close to the top and the face too wide.
 */
async function naiveCut(file: string): Promise<Buffer> {
  const meta = await sharp(file).metadata();
  const h = Math.round(meta.height! * (2 / 3));
  const w = Math.round((h * 3) / 4);
  const left = Math.round((meta.width! - w) / 2);
  const top = Math.round(meta.height! * 0.11);
  const base = sharp(file).extract({ left, top, width: w, height: h }).resize(480, 640);
  for (const q of [90, 85, 80, 75, 70, 65, 60]) {
    const b = withJfif300(await base.clone().jpeg({ quality: q, progressive: false, mozjpeg: false }).toBuffer());
    if (b.length <= 40 * 1024) return b;
  }
  throw new Error('could not fit 40 KB');
}

describe.skipIf(!HAVE_CHROMIUM || !portrait)('photo overlay on a real portrait (face analysis)', () => {
  let server: TestServer;
  let browser: Browser;
  let studentId = 0;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: true });
    const s = server.app.ctx.services;
    const nat = await s.orgs.create(null, { name: '国家开放大学', kind: 'national', parentId: null });
    const prov = await s.orgs.create(null, { name: '山东开放大学', kind: 'province', parentId: nat.id });
    const city = await s.orgs.create(null, { name: '青岛市开放大学', kind: 'city', parentId: prov.id });
    const centre = await s.orgs.create(null, { name: '市南学习中心', kind: 'centre', parentId: city.id });
    await s.auth.createUser(null, { username: 'centre2', password: PASSWORD, displayName: '王老师', role: 'centre_staff', orgId: centre.id });
    await s.batches.create(null, { name: '2026年1月毕业', firstWindow: { start: day(-5), end: day(10) }, secondWindow: { start: day(20), end: day(40) }, deadline: day(45) }, prov.id);
    const st = await (s as unknown as { students: { create(a: null, i: Record<string, unknown>): Promise<{ id: number }> } }).students.create(null, {
      xuehao: XUEHAO, idCard: idCard('19950505', 55), name: '周敏', orgId: centre.id, programme: '汉语言文学', level: '本科', enrolTerm: '2022秋',
    });
    studentId = st.id;
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws the guide with measured points coloured by the check results; one-click fix refuses a too-tight cut and fixes the original', async () => {
    const { page, ctx } = await loginAs(browser, server.url, 'centre2', PASSWORD);
    await page.goto(`/students/${studentId}`);
    await page.locator('[data-testid=photo-upload] input[type=file]').setInputFiles({ name: `${XUEHAO}.jpg`, mimeType: 'image/jpeg', buffer: await naiveCut(portrait!) });
    // face analysis runs in the background: reload until the check is done
    let status: string | null = null;
    for (let i = 0; i < 120; i++) {
      status = await page.locator('[data-testid=photo-card] [data-testid=photo-status]').getAttribute('data-status').catch(() => null);
      if (status && !['pending', 'checking', 'none'].includes(status)) break;
      await page.waitForTimeout(1000);
      if (i % 3 === 2) await page.reload();
    }
    expect(['pass', 'fail', 'review']).toContain(status);

    const photo = (await page.evaluate(async (id) => (await (await fetch(`/api/students/${id}`)).json()) as { photo: { face: unknown; checks: { id: string; status: string }[] } }, studentId)).photo;
    await page.getByTestId('overlay-svg').waitFor();
    if (photo.face) {
      // every measured mark has the colour of its rule's result
      const marks = page.locator('[data-testid=overlay-measured] [data-rule]');
      expect(await marks.count()).toBeGreaterThanOrEqual(4);
      const colour: Record<string, string> = { pass: '#52c41a', fail: '#ff2a2a' };
      for (let i = 0; i < (await marks.count()); i++) {
        const rule = (await marks.nth(i).getAttribute('data-rule'))!;
        const c = photo.checks.find((x) => x.id === rule);
        const drawn = await marks.nth(i).getAttribute('data-colour');
        expect(drawn).toBe(c ? (colour[c.status] ?? '#faad14') : '#faad14');
      }
    } else {
      // no face found: the guide is still drawn, with the notice, and face.count says why
      await page.getByText('未取得人脸位置').waitFor();
      expect(photo.checks.find((c) => c.id === 'face.count')?.status).not.toBe('pass');
    }
    await page.getByTestId('check-table').waitFor();
    await page.screenshot({ path: screenshotPath('student-overlay.png') });
    await page.screenshot({ path: screenshotPath('student-overlay-full.png', false), fullPage: true });

    // one-click fix refuses this cut (no room above the head) and says why, in Chinese
    await page.getByTestId('photo-standardize').click();
    const refusal = page.getByTestId('error-message').last();
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/[\u4e00-\u9fa5]/);
    // the engine names the tight side: the face too large for the frame, or no room below/above it
    expect(await refusal.getAttribute('data-code')).toMatch(/^(FACE_TOO_LARGE|NO_ROOM_[A-Z]+)$/);

    // with the original portrait uploaded, one click fixes it: crop on the face, light-blue background, 20–40 KB
    await page.locator('[data-testid=photo-upload] input[type=file]').setInputFiles({ name: `${XUEHAO}.jpg`, mimeType: 'image/jpeg', buffer: fs.readFileSync(portrait!) });
    const readPhoto = () => page.evaluate(async (id) => (await (await fetch(`/api/students/${id}`)).json()) as { photo: { id: number; status: string; checks: { id: string; status: string }[] } }, studentId).then((r) => r.photo);
    let raw = await readPhoto();
    for (let i = 0; i < 90 && ['pending', 'checking'].includes(raw.status); i++) {
      await page.waitForTimeout(1000);
      raw = await readPhoto();
    }
    await page.reload();
    await page.getByTestId('photo-standardize').click();
    let fixed: Awaited<ReturnType<typeof readPhoto>> | null = null;
    for (let i = 0; i < 90; i++) {
      const p = await readPhoto();
      if (p.id !== raw.id && !['pending', 'checking'].includes(p.status)) {
        fixed = p;
        break;
      }
      await page.waitForTimeout(1000);
    }
    expect(fixed).not.toBeNull();
    for (const rule of ['geometry.head-top', 'geometry.face-width', 'geometry.eye-line', 'geometry.centre', 'size.pixels', 'size.bytes', 'dpi']) {
      expect(fixed!.checks.find((c) => c.id === rule)?.status, rule).toBe('pass');
    }
    await page.reload();
    await page.locator('[data-testid=overlay-measured]').waitFor();
    await page.screenshot({ path: screenshotPath('student-overlay-fixed.png', false) });

    // The fixed photo with a red object in a top corner: the overlay puts a box around it, named by its rule.
    const fixedBytes = Buffer.from(await (await ctx.request.get(`${server.url}/api/photos/${fixed!.id}/file`)).body());
    const object = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="44" height="56"><ellipse cx="22" cy="28" rx="22" ry="28" fill="rgb(200,40,40)"/></svg>');
    const withObject = await sharp(fixedBytes).composite([{ input: object, left: 28, top: 27 }]).jpeg({ quality: 90 }).withMetadata({ density: 300 }).toBuffer();
    await page.locator('[data-testid=photo-upload] input[type=file]').setInputFiles({ name: `${XUEHAO}.jpg`, mimeType: 'image/jpeg', buffer: withObject });
    let marked = await readPhoto();
    for (let i = 0; i < 90 && (marked.id === fixed!.id || ['pending', 'checking'].includes(marked.status)); i++) {
      await page.waitForTimeout(1000);
      marked = await readPhoto();
    }
    expect(marked.checks.find((c) => c.id === 'background.uniform')?.status).toBe('fail');
    await page.reload();
    const box = page.locator('[data-testid=overlay-region][data-rule="background.uniform"]');
    await box.waitFor();
    expect(await box.getAttribute('data-status')).toBe('fail');
    expect(await box.textContent()).toMatch(/背景/);
    await page.screenshot({ path: screenshotPath('student-overlay-region.png') });
    await ctx.close();
  }, 240_000);
});
