import { describe, expect, it } from 'vitest';
import {
  compareTerms,
  daysUntilEnrolmentExpiry,
  enrolmentValidUntil,
  expiresBefore,
  formatEnrolmentTerm,
  isEnrolmentValid,
  listExpired,
  listExpiringBefore,
  listUnreadableTerms,
  oldestValidTerm,
  parseEnrolmentTerm,
} from './enrolment.js';
import { china, expectOk, expectRefusal } from './test-support.js';

describe('parseEnrolmentTerm', () => {
  it('reads the usual spellings', () => {
    const spring = ['2018春', '2018春季', '2018年春季', '2018年春', '2018 spring', '2018-Spring', '2018S', '201803', '2018-03', ' 2018 春 '];
    for (const s of spring) expect(expectOk(parseEnrolmentTerm(s)), s).toEqual({ year: 2018, season: 'spring' });
    const autumn = ['2018秋', '2018秋季', '2018年秋季', '2018 autumn', '2018 fall', '2018 Fall', '201809', '2018/09'];
    for (const s of autumn) expect(expectOk(parseEnrolmentTerm(s)), s).toEqual({ year: 2018, season: 'autumn' });
  });

  it('refuses what it cannot read, with ENROLMENT_TERM_INVALID', () => {
    for (const s of ['', '2018', '春', '2018夏', '18春', '201806', 'spring 2018']) {
      const m = expectRefusal(parseEnrolmentTerm(s), 'ENROLMENT_TERM_INVALID');
      expect(m).toContain('2018春');
    }
  });

  it('formats and orders terms', () => {
    expect(formatEnrolmentTerm('2018 fall')).toBe('2018秋');
    expect(formatEnrolmentTerm({ year: 2020, season: 'spring' })).toBe('2020春');
    expect(compareTerms('2018春', '2018秋')).toBe(-1);
    expect(compareTerms('2019春', '2018秋')).toBe(1);
    expect(compareTerms('201803', '2018春')).toBe(0);
    expect(() => formatEnrolmentTerm('x')).toThrow(/无法识别/);
  });
});

describe('8-year validity (seed 000 §三.7)', () => {
  it('2018春 is valid through 2026-04-30 and expires on 2026-05-01', () => {
    expect(enrolmentValidUntil('2018春')).toBe('2026-04-30');
    expect(isEnrolmentValid('2018春', '2026-01-15')).toBe(true);
    expect(isEnrolmentValid('2018春', '2026-04-30')).toBe(true);
    expect(isEnrolmentValid('2018春', '2026-05-01')).toBe(false);
    expect(expiresBefore('2018春', '2026-05-01')).toBe(true);
    expect(expiresBefore('2018春', '2026-04-30')).toBe(false);
  });

  it('autumn terms end on 10-31 eight years later', () => {
    expect(enrolmentValidUntil('2018秋')).toBe('2026-10-31');
    expect(isEnrolmentValid('2018秋', '2026-10-31')).toBe(true);
    expect(isEnrolmentValid('2018秋', '2026-11-01')).toBe(false);
    expect(isEnrolmentValid('2017秋', '2026-01-15')).toBe(false);
  });

  it('instants are read in Beijing time', () => {
    expect(isEnrolmentValid('2018春', new Date('2026-04-30T15:59:59Z'))).toBe(true);
    expect(isEnrolmentValid('2018春', new Date('2026-04-30T16:00:00Z'))).toBe(false);
    expect(daysUntilEnrolmentExpiry('2018春', china('2026-04-20'))).toBe(10);
    expect(daysUntilEnrolmentExpiry('2018春', '2026-05-02')).toBe(-2);
  });

  it('oldestValidTerm', () => {
    expect(oldestValidTerm('2026-01-10')).toEqual({ year: 2018, season: 'spring' });
    expect(oldestValidTerm('2026-05-01')).toEqual({ year: 2018, season: 'autumn' });
    expect(oldestValidTerm('2026-11-01')).toEqual({ year: 2019, season: 'spring' });
  });

  it('lists expired, expiring and unreadable', () => {
    const people = [
      { id: 'a', enrolmentTerm: '2017秋' },
      { id: 'b', enrolmentTerm: '2018秋' },
      { id: 'c', enrolmentTerm: '2018春' },
      { id: 'd', enrolmentTerm: '2022春' },
      { id: 'e', enrolmentTerm: '??' },
    ];
    expect(listExpired(people, '2026-01-10').map((p) => p.id)).toEqual(['a']);
    expect(listExpiringBefore(people, '2026-12-01', '2026-01-10').map((p) => p.id)).toEqual(['c', 'b']);
    expect(listUnreadableTerms(people).map((p) => p.id)).toEqual(['e']);
  });
});
