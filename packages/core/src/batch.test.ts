import { describe, expect, it } from 'vitest';
import {
  checkNotFrozen,
  checkSubmissionOpen,
  daysLeftInWindow,
  daysUntilDeadline,
  describeWindows,
  isFrozen,
  isSubmissionOpen,
  nextWindowOpening,
  openSecondWindow,
  openWindow,
  validateBatch,
} from './batch.js';
import { BATCH, china, expectOk, expectRefusal } from './test-support.js';

describe('windows', () => {
  it('open in the first and second windows only, inclusive, in Beijing days', () => {
    expect(openWindow(BATCH, '2025-12-08')).toBe('first');
    expect(openWindow(BATCH, '2025-12-19')).toBe('first');
    expect(openWindow(BATCH, '2025-12-20')).toBeNull();
    expect(openWindow(BATCH, '2026-01-20')).toBe('second');
    expect(openWindow(BATCH, '2026-03-31')).toBe('second');
    expect(isSubmissionOpen(BATCH, new Date('2025-12-07T16:00:00Z'))).toBe(true);
    expect(isSubmissionOpen(BATCH, new Date('2025-12-07T15:59:59Z'))).toBe(false);
  });

  it('frozen after the deadline', () => {
    expect(isFrozen(BATCH, '2026-03-31')).toBe(false);
    expect(isFrozen(BATCH, '2026-04-01')).toBe(true);
    expectRefusal(checkNotFrozen(BATCH, china('2026-04-01')), 'BATCH_FROZEN');
    expectRefusal(checkSubmissionOpen(BATCH, china('2026-04-01')), 'BATCH_FROZEN');
    expectOk(checkNotFrozen(BATCH, china('2026-03-31')));
    const m = expectRefusal(checkSubmissionOpen(BATCH, china('2026-01-10')), 'WINDOW_CLOSED');
    expect(m).toBe('当前（2026-01-10）不在批次“2026年1月毕业”的审核时间内（首批 2025-12-08 至 2025-12-19；第二批 2026-01-20 至 2026-03-31）');
    expect(expectOk(checkSubmissionOpen(BATCH, china('2026-02-10')))).toBe('second');
  });

  it('days left and next opening', () => {
    expect(daysLeftInWindow(BATCH, '2025-12-19')).toBe(1);
    expect(daysLeftInWindow(BATCH, '2025-12-08')).toBe(12);
    expect(daysLeftInWindow(BATCH, '2026-01-01')).toBeNull();
    expect(daysUntilDeadline(BATCH, '2026-03-31')).toBe(1);
    expect(daysUntilDeadline(BATCH, '2026-04-02')).toBe(-1);
    expect(nextWindowOpening(BATCH, '2025-12-25')).toBe('2026-01-20');
    expect(nextWindowOpening(BATCH, '2025-12-01')).toBe('2025-12-08');
    expect(nextWindowOpening({ ...BATCH, secondWindow: { start: null, end: '2026-03-31' } }, '2025-12-25')).toBeNull();
  });

  it('describes an unpublished second window and a later deadline', () => {
    expect(describeWindows({ ...BATCH, secondWindow: { start: null, end: '2026-03-20' } })).toBe(
      '首批 2025-12-08 至 2025-12-19；第二批 期末考试成绩发布后开放，至 2026-03-20；最晚截止 2026-03-31',
    );
  });
});

describe('validateBatch (BATCH_INVALID)', () => {
  it('accepts the seed batch', () => {
    expectOk(validateBatch(BATCH));
  });

  it('lists every problem', () => {
    const cases: Array<[Partial<typeof BATCH>, RegExp]> = [
      [{ firstWindow: { start: '2025-12-19', end: '2025-12-08' } }, /首批开始日期 2025-12-19 晚于结束日期/],
      [{ secondWindow: { start: '2025-12-15', end: '2026-03-31' } }, /第二批开始日期 2025-12-15 应晚于首批结束日期/],
      [{ secondWindow: { start: '2026-03-01', end: '2026-02-01' } }, /第二批开始日期 2026-03-01 晚于结束日期/],
      [{ secondWindow: { start: null, end: '2026-04-30' } }, /第二批结束日期 2026-04-30 晚于最晚截止日期/],
      [{ deadline: '2026-02-30' }, /最晚截止日期“2026-02-30”不是/],
      [{ name: ' ' }, /批次名称为空/],
      [{ secondWindow: { start: null, end: '2025-12-10' } }, /第二批结束日期 2025-12-10 应晚于首批结束日期/],
    ];
    for (const [over, re] of cases) expect(expectRefusal(validateBatch({ ...BATCH, ...over }), 'BATCH_INVALID')).toMatch(re);
  });

  it('opens the second window when results are published, validated', () => {
    const b = { ...BATCH, secondWindow: { start: null, end: '2026-03-31' } };
    expect(expectOk(openSecondWindow(b, '2026-01-25')).secondWindow.start).toBe('2026-01-25');
    expectRefusal(openSecondWindow(b, '2025-12-10'), 'BATCH_INVALID');
  });
});
