import { describe, expect, it } from 'vitest';
import { addDays, addWorkingDays, chinaDate, chinaDateTime, compareDates, daysBetween, isIsoDate, isWorkingDay, toChinaDate, workingDaysBetween } from './time.js';

describe('calendar days in Beijing', () => {
  it('chinaDate turns instants into Beijing days', () => {
    expect(chinaDate(new Date('2025-12-19T15:59:59Z'))).toBe('2025-12-19');
    expect(chinaDate(new Date('2025-12-19T16:00:00Z'))).toBe('2025-12-20');
    expect(toChinaDate('2025-12-01')).toBe('2025-12-01');
    expect(() => toChinaDate('2025-13-01')).toThrow(/YYYY-MM-DD/);
  });

  it('chinaDateTime shows an instant in Beijing time to the minute', () => {
    expect(chinaDateTime(new Date('2026-12-01T06:38:59.999Z'))).toBe('2026-12-01 14:38');
    expect(chinaDateTime(new Date('2025-12-19T16:00:00Z'))).toBe('2025-12-20 00:00');
  });

  it('validates and does arithmetic', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate('2025-2-1')).toBe(false);
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(daysBetween('2025-12-08', '2025-12-19')).toBe(11);
    expect(compareDates('2025-12-08', '2025-12-19')).toBe(-1);
    expect(compareDates('2025-12-19', '2025-12-19')).toBe(0);
  });
});

describe('working days', () => {
  it('Monday to Friday, minus holidays, plus swapped working weekends', () => {
    expect(isWorkingDay('2025-09-05')).toBe(true); // Friday
    expect(isWorkingDay('2025-09-06')).toBe(false); // Saturday
    expect(isWorkingDay('2025-10-01', { holidays: ['2025-10-01'] })).toBe(false);
    expect(isWorkingDay('2025-09-28', { workdays: ['2025-09-28'] })).toBe(true); // Sunday made a working day
  });

  it('addWorkingDays counts from the next working day', () => {
    expect(addWorkingDays('2025-09-05', 7)).toBe('2025-09-16');
    expect(addWorkingDays('2025-09-05', 0)).toBe('2025-09-05');
    expect(addWorkingDays('2025-09-05', 1)).toBe('2025-09-08');
    // National Day week 2025: 10-01..10-08 holidays, 09-28 and 10-11 working Sundays/Saturdays
    const cal = { holidays: ['2025-10-01', '2025-10-02', '2025-10-03', '2025-10-06', '2025-10-07', '2025-10-08'], workdays: ['2025-09-28', '2025-10-11'] };
    expect(addWorkingDays('2025-09-26', 7, cal)).toBe('2025-10-13');
    expect(() => addWorkingDays('2025-09-05', -1)).toThrow();
  });

  it('workingDaysBetween is the inverse of addWorkingDays', () => {
    expect(workingDaysBetween('2025-09-05', '2025-09-16')).toBe(7);
    expect(workingDaysBetween('2025-09-16', '2025-09-05')).toBe(0);
    for (let n = 0; n < 30; n++) expect(workingDaysBetween('2025-09-03', addWorkingDays('2025-09-03', n))).toBe(n);
  });
});
