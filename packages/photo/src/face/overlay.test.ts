import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { CheckResult, FaceGeometry, Profile } from '../types.js';
import { overlaySvg, renderOverlay } from './overlay.js';

const profile = {
  id: 't', name: '测试', width: 480, height: 640, bytes: null, dpi: null, minQuality: 60, extensions: ['.jpg'], fileNaming: 'none', background: null,
  geometry: { headTop: [50, 110], eyeLine: [200, 300], faceWidth: [180, 300], centreTolerance: 0.05 },
  pose: { maxRoll: 5, maxYaw: 5, maxPitch: 5 },
} as Profile;
const face: FaceGeometry = { box: [140, 150, 200, 240], eyes: [[200, 170], [280, 170]], noseTip: [240, 220], headTop: 80, faceWidth: 240, pose: { roll: 0, yaw: 0, pitch: 0 } };
const check = (id: CheckResult['id'], status: CheckResult['status']): CheckResult => ({ id, status, value: null, limit: null, message: '' });
const grey = { data: Buffer.alloc(480 * 640 * 3, 128), width: 480, height: 640, channels: 3 as const };

async function redPixels(png: Buffer, x0: number, y0: number, x1: number, y1: number): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    const p = (y * info.width + x) * info.channels;
    if (data[p] > 180 && data[p + 1] < 80 && data[p + 2] < 80) n++;
  }
  return n;
}

describe('renderOverlay', () => {
  it('draws the guide: top band, eye band, both face-width baselines and the centre line', () => {
    const svg = overlaySvg(480, 640, face, [], profile);
    expect(svg).toContain('顶部最高点 50–110');
    expect(svg).toContain('眼中线 200–300');
    for (const x of [150, 330, 90, 390]) expect(svg).toContain(`x1="${x}"`); // 180 and 300 px apart, centred
    expect(svg).toContain('x1="240"');
  });

  it('marks failing measures in red and passing ones not', async () => {
    const bad = await renderOverlay(grey, face, [check('geometry.eye-line', 'fail')], profile);
    const good = await renderOverlay(grey, face, [check('geometry.eye-line', 'pass')], profile);
    const around = [190, 160, 290, 180] as const;
    expect(await redPixels(bad, ...around)).toBeGreaterThan(20);
    expect(await redPixels(good, ...around)).toBe(0);
    const meta = await sharp(bad).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 480, 640]);
  });

  it('says so when no face was found', () => {
    expect(overlaySvg(480, 640, null, [], profile)).toContain('未检测到人脸');
  });
});
