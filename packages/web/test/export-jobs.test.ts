/**
 * 后台导出 in the browser (issue 12): on the 学生名单 page the clerk opens the export button's arrow, chooses
 * 后台导出, and the 导出任务 drawer opens with the job; its progress bar moves with the server's live `export` events
 * (no reload), then 下载 appears and downloads the XLSX. Screenshots of the drawer half-way and when done.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  HAVE_CHROMIUM,
  REPO,
  ensureWebBuilt,
  launchBrowser,
  loginAs,
  screenshotPath,
  startServer,
  type TestServer,
} from './support';

const DEMO_PASSWORD = 'gradpass2026';
/** Students added to 历下 so the export has several pages to report progress on. */
const EXTRA = 3_000;

interface Ctx {
  repos: {
    orgs: { all(): Promise<Array<{ id: number; name: string }>> };
    transaction<T>(
      fn: (tx: { students: { insertMany(rows: object[]): Promise<unknown[]> } }) => Promise<T>,
    ): Promise<T>;
  };
  services: {
    exportSources: { xlsx(...args: unknown[]): Promise<{ pages: AsyncGenerator<unknown[]> }> };
  };
}

describe.skipIf(!HAVE_CHROMIUM)('后台导出 in the browser', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    await ensureWebBuilt();
    server = await startServer({ face: false });
    const { seedDemo } = (await import(path.join(REPO, 'packages/server/dist/seed.js'))) as {
      seedDemo(app: unknown): Promise<unknown>;
    };
    await seedDemo(server.app);
    const ctx = server.app.ctx as unknown as Ctx;
    const lixia = (await ctx.repos.orgs.all()).find((o) => o.name === '济南市开放大学历下学习中心')!;
    const at = new Date().toISOString();
    const { plainStudent } = (await import(path.join(REPO, 'packages/server/dist/scale-seed.js'))) as {
      plainStudent(s: { xuehao: string; id_card: string; name: string; org_id: number }, at: string): object;
    };
    await ctx.repos.transaction((tx) =>
      tx.students.insertMany(
        Array.from({ length: EXTRA }, (_, i) =>
          plainStudent(
            {
              xuehao: `29${String(i).padStart(11, '0')}`,
              id_card: `37010219900101${String(1000 + (i % 9000)).slice(-4)}`,
              name: `后台导出${i}`,
              org_id: lixia.id,
            },
            at,
          ),
        ),
      ),
    );
    // Each page of the export waits 1.5 s here, so the browser sees the job half-way (a real province export
    // takes minutes; this one would otherwise end before the drawer draws).
    const sources = ctx.services.exportSources;
    const xlsx = sources.xlsx.bind(sources);
    sources.xlsx = async (...args: unknown[]) => {
      const x = await xlsx(...args);
      const pages = x.pages;
      async function* slow() {
        for await (const p of pages) {
          await new Promise((r) => setTimeout(r, 1_500));
          yield p;
        }
      }
      return { ...x, pages: slow() };
    };
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('the clerk starts 后台导出 on 学生名单, watches the progress bar move live, and downloads the file', async () => {
    const { ctx, page } = await loginAs(browser, server.url, 'lixia', DEMO_PASSWORD);
    await page.goto('/students');
    await page.getByRole('button', { name: /导出 Excel/ }).waitFor();
    await page.getByTestId('export-more').click();
    const item = page.getByRole('menuitem', { name: /后台导出/ });
    await item.waitFor();
    await page.screenshot({
      path: screenshotPath('export-menu.png', false),
      clip: { x: 0, y: 0, width: 1280, height: 360 },
    });
    await item.click();
    const drawer = page.getByTestId('export-jobs-drawer');
    await drawer.getByText('导出任务').first().waitFor();
    const job = drawer.getByTestId('export-job').first();
    await job.getByText('学生名单').waitFor();
    // Live: the bar moves past 0 while the job runs, without a reload of the page.
    await page.locator('[data-testid="export-job"][data-status="running"]').first().waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="export-job"][data-status="running"]');
      const n = Number(el?.getAttribute('data-percent') ?? 0);
      return n > 0 && n < 100;
    });
    const midway = await page.locator('[data-testid="export-job"] .ant-progress-indicator').first().textContent();
    expect(midway).toMatch(/^\d+%$/);
    await expect.poll(async () => page.getByText(/已导出 [\d,]+ \/ 约 [\d,]+ 行/).count()).toBeGreaterThan(0);
    await page.screenshot({ path: screenshotPath('export-jobs-running.png') });
    // Done: 下载 appears (still no reload), with the row count and the 7-day limit.
    const link = page.getByTestId('export-download').first();
    await link.waitFor({ timeout: 90_000 });
    await page
      .getByText(/共 [\d,]+ 行/)
      .first()
      .waitFor();
    await page
      .getByText(/下载有效期至/)
      .first()
      .waitFor();
    await page.screenshot({ path: screenshotPath('export-jobs-done.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toMatch(/^学生名单-\d{4}-\d{2}-\d{2}-\d+\.xlsx$/);
    const file = await download.path();
    expect(fs.statSync(file).size).toBeGreaterThan(EXTRA * 20);
    // The badge on the header button counts only running exports: none now.
    await page.keyboard.press('Escape');
    await expect
      .poll(async () => page.getByTestId('export-jobs-open').locator('..').locator('.ant-badge-count').count())
      .toBe(0);
    await ctx.close();
  }, 180_000);
});
