/**
 * Fixtures shared by the core tests (测试数据): a small organisation tree, the January 2026 batch of seed 000,
 * students with valid generated identifiers, actors of every role. Not exported from the package index.
 */
import { idCardCheckChar } from '@gradpass/ids';
import { expect } from 'vitest';
import type { Result, RefusalCode } from './errors.js';
import type { Actor, Role } from './organisation.js';
import type { GraduationBatch } from './batch.js';
import type { Student } from './student.js';
import type { ApplicationActionType, PhotoState } from './application.js';

export const PATHS = {
  national: '/1/',
  province: '/1/3/',
  city: '/1/3/7/',
  centre: '/1/3/7/42/',
  /** Another centre of the same city. */
  centreB: '/1/3/7/43/',
  /** A centre of another city. */
  otherCityCentre: '/1/3/8/50/',
  otherCity: '/1/3/8/',
  otherProvince: '/1/4/',
  collectionCentre: '/1/3/cc1/',
} as const;

/** A valid 18-digit 身份证号 for a birth date and sequence. */
export function makeIdCard(birth = '19900101', seq = '123', area = '370102'): string {
  const first17 = `${area}${birth}${seq}`;
  return first17 + idCardCheckChar(first17);
}

/** An instant given as a Beijing wall-clock time: china('2025-12-10') → 2025-12-10 10:00 in Beijing. */
export function china(date: string, time = '10:00:00'): Date {
  return new Date(`${date}T${time}+08:00`);
}

export const BATCH: GraduationBatch = {
  id: 'b202601',
  name: '2026年1月毕业',
  firstWindow: { start: '2025-12-08', end: '2025-12-19' },
  secondWindow: { start: '2026-01-20', end: '2026-03-31' },
  deadline: '2026-03-31',
  collectionDeadline: '2025-09-15',
};

export function student(overrides: Partial<Student> = {}): Student {
  return {
    id: 's1',
    xuehao: '2018370010001',
    idCard: makeIdCard(),
    name: '张三',
    centrePath: PATHS.centre,
    programme: '行政管理',
    level: 'bachelor',
    enrolmentTerm: '2020春',
    chsiPhotoMissing: false,
    identityDoubtful: false,
    identityReview: 'none',
    continuingToBachelor: false,
    status: 'enrolled',
    registrationNumber: null,
    ...overrides,
  };
}

/** The organisation each test actor of a role belongs to. */
export const ROLE_PATH: Record<Role, string> = {
  student: PATHS.centre,
  centre_staff: PATHS.centre,
  city_reviewer: PATHS.city,
  province_reviewer: PATHS.province,
  national_reviewer: PATHS.national,
  collector: PATHS.collectionCentre,
  admin: PATHS.province,
};

/** The role that naturally performs each application action (one per arrow of domain.md's diagram). */
export const ACTING_ROLE: Record<ApplicationActionType, Role> = {
  apply: 'student',
  submit: 'centre_staff',
  city_approve: 'city_reviewer',
  city_return: 'city_reviewer',
  province_approve: 'province_reviewer',
  province_return: 'province_reviewer',
  national_approve: 'national_reviewer',
  national_reject: 'national_reviewer',
};

export function actor(role: Role, overrides: Partial<Actor> = {}): Actor {
  return { userId: `u-${role}`, role, orgPath: ROLE_PATH[role], studentId: role === 'student' ? 's1' : null, name: `${role} user`, ...overrides };
}

export const GOOD_PHOTO: PhotoState = { photoId: 'p1', verdict: 'pass', sameVersionConfirmed: true };

/** Asserts a refusal with this code and returns its message. */
export function expectRefusal<T>(result: Result<T>, code: RefusalCode): string {
  if (result.ok) throw new Error(`expected refusal ${code}, got success`);
  expect(result.refusal.code).toBe(code);
  expect(result.refusal.message.length).toBeGreaterThan(0);
  expect(/[\u4e00-\u9fff]/.test(result.refusal.message)).toBe(true);
  return result.refusal.message;
}

/** Asserts success and returns the value. */
export function expectOk<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got ${result.refusal.code}: ${result.refusal.message}`);
  return result.value;
}
