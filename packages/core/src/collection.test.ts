import { describe, expect, it } from 'vitest';
import {
  COLLECTION_FEE_FEN,
  adviseInPerson,
  checkFeatureCode,
  chsiCheckDueDate,
  chsiCheckReminder,
  collectionDeadlineReminders,
  decideCollection,
  inPersonAdvice,
  isShippingOverdue,
  maskedName,
  newCollectionOrder,
  overdueShipments,
  shippingDueDate,
  type CollectionAction,
  type CollectionContext,
  type CollectionOrder,
  type FeatureCode,
} from './collection.js';
import type { Role } from './organisation.js';
import { PATHS, actor, china, expectOk, expectRefusal, student } from './test-support.js';

const CODES: FeatureCode[] = [
  { code: 'yknmcm', year: 2025, collectionCentrePath: PATHS.collectionCentre },
  { code: 'abcdef', year: 2024, collectionCentrePath: PATHS.collectionCentre },
];

const ROLE: Record<CollectionAction['type'], Role> = {
  collection_submit: 'student',
  collection_first_review_pass: 'collector',
  collection_pay: 'student',
  collection_final_pass: 'collector',
  collection_reject: 'collector',
  collection_complete: 'collector',
  collection_ship: 'collector',
  collection_record_receipt: 'student',
};

function ctx(role: Role, over: Partial<CollectionContext> = {}): CollectionContext {
  return { at: china('2025-08-20'), actor: actor(role), featureCodes: CODES, ...over };
}

const order = (over: Partial<CollectionOrder> = {}): CollectionOrder => ({
  ...newCollectionOrder({ id: 'o1', student: student(), collectionCentrePath: PATHS.collectionCentre }),
  ...over,
});

const SUBMIT: CollectionAction = { type: 'collection_submit', collectionCode: 'CJM123456', featureCode: 'yknmcm', photoId: 'ph1', shippingAddress: '沈阳市浑南区' };

function run(o: CollectionOrder, steps: CollectionAction[], at = china('2025-08-20')) {
  const events = [];
  for (const s of steps) {
    const d = expectOk(decideCollection(o, s, ctx(ROLE[s.type], { at })));
    o = d.order;
    events.push(...d.events);
  }
  return { order: o, events };
}

const TO_SHIPPED: CollectionAction[] = [
  SUBMIT,
  { type: 'collection_first_review_pass' },
  { type: 'collection_pay', amountFen: 6700 },
  { type: 'collection_final_pass' },
  { type: 'collection_complete' },
  { type: 'collection_ship', trackingNumber: 'SF123' },
];

describe('collection order machine', () => {
  it('created → submitted → first_review_passed → paid → final_passed → completed → shipped', () => {
    const r = run(order(), TO_SHIPPED);
    expect(r.events.map((e) => e.to)).toEqual(['submitted', 'first_review_passed', 'paid', 'final_passed', 'completed', 'shipped']);
    expect(r.order.paidAmountFen).toBe(COLLECTION_FEE_FEN);
    expect(r.order.trackingNumber).toBe('SF123');
    expect(r.order.featureCode).toBe('yknmcm');
    expect(r.order.collectionCode).toBe('CJM123456');
    expect(r.order.shippingAddress).toBe('沈阳市浑南区');
  });

  it('INVALID_TRANSITION: no completion or final review before payment', () => {
    const passed = run(order(), TO_SHIPPED.slice(0, 2)).order;
    expect(passed.status).toBe('first_review_passed');
    expectRefusal(decideCollection(passed, { type: 'collection_final_pass' }, ctx('collector')), 'INVALID_TRANSITION');
    expectRefusal(decideCollection(passed, { type: 'collection_complete' }, ctx('collector')), 'INVALID_TRANSITION');
    expectRefusal(decideCollection(order(), { type: 'collection_pay', amountFen: 6700 }, ctx('student')), 'INVALID_TRANSITION');
  });

  it('PAYMENT_AMOUNT_WRONG unless exactly 67 yuan', () => {
    const passed = run(order(), TO_SHIPPED.slice(0, 2)).order;
    const m = expectRefusal(decideCollection(passed, { type: 'collection_pay', amountFen: 6000 }, ctx('student')), 'PAYMENT_AMOUNT_WRONG');
    expect(m).toContain('67');
  });

  it('submission needs 采集码, a valid 特征码 and a photo', () => {
    expectRefusal(decideCollection(order(), { ...SUBMIT, collectionCode: ' ' }, ctx('student')), 'COLLECTION_CODE_MISSING');
    expectRefusal(decideCollection(order(), { ...SUBMIT, featureCode: 'zzzzzz' }, ctx('student')), 'FEATURE_CODE_INVALID');
    const m = expectRefusal(decideCollection(order(), { ...SUBMIT, featureCode: 'abcdef' }, ctx('student')), 'FEATURE_CODE_EXPIRED');
    expect(m).toContain('2024');
    expectRefusal(decideCollection(order(), SUBMIT, ctx('student', { at: china('2026-01-02') })), 'FEATURE_CODE_EXPIRED');
    expectRefusal(decideCollection(order(), { ...SUBMIT, photoId: null }, ctx('student')), 'PHOTO_MISSING');
    expect(expectOk(decideCollection(order(), { ...SUBMIT, featureCode: ' YKNMCM ' }, ctx('student'))).order.status).toBe('submitted');
  });

  it('checkFeatureCode respects the collection centre that set it', () => {
    expectOk(checkFeatureCode('yknmcm', CODES, china('2025-03-01'), PATHS.collectionCentre));
    expectRefusal(checkFeatureCode('yknmcm', CODES, china('2025-03-01'), '/1/9/cc9/'), 'FEATURE_CODE_INVALID');
    expectRefusal(checkFeatureCode('', CODES, china('2025-03-01')), 'FEATURE_CODE_INVALID');
  });

  it('rejection needs a reason; after more than 3 rejections in-person collection is advised', () => {
    let o = run(order(), [SUBMIT]).order;
    expectRefusal(decideCollection(o, { type: 'collection_reject', reason: '' }, ctx('collector')), 'REASON_REQUIRED');
    for (let i = 1; i <= 4; i++) {
      const d = expectOk(decideCollection(o, { type: 'collection_reject', reason: '背景有阴影' }, ctx('collector')));
      o = d.order;
      expect(o.status).toBe('rejected');
      expect(o.rejectionCount).toBe(i);
      expect(adviseInPerson(o)).toBe(i > 3);
      expect(d.warnings.some((w) => w.code === 'IN_PERSON_ADVISED')).toBe(i > 3);
      o = expectOk(decideCollection(o, SUBMIT, ctx('student'))).order;
    }
    expect(inPersonAdvice(o)).toContain('现场采集');
    expect(inPersonAdvice({ rejectionCount: 3 })).toBeNull();
  });

  it('a final-review rejection after payment does not ask for a second payment', () => {
    let o = run(order(), TO_SHIPPED.slice(0, 3)).order;
    o = expectOk(decideCollection(o, { type: 'collection_reject', reason: '人像比对失败' }, ctx('collector'))).order;
    o = expectOk(decideCollection(o, SUBMIT, ctx('student'))).order;
    o = expectOk(decideCollection(o, { type: 'collection_first_review_pass' }, ctx('collector'))).order;
    expect(o.status).toBe('paid');
    expectRefusal(decideCollection(o, { type: 'collection_pay', amountFen: 6700 }, ctx('student')), 'INVALID_TRANSITION');
  });

  it('roles and scope: students submit and pay their own orders, collectors review theirs', () => {
    expectRefusal(decideCollection(order(), SUBMIT, ctx('collector')), 'NOT_PERMITTED');
    expectRefusal(decideCollection(order(), SUBMIT, ctx('student', { actor: actor('student', { studentId: 's2' }) })), 'NOT_PERMITTED');
    const submitted = run(order(), [SUBMIT]).order;
    expectRefusal(decideCollection(submitted, { type: 'collection_first_review_pass' }, ctx('student')), 'NOT_PERMITTED');
    expectRefusal(decideCollection(submitted, { type: 'collection_first_review_pass' }, ctx('collector', { actor: actor('collector', { orgPath: '/1/9/cc9/' }) })), 'OUT_OF_SCOPE');
  });

  it('shows masked names', () => {
    expect(maskedName(order())).toBe('张*');
    expect(maskedName({ name: '欧阳娜娜' })).toBe('欧***');
  });
});

describe('reminders', () => {
  it('paper copies are due 7 working days after final approval', () => {
    // final approval Friday 2025-09-05 (Beijing) → due Tuesday 2025-09-16
    const o = run(order(), TO_SHIPPED.slice(0, 4), china('2025-09-05')).order;
    expect(shippingDueDate(o)).toBe('2025-09-16');
    expect(isShippingOverdue(o, china('2025-09-16'))).toBe(false);
    expect(isShippingOverdue(o, china('2025-09-17'))).toBe(true);
    expect(shippingDueDate(o, { holidays: ['2025-09-08'] })).toBe('2025-09-17');
    const late = overdueShipments([o, order()], china('2025-09-19'));
    expect(late).toHaveLength(1);
    expect(late[0].workingDaysOverdue).toBe(3);
    const shipped = run(o, TO_SHIPPED.slice(4), china('2025-09-18')).order;
    expect(isShippingOverdue(shipped, china('2025-09-30'))).toBe(false);
  });

  it('students check 学信网 within 20 working days of receiving the paper copies', () => {
    let o = run(order(), TO_SHIPPED, china('2025-09-05')).order;
    expect(chsiCheckReminder(o, china('2025-09-10'))).toBeNull();
    expectRefusal(decideCollection(o, { type: 'collection_record_receipt', receivedOn: '2025-09-20' }, ctx('student', { at: china('2025-09-10') })), 'DATE_INVALID');
    expectRefusal(decideCollection(o, { type: 'collection_record_receipt', receivedOn: '2025-09-01' }, ctx('student', { at: china('2025-09-10') })), 'DATE_INVALID');
    o = expectOk(decideCollection(o, { type: 'collection_record_receipt', receivedOn: '2025-09-08' }, ctx('student', { at: china('2025-09-10') }))).order;
    expect(o.status).toBe('shipped');
    expect(chsiCheckDueDate(o)).toBe('2025-10-06');
    const r = chsiCheckReminder(o, china('2025-09-10'));
    expect(r).toMatchObject({ dueOn: '2025-10-06', workingDaysLeft: 18, overdue: false });
    expect(r?.message).toContain('张*');
    const late = chsiCheckReminder(o, china('2025-10-08'));
    expect(late).toMatchObject({ overdue: true, workingDaysLeft: -2 });
    expect(late?.message).toContain('立即登录学信网');
  });

  it('centres are reminded of the collection deadline for students still without a completed collection', () => {
    const students = [
      student({ id: 'a', chsiPhotoMissing: true }),
      student({ id: 'b', chsiPhotoMissing: true }),
      student({ id: 'c', chsiPhotoMissing: true, centrePath: PATHS.centreB }),
      student({ id: 'd', chsiPhotoMissing: false }),
      student({ id: 'e', chsiPhotoMissing: true, status: 'expired' }),
    ];
    const orders = [
      { studentId: 'b', status: 'completed' as const },
      { studentId: 'c', status: 'paid' as const },
    ];
    const r = collectionDeadlineReminders({ students, orders, deadline: '2025-09-15', at: china('2025-09-01') });
    expect(r.map((x) => [x.centrePath, x.pendingStudentIds])).toEqual([
      [PATHS.centre, ['a']],
      [PATHS.centreB, ['c']],
    ]);
    expect(r[0].daysLeft).toBe(14);
    expect(r[0].message).toContain('2025-09-15');
    expect(collectionDeadlineReminders({ students, orders, deadline: '2025-09-15', at: china('2025-07-01') })).toEqual([]);
    const after = collectionDeadlineReminders({ students, orders, deadline: '2025-09-15', at: china('2025-09-16') });
    expect(after[0].overdue).toBe(true);
    expect(after[0].message).toContain('无法在本批次毕业');
  });
});
