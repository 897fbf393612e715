import {
  decide,
  chinaDate,
  formatRegistrationNumber,
  type Student as CoreStudent,
  newApplication,
  authorise,
  candidateActions,
  APPLICATION_STATUS_LABELS,
  type ApplicationAction,
  type ApplicationEvent,
  type ApplicationActionType,
  type ApplicationStatus,
  type Decision,
  type DomainWarning,
  type PhotoState,
  TRANSITIONS,
} from '@gradpass/core';
import { AppError, invalid, notFound, outOfScope } from '../errors.js';
import { registrationCounter } from '../db/migrations.js';
import { ALL_ORGS, constraintHit } from '../repositories/index.js';
import type {
  ApplicationFilter,
  ApplicationJoined,
  ApplicationPatch,
  ApplicationRow,
  BatchRow,
  PhotoRow,
  Repos,
  StudentRow,
} from '../repositories/index.js';
import type { EventBus, LiveEvent } from '../events.js';
import { OrgTree, requireStaff, unwrapResult, refusalError, type Actor } from './context.js';
import { audit, auditRow, type AuditEntry } from './audit.js';
import { fromCoreApplication, toCoreApplication, toCoreBatch } from './domain.js';
import { toCoreStudent, type StudentService } from './students.js';
import { humanReviewOf } from './photo-dto.js';

export const APPLICATION_STATES = Object.keys(APPLICATION_STATUS_LABELS) as ApplicationStatus[];

/** Bulk submissions on PostgreSQL: items in progress at once (each in its own transaction; the pool has 10). */
const BULK_LANES = 4;

/** Set-based bulk steps: items per transaction (their rows locked together, written in multi-row statements). */
export const BULK_CHUNK = 200;

/** The answer for one item of a bulk action (逐条结果). */
export interface BulkItemResult {
  id: number;
  ok: boolean;
  state?: string;
  registrationNumber?: string | null;
  code?: string;
  message?: string;
  warnings?: DomainWarning[];
}

/**
 * The positions of `ids` in chunks of at most `size`, in the order given; an id repeated in the list starts a new
 * chunk, so a chunk never holds one application twice and a repeat is judged after the first one is written.
 */
export function bulkChunks(ids: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let seen = new Set<number>();
  ids.forEach((id, k) => {
    if (cur.length >= size || seen.has(id)) {
      out.push(cur);
      cur = [];
      seen = new Set();
    }
    cur.push(k);
    seen.add(id);
  });
  if (cur.length) out.push(cur);
  return out;
}

/** In progress sums: every row, whatever child it lies under. */
const ALL = -1;

/** API action names: the generic ones map to core's by the current state; core's own names are accepted too. */
export type ApiAction = 'apply' | 'submit' | 'approve' | 'return' | 'reject' | ApplicationActionType;
export const API_ACTIONS: ApiAction[] = [
  'apply',
  'submit',
  'approve',
  'return',
  'reject',
  'city_approve',
  'city_return',
  'province_approve',
  'province_return',
  'national_approve',
  'national_reject',
];

export interface ApplicationDto {
  id: number;
  studentId: number;
  studentName: string;
  xuehao: string;
  orgId: number;
  orgName: string;
  batchId: number;
  batchName: string;
  state: ApplicationStatus;
  stateLabel: string;
  degreeRequested: boolean;
  signedAt: string | null;
  samePhotoConfirmed: boolean;
  /** 同版 gate override: why a photo comparing as another person/shot was submitted anyway (shown at every level). */
  referenceOverride: { reason: string; by: string; at: string } | null;
  photoId: number | null;
  registrationNumber: string | null;
  lastReason: string | null;
  returnedBy: string | null;
  submissionCount: number;
  updatedAt: string;
  actions: ApplicationActionType[];
  warnings: DomainWarning[];
}

function coreAction(
  state: string,
  a: ApiAction,
  body: { reason?: string; degreeRequested?: boolean },
): ApplicationAction {
  const byState: Record<
    string,
    { approve?: ApplicationActionType; return?: ApplicationActionType; reject?: ApplicationActionType }
  > = {
    submitted: { approve: 'city_approve', return: 'city_return' },
    city_approved: { approve: 'province_approve', return: 'province_return' },
    province_approved: { approve: 'national_approve', reject: 'national_reject' },
  };
  let type: ApplicationActionType;
  if (a === 'approve' || a === 'return' || a === 'reject') {
    const t = byState[state]?.[a];
    if (!t)
      throw new AppError(
        409,
        'INVALID_TRANSITION',
        `申请状态为“${APPLICATION_STATUS_LABELS[state as ApplicationStatus] ?? state}”，不能执行此操作`,
      );
    type = t;
  } else type = a;
  switch (type) {
    case 'apply':
      return { type, formSigned: true, degreeRequested: body.degreeRequested };
    case 'submit':
      return { type, degreeRequested: body.degreeRequested };
    case 'city_return':
    case 'province_return':
    case 'national_reject':
      return { type, reason: body.reason ?? '' };
    default:
      return { type, note: body.reason };
  }
}

/** 毕业申请：创建、四级审核、批量操作、进度 */
export class ApplicationService {
  constructor(
    private readonly repos: Repos,
    private readonly students: StudentService,
    private readonly events: EventBus,
    private readonly certificates: {
      ensureFor(applicationId: number, studentId: number, tx: Repos): Promise<void>;
      ensureForMany(items: Array<{ applicationId: number; studentId: number }>, tx: Repos): Promise<void>;
    },
    private readonly photos: {
      compareReference(student: StudentRow): Promise<{
        face: { status: string; message: string };
        sameShot: { status: string; message: string };
      } | null>;
      compareReferences(students: StudentRow[]): Promise<Map<number, AppError>>;
      readonly comparesOnWorker: boolean;
    },
    private readonly opts: { schoolCode: string },
    private readonly now: () => Date,
  ) {}

  private dto(
    a: ApplicationJoined,
    tree: OrgTree,
    actor: Actor | null,
    warnings: DomainWarning[] = [],
  ): ApplicationDto {
    const path = tree.get(a.org_id)?.path ?? '/';
    return {
      id: a.id,
      studentId: a.student_id,
      studentName: a.student_name,
      xuehao: a.xuehao,
      orgId: a.org_id,
      orgName: tree.get(a.org_id)?.name ?? '',
      batchId: a.batch_id,
      batchName: a.batch_name,
      state: a.state as ApplicationStatus,
      stateLabel: APPLICATION_STATUS_LABELS[a.state as ApplicationStatus] ?? a.state,
      degreeRequested: !!a.degree_requested,
      signedAt: a.signed_at,
      samePhotoConfirmed: !!a.same_version_confirmed_at,
      referenceOverride: a.reference_override_reason
        ? {
            reason: a.reference_override_reason,
            by: a.reference_override_by_name ?? '',
            at: a.reference_override_at ?? '',
          }
        : null,
      photoId: a.photo_id,
      registrationNumber: a.registration_number,
      lastReason: a.last_reason,
      returnedBy: a.returned_by,
      submissionCount: a.submission_count,
      updatedAt: a.updated_at,
      actions: actor ? candidateActions(toCoreApplication(a, path), actor.core) : [],
      warnings,
    };
  }

  private async load(actor: Actor, id: number): Promise<{ app: ApplicationJoined; tree: OrgTree; centrePath: string }> {
    const app = await this.repos.applications.byId(id);
    if (!app) throw notFound('毕业申请');
    const tree = await OrgTree.load(this.repos);
    if (actor.role === 'student' && actor.studentId !== app.student_id) throw outOfScope('毕业申请');
    const org = tree.assertInScope(actor, app.org_id, '毕业申请');
    return { app, tree, centrePath: org.path };
  }

  async get(actor: Actor, id: number) {
    const { app, tree } = await this.load(actor, id);
    const history = await this.repos.audit.list({ orgIds: [app.org_id], entity: 'application', entityId: id }, 1, 200);
    return { ...this.dto(app, tree, actor), history: history.rows.map(auditDto) };
  }

  async list(
    actor: Actor,
    q: Omit<ApplicationFilter, 'orgIds' | 'orgPath'> & {
      orgId?: number;
      page: number;
      pageSize: number;
      cursor?: number;
    },
  ) {
    const tree = await OrgTree.load(this.repos);
    const { orgId, page, pageSize, cursor, ...filter } = q;
    const f: ApplicationFilter = { ...filter, ...scopeOf(actor, tree, orgId) };
    const { rows, total, totalExact, nextCursor } = await this.repos.applications.list(f, { page, pageSize, cursor });
    return { items: rows.map((r) => this.dto(r, tree, actor)), total, totalExact, page, pageSize, nextCursor };
  }

  async listAll(actor: Actor, q: Omit<ApplicationFilter, 'orgIds' | 'orgPath'> & { orgId?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const { orgId, ...filter } = q;
    return (await this.repos.applications.listAll({ ...filter, ...tree.filterScope(actor, orgId) })).map((r) =>
      this.dto(r, tree, actor),
    );
  }

  /** A draft application of a student in a batch (the student or the centre starts it). */
  async create(
    actor: Actor,
    input: { studentId: number; batchId: number; degreeRequested?: boolean },
  ): Promise<ApplicationDto> {
    const { student, centrePath, tree } = await this.students.visible(actor, input.studentId);
    unwrapResult(authorise(actor.core, 'apply', centrePath, String(student.id)));
    const batch = await this.repos.batches.byId(input.batchId);
    if (!batch) throw notFound('批次');
    if (await this.repos.applications.byStudentBatch(student.id, batch.id))
      throw new AppError(409, 'APPLICATION_EXISTS', `${student.name}在批次“${batch.name}”中已有毕业申请`);
    const draft = newApplication({
      id: '0',
      student: { id: String(student.id), centrePath },
      batchId: String(batch.id),
    });
    const at = this.now().toISOString();
    const row = await this.repos.applications.insert({
      ...fromCoreApplication({ ...draft, degreeRequested: !!input.degreeRequested, updatedAt: at }),
      student_id: student.id,
      batch_id: batch.id,
      created_at: at,
    });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'application',
      entityId: row.id,
      action: 'create',
      after: { state: row.state, batchId: batch.id },
    });
    return this.dto((await this.repos.applications.byId(row.id)) as ApplicationJoined, tree, actor);
  }

  /** One step of the four-level review: core's decide() judges; the server stores, audits and broadcasts. */
  async act(actor: Actor, id: number, body: ActBody): Promise<ApplicationDto> {
    const { app: seen, tree, centrePath } = await this.load(actor, id);
    // The 同版 comparison is a face analysis: done before the transaction so no lock is held during it; the
    // transaction then checks that the photo compared is still the student's photo.
    const reference = await this.referenceBeforeSubmit(seen, body);
    const done = await this.repos.transaction(async (tx) => {
      const app = await tx.applications.lock(id);
      if (!app) throw notFound('毕业申请');
      const action = coreAction(app.state, body.action, body);
      // Every change that depends on the student's other applications or photo locks the student row.
      const student = await tx.students.lock(app.student_id);
      const batch = await tx.batches.byId(app.batch_id);
      if (!student || !batch) throw notFound('学生或批次');
      const others = (await tx.applications.forStudent([student.id])).filter((a) => a.id !== app.id);
      const coreStudent = toCoreStudent(student, centrePath, others);
      const photo = action.type === 'submit' ? await this.photoState(tx, student, body, reference) : null;
      const issueNumber = action.type === 'national_approve' ? await this.nextIssueNumber(tx, coreStudent.level) : null;
      const r = decide(toCoreApplication(app, centrePath), action, {
        at: this.now(),
        actor: actor.core,
        student: coreStudent,
        batch: toCoreBatch(batch),
        photo,
        issueNumber,
      });
      if (!r.ok) throw refusalError(r.refusal);
      const d = r.value;
      const override =
        action.type === 'submit' && photo?.referenceMatch === 'different'
          ? {
              reference_override_reason: photo.referenceOverride?.reason.trim() ?? null,
              reference_override_by_name: actor.displayName,
              reference_override_at: this.now().toISOString(),
            }
          : action.type === 'submit'
            ? { reference_override_reason: null, reference_override_by_name: null, reference_override_at: null }
            : {};
      const updated = await tx.applications
        .update(app.id, app.state, { ...fromCoreApplication(d.app), ...override })
        .catch((e: unknown) => rethrowConstraint(e, student));
      if (!updated) throw new AppError(409, 'CONCURRENT_CHANGE', '该申请刚被他人处理，请刷新后重试');
      for (const ev of d.events) {
        await audit(
          tx,
          this.now(),
          actor,
          stateChangeAudit(
            ev,
            student.org_id,
            app.id,
            ev.action === 'submit' && override.reference_override_reason
              ? `同版比对不一致，提交理由：${override.reference_override_reason}`
              : ev.reason,
          ),
        );
      }
      if (d.app.status === 'graduated') await this.certificates.ensureFor(app.id, student.id, tx);
      return { d, student, batchId: app.batch_id };
    });
    this.events.publish({
      type: 'application',
      orgPath: centrePath,
      data: {
        id,
        studentId: done.student.id,
        state: done.d.app.status,
        orgId: done.student.org_id,
        batchId: done.batchId,
      },
    });
    return this.dto((await this.repos.applications.byId(id)) as ApplicationJoined, tree, actor, done.d.warnings);
  }

  /** Before a submission: the student's photo and how it compares with the 学信网 reference photo (同版). */
  private async referenceBeforeSubmit(app: ApplicationJoined, body: { action: ApiAction }) {
    if (coreAction(app.state, body.action, {}).type !== 'submit') return null;
    const student = await this.repos.students.byId(app.student_id);
    if (!student || student.photo_id == null) return null;
    const p = await this.repos.photos.byId(student.photo_id);
    if (!comparedBeforeSubmit(p)) return { photoId: student.photo_id, match: null, detail: null };
    const cmp = await this.photos.compareReference(student);
    if (!cmp) return { photoId: student.photo_id, match: null, detail: null };
    // Not the same person, or not the same shot, is "different"; both measured alike is "same"; else unknown.
    const match: PhotoState['referenceMatch'] =
      cmp.face.status === 'fail' || cmp.sameShot.status === 'fail'
        ? 'different'
        : cmp.face.status === 'pass' && cmp.sameShot.status === 'pass'
          ? 'same'
          : 'unknown';
    return { photoId: student.photo_id, match, detail: `${cmp.face.message}；${cmp.sameShot.message}` };
  }

  /** The photo as core's submission rule sees it, read inside the transaction (the student row is locked). */
  private async photoState(
    tx: Repos,
    student: StudentRow,
    body: ActBody,
    reference: { photoId: number; match: PhotoState['referenceMatch']; detail: string | null } | null,
  ): Promise<PhotoState> {
    if ((reference?.photoId ?? null) !== student.photo_id) {
      throw new AppError(409, 'CONCURRENT_CHANGE', '提交时学生照片刚被更换，请刷新后重试');
    }
    const p = student.photo_id != null ? await tx.photos.byId(student.photo_id) : undefined;
    const report = p?.checks_json
      ? (JSON.parse(p.checks_json) as {
          checks?: Array<{ status: string; message: string }>;
          error?: { message: string };
        })
      : null;
    return {
      photoId: p ? String(p.id) : null,
      verdict:
        !p || p.status === 'pending' || p.status === 'checking' ? 'unchecked' : (p.status as PhotoState['verdict']),
      problems: [
        ...(report?.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'review').map((c) => c.message),
        ...(report?.error ? [report.error.message] : []),
      ],
      // Per student: ticked for this one, or (in a bulk submission) machine-verified same shot as the 学信网 photo.
      sameVersionConfirmed: !!body.samePhotoConfirmed || (!!body.confirmIfReferenceSame && reference?.match === 'same'),
      referenceMatch: reference?.match ?? null,
      referenceDetail: reference?.detail ?? null,
      referenceOverride: body.referenceOverrideReason ? { reason: body.referenceOverrideReason } : null,
      humanReview: p ? humanReviewOf(p) : null,
    };
  }

  /**
   * The next 电子注册号 serial of this school, year and level, from its counter row (locked until commit; a
   * refusal rolls the transaction back and gives the serial back, so serials have no gaps).
   */
  private async nextIssueNumber(tx: Repos, level: CoreStudent['level']) {
    const serial = await tx.counters.next(registrationCounter(this.registrationPrefix(level, this.now())));
    return { schoolCode: this.opts.schoolCode, serial };
  }

  /** The first ten characters of this school's 电子注册号 for a level in the year of `at` (school code + year + level). */
  private registrationPrefix(level: CoreStudent['level'], at: Date): string {
    const probe = formatRegistrationNumber({
      schoolCode: this.opts.schoolCode,
      year: Number(chinaDate(at).slice(0, 4)),
      level,
      serial: 1,
    });
    if (!probe.ok) throw refusalError(probe.refusal);
    return probe.value.slice(0, 10);
  }

  /**
   * The same action on many applications; each succeeds or fails on its own. Submitting: the 同版 confirmation is
   * per student (`samePhotoConfirmedIds`), never one tick for the whole list; a student whose photo the machine
   * found to be the same shot as the 学信网 photo counts as confirmed when `samePhotoConfirmed` is set.
   *
   * Every other step (apply, approve, return, reject) is set-based: {@link BULK_CHUNK} items per transaction, their
   * rows locked at once, each item judged by core's decide() in memory and the changes written in multi-row
   * statements (see {@link bulkChunk}). A chunk the database refuses as a whole (a deadlock, a constraint hit by a
   * racing request) is rolled back and its items go one by one through {@link act}.
   */
  async bulk(
    actor: Actor,
    ids: number[],
    body: { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean; samePhotoConfirmedIds?: number[] },
  ): Promise<{ results: BulkItemResult[]; okCount: number; failCount: number }> {
    if (!ids.length) throw invalid('请至少选择一个申请');
    const results: BulkItemResult[] = new Array<BulkItemResult>(ids.length);
    if (body.action === 'submit') await this.bulkOneByOne(actor, ids, body, results);
    else {
      const tree = await OrgTree.load(this.repos);
      for (const chunk of bulkChunks(ids, BULK_CHUNK)) {
        let done: Awaited<ReturnType<ApplicationService['bulkChunk']>>;
        try {
          done = await this.repos.transaction((tx) =>
            this.bulkChunk(
              tx,
              actor,
              tree,
              chunk.map((k) => ids[k]),
              body,
            ),
          );
        } catch (e) {
          if (e instanceof AppError) throw e;
          for (const k of chunk) results[k] = await this.bulkItem(actor, ids[k], body, new Set());
          continue;
        }
        chunk.forEach((k, j) => (results[k] = done.results[j]));
        for (const ev of done.events) this.events.publish(ev);
      }
    }
    return { results, okCount: results.filter((r) => r.ok).length, failCount: results.filter((r) => !r.ok).length };
  }

  /** One item of a bulk action through the single-item path ({@link act}): its result, or its refusal. */
  private async bulkItem(
    actor: Actor,
    id: number,
    body: { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean },
    confirmed: Set<number>,
  ): Promise<BulkItemResult> {
    try {
      const a = await this.act(actor, id, {
        action: body.action,
        reason: body.reason,
        samePhotoConfirmed: confirmed.has(id),
        confirmIfReferenceSame: !!body.samePhotoConfirmed,
      });
      return {
        id,
        ok: true,
        state: a.state,
        registrationNumber: a.registrationNumber,
        warnings: a.warnings,
        message: `${a.studentName}：${a.stateLabel}`,
      };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return refusedItem(id, e);
    }
  }

  /**
   * Submissions item by item: a submission compares each photo with the 学信网 photo (a face
   * analysis, done before its transaction). With WORKERS=external those comparisons are sent to the worker all at
   * once first and waited for once ({@link comparisonsAhead}); an item whose comparison is still running then
   * answers FACE_JOB_PENDING without a wait of its own. On PostgreSQL a few items run side by side, so the round
   * trips of one overlap those of another; rows they share (the student, the counters) are locked in one order.
   */
  private async bulkOneByOne(
    actor: Actor,
    ids: number[],
    body: { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean; samePhotoConfirmedIds?: number[] },
    results: BulkItemResult[],
  ): Promise<void> {
    const confirmed = new Set(body.samePhotoConfirmedIds ?? []);
    const pending = await this.comparisonsAhead(actor, ids);
    let next = 0;
    const lane = async () => {
      while (next < ids.length) {
        const k = next++;
        try {
          const refused = pending.get(ids[k]);
          results[k] = refused ? refusedItem(ids[k], refused) : await this.bulkItem(actor, ids[k], body, confirmed);
        } catch (e) {
          next = ids.length; // an unexpected error ends the whole request: no lane starts another item
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: this.repos.kind === 'postgres' ? BULK_LANES : 1 }, lane));
  }

  /**
   * Before a bulk submission with WORKERS=external: the 同版 comparisons its items will need (applications in the
   * actor's scope that can be submitted, of students whose photo is compared — see {@link referenceBeforeSubmit})
   * run on the worker side by side and are waited for once, not up to `faceWaitMs` (20 s) per student one after
   * another. Answers, by application, the refusal of a comparison not done within that wait (FACE_JOB_PENDING):
   * that item's result. Embedded (comparisons in this process): nothing ahead, an empty map.
   */
  private async comparisonsAhead(actor: Actor, ids: number[]): Promise<Map<number, AppError>> {
    if (!this.photos.comparesOnWorker) return new Map();
    const tree = await OrgTree.load(this.repos);
    const apps = (await this.repos.applications.listAll({ ...scopeOf(actor, tree), ids: [...new Set(ids)] })).filter(
      (a) => TRANSITIONS.submit.from.includes(a.state as ApplicationStatus),
    );
    const students = await this.repos.students.listAll({
      orgPath: ALL_ORGS,
      ids: [...new Set(apps.map((a) => a.student_id))],
    });
    const photos = new Map(
      (await this.repos.photos.byIds(students.flatMap((st) => st.photo_id ?? []))).map((p) => [p.id, p]),
    );
    const refused = await this.photos.compareReferences(
      students.filter((st) => st.photo_id != null && comparedBeforeSubmit(photos.get(st.photo_id))),
    );
    return new Map(apps.flatMap((a) => (refused.has(a.student_id) ? [[a.id, refused.get(a.student_id)!]] : [])));
  }

  /**
   * One transaction of a set-based bulk action (`ids` distinct). The rows it depends on are locked in the one order
   * every change follows — the applications, then their students, then the 电子注册号 counters, then the
   * `application_counts` rows — and read in a few statements; core's decide() judges each item in the order given,
   * exactly as {@link act} would one after another (a later item of the same student sees an earlier one's change;
   * a serial is consumed only by a success, so a refusal leaves no gap); then the state changes, audit rows,
   * counters and certificates are written in multi-row statements. A refusal is that item's result only.
   */
  private async bulkChunk(
    tx: Repos,
    actor: Actor,
    tree: OrgTree,
    ids: number[],
    body: { action: ApiAction; reason?: string },
  ): Promise<{ results: BulkItemResult[]; events: LiveEvent[] }> {
    const at = this.now();
    const locked = new Map((await tx.applications.lockMany([...ids].sort((a, b) => a - b))).map((a) => [a.id, a]));
    type Item = { id: number; app: ApplicationJoined; centrePath: string; action: ApplicationAction };
    const items: Array<Item | { id: number; refused: AppError }> = ids.map((id) => {
      try {
        const app = locked.get(id);
        if (!app) throw notFound('毕业申请');
        if (actor.role === 'student' && actor.studentId !== app.student_id) throw outOfScope('毕业申请');
        const centrePath = tree.assertInScope(actor, app.org_id, '毕业申请').path;
        return { id, app, centrePath, action: coreAction(app.state, body.action, { reason: body.reason }) };
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        return { id, refused: e };
      }
    });
    const live = items.filter((i): i is Item => 'app' in i);
    const studentIds = [...new Set(live.map((i) => i.app.student_id))].sort((a, b) => a - b);
    const students = new Map((await tx.students.lockMany(studentIds)).map((st) => [st.id, st]));
    const batches = new Map<number, BatchRow>();
    for (const batchId of new Set(live.map((i) => i.app.batch_id))) {
      const b = await tx.batches.byId(batchId);
      if (b) batches.set(batchId, b);
    }
    // Every application of these students (a student graduates once, whichever batch): kept current in memory.
    const appsOf = new Map<number, ApplicationRow[]>();
    for (const a of await tx.applications.forStudent(studentIds))
      appsOf.set(a.student_id, [...(appsOf.get(a.student_id) ?? []), a]);
    // The serial counters of the levels this chunk may graduate, locked in name order; serials handed out in memory.
    const serials = new Map<string, number>();
    const counterNames = new Set<string>();
    for (const i of live) {
      const st = students.get(i.app.student_id);
      if (i.action.type !== 'national_approve' || !st) continue;
      try {
        counterNames.add(registrationCounter(this.registrationPrefix(toCoreStudent(st, i.centrePath).level, at)));
      } catch (e) {
        if (!(e instanceof AppError)) throw e; // this item is refused below, with the same error
      }
    }
    for (const name of [...counterNames].sort()) serials.set(name, await tx.counters.lockCurrent(name));
    const issued = new Map(serials);

    const results: BulkItemResult[] = [];
    const changes: Array<{ item: Item; student: StudentRow; d: Decision; patch: ApplicationPatch }> = [];
    for (const i of items) {
      if (!('app' in i)) {
        results.push(refusedItem(i.id, i.refused));
        continue;
      }
      try {
        const student = students.get(i.app.student_id);
        const batch = batches.get(i.app.batch_id);
        if (!student || !batch) throw notFound('学生或批次');
        const mine = appsOf.get(student.id) ?? [];
        const coreStudent = toCoreStudent(
          student,
          i.centrePath,
          mine.filter((a) => a.id !== i.app.id),
        );
        let counter: string | null = null;
        let issueNumber: { schoolCode: string; serial: number } | null = null;
        if (i.action.type === 'national_approve') {
          counter = registrationCounter(this.registrationPrefix(coreStudent.level, at));
          issueNumber = { schoolCode: this.opts.schoolCode, serial: (issued.get(counter) ?? 0) + 1 };
        }
        const r = decide(toCoreApplication(i.app, i.centrePath), i.action, {
          at,
          actor: actor.core,
          student: coreStudent,
          batch: toCoreBatch(batch),
          photo: null,
          issueNumber,
        });
        if (!r.ok) throw refusalError(r.refusal);
        if (counter && issueNumber) issued.set(counter, issueNumber.serial);
        const patch = fromCoreApplication(r.value.app);
        const row = mine.find((a) => a.id === i.app.id);
        if (row) Object.assign(row, patch);
        changes.push({ item: i, student, d: r.value, patch });
        results.push({
          id: i.id,
          ok: true,
          state: r.value.app.status,
          registrationNumber: r.value.app.registrationNumber,
          warnings: r.value.warnings,
          message: `${i.app.student_name}：${APPLICATION_STATUS_LABELS[r.value.app.status]}`,
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        results.push(refusedItem(i.id, e));
      }
    }
    if (!changes.length) return { results, events: [] };

    await tx.applications.lockCounts(
      changes.flatMap((c) => [
        { orgId: c.student.org_id, batchId: c.item.app.batch_id, state: c.item.app.state },
        { orgId: c.student.org_id, batchId: c.item.app.batch_id, state: c.patch.state },
      ]),
    );
    const updated = await tx.applications.updateMany(
      changes.map((c) => ({ id: c.item.app.id, fromState: c.item.app.state, patch: c.patch })),
    );
    // Cannot happen under the locks; if it did, the chunk is rolled back and its items go one by one.
    if (updated.length !== changes.length) throw new Error('bulk: an application moved under its lock');
    for (const [name, value] of issued) if (value !== serials.get(name)) await tx.counters.set(name, value);
    await tx.audit.insertMany(
      changes.flatMap((c) =>
        c.d.events.map((ev) => auditRow(at, actor, stateChangeAudit(ev, c.student.org_id, c.item.app.id))),
      ),
    );
    await this.certificates.ensureForMany(
      changes
        .filter((c) => c.d.app.status === 'graduated')
        .map((c) => ({ applicationId: c.item.app.id, studentId: c.student.id })),
      tx,
    );
    const events: LiveEvent[] = changes.map((c) => ({
      type: 'application',
      orgPath: c.item.centrePath,
      data: {
        id: c.item.app.id,
        studentId: c.student.id,
        state: c.d.app.status,
        orgId: c.student.org_id,
        batchId: c.item.app.batch_id,
      },
    }));
    return { results, events };
  }

  /** Counts per child organisation × state (实时进度). */
  async progress(actor: Actor, q: { batchId?: number; orgId?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const rootId = q.orgId ?? actor.orgId;
    const root = tree.assertInScope(actor, rootId);
    const children = tree.children(rootId);
    const counts = await this.repos.applications.countsByChild(q.batchId, root.path);
    const sumFor = (childId: number) => {
      const c = Object.fromEntries(APPLICATION_STATES.map((s) => [s, 0])) as Record<string, number>;
      let total = 0;
      for (const r of counts)
        if (childId === ALL || r.child_id === childId) {
          c[r.state] = (c[r.state] ?? 0) + r.n;
          total += r.n;
        }
      return { counts: c, total };
    };
    const rows = (children.length ? children : [root]).map((o) => ({
      org: { id: o.id, name: o.name, kind: o.kind, parentId: o.parent_id, path: o.path },
      ...sumFor(children.length ? o.id : ALL),
    }));
    const totals = sumFor(ALL);
    return {
      org: { id: root.id, name: root.name, kind: root.kind, parentId: root.parent_id, path: root.path },
      states: APPLICATION_STATES,
      stateLabels: APPLICATION_STATUS_LABELS,
      rows,
      totals,
    };
  }
}

export function auditDto(r: {
  id: number;
  at: string;
  actor_id: number | null;
  actor_name: string;
  org_id: number | null;
  entity: string;
  entity_id: number;
  action: string;
  reason: string | null;
  before_json: string | null;
  after_json: string | null;
}) {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    orgId: r.org_id,
    entity: r.entity,
    entityId: r.entity_id,
    action: r.action,
    reason: r.reason,
    before: r.before_json ? (JSON.parse(r.before_json) as unknown) : null,
    after: r.after_json ? (JSON.parse(r.after_json) as unknown) : null,
  };
}

/** The body of one review step (审核操作). */
export interface ActBody {
  action: ApiAction;
  reason?: string;
  /** This student's photo was checked against the 学信网 photo and is the same version (同版). */
  samePhotoConfirmed?: boolean;
  /** Bulk submission: count a machine-verified same shot as this student's confirmation. */
  confirmIfReferenceSame?: boolean;
  /** 同版 gate: the recorded reason for submitting a photo that compares as another person or shot. */
  referenceOverrideReason?: string;
  degreeRequested?: boolean;
}

/**
 * The audit entry of one state change of an application (审核日志), the same for a single step ({@link
 * ApplicationService.act}) and a set-based bulk one: from → to, the photo and 电子注册号 at that step, the warnings shown.
 * `reason` defaults to the event's own (a submission over a 同版 mismatch records the override reason instead).
 */
function stateChangeAudit(
  ev: ApplicationEvent,
  orgId: number,
  applicationId: number,
  reason: string | null = ev.reason,
): AuditEntry {
  return {
    orgId,
    entity: 'application',
    entityId: applicationId,
    action: ev.action,
    reason,
    before: { state: ev.from },
    after: { state: ev.to, photoId: ev.photoId, registrationNumber: ev.registrationNumber, warnings: ev.warnings },
  };
}

/** The applications an actor may see, as a repository filter: a student only their own, staff their subtree. */
function scopeOf(
  actor: Actor,
  tree: OrgTree,
  orgId?: number,
): Pick<ApplicationFilter, 'orgIds' | 'orgPath' | 'studentId'> {
  return actor.role === 'student'
    ? { orgIds: [actor.orgId], studentId: actor.studentId ?? -1 }
    : tree.filterScope(actor, orgId);
}

/** Whether a submission compares the photo with the 学信网 photo (同版): a checked photo that passed or is for review. */
function comparedBeforeSubmit(p: PhotoRow | undefined): boolean {
  return !!p && (p.status === 'pass' || p.status === 'review');
}

/** One item of a bulk action that was refused: its code and message. */
function refusedItem(id: number, e: AppError): BulkItemResult {
  return { id, ok: false, code: e.code, message: e.message };
}

/** A constraint of migration 004 hit by a racing request, as the refusal the rule would have given. */
function rethrowConstraint(e: unknown, student: StudentRow): never {
  const hit = constraintHit(e);
  if (hit === 'ALREADY_GRADUATED')
    throw new AppError(409, 'ALREADY_GRADUATED', `${student.name}（${student.xuehao}）已毕业，不能再次终审通过`);
  if (hit === 'PHOTO_LOCKED')
    throw new AppError(409, 'PHOTO_LOCKED', '照片已锁定：提交时的照片与学生当前照片不一致，请刷新后重试');
  throw e;
}
