import { describe, expect, it } from 'vitest';
import {
  checkEnrolmentValid,
  checkStudentUpdate,
  decideIdentityReview,
  firstBatchPriorities,
  isIdentityResolved,
  parseEducationLevel,
  studentWarnings,
  validateStudent,
  type IdentityReviewAction,
} from './student.js';
import { PATHS, actor, china, expectOk, expectRefusal, student } from './test-support.js';

describe('student record', () => {
  it('validateStudent reports bad identifiers and terms in Chinese', () => {
    expect(validateStudent(student(), china('2026-01-01'))).toEqual([]);
    const problems = validateStudent(student({ xuehao: '12345', idCard: '370102199001011230', enrolmentTerm: '某年', status: 'graduated' }), china('2026-01-01'));
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/13 位数字[\s\S]*校验位[\s\S]*无法识别[\s\S]*电子注册号/);
  });

  it('parseEducationLevel', () => {
    expect(parseEducationLevel('本科')).toBe('bachelor');
    expect(parseEducationLevel('专升本')).toBe('bachelor');
    expect(parseEducationLevel('专科')).toBe('associate');
    expect(parseEducationLevel(' 高起专 ')).toBe('associate');
    expect(parseEducationLevel('硕士')).toBeNull();
  });

  it('flags become warnings; approved re-verification resolves a doubtful identity', () => {
    expect(studentWarnings(student())).toEqual([]);
    expect(studentWarnings(student({ chsiPhotoMissing: true, identityDoubtful: true })).map((w) => w.code)).toEqual(['CHSI_PHOTO_MISSING', 'IDENTITY_DOUBTFUL']);
    expect(isIdentityResolved(student({ identityDoubtful: true, identityReview: 'approved' }))).toBe(true);
    expect(isIdentityResolved(student({ identityDoubtful: true, identityReview: 'submitted' }))).toBe(false);
    expect(studentWarnings(student({ identityDoubtful: true, identityReview: 'approved' }))).toEqual([]);
  });

  it('checkEnrolmentValid', () => {
    expectOk(checkEnrolmentValid(student({ enrolmentTerm: '2018春' }), china('2026-04-30')));
    expectRefusal(checkEnrolmentValid(student({ enrolmentTerm: '2018春' }), china('2026-05-01')), 'ENROLMENT_EXPIRED');
  });
});

describe('身份复核 (identity re-verification)', () => {
  const doubtful = student({ identityDoubtful: true });
  const at = china('2025-11-20');

  it('centre collects and submits, the province approves', () => {
    let s = doubtful;
    const steps: Array<[IdentityReviewAction, 'centre_staff' | 'province_reviewer']> = [
      [{ type: 'identity_collect_documents' }, 'centre_staff'],
      [{ type: 'identity_submit' }, 'centre_staff'],
      [{ type: 'identity_approve' }, 'province_reviewer'],
    ];
    const trail: string[] = [];
    for (const [a, role] of steps) {
      const d = expectOk(decideIdentityReview(s, a, { actor: actor(role), at }));
      trail.push(`${d.event.from}→${d.event.to}`);
      s = d.student;
    }
    expect(trail).toEqual(['none→documents_collected', 'documents_collected→submitted', 'submitted→approved']);
    expect(isIdentityResolved(s)).toBe(true);
  });

  it('rejection needs a reason; the centre may start again after it', () => {
    const submitted = { ...doubtful, identityReview: 'submitted' as const };
    expectRefusal(decideIdentityReview(submitted, { type: 'identity_reject', reason: ' ' }, { actor: actor('province_reviewer'), at }), 'REASON_REQUIRED');
    const rej = expectOk(decideIdentityReview(submitted, { type: 'identity_reject', reason: '身份证复印件不清晰' }, { actor: actor('province_reviewer'), at }));
    expect(rej.student.identityReview).toBe('rejected');
    expect(rej.event.reason).toBe('身份证复印件不清晰');
    expect(expectOk(decideIdentityReview(rej.student, { type: 'identity_collect_documents' }, { actor: actor('centre_staff'), at })).student.identityReview).toBe('documents_collected');
  });

  it('refuses wrong roles, wrong order, other subtrees and students not in doubt', () => {
    expectRefusal(decideIdentityReview(doubtful, { type: 'identity_collect_documents' }, { actor: actor('city_reviewer'), at }), 'NOT_PERMITTED');
    expectRefusal(decideIdentityReview({ ...doubtful, identityReview: 'submitted' }, { type: 'identity_approve' }, { actor: actor('centre_staff'), at }), 'NOT_PERMITTED');
    expectRefusal(decideIdentityReview(doubtful, { type: 'identity_approve' }, { actor: actor('province_reviewer'), at }), 'INVALID_TRANSITION');
    expectRefusal(decideIdentityReview(doubtful, { type: 'identity_collect_documents' }, { actor: actor('centre_staff', { orgPath: PATHS.centreB }), at }), 'OUT_OF_SCOPE');
    expectRefusal(decideIdentityReview(student(), { type: 'identity_collect_documents' }, { actor: actor('centre_staff'), at }), 'INVALID_TRANSITION');
  });
});

describe('first-batch priorities', () => {
  it('专科续读 students and students expiring before the next batch, expiring first', () => {
    const list = [
      student({ id: 'a', xuehao: '2020370010001', level: 'associate', continuingToBachelor: true, enrolmentTerm: '2023秋' }),
      student({ id: 'b', xuehao: '2018370010002', enrolmentTerm: '2018春' }),
      student({ id: 'c', xuehao: '2021370010003', enrolmentTerm: '2021春' }),
      student({ id: 'd', xuehao: '2020370010004', level: 'bachelor', continuingToBachelor: true }),
      student({ id: 'e', xuehao: '2020370010005', level: 'associate', continuingToBachelor: true, status: 'graduated' }),
      student({ id: 'f', xuehao: '2017370010006', enrolmentTerm: '2017秋' }),
    ];
    const p = firstBatchPriorities(list, china('2025-12-01'), '2026-06-01');
    expect(p.map((x) => x.student.id)).toEqual(['b', 'a']);
    expect(p[0].reasons[0].code).toBe('ENROLMENT_EXPIRING');
    expect(p[0].reasons[0].message).toContain('2026-04-30');
    expect(p[1].reasons.map((r) => r.code)).toEqual(['CONTINUING_TO_BACHELOR']);
    expect(firstBatchPriorities(list, china('2025-12-01')).map((x) => x.student.id)).toEqual(['a']);
  });
});

describe('checkStudentUpdate', () => {
  it('REGISTRATION_NUMBER_IMMUTABLE: a graduated student never goes back and keeps their number', () => {
    const g = student({ status: 'graduated', registrationNumber: '5116120261000001' });
    expectRefusal(checkStudentUpdate(g, { ...g, status: 'enrolled' }), 'REGISTRATION_NUMBER_IMMUTABLE');
    expectRefusal(checkStudentUpdate(g, { ...g, registrationNumber: null }), 'REGISTRATION_NUMBER_IMMUTABLE');
    expectRefusal(checkStudentUpdate(g, { ...g, registrationNumber: '5116120261000002' }), 'REGISTRATION_NUMBER_IMMUTABLE');
    expectOk(checkStudentUpdate(g, { ...g, programme: '法学' }));
  });

  it('graduation only comes from the final review', () => {
    expectRefusal(checkStudentUpdate(student(), student({ status: 'graduated', registrationNumber: '5116120261000001' })), 'INVALID_TRANSITION');
    expectOk(checkStudentUpdate(student(), student({ status: 'expired' })));
  });
});
