/**
 * Background exports (后台导出, issue 12) on every backend: a students.xlsx and a photo zip started as jobs run to
 * the end with their progress on the row and as live events, the file lands in the file store and downloads for
 * the user who started it — anybody else is answered exactly like a job that does not exist; every export and
 * download is audited; a job left running by a stopped process is run again by the next one; files expire after
 * 7 days and are removed. With REDIS_URL: WORKERS=external, the export runs on the worker, never on the web.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import S3rver from 's3rver';
import { seedStudentsWithPhoto } from '../src/scale-seed.js';
import { S3Store } from '../src/storage.js';
import { buildApp } from '../src/app.js';
import { startWorker, type RunningWorker } from '../src/worker.js';
import type { LiveEvent } from '../src/events.js';
import type { ExportJobDto } from '../src/services/export-jobs.js';
import { BACKENDS, Client, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

/** Students added to 历下 (three pages of 1,000 and a bit): the export has real progress to report. */
const EXTRA = 2_400;

/** Seeds `n` students of one centre with a passing stored photo each. */
async function seedStudents(t: TestApp, orgId: number, n: number, prefix: string) {
  const jpeg = await compliantJpeg(3);
  const stored = await t.app.ctx.files.put('photos', jpeg, '.jpg');
  await seedStudentsWithPhoto(t.app.ctx.repos, {
    orgId,
    count: n,
    student: (i) => ({
      xuehao: `${prefix}${String(i).padStart(13 - prefix.length, '0')}`,
      id_card: `37010219900101${String(1000 + (i % 9000)).slice(-4)}`,
      name: `后台${i}`,
    }),
    file: { ...stored, bytes: jpeg.length },
  });
}

async function until(job: () => Promise<ExportJobDto>, done: (j: ExportJobDto) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const j = await job();
    if (done(j)) return j;
    if (Date.now() > deadline) throw new Error(`export job still ${j.status} (${j.doneRows}/${j.totalRows})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const finished = (j: ExportJobDto) => j.status === 'done' || j.status === 'failed';

async function xlsxRows(bytes: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const rows: string[][] = [];
  wb.worksheets[0].eachRow((row) =>
    rows.push((row.values as unknown[]).slice(1).map((v) => (v == null ? '' : String(v)))),
  );
  return rows;
}

function zipNames(bytes: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

for (const backend of BACKENDS) {
  describe(`background exports on ${backend}`, () => {
    let t: TestApp;
    let clock = 0; // ms added to the real time (the expiry test moves it)
    const events: LiveEvent[] = [];
    beforeAll(async () => {
      t = await makeApp(backend, { now: () => new Date(Date.now() + clock) });
      const ids = await demoIds(t.app);
      await seedStudents(t, ids.centreA, EXTRA, '28');
      t.app.ctx.events.subscribe((e) => {
        if (e.type === 'export') events.push(e);
      });
    }, 300_000);
    afterAll(async () => {
      await t?.close();
    });

    it('a students.xlsx export runs as a job: progress on the row and as events, then the file downloads, 身份证号 masked', async () => {
      const centre = await Client.login(t.app, 'lixia');
      // Each page waits a little, so the job is seen half-way (progress written once a second).
      const sources = t.app.ctx.services.exportSources;
      const xlsx = sources.xlsx.bind(sources);
      sources.xlsx = async (...args) => {
        const x = await xlsx(...args);
        const pages = x.pages;
        async function* slow() {
          for await (const p of pages) {
            await new Promise((r) => setTimeout(r, 1_300));
            yield p;
          }
        }
        return { ...x, pages: slow() };
      };
      try {
        const r = await centre.post('/api/export-jobs/students.xlsx', {});
        expect(r.statusCode, r.body).toBe(202);
        const started = r.json() as ExportJobDto;
        expect(started).toMatchObject({ kind: 'students', kindLabel: '学生名单', status: 'queued', downloadUrl: null });
        const get = async () => (await centre.get(`/api/export-jobs/${started.id}`)).json() as ExportJobDto;
        const midway = await until(get, (j) => j.status === 'running' && j.doneRows > 0);
        expect(midway.doneRows).toBeLessThan(midway.totalRows);
        expect(midway.percent).toBeGreaterThan(0);
        expect(midway.percent).toBeLessThan(100);
        const done = await until(get, finished);
        expect(done.status, done.errorMessage ?? '').toBe('done');
        expect(done.percent).toBe(100);
        expect(done.doneRows).toBe(done.totalRows);
        expect(done.downloadUrl).toBe(`/api/export-jobs/${started.id}/download`);
        const mine = events.filter((e) => e.data.id === started.id);
        expect(mine.map((e) => e.data.status)).toEqual(expect.arrayContaining(['queued', 'running', 'done']));
        expect(mine.some((e) => e.data.status === 'running' && Number(e.data.doneRows) > 0)).toBe(true);

        const file = await centre.get(done.downloadUrl as string);
        expect(file.statusCode).toBe(200);
        expect(file.headers['content-disposition']).toContain(encodeURIComponent('学生名单'));
        const rows = await xlsxRows(file.rawPayload);
        expect(rows[0].slice(0, 3)).toEqual(['学号', '姓名', '身份证号']);
        const data = rows.slice(1);
        expect(data.length).toBe(done.doneRows);
        expect(data.length).toBeGreaterThan(EXTRA);
        for (const row of data) expect(row[2]).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
        expect(data.some((row) => /^\d{17}[\dX]$/.test(row[2]))).toBe(false);

        // The file is in the store under exports/.
        const stored = await t.app.ctx.db.db
          .selectFrom('export_jobs')
          .select(['storage_path', 'bytes'])
          .where('id', '=', started.id)
          .executeTakeFirstOrThrow();
        expect(stored.storage_path).toMatch(/^exports\//);
        expect(Number(stored.bytes)).toBe(file.rawPayload.length);

        // Audited: the export and the download, by the centre.
        const audit = await t.app.ctx.db.db
          .selectFrom('audit_log')
          .selectAll()
          .where('entity', '=', 'export_job')
          .where('entity_id', '=', started.id)
          .execute();
        expect(audit.map((a) => a.action).sort()).toEqual(['export', 'export_download']);
        expect(audit.every((a) => a.actor_name.includes('lixia'))).toBe(true);
        expect(audit.find((a) => a.action === 'export')?.reason).toContain(`${done.doneRows} 行`);
      } finally {
        sources.xlsx = xlsx;
      }
    }, 120_000);

    it('another user — same centre role elsewhere, the city above, the administrator — is answered exactly like not-found', async () => {
      const centre = await Client.login(t.app, 'lixia');
      const r = await centre.post('/api/export-jobs/applications.xlsx', {});
      expect(r.statusCode, r.body).toBe(202);
      const id = (r.json() as ExportJobDto).id;
      const done = await until(async () => (await centre.get(`/api/export-jobs/${id}`)).json(), finished);
      expect(done.status).toBe('done');
      const missing = 999_999;
      for (const who of ['zhangqiu', 'jinan', 'admin']) {
        const other = await Client.login(t.app, who);
        for (const suffix of ['', '/download']) {
          const theirs = await other.get(`/api/export-jobs/${id}${suffix}`);
          const none = await other.get(`/api/export-jobs/${missing}${suffix}`);
          expect(theirs.statusCode, `${who} ${suffix}`).toBe(404);
          expect(theirs.statusCode).toBe(none.statusCode);
          expect(theirs.json()).toEqual(none.json());
        }
        const list = (await other.get('/api/export-jobs')).json() as { items: ExportJobDto[] };
        expect(list.items.some((j) => j.id === id)).toBe(false);
      }
      const own = (await centre.get('/api/export-jobs')).json() as { items: ExportJobDto[] };
      expect(own.items.map((j) => j.id)).toContain(id);
      // Live events of the job go to its owner only (the SSE route drops them for everybody else).
      const e = events.find((x) => x.data.id === id);
      expect(e?.data.userId).toBeTypeOf('number');
    }, 120_000);

    it('over SSE the export events reach the user who started it and nobody else', async () => {
      const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
      const cookieOf = async (username: string) => {
        const res = await fetch(`${base}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'test-password-1' }),
        });
        expect(res.status).toBe(200);
        return res.headers
          .getSetCookie()
          .map((c) => c.split(';')[0])
          .join('; ');
      };
      // Each stream keeps what it heard until it is stopped.
      const listen = async (username: string) => {
        const ctl = new AbortController();
        const res = await fetch(`${base}/api/events`, {
          headers: { cookie: await cookieOf(username) },
          signal: ctl.signal,
        });
        let text = '';
        const reading = (async () => {
          const reader = (res.body as ReadableStream<Uint8Array>).getReader();
          const dec = new TextDecoder();
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) return;
              text += dec.decode(value);
            }
          } catch {
            // aborted
          }
        })();
        return {
          heard: () => text,
          stop: async () => {
            ctl.abort();
            await reading;
          },
        };
      };
      const owner = await listen('lixia');
      const sameCentreRole = await listen('zhangqiu');
      const city = await listen('jinan');
      const centre = await Client.login(t.app, 'lixia');
      const r = await centre.post('/api/export-jobs/certificates.xlsx', {});
      expect(r.statusCode, r.body).toBe(202);
      const id = (r.json() as ExportJobDto).id;
      await until(async () => (await centre.get(`/api/export-jobs/${id}`)).json(), finished);
      await new Promise((res) => setTimeout(res, 300));
      await Promise.all([owner.stop(), sameCentreRole.stop(), city.stop()]);
      expect(owner.heard()).toMatch(new RegExp(`event: export\ndata: \\{"id":${id},`));
      expect(owner.heard()).toContain('"status":"done"');
      // The city above 历下 hears the centre's other events, but not its exports.
      expect(city.heard()).not.toContain('event: export');
      expect(sameCentreRole.heard()).not.toContain('event: export');
    }, 60_000);

    it('a photo zip export runs as a job with the students as its total; the zip holds the photos and the report', async () => {
      const centre = await Client.login(t.app, 'lixia');
      const r = await centre.post('/api/export-jobs/photos.zip', { naming: 'xuehao' });
      expect(r.statusCode, r.body).toBe(202);
      const job = r.json() as ExportJobDto;
      expect(job.totalRows).toBeGreaterThan(EXTRA); // the estimate: students in scope
      const done = await until(async () => (await centre.get(`/api/export-jobs/${job.id}`)).json(), finished);
      expect(done.status, done.errorMessage ?? '').toBe('done');
      expect(done.doneRows).toBe(job.totalRows);
      const file = await centre.get(done.downloadUrl as string);
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-type']).toBe('application/zip');
      const names = await zipNames(file.rawPayload);
      expect(names).toContain('导出报告.xlsx');
      expect(names.filter((n) => n.endsWith('.jpg')).length).toBeGreaterThanOrEqual(EXTRA);
    }, 180_000);

    it('refusals come at once: out-of-scope organisation, 身份证号 naming by a city', async () => {
      const ids = await demoIds(t.app);
      const centre = await Client.login(t.app, 'zhangqiu');
      const out = await centre.post('/api/export-jobs/students.xlsx', { orgId: ids.centreA });
      expect(out.statusCode).toBe(404);
      const city = await Client.login(t.app, 'jinan');
      const idcard = await city.post('/api/export-jobs/photos.zip', { naming: 'idcard' });
      expect(idcard.statusCode).toBe(403);
    });

    it('a job left running by a stopped process is run again by the next process', async () => {
      const { repos } = t.app.ctx;
      const lixia = await repos.users.byUsername('lixia');
      const ids = await demoIds(t.app);
      const at = new Date(Date.now() - 3600_000).toISOString();
      // As a process that died half-way leaves it: running, an old heartbeat, no file.
      const row = await t.app.ctx.db.db
        .insertInto('export_jobs')
        .values({
          kind: 'students',
          params_json: '{}',
          org_id: ids.centreA,
          user_id: lixia!.id,
          user_name: '历下学习中心老师（lixia）',
          file_name: '学生名单.xlsx',
          status: 'running',
          total_rows: 10,
          done_rows: 5,
          created_at: at,
          started_at: at,
          heartbeat_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // The next process on the same database and files.
      const c = t.app.ctx.config;
      const next = await buildApp({ dataDir: c.dataDir, databaseUrl: c.databaseUrl, photoChecks: c.photoChecks });
      try {
        const centre = await Client.login(next, 'lixia');
        const done = await until(async () => (await centre.get(`/api/export-jobs/${row.id}`)).json(), finished);
        expect(done.status, done.errorMessage ?? '').toBe('done');
        expect(done.doneRows).toBeGreaterThan(EXTRA);
        expect((await centre.get(done.downloadUrl as string)).statusCode).toBe(200);
      } finally {
        await next.close();
      }
    }, 120_000);

    it('after 7 days the link expires: the file is removed, the download answers 410 EXPORT_EXPIRED', async () => {
      const centre = await Client.login(t.app, 'lixia');
      const r = await centre.post('/api/export-jobs/expired.xlsx', {});
      const id = (r.json() as ExportJobDto).id;
      const done = await until(async () => (await centre.get(`/api/export-jobs/${id}`)).json(), finished);
      expect(done.status).toBe('done');
      const row = await t.app.ctx.db.db
        .selectFrom('export_jobs')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      const stored = row.storage_path as string;
      await expect(t.app.ctx.files.read(stored)).resolves.toBeInstanceOf(Buffer);
      clock = 7 * 86400_000 + 60_000;
      try {
        expect(((await centre.get(`/api/export-jobs/${id}`)).json() as ExportJobDto).status).toBe('expired');
        const removed = await t.app.ctx.services.exportJobs.sweepExpired();
        expect(removed).toBeGreaterThanOrEqual(1);
        await expect(t.app.ctx.files.read(stored)).rejects.toThrow();
        const gone = await centre.get(`/api/export-jobs/${id}/download`);
        expect(gone.statusCode).toBe(410);
        expect(gone.json().code).toBe('EXPORT_EXPIRED');
      } finally {
        clock = 0;
      }
    }, 120_000);

    it('a streamed download is audited too (who, which report, how many rows)', async () => {
      const city = await Client.login(t.app, 'jinan');
      const r = await city.get('/api/reports/students.xlsx');
      expect(r.statusCode).toBe(200);
      // The audit entry is written once the last row went out.
      await new Promise((res) => setTimeout(res, 200));
      const audit = await t.app.ctx.db.db
        .selectFrom('audit_log')
        .selectAll()
        .where('action', '=', 'export')
        .where('actor_name', 'like', '%jinan%')
        .execute();
      expect(audit.some((a) => a.reason?.startsWith('导出学生名单'))).toBe(true);
    });
  });
}

const redisUrl = process.env.REDIS_URL;
for (const backend of BACKENDS) {
  describe.skipIf(!redisUrl)(`background exports on gradpass worker (${backend}, WORKERS=external)`, () => {
    let t: TestApp;
    let worker: RunningWorker | null = null;
    let webRuns = 0;
    beforeAll(async () => {
      const queuePrefix = `gp-export-${crypto.randomBytes(4).toString('hex')}`;
      t = await makeApp(backend, { redisUrl, queuePrefix, workers: 'external' });
      const jobs = t.app.ctx.services.exportJobs;
      const run = jobs.run.bind(jobs);
      jobs.run = async (id: number) => {
        webRuns++;
        return run(id);
      };
    }, 120_000);
    afterAll(async () => {
      await worker?.close();
      await t?.close();
    });

    it('the web only queues the export; it waits until a worker starts, which runs it; the web downloads it', async () => {
      const centre = await Client.login(t.app, 'lixia');
      const r = await centre.post('/api/export-jobs/students.xlsx', {});
      expect(r.statusCode, r.body).toBe(202);
      const id = (r.json() as ExportJobDto).id;
      await new Promise((res) => setTimeout(res, 500));
      expect(((await centre.get(`/api/export-jobs/${id}`)).json() as ExportJobDto).status).toBe('queued');
      // Nobody consumes yet: two more wait beside it, a fourth is refused.
      for (const kind of ['applications', 'certificates'])
        expect((await centre.post(`/api/export-jobs/${kind}.xlsx`, {})).statusCode).toBe(202);
      const busy = await centre.post('/api/export-jobs/expired.xlsx', {});
      expect(busy.statusCode).toBe(429);
      expect(busy.json().code).toBe('EXPORT_BUSY');
      const c = t.app.ctx.config;
      worker = await startWorker(
        {
          dataDir: c.dataDir,
          databaseUrl: c.databaseUrl,
          redisUrl,
          queuePrefix: c.queuePrefix,
          photoChecks: c.photoChecks,
        },
        { threads: 1 },
      );
      const done = await until(async () => (await centre.get(`/api/export-jobs/${id}`)).json(), finished);
      expect(done.status, done.errorMessage ?? '').toBe('done');
      expect(worker.exported()).toBeGreaterThanOrEqual(1);
      expect(webRuns).toBe(0);
      const file = await centre.get(done.downloadUrl as string);
      expect(file.statusCode).toBe(200);
      expect((await xlsxRows(file.rawPayload)).length).toBe(done.doneRows + 1);
    }, 120_000);
  });
}

describe('background exports with the files in an S3 bucket (s3rver)', () => {
  let s3: S3rver;
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-export-s3-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true });
    const { port } = await s3.run();
    const settings = {
      endpoint: `http://127.0.0.1:${port}`,
      bucket: 'gradpass-export-test',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    };
    await new S3Store(settings).ensureBucket(true);
    t = await makeApp('sqlite', { s3: settings });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the finished file is streamed into the bucket, downloaded from it, and removed from it when it expires', async () => {
    const centre = await Client.login(t.app, 'lixia');
    const r = await centre.post('/api/export-jobs/students.xlsx', {});
    expect(r.statusCode, r.body).toBe(202);
    const id = (r.json() as ExportJobDto).id;
    const done = await until(async () => (await centre.get(`/api/export-jobs/${id}`)).json(), finished);
    expect(done.status, done.errorMessage ?? '').toBe('done');
    const file = await centre.get(done.downloadUrl as string);
    expect(file.statusCode).toBe(200);
    expect((await xlsxRows(file.rawPayload)).length).toBe(done.doneRows + 1);
    const row = await t.app.ctx.db.db
      .selectFrom('export_jobs')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(t.app.ctx.files.kind).toBe('s3');
    expect((await t.app.ctx.files.read(row.storage_path as string)).length).toBe(file.rawPayload.length);
    // Nothing of it stayed on local disk.
    expect(fs.existsSync(path.join(t.app.ctx.config.dataDir, 'exports'))).toBe(false);
    await t.app.ctx.db.db
      .updateTable('export_jobs')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute();
    expect(await t.app.ctx.services.exportJobs.sweepExpired()).toBe(1);
    await expect(t.app.ctx.files.read(row.storage_path as string)).rejects.toThrow();
  }, 120_000);
});
