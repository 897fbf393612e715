/**
 * The graduation application (毕业申请) and its four-level review — THE state machine (domain.md):
 *
 * ```
 * draft ──student applies + signs form──▶ applied
 * applied ──centre submits (photo present, checked, locked)──▶ submitted      (学习中心提交; degree request optional)
 * submitted ──city approves──▶ city_approved        or ──returns with reason──▶ returned
 * city_approved ──province re-reviews──▶ province_approved   or ──▶ returned
 * province_approved ──national final review──▶ graduated (电子注册号 issued)   or ──▶ rejected_final
 * returned ──centre fixes and resubmits (inside a window)──▶ submitted
 * ```
 *
 * Every rule that blocks a step lives in {@link decide}; checks run in this order, the first refusal wins:
 * CONTEXT_MISMATCH → REGISTRATION_NUMBER_IMMUTABLE (graduated is final) → NOT_PERMITTED / OUT_OF_SCOPE →
 * INVALID_TRANSITION → ALREADY_GRADUATED → ENROLMENT_EXPIRED (blocks everything) → BATCH_FROZEN →
 * the step's own rules (FORM_NOT_SIGNED, IDENTITY_DOUBTFUL at apply, WINDOW_CLOSED, PHOTO_*, REASON_REQUIRED,
 * CHSI_PHOTO_MISSING / IDENTITY_DOUBTFUL at the national review, REGISTRATION_NUMBER_INVALID).
 */
import { refuse, ok, warning, type DomainWarning, type Result, type WarningCode } from './errors.js';
import { authorise, isWithinSubtree, type Actor } from './organisation.js';
import { checkNotFrozen, checkSubmissionOpen, type GraduationBatch } from './batch.js';
import {
  checkEnrolmentValid,
  isIdentityResolved,
  studentWarnings,
  IDENTITY_REVIEW_LABELS,
  type EducationLevel,
  type Student,
} from './student.js';
import { chinaDate } from './time.js';
import { enrolmentValidUntil, expiresBefore } from './enrolment.js';

/** Status of an application (申请状态). */
export type ApplicationStatus =
  | 'draft'
  | 'applied'
  | 'submitted'
  | 'city_approved'
  | 'province_approved'
  | 'graduated'
  | 'returned'
  | 'rejected_final';

export const APPLICATION_STATUS_LABELS: Record<ApplicationStatus, string> = {
  draft: '草稿',
  applied: '学生已申请',
  submitted: '学习中心已提交',
  city_approved: '市级已审批',
  province_approved: '省级已复审',
  graduated: '已毕业（已生成电子注册号）',
  returned: '已退回',
  rejected_final: '国开终审不通过',
};

/** The application actions, one per arrow of the diagram. */
export type ApplicationActionType =
  | 'apply'
  | 'submit'
  | 'city_approve'
  | 'city_return'
  | 'province_approve'
  | 'province_return'
  | 'national_approve'
  | 'national_reject';

/** An action with its input. Returns and rejections need a reason; approvals may carry a note. */
export type ApplicationAction =
  | { type: 'apply'; formSigned: boolean; degreeRequested?: boolean }
  | { type: 'submit'; degreeRequested?: boolean }
  | { type: 'city_approve'; note?: string }
  | { type: 'city_return'; reason: string }
  | { type: 'province_approve'; note?: string }
  | { type: 'province_return'; reason: string }
  | { type: 'national_approve'; note?: string }
  | { type: 'national_reject'; reason: string };

export const APPLICATION_ACTION_LABELS: Record<ApplicationActionType, string> = {
  apply: '提出毕业申请',
  submit: '学习中心提交',
  city_approve: '市级审批确认',
  city_return: '市级退回',
  province_approve: '省级复审通过',
  province_return: '省级退回',
  national_approve: '国开终审通过',
  national_reject: '国开终审不通过',
};

/** The transition table: from which statuses each action starts, and where it leads. */
export const TRANSITIONS: Readonly<Record<ApplicationActionType, { from: readonly ApplicationStatus[]; to: ApplicationStatus }>> = {
  apply: { from: ['draft'], to: 'applied' },
  submit: { from: ['applied', 'returned'], to: 'submitted' },
  city_approve: { from: ['submitted'], to: 'city_approved' },
  city_return: { from: ['submitted'], to: 'returned' },
  province_approve: { from: ['city_approved'], to: 'province_approved' },
  province_return: { from: ['city_approved'], to: 'returned' },
  national_approve: { from: ['province_approved'], to: 'graduated' },
  national_reject: { from: ['province_approved'], to: 'rejected_final' },
};

/** A graduation application (毕业申请). */
export interface GraduationApplication {
  id: string;
  studentId: string;
  batchId: string;
  /** Path of the student's centre; every reviewer must contain it in their subtree. */
  centrePath: string;
  status: ApplicationStatus;
  /** 申请学位 (requested together with graduation; optional). */
  degreeRequested: boolean;
  /** When the student signed 《国家开放大学学生毕业申请表》 (ISO instant). */
  formSignedAt: string | null;
  /** The photo submitted — and locked — with the application. */
  photoId: string | null;
  /** When the centre confirmed the photo is the same version as the 学信网 photo (同版). */
  sameVersionConfirmedAt: string | null;
  /** 电子注册号, set once at final approval and never changed. */
  registrationNumber: string | null;
  /** Reason of the last return or rejection. */
  lastReason: string | null;
  /** Which level returned it, while returned. */
  returnedBy: 'city' | 'province' | null;
  /** How many times the centre submitted it. */
  submissionCount: number;
  /** Bumped by every transition (optimistic concurrency for the server). */
  version: number;
  updatedAt: string | null;
}

/** A new draft application of a student in a batch. */
export function newApplication(input: { id: string; student: Pick<Student, 'id' | 'centrePath'>; batchId: string }): GraduationApplication {
  return {
    id: input.id,
    studentId: input.student.id,
    batchId: input.batchId,
    centrePath: input.student.centrePath,
    status: 'draft',
    degreeRequested: false,
    formSignedAt: null,
    photoId: null,
    sameVersionConfirmedAt: null,
    registrationNumber: null,
    lastReason: null,
    returnedBy: null,
    submissionCount: 0,
    version: 0,
    updatedAt: null,
  };
}

/**
 * The state of the student's graduation photo at the moment of the action (照片状态), as the server knows it:
 * the photo engine's verdict against the profile, and the centre's 同版 confirmation.
 */
export interface PhotoState {
  /** Null when the student has no graduation photo. */
  photoId: string | null;
  /** The engine's verdict: only 'pass' may be submitted. 'unchecked' = not yet inspected. */
  verdict: 'pass' | 'fail' | 'review' | 'error' | 'unchecked';
  /** Chinese messages of the failing / to-review checks, for the refusal message. */
  problems?: readonly string[];
  /** The centre confirmed this photo is the same version as the 学信网 photo (同版, seed 000 §三.3). */
  sameVersionConfirmed: boolean;
  /** Comparison with an imported 学信网 reference photo, if one was imported. */
  referenceMatch?: 'same' | 'different' | 'unknown' | null;
  /** What the comparison measured, in Chinese with the scores (for the REFERENCE_MISMATCH message). */
  referenceDetail?: string | null;
  /**
   * 同版 gate override (同版比对例外): a user with the right recorded why a photo that compares as another person
   * or another shot is nevertheless submitted. Kept on the application and shown at every later level.
   */
  referenceOverride?: { reason: string } | null;
  /** A person's decision on a photo the engine sent to review (人工复核): pass makes it submittable. */
  humanReview?: { decision: 'pass' | 'fail'; note: string } | null;
}

/** Input to the registration number at final approval: the server owns uniqueness and passes the next serial. */
export interface IssueNumberInput {
  /** 5-digit school code (学校代码), e.g. 国开 '51161'. */
  schoolCode: string;
  /** Next unused serial, 1 … 999999. */
  serial: number;
}

/** Everything a decision depends on besides the application itself. */
export interface DecisionContext {
  /** The clock: when the action happens. */
  at: Date;
  actor: Actor;
  student: Student;
  batch: GraduationBatch;
  /** Needed for `submit`. */
  photo?: PhotoState | null;
  /** Needed for `national_approve`. */
  issueNumber?: IssueNumberInput | null;
}

/** An audit record (审核日志): who, when, what, from → to, why. */
export interface ApplicationEvent {
  applicationId: string;
  studentId: string;
  batchId: string;
  action: ApplicationActionType;
  from: ApplicationStatus;
  to: ApplicationStatus;
  actorId: string;
  actorRole: Actor['role'];
  actorOrgPath: string;
  actorName: string | null;
  /** ISO instant. */
  at: string;
  /** Reason (returns, rejections) or note (approvals). */
  reason: string | null;
  /** Warnings shown at this step. */
  warnings: WarningCode[];
  photoId: string | null;
  registrationNumber: string | null;
}

/** What a successful decision yields. `student` is updated when the student graduates. */
export interface Decision {
  app: GraduationApplication;
  student: Student;
  events: ApplicationEvent[];
  warnings: DomainWarning[];
}

/** Our 电子注册号 format. */
export interface RegistrationNumberParts {
  schoolCode: string;
  year: number;
  level: EducationLevel;
  serial: number;
}

const LEVEL_CODE: Record<EducationLevel, string> = { bachelor: '1', associate: '2' };

/**
 * OUR format of the electronic registration number (电子注册号) — the real one is assigned by 国开:
 * 5-digit school code + 4-digit year of graduation + level code (1 本科, 2 专科) + 6-digit serial = 16 digits,
 * e.g. 51161 2026 1 000123 → '5116120261000123'.
 */
export function formatRegistrationNumber(parts: RegistrationNumberParts): Result<string> {
  if (!/^\d{5}$/.test(parts.schoolCode)) return refuse('REGISTRATION_NUMBER_INVALID', `学校代码“${parts.schoolCode}”应为 5 位数字`);
  if (!Number.isInteger(parts.year) || parts.year < 2000 || parts.year > 9999) return refuse('REGISTRATION_NUMBER_INVALID', `毕业年份 ${parts.year} 不对`);
  if (!Number.isInteger(parts.serial) || parts.serial < 1 || parts.serial > 999_999) {
    return refuse('REGISTRATION_NUMBER_INVALID', `电子注册号流水号 ${parts.serial} 应为 1 至 999999 的整数`);
  }
  return ok(`${parts.schoolCode}${parts.year}${LEVEL_CODE[parts.level]}${String(parts.serial).padStart(6, '0')}`);
}

/** Reads a number in our format back into its parts, or null. */
export function parseRegistrationNumber(text: string): RegistrationNumberParts | null {
  const m = /^(\d{5})(\d{4})([12])(\d{6})$/.exec(text.trim());
  if (!m || Number(m[4]) === 0) return null;
  return { schoolCode: m[1], year: Number(m[2]), level: m[3] === '1' ? 'bachelor' : 'associate', serial: Number(m[4]) };
}

/** Photo lock (照片锁定): from submission on, nobody may replace the photo; returning unlocks it. */
export function isPhotoLocked(app: Pick<GraduationApplication, 'status'>): boolean {
  return app.status === 'submitted' || app.status === 'city_approved' || app.status === 'province_approved' || app.status === 'graduated';
}

/** May the photo of this application's student be replaced now? PHOTO_LOCKED while in review or graduated. */
export function canReplacePhoto(app: Pick<GraduationApplication, 'status'>): Result<true> {
  if (isPhotoLocked(app)) {
    return refuse(
      'PHOTO_LOCKED',
      `申请状态为“${APPLICATION_STATUS_LABELS[app.status]}”，照片已锁定：审核期间不允许修改毕业电子照片${app.status === 'graduated' ? '' : '，如需更换须由审核方退回申请'}`,
      { status: app.status },
    );
  }
  return ok(true);
}

/** Replacing a photo: the actor must be centre staff of that centre, and the photo must not be locked. */
export function authorisePhotoReplacement(app: GraduationApplication, actor: Actor): Result<true> {
  const auth = authorise(actor, 'replace_photo', app.centrePath);
  if (!auth.ok) return auth;
  return canReplacePhoto(app);
}

/** Across all of a student's applications: locked if any of them is. */
export function canReplaceStudentPhoto(apps: readonly Pick<GraduationApplication, 'status'>[]): Result<true> {
  for (const a of apps) {
    const r = canReplacePhoto(a);
    if (!r.ok) return r;
  }
  return ok(true);
}

function requireReason(text: string | undefined, what: string): Result<string> {
  const reason = (text ?? '').trim();
  if (!reason) return refuse('REASON_REQUIRED', `${what}须填写理由`);
  return ok(reason);
}

function checkPhoto(photo: PhotoState | null | undefined, student: Student): Result<PhotoState> {
  const who = `${student.name}（${student.xuehao}）`;
  if (!photo || photo.photoId === null) return refuse('PHOTO_MISSING', `${who}没有毕业电子照片：须先导入照片，才能提交毕业申请`);
  const humanPass = photo.verdict === 'review' && photo.humanReview?.decision === 'pass';
  if (photo.verdict === 'review' && photo.humanReview?.decision === 'fail') {
    return refuse('PHOTO_NOT_COMPLIANT', `${who}的毕业电子照片经人工复核不合格：${photo.humanReview.note}`, { verdict: 'fail' });
  }
  if (photo.verdict !== 'pass' && !humanPass) {
    const why =
      photo.verdict === 'unchecked'
        ? '照片尚未检测'
        : photo.verdict === 'review'
          ? '照片检测结果为“待人工复核”，须复核确认合格'
          : photo.verdict === 'error'
            ? '照片无法读取'
            : '照片检测不合格';
    const detail = photo.problems?.length ? `：${photo.problems.join('；')}` : '';
    return refuse('PHOTO_NOT_COMPLIANT', `${who}的毕业电子照片不能提交（${why}）${detail}`, { verdict: photo.verdict });
  }
  if (photo.referenceMatch === 'different' && !photo.referenceOverride?.reason.trim()) {
    return refuse(
      'REFERENCE_MISMATCH',
      `${who}的毕业电子照片与学信网学历照片${photo.referenceDetail ? `比对结果：${photo.referenceDetail}` : '比对不一致'}。` +
        '不是同一人或不是同版的照片提交后将无法办理证书（三.3）：请更换为与学信网同版的照片；确属同版的，须说明理由后提交',
    );
  }
  if (!photo.sameVersionConfirmed) {
    return refuse(
      'PHOTO_VERSION_UNCONFIRMED',
      `提交前须确认${who}的毕业电子照片与学信网学历照片为同版，否则将影响证书办理（鲁开大开放函〔2025〕47 号 三.3）`,
    );
  }
  return ok(photo);
}

/**
 * Decide one action on one application: the new application, the audit events and warnings — or the refusal.
 * Pure: the clock, the actor, the student, the batch, the photo and the next registration serial come in `ctx`.
 */
export function decide(app: GraduationApplication, action: ApplicationAction, ctx: DecisionContext): Result<Decision> {
  const { student, batch, actor, at } = ctx;
  const label = APPLICATION_ACTION_LABELS[action.type];

  if (student.id !== app.studentId) return refuse('CONTEXT_MISMATCH', `申请 ${app.id} 属于学生 ${app.studentId}，而传入的是学生 ${student.id}`);
  if (batch.id !== app.batchId) return refuse('CONTEXT_MISMATCH', `申请 ${app.id} 属于批次 ${app.batchId}，而传入的是批次 ${batch.id}`);

  if (app.status === 'graduated' || app.registrationNumber !== null) {
    return refuse(
      'REGISTRATION_NUMBER_IMMUTABLE',
      `${student.name}（${student.xuehao}）已毕业，电子注册号 ${app.registrationNumber ?? ''} 一旦生成不允许以任何原因作废，也不能恢复学籍（三.6）；不能执行“${label}”`,
      { registrationNumber: app.registrationNumber },
    );
  }

  const auth = authorise(actor, action.type, app.centrePath, app.studentId);
  if (!auth.ok) return auth;

  const rule = TRANSITIONS[action.type];
  if (!rule.from.includes(app.status)) {
    return refuse(
      'INVALID_TRANSITION',
      `申请状态为“${APPLICATION_STATUS_LABELS[app.status]}”，不能执行“${label}”（只能在${rule.from.map((s) => `“${APPLICATION_STATUS_LABELS[s]}”`).join('或')}状态下执行）`,
      { status: app.status, action: action.type },
    );
  }

  if (student.status === 'graduated') {
    return refuse('ALREADY_GRADUATED', `${student.name}（${student.xuehao}）已毕业（电子注册号 ${student.registrationNumber ?? '—'}），不能再办理毕业申请`);
  }
  const enrolment = checkEnrolmentValid(student, at);
  if (!enrolment.ok) return enrolment;
  const frozen = checkNotFrozen(batch, at);
  if (!frozen.ok) return frozen;

  const warnings: DomainWarning[] = [];
  if (action.type !== 'national_approve' && action.type !== 'national_reject' && expiresBefore(student.enrolmentTerm, batch.deadline)) {
    warnings.push(
      warning(
        'ENROLMENT_EXPIRING',
        `${student.name}（${student.xuehao}）学籍有效期至 ${enrolmentValidUntil(student.enrolmentTerm)}，早于本批次截止日 ${batch.deadline}：须在学籍到期前完成国开终审，否则无法毕业`,
      ),
    );
  }
  let next: GraduationApplication = { ...app };
  let nextStudent: Student = student;
  let reason: string | null = null;
  const iso = at.toISOString();

  switch (action.type) {
    case 'apply': {
      if (!action.formSigned) {
        return refuse('FORM_NOT_SIGNED', `${student.name}须本人签署《国家开放大学学生毕业申请表》后才能提出毕业申请`);
      }
      if (!isIdentityResolved(student)) {
        return refuse(
          'IDENTITY_DOUBTFUL',
          `${student.name}（${student.xuehao}）学信网身份存疑，身份复核尚未通过（${IDENTITY_REVIEW_LABELS[student.identityReview]}）：须由学习中心收集材料、省级开大复核通过后方可申请毕业`,
        );
      }
      warnings.push(...studentWarnings(student));
      next.formSignedAt = iso;
      if (action.degreeRequested !== undefined) next.degreeRequested = action.degreeRequested;
      break;
    }
    case 'submit': {
      const open = checkSubmissionOpen(batch, at);
      if (!open.ok) return open;
      const photo = checkPhoto(ctx.photo, student);
      if (!photo.ok) return photo;
      if (photo.value.referenceMatch === 'different') warnings.push(warning('PHOTO_REFERENCE_OVERRIDDEN'));
      if (photo.value.verdict === 'review') warnings.push(warning('PHOTO_HUMAN_CONFIRMED'));
      warnings.push(...studentWarnings(student));
      next.photoId = photo.value.photoId;
      next.sameVersionConfirmedAt = iso;
      next.submissionCount = app.submissionCount + 1;
      next.returnedBy = null;
      if (action.degreeRequested !== undefined) next.degreeRequested = action.degreeRequested;
      break;
    }
    case 'city_approve':
    case 'province_approve': {
      warnings.push(...studentWarnings(student));
      reason = action.note?.trim() || null;
      break;
    }
    case 'city_return':
    case 'province_return': {
      const r = requireReason(action.reason, label);
      if (!r.ok) return r;
      reason = r.value;
      warnings.push(...studentWarnings(student));
      next.lastReason = reason;
      next.returnedBy = action.type === 'city_return' ? 'city' : 'province';
      break;
    }
    case 'national_approve': {
      if (student.chsiPhotoMissing) {
        return refuse('CHSI_PHOTO_MISSING', `${student.name}（${student.xuehao}）学信网缺学历照片，无法通过毕业终审（三.4）：须先完成图像采集并上传学信网`);
      }
      if (!isIdentityResolved(student)) {
        return refuse('IDENTITY_DOUBTFUL', `${student.name}（${student.xuehao}）学信网身份存疑且身份复核未通过，无法通过毕业终审（三.4）`);
      }
      if (!ctx.issueNumber) return refuse('REGISTRATION_NUMBER_INVALID', '终审通过须提供电子注册号的学校代码和下一个流水号');
      const number = formatRegistrationNumber({
        schoolCode: ctx.issueNumber.schoolCode,
        year: Number(chinaDate(at).slice(0, 4)),
        level: student.level,
        serial: ctx.issueNumber.serial,
      });
      if (!number.ok) return number;
      reason = action.note?.trim() || null;
      next.registrationNumber = number.value;
      nextStudent = { ...student, status: 'graduated', registrationNumber: number.value };
      break;
    }
    case 'national_reject': {
      const r = requireReason(action.reason, label);
      if (!r.ok) return r;
      reason = r.value;
      next.lastReason = reason;
      break;
    }
  }

  next = { ...next, status: rule.to, version: app.version + 1, updatedAt: iso };
  const event: ApplicationEvent = {
    applicationId: app.id,
    studentId: app.studentId,
    batchId: app.batchId,
    action: action.type,
    from: app.status,
    to: rule.to,
    actorId: actor.userId,
    actorRole: actor.role,
    actorOrgPath: actor.orgPath,
    actorName: actor.name ?? null,
    at: iso,
    reason,
    warnings: warnings.map((w) => w.code),
    photoId: next.photoId,
    registrationNumber: next.registrationNumber,
  };
  return ok({ app: next, student: nextStudent, events: [event], warnings });
}

/** One application of a bulk action with its own student and photo (and batch, if not the shared one). */
export interface BulkItem {
  app: GraduationApplication;
  student: Student;
  photo?: PhotoState | null;
  batch?: GraduationBatch;
}

/** Context shared by a bulk action. For `national_approve`, `issueNumber.serial` is the FIRST serial to use. */
export interface BulkContext {
  at: Date;
  actor: Actor;
  batch?: GraduationBatch;
  issueNumber?: IssueNumberInput | null;
}

export interface BulkOutcome {
  results: Array<{ applicationId: string; result: Result<Decision> }>;
  succeeded: number;
  refused: number;
  /** For national_approve: the next unused serial after this run (serials are consumed only by successes). */
  nextSerial: number | null;
}

/** Apply the same action to many applications; each succeeds or is refused on its own (no all-or-nothing). */
export function decideMany(items: readonly BulkItem[], action: ApplicationAction, ctx: BulkContext): BulkOutcome {
  const results: BulkOutcome['results'] = [];
  let serial = ctx.issueNumber?.serial ?? null;
  let succeeded = 0;
  for (const item of items) {
    const batch = item.batch ?? ctx.batch;
    let result: Result<Decision>;
    if (!batch) {
      result = refuse('CONTEXT_MISMATCH', `申请 ${item.app.id} 缺少批次信息`);
    } else {
      result = decide(item.app, action, {
        at: ctx.at,
        actor: ctx.actor,
        student: item.student,
        batch,
        photo: item.photo,
        issueNumber: ctx.issueNumber && serial !== null ? { schoolCode: ctx.issueNumber.schoolCode, serial } : null,
      });
    }
    if (result.ok) {
      succeeded++;
      if (action.type === 'national_approve' && serial !== null) serial++;
    }
    results.push({ applicationId: item.app.id, result });
  }
  return { results, succeeded, refused: items.length - succeeded, nextSerial: action.type === 'national_approve' ? serial : null };
}

/**
 * The actions this actor could try on this application now, judged by status, role and subtree only
 * (the clock, photo and flags are checked by {@link decide}). For showing buttons.
 */
export function candidateActions(app: GraduationApplication, actor: Actor): ApplicationActionType[] {
  const all = Object.keys(TRANSITIONS) as ApplicationActionType[];
  return all.filter((a) => TRANSITIONS[a].from.includes(app.status) && authorise(actor, a, app.centrePath, app.studentId).ok);
}

/** True for statuses no action can leave. */
export function isFinal(status: ApplicationStatus): boolean {
  return status === 'graduated' || status === 'rejected_final';
}

/**
 * Progress per organisation (审核进度): for each given org path, how many applications of its subtree are in each
 * status. Every level sees its own subtree.
 */
export function progressByOrg(
  apps: readonly Pick<GraduationApplication, 'status' | 'centrePath'>[],
  orgPaths: readonly string[],
): Array<{ orgPath: string; total: number; byStatus: Record<ApplicationStatus, number> }> {
  return orgPaths.map((orgPath) => {
    const byStatus = Object.fromEntries(Object.keys(APPLICATION_STATUS_LABELS).map((s) => [s, 0])) as Record<ApplicationStatus, number>;
    let total = 0;
    for (const a of apps) {
      if (isWithinSubtree(orgPath, a.centrePath)) {
        byStatus[a.status]++;
        total++;
      }
    }
    return { orgPath, total, byStatus };
  });
}
