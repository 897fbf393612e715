/**
 * The submission gate with WORKERS=external when the 同版 comparison is not done within the wait (FACE_WAIT_MS),
 * over real HTTP, on SQLite and on PostgreSQL (runs when REDIS_URL is set). No worker runs while the gate is asked:
 * - a single submission answers 503 FACE_JOB_PENDING (Chinese message, the job id) after the configured wait, not
 *   the 20 s default; once a worker (`startWorker`, face analysis off) has run the job, the same call succeeds;
 * - a bulk submission of many students without a cached comparison sends every comparison at once and waits once
 *   (not one wait per student): each such item answers FACE_JOB_PENDING, a student already compared is submitted in
 *   the same request; after the worker ran the jobs the same bulk call submits them all, without another job.
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startWorker, type RunningWorker } from '../src/worker.js';
import { FACE_WAIT_MS, parseFaceWait, resolveConfig, type AppConfig } from '../src/config.js';
import type { FaceJobQueue } from '../src/jobs/face.js';
import {
  BACKENDS,
  Clock,
  applicationIn,
  compliantJpeg,
  httpSuite,
  newTestStudent,
  type demoIds,
  type TestApp,
} from './helpers.js';
import { HttpClient } from './http-client.js';

const redisUrl = process.env.REDIS_URL;
const WAIT_MS = 1_500;
const PENDING_MESSAGE = '与学信网照片的同版比对正在后台照片分析进程中进行，请稍候片刻；结果会保留，稍后再操作一次即可';

type BulkResult = { id: number; ok: boolean; state?: string; code?: string; message?: string };

for (const backend of BACKENDS) {
  describe.skipIf(!redisUrl)(
    `the submission gate waits ${WAIT_MS} ms for the worker's 同版 comparison (${backend})`,
    () => {
      let t: TestApp;
      let base: string;
      let ids: Awaited<ReturnType<typeof demoIds>>;
      let centre: HttpClient;
      let shared: Partial<AppConfig>;
      let worker: RunningWorker | null = null;
      let serial = 0;
      /** When each face job the web sent started and stopped waiting (ms since the epoch). */
      const waits: Array<{ from: number; to: number }> = [];
      const clock = new Clock('2025-12-10'); // inside the first window of 2026年1月毕业

      beforeAll(async () => {
        const queuePrefix = `gp-pending-${crypto.randomBytes(4).toString('hex')}`;
        const photoChecks = { profile: 'chsi-graduation', face: false };
        ({ t, base, ids } = await httpSuite(backend, {
          now: clock.now,
          redisUrl,
          queuePrefix,
          workers: 'external',
          faceWaitMs: WAIT_MS,
          photoChecks,
          expensiveRateLimit: 1000,
        }));
        centre = await HttpClient.login(base, 'lixia');
        const c = t.app.ctx.config;
        shared = { dataDir: c.dataDir, databaseUrl: c.databaseUrl, redisUrl, queuePrefix, photoChecks, now: clock.now };
        const faceJobs = t.app.ctx.services.photos.faceJobs as FaceJobQueue;
        const run = faceJobs.run.bind(faceJobs);
        faceJobs.run = async (data, waitMs) => {
          const w = { from: Date.now(), to: 0 };
          waits.push(w);
          try {
            return await run(data, waitMs);
          } finally {
            w.to = Date.now();
          }
        };
      }, 120_000);
      afterAll(async () => {
        await worker?.close();
        await t?.close();
      });

      /** Starts the worker, waits until `done` holds (or 60 s), stops it again. */
      async function workerUntil(done: () => Promise<boolean>) {
        worker = await startWorker(shared, { threads: 1 });
        const deadline = Date.now() + 60_000;
        while (!(await done())) {
          if (Date.now() > deadline) throw new Error('the worker did not finish in 60 s');
          await new Promise((r) => setTimeout(r, 100));
        }
        await worker.close();
        worker = null;
      }

      /** `n` students of centre A, each with a photo and the same picture as 学信网 reference, and an application. */
      async function applied(n: number) {
        const out: Array<{ studentId: number; photoId: number; appId: number }> = [];
        for (let k = 0; k < n; k++) {
          const s = await newTestStudent(t.app, ids.centreA, ++serial);
          const jpeg = await compliantJpeg(serial);
          const up = await centre.upload(s.id, `${s.xuehao}.jpg`, jpeg);
          expect(up.status, JSON.stringify(up.body)).toBe(200);
          const form = new FormData();
          form.set('file', new Blob([jpeg], { type: 'image/jpeg' }), 'ref.jpg');
          const ref = await centre.send('POST', `/api/students/${s.id}/reference-photo`, undefined, form);
          expect(ref.status, JSON.stringify(ref.body)).toBe(200);
          const photoId = (up.body as unknown as { id: number }).id;
          out.push({
            studentId: s.id,
            photoId,
            appId: await applicationIn(t.app, clock.now().toISOString(), {
              studentId: s.id,
              batchId: ids.realBatch,
              state: 'applied',
            }),
          });
        }
        // The photo checks run on the worker too (WORKERS=external).
        await workerUntil(async () => {
          const rows = await t.app.ctx.repos.photos.byIds(out.map((o) => o.photoId));
          return rows.every((p) => p.status !== 'pending' && p.status !== 'checking');
        });
        for (const p of await t.app.ctx.repos.photos.byIds(out.map((o) => o.photoId))) expect(p.status).toBe('pass');
        return out;
      }

      const compared = async (photoIds: number[]) =>
        (await t.app.ctx.repos.photos.byIds(photoIds)).every((p) => p.reference_json != null);
      const stateOf = async (appId: number) => (await t.app.ctx.repos.applications.byId(appId))?.state;

      test('a single submission answers 503 FACE_JOB_PENDING after the wait; once the job is done it succeeds', async () => {
        const [a] = await applied(1);
        waits.length = 0;
        const started = Date.now();
        const r = await centre.act(a.appId, 'submit', { samePhotoConfirmed: true });
        const took = Date.now() - started;
        expect(r.status, JSON.stringify(r.body)).toBe(503);
        const body = r.body as { code?: string; message?: string; details?: { jobId?: string } };
        expect(body.code).toBe('FACE_JOB_PENDING');
        expect(body.message).toBe(PENDING_MESSAGE);
        expect(body.details?.jobId).toMatch(/^face-[0-9a-f]{18}$/);
        // The configured wait, not the 20 s default.
        expect(took).toBeGreaterThanOrEqual(WAIT_MS - 50);
        expect(took).toBeLessThan(10_000);
        expect(waits.length).toBe(1);
        expect(await stateOf(a.appId)).toBe('applied');
        expect(await compared([a.photoId])).toBe(false);

        // The worker runs the job that was left waiting and caches the result on the photo; the call again succeeds.
        await workerUntil(() => compared([a.photoId]));
        waits.length = 0;
        const again = await centre.act(a.appId, 'submit', { samePhotoConfirmed: true });
        expect(again.status, JSON.stringify(again.body)).toBe(200);
        expect(again.body.state).toBe('submitted');
        expect(waits.length).toBe(0); // answered from the cached comparison: no second job
      }, 240_000);

      test('a bulk submission waits once for all the comparisons and answers each pending one per item', async () => {
        const fresh = await applied(16);
        // Two students already compared (cached on the photo): their submissions need no job.
        const [done1, done2] = await applied(2);
        for (const d of [done1, done2]) {
          const cmp = await centre.send('GET', `/api/students/${d.studentId}/reference-compare`);
          expect(cmp.status, JSON.stringify(cmp.body)).toBe(202); // no worker yet: the job waits for one
        }
        await workerUntil(() => compared([done1.photoId, done2.photoId]));
        const all = [...fresh, done1, done2];
        const appIds = all.map((a) => a.appId);
        waits.length = 0;
        const started = Date.now();
        const r = await centre.send('POST', '/api/applications/bulk', {
          ids: appIds,
          action: 'submit',
          samePhotoConfirmedIds: appIds,
        });
        const took = Date.now() - started;
        expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
        const { results } = r.body as unknown as { results: BulkResult[] };
        expect(results.map((x) => x.id)).toEqual(appIds);
        for (const x of results.slice(0, 16)) {
          expect([x.ok, x.code, x.message]).toEqual([false, 'FACE_JOB_PENDING', PENDING_MESSAGE]);
        }
        for (const x of results.slice(16)) expect([x.ok, x.state]).toEqual([true, 'submitted']);
        // One job per uncompared student, all sent before the first wait ended: one wait, not 16 one after another
        // (which would take 16 × 1.5 s on SQLite, 4 × 1.5 s on PostgreSQL's four lanes).
        expect(waits.length).toBe(16);
        const firstEnd = Math.min(...waits.map((w) => w.to));
        expect(waits.every((w) => w.from < firstEnd)).toBe(true);
        expect(took).toBeLessThan(3 * WAIT_MS);
        for (const a of fresh) expect(await stateOf(a.appId)).toBe('applied');

        // After the worker has run the jobs, the same bulk call submits them all from the cached comparisons.
        await workerUntil(() => compared(fresh.map((a) => a.photoId)));
        waits.length = 0;
        const again = await centre.send('POST', '/api/applications/bulk', {
          ids: fresh.map((a) => a.appId),
          action: 'submit',
          samePhotoConfirmedIds: fresh.map((a) => a.appId),
        });
        const second = (again.body as unknown as { results: BulkResult[] }).results;
        expect(second.map((x) => [x.ok, x.state ?? x.code])).toEqual(fresh.map(() => [true, 'submitted']));
        expect(waits.length).toBe(0);
      }, 300_000);
    },
  );
}

describe('FACE_WAIT_MS', () => {
  test('the wait is configuration: 20 s by default, a positive whole number of milliseconds from the environment', () => {
    expect(FACE_WAIT_MS).toBe(20_000);
    expect(resolveConfig({}).faceWaitMs).toBe(20_000);
    expect(resolveConfig({ faceWaitMs: parseFaceWait(undefined) }).faceWaitMs).toBe(20_000);
    expect(resolveConfig({ faceWaitMs: parseFaceWait('5000') }).faceWaitMs).toBe(5000);
    for (const bad of ['abc', '0', '-1', '1.5'])
      expect(() => parseFaceWait(bad)).toThrow(`FACE_WAIT_MS=${bad} 无效：应为正整数（毫秒），如 20000`);
  });
});
