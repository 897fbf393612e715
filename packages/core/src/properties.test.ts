/**
 * Property-based tests (fast-check): random action sequences by random actors at random times, with random
 * 学信网 flags and photo states, against the invariants of the domain.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PERMISSIONS,
  authorisePhotoReplacement,
  decide,
  decideCollection,
  isPhotoLocked,
  newApplication,
  newCollectionOrder,
  isRefusalCode,
  type ApplicationAction,
  type ApplicationEvent,
  type ApplicationStatus,
  type CollectionAction,
  type CollectionOrder,
  type GraduationApplication,
  type IdentityReviewState,
  type PhotoState,
  type Role,
  type Student,
} from './index.js';
import { isEnrolmentValid } from './enrolment.js';
import { isFrozen, isSubmissionOpen } from './batch.js';
import { ACTING_ROLE, BATCH, PATHS, ROLE_PATH, china, student } from './test-support.js';

const ROLES: Role[] = ['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin'];
const HOME = ROLE_PATH;
/** Moments: in the first window, between windows, in the second window, on the deadline, after it, after the 2018春 expiry. */
const MOMENTS = [
  china('2025-12-08', '00:00:00'),
  china('2025-12-12'),
  new Date('2025-12-19T15:59:59Z'),
  new Date('2025-12-19T16:00:00Z'),
  china('2026-01-05'),
  china('2026-02-10'),
  china('2026-03-31', '23:59:59'),
  china('2026-04-01'),
  china('2026-05-02'),
];

const reasonArb = fc.constantFrom('', '  ', '照片不合格', '材料不全');
const actionArb: fc.Arbitrary<ApplicationAction> = fc.oneof(
  fc.record({ type: fc.constant('apply' as const), formSigned: fc.boolean(), degreeRequested: fc.option(fc.boolean(), { nil: undefined }) }),
  fc.record({ type: fc.constant('submit' as const), degreeRequested: fc.option(fc.boolean(), { nil: undefined }) }),
  fc.record({ type: fc.constant('city_approve' as const) }),
  fc.record({ type: fc.constant('city_return' as const), reason: reasonArb }),
  fc.record({ type: fc.constant('province_approve' as const) }),
  fc.record({ type: fc.constant('province_return' as const), reason: reasonArb }),
  fc.record({ type: fc.constant('national_approve' as const) }),
  fc.record({ type: fc.constant('national_reject' as const), reason: reasonArb }),
);

const photoArb: fc.Arbitrary<PhotoState | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ photoId: 'p-good', verdict: 'pass' as const, sameVersionConfirmed: true }) },
  {
    weight: 4,
    arbitrary: fc.option(
      fc.record({
        photoId: fc.constantFrom<string | null>(null, 'p-a', 'p-b'),
        verdict: fc.constantFrom('pass' as const, 'fail' as const, 'review' as const, 'error' as const, 'unchecked' as const),
        sameVersionConfirmed: fc.boolean(),
        referenceMatch: fc.constantFrom('same' as const, 'different' as const, null),
      }),
      { nil: null },
    ),
  },
);

const flagsArb = fc.oneof(
  { weight: 7, arbitrary: fc.constant({ chsiPhotoMissing: false, identityDoubtful: false, identityReview: 'none' as IdentityReviewState, enrolmentTerm: '2020春' }) },
  {
    weight: 3,
    arbitrary: fc.record({
      chsiPhotoMissing: fc.boolean(),
      identityDoubtful: fc.boolean(),
      identityReview: fc.constantFrom<IdentityReviewState>('none', 'documents_collected', 'submitted', 'approved', 'rejected'),
      enrolmentTerm: fc.constantFrom('2018春', '2017秋', '2020春'),
    }),
  },
);

/** The natural next action for a status ('forward') and the way back ('back'), to steer sequences deep into the machine. */
const FORWARD: Partial<Record<ApplicationStatus, ApplicationAction['type']>> = {
  draft: 'apply',
  applied: 'submit',
  returned: 'submit',
  submitted: 'city_approve',
  city_approved: 'province_approve',
  province_approved: 'national_approve',
  graduated: 'national_approve',
  rejected_final: 'submit',
};
const BACK: Partial<Record<ApplicationStatus, ApplicationAction['type']>> = {
  submitted: 'city_return',
  city_approved: 'province_return',
  province_approved: 'national_reject',
  graduated: 'province_return',
};

type Step =
  | {
      kind: 'decide';
      /** 'forward' / 'back' pick the action from the current status; 'random' uses `action`. */
      intent: 'forward' | 'back' | 'random';
      action: ApplicationAction;
      /** null = the role the action calls for. */
      role: Role | null;
      formSigned: boolean;
      reason: string;
      inScope: boolean;
      ownStudent: boolean;
      at: Date;
      photo: PhotoState | null;
      flags: { chsiPhotoMissing: boolean; identityDoubtful: boolean; identityReview: IdentityReviewState; enrolmentTerm: string };
      serial: number | null;
    }
  | { kind: 'replace_photo'; role: Role; inScope: boolean };

const decideStepArb: fc.Arbitrary<Step> = fc.record({
  kind: fc.constant('decide' as const),
  intent: fc.oneof({ weight: 7, arbitrary: fc.constant('forward' as const) }, { weight: 1, arbitrary: fc.constant('back' as const) }, { weight: 2, arbitrary: fc.constant('random' as const) }),
  action: actionArb,
  role: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...ROLES) }),
  formSigned: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 2, arbitrary: fc.constant(false) }),
  reason: reasonArb,
  inScope: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  ownStudent: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  at: fc.constantFrom(...MOMENTS),
  photo: photoArb,
  flags: flagsArb,
  serial: fc.option(fc.integer({ min: 1, max: 999_999 }), { nil: null, freq: 8 }),
});

function actionFor(step: Extract<Step, { kind: 'decide' }>, status: ApplicationStatus): ApplicationAction {
  const type = step.intent === 'forward' ? FORWARD[status] : step.intent === 'back' ? BACK[status] : undefined;
  switch (type) {
    case undefined:
      return step.action;
    case 'apply':
      return { type, formSigned: step.formSigned };
    case 'city_return':
    case 'province_return':
    case 'national_reject':
      return { type, reason: step.reason };
    default:
      return { type };
  }
}

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 9, arbitrary: decideStepArb },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replace_photo' as const), role: fc.constantFrom(...ROLES), inScope: fc.boolean() }),
  },
);

/** The test's own oracle of the photo lock (domain.md: from submission on, until returned; and once graduated). */
const LOCKED = new Set<ApplicationStatus>(['submitted', 'city_approved', 'province_approved', 'graduated']);

const OUT_OF_SCOPE_PATH: Record<Role, string> = {
  student: PATHS.centreB,
  centre_staff: PATHS.centreB,
  city_reviewer: PATHS.otherCity,
  province_reviewer: PATHS.otherProvince,
  national_reviewer: '/2/',
  collector: '/1/9/cc9/',
  admin: PATHS.otherProvince,
};

describe('application state machine: properties', () => {
  it('never graduates without all four levels, never changes an issued 电子注册号, never replaces a locked photo', () => {
    let graduatedRuns = 0;
    let maxStatusSeen = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }), (steps) => {
        let app: GraduationApplication = newApplication({ id: 'a1', student: student(), batchId: BATCH.id });
        let studentStatus: Student['status'] = 'enrolled';
        let studentNumber: string | null = null;
        const history: ApplicationEvent[] = [];
        let issued: string | null = null;
        let photoOfStudent = 'p-initial';

        for (const step of steps) {
          const before = JSON.stringify(app);
          if (step.kind === 'replace_photo') {
            const actor = { userId: 'u', role: step.role, orgPath: step.inScope ? HOME[step.role] : OUT_OF_SCOPE_PATH[step.role], studentId: 's1' };
            const r = authorisePhotoReplacement(app, actor);
            if (r.ok) {
              // invariant: a replacement is only ever allowed while the photo is unlocked, by centre staff
              expect(LOCKED.has(app.status)).toBe(false);
              expect(isPhotoLocked(app)).toBe(false);
              expect(step.role).toBe('centre_staff');
              photoOfStudent = `p-replaced-${history.length}`;
            } else if (LOCKED.has(app.status) && step.role === 'centre_staff' && step.inScope) {
              expect(r.refusal.code).toBe('PHOTO_LOCKED');
            }
            continue;
          }
          const s = student({ ...step.flags, status: studentStatus, registrationNumber: studentNumber });
          const action = actionFor(step, app.status);
          const role = step.role ?? ACTING_ROLE[action.type];
          const actor = {
            userId: `u-${role}`,
            role,
            orgPath: step.inScope ? HOME[role] : OUT_OF_SCOPE_PATH[role],
            studentId: step.ownStudent ? 's1' : 's2',
          };
          const photo = step.photo && step.photo.photoId ? { ...step.photo, photoId: step.photo.photoId === 'p-good' ? photoOfStudent : step.photo.photoId } : step.photo;
          const r = decide(app, action, {
            at: step.at,
            actor,
            student: s,
            batch: BATCH,
            photo,
            issueNumber: step.serial === null ? null : { schoolCode: '51161', serial: step.serial },
          });
          // decide is pure: the input is never mutated
          expect(JSON.stringify(app)).toBe(before);
          if (!r.ok) {
            expect(isRefusalCode(r.refusal.code)).toBe(true);
            expect(/[\u4e00-\u9fff]/.test(r.refusal.message)).toBe(true);
            if (issued !== null) expect(r.refusal.code).toBe('REGISTRATION_NUMBER_IMMUTABLE');
            continue;
          }
          const { app: next, events } = r.value;
          expect(issued).toBeNull(); // nothing succeeds once a number is issued
          expect(events).toHaveLength(1);
          const e = events[0];
          expect(e.from).toBe(app.status);
          expect(e.to).toBe(next.status);
          expect(PERMISSIONS[e.action].roles).toContain(e.actorRole);
          expect(isFrozen(BATCH, step.at)).toBe(false);
          expect(isEnrolmentValid(s.enrolmentTerm, step.at)).toBe(true);
          if (['city_return', 'province_return', 'national_reject'].includes(e.action)) expect((e.reason ?? '').trim()).not.toBe('');
          if (e.action === 'submit') {
            expect(isSubmissionOpen(BATCH, step.at)).toBe(true);
            expect(photo?.verdict).toBe('pass');
            expect(photo?.sameVersionConfirmed).toBe(true);
            expect(next.photoId).toBe(photo?.photoId);
          }
          // the locked photo never changes while in review
          if (LOCKED.has(app.status)) expect(next.photoId).toBe(app.photoId);
          history.push(e);
          app = next;
          studentStatus = r.value.student.status;
          studentNumber = r.value.student.registrationNumber ?? null;

          if (next.status === 'graduated') {
            const reached = new Set(history.map((h) => h.to));
            for (const level of ['applied', 'submitted', 'city_approved', 'province_approved'] as ApplicationStatus[]) expect(reached.has(level)).toBe(true);
            // the last review chain before graduation: submitted → city_approved → province_approved → graduated, no return in between
            const tail = history.slice(-4).map((h) => h.to);
            expect(tail).toEqual(['submitted', 'city_approved', 'province_approved', 'graduated']);
            expect(e.actorRole).toBe('national_reviewer');
            expect(s.chsiPhotoMissing).toBe(false);
            expect(!s.identityDoubtful || s.identityReview === 'approved').toBe(true);
            expect(next.registrationNumber).toMatch(/^51161\d{4}[12]\d{6}$/);
            expect(r.value.student.status).toBe('graduated');
            issued = next.registrationNumber;
            graduatedRuns++;
          }
          if (issued !== null) expect(app.registrationNumber).toBe(issued);
          maxStatusSeen = Math.max(maxStatusSeen, history.length);
        }
        if (issued !== null) {
          expect(app.status).toBe('graduated');
          expect(app.registrationNumber).toBe(issued);
          expect(studentStatus).toBe('graduated');
        }
      }),
      { numRuns: 300, seed: 20260101 },
    );
    // the generator really reaches graduation (the property is not vacuous)
    expect(graduatedRuns).toBeGreaterThan(75);
    expect(maxStatusSeen).toBeGreaterThan(8);
  });
});

const COLLECTION_FORWARD: Record<CollectionOrder['status'], CollectionAction['type']> = {
  created: 'collection_submit',
  rejected: 'collection_submit',
  submitted: 'collection_first_review_pass',
  first_review_passed: 'collection_pay',
  paid: 'collection_final_pass',
  final_passed: 'collection_complete',
  completed: 'collection_ship',
  shipped: 'collection_record_receipt',
};
const COLLECTION_ROLE: Record<CollectionAction['type'], Role> = {
  collection_submit: 'student',
  collection_first_review_pass: 'collector',
  collection_pay: 'student',
  collection_final_pass: 'collector',
  collection_reject: 'collector',
  collection_complete: 'collector',
  collection_ship: 'collector',
  collection_record_receipt: 'student',
};

const collectionActionArb: fc.Arbitrary<CollectionAction> = fc.oneof(
  fc.record({
    type: fc.constant('collection_submit' as const),
    collectionCode: fc.constantFrom('', 'CJM1', 'CJM1'),
    featureCode: fc.constantFrom('yknmcm', 'yknmcm', 'wrong', 'old2024'),
    photoId: fc.constantFrom<string | null>(null, 'ph', 'ph'),
  }),
  fc.constant({ type: 'collection_first_review_pass' as const }),
  fc.record({ type: fc.constant('collection_pay' as const), amountFen: fc.constantFrom(6700, 6700, 0, 670, 67000) }),
  fc.constant({ type: 'collection_final_pass' as const }),
  fc.record({ type: fc.constant('collection_reject' as const), reason: fc.constantFrom('', '背景不均匀') }),
  fc.constant({ type: 'collection_complete' as const }),
  fc.constant({ type: 'collection_ship' as const }),
  fc.constant({ type: 'collection_record_receipt' as const, receivedOn: '2025-08-25' }),
);

const collectionStepArb = fc.record({
  forward: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 4, arbitrary: fc.constant(false) }),
  /** The action used when not going forward, and the input source (amount, codes…) when going forward. */
  pool: fc.array(collectionActionArb, { minLength: 8, maxLength: 8 }),
  random: collectionActionArb,
  role: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.constantFrom(...ROLES) }),
  at: fc.constantFrom(china('2025-08-20'), china('2025-08-28'), china('2025-08-28'), china('2026-01-03')),
});

describe('collection order machine: properties', () => {
  it('never completes or ships without payment of 67 yuan, and rejections only count up', () => {
    let completedRuns = 0;
    fc.assert(
      fc.property(fc.array(collectionStepArb, { minLength: 1, maxLength: 40, size: 'max' }), (steps) => {
        let order: CollectionOrder = newCollectionOrder({ id: 'o1', student: student(), collectionCentrePath: PATHS.collectionCentre });
        const trail: string[] = [];
        for (const step of steps) {
          const type = COLLECTION_FORWARD[order.status];
          const action = step.forward ? (step.pool.find((x) => x.type === type) ?? step.random) : step.random;
          const role = step.role ?? COLLECTION_ROLE[action.type];
          const actor = { userId: 'u', role, orgPath: HOME[role], studentId: 's1' };
          const r = decideCollection(order, action, {
            at: step.at,
            actor,
            featureCodes: [
              { code: 'yknmcm', year: 2025 },
              { code: 'old2024', year: 2024 },
            ],
          });
          if (!r.ok) {
            expect(isRefusalCode(r.refusal.code)).toBe(true);
            continue;
          }
          const next = r.value.order;
          expect(next.rejectionCount).toBeGreaterThanOrEqual(order.rejectionCount);
          trail.push(`${order.status}→${next.status}`);
          if (next.status === 'submitted') {
            expect(next.featureCode).toBe('yknmcm');
            expect(step.at.getTime()).toBeLessThan(new Date('2026-01-01T00:00:00+08:00').getTime());
          }
          if (next.status === 'final_passed' || next.status === 'completed' || next.status === 'shipped') {
            expect(next.paidAt).not.toBeNull();
            expect(next.paidAmountFen).toBe(6700);
            expect(trail).toContain('first_review_passed→paid');
          }
          if (next.status === 'completed' && order.status !== 'completed') completedRuns++;
          order = next;
        }
      }),
      { numRuns: 300, seed: 4 },
    );
    expect(completedRuns).toBeGreaterThan(40);
  });
});
