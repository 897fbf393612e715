/**
 * The pure parts of background replacement (背景替换): the old background estimated behind the person, and
 * the faint matte pixels that are only old background taken back, alpha re-estimated from the colours where
 * the segmentation sees background. (The matting model itself is exercised by
 * the fix tests and `npm run eval -- --section fix`.)
 */
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../types.js';
import { alphaFromColours, dropBackgroundLookalikes, estimateBackground } from './matte.js';

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

describe('alphaFromColours', () => {
  // Dark hair (opaque at x 0) in front of a light grey wall (background at x 5); between them, pixels the
  // matte calls 90 % person: a gap showing the wall, a half mix, a strand, a white shirt (a third colour).
  const HAIR: [number, number, number] = [30, 25, 20],
    WALL: [number, number, number] = [200, 200, 198];
  const cols: [number, number, number][] = [HAIR, WALL, [115, 112, 109], HAIR, [250, 250, 250], WALL];
  const run = (segmentation: number) => {
    const img = picture(6, 1, (x) => cols[x]);
    const alpha = new Uint8Array([255, 230, 230, 230, 230, 0]);
    alphaFromColours(img, alpha, new Uint8Array(6).fill(segmentation), estimateBackground(img, alpha));
    return alpha;
  };

  it('brings alpha down to where the pixel lies between the person and the old background, never up', () => {
    const a = run(0);
    expect(a[1]).toBe(0); // the wall between the strands
    expect(a[2]).toBeGreaterThan(110);
    expect(a[2]).toBeLessThan(145); // half hair, half wall
    expect(a[3]).toBe(230); // a strand: the matte's own alpha (the colours say more, it never goes up)
    expect(a[4]).toBe(230); // white: not a mix of the two, left to the matte
  });

  it('leaves the matte alone where the segmentation sees the person (grey hair before a grey wall)', () => {
    expect([...run(255)]).toEqual([255, 230, 230, 230, 230, 0]);
  });
});
