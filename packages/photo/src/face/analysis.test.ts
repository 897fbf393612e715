import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meshPitch, PITCH_PLANE_OFFSET, PITCH_REF_FACE_WIDTH, MESH } from './analysis.js';
import type { DetectedFace } from './engine.js';

/**
 * A synthetic 478-point mesh: an irregular face-shaped surface (depth bumps like a nose and cheeks)
 * scaled to `faceWidth` px, pitched by `pitch` degrees (chin down positive) about the x axis; z is
 * given in Human's raw unit (image px / (faceWidth / PITCH_REF_FACE_WIDTH)).
 */
function mesh(faceWidth: number, pitch: number, seed = 1): DetectedFace {
  const s = faceWidth / PITCH_REF_FACE_WIDTH, t = (pitch * Math.PI) / 180;
  let r = seed;
  const rnd = () => ((r = (r * 16807) % 2147483647) / 2147483647);
  const pts: [number, number, number][] = [];
  for (let i = 0; i < 478; i++) {
    const x = (rnd() - 0.5) * 240, y = (rnd() - 0.5) * 300;
    // a surface symmetric top-to-bottom on average: the fitted plane of the unpitched face is vertical
    const z = -60 * Math.exp(-(x * x + y * y) / 3000) + 0.002 * x * x;
    pts.push([x, y, z]);
  }
  // mirror-symmetric in y so the unpitched plane has no slope
  for (let i = 0; i < 234; i++) pts[i + 234] = [pts[i][0], -pts[i][1], pts[i][2]];
  pts[MESH.cheekEdgeLeft] = [-120, 0, 0];
  pts[MESH.cheekEdgeRight] = [120, 0, 0];
  pts[MESH.irisA] = [-50, -40, 0];
  pts[MESH.irisB] = [50, -40, 0];
  const out = pts.map(([x, y, z]): [number, number, number] => {
    const y2 = y * Math.cos(t) - z * Math.sin(t), z2 = y * Math.sin(t) + z * Math.cos(t);
    return [500 + x * s, 500 + y2 * s, z2]; // x, y in px; z stays in the raw unit
  });
  return { score: 0.9, box: [0, 0, 1, 1], mesh: out, angle: { roll: 0, yaw: 0, pitch: 0 } };
}

describe('meshPitch (fitted face plane)', () => {
  it('recovers a known pitch of the whole face (chin down positive), less the frontal offset', () => {
    for (const p of [-20, -8, -3, 0, 3, 8, 20]) {
      // a curved face projected after rotation is not exactly a rotated plane: within 6 % (+0.3°)
      expect(Math.abs(meshPitch(mesh(240, p)) + PITCH_PLANE_OFFSET - p)).toBeLessThan(0.3 + 0.06 * Math.abs(p));
    }
    expect(meshPitch(mesh(240, 10))).toBeGreaterThan(meshPitch(mesh(240, 0)) + 9);
  });

  it('does not depend on the face size in pixels (Human\'s raw z is not scaled with the face)', () => {
    fc.assert(fc.property(fc.double({ min: 100, max: 900, noNaN: true }), fc.double({ min: -15, max: 15, noNaN: true }), (fw, p) => {
      return Math.abs(meshPitch(mesh(fw, p)) - meshPitch(mesh(240, p))) < 0.5;
    }), { numRuns: 50 });
  });
});
