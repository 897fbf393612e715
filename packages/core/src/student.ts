/**
 * Students (学籍): identity, 学信网 flags, identity re-verification (身份复核), 专科续读 priority.
 */
import { parseIdCard, parseXuehao } from '@gradpass/ids';
import { refuse, ok, warning, type DomainWarning, type Result } from './errors.js';
import { authorise, type Actor } from './organisation.js';
import type { IsoDate } from './time.js';
import {
  daysUntilEnrolmentExpiry,
  enrolmentValidUntil,
  expiresBefore,
  isEnrolmentValid,
  parseEnrolmentTerm,
} from './enrolment.js';

/** Level of study (层次). `bachelor` = 本科 (incl. 专升本), `associate` = 专科. */
export type EducationLevel = 'bachelor' | 'associate';

export const EDUCATION_LEVEL_LABELS: Record<EducationLevel, string> = { bachelor: '本科', associate: '专科' };

/** Reads '本科', '专升本', '专科起点本科', '高起本', '专科', '高起专', 'bachelor', 'associate'. */
export function parseEducationLevel(text: string): EducationLevel | null {
  const s = text.trim().toLowerCase();
  if (/^(本科|专升本|专科起点本科|高起本|bachelor|undergraduate)$/.test(s)) return 'bachelor';
  if (/^(专科|高起专|高职|associate|junior ?college)$/.test(s)) return 'associate';
  return null;
}

/** Status of the enrolment record (学籍状态). `graduated` is final: it can never go back (seed 000 §三.6). */
export type StudentStatus = 'enrolled' | 'graduated' | 'expired';

export const STUDENT_STATUS_LABELS: Record<StudentStatus, string> = { enrolled: '在籍', graduated: '已毕业', expired: '学籍已终止' };

/**
 * Identity re-verification (身份复核) of a student flagged 学信网身份存疑: the centre collects documents and
 * submits them, the province approves or rejects. After a rejection the centre may collect again.
 */
export type IdentityReviewState = 'none' | 'documents_collected' | 'submitted' | 'approved' | 'rejected';

export const IDENTITY_REVIEW_LABELS: Record<IdentityReviewState, string> = {
  none: '未开始',
  documents_collected: '已收集材料',
  submitted: '已提交省级复核',
  approved: '复核通过',
  rejected: '复核不通过',
};

/** A student (学生). */
export interface Student {
  id: string;
  /** 学号, 13 digits. */
  xuehao: string;
  /** 身份证号. */
  idCard: string;
  /** 姓名. */
  name: string;
  /** Path of the student's centre (学习中心). */
  centrePath: string;
  /** 专业. */
  programme: string;
  level: EducationLevel;
  /** Enrolment term as written, e.g. '2018春'. */
  enrolmentTerm: string;
  /** 学信网缺学历照片 (from the province's list). */
  chsiPhotoMissing: boolean;
  /** 学信网身份存疑 (from the province's list). */
  identityDoubtful: boolean;
  identityReview: IdentityReviewState;
  /** 专科续读: a 专科 student continuing to 本科 next spring. */
  continuingToBachelor: boolean;
  status: StudentStatus;
  /** 电子注册号 once graduated. */
  registrationNumber?: string | null;
}

/** Problems with a student record's identifiers and fields (学生信息核对). Empty when all is well. */
export function validateStudent(student: Student, today: Date): string[] {
  const problems: string[] = [];
  const x = parseXuehao(student.xuehao);
  if (!x.ok) problems.push(x.message);
  const id = parseIdCard(student.idCard, today);
  if (!id.ok) problems.push(id.problem.message);
  if (!student.name.trim()) problems.push('姓名为空');
  const term = parseEnrolmentTerm(student.enrolmentTerm);
  if (!term.ok) problems.push(term.refusal.message);
  if (student.status === 'graduated' && !student.registrationNumber) problems.push('学籍状态为已毕业，但没有电子注册号');
  return problems;
}

/** True when the identity is not in doubt, or the province approved its re-verification. */
export function isIdentityResolved(student: Pick<Student, 'identityDoubtful' | 'identityReview'>): boolean {
  return !student.identityDoubtful || student.identityReview === 'approved';
}

/** The 学信网 warnings to show at every step before the national final review. */
export function studentWarnings(student: Student): DomainWarning[] {
  const w: DomainWarning[] = [];
  if (student.chsiPhotoMissing) w.push(warning('CHSI_PHOTO_MISSING', `${student.name}（${student.xuehao}）学信网缺学历照片：须先完成图像采集，否则国开终审无法通过`));
  if (!isIdentityResolved(student)) w.push(warning('IDENTITY_DOUBTFUL', `${student.name}（${student.xuehao}）学信网身份存疑且身份复核未通过（${IDENTITY_REVIEW_LABELS[student.identityReview]}）：国开终审无法通过`));
  return w;
}

/** Refusal when the student's enrolment is past validity on `at` (blocks everything). */
export function checkEnrolmentValid(student: Student, at: Date): Result<true> {
  const term = parseEnrolmentTerm(student.enrolmentTerm);
  if (!term.ok) return term;
  if (student.status === 'expired' || !isEnrolmentValid(term.value, at)) {
    return refuse(
      'ENROLMENT_EXPIRED',
      `${student.name}（${student.xuehao}）${student.enrolmentTerm}入学，学籍有效期至 ${enrolmentValidUntil(term.value)}，已超过 8 年有效期，不能办理毕业，也不能延期（列入学籍清理）`,
      { validUntil: enrolmentValidUntil(term.value) },
    );
  }
  return ok(true);
}

/**
 * Guard for any change to a student record (e.g. a roster re-import or an admin edit): once graduated, the
 * status can never go back and the 电子注册号 can never change or be voided (seed 000 §三.6).
 */
export function checkStudentUpdate(before: Student, after: Student): Result<Student> {
  if (before.status === 'graduated' && (after.status !== 'graduated' || (after.registrationNumber ?? null) !== (before.registrationNumber ?? null))) {
    return refuse(
      'REGISTRATION_NUMBER_IMMUTABLE',
      `${before.name}（${before.xuehao}）已毕业，电子注册号 ${before.registrationNumber ?? ''} 一旦生成不允许作废，也不能恢复学籍或更改注册号`,
      { registrationNumber: before.registrationNumber ?? null },
    );
  }
  if (before.status !== 'graduated' && after.status === 'graduated') {
    return refuse('INVALID_TRANSITION', `学生只能通过国开终审成为“已毕业”，不能直接修改学籍状态`);
  }
  return ok(after);
}

/** Actions of identity re-verification. */
export type IdentityReviewAction =
  | { type: 'identity_collect_documents' }
  | { type: 'identity_submit' }
  | { type: 'identity_approve' }
  | { type: 'identity_reject'; reason: string };

const IDENTITY_FROM: Record<IdentityReviewAction['type'], { from: IdentityReviewState[]; to: IdentityReviewState }> = {
  identity_collect_documents: { from: ['none', 'rejected'], to: 'documents_collected' },
  identity_submit: { from: ['documents_collected'], to: 'submitted' },
  identity_approve: { from: ['submitted'], to: 'approved' },
  identity_reject: { from: ['submitted'], to: 'rejected' },
};

/** An audit record of an identity re-verification step. */
export interface IdentityReviewEvent {
  studentId: string;
  action: IdentityReviewAction['type'];
  from: IdentityReviewState;
  to: IdentityReviewState;
  actorId: string;
  actorRole: Actor['role'];
  actorOrgPath: string;
  at: string;
  reason: string | null;
}

/** One step of 身份复核: centre collects and submits, province decides. */
export function decideIdentityReview(
  student: Student,
  action: IdentityReviewAction,
  ctx: { actor: Actor; at: Date },
): Result<{ student: Student; event: IdentityReviewEvent }> {
  const auth = authorise(ctx.actor, action.type, student.centrePath, student.id);
  if (!auth.ok) return auth;
  if (!student.identityDoubtful) {
    return refuse('INVALID_TRANSITION', `${student.name}（${student.xuehao}）不在学信网身份存疑名单中，无需身份复核`);
  }
  const rule = IDENTITY_FROM[action.type];
  if (!rule.from.includes(student.identityReview)) {
    return refuse('INVALID_TRANSITION', `身份复核状态为“${IDENTITY_REVIEW_LABELS[student.identityReview]}”，不能执行此操作`, {
      state: student.identityReview,
      action: action.type,
    });
  }
  let reason: string | null = null;
  if (action.type === 'identity_reject') {
    reason = action.reason?.trim() ?? '';
    if (!reason) return refuse('REASON_REQUIRED', '身份复核不通过须填写理由');
  }
  return ok({
    student: { ...student, identityReview: rule.to },
    event: {
      studentId: student.id,
      action: action.type,
      from: student.identityReview,
      to: rule.to,
      actorId: ctx.actor.userId,
      actorRole: ctx.actor.role,
      actorOrgPath: ctx.actor.orgPath,
      at: ctx.at.toISOString(),
      reason,
    },
  });
}

/** Why a student should be in the FIRST audit window (首批). */
export interface PriorityReason {
  code: 'CONTINUING_TO_BACHELOR' | 'ENROLMENT_EXPIRING';
  message: string;
}

export interface FirstBatchPriority {
  student: Student;
  reasons: PriorityReason[];
}

/**
 * Students to prioritise for the first window (seed 000 §二.1 and §三.7):
 * - 专科 students continuing to 本科 next spring (专科续读) — so the spring registration is not delayed;
 * - students whose enrolment ends before `nextBatchStart` (they will be cleaned up before the next batch).
 * Only enrolled students whose enrolment is still valid on `at`. Expiring ones first, then by 学号.
 */
export function firstBatchPriorities(students: readonly Student[], at: Date, nextBatchStart?: IsoDate): FirstBatchPriority[] {
  const out: FirstBatchPriority[] = [];
  for (const s of students) {
    if (s.status !== 'enrolled' || !parseEnrolmentTerm(s.enrolmentTerm).ok || !isEnrolmentValid(s.enrolmentTerm, at)) continue;
    const reasons: PriorityReason[] = [];
    if (s.level === 'associate' && s.continuingToBachelor) {
      reasons.push({ code: 'CONTINUING_TO_BACHELOR', message: '专科续读本科：应尽量参加首批毕业审核，以免耽误春季报名注册' });
    }
    if (nextBatchStart && expiresBefore(s.enrolmentTerm, nextBatchStart)) {
      reasons.push({
        code: 'ENROLMENT_EXPIRING',
        message: `学籍有效期至 ${enrolmentValidUntil(s.enrolmentTerm)}（剩 ${daysUntilEnrolmentExpiry(s.enrolmentTerm, at)} 天），本批次是最后机会`,
      });
    }
    if (reasons.length) out.push({ student: s, reasons });
  }
  return out.sort((a, b) => {
    const ea = a.reasons.some((r) => r.code === 'ENROLMENT_EXPIRING') ? 0 : 1;
    const eb = b.reasons.some((r) => r.code === 'ENROLMENT_EXPIRING') ? 0 : 1;
    return ea - eb || a.student.xuehao.localeCompare(b.student.xuehao);
  });
}
