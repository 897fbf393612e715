import { describe, expect, it } from 'vitest';
import { LAB_MEMO, deltaE2000, deltaE2000Rgb, hypot2, hypot3, labSlot, lightness, rgbToLab, type Lab } from './colour.js';

// Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes,
// supplementary test data, and mathematical observations", Table 1 (selected pairs).
const PAIRS: [Lab, Lab, number][] = [
  [[50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425],
  [[50, 3.1571, -77.2803], [50, 0, -82.7485], 2.8615],
  [[50, 2.8361, -74.02], [50, 0, -82.7485], 3.4412],
  [[50, -1.3802, -84.2814], [50, 0, -82.7485], 1.0],
  [[50, 0, 0], [50, -1, 2], 2.3669],
  [[50, 2.49, -0.001], [50, -2.49, 0.0009], 7.1792],
  [[50, 2.5, 0], [73, 25, -18], 27.1492],
  [[50, 2.5, 0], [61, -5, 29], 22.8977],
  [[50, 2.5, 0], [56, -27, -3], 31.903],
  [[50, 2.5, 0], [58, 24, 15], 19.4535],
  [[60.2574, -34.0099, 36.2677], [60.4626, -34.1751, 39.4387], 1.2644],
  [[22.7233, 20.0904, -46.694], [23.0331, 14.973, -42.5619], 2.0373],
  [[90.8027, -2.0831, 1.441], [91.1528, -1.6435, 0.0447], 1.4441],
  [[2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082],
];

describe('CIEDE2000', () => {
  it.each(PAIRS)('ΔE00(%j, %j) = %d', (a, b, expected) => {
    expect(deltaE2000(a, b)).toBeCloseTo(expected, 4);
    expect(deltaE2000(b, a)).toBeCloseTo(expected, 4); // symmetric
  });
  it('is zero for identical colours', () => {
    expect(deltaE2000([50, 10, -10], [50, 10, -10])).toBe(0);
  });
});

describe('sRGB → CIELAB (D65)', () => {
  it('maps white, black and mid grey', () => {
    const w = rgbToLab(255, 255, 255);
    expect(w[0]).toBeCloseTo(100, 2);
    expect(Math.abs(w[1])).toBeLessThan(0.01);
    expect(Math.abs(w[2])).toBeLessThan(0.01);
    expect(rgbToLab(0, 0, 0)[0]).toBeCloseTo(0, 6);
    expect(rgbToLab(119, 119, 119)[0]).toBeCloseTo(50, 0);
  });
  it('separates the reference light blue from grey and pink by far more than the 15 ΔE tolerance', () => {
    const blue: [number, number, number] = [100, 197, 255];
    expect(deltaE2000Rgb(blue, [100, 197, 255])).toBe(0);
    expect(deltaE2000Rgb(blue, [200, 200, 200])).toBeGreaterThan(15);
    expect(deltaE2000Rgb(blue, [255, 182, 193])).toBeGreaterThan(15);
    expect(deltaE2000Rgb(blue, [105, 195, 250])).toBeLessThan(3);
  });
});

describe('hypot2 / hypot3', () => {
  it('equal Math.hypot to the last bit (Lab-sized, tiny, huge, zero, NaN and infinite arguments)', () => {
    const special = [0, -0, 1, -1, 1e-300, 5e-324, 1e300, 1.7e308, NaN, Infinity, -Infinity, 0.1, 12.5, -79.7751];
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 200;
    const values = [...special, ...Array.from({ length: 300 }, rnd)];
    let differ = 0;
    for (const x of values)
      for (const y of values) {
        if (!Object.is(hypot2(x, y), Math.hypot(x, y))) differ++;
        const z = values[(values.indexOf(x) * 31 + values.indexOf(y)) % values.length];
        if (!Object.is(hypot3(x, y, z), Math.hypot(x, y, z))) differ++;
      }
    expect(differ).toBe(0);
  });
});

describe('labSlot (memoised rgbToLab)', () => {
  it("answers rgbToLab's own values, and L* is `lightness`, colour after colour (hits, misses and evictions)", () => {
    let differ = 0;
    for (let pass = 0; pass < 2; pass++)
      for (let r = pass; r < 256; r += 5)
        for (let g = 0; g < 256; g += 7)
          for (let b = 0; b < 256; b += 3) {
            const c = rgbToLab(r, g, b),
              k = labSlot(r, g, b);
            if (LAB_MEMO[k] !== c[0] || LAB_MEMO[k + 1] !== c[1] || LAB_MEMO[k + 2] !== c[2]) differ++;
            if (lightness(r, g, b) !== c[0]) differ++;
          }
    expect(differ).toBe(0);
  });
});
