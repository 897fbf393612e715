import path from 'node:path';
import { s3SettingsFromEnv, type S3Settings } from './storage.js';
import { resolveNotificationConfig, type NotificationConfig } from './services/notifications.js';

/** How long a web process waits for a face job on the worker by default (人脸分析等待上限). */
export const FACE_WAIT_MS = 20_000;

/** Server configuration (配置). Every field has a default so `buildApp({})` works in tests. */
export interface AppConfig {
  /** Directory for the SQLite file and photos. Default ./data (env DATA_DIR). */
  dataDir: string;
  /** SQLite file path; ':memory:' for an in-memory database. Default <dataDir>/gradpass.sqlite. */
  sqliteFile?: string;
  /** PostgreSQL connection string; when set, PostgreSQL is used instead of SQLite (env DATABASE_URL). */
  databaseUrl?: string;
  /** Redis URL; when set, photo checks run on BullMQ (env REDIS_URL). */
  redisUrl?: string;
  /**
   * Job queue name prefix on Redis (env QUEUE_PREFIX). Default: derived from the database, so every process of
   * one deployment shares the queue and two deployments on one Redis never take each other's jobs.
   */
  queuePrefix?: string;
  /**
   * Who runs the photo checks (env WORKERS): `internal` (default) — this process; `external` — `gradpass worker`
   * processes (needs REDIS_URL): a web process then only enqueues and never runs a face analysis.
   */
  workers: 'internal' | 'external';
  /** S3-compatible object store for photos and documents (env S3_*); null: local disk under dataDir. */
  s3: S3Settings | null;
  /**
   * With WORKERS=external: how long a web process waits for a face job on the worker (同版比对, 一键修正) before it
   * answers 202 with the job id, or 503 FACE_JOB_PENDING at the submission gate (env FACE_WAIT_MS; default 20 s).
   */
  faceWaitMs: number;
  /** Photo checks: which profile, and whether face analysis runs. */
  photoChecks: { profile: string; face: boolean };
  /** Bounded concurrency of the in-process photo check queue. */
  jobConcurrency: number;
  /** Set cookies with Secure (behind https). */
  secureCookies: boolean;
  /** Login attempts allowed per minute per client address + user name (3× that per user name overall). */
  loginRateLimit: number;
  /** Uploads, imports and exports allowed per minute per user (env EXPENSIVE_RATE_LIMIT). */
  expensiveRateLimit: number;
  /**
   * Addresses/CIDRs of the reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (env
   * TRUST_PROXY, comma-separated). Empty: the peer address is the client, forwarded headers are ignored.
   */
  trustProxy: string[];
  /** Directory of the built web UI; served at / when it exists. */
  webDist?: string;
  /** Fastify request log on/off (LOG=1). Errors (500s) are logged either way, with the request id. */
  logger: boolean;
  /** Where the log goes (default stdout); for tests. */
  logStream?: { write(line: string): void };
  /** 5-digit school code used in 电子注册号 (default 国开 51161). */
  schoolCode: string;
  /** Clock, for tests. */
  now: () => Date;
  /** E-mail and group-robot notifications (SMTP_URL, SMTP_FROM, NOTIFY_*; see services/notifications.ts). */
  notifications: NotificationConfig;
}

export function resolveConfig(partial: Partial<AppConfig> = {}): AppConfig {
  const dataDir = partial.dataDir ?? process.env.DATA_DIR ?? path.resolve('data');
  return {
    dataDir,
    sqliteFile: partial.sqliteFile,
    databaseUrl: partial.databaseUrl ?? undefined,
    redisUrl: partial.redisUrl ?? undefined,
    queuePrefix: partial.queuePrefix ?? undefined,
    workers: partial.workers ?? 'internal',
    s3: partial.s3 ?? null,
    faceWaitMs: partial.faceWaitMs ?? FACE_WAIT_MS,
    photoChecks: partial.photoChecks ?? { profile: 'chsi-graduation', face: true },
    jobConcurrency: partial.jobConcurrency ?? 2,
    secureCookies: partial.secureCookies ?? false,
    loginRateLimit: partial.loginRateLimit ?? 10,
    expensiveRateLimit: partial.expensiveRateLimit ?? 60,
    trustProxy: partial.trustProxy ?? [],
    webDist: partial.webDist,
    logger: partial.logger ?? false,
    logStream: partial.logStream,
    schoolCode: partial.schoolCode ?? '51161',
    now: partial.now ?? (() => new Date()),
    notifications: resolveNotificationConfig(partial.notifications),
  };
}

/** `FACE_WAIT_MS=5000` → milliseconds (unset: the default); anything but a positive whole number refuses to start. */
export function parseFaceWait(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new Error(`FACE_WAIT_MS=${value} 无效：应为正整数（毫秒），如 20000`);
  return ms;
}

/** `TRUST_PROXY=127.0.0.1,10.0.0.0/8` → the list of trusted proxy addresses/CIDRs (empty when unset). */
export function parseTrustProxy(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The settings every process of one deployment shares, from the environment (共享部署配置): database, Redis, queue
 * prefix, who runs the checks, object store, data folder and photo checks — read alike by `npm start` and by
 * `gradpass worker`, so both always agree.
 */
export function deploymentFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AppConfig> {
  const workers = env.WORKERS || 'internal';
  if (workers !== 'internal' && workers !== 'external')
    throw new Error(`WORKERS=${workers} 无效：应为 internal（本进程检测照片）或 external（由 gradpass worker 检测）`);
  if (workers === 'external' && !env.REDIS_URL)
    throw new Error('WORKERS=external 需要 REDIS_URL：照片检测任务经 Redis 交给 gradpass worker 进程');
  return {
    dataDir: env.DATA_DIR ? path.resolve(env.DATA_DIR) : path.resolve('data'),
    databaseUrl: env.DATABASE_URL || undefined,
    redisUrl: env.REDIS_URL || undefined,
    queuePrefix: env.QUEUE_PREFIX || undefined,
    workers,
    s3: s3SettingsFromEnv(env),
    photoChecks: { profile: env.PHOTO_PROFILE ?? 'chsi-graduation', face: env.PHOTO_FACE !== '0' },
  };
}
