import { describe, expect, it } from 'vitest';
import type { CheckResult } from './api/types';
import { problemRegions } from './overlayRegions';

const check = (id: string, status: CheckResult['status'], region?: CheckResult['region']): CheckResult =>
  ({ id, status, value: null, limit: null, message: '', ...(region && { region }) }) as CheckResult;

describe('problemRegions (问题位置)', () => {
  it('marks the failed and reviewed checks that name a place, fails on top, with the rule’s name', () => {
    const r = problemRegions([
      check('background.uniform', 'fail', { x: 40, y: 60, width: 30, height: 30 }),
      check('headwear', 'review', { x: 150, y: 40, width: 180, height: 40 }),
      check('watermark', 'pass', { x: 0, y: 0, width: 64, height: 64 }),
      check('ears', 'review'),
    ]);
    expect(r.map((x) => [x.id, x.status])).toEqual([
      ['headwear', 'review'],
      ['background.uniform', 'fail'],
    ]);
    expect(r[1]).toMatchObject({ x: 40, y: 60, width: 30, height: 30 });
    expect(r[0].label).not.toBe('headwear'); // the Chinese name
  });

  it('has nothing to mark without checks', () => {
    expect(problemRegions(null)).toEqual([]);
  });
});
