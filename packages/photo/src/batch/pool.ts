/**
 * The batch worker pool (批量处理线程池): piscina threads spread `inspect`/`standardize` over every core.
 * Work in flight is bounded (backpressure: the source is only pulled when a slot is free), so memory stays
 * flat however many photos a folder holds; results stream back in completion order.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Profile } from '../types.js';
import type { SourceFile, SourceItem } from './sources.js';
import { SourceError } from './sources.js';
import { errorReport, type PhotoTask, type PhotoTaskBatch, type PhotoTaskResult, type PoolWorkerData } from './task.js';

export interface PoolOptions {
  profile: Profile;
  /** Worker threads. Default `os.availableParallelism()`. */
  jobs?: number;
  /** Abort a photo (terminating its worker) after it has run this long, ms — time queued does not count. Default 180 s. */
  taskTimeoutMs?: number;
}

/** Path of the built worker (`dist/batch/worker.js`), also when this module runs from TypeScript sources. */
export function workerFile(): string {
  const here = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(here)) return here;
  const built = here.replace(/([\\/])src([\\/])batch([\\/])worker\.js$/, '$1dist$2batch$3worker.js');
  if (existsSync(built)) return built;
  throw new Error(`找不到已构建的工作线程文件 ${built}（请先运行 npx tsc -b）WORKER_NOT_BUILT`);
}

/** A pool of photo workers. Close it when done. */
export class PhotoPool {
  readonly jobs: number;
  private readonly piscina: Piscina<PhotoTask | PhotoTaskBatch, PhotoTaskResult | PhotoTaskResult[]>;
  private readonly timeoutMs: number;
  /** Threads free now, and the tasks waiting for one (so a task's timeout starts when it starts to run). */
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(opts: PoolOptions) {
    this.jobs = Math.max(1, Math.floor(opts.jobs ?? os.availableParallelism()));
    this.timeoutMs = opts.taskTimeoutMs ?? 180_000;
    this.free = this.jobs;
    const workerData: PoolWorkerData = { profile: opts.profile };
    this.piscina = new Piscina<PhotoTask | PhotoTaskBatch, PhotoTaskResult | PhotoTaskResult[]>({
      filename: workerFile(),
      minThreads: this.jobs,
      maxThreads: this.jobs,
      idleTimeout: 60_000,
      workerData,
      // Keep libvips to one thread per worker even before the worker module runs.
      env: { ...process.env, VIPS_CONCURRENCY: '1' },
    });
  }

  /**
   * Run one task. The photo bytes are transferred (not copied). Rejects only when the worker itself fails
   * (crash, timeout); `processBatch` turns that into an error report.
   */
  run(task: PhotoTask): Promise<PhotoTaskResult> {
    return this.onThread(
      () =>
        this.piscina.run(task, {
          transferList: [task.bytes],
          signal: AbortSignal.timeout(this.timeoutMs),
        }) as Promise<PhotoTaskResult>,
    );
  }

  /** Run several tasks in one message (bytes copied, so the caller keeps them). Rejects if the worker fails. */
  runMany(tasks: PhotoTask[]): Promise<PhotoTaskResult[]> {
    const signal = () => AbortSignal.timeout(this.timeoutMs * tasks.length);
    return this.onThread(
      () => this.piscina.run({ batch: tasks }, { signal: signal() }) as unknown as Promise<PhotoTaskResult[]>,
    );
  }

  /**
   * Start `start` once a thread is free. The timeout is made inside `start`, so a photo that waited behind
   * others on a loaded machine is not aborted for the time it spent in the queue (seen: TIMEOUT on the last
   * photos of a 60-photo `fix` at load 15).
   */
  private async onThread<T>(start: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await start();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }

  close(): Promise<void> {
    return this.piscina.close();
  }

  destroy(): Promise<void> {
    return this.piscina.destroy();
  }
}

/** Make the bytes a whole, transferable ArrayBuffer (copy only when the Buffer is a view on a larger one). */
export function toTransferable(buf: Buffer): ArrayBuffer {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer)
    return buf.buffer;
  const ab = new ArrayBuffer(buf.byteLength);
  new Uint8Array(ab).set(buf);
  return ab;
}

function toArrayBufferCopy(buf: Buffer): ArrayBuffer {
  const ab = new ArrayBuffer(buf.byteLength);
  new Uint8Array(ab).set(buf);
  return ab;
}

/** One finished photo. */
export interface BatchResult extends PhotoTaskResult {
  item: SourceItem;
}

/** Progress after each photo: done so far and discovered so far (the total grows while sources stream). */
export interface BatchProgress {
  done: number;
  discovered: number;
}

export interface BatchOptions {
  /** Photos per worker message (small, fast photos: 4–16; default 1). */
  chunk?: number;
  /** Photos in flight at once (read + queued + running). Default max(4 × jobs, 2 × jobs × chunk). */
  maxInFlight?: number;
  onProgress?: (p: BatchProgress) => void;
}

/**
 * What to do with one readable item: a task for the pool, or a ready report (e.g. the output would
 * overwrite an input). Called after the bytes were read.
 */
export type TaskFactory = (item: SourceFile, bytes: Buffer) => PhotoTask | PhotoTaskResult;

function describeWorkerFailure(err: unknown): { code: string; message: string } {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'AbortError' || e?.name === 'TimeoutError' || /abort/i.test(e?.message ?? '')) {
    return { code: 'TIMEOUT', message: '处理超时，已中止该文件' };
  }
  return { code: 'WORKER_CRASHED', message: `处理线程异常退出（${e?.message ?? String(err)}）` };
}

/**
 * Process a stream of inputs on the pool; yields one result per input item in completion order.
 * Never throws for a bad photo, unreadable file or crashed worker: each becomes an `error` report.
 *
 * With `chunk` > 1, small photos travel to the workers several per message (fewer thread hand-offs, which
 * dominate when one photo takes a few milliseconds). A partial chunk is sent at once while a worker is free,
 * so nothing waits for a chunk to fill. When a chunk fails as a whole (a worker crash), its photos are run
 * again one by one, so only the photo that crashes gets the error.
 */
export async function* processBatch(
  source: AsyncIterable<SourceItem>,
  pool: PhotoPool,
  makeTask: TaskFactory,
  opts: BatchOptions = {},
): AsyncGenerator<BatchResult> {
  const chunkSize = Math.max(1, Math.floor(opts.chunk ?? 1));
  const maxInFlight = Math.max(1, opts.maxInFlight ?? Math.max(pool.jobs * 4, pool.jobs * chunkSize * 2));
  const finished: BatchResult[] = [];
  let inFlight = 0;
  let done = 0;
  let discovered = 0;
  let wake: (() => void) | null = null;
  let pending: { item: SourceFile; task: PhotoTask; bytes: Buffer }[] = [];
  let chunksOut = 0;

  const deliver = (r: BatchResult): void => {
    finished.push(r);
    inFlight--;
    done++;
    opts.onProgress?.({ done, discovered });
    const w = wake;
    wake = null;
    w?.();
  };

  const runOne = async (item: SourceFile, task: PhotoTask, bytes: Buffer): Promise<BatchResult> => {
    try {
      const result = await pool.run({ ...task, bytes: toTransferable(bytes) });
      return { item, ...result };
    } catch (err) {
      const info = describeWorkerFailure(err);
      return { item, report: errorReport(item.name, info.code, info.message), ms: 0 };
    }
  };

  const runChunk = async (chunk: { item: SourceFile; task: PhotoTask; bytes: Buffer }[]): Promise<void> => {
    chunksOut++;
    try {
      if (chunk.length === 1) {
        deliver(await runOne(chunk[0].item, chunk[0].task, chunk[0].bytes));
        return;
      }
      let results: PhotoTaskResult[] | null = null;
      try {
        // Copied, not transferred: the bytes stay valid for the one-by-one retry below.
        results = await pool.runMany(chunk.map((c) => ({ ...c.task, bytes: toArrayBufferCopy(c.bytes) })));
      } catch {
        results = null;
      }
      if (results) {
        results.forEach((r, i) => deliver({ item: chunk[i].item, ...r }));
      } else {
        for (const c of chunk) deliver(await runOne(c.item, c.task, c.bytes));
      }
    } finally {
      chunksOut--;
      // A worker came free: send what has gathered.
      if (pending.length > 0 && chunksOut < pool.jobs) flush();
    }
  };

  const flush = (): void => {
    const chunk = pending;
    pending = [];
    void runChunk(chunk);
  };

  const handle = async (item: SourceItem): Promise<void> => {
    if (item.kind === 'error')
      return deliver({ item, report: errorReport(item.name, item.error.code, item.error.message), ms: 0 });
    let bytes: Buffer;
    try {
      bytes = await item.read();
    } catch (err) {
      const info =
        err instanceof SourceError
          ? err
          : { code: 'READ_FAILED', message: `读取失败（${err instanceof Error ? err.message : String(err)}）` };
      return deliver({ item, report: errorReport(item.name, info.code, info.message), ms: 0 });
    }
    const task = makeTask(item, bytes);
    if (!('op' in task)) return deliver({ item, ...task });
    pending.push({ item, task, bytes });
    if (pending.length >= chunkSize || chunksOut < pool.jobs) flush();
  };

  const iterator = source[Symbol.asyncIterator]();
  let exhausted = false;
  try {
    while (true) {
      // Outstanding = reading + queued + running + finished but not yet handed back; bounded so memory stays flat.
      while (!exhausted && inFlight + finished.length < maxInFlight) {
        const next = await iterator.next();
        if (next.done) {
          exhausted = true;
          break;
        }
        discovered++;
        inFlight++;
        void handle(next.value);
        // Hand back finished results promptly even while still filling.
        while (finished.length > 0) yield finished.shift() as BatchResult;
      }
      while (finished.length > 0) yield finished.shift() as BatchResult;
      if (exhausted && inFlight === 0) return;
      // Nothing running yet slots free (everything was handed back): go and pull more.
      if (inFlight === 0 || finished.length > 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!exhausted) await iterator.return?.(undefined);
  }
}
