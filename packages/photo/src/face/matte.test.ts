/**
 * The pure parts of background replacement (背景替换): the old background estimated behind the person, and
 * the faint matte pixels that are only old background taken back. (The matting model itself is exercised by
 * the fix tests and `npm run eval -- --section fix`.)
 */
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../types.js';
import { dropBackgroundLookalikes, estimateBackground } from './matte.js';

function picture(W: number, H: number, colour: (x: number, y: number) => [number, number, number]): RawImage {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.set(colour(x, y), (y * W + x) * 3);
  return { data, width: W, height: H, channels: 3 };
}

describe('estimateBackground', () => {
  it('fills the person with the background around it, exact where the background shows', () => {
    const W = 64,
      H = 48;
    // A left-to-right green gradient behind a dark person in the middle third.
    const bg = (x: number): [number, number, number] => [40, 80 + 2 * x, 60];
    const img = picture(W, H, (x) => (x >= 21 && x < 43 ? [20, 15, 10] : bg(x)));
    const alpha = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 21; x < 43; x++) alpha[y * W + x] = 255;
    const B = estimateBackground(img, alpha);
    for (const x of [0, 10, 20, 43, 63]) expect(B[(24 * W + x) * 3 + 1]).toBe(bg(x)[1]);
    // Inside the person: between the gradient's values at the two sides, never the person's dark colour.
    for (const x of [22, 32, 42]) {
      const g = B[(24 * W + x) * 3 + 1];
      expect(g).toBeGreaterThanOrEqual(bg(15)[1]);
      expect(g).toBeLessThanOrEqual(bg(50)[1]);
    }
  });

  it('ignores pixels outside the source picture (keep = 0)', () => {
    const W = 16,
      H = 16;
    const img = picture(W, H, (x) => (x < 8 ? [200, 200, 200] : [255, 255, 255]));
    const keep = new Uint8Array(W * H).map((_, i) => (i % W < 8 ? 1 : 0));
    const B = estimateBackground(img, new Uint8Array(W * H), keep);
    expect(B[(8 * W + 12) * 3]).toBe(200);
  });
});

describe('dropBackgroundLookalikes', () => {
  it('takes back faint pixels that look like the background behind them, keeps strands and sure pixels', () => {
    const img = picture(
      3,
      1,
      (x) =>
        (
          [
            [90, 110, 70],
            [30, 25, 20],
            [92, 108, 72],
          ] as [number, number, number][]
        )[x],
    );
    const B = new Uint8Array([90, 110, 70, 90, 110, 70, 90, 110, 70]);
    const alpha = new Uint8Array([60, 60, 220]);
    dropBackgroundLookalikes(img, alpha, B);
    expect(alpha[0]).toBe(0); // leaves seen through nothing
    expect(alpha[1]).toBe(60); // a dark strand in front of them
    expect(alpha[2]).toBe(220); // the model is sure: kept even though the colour is the background's
  });
});
