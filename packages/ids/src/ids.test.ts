import { describe, expect, it } from 'vitest';
import {
  idCardCheckChar,
  identify,
  isValidIdCard,
  maskIdCard,
  maskIdCardsInText,
  maskName,
  parseIdCard,
  parseXuehao,
} from './index.js';

describe('身份证号 GB 11643', () => {
  it('accepts the standard examples', () => {
    expect(isValidIdCard('11010519491231002X')).toBe(true);
    expect(isValidIdCard('440524188001010014')).toBe(true);
  });
  it('accepts lower-case x and stores upper-case', () => {
    const r = parseIdCard('11010519491231002x');
    expect(r.ok && r.info.value).toBe('11010519491231002X');
    expect(r.ok && r.info.sex).toBe('female');
  });
  it('refuses a wrong check character and names the right one', () => {
    const r = parseIdCard('110105194912310021');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('IDCARD_CHECK_CHAR');
      expect(r.problem.message).toContain('应为 X');
    }
  });
  it('refuses impossible and future birth dates even with a correct check character', () => {
    const feb30 = '11010519490230001';
    expect(parseIdCard(feb30 + idCardCheckChar(feb30)).ok).toBe(false);
    const future = '11010520990101001';
    const r = parseIdCard(future + idCardCheckChar(future), new Date('2026-11-22'));
    expect(!r.ok && r.problem.code).toBe('IDCARD_BIRTH_DATE');
  });
  it('reads the 15-digit legacy form in the 1900s', () => {
    const r = parseIdCard('110105491231002');
    expect(r.ok && r.info.birthDate).toBe('1949-12-31');
    expect(r.ok && r.info.legacy).toBe(true);
  });
  it('refuses wrong lengths and letters', () => {
    for (const s of ['', '1101051949123100', '11010519491231002Y', 'abcdefghijklmnopqr']) {
      expect(parseIdCard(s).ok).toBe(false);
    }
  });
});

describe('学号', () => {
  it('accepts 13 digits and reads the parts', () => {
    const r = parseXuehao('1837001400123');
    expect(r.ok && r.info.schoolCode).toBe('370');
    expect(r.ok && r.info.term).toBe('spring');
    const a = parseXuehao('1837001250001');
    expect(a.ok && a.info.term).toBe('autumn');
  });
  it('refuses anything else', () => {
    for (const s of ['183700145012', '18370014501234', '18370014501a3']) expect(parseXuehao(s).ok).toBe(false);
  });
});

describe('identify and mask', () => {
  it('classifies file stems', () => {
    expect(identify('1837001450123').kind).toBe('xuehao');
    expect(identify('11010519491231002x')).toEqual({ kind: 'idcard', value: '11010519491231002X' });
    expect(identify('110105194912310021').kind).toBe('unknown');
    expect(identify('张三').kind).toBe('unknown');
  });
  it('masks names as the collection centre does', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('李')).toBe('李');
  });
  it('masks 身份证号 keeping area code and last four', () => {
    expect(maskIdCard('370102199001010040')).toBe('370102********0040');
    expect(maskIdCard('11010519491231002x')).toBe('110105********002X');
    expect(maskIdCard('370102900101004')).toBe('370102******004');
    expect(maskIdCard('12345')).toBe('*****');
  });
  it('masks 身份证号-shaped tokens in text, leaving 学号 and 电子注册号 alone', () => {
    expect(maskIdCardsInText('王芳 370102199001010040，学号 2337001200003')).toBe(
      '王芳 370102********0040，学号 2337001200003',
    );
    expect(maskIdCardsInText('/api/students?q=11010519491231002x&x=1')).toBe('/api/students?q=110105********002X&x=1');
    expect(maskIdCardsInText('电子注册号 5116120261000123')).toBe('电子注册号 5116120261000123');
    expect(maskIdCardsInText('a3701021990010100401')).toBe('a3701021990010100401');
  });
});
