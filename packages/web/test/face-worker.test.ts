/**
 * WORKERS=external in the browser (issue 12): the server sends the 同版 comparison and 一键修正 to a real
 * `gradpass worker` process and answers 202 when the worker is slower than its wait (here half a second, so the
 * 202 path is what the page meets); the student page shows "正在后台…" and then the scores, and 一键修正 ends
 * with the new photo — no dead end. The web process ran no face analysis. Runs when REDIS_URL is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  HAVE_CHROMIUM,
  REPO,
  WEB_DIST,
  apiSession,
  ensureWebBuilt,
  launchBrowser,
  loginAs,
  screenshotPath,
} from './support';

const DEMO_PASSWORD = 'gradpass2026';
const redisUrl = process.env.REDIS_URL;
const PHOTO = '/work/shared/fixtures/portraits/london/neutral/004_03.jpg';
const REFERENCE = '/work/shared/fixtures/portraits/london/smiling/004_08.jpg';
const WORKER_MAIN = path.join(REPO, 'packages/server/dist/worker-main.js');
const ready = HAVE_CHROMIUM && !!redisUrl && fs.existsSync(PHOTO) && fs.existsSync(REFERENCE);

/** The environment without any deployment variable: an inherited DATABASE_URL must not reach the worker. */
function withoutDeployment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'DATA_DIR', 'WORKERS', 'PHOTO_FACE', 'PHOTO_PROFILE'])
    delete out[k];
  for (const k of Object.keys(out)) if (k.startsWith('S3_')) delete out[k];
  return out;
}

interface App {
  ctx: {
    services: { photos: { faceWaitMs: number; localFaceRuns: number } };
    repos: { students: { byXuehao(x: string): Promise<{ id: number; photo_id: number | null } | undefined> } };
  };
  listen(o: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

describe.skipIf(!ready)('同版 and 一键修正 on gradpass worker, in the browser', () => {
  let app: App;
  let url: string;
  let dataDir: string;
  let worker: ChildProcess | null = null;
  let browser: Browser;
  let studentId = 0;

  beforeAll(async () => {
    await ensureWebBuilt();
    const { buildApp } = (await import(path.join(REPO, 'packages/server/dist/app.js'))) as {
      buildApp(c: object): Promise<App>;
    };
    const { seedDemo } = (await import(path.join(REPO, 'packages/server/dist/seed.js'))) as {
      seedDemo(app: unknown): Promise<unknown>;
    };
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-web-face-'));
    const queuePrefix = `gp-webface-${crypto.randomBytes(4).toString('hex')}`;
    app = await buildApp({
      dataDir,
      webDist: WEB_DIST,
      photoChecks: { profile: 'chsi-graduation', face: true },
      redisUrl,
      queuePrefix,
      workers: 'external',
      loginRateLimit: 1000,
    });
    app.ctx.services.photos.faceWaitMs = 500;
    await seedDemo(app);
    url = await app.listen({ port: 0, host: '127.0.0.1' });
    worker = spawn(process.execPath, [WORKER_MAIN], {
      env: {
        ...withoutDeployment(process.env),
        DATA_DIR: dataDir,
        REDIS_URL: redisUrl,
        QUEUE_PREFIX: queuePrefix,
        WORKER_THREADS: '1',
        PHOTO_FACE: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const t = setTimeout(() => reject(new Error(`worker did not start: ${out}`)), 90_000);
      const on = (d: Buffer) => {
        out += d.toString();
        if (out.includes('已启动')) {
          clearTimeout(t);
          resolve();
        }
      };
      worker?.stdout?.on('data', on);
      worker?.stderr?.on('data', on);
    });
    const post = await apiSession(url, 'lixia', DEMO_PASSWORD);
    const s = (await app.ctx.repos.students.byXuehao('2337001200002'))!;
    studentId = s.id;
    const form = new FormData();
    form.set('source', 'centre');
    form.set('file', new Blob([new Uint8Array(fs.readFileSync(PHOTO))], { type: 'image/jpeg' }), 'a.jpg');
    await post(`/api/students/${s.id}/photo`, form);
    const ref = new FormData();
    ref.set('file', new Blob([new Uint8Array(fs.readFileSync(REFERENCE))], { type: 'image/jpeg' }), 'ref.jpg');
    await post(`/api/students/${s.id}/reference-photo`, ref);
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    if (worker) {
      const exited = new Promise((r) => worker?.once('exit', r));
      worker.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    }
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the clerk sees the comparison arrive from the worker, then 一键修正 brings the new photo', async () => {
    const { ctx, page } = await loginAs(browser, url, 'lixia', DEMO_PASSWORD);
    const answers: number[] = [];
    page.on('response', (r) => {
      if (/\/reference-compare$|\/photo\/standardize$/.test(new URL(r.url()).pathname)) answers.push(r.status());
    });
    await page.goto(`/students/${studentId}`);
    // 202 first: the page says the comparison runs in the background, then shows its result.
    await page.getByTestId('reference-compare-waiting').waitFor({ timeout: 120_000 });
    const cmp = page.getByTestId('reference-compare');
    await cmp.waitFor({ timeout: 180_000 });
    await cmp.getByText('同一人', { exact: true }).waitFor();
    await cmp.getByText(/人脸相似度 0\.\d+/).waitFor();
    await cmp.getByText('同版', { exact: true }).waitFor();
    expect(answers).toContain(202);
    await page.screenshot({ path: screenshotPath('face-worker-compare.png', false), fullPage: true });
    const before = (await app.ctx.repos.students.byXuehao('2337001200002'))!.photo_id;
    await page.getByTestId('photo-standardize').click();
    await page.getByRole('button', { name: '仍然修正' }).click();
    await page.getByText(/已按规格修正照片/).waitFor({ timeout: 180_000 });
    const after = (await app.ctx.repos.students.byXuehao('2337001200002'))!.photo_id;
    expect(after).not.toBe(before);
    expect(app.ctx.services.photos.localFaceRuns).toBe(0);
    await ctx.close();
  }, 400_000);
});
