import os from 'node:os';
import path from 'node:path';
import { loadProfile, type PhotoReport } from '@gradpass/photo';
import { PhotoPool, toTransferable } from '@gradpass/photo/batch/pool';
import { deploymentFromEnv, resolveConfig, type AppConfig } from './config.js';
import { openDatabase } from './db/connect.js';
import { makeRepos } from './repositories/index.js';
import { openFileStore } from './storage.js';
import { EventBus } from './events.js';
import { RedisQueue, deploymentKey, faceQueueNameFor, queueNameFor } from './jobs/queue.js';
import { FaceJobQueue } from './jobs/face.js';
import { actorFromUser } from './services/auth.js';
import { OrgTree } from './services/context.js';
import { AppError } from './errors.js';
import { StudentService } from './services/students.js';
import { PhotoService } from './services/photos.js';
import { CertificateService } from './services/certificates.js';
import { ApplicationService } from './services/applications.js';
import { AuditService } from './services/audit-read.js';
import { ExportSources } from './services/export-sources.js';
import { ExportJobService } from './services/export-jobs.js';
import { ExportJobRepository } from './repositories/export-jobs.js';
import { exportQueue } from './jobs/exports.js';

/** A running job consumer (后台检测进程); `close()` lets running checks finish, then disconnects. */
export interface RunningWorker {
  /** Threads of the photo pool (one photo per thread at a time). */
  threads: number;
  queueName: string;
  /** Photos given a job at start because they had none (restart recovery). */
  requeued: number;
  /** Photos this worker has checked so far. */
  checked(): number;
  /** Background exports this worker has run so far. */
  exported(): number;
  /** 同版 comparisons and 一键修正 this worker has run for the web processes so far. */
  faceJobs(): number;
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Threads of the photo pool; default every core (`os.availableParallelism()`). */
  threads?: number;
  /** Errors of single jobs (logged; the job is retried once by BullMQ). */
  onError?: (e: unknown) => void;
}

/**
 * `gradpass worker` / `npm run worker`: only the job consumers — the photo checks of the deployment's queue,
 * run on the photo engine's piscina pool over every core — connected to the same database, Redis and file store
 * as the web processes (`WORKERS=external` there: the web only enqueues). Several workers on several machines
 * share the queue; a worker that dies leaves its jobs to the others through BullMQ's lock expiry.
 */
export async function startWorker(partial: Partial<AppConfig>, opts: WorkerOptions = {}): Promise<RunningWorker> {
  const config = resolveConfig(partial);
  if (!config.redisUrl)
    throw new Error('gradpass worker 需要 REDIS_URL（与网页进程相同的 Redis），照片检测任务经 Redis 分发');
  const onError = opts.onError ?? ((e: unknown) => console.error(`照片检测任务出错：${(e as Error).message ?? e}`));
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: config.sqliteFile ?? path.join(config.dataDir, 'gradpass.sqlite'),
    onConnectionError: (e) => onError(e),
  });
  const repos = makeRepos(db.db, db.kind);
  const files = await openFileStore({ dataDir: config.dataDir, s3: config.s3 });
  const keyOpts = { prefix: config.queuePrefix, databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const events = new EventBus(onError);
  await events.connect(config.redisUrl, `${deploymentKey(keyOpts)}-events`);
  const students = new StudentService(repos, files, config.now);
  const photos = new PhotoService(repos, files, students, events, config.photoChecks, config.now);
  const pool = new PhotoPool({
    profile: loadProfile(config.photoChecks.profile),
    jobs: opts.threads ?? os.availableParallelism(),
  });
  photos.inspector = async (bytes: Buffer, fileName: string, face: boolean): Promise<PhotoReport> =>
    (await pool.run({ op: 'check', name: fileName, fileName, bytes: toTransferable(bytes), face })).report;
  let checked = 0;
  const queueName = queueNameFor(keyOpts);
  const queue = new RedisQueue({
    redisUrl: config.redisUrl,
    name: queueName,
    handler: async (id) => {
      await photos.check(id);
      checked++;
    },
    // One job per thread, plus one so a thread never waits for the database between two photos.
    concurrency: pool.jobs + 1,
    onError,
  });
  photos.queue = queue;
  const requeued = await photos.requeueUnfinished();
  // Background exports (后台导出): the same services as the web's download routes, one export at a time.
  const certificates = new CertificateService(repos, events, config.now);
  const applications = new ApplicationService(
    repos,
    students,
    events,
    certificates,
    photos,
    { schoolCode: config.schoolCode },
    config.now,
  );
  const sources = new ExportSources(
    repos,
    { students, applications: () => applications, certificates, audit: new AuditService(repos) },
    config.now,
  );
  const exportJobs = new ExportJobService(
    repos,
    new ExportJobRepository(db.db),
    files,
    sources,
    photos,
    events,
    config.now,
  );
  let exported = 0;
  const run = exportJobs.run.bind(exportJobs);
  exportJobs.run = async (id: number) => {
    await run(id);
    exported++;
  };
  exportJobs.onError = onError;
  const exportsHandle = exportQueue(config, exportJobs, onError, { consume: true });
  exportJobs.queue = exportsHandle.queue;
  await exportsHandle.start();
  // 同版 comparisons and 一键修正 for the web processes (WORKERS=external there), one at a time (Human is serial).
  let faceRuns = 0;
  const faceQueue = new FaceJobQueue({
    redisUrl: config.redisUrl,
    name: faceQueueNameFor(keyOpts),
    handler: async (data) => {
      const result = await photos.runFaceJob(data, async (userId) => {
        const user = await repos.users.byId(userId);
        if (!user || user.disabled_at) throw new AppError(403, 'ACCOUNT_DISABLED', '账号已停用');
        return actorFromUser(user, await OrgTree.load(repos));
      });
      faceRuns++;
      return result;
    },
    onError,
  });
  return {
    threads: pool.jobs,
    queueName,
    requeued,
    checked: () => checked,
    exported: () => exported,
    faceJobs: () => faceRuns,
    async close() {
      await faceQueue.close();
      await exportsHandle.close();
      await queue.close();
      await pool.close();
      await events.close();
      await files.close();
      await db.close();
    },
  };
}

/**
 * Runs a worker with the deployment's environment (DATABASE_URL, REDIS_URL, QUEUE_PREFIX, S3_*, DATA_DIR,
 * PHOTO_*: the same variables as the web processes) until SIGTERM/SIGINT, printing what it does in Chinese.
 * Stops gracefully: running checks finish (a second signal, or 25 s, exits at once).
 */
export async function runWorkerFromEnv(opts: { threads?: number } = {}): Promise<void> {
  const threads = opts.threads ?? (process.env.WORKER_THREADS ? Number(process.env.WORKER_THREADS) : undefined);
  const w = await startWorker(deploymentFromEnv(), { threads });
  console.log(
    `gradpass 照片检测进程已启动：${w.threads} 个线程，队列 ${w.queueName}；同时处理后台导出、同版比对与一键修正`,
  );
  if (w.requeued) console.log(`  ${w.requeued} 张待检测照片此前没有任务，已重新排队`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`收到 ${signal}，正在停止：等待进行中的照片检测完成…（本进程共检测 ${w.checked()} 张）`);
    setTimeout(() => process.exit(1), 25_000).unref();
    w.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error('停止时出错：', e instanceof Error ? e.message : e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
