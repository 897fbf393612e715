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

const checkTask = (item: SourceFile): PhotoTask => ({ op: 'check', name: item.name, fileName: item.fileName, bytes: new ArrayBuffer(0), face: false });

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
    const jpeg = await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 100 + i * 10, g: 197, b: 255 } } })
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
  it.each([1, 4])('returns one report per item, bad files included, with the display name as file (chunk %i)', async (chunk) => {
    const progress: number[] = [];
    const results = await all(processBatch(iterateSources([dir, path.join(dir, 'missing.jpg')]), pool, checkTask, { chunk, onProgress: (p) => progress.push(p.done) }));
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
  });

  it.each([1, 3])('turns a worker failure (here: a timeout that terminates the worker) into an error report per photo and goes on (chunk %i)', async (chunk) => {
    const slowPool = new PhotoPool({ profile, jobs: 1, taskTimeoutMs: 1 });
    try {
      const results = await all(processBatch(iterateSources([dir]), slowPool, checkTask, { chunk }));
      expect(results).toHaveLength(8);
      for (const r of results) expect(r.report).toMatchObject({ verdict: 'error', error: { code: 'TIMEOUT' } });
    } finally {
      await slowPool.destroy();
    }
  });

  it('keeps work in flight bounded: the source is pulled only as results are consumed', async () => {
    let pulled = 0;
    const jpeg = await sharp({ create: { width: 48, height: 64, channels: 3, background: '#888' } }).jpeg().toBuffer();
    async function* source(): AsyncGenerator<SourceItem> {
      for (let i = 0; i < 40; i++) {
        pulled++;
        yield { kind: 'file', name: `p${i}.jpg`, fileName: `p${i}.jpg`, relPath: `p${i}.jpg`, read: async () => Buffer.from(jpeg) };
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
