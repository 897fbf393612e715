import { describe, expect, it } from 'vitest';
import {
  canReplacePhoto,
  canReplaceStudentPhoto,
  authorisePhotoReplacement,
  candidateActions,
  decide,
  decideMany,
  formatRegistrationNumber,
  isPhotoLocked,
  newApplication,
  parseRegistrationNumber,
  progressByOrg,
  type ApplicationAction,
  type ApplicationStatus,
  type DecisionContext,
  type GraduationApplication,
} from './application.js';
import { ACTING_ROLE, BATCH, GOOD_PHOTO, PATHS, actor, china, expectOk, expectRefusal, student } from './test-support.js';
import type { Student } from './student.js';
import type { Role } from './organisation.js';

const ISSUE = { schoolCode: '51161', serial: 123 };

function ctx(role: Role, over: Partial<DecisionContext> = {}): DecisionContext {
  return { at: china('2025-12-10'), actor: actor(role), student: student(), batch: BATCH, photo: GOOD_PHOTO, issueNumber: ISSUE, ...over };
}

function app(status: ApplicationStatus = 'draft', over: Partial<GraduationApplication> = {}): GraduationApplication {
  return { ...newApplication({ id: 'a1', student: student(), batchId: BATCH.id }), status, ...over };
}

const ACTIONS: ApplicationAction[] = [
  { type: 'apply', formSigned: true },
  { type: 'submit' },
  { type: 'city_approve' },
  { type: 'city_return', reason: '照片与学信网不同版' },
  { type: 'province_approve' },
  { type: 'province_return', reason: '缺少学位申请材料' },
  { type: 'national_approve' },
  { type: 'national_reject', reason: '不符合毕业要求' },
];

/** Runs a chain of actions, each with its natural actor, and returns the final decision. */
function run(start: GraduationApplication, steps: ApplicationAction[], over: Partial<DecisionContext> = {}) {
  let a = start;
  let s: Student = over.student ?? student();
  const events = [];
  const warnings = [];
  for (const step of steps) {
    const d = expectOk(decide(a, step, ctx(ACTING_ROLE[step.type], { ...over, student: s })));
    a = d.app;
    s = d.student;
    events.push(...d.events);
    warnings.push(...d.warnings);
  }
  return { app: a, student: s, events, warnings };
}

const TO_GRADUATED: ApplicationAction[] = [
  { type: 'apply', formSigned: true, degreeRequested: true },
  { type: 'submit' },
  { type: 'city_approve' },
  { type: 'province_approve' },
  { type: 'national_approve' },
];

describe('the four-level review', () => {
  it('goes draft → applied → submitted → city_approved → province_approved → graduated, with an audit event per step', () => {
    const r = run(app(), TO_GRADUATED);
    expect(r.app.status).toBe('graduated');
    expect(r.events.map((e) => `${e.from}→${e.to}`)).toEqual([
      'draft→applied',
      'applied→submitted',
      'submitted→city_approved',
      'city_approved→province_approved',
      'province_approved→graduated',
    ]);
    expect(r.events.map((e) => e.actorRole)).toEqual(['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer']);
    expect(r.events.every((e) => e.at === china('2025-12-10').toISOString())).toBe(true);
    expect(r.app.registrationNumber).toBe('5116120251000123');
    expect(r.student.status).toBe('graduated');
    expect(r.student.registrationNumber).toBe(r.app.registrationNumber);
    expect(r.app.degreeRequested).toBe(true);
    expect(r.app.photoId).toBe('p1');
    expect(r.app.version).toBe(5);
    expect(r.app.formSignedAt).not.toBeNull();
    expect(r.app.sameVersionConfirmedAt).not.toBeNull();
  });

  it('a return needs a reason, records it, and the centre resubmits inside a window', () => {
    const r = run(app(), [{ type: 'apply', formSigned: true }, { type: 'submit' }, { type: 'city_return', reason: '  照片有水印 ' }]);
    expect(r.app.status).toBe('returned');
    expect(r.app.lastReason).toBe('照片有水印');
    expect(r.app.returnedBy).toBe('city');
    expect(r.events[2].reason).toBe('照片有水印');
    const again = expectOk(decide(r.app, { type: 'submit' }, ctx('centre_staff', { at: china('2026-02-01') })));
    expect(again.app.status).toBe('submitted');
    expect(again.app.submissionCount).toBe(2);
    expect(again.app.returnedBy).toBeNull();
  });

  it('the province can return too, and national rejection is final', () => {
    const r = run(app(), [{ type: 'apply', formSigned: true }, { type: 'submit' }, { type: 'city_approve' }, { type: 'province_return', reason: '学位申请材料不全' }]);
    expect(r.app.status).toBe('returned');
    expect(r.app.returnedBy).toBe('province');
    const rej = run(app('province_approved'), [{ type: 'national_reject', reason: '课程学分不足' }]);
    expect(rej.app.status).toBe('rejected_final');
    for (const a of ACTIONS) expectRefusal(decide(rej.app, a, ctx(ACTING_ROLE[a.type])), 'INVALID_TRANSITION');
  });
});

describe('INVALID_TRANSITION', () => {
  it('refuses every action outside its source statuses', () => {
    const statuses: ApplicationStatus[] = ['draft', 'applied', 'submitted', 'city_approved', 'province_approved', 'returned', 'rejected_final'];
    const allowed: Record<string, ApplicationStatus[]> = {
      apply: ['draft'],
      submit: ['applied', 'returned'],
      city_approve: ['submitted'],
      city_return: ['submitted'],
      province_approve: ['city_approved'],
      province_return: ['city_approved'],
      national_approve: ['province_approved'],
      national_reject: ['province_approved'],
    };
    let refusals = 0;
    for (const s of statuses) {
      for (const a of ACTIONS) {
        const r = decide(app(s), a, ctx(ACTING_ROLE[a.type]));
        if (allowed[a.type].includes(s)) expect(r.ok).toBe(true);
        else {
          expectRefusal(r, 'INVALID_TRANSITION');
          refusals++;
        }
      }
    }
    expect(refusals).toBe(7 * 8 - 9);
  });

  it('the message names the current status and the action', () => {
    const m = expectRefusal(decide(app('draft'), { type: 'city_approve' }, ctx('city_reviewer')), 'INVALID_TRANSITION');
    expect(m).toContain('草稿');
    expect(m).toContain('市级审批确认');
  });
});

describe('WINDOW_CLOSED', () => {
  it('refuses submission between the windows, naming the batch and its windows', () => {
    const m = expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: china('2025-12-25') })), 'WINDOW_CLOSED');
    expect(m).toContain('2026年1月毕业');
    expect(m).toContain('2025-12-08 至 2025-12-19');
    expect(m).toContain('2026-03-31');
  });

  it('uses Beijing days, inclusive at both ends', () => {
    expectOk(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: china('2025-12-08', '00:00:00') })));
    expectOk(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: new Date('2025-12-19T15:59:59Z') })));
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: new Date('2025-12-19T16:00:00Z') })), 'WINDOW_CLOSED');
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: china('2025-12-07', '23:59:59') })), 'WINDOW_CLOSED');
  });

  it('the second window stays closed until the results are published', () => {
    const unpublished = { ...BATCH, secondWindow: { start: null, end: '2026-03-31' } };
    const m = expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: china('2026-02-01'), batch: unpublished })), 'WINDOW_CLOSED');
    expect(m).toContain('成绩发布后');
    expectOk(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { at: china('2026-02-01') })));
  });

  it('resubmission of a returned application also needs an open window', () => {
    expectRefusal(decide(app('returned'), { type: 'submit' }, ctx('centre_staff', { at: china('2026-01-05') })), 'WINDOW_CLOSED');
  });

  it('reviews between the windows are allowed (only submission needs a window)', () => {
    expectOk(decide(app('submitted'), { type: 'city_approve' }, ctx('city_reviewer', { at: china('2026-01-05') })));
  });
});

describe('BATCH_FROZEN', () => {
  it('after the deadline nothing in the batch moves', () => {
    const at = china('2026-04-01', '00:00:01');
    const from: Record<string, ApplicationStatus> = {
      apply: 'draft',
      submit: 'applied',
      city_approve: 'submitted',
      city_return: 'submitted',
      province_approve: 'city_approved',
      province_return: 'city_approved',
      national_approve: 'province_approved',
      national_reject: 'province_approved',
    };
    for (const a of ACTIONS) {
      const m = expectRefusal(decide(app(from[a.type]), a, ctx(ACTING_ROLE[a.type], { at, student: student({ enrolmentTerm: '2021春' }) })), 'BATCH_FROZEN');
      expect(m).toContain('2026-03-31');
    }
  });

  it('the deadline day itself still counts', () => {
    expectOk(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { at: china('2026-03-31', '23:59:00') })));
  });
});

describe('photo rules at submission', () => {
  it('PHOTO_MISSING without a photo', () => {
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: null })), 'PHOTO_MISSING');
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...GOOD_PHOTO, photoId: null } })), 'PHOTO_MISSING');
  });

  it('PHOTO_NOT_COMPLIANT unless the engine verdict is pass, listing the problems', () => {
    for (const verdict of ['fail', 'review', 'error', 'unchecked'] as const) {
      const m = expectRefusal(
        decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...GOOD_PHOTO, verdict, problems: ['文件大小 52KB，超出 20–40KB'] } })),
        'PHOTO_NOT_COMPLIANT',
      );
      expect(m).toContain('52KB');
    }
  });

  it('PHOTO_VERSION_UNCONFIRMED until 同版 is confirmed', () => {
    const m = expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...GOOD_PHOTO, sameVersionConfirmed: false } })), 'PHOTO_VERSION_UNCONFIRMED');
    expect(m).toContain('同版');
  });

  it('REFERENCE_MISMATCH when the 学信网 comparison says another person or shot, unless a reason is recorded', () => {
    const different = { ...GOOD_PHOTO, referenceMatch: 'different' as const, referenceDetail: '不是同一人（相似度 0.08，同一人至少 0.62）' };
    const m = expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: different })), 'REFERENCE_MISMATCH');
    expect(m).toContain('0.08');
    expect(m).toContain('同版');
    // a blank reason is no reason
    expectRefusal(
      decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...different, referenceOverride: { reason: '  ' } } })),
      'REFERENCE_MISMATCH',
    );
    const d = expectOk(
      decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...different, referenceOverride: { reason: '学信网照片为十年前采集，本人已核对' } } })),
    );
    expect(d.warnings.map((w) => w.code)).toContain('PHOTO_REFERENCE_OVERRIDDEN');
    const same = expectOk(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...GOOD_PHOTO, referenceMatch: 'same' } })));
    expect(same.warnings).toEqual([]);
  });

  it('a review photo confirmed by a person may be submitted; one rejected by a person may not', () => {
    const review = { ...GOOD_PHOTO, verdict: 'review' as const, problems: ['请人工确认双耳是否露出'] };
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: review })), 'PHOTO_NOT_COMPLIANT');
    const ok = expectOk(
      decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...review, humanReview: { decision: 'pass', note: '双耳露出' } } })),
    );
    expect(ok.warnings.map((w) => w.code)).toContain('PHOTO_HUMAN_CONFIRMED');
    const m = expectRefusal(
      decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...review, humanReview: { decision: 'fail', note: '头发遮住耳朵' } } })),
      'PHOTO_NOT_COMPLIANT',
    );
    expect(m).toContain('头发遮住耳朵');
    // a person's pass never turns a failed photo into a compliant one
    expectRefusal(
      decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { photo: { ...review, verdict: 'fail', humanReview: { decision: 'pass', note: 'x' } } })),
      'PHOTO_NOT_COMPLIANT',
    );
  });
});

describe('photo lock', () => {
  it('is locked from submission until returned, and after graduation', () => {
    const locked: Record<ApplicationStatus, boolean> = {
      draft: false,
      applied: false,
      submitted: true,
      city_approved: true,
      province_approved: true,
      graduated: true,
      returned: false,
      rejected_final: false,
    };
    for (const [s, l] of Object.entries(locked) as [ApplicationStatus, boolean][]) {
      expect(isPhotoLocked({ status: s })).toBe(l);
      if (l) expectRefusal(canReplacePhoto({ status: s }), 'PHOTO_LOCKED');
      else expectOk(canReplacePhoto({ status: s }));
    }
  });

  it('returning the application unlocks the photo', () => {
    const r = run(app(), [{ type: 'apply', formSigned: true }, { type: 'submit' }]);
    expectRefusal(canReplacePhoto(r.app), 'PHOTO_LOCKED');
    const back = expectOk(decide(r.app, { type: 'city_return', reason: '照片模糊' }, ctx('city_reviewer')));
    expectOk(canReplacePhoto(back.app));
  });

  it('replacement is centre work inside the centre, and any locked application of the student locks it', () => {
    expectOk(authorisePhotoReplacement(app('applied'), actor('centre_staff')));
    expectRefusal(authorisePhotoReplacement(app('applied'), actor('city_reviewer')), 'NOT_PERMITTED');
    expectRefusal(authorisePhotoReplacement(app('applied'), actor('centre_staff', { orgPath: PATHS.centreB })), 'OUT_OF_SCOPE');
    expectRefusal(authorisePhotoReplacement(app('city_approved'), actor('centre_staff')), 'PHOTO_LOCKED');
    expectRefusal(canReplaceStudentPhoto([{ status: 'rejected_final' }, { status: 'submitted' }]), 'PHOTO_LOCKED');
    expectOk(canReplaceStudentPhoto([{ status: 'rejected_final' }, { status: 'draft' }]));
  });
});

describe('ENROLMENT_EXPIRED blocks everything', () => {
  it('a 2018春 student is valid on 2026-03-31 and blocked once expired', () => {
    const old = student({ enrolmentTerm: '2018春' });
    expectOk(decide(app('submitted'), { type: 'city_approve' }, ctx('city_reviewer', { student: old, at: china('2026-03-31') })));
    const lateBatch = { ...BATCH, secondWindow: { start: '2026-01-20', end: '2026-06-30' }, deadline: '2026-06-30' };
    for (const a of ACTIONS) {
      const from: ApplicationStatus = a.type === 'apply' ? 'draft' : a.type === 'submit' ? 'applied' : a.type.startsWith('city') ? 'submitted' : a.type.startsWith('province') ? 'city_approved' : 'province_approved';
      const m = expectRefusal(decide(app(from), a, ctx(ACTING_ROLE[a.type], { student: old, at: china('2026-05-01'), batch: lateBatch })), 'ENROLMENT_EXPIRED');
      expect(m).toContain('2026-04-30');
    }
  });

  it('a record marked expired is blocked even when the term looks valid', () => {
    expectRefusal(decide(app('draft'), { type: 'apply', formSigned: true }, ctx('student', { student: student({ status: 'expired' }) })), 'ENROLMENT_EXPIRED');
  });

  it('an unreadable enrolment term refuses with ENROLMENT_TERM_INVALID', () => {
    expectRefusal(decide(app('draft'), { type: 'apply', formSigned: true }, ctx('student', { student: student({ enrolmentTerm: '去年' }) })), 'ENROLMENT_TERM_INVALID');
  });
});

describe('ENROLMENT_EXPIRING warning', () => {
  it('warns at every step before the final review when the enrolment ends before the batch deadline', () => {
    const lateBatch = { ...BATCH, secondWindow: { start: '2026-01-20', end: '2026-06-30' }, deadline: '2026-06-30' };
    const old = student({ enrolmentTerm: '2018春' });
    const r = run(app(), TO_GRADUATED.slice(0, 4), { student: old, batch: lateBatch });
    expect(r.warnings.map((w) => w.code)).toEqual(['ENROLMENT_EXPIRING', 'ENROLMENT_EXPIRING', 'ENROLMENT_EXPIRING', 'ENROLMENT_EXPIRING']);
    expect(r.warnings[0].message).toContain('2026-04-30');
    // inside the usual batch (deadline 2026-03-31) a 2018春 student gets no such warning
    expect(run(app(), TO_GRADUATED.slice(0, 4), { student: old }).warnings).toEqual([]);
  });
});

describe('学信网 flags', () => {
  it('CHSI_PHOTO_MISSING warns at every earlier step and blocks the national final review', () => {
    const flagged = student({ chsiPhotoMissing: true });
    const r = run(app(), TO_GRADUATED.slice(0, 4), { student: flagged });
    expect(r.app.status).toBe('province_approved');
    expect(r.warnings.filter((w) => w.code === 'CHSI_PHOTO_MISSING')).toHaveLength(4);
    expect(r.events.every((e) => e.warnings.includes('CHSI_PHOTO_MISSING'))).toBe(true);
    expectRefusal(decide(r.app, { type: 'national_approve' }, ctx('national_reviewer', { student: flagged })), 'CHSI_PHOTO_MISSING');
    // national rejection is still possible
    expectOk(decide(r.app, { type: 'national_reject', reason: '学信网缺学历照片' }, ctx('national_reviewer', { student: flagged })));
  });

  it('IDENTITY_DOUBTFUL: the student may apply only after re-verification is approved', () => {
    for (const state of ['none', 'documents_collected', 'submitted', 'rejected'] as const) {
      expectRefusal(decide(app(), { type: 'apply', formSigned: true }, ctx('student', { student: student({ identityDoubtful: true, identityReview: state }) })), 'IDENTITY_DOUBTFUL');
    }
    const resolved = student({ identityDoubtful: true, identityReview: 'approved' });
    const r = run(app(), TO_GRADUATED, { student: resolved });
    expect(r.app.status).toBe('graduated');
    expect(r.warnings).toEqual([]);
  });

  it('IDENTITY_DOUBTFUL flagged after applying warns at the later steps and blocks the final review', () => {
    const flagged = student({ identityDoubtful: true, identityReview: 'submitted' });
    const r = run(app('applied'), [{ type: 'submit' }, { type: 'city_approve' }, { type: 'province_approve' }], { student: flagged });
    expect(r.warnings.map((w) => w.code)).toEqual(['IDENTITY_DOUBTFUL', 'IDENTITY_DOUBTFUL', 'IDENTITY_DOUBTFUL']);
    expectRefusal(decide(r.app, { type: 'national_approve' }, ctx('national_reviewer', { student: flagged })), 'IDENTITY_DOUBTFUL');
  });
});

describe('who may act', () => {
  it('NOT_PERMITTED for every wrong role', () => {
    const from: Record<string, ApplicationStatus> = {
      apply: 'draft',
      submit: 'applied',
      city_approve: 'submitted',
      city_return: 'submitted',
      province_approve: 'city_approved',
      province_return: 'city_approved',
      national_approve: 'province_approved',
      national_reject: 'province_approved',
    };
    const roles: Role[] = ['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin'];
    for (const a of ACTIONS) {
      for (const role of roles) {
        const r = decide(app(from[a.type]), a, ctx(role));
        const permitted = role === ACTING_ROLE[a.type] || (a.type === 'apply' && role === 'centre_staff');
        if (permitted) expectOk(r);
        else expectRefusal(r, 'NOT_PERMITTED');
      }
    }
  });

  it('a student applies only for themself', () => {
    const m = expectRefusal(decide(app(), { type: 'apply', formSigned: true }, ctx('student', { actor: actor('student', { studentId: 's2' }) })), 'NOT_PERMITTED');
    expect(m).toContain('本人');
  });

  it('OUT_OF_SCOPE outside the actor subtree', () => {
    expectRefusal(decide(app('applied'), { type: 'submit' }, ctx('centre_staff', { actor: actor('centre_staff', { orgPath: PATHS.centreB }) })), 'OUT_OF_SCOPE');
    expectRefusal(decide(app('submitted'), { type: 'city_approve' }, ctx('city_reviewer', { actor: actor('city_reviewer', { orgPath: PATHS.otherCity }) })), 'OUT_OF_SCOPE');
    expectRefusal(decide(app('city_approved'), { type: 'province_approve' }, ctx('province_reviewer', { actor: actor('province_reviewer', { orgPath: PATHS.otherProvince }) })), 'OUT_OF_SCOPE');
    expectRefusal(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { actor: actor('national_reviewer', { orgPath: '/2/' }) })), 'OUT_OF_SCOPE');
  });
});

describe('REASON_REQUIRED', () => {
  it('returns and rejections need a non-blank reason', () => {
    expectRefusal(decide(app('submitted'), { type: 'city_return', reason: '' }, ctx('city_reviewer')), 'REASON_REQUIRED');
    expectRefusal(decide(app('submitted'), { type: 'city_return', reason: '  \n ' }, ctx('city_reviewer')), 'REASON_REQUIRED');
    expectRefusal(decide(app('city_approved'), { type: 'province_return', reason: '' }, ctx('province_reviewer')), 'REASON_REQUIRED');
    expectRefusal(decide(app('province_approved'), { type: 'national_reject', reason: ' ' }, ctx('national_reviewer')), 'REASON_REQUIRED');
  });
});

describe('电子注册号', () => {
  it('REGISTRATION_NUMBER_IMMUTABLE: nothing moves a graduated application, for any role', () => {
    const g = run(app(), TO_GRADUATED);
    const roles: Role[] = ['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'admin'];
    for (const a of ACTIONS) {
      for (const role of roles) {
        const m = expectRefusal(decide(g.app, a, ctx(role, { student: g.student, issueNumber: { schoolCode: '51161', serial: 999 } })), 'REGISTRATION_NUMBER_IMMUTABLE');
        expect(m).toContain(g.app.registrationNumber as string);
      }
    }
    expectRefusal(canReplacePhoto(g.app), 'PHOTO_LOCKED');
  });

  it('ALREADY_GRADUATED: a graduated student cannot go through another application', () => {
    const graduated = student({ status: 'graduated', registrationNumber: '5116120251000001' });
    expectRefusal(decide(app(), { type: 'apply', formSigned: true }, ctx('student', { student: graduated })), 'ALREADY_GRADUATED');
  });

  it('REGISTRATION_NUMBER_INVALID without a serial or with a bad one', () => {
    expectRefusal(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { issueNumber: null })), 'REGISTRATION_NUMBER_INVALID');
    expectRefusal(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { issueNumber: { schoolCode: '51161', serial: 0 } })), 'REGISTRATION_NUMBER_INVALID');
    expectRefusal(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { issueNumber: { schoolCode: '5116', serial: 1 } })), 'REGISTRATION_NUMBER_INVALID');
  });

  it('our format: school code + Beijing year of graduation + level + 6-digit serial, and back', () => {
    expect(expectOk(formatRegistrationNumber({ schoolCode: '51161', year: 2026, level: 'associate', serial: 42 }))).toBe('5116120262000042');
    expect(parseRegistrationNumber('5116120262000042')).toEqual({ schoolCode: '51161', year: 2026, level: 'associate', serial: 42 });
    expect(parseRegistrationNumber('5116120263000042')).toBeNull();
    expect(parseRegistrationNumber('5116120261000000')).toBeNull();
    expectRefusal(formatRegistrationNumber({ schoolCode: '51161', year: 2026, level: 'bachelor', serial: 1_000_000 }), 'REGISTRATION_NUMBER_INVALID');
    // 2025-12-31 16:30 UTC is already 2026 in Beijing
    const d = expectOk(decide(app('province_approved'), { type: 'national_approve' }, ctx('national_reviewer', { at: new Date('2025-12-31T16:30:00Z'), student: student({ level: 'associate' }) })));
    expect(d.app.registrationNumber).toBe('5116120262000123');
  });
});

describe('other refusals', () => {
  it('FORM_NOT_SIGNED: applying needs the signed form', () => {
    const m = expectRefusal(decide(app(), { type: 'apply', formSigned: false }, ctx('student')), 'FORM_NOT_SIGNED');
    expect(m).toContain('毕业申请表');
  });

  it('CONTEXT_MISMATCH when the student or batch is not the application’s', () => {
    expectRefusal(decide(app(), { type: 'apply', formSigned: true }, ctx('student', { student: student({ id: 's9' }) })), 'CONTEXT_MISMATCH');
    expectRefusal(decide(app(), { type: 'apply', formSigned: true }, ctx('student', { batch: { ...BATCH, id: 'other' } })), 'CONTEXT_MISMATCH');
  });

  it('the centre may record the signed form for the student', () => {
    expect(expectOk(decide(app(), { type: 'apply', formSigned: true }, ctx('centre_staff'))).app.status).toBe('applied');
  });
});

describe('decideMany', () => {
  it('each application succeeds or is refused on its own; serials go only to successes', () => {
    const items = [
      { app: app('province_approved', { id: 'a1' }), student: student() },
      { app: app('province_approved', { id: 'a2', studentId: 's2' }), student: student({ id: 's2', chsiPhotoMissing: true }) },
      { app: app('submitted', { id: 'a3', studentId: 's3' }), student: student({ id: 's3' }) },
      { app: app('province_approved', { id: 'a4', studentId: 's4' }), student: student({ id: 's4', level: 'associate' }) },
    ];
    const out = decideMany(items, { type: 'national_approve' }, { at: china('2026-01-05'), actor: actor('national_reviewer'), batch: BATCH, issueNumber: { schoolCode: '51161', serial: 7 } });
    expect(out.succeeded).toBe(2);
    expect(out.refused).toBe(2);
    expect(out.nextSerial).toBe(9);
    const codes = out.results.map((r) => (r.result.ok ? r.result.value.app.registrationNumber : r.result.refusal.code));
    expect(codes).toEqual(['5116120261000007', 'CHSI_PHOTO_MISSING', 'INVALID_TRANSITION', '5116120262000008']);
  });

  it('needs a batch for each item', () => {
    const out = decideMany([{ app: app('submitted'), student: student() }], { type: 'city_approve' }, { at: china('2026-01-05'), actor: actor('city_reviewer') });
    expectRefusal(out.results[0].result, 'CONTEXT_MISMATCH');
    expect(out.nextSerial).toBeNull();
  });
});

describe('helpers', () => {
  it('candidateActions lists what this actor could do in this status', () => {
    expect(candidateActions(app('submitted'), actor('city_reviewer'))).toEqual(['city_approve', 'city_return']);
    expect(candidateActions(app('submitted'), actor('city_reviewer', { orgPath: PATHS.otherCity }))).toEqual([]);
    expect(candidateActions(app('returned'), actor('centre_staff'))).toEqual(['submit']);
    expect(candidateActions(app('draft'), actor('student'))).toEqual(['apply']);
  });

  it('progressByOrg counts each subtree', () => {
    const apps = [
      { status: 'submitted' as const, centrePath: PATHS.centre },
      { status: 'graduated' as const, centrePath: PATHS.centreB },
      { status: 'submitted' as const, centrePath: PATHS.otherCityCentre },
    ];
    const [prov, city, centre] = progressByOrg(apps, [PATHS.province, PATHS.city, PATHS.centre]);
    expect(prov.total).toBe(3);
    expect(prov.byStatus.submitted).toBe(2);
    expect(city.total).toBe(2);
    expect(city.byStatus.graduated).toBe(1);
    expect(centre.total).toBe(1);
  });
});
