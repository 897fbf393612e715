import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mapThroughPlan, pupilLineAngle, rotatePoint, shoulderLevelling, solveCrop, unrotatePoint, type CropLandmarks } from './geometry.js';

const profile = {
  width: 480,
  height: 640,
  geometry: { headTop: [50, 110] as [number, number], eyeLine: [200, 300] as [number, number], faceWidth: [180, 300] as [number, number], centreTolerance: 0.05 },
};

/** A synthetic head in a W×H source: pupils `ipd` apart at `eyeY`, tilted by `roll` degrees about the eye midpoint. */
function head(W: number, H: number, cx: number, eyeY: number, faceWidth: number, roll = 0): CropLandmarks {
  const t = (roll * Math.PI) / 180;
  const rot = (dx: number, dy: number): [number, number] => [cx + dx * Math.cos(t) - dy * Math.sin(t), eyeY + dx * Math.sin(t) + dy * Math.cos(t)];
  const ipd = faceWidth * 0.45;
  return { width: W, height: H, eyes: [rot(-ipd / 2, 0), rot(ipd / 2, 0)], noseTip: rot(0, faceWidth * 0.3), headTop: rot(0, -faceWidth * 0.75), faceWidth };
}

describe('pupilLineAngle', () => {
  it('is 0 for level pupils, positive when the right pupil is lower (clockwise)', () => {
    expect(pupilLineAngle([100, 200], [200, 200])).toBe(0);
    expect(pupilLineAngle([100, 200], [200, 300])).toBeCloseTo(45, 9);
    expect(pupilLineAngle([100, 200], [200, 100])).toBeCloseTo(-45, 9);
    expect(pupilLineAngle([0, 0], [100, Math.tan((8 * Math.PI) / 180) * 100])).toBeCloseTo(8, 9);
  });
});

describe('rotation about the picture centre', () => {
  it('unrotatePoint inverts rotatePoint', () => {
    fc.assert(fc.property(fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: 0, max: 1000, noNaN: true }), fc.double({ min: 0, max: 800, noNaN: true }), (a, x, y) => {
      const r = rotatePoint([x, y], 1000, 800, a);
      const b = unrotatePoint(r, 1000, 800, a);
      return Math.abs(b[0] - x) < 1e-6 && Math.abs(b[1] - y) < 1e-6;
    }));
  });
  it('keeps the centre fixed and turns clockwise for positive angles (y down)', () => {
    expect(rotatePoint([500, 400], 1000, 800, 17)).toEqual([500, 400]);
    const p = rotatePoint([600, 400], 1000, 800, 90);
    expect(p[0]).toBeCloseTo(500, 9);
    expect(p[1]).toBeCloseTo(500, 9); // right of centre → below centre
  });
});

describe('shoulderLevelling (双肩找平: turn towards level shoulders when the head leans)', () => {
  it('adds nothing when levelled pupils leave the shoulders within the aim, or the shoulders are not measured', () => {
    expect(shoulderLevelling(3, 5, 4, 2.5)).toBe(0);
    expect(shoulderLevelling(-2, -6, 4, 2.5)).toBe(0);
    expect(shoulderLevelling(4, null, 4, 2.5)).toBe(0);
  });
  it('turns by the excess over the aim, towards level shoulders, at most maxTurn', () => {
    // Head leans 3° one way, shoulders 2° the other: levelling the pupils (−3°) leaves the shoulders at −5°.
    expect(shoulderLevelling(3, -2, 4, 2.5)).toBeCloseTo(1, 9);
    expect(shoulderLevelling(-3, 2, 4, 2.5)).toBeCloseTo(-1, 9);
    // Residual 10°: the turn stops at maxTurn, the pupils end 2.5° from level.
    expect(shoulderLevelling(0, 10, 4, 2.5)).toBe(-2.5);
  });
  it('never leaves the pupils more than maxTurn from level and never tilts the shoulders further', () => {
    fc.assert(
      fc.property(fc.double({ min: -20, max: 20, noNaN: true }), fc.double({ min: -20, max: 20, noNaN: true }), (roll, tilt) => {
        const turn = shoulderLevelling(roll, tilt, 4, 2.5);
        const eyesAfter = roll - roll + turn, shouldersAfter = tilt - roll + turn;
        expect(Math.abs(eyesAfter)).toBeLessThanOrEqual(2.5 + 1e-9);
        expect(Math.abs(shouldersAfter)).toBeLessThanOrEqual(Math.max(4, Math.abs(tilt - roll)) + 1e-9);
      }),
    );
  });
});

describe('solveCrop (face-aligned crop plan)', () => {
  it('puts pupils on the eye band, the nose on the centre line and width/head top in range', () => {
    const lm = head(2000, 2600, 1000, 1000, 500);
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(true);
    if (!sol.ok) return;
    const out = { width: 480, height: 640 };
    const [l, r] = lm.eyes.map((e) => mapThroughPlan(e, sol.plan, lm, out));
    const eyeY = (l[1] + r[1]) / 2;
    expect(eyeY).toBeGreaterThanOrEqual(210);
    expect(eyeY).toBeLessThanOrEqual(290);
    expect(Math.abs(l[1] - r[1])).toBeLessThan(1e-6);
    const nose = mapThroughPlan(lm.noseTip, sol.plan, lm, out);
    expect(Math.abs(nose[0] - 240)).toBeLessThanOrEqual(0.05 * 480 * 0.5 + 1e-6);
    const fw = lm.faceWidth * (480 / sol.plan.crop.width);
    expect(fw).toBeGreaterThanOrEqual(192);
    expect(fw).toBeLessThanOrEqual(288);
    const top = mapThroughPlan(lm.headTop, sol.plan, lm, out);
    expect(top[1]).toBeGreaterThanOrEqual(56);
    expect(top[1]).toBeLessThanOrEqual(104);
    expect(sol.plan.crop.width / sol.plan.crop.height).toBeCloseTo(480 / 640, 9);
  });

  it('levels a tilted head: the plan angle cancels the pupil-line roll', () => {
    const lm = head(2000, 2600, 1000, 1000, 500, 7);
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(true);
    if (!sol.ok) return;
    expect(sol.plan.angle).toBeCloseTo(-7, 6);
    const [l, r] = lm.eyes.map((e) => mapThroughPlan(e, sol.plan, lm, { width: 480, height: 640 }));
    expect(Math.abs(pupilLineAngle(l, r))).toBeLessThan(1e-6);
  });

  it('never leaves the source: every crop corner maps back inside the picture', () => {
    fc.assert(fc.property(fc.double({ min: -6, max: 6, noNaN: true }), fc.double({ min: 700, max: 1300, noNaN: true }), fc.double({ min: 350, max: 600, noNaN: true }), (roll, cx, fw) => {
      const lm = head(2000, 2600, cx, 1000, fw, roll);
      const sol = solveCrop(lm, profile);
      if (!sol.ok) return true;
      const c = sol.plan.crop;
      for (const p of [[c.left, c.top], [c.left + c.width, c.top], [c.left, c.top + c.height], [c.left + c.width, c.top + c.height]] as [number, number][]) {
        const s = unrotatePoint(p, lm.width, lm.height, sol.plan.angle);
        if (s[0] < -0.51 || s[1] < -0.51 || s[0] > lm.width + 0.51 || s[1] > lm.height + 0.51) return false;
      }
      return true;
    }), { numRuns: 200 });
  });

  it('refuses when there is no room above the head', () => {
    const lm = head(2000, 2600, 1000, 420, 500); // head top at y = 45: crop would start above the picture
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(false);
    if (!sol.ok) expect(sol.refusal.code).toBe('NO_ROOM_ABOVE_HEAD');
  });

  it('refuses a head cut off at the top edge', () => {
    const lm = head(2000, 2600, 1000, 300, 500);
    lm.headTop = [1000, 0];
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(false);
    if (!sol.ok) expect(sol.refusal.code).toBe('HEAD_CUT_OFF');
  });

  it('refuses a face too large for the source (too close to the camera)', () => {
    const lm = head(1000, 1200, 500, 600, 700);
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(false);
    if (!sol.ok) {
      expect(sol.refusal.code).toBe('FACE_TOO_LARGE');
      expect(sol.refusal.message).toMatch(/人脸过大/);
    }
  });

  /** Every predicted measure inside the profile's limits and every crop corner inside the source. */
  function expectCompliant(lm: CropLandmarks, sol: ReturnType<typeof solveCrop>) {
    expect(sol.ok).toBe(true);
    if (!sol.ok) return;
    const g = profile.geometry, p = sol.predicted;
    expect(p.faceWidth).toBeGreaterThanOrEqual(g.faceWidth[0]);
    expect(p.faceWidth).toBeLessThanOrEqual(g.faceWidth[1]);
    expect(p.eyeLine).toBeGreaterThanOrEqual(g.eyeLine[0]);
    expect(p.eyeLine).toBeLessThanOrEqual(g.eyeLine[1]);
    expect(p.headTop).toBeGreaterThanOrEqual(g.headTop[0]);
    expect(p.headTop).toBeLessThanOrEqual(g.headTop[1]);
    const out = { width: 480, height: 640 };
    const top = mapThroughPlan(lm.headTop, sol.plan, lm, out);
    expect(top[1]).toBeCloseTo(p.headTop, 6);
    const c = sol.plan.crop;
    expect(c.left).toBeGreaterThanOrEqual(-0.5);
    expect(c.top).toBeGreaterThanOrEqual(-0.5);
    expect(c.left + c.width).toBeLessThanOrEqual(lm.width + 0.5);
    expect(c.top + c.height).toBeLessThanOrEqual(lm.height + 0.5);
  }

  it('relaxes towards the limits when the source lacks room for the mid-range targets', () => {
    // fw 500 px in a 1000×1090 source: a face width ≤ 288 (10 % inside the range) needs a crop taller
    // than 1090 px; a face width near the 300 maximum fits.
    const lm = head(1000, 1090, 500, 475, 500);
    expect(lm.headTop[1]).toBeGreaterThan(1);
    const sol = solveCrop(lm, profile);
    expectCompliant(lm, sol);
    if (sol.ok) expect(sol.predicted.faceWidth).toBeGreaterThan(288); // beyond the first-stage margin
  });

  it('relaxes the eye line and head top within their bands for tall hair above a tight frame', () => {
    // Like London 025_03 (high hair bun, frame cut at the chest), with 30 px more below: the head top
    // and the eye line must go near their limits (eye ≥ 290 or head top ≤ 56) to leave room below.
    const eyeY = 698;
    const lm: CropLandmarks = { width: 1350, height: 1380, eyes: [[558, eyeY], [773, eyeY]], noseTip: [665, 822], headTop: [665, eyeY - 484], faceWidth: 430 };
    const sol = solveCrop(lm, profile);
    expectCompliant(lm, sol);
    if (sol.ok) expect(sol.predicted.eyeLine > 290 || sol.predicted.headTop < 56).toBe(true);
  });

  it('still refuses when no placement satisfies all the limits (tall hair, no room below)', () => {
    // The same head in the real 1350-px frame: head top ≥ 50 and eye line ≤ 300 allow a scale of at most
    // 250 / 484 = 0.517 output px per source px, while the 652 px below the eyes need at least
    // (640 − 300) / 652 = 0.521 — infeasible by 1 %, so it is refused rather than padded.
    const eyeY = 698;
    const lm: CropLandmarks = { width: 1350, height: 1350, eyes: [[558, eyeY], [773, eyeY]], noseTip: [665, 822], headTop: [665, eyeY - 484], faceWidth: 430 };
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(false);
    if (!sol.ok) expect(sol.refusal.code).toBe('FACE_TOO_LARGE');
  });

  it('refuses to enlarge a small face (never invents pixels)', () => {
    const lm = head(600, 800, 300, 300, 120);
    const sol = solveCrop(lm, profile);
    expect(sol.ok).toBe(false);
    if (!sol.ok) expect(sol.refusal.code).toBe('FACE_TOO_SMALL');
  });
});
