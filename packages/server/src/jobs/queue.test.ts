import { describe, expect, test } from 'vitest';
import { MemoryQueue } from './queue.js';

describe('MemoryQueue (in-process photo-check queue)', () => {
  test('runs every job, never more than `concurrency` at once, and survives a failing job', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const errors: unknown[] = [];
    const q = new MemoryQueue(
      async (id) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5 + (id % 3)));
        running--;
        if (id === 4) throw new Error('boom');
        done.push(id);
      },
      3,
      (e) => errors.push(e),
    );
    for (let i = 1; i <= 12; i++) await q.enqueue(i);
    await q.idle();
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(errors).toHaveLength(1);
    await q.close();
    await q.enqueue(99); // closed: ignored
    await q.idle();
    expect(done).not.toContain(99);
  });
});
