/**
 * With WORKERS=external the web process never runs a face analysis (issue 12): the 同版 comparison and 一键修正 go
 * through the face queue to `gradpass worker` — here a real worker process (packages/server/dist/worker-main.js)
 * on the same database, Redis and files, face analysis on — and come back to the web as the same answers (or 202
 * and the job to poll). Proof that the web never analysed a face: its PhotoService counted no face work of its
 * own, and Human (@vladmandic/human) was never loaded into this process. The control at the end runs the same
 * comparison in-process and sees both change. Runs when REDIS_URL is set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, Client, demoIds, makeApp, type TestApp } from './helpers.js';

const redisUrl = process.env.REDIS_URL;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const WORKER_MAIN = path.join(REPO, 'packages/server/dist/worker-main.js');
const PORTRAITS = '/work/shared/fixtures/portraits/london';
const PHOTO = path.join(PORTRAITS, 'neutral/004_03.jpg');
const REFERENCE = path.join(PORTRAITS, 'smiling/004_08.jpg');
const haveFixtures = fs.existsSync(PHOTO) && fs.existsSync(REFERENCE);
if (!haveFixtures) console.warn('[face-worker] 跳过：未找到测试人像 fixtures/portraits/london');

/** Whether Human's Node build was ever required by this process (the face engine loads it on first use). */
const humanLoaded = () =>
  Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes(`${path.sep}@vladmandic${path.sep}human`));

/** The environment without any deployment variable (the worker gets exactly the test app's). */
function withoutDeployment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'QUEUE_PREFIX', 'DATA_DIR', 'WORKERS', 'PHOTO_FACE', 'PHOTO_PROFILE'])
    delete out[k];
  for (const k of Object.keys(out)) if (k.startsWith('S3_')) delete out[k];
  return out;
}

/** Starts `gradpass worker` as its own process with the deployment's environment; resolves once it listens. */
function spawnWorker(env: Record<string, string>): Promise<{ child: ChildProcess; log: () => string }> {
  return new Promise((resolve, reject) => {
    let out = '';
    const child = spawn(process.execPath, [WORKER_MAIN], {
      // Only the deployment's own variables: an inherited DATABASE_URL (the tests' admin database) must not leak in.
      env: { ...withoutDeployment(process.env), ...env, WORKER_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('已启动')) {
        clearTimeout(timer);
        resolve({ child, log: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited ${code}:\n${out}`));
    });
  });
}

/** The answer of a face route: at once (200), or through its job (202, then polled). */
async function answer(c: Client, r: { statusCode: number; json(): unknown; body: string }) {
  if (r.statusCode !== 202) return { status: r.statusCode, body: r.json() as Record<string, unknown>, polled: false };
  const { jobId } = r.json() as { jobId: string };
  const deadline = Date.now() + 180_000;
  for (;;) {
    const s = await c.get(`/api/face-jobs/${jobId}`);
    const b = s.json() as { status: string; result?: Record<string, unknown> };
    if (s.statusCode !== 200) return { status: s.statusCode, body: b as Record<string, unknown>, polled: true };
    if (b.status === 'done') return { status: 200, body: b.result as Record<string, unknown>, polled: true, jobId };
    if (Date.now() > deadline) throw new Error(`face job ${jobId} still ${b.status}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

for (const backend of BACKENDS) {
  describe.skipIf(!redisUrl || !haveFixtures || !fs.existsSync(WORKER_MAIN))(
    `同版 comparison and 一键修正 on gradpass worker (${backend}, WORKERS=external)`,
    () => {
      let t: TestApp;
      let worker: { child: ChildProcess; log: () => string } | null = null;
      let studentId = 0;

      beforeAll(async () => {
        const queuePrefix = `gp-face-${crypto.randomBytes(4).toString('hex')}`;
        t = await makeApp(backend, {
          redisUrl,
          queuePrefix,
          workers: 'external',
          photoChecks: { profile: 'chsi-graduation', face: true },
        });
        // A short wait, so the 202 path (poll the job) is exercised whenever the worker is slower than this.
        t.app.ctx.services.photos.faceWaitMs = 3_000;
        const c = t.app.ctx.config;
        worker = await spawnWorker({
          DATA_DIR: c.dataDir,
          ...(c.databaseUrl ? { DATABASE_URL: c.databaseUrl } : {}),
          REDIS_URL: redisUrl as string,
          QUEUE_PREFIX: queuePrefix,
          PHOTO_FACE: '1',
        });
        const ids = await demoIds(t.app);
        studentId = ids.student('张伟').id;
        const centre = await Client.login(t.app, 'lixia');
        const up = await centre.upload(
          `/api/students/${studentId}/photo`,
          'a.jpg',
          fs.readFileSync(PHOTO),
          {},
          'image/jpeg',
        );
        expect(up.statusCode, up.body).toBe(200);
        const ref = await centre.upload(
          `/api/students/${studentId}/reference-photo`,
          'ref.jpg',
          fs.readFileSync(REFERENCE),
          {},
          'image/jpeg',
        );
        expect(ref.statusCode, ref.body).toBe(200);
      }, 240_000);
      afterAll(async () => {
        if (worker) {
          const exited = new Promise((r) => worker?.child.once('exit', r));
          worker.child.kill('SIGTERM');
          await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        }
        await t?.close();
      });

      it('a 同版 comparison runs on the worker and the clerk gets the scores; the web loaded no face engine', async () => {
        const centre = await Client.login(t.app, 'lixia');
        const r = await answer(centre, await centre.get(`/api/students/${studentId}/reference-compare`));
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(['pass', 'fail', 'review']).toContain(r.body.status);
        const face = r.body.face as { status: string; value: number | null; message: string };
        const sameShot = r.body.sameShot as { status: string; message: string };
        // Face analysis really ran on the worker: a similarity score of the two faces, not "face analysis off".
        expect(typeof face.value).toBe('number');
        expect(face.message).not.toMatch(/未启用|关闭/);
        expect(sameShot.message.length).toBeGreaterThan(0);
        // Cached on the photo row by the worker: asked again, the web answers from the row (no job).
        const again = await centre.get(`/api/students/${studentId}/reference-compare`);
        expect(again.statusCode).toBe(200);
        expect(again.json()).toEqual(r.body);
        expect(t.app.ctx.services.photos.localFaceRuns).toBe(0);
        expect(humanLoaded()).toBe(false);
      }, 240_000);

      it('一键修正 runs on the worker and the new photo comes back to the clerk; the web loaded no face engine', async () => {
        const centre = await Client.login(t.app, 'lixia');
        const before = (await t.app.ctx.repos.students.byId(studentId))?.photo_id;
        const r = await answer(
          centre,
          await centre.post(`/api/students/${studentId}/photo/standardize`, { align: 'face', background: 'blue' }),
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        const photo = r.body as { id: number; status: string; bytes: number };
        expect(photo.id).not.toBe(before);
        expect((await t.app.ctx.repos.students.byId(studentId))?.photo_id).toBe(photo.id);
        expect(['pass', 'fail', 'review']).toContain(photo.status);
        const row = await t.app.ctx.repos.photos.byId(photo.id);
        const report = JSON.parse(row?.checks_json ?? '{}') as { checks: Array<{ id: string }> };
        // The face rules were measured (face analysis on), on the worker.
        expect(report.checks.some((c) => c.id.startsWith('geometry.') || c.id.startsWith('face.'))).toBe(true);
        const audit = await t.app.ctx.db.db
          .selectFrom('audit_log')
          .selectAll()
          .where('action', '=', 'photo_standardize')
          .where('entity_id', '=', studentId)
          .execute();
        expect(audit.length).toBe(1);
        expect(audit[0].actor_name).toContain('lixia');
        expect(t.app.ctx.services.photos.localFaceRuns).toBe(0);
        expect(humanLoaded()).toBe(false);
      }, 240_000);

      it('refusals come back from the worker as they are; another user cannot read the job', async () => {
        const ids = await demoIds(t.app);
        // 章丘 cannot touch a 历下 student: refused by the web before any job.
        const other = await Client.login(t.app, 'zhangqiu');
        const r = await other.post(`/api/students/${studentId}/photo/standardize`, {});
        expect(r.statusCode).toBe(404);
        // No reference photo: the comparison is refused (no face job is needed for that).
        const centre = await Client.login(t.app, 'lixia');
        const none = await centre.get(`/api/students/${ids.student('李娜').id}/reference-compare`);
        expect(none.statusCode).toBe(404);
        expect(none.json().code).toBe('NO_REFERENCE');
        // A job id of someone else (or made up) is not found.
        const fake = await other.get(`/api/face-jobs/face-${'0'.repeat(18)}`);
        expect(fake.statusCode).toBe(404);
        expect(t.app.ctx.services.photos.localFaceRuns).toBe(0);
      }, 60_000);
    },
  );
}

describe.skipIf(!haveFixtures)('control: without a worker the comparison runs in this process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp('sqlite', { photoChecks: { profile: 'chsi-graduation', face: true } });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  it('the same comparison in-process counts its face work and loads Human (so the checks above can fail)', async () => {
    const ids = await demoIds(t.app);
    const id = ids.student('张伟').id;
    const centre = await Client.login(t.app, 'lixia');
    await centre.upload(`/api/students/${id}/photo`, 'a.jpg', fs.readFileSync(PHOTO), {}, 'image/jpeg');
    await centre.upload(`/api/students/${id}/reference-photo`, 'ref.jpg', fs.readFileSync(REFERENCE), {}, 'image/jpeg');
    const r = await centre.get(`/api/students/${id}/reference-compare`);
    expect(r.statusCode, r.body).toBe(200);
    expect(typeof r.json().face.value).toBe('number');
    expect(t.app.ctx.services.photos.localFaceRuns).toBe(1);
    expect(humanLoaded()).toBe(true);
  }, 240_000);
});
