import type { AppConfig } from '../config.js';
import type { ExportJobService } from '../services/export-jobs.js';
import { MemoryQueue, RedisQueue, exportQueueNameFor, type JobQueue } from './queue.js';

/** How often every process looks for lost jobs and expired files (维护周期). */
const MAINTENANCE_MS = 60_000;

/** The background-export queue of one process and its upkeep (restart recovery, removal of expired files). */
export interface ExportQueueHandle {
  queue: JobQueue;
  /** Recovers unfinished jobs, removes expired files, and repeats both every minute. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The export queue as the configuration asks: BullMQ on Redis when REDIS_URL is set — consumed here unless
 * WORKERS=external (then `gradpass worker` runs the exports and this process only enqueues) — else in memory,
 * one export at a time (an export is I/O and one page of rows; several at once would only share the disk).
 * `consume` forces a consumer (the worker process).
 */
export function exportQueue(
  config: Pick<AppConfig, 'redisUrl' | 'workers' | 'queuePrefix' | 'databaseUrl' | 'dataDir'>,
  service: ExportJobService,
  onError: (e: unknown) => void,
  opts: { consume?: boolean } = {},
): ExportQueueHandle {
  const handler = (id: number) => service.run(id);
  const consume = opts.consume ?? config.workers !== 'external';
  const queue: JobQueue = config.redisUrl
    ? new RedisQueue({
        redisUrl: config.redisUrl,
        name: exportQueueNameFor({
          prefix: config.queuePrefix,
          databaseUrl: config.databaseUrl,
          dataDir: config.dataDir,
        }),
        handler: consume ? handler : undefined,
        concurrency: 1,
        jobPrefix: 'export',
        // A job whose process died is taken again by BullMQ's stalled check; the row's claim decides who runs it.
        attempts: 1,
        onError,
      })
    : new MemoryQueue(handler, 1, onError);
  let timer: ReturnType<typeof setInterval> | null = null;
  let closed = false;
  const upkeep = async (firstStart: boolean) => {
    if (closed) return;
    await service.recover(firstStart);
    await service.sweepExpired();
  };
  return {
    queue,
    async start() {
      await upkeep(true);
      timer = setInterval(() => void upkeep(false).catch(onError), MAINTENANCE_MS);
      timer.unref();
    },
    async close() {
      closed = true;
      if (timer) clearInterval(timer);
      service.stop();
      await queue.close();
    },
  };
}
