/**
 * `gradpass worker` (issue 12) on every backend, with Redis: a web process with WORKERS=external only enqueues
 * (it never runs a check); a worker connected to the same database, Redis and files checks the photos on its
 * thread pool; restart recovery gives a job only to unfinished photos that have none. Runs when REDIS_URL is set.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type RunningWorker } from '../src/worker.js';
import type { AppConfig } from '../src/config.js';
import { BACKENDS, Client, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

const redisUrl = process.env.REDIS_URL;

for (const backend of BACKENDS) {
  describe.skipIf(!redisUrl)(`photo checks on gradpass worker (${backend})`, () => {
    let t: TestApp;
    let worker: RunningWorker | null = null;
    let webChecks = 0;
    let shared: Partial<AppConfig>;

    beforeAll(async () => {
      const queuePrefix = `gp-worker-${crypto.randomBytes(4).toString('hex')}`;
      t = await makeApp(backend, { redisUrl, queuePrefix, workers: 'external' });
      const photos = t.app.ctx.services.photos;
      const check = photos.check.bind(photos);
      photos.check = async (id: number) => {
        webChecks++;
        return check(id);
      };
      const c = t.app.ctx.config;
      shared = { dataDir: c.dataDir, databaseUrl: c.databaseUrl, redisUrl, queuePrefix, photoChecks: c.photoChecks };
    }, 120_000);
    afterAll(async () => {
      await worker?.close();
      await t?.close();
    });

    const statusOf = async (id: number) => (await t.app.ctx.repos.photos.byId(id))?.status;
    // The worker counts a check when its job returns, a moment after the photo's row is written (the
    // event is published in between): wait for the count, then assert it exactly.
    const countReaches = async (w: RunningWorker, n: number) => {
      for (let i = 0; i < 100 && w.checked() < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    const settled = async (ids: number[]) => {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = await Promise.all(ids.map(statusOf));
        if (s.every((x) => x !== 'pending' && x !== 'checking')) return s;
        if (Date.now() > deadline) throw new Error(`photos still unchecked: ${s.join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    it('the web process only enqueues; the worker checks the photo', async () => {
      const centre = await Client.login(t.app, 'lixia');
      const ids = await demoIds(t.app);
      const r = await centre.upload(`/api/students/${ids.student('张伟').id}/photo`, 'a.jpg', await compliantJpeg(2));
      expect(r.statusCode, r.body).toBe(200);
      const photoId = r.json().id as number;
      await new Promise((res) => setTimeout(res, 300));
      expect(await statusOf(photoId)).toBe('pending'); // nobody consumes yet
      worker = await startWorker(shared, { threads: 1 });
      expect(worker.threads).toBe(1);
      const [status] = await settled([photoId]);
      expect(['pass', 'fail', 'review']).toContain(status);
      await countReaches(worker, 1);
      expect(worker.checked()).toBeGreaterThanOrEqual(1);
      expect(webChecks).toBe(0);
      const row = await t.app.ctx.repos.photos.byId(photoId);
      expect(JSON.parse(row?.checks_json ?? '{}').checks.length).toBeGreaterThan(3);
    }, 120_000);

    it('restart recovery enqueues only the unfinished photos that have no job', async () => {
      await worker?.close();
      worker = null;
      const { repos, queue } = t.app.ctx;
      const ids = await demoIds(t.app);
      const stored = await t.app.ctx.files.put('photos', await compliantJpeg(4), '.jpg');
      const at = new Date().toISOString();
      const pending = async (name: string) =>
        repos.photos.insert({
          student_id: ids.student(name).id,
          source: 'centre',
          file_name: 'x.jpg',
          storage_path: stored.storagePath,
          bytes: 1,
          sha256: stored.sha256,
          status: 'checking', // a check that was running when its process died
          checks_json: null,
          failed_rules: null,
          uploaded_by: null,
          uploaded_at: at,
          checked_at: null,
        });
      const held = await pending('李娜');
      const orphan = await pending('王芳');
      await queue.enqueue(held.id); // still has its job (another process would hold it)
      expect(await queue.withoutJob([held.id, orphan.id])).toEqual([orphan.id]);
      expect(await t.app.ctx.services.photos.requeueUnfinished()).toBe(1);
      expect(await queue.withoutJob([held.id, orphan.id])).toEqual([]);
      expect(await t.app.ctx.services.photos.requeueUnfinished()).toBe(0); // nothing twice
      worker = await startWorker(shared, { threads: 1 });
      expect(worker.requeued).toBe(0);
      const statuses = await settled([held.id, orphan.id]);
      expect(statuses.every((s) => s !== 'pending')).toBe(true);
      await countReaches(worker, 2);
      expect(worker.checked()).toBe(2);
      expect(webChecks).toBe(0);
    }, 120_000);
  });
}
