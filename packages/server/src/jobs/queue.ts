import { createHash } from 'node:crypto';
import { Queue, Worker } from 'bullmq';

/** A job handler: a plain service method taking the photo id (照片检测任务). */
export type PhotoJobHandler = (photoId: number) => Promise<void>;

/** The photo-check queue: in-process by default, BullMQ on Redis when REDIS_URL is set. */
export interface JobQueue {
  readonly kind: 'memory' | 'redis';
  enqueue(photoId: number): Promise<void>;
  /** Resolves when nothing is queued or running (in this process). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** In-process queue with bounded concurrency. */
export class MemoryQueue implements JobQueue {
  readonly kind = 'memory' as const;
  private readonly waiting: number[] = [];
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
      this.handler(id)
        .catch(this.onError)
        .finally(() => {
          this.running--;
          this.pump();
          if (!this.running && !this.waiting.length) {
            const w = this.idleWaiters;
            this.idleWaiters = [];
            w.forEach((f) => f());
          }
        });
    }
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

/**
 * BullMQ queue: several server processes share the work through Redis; the handler is the same. `name` is per
 * deployment (see {@link queueNameFor}) so two deployments on one Redis never take each other's jobs. A photo's
 * job id is fixed (`photo-<id>`): enqueueing it again while it waits or runs is a no-op, so a restart that
 * re-queues unfinished photos does not duplicate work other processes hold; BullMQ's lock renewal hands a job
 * whose worker died to another worker (stalled-job recovery).
 */
export class RedisQueue implements JobQueue {
  readonly kind = 'redis' as const;
  private readonly queue: Queue;
  private readonly worker: Worker;
  private active = 0;
  constructor(redisUrl: string, handler: PhotoJobHandler, concurrency: number, name: string) {
    const u = new URL(redisUrl);
    const connection = {
      host: u.hostname,
      port: Number(u.port || 6379),
      password: u.password || undefined,
      db: Number(u.pathname.slice(1) || 0),
      maxRetriesPerRequest: null,
    };
    this.queue = new Queue(name, { connection });
    this.worker = new Worker(
      name,
      async (job) => {
        this.active++;
        try {
          await handler(Number(job.data.photoId));
        } finally {
          this.active--;
        }
      },
      { connection, concurrency },
    );
  }
  async enqueue(photoId: number): Promise<void> {
    await this.queue.add(
      'check',
      { photoId },
      { jobId: `photo-${photoId}`, removeOnComplete: true, removeOnFail: 1000, attempts: 2 },
    );
  }
  async idle(): Promise<void> {
    for (;;) {
      const c = await this.queue.getJobCounts('waiting', 'active', 'delayed');
      if (!c.waiting && !c.active && !c.delayed && !this.active) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
  }
}

/**
 * The queue name of one deployment: `QUEUE_PREFIX` when configured, else derived from the database it serves
 * (every process of a deployment shares the database, so they share the queue; another deployment's differs).
 */
export function queueNameFor(opts: { prefix?: string; databaseUrl?: string; dataDir: string }): string {
  if (opts.prefix) return `${opts.prefix}-photo-checks`;
  const identity = opts.databaseUrl ? opts.databaseUrl.replace(/\/\/[^@/]*@/, '//') : `sqlite:${opts.dataDir}`;
  return `gradpass-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}-photo-checks`;
}
