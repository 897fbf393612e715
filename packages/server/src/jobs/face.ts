import crypto from 'node:crypto';
import { Job, Queue, QueueEvents, Worker } from 'bullmq';
import { redisConnection } from './queue.js';

/**
 * What a face job asks (人脸分析任务): the 同版 comparison of a student's photo with the 学信网 reference, or 一键修正
 * of the student's current photo for a user. Jobs carry ids only; the worker reads the rest from the database.
 */
export type FaceJobData =
  | { op: 'compare'; studentId: number; userId: number }
  | { op: 'standardize'; studentId: number; userId: number; align?: 'centre' | 'face'; background?: 'keep' | 'blue' };

/** A refusal the job met on the worker (学生不在范围内, 照片已锁定…), carried back to the web as it is. */
export interface FaceJobRefusal {
  refusal: { status: number; code: string; message: string };
}

/** How a face job stands (for the polling client). */
export interface FaceJobState {
  state: 'queued' | 'running' | 'done' | 'failed';
  data: FaceJobData;
  result?: unknown;
  failedReason?: string;
}

/**
 * The face-analysis queue on Redis (BullMQ): a web process with WORKERS=external sends 同版 comparisons and 一键修正
 * here and waits a bounded time for the answer; `gradpass worker` runs them (`handler`). Finished jobs keep their
 * result for an hour, so a client answered 202 can fetch it by job id.
 */
export class FaceJobQueue {
  private readonly queue: Queue;
  private readonly events: QueueEvents | null;
  private readonly worker: Worker | null;
  private ready: Promise<unknown> | null = null;
  constructor(opts: {
    redisUrl: string;
    name: string;
    /** Runs the jobs in this process (the worker); omitted: only sends them (the web). */
    handler?: (data: FaceJobData) => Promise<unknown>;
    onError?: (e: unknown) => void;
  }) {
    const connection = redisConnection(opts.redisUrl);
    const onError = opts.onError ?? (() => undefined);
    this.queue = new Queue(opts.name, { connection });
    // Every job waited for adds a 'closing' listener to the queue until it ends; a bulk submission waits for many
    // at once (one per student), which is not a leak.
    this.queue.setMaxListeners(0);
    this.queue.on('error', onError);
    this.events = opts.handler ? null : new QueueEvents(opts.name, { connection });
    this.events?.on('error', onError);
    const handler = opts.handler;
    this.worker = handler
      ? new Worker(opts.name, async (job) => handler(job.data as FaceJobData), {
          connection,
          concurrency: 1,
          lockDuration: 60_000,
          maxStalledCount: 1,
        })
      : null;
    this.worker?.on('error', onError);
    this.worker?.on('failed', (_job, e) => onError(e));
  }

  /**
   * Sends a job and waits up to `waitMs` for its result: `{ done: true, result }`, or `{ done: false, jobId }` when
   * it takes longer (the job runs on; {@link state} tells how it ends). A job that failed on the worker rejects.
   */
  async run(
    data: FaceJobData,
    waitMs: number,
  ): Promise<{ done: true; result: unknown } | { done: false; jobId: string }> {
    if (!this.events) throw new Error('FaceJobQueue: this process runs the jobs itself');
    this.ready ??= this.events.waitUntilReady();
    await this.ready;
    const job = await this.queue.add(data.op, data, {
      jobId: `face-${crypto.randomBytes(9).toString('hex')}`,
      removeOnComplete: { age: 3600 },
      removeOnFail: { age: 3600 },
      attempts: 1,
    });
    try {
      return { done: true, result: await job.waitUntilFinished(this.events, waitMs) };
    } catch (e) {
      // Still running after waitMs (BullMQ says so in its message): the client polls the job instead.
      if (/timed out|Job wait .* timed out/i.test((e as Error).message ?? ''))
        return { done: false, jobId: job.id as string };
      throw e;
    }
  }

  /** One job's state and result (undefined when unknown or removed). */
  async state(jobId: string): Promise<FaceJobState | undefined> {
    if (!/^face-[0-9a-f]{18}$/.test(jobId)) return undefined;
    const job = await Job.fromId(this.queue, jobId);
    if (!job) return undefined;
    const s = await job.getState();
    const state: FaceJobState['state'] =
      s === 'completed' ? 'done' : s === 'failed' ? 'failed' : s === 'active' ? 'running' : 'queued';
    return { state, data: job.data as FaceJobData, result: job.returnvalue, failedReason: job.failedReason };
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.events?.close();
    await this.queue.close();
  }
}
