/**
 * `shoulders` on a drawn person mask (no model): level shoulders pass; a body turned 10° is sent to review
 * and 16° fails, each with the measured angle; a broad sitter whose shoulders rise above the chin row is
 * measured (not 'unmeasured'); hair hanging over both shoulders is 'not measured, covered by hair' — review,
 * never pass, never 'tilted'.
 */
import { describe, expect, it } from 'vitest';
import type { FaceAnalysis } from '../analysis.js';
import type { DetectedFace } from '../engine.js';
import { checkShoulders, measureShoulders } from './shoulders.js';

const W = 480,
  H = 640;
const cx = 240,
  pupilY = 250,
  chinY = 420,
  fw = 220;

/**
 * Person mask: head ellipse, neck, and a shoulder "roof" from the neck (`shoulderY` at ±0.35 fw) falling by
 * `slope` per px outwards, rotated by `tilt`° about the neck; `hair` adds locks hanging beside the face down
 * to y = 560.
 */
function mask(opts: { tilt?: number; shoulderY?: number; slope?: number; hair?: boolean }): Uint8Array {
  const { tilt = 0, shoulderY = 470, slope = 0.35, hair = false } = opts;
  const t = Math.tan((tilt * Math.PI) / 180);
  const alpha = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const dx = x - cx;
      const head = (dx / (fw * 0.5)) ** 2 + ((y - 300) / 170) ** 2 <= 1;
      const neck = Math.abs(dx) < fw * 0.3 && y > 380;
      const top = shoulderY + Math.max(0, Math.abs(dx) - fw * 0.35) * slope + dx * t;
      const body = y >= top;
      const locks = hair && Math.abs(dx) > fw * 0.45 && Math.abs(dx) < fw * 1.1 && y > 200 && y < 560;
      if (head || neck || body || locks) alpha[y * W + x] = 255;
    }
  }
  return alpha;
}

function analysisOf(alpha: Uint8Array): FaceAnalysis {
  const mesh: [number, number, number][] = Array.from({ length: 478 }, () => [cx, pupilY + 60, 0]);
  mesh[1] = [cx, 330, 0];
  mesh[152] = [cx, chinY, 0];
  mesh[234] = [cx - fw / 2, 300, 0];
  mesh[454] = [cx + fw / 2, 300, 0];
  const face = {
    score: 0.99,
    box: [cx - 110, 150, 220, 280],
    mesh,
    angle: { roll: 0, yaw: 0, pitch: 0 },
    pupils: [
      [cx - 35, pupilY],
      [cx + 35, pupilY],
    ],
  } as unknown as DetectedFace;
  return {
    img: { data: Buffer.alloc(W * H * 3), width: W, height: H, channels: 3 },
    faces: [face],
    face,
    mask: { width: W, height: H, alpha },
    geometry: null,
    ipd: 70,
    headTop: { y: 130, method: 'mask', touchesTop: false },
    background: new Uint32Array(0),
    cache: new Map(),
  };
}

describe('shoulders on a drawn person mask', () => {
  it('level shoulders pass with the measured angle', () => {
    const c = checkShoulders(analysisOf(mask({})), 8);
    expect(c.status, c.message).toBe('pass');
    expect(Math.abs(c.value as number)).toBeLessThan(0.5);
  });

  it('a body turned 10° is sent to review, 16° fails — the angle recovered within 1°', () => {
    const r = checkShoulders(analysisOf(mask({ tilt: 10 })), 8);
    expect(r).toMatchObject({ status: 'review', code: 'SHOULDERS_TILT_SUSPECT', limit: 8 });
    expect(Math.abs((r.value as number) - 10)).toBeLessThan(1);
    expect(r.message).toContain('8°');
    const f = checkShoulders(analysisOf(mask({ tilt: -16 })), 8);
    expect(f).toMatchObject({ status: 'fail', code: 'SHOULDERS_TILTED' });
    expect(Math.abs((f.value as number) + 16)).toBeLessThan(1);
  });

  it('broad shoulders rising above the chin row are measured, not left unmeasured', () => {
    // Shoulders at y 400 beside the neck: at ±0.75–0.95 face widths the person already covers the chin row (420).
    const a = analysisOf(mask({ shoulderY: 380, slope: 0.1 }));
    expect(measureShoulders(a).tilt).not.toBeNull();
    expect(checkShoulders(a, 8).status).toBe('pass');
    const tilted = checkShoulders(analysisOf(mask({ shoulderY: 380, slope: 0.1, tilt: 10 })), 8);
    expect(tilted.status).toBe('review');
    expect(tilted.code).toBe('SHOULDERS_TILT_SUSPECT');
  });

  it('hair hanging over both shoulders: review, not measured, and the message says the hair covers them', () => {
    const a = analysisOf(mask({ hair: true }));
    expect(measureShoulders(a)).toMatchObject({ tilt: null, unmeasured: 'covered' });
    const c = checkShoulders(a, 8);
    expect(c).toMatchObject({ status: 'review', code: 'SHOULDERS_UNMEASURED', value: null });
    expect(c.message).toContain('头发');
  });
});
