import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isNearIdentity, registerFrames, sameShotScore, ssimDetail, toStandardFrame, transformFromEyes, warpGrey, type EyePair } from './imaging.js';
import { judgeSameShot } from './reference.js';
import { picture } from './testkit.test-util.js';

describe('registration and the same-shot decision', () => {
  it('recovers the scale and shift of a re-cut and judges it the same shot; another picture is not', async () => {
    const a = await picture(5);
    // Re-cut: 6 % off the left and the top, back to 480×640 (scale 451/480 ≈ 0.94 of the original).
    const recut = await sharp(a).extract({ left: 29, top: 38, width: 451, height: 602 }).resize(480, 640).jpeg({ quality: 85 }).toBuffer();
    const [fa, fb, fo] = await Promise.all([toStandardFrame(a), toStandardFrame(recut), toStandardFrame(await picture(6))]);
    // Eyes as a detector would report them: a point p of `a` sits at (p - (29, 38)) · 480/451 in the re-cut.
    const k = 480 / 451;
    const eyesA: EyePair = [[190, 280], [290, 282]];
    const eyesB: EyePair = [[(190 - 29) * k, (280 - 38) * k], [(290 - 29) * k, (282 - 38) * k]];
    const seed = transformFromEyes(eyesA, eyesB);
    expect(seed.scale).toBeCloseTo(k, 3);
    expect(isNearIdentity(seed)).toBe(false);
    const t = registerFrames(fa, fb, seed);
    expect(t.scale).toBeCloseTo(k, 1); // b = t(a)
    expect(t.tx).toBeCloseTo(-29 * k, -1);
    const plain = ssimDetail(fa, fb).mean;
    const registered = ssimDetail(fa, warpGrey(fb, t)).mean;
    expect(registered).toBeGreaterThan(Math.max(plain, 0.97));
    const same = sameShotScore(fa, fb, { a: eyesA, b: eyesB });
    expect(same.mode).toBe('registered');
    expect(judgeSameShot(same)).toBe('pass');
    const other = sameShotScore(fa, fo, { a: eyesA, b: eyesB });
    expect(judgeSameShot(other)).toBe('fail');
    // Without eyes, frames cut alike are compared as they are.
    const alike = sameShotScore(fa, await toStandardFrame(await sharp(a).resize(300).jpeg({ quality: 60 }).toBuffer()));
    expect(alike.mode).toBe('resize');
    expect(judgeSameShot(alike)).toBe('pass');
  });
});
