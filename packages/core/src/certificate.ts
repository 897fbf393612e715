/**
 * Certificate custody and hand-over (毕业证书保管与发放), seed 000 §六: centres keep certificates safe, hand them
 * over on time with a record of the hand-over (交接和领取登记), and ask the student to confirm the certificate
 * matches 学信网 — problems go back up the tree (如有问题及时反馈).
 *
 * ```
 * pending ─arrives (from whom, when)─▶ arrived ─hand over (student or authorised person; ID check, signature)─▶ handed_over
 * handed_over ─student confirms it matches 学信网─▶ confirmed
 * handed_over | confirmed ─problem reported─▶ problem_reported   (escalated to the centre's parent node)
 * ```
 */
import { parseIdCard } from '@gradpass/ids';
import { refuse, ok, type Result } from './errors.js';
import { authorise, isWithinSubtree, parentPath, type Actor } from './organisation.js';
import type { Student } from './student.js';

export type CertificateStatus = 'pending' | 'arrived' | 'handed_over' | 'confirmed' | 'problem_reported';

export const CERTIFICATE_STATUS_LABELS: Record<CertificateStatus, string> = {
  pending: '未到达',
  arrived: '已到达，待发放',
  handed_over: '已发放，待学生确认',
  confirmed: '学生已确认',
  problem_reported: '学生反馈有问题',
};

/** A hand-over record (领取登记). */
export interface Handover {
  recipient: 'student' | 'authorised_person';
  /** Name of whoever took the certificate. */
  name: string;
  /** Their 身份证号 (normalised). */
  idCard: string;
  /** ISO instant. */
  at: string;
  /** The staff member who handed it over. */
  handedOverBy: string;
  idChecked: true;
  signed: true;
  /** Reference to the written authorisation (授权委托书), for an authorised person. */
  authorisationNote: string | null;
}

export interface CertificateProblem {
  description: string;
  reportedAt: string;
  reportedBy: string;
  /** The node the problem goes up to (the centre's parent), or the centre itself at the root. */
  escalatedTo: string;
}

/** A graduation certificate in a centre's custody (毕业证书). */
export interface Certificate {
  id: string;
  studentId: string;
  batchId: string;
  centrePath: string;
  registrationNumber: string | null;
  status: CertificateStatus;
  /** Custody: received from whom (交来单位/人员), and when (ISO instant). */
  receivedFrom: string | null;
  arrivedAt: string | null;
  handover: Handover | null;
  confirmedAt: string | null;
  problem: CertificateProblem | null;
  version: number;
  updatedAt: string | null;
}

export function newCertificate(input: { id: string; studentId: string; batchId: string; centrePath: string; registrationNumber?: string | null }): Certificate {
  return {
    id: input.id,
    studentId: input.studentId,
    batchId: input.batchId,
    centrePath: input.centrePath,
    registrationNumber: input.registrationNumber ?? null,
    status: 'pending',
    receivedFrom: null,
    arrivedAt: null,
    handover: null,
    confirmedAt: null,
    problem: null,
    version: 0,
    updatedAt: null,
  };
}

export type CertificateAction =
  | { type: 'certificate_record_arrival'; receivedFrom: string }
  | {
      type: 'certificate_hand_over';
      recipient: 'student' | 'authorised_person';
      /** Required for an authorised person; for the student their own name is used. */
      name?: string;
      idCard: string;
      idChecked: boolean;
      signed: boolean;
      authorisationNote?: string;
    }
  | { type: 'certificate_confirm' }
  | { type: 'certificate_report_problem'; description: string };

export type CertificateActionType = CertificateAction['type'];

export const CERTIFICATE_TRANSITIONS: Readonly<Record<CertificateActionType, { from: readonly CertificateStatus[]; to: CertificateStatus }>> = {
  certificate_record_arrival: { from: ['pending'], to: 'arrived' },
  certificate_hand_over: { from: ['arrived'], to: 'handed_over' },
  certificate_confirm: { from: ['handed_over'], to: 'confirmed' },
  certificate_report_problem: { from: ['handed_over', 'confirmed'], to: 'problem_reported' },
};

export interface CertificateContext {
  at: Date;
  actor: Actor;
  /** The certificate's student (for the identity check at hand-over). */
  student: Pick<Student, 'id' | 'name' | 'idCard'>;
}

export interface CertificateEvent {
  certificateId: string;
  studentId: string;
  action: CertificateActionType;
  from: CertificateStatus;
  to: CertificateStatus;
  actorId: string;
  actorRole: Actor['role'];
  actorOrgPath: string;
  at: string;
  reason: string | null;
}

/** One step of a certificate's custody. */
export function decideCertificate(cert: Certificate, action: CertificateAction, ctx: CertificateContext): Result<{ certificate: Certificate; events: CertificateEvent[] }> {
  const { actor, at, student } = ctx;
  if (student.id !== cert.studentId) return refuse('CONTEXT_MISMATCH', `证书 ${cert.id} 属于学生 ${cert.studentId}，而传入的是学生 ${student.id}`);
  const auth = authorise(actor, action.type, cert.centrePath, cert.studentId);
  if (!auth.ok) return auth;
  const rule = CERTIFICATE_TRANSITIONS[action.type];
  if (!rule.from.includes(cert.status)) {
    if (action.type === 'certificate_hand_over' && cert.status === 'pending') {
      return refuse('CERTIFICATE_NOT_ARRIVED', `${student.name}的毕业证书尚未登记到达，不能发放`);
    }
    return refuse('INVALID_TRANSITION', `证书状态为“${CERTIFICATE_STATUS_LABELS[cert.status]}”，不能执行此操作`, { status: cert.status, action: action.type });
  }
  const iso = at.toISOString();
  let next: Certificate = { ...cert };
  let reason: string | null = null;

  switch (action.type) {
    case 'certificate_record_arrival': {
      const from = action.receivedFrom?.trim() ?? '';
      if (!from) return refuse('CUSTODY_SOURCE_REQUIRED', '登记证书到达须填写交来单位或人员（如：市级开大 王老师）');
      next = { ...next, receivedFrom: from, arrivedAt: iso };
      reason = from;
      break;
    }
    case 'certificate_hand_over': {
      const id = parseIdCard(action.idCard ?? '', at);
      let name: string;
      if (action.recipient === 'student') {
        const own = parseIdCard(student.idCard, at);
        if (!id.ok || !own.ok || id.info.value !== own.info.value) {
          return refuse('RECIPIENT_INVALID', `核验的身份证号与学生${student.name}本人的身份证号不一致，不能作为本人领取`);
        }
        name = student.name;
      } else {
        name = action.name?.trim() ?? '';
        if (!name) return refuse('RECIPIENT_INVALID', '委托他人领取须登记受托人姓名');
        if (!id.ok) return refuse('RECIPIENT_INVALID', `受托人${id.problem.message}`);
        const own = parseIdCard(student.idCard, at);
        if (own.ok && own.info.value === id.info.value) {
          return refuse('RECIPIENT_INVALID', '受托人身份证号与学生本人相同：本人领取请选择“学生本人”');
        }
      }
      if (!action.idChecked) return refuse('ID_CHECK_REQUIRED', `发放前须核验${name}的身份证原件`);
      if (!action.signed) return refuse('SIGNATURE_REQUIRED', `发放须由${name}在领取登记表上签字`);
      next.handover = {
        recipient: action.recipient,
        name,
        idCard: id.ok ? id.info.value : action.idCard,
        at: iso,
        handedOverBy: actor.userId,
        idChecked: true,
        signed: true,
        authorisationNote: action.authorisationNote?.trim() || null,
      };
      break;
    }
    case 'certificate_confirm': {
      next.confirmedAt = iso;
      break;
    }
    case 'certificate_report_problem': {
      const description = action.description?.trim() ?? '';
      if (!description) return refuse('REASON_REQUIRED', '反馈证书问题须说明问题内容（如：姓名与学信网不一致）');
      next.problem = { description, reportedAt: iso, reportedBy: actor.userId, escalatedTo: parentPath(cert.centrePath) ?? cert.centrePath };
      reason = description;
      break;
    }
  }
  next = { ...next, status: rule.to, version: cert.version + 1, updatedAt: iso };
  return ok({
    certificate: next,
    events: [
      {
        certificateId: cert.id,
        studentId: cert.studentId,
        action: action.type,
        from: cert.status,
        to: rule.to,
        actorId: actor.userId,
        actorRole: actor.role,
        actorOrgPath: actor.orgPath,
        at: iso,
        reason,
      },
    ],
  });
}

/** Per-centre count of certificates (证书发放统计). */
export interface CentreCertificateSummary {
  centrePath: string;
  total: number;
  /** Not yet handed over: pending + arrived. */
  notHandedOver: number;
  pending: number;
  arrived: number;
  handedOver: number;
  confirmed: number;
  problems: number;
}

/**
 * How many certificates (optionally of one batch, optionally inside one subtree) are not yet handed over, per centre.
 * Sorted by most not-handed-over first.
 */
export function notHandedOverByCentre(certs: readonly Certificate[], options: { batchId?: string; withinPath?: string } = {}): CentreCertificateSummary[] {
  const rows = new Map<string, CentreCertificateSummary>();
  for (const c of certs) {
    if (options.batchId !== undefined && c.batchId !== options.batchId) continue;
    if (options.withinPath !== undefined && !isWithinSubtree(options.withinPath, c.centrePath)) continue;
    const r = rows.get(c.centrePath) ?? { centrePath: c.centrePath, total: 0, notHandedOver: 0, pending: 0, arrived: 0, handedOver: 0, confirmed: 0, problems: 0 };
    r.total++;
    if (c.status === 'pending') r.pending++;
    if (c.status === 'arrived') r.arrived++;
    if (c.status === 'pending' || c.status === 'arrived') r.notHandedOver++;
    if (c.status === 'handed_over') r.handedOver++;
    if (c.status === 'confirmed') r.confirmed++;
    if (c.status === 'problem_reported') r.problems++;
    rows.set(c.centrePath, r);
  }
  return [...rows.values()].sort((a, b) => b.notHandedOver - a.notHandedOver || a.centrePath.localeCompare(b.centrePath));
}
