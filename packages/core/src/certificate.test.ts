import { describe, expect, it } from 'vitest';
import { decideCertificate, newCertificate, notHandedOverByCentre, type Certificate, type CertificateAction, type CertificateContext } from './certificate.js';
import type { Role } from './organisation.js';
import { PATHS, actor, china, expectOk, expectRefusal, makeIdCard, student } from './test-support.js';

const S = student();
const cert = (over: Partial<Certificate> = {}): Certificate => ({
  ...newCertificate({ id: 'c1', studentId: 's1', batchId: 'b202601', centrePath: PATHS.centre, registrationNumber: '5116120261000001' }),
  ...over,
});
const ctx = (role: Role, over: Partial<CertificateContext> = {}): CertificateContext => ({ at: china('2026-07-01'), actor: actor(role), student: S, ...over });

const HAND_TO_STUDENT: CertificateAction = { type: 'certificate_hand_over', recipient: 'student', idCard: S.idCard.toLowerCase(), idChecked: true, signed: true };
const PROXY_ID = makeIdCard('19850505', '246');

describe('certificate custody', () => {
  it('pending → arrived (from whom, when) → handed_over → confirmed', () => {
    let c = cert();
    const a = expectOk(decideCertificate(c, { type: 'certificate_record_arrival', receivedFrom: '市级开大 王老师' }, ctx('centre_staff')));
    c = a.certificate;
    expect(c.receivedFrom).toBe('市级开大 王老师');
    expect(c.arrivedAt).toBe(china('2026-07-01').toISOString());
    c = expectOk(decideCertificate(c, HAND_TO_STUDENT, ctx('centre_staff', { at: china('2026-07-03') }))).certificate;
    expect(c.handover).toMatchObject({ recipient: 'student', name: '张三', idCard: S.idCard, idChecked: true, signed: true, handedOverBy: 'u-centre_staff' });
    const done = expectOk(decideCertificate(c, { type: 'certificate_confirm' }, ctx('student')));
    expect(done.certificate.status).toBe('confirmed');
    expect(done.events[0]).toMatchObject({ from: 'handed_over', to: 'confirmed', actorRole: 'student' });
  });

  it('CERTIFICATE_NOT_ARRIVED: cannot hand over before arrival; CUSTODY_SOURCE_REQUIRED on arrival', () => {
    expectRefusal(decideCertificate(cert(), HAND_TO_STUDENT, ctx('centre_staff')), 'CERTIFICATE_NOT_ARRIVED');
    expectRefusal(decideCertificate(cert(), { type: 'certificate_record_arrival', receivedFrom: ' ' }, ctx('centre_staff')), 'CUSTODY_SOURCE_REQUIRED');
    expectRefusal(decideCertificate(cert({ status: 'arrived' }), { type: 'certificate_record_arrival', receivedFrom: 'x' }, ctx('centre_staff')), 'INVALID_TRANSITION');
  });

  it('RECIPIENT_INVALID: the student must show their own ID; an authorised person needs a name and a valid ID', () => {
    const arrived = cert({ status: 'arrived' });
    expectRefusal(decideCertificate(arrived, { ...HAND_TO_STUDENT, idCard: PROXY_ID }, ctx('centre_staff')), 'RECIPIENT_INVALID');
    const proxy = { type: 'certificate_hand_over' as const, recipient: 'authorised_person' as const, name: '李四', idCard: PROXY_ID, idChecked: true, signed: true, authorisationNote: '授权委托书 2026-06-30' };
    expectRefusal(decideCertificate(arrived, { ...proxy, name: ' ' }, ctx('centre_staff')), 'RECIPIENT_INVALID');
    const m = expectRefusal(decideCertificate(arrived, { ...proxy, idCard: PROXY_ID.slice(0, 17) + (PROXY_ID[17] === '1' ? '2' : '1') }, ctx('centre_staff')), 'RECIPIENT_INVALID');
    expect(m).toContain('校验位');
    expectRefusal(decideCertificate(arrived, { ...proxy, idCard: S.idCard }, ctx('centre_staff')), 'RECIPIENT_INVALID');
    const ok = expectOk(decideCertificate(arrived, proxy, ctx('centre_staff')));
    expect(ok.certificate.handover).toMatchObject({ recipient: 'authorised_person', name: '李四', idCard: PROXY_ID, authorisationNote: '授权委托书 2026-06-30' });
  });

  it('ID_CHECK_REQUIRED and SIGNATURE_REQUIRED', () => {
    const arrived = cert({ status: 'arrived' });
    expectRefusal(decideCertificate(arrived, { ...HAND_TO_STUDENT, idChecked: false }, ctx('centre_staff')), 'ID_CHECK_REQUIRED');
    expectRefusal(decideCertificate(arrived, { ...HAND_TO_STUDENT, signed: false }, ctx('centre_staff')), 'SIGNATURE_REQUIRED');
  });

  it('only the student confirms, and only their own certificate', () => {
    const handed = cert({ status: 'handed_over' });
    expectRefusal(decideCertificate(handed, { type: 'certificate_confirm' }, ctx('centre_staff')), 'NOT_PERMITTED');
    expectRefusal(decideCertificate(handed, { type: 'certificate_confirm' }, ctx('student', { actor: actor('student', { studentId: 's2' }) })), 'NOT_PERMITTED');
    expectRefusal(decideCertificate(cert({ status: 'arrived' }), { type: 'certificate_confirm' }, ctx('student')), 'INVALID_TRANSITION');
    expectRefusal(decideCertificate(handed, HAND_TO_STUDENT, ctx('centre_staff', { actor: actor('centre_staff', { orgPath: PATHS.centreB }) })), 'OUT_OF_SCOPE');
    expectRefusal(decideCertificate(handed, { type: 'certificate_confirm' }, ctx('student', { student: { ...S, id: 's9' } })), 'CONTEXT_MISMATCH');
  });

  it('a problem needs a description and goes up to the centre parent', () => {
    const handed = cert({ status: 'handed_over' });
    expectRefusal(decideCertificate(handed, { type: 'certificate_report_problem', description: '' }, ctx('student')), 'REASON_REQUIRED');
    const p = expectOk(decideCertificate(handed, { type: 'certificate_report_problem', description: '证书姓名与学信网不一致' }, ctx('student')));
    expect(p.certificate.status).toBe('problem_reported');
    expect(p.certificate.problem).toMatchObject({ description: '证书姓名与学信网不一致', escalatedTo: PATHS.city, reportedBy: 'u-student' });
    expect(expectOk(decideCertificate(cert({ status: 'confirmed' }), { type: 'certificate_report_problem', description: '照片不对' }, ctx('centre_staff'))).certificate.status).toBe(
      'problem_reported',
    );
  });
});

describe('notHandedOverByCentre', () => {
  it('counts per centre, per batch and per subtree', () => {
    const certs = [
      cert({ id: '1', status: 'pending' }),
      cert({ id: '2', status: 'arrived' }),
      cert({ id: '3', status: 'confirmed' }),
      cert({ id: '4', status: 'arrived', centrePath: PATHS.otherCityCentre }),
      cert({ id: '5', status: 'problem_reported', centrePath: PATHS.otherCityCentre }),
      cert({ id: '6', status: 'arrived', batchId: 'b202607' }),
    ];
    const all = notHandedOverByCentre(certs, { batchId: 'b202601' });
    expect(all).toEqual([
      { centrePath: PATHS.centre, total: 3, notHandedOver: 2, pending: 1, arrived: 1, handedOver: 0, confirmed: 1, problems: 0 },
      { centrePath: PATHS.otherCityCentre, total: 2, notHandedOver: 1, pending: 0, arrived: 1, handedOver: 0, confirmed: 0, problems: 1 },
    ]);
    expect(notHandedOverByCentre(certs, { withinPath: PATHS.city }).map((r) => [r.centrePath, r.notHandedOver])).toEqual([[PATHS.centre, 3]]);
  });
});
