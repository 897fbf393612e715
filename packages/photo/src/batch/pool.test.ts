/**
 * The worker pool runs the BUILT worker (dist/batch/worker.js); the test command builds first (`tsc -b`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProfile } from '../profiles.js';
import type { Profile } from '../types.js';
import { PhotoPool, processBatch, toTransferable, type BatchResult } from './pool.js';
import { iterateSources, type SourceFile, type SourceItem } from './sources.js';
import type { PhotoTask } from './task.js';

let dir: string;
let profile: Profile;
let pool: PhotoPool;

const checkTask = (item: SourceFile): PhotoTask => ({
  op: 'check',
  name: item.name,
  fileName: item.fileName,
  bytes: new ArrayBuffer(0),
  face: false,
});

async function all(gen: AsyncIterable<BatchResult>): Promise<BatchResult[]> {
  const out: BatchResult[] = [];
  for await (const r of gen) out.push(r);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'gp-pool-'));
  profile = loadProfile('chsi-graduation');
  pool = new PhotoPool({ profile, jobs: 2 });
  for (let i = 0; i < 6; i++) {
    const jpeg = await sharp({
      create: { width: 480, height: 640, channels: 3, background: { r: 100 + i * 10, g: 197, b: 255 } },
    })
      .jpeg({ quality: 90 })
      .withMetadata({ density: 300 })
      .toBuffer();
    await writeFile(path.join(dir, `18370014001${String(i).padStart(2, '0')}.jpg`), jpeg);
  }
  await writeFile(path.join(dir, 'not-a-photo.jpg'), 'this is text, not a JPEG');
  await writeFile(path.join(dir, 'empty.jpg'), Buffer.alloc(0));
});

afterAll(async () => {
  await pool?.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('PhotoPool + processBatch', () => {
  it.each([1, 4])(
    'returns one report per item, bad files included, with the display name as file (chunk %i)',
    async (chunk) => {
      const progress: number[] = [];
      const results = await all(
        processBatch(iterateSources([dir, path.join(dir, 'missing.jpg')]), pool, checkTask, {
          chunk,
          onProgress: (p) => progress.push(p.done),
        }),
      );
      expect(results).toHaveLength(9);
      const byName = new Map(results.map((r) => [path.basename(r.report.file), r.report]));
      expect(byName.get('missing.jpg')).toMatchObject({ verdict: 'error', error: { code: 'NOT_FOUND' } });
      const text = byName.get('not-a-photo.jpg');
      expect(text?.verdict === 'error' || text?.verdict === 'fail').toBe(true);
      expect(byName.get('empty.jpg')?.verdict).not.toBe('pass');
      const good = byName.get('1837001400100.jpg');
      expect(good?.checks.find((c) => c.id === 'size.pixels')?.status).toBe('pass');
      expect(good?.checks.find((c) => c.id === 'format.jpeg')?.status).toBe('pass');
      expect(progress).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    },
  );

  it.each([1, 3])(
    'turns a worker failure (here: a timeout that terminates the worker) into an error report per photo and goes on (chunk %i)',
    async (chunk) => {
      const slowPool = new PhotoPool({ profile, jobs: 1, taskTimeoutMs: 1 });
      try {
        const results = await all(processBatch(iterateSources([dir]), slowPool, checkTask, { chunk }));
        expect(results).toHaveLength(8);
        for (const r of results) expect(r.report).toMatchObject({ verdict: 'error', error: { code: 'TIMEOUT' } });
      } finally {
        await slowPool.destroy();
      }
    },
  );

  it("starts a photo's timeout when it starts to run, not while it waits behind others in the queue", async () => {
    const big = await mkdtemp(path.join(os.tmpdir(), 'gp-pool-queue-'));
    const onePool = new PhotoPool({ profile, jobs: 1, taskTimeoutMs: 60_000 });
    try {
      const jpeg = await sharp({
        create: { width: 1350, height: 1350, channels: 3, background: { r: 120, g: 160, b: 200 } },
      })
        .jpeg({ quality: 92 })
        .toBuffer();
      await writeFile(path.join(big, 'p00.jpg'), jpeg);
      await writeFile(path.join(big, 'p01.jpg'), jpeg);
      const fixTask = (item: SourceFile): PhotoTask => ({
        ...checkTask(item),
        op: 'fix',
        align: 'centre',
        background: 'keep',
      });
      // One photo alone, warm, on one thread: how long one takes here.
      await all(processBatch(iterateSources([path.join(big, 'p00.jpg')]), onePool, fixTask));
      const t0 = performance.now();
      await all(processBatch(iterateSources([path.join(big, 'p01.jpg')]), onePool, fixTask));
      const one = performance.now() - t0;
      // A timeout several photos long, and enough photos in flight at once that the last waits three timeouts.
      const timeoutMs = Math.max(8 * one, 1500);
      const n = Math.min(400, Math.ceil((3 * timeoutMs) / one));
      for (let i = 2; i < n; i++) await writeFile(path.join(big, `p${String(i).padStart(3, '0')}.jpg`), jpeg);
      const queued = new PhotoPool({ profile, jobs: 1, taskTimeoutMs: timeoutMs });
      try {
        const started = performance.now();
        const results = await all(processBatch(iterateSources([big]), queued, fixTask, { maxInFlight: n }));
        const waited = performance.now() - started;
        expect(results).toHaveLength(n);
        expect(results.filter((r) => r.report.verdict === 'error').map((r) => r.report.error?.code)).toEqual([]);
        // Only meaningful when the batch took longer than one timeout (it did before the fix: the tail timed out).
        expect(waited).toBeGreaterThan(timeoutMs);
      } finally {
        await queued.destroy();
      }
    } finally {
      await onePool.destroy();
      await rm(big, { recursive: true, force: true });
    }
  });

  it('keeps work in flight bounded: the source is pulled only as results are consumed', async () => {
    let pulled = 0;
    const jpeg = await sharp({ create: { width: 48, height: 64, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    async function* source(): AsyncGenerator<SourceItem> {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield {
          kind: 'file',
          name: `p${i}.jpg`,
          fileName: `p${i}.jpg`,
          relPath: `p${i}.jpg`,
          read: async () => Buffer.from(jpeg),
        };
      }
    }
    let consumed = 0;
    let maxAhead = 0;
    for await (const r of processBatch(source(), pool, checkTask, { maxInFlight: 3 })) {
      expect(r.report.file).toMatch(/^p\d+\.jpg$/);
      consumed++;
      maxAhead = Math.max(maxAhead, pulled - consumed);
      await new Promise((res) => setTimeout(res, 5)); // a slow consumer
    }
    expect(consumed).toBe(40);
    expect(maxAhead).toBeLessThanOrEqual(3 + 1);
  });

  it('transfers whole buffers without copying and copies views', () => {
    const whole = Buffer.allocUnsafeSlow(10);
    expect(toTransferable(whole)).toBe(whole.buffer);
    const view = Buffer.from('hello world').subarray(2, 5);
    const ab = toTransferable(view);
    expect(ab.byteLength).toBe(3);
    expect(Buffer.from(ab).toString()).toBe('llo');
  });
});
