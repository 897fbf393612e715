import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';

/** A job handler: a plain service method taking the photo id (照片检测任务). */
export type PhotoJobHandler = (photoId: number) => Promise<void>;

/** The photo-check queue: in-process by default, BullMQ on Redis when REDIS_URL is set. */
export interface JobQueue {
  readonly kind: 'memory' | 'redis';
  enqueue(photoId: number): Promise<void>;
  /**
   * Of these photos, those that have no job waiting, running or delayed (restart recovery: only these need a
   * job; a photo another process holds keeps its job). A job that failed for good counts as none.
   */
  withoutJob(photoIds: number[]): Promise<number[]>;
  /** Whether this process runs the checks itself (false: a web process whose checks run on `gradpass worker`). */
  readonly consumes: boolean;
  /** Resolves when nothing is queued or running (in this process). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** In-process queue with bounded concurrency. */
export class MemoryQueue implements JobQueue {
  readonly kind = 'memory' as const;
  readonly consumes = true;
  private readonly waiting: number[] = [];
  private readonly inFlight = new Set<number>();
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;
  constructor(
    private readonly handler: PhotoJobHandler,
    private readonly concurrency: number,
    private readonly onError: (e: unknown) => void,
  ) {}
  async enqueue(photoId: number): Promise<void> {
    if (this.closed) return;
    this.waiting.push(photoId);
    this.pump();
  }
  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const id = this.waiting.shift() as number;
      this.running++;
      this.inFlight.add(id);
      this.handler(id)
        .catch(this.onError)
        .finally(() => {
          this.running--;
          this.inFlight.delete(id);
          this.pump();
          if (!this.running && !this.waiting.length) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            w.forEach((f) => f());
          }
        });
    }
  }
  async withoutJob(photoIds: number[]): Promise<number[]> {
    const queued = new Set(this.waiting);
    return photoIds.filter((id) => !queued.has(id) && !this.inFlight.has(id));
  }
  idle(): Promise<void> {
    if (!this.running && !this.waiting.length) return Promise.resolve();
    return new Promise((res) => this.idleWaiters.push(res));
  }
  async close(): Promise<void> {
    this.closed = true;
    this.waiting.length = 0;
    await this.idle();
  }
}

/** Options of {@link RedisQueue}. */
export interface RedisQueueOptions {
  redisUrl: string;
  /** The deployment's queue name ({@link queueNameFor}). */
  name: string;
  /** Runs the checks in this process; omitted: only enqueues (a web process when `WORKERS=external`). */
  handler?: PhotoJobHandler;
  /** Jobs run at once by this process's consumer. */
  concurrency: number;
  /** Errors of the consumer (a job that threw; Redis connection errors). */
  onError?: (e: unknown) => void;
  /** Job ids are `<jobPrefix>-<id>` (default `photo`: {@link photoJobId}); another queue kind names its own. */
  jobPrefix?: string;
  /** Tries of one job (default 2: a check that crashed its process once is tried again). */
  attempts?: number;
}

/** ioredis connection options from a `redis://[:password@]host:port/db` URL (BullMQ needs maxRetriesPerRequest null). */
export function redisConnection(redisUrl: string) {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: Number(u.pathname.slice(1) || 0),
    maxRetriesPerRequest: null,
  };
}

/** The fixed job id of a photo's check: one job per photo, however often it is enqueued. */
export const photoJobId = (photoId: number): string => `photo-${photoId}`;

/**
 * BullMQ queue: several processes share the work through Redis. `name` is per deployment (see
 * {@link queueNameFor}) so two deployments on one Redis never take each other's jobs. A photo's job id is fixed
 * ({@link photoJobId}): enqueueing it again while it waits or runs is a no-op. Recovery after a crash is BullMQ's
 * lease: a running job holds a lock its worker renews; when the worker dies the lock expires and the stalled-job
 * check hands the job to another worker (at most `maxStalledCount` times). Nothing is re-queued wholesale.
 */
export class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  readonly consumes: boolean;
  private readonly queue: Queue;
  private readonly worker: Worker | null;
  private active = 0;
  private readonly jobPrefix: string;
  private readonly attempts: number;
  constructor(opts: RedisQueueOptions) {
    this.jobPrefix = opts.jobPrefix ?? 'photo';
    this.attempts = opts.attempts ?? 2;
    const connection = redisConnection(opts.redisUrl);
    const onError = opts.onError ?? (() => undefined);
    this.queue = new Queue(opts.name, { connection });
    this.queue.on('error', onError);
    const handler = opts.handler;
    this.consumes = !!handler;
    this.worker = handler
      ? new Worker(
          opts.name,
          async (job) => {
            this.active++;
            try {
              await handler(Number(job.data.photoId));
            } finally {
              this.active--;
            }
          },
          { connection, concurrency: opts.concurrency, lockDuration: 60_000, maxStalledCount: 2 },
        )
      : null;
    this.worker?.on('error', onError);
    this.worker?.on('failed', (_job, e) => onError(e));
  }
  async enqueue(photoId: number): Promise<void> {
    await this.queue.add('check', { photoId }, this.jobOptions(photoId));
  }
  private jobId(id: number): string {
    return `${this.jobPrefix}-${id}`;
  }
  private jobOptions(photoId: number) {
    return { jobId: this.jobId(photoId), removeOnComplete: true, removeOnFail: 1000, attempts: this.attempts };
  }
  /** Many photos in one round trip (restart recovery). */
  async enqueueMany(photoIds: number[]): Promise<void> {
    if (!photoIds.length) return;
    await this.queue.addBulk(
      photoIds.map((photoId) => ({ name: 'check', data: { photoId }, opts: this.jobOptions(photoId) })),
    );
  }
  async withoutJob(photoIds: number[]): Promise<number[]> {
    const states = await Promise.all(photoIds.map((id) => this.queue.getJobState(this.jobId(id))));
    const out: number[] = [];
    for (let i = 0; i < photoIds.length; i++) {
      const state = states[i];
      if (state === 'failed' || state === 'completed') await this.queue.remove(this.jobId(photoIds[i]));
      if (state === 'failed' || state === 'completed' || state === 'unknown') out.push(photoIds[i]);
    }
    return out;
  }
  async idle(): Promise<void> {
    for (;;) {
      const c = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (!c.waiting && !c.active && !c.delayed && !c.prioritized && !this.active) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

/**
 * The name of one deployment on a shared Redis (部署标识): `QUEUE_PREFIX` when configured, else derived from the
 * database it serves (every process of a deployment shares the database, so they share the name; another
 * deployment's differs). Its queue, event channel and rate-limit counters all carry it.
 */
export function deploymentKey(opts: { prefix?: string; databaseUrl?: string; dataDir: string }): string {
  if (opts.prefix) return opts.prefix;
  const identity = opts.databaseUrl ? opts.databaseUrl.replace(/\/\/[^@/]*@/, '//') : `sqlite:${opts.dataDir}`;
  return `gradpass-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/** The photo-check queue name of one deployment (see {@link deploymentKey}). */
export function queueNameFor(opts: { prefix?: string; databaseUrl?: string; dataDir: string }): string {
  return `${deploymentKey(opts)}-photo-checks`;
}

/** The background-export queue name of one deployment (后台导出队列). */
export function exportQueueNameFor(opts: { prefix?: string; databaseUrl?: string; dataDir: string }): string {
  return `${deploymentKey(opts)}-exports`;
}

/** The face-analysis queue name of one deployment (人脸分析队列: 同版比对, 一键修正). */
export function faceQueueNameFor(opts: { prefix?: string; databaseUrl?: string; dataDir: string }): string {
  return `${deploymentKey(opts)}-face`;
}
