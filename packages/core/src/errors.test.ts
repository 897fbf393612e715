import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DomainError, REFUSAL_CATALOGUE, REFUSAL_CODES, WARNING_CATALOGUE, isRefusalCode, ok, refusalTitle, refuse, unwrap, warning } from './errors.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('refusal catalogue', () => {
  it('every code has a Chinese title and an HTTP status', () => {
    for (const code of REFUSAL_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(/[\u4e00-\u9fff]/.test(refusalTitle(code))).toBe(true);
      expect([400, 403, 409, 422]).toContain(REFUSAL_CATALOGUE[code].httpStatus);
    }
    for (const [code, text] of Object.entries(WARNING_CATALOGUE)) {
      expect(code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(/[\u4e00-\u9fff]/.test(text)).toBe(true);
    }
  });

  it('every refusal code is asserted by some test (expectRefusal(…, CODE))', () => {
    const sources = readdirSync(here)
      .filter((f) => f.endsWith('.test.ts') && f !== 'errors.test.ts')
      .map((f) => readFileSync(join(here, f), 'utf8'))
      .join('\n');
    const asserted = new Set([...sources.matchAll(/expectRefusal\([\s\S]*?,\s*'([A-Z_]+)',?\s*\)/g)].map((m) => m[1]));
    const missing = REFUSAL_CODES.filter((c) => !asserted.has(c));
    expect(missing).toEqual([]);
  });

  it('refuse, ok, unwrap and DomainError', () => {
    const r = refuse('PHOTO_LOCKED');
    expect(r).toEqual({ ok: false, refusal: { code: 'PHOTO_LOCKED', message: '照片已锁定，审核期间不可更换' } });
    expect(refuse('WINDOW_CLOSED', '不在时间内', { day: '2026-01-01' })).toEqual({ ok: false, refusal: { code: 'WINDOW_CLOSED', message: '不在时间内', details: { day: '2026-01-01' } } });
    expect(unwrap(ok(3))).toBe(3);
    try {
      unwrap(r);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('PHOTO_LOCKED');
      expect((e as DomainError).httpStatus).toBe(409);
      expect((e as DomainError).message).toBe('照片已锁定，审核期间不可更换');
    }
    expect(isRefusalCode('BATCH_FROZEN')).toBe(true);
    expect(isRefusalCode('toString')).toBe(false);
    expect(warning('ENROLMENT_EXPIRING').message).toContain('8 年');
  });
});
