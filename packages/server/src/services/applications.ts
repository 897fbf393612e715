import {
  decide,
  newApplication,
  authorise,
  candidateActions,
  APPLICATION_STATUS_LABELS,
  type ApplicationAction,
  type ApplicationActionType,
  type ApplicationStatus,
  type DomainWarning,
  type PhotoState,
} from '@gradpass/core';
import { AppError, invalid, notFound, outOfScope } from '../errors.js';
import type { ApplicationFilter, ApplicationJoined, Repos, StudentRow } from '../repositories/index.js';
import type { EventBus } from '../events.js';
import { OrgTree, requireStaff, unwrapResult, refusalError, type Actor } from './context.js';
import { audit } from './audit.js';
import { fromCoreApplication, toCoreApplication, toCoreBatch } from './domain.js';
import { toCoreStudent, type StudentService } from './students.js';

export const APPLICATION_STATES = Object.keys(APPLICATION_STATUS_LABELS) as ApplicationStatus[];

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
    private readonly certificates: { ensureFor(applicationId: number, studentId: number): Promise<void> },
    private readonly photos: {
      compareReference(student: StudentRow): Promise<{ sameShot: { status: string } } | null>;
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
    if (actor.role === 'student' && actor.studentId !== app.student_id) throw outOfScope();
    const org = tree.assertInScope(actor, app.org_id);
    return { app, tree, centrePath: org.path };
  }

  async get(actor: Actor, id: number) {
    const { app, tree } = await this.load(actor, id);
    const history = await this.repos.audit.list({ orgIds: [app.org_id], entity: 'application', entityId: id }, 1, 200);
    return { ...this.dto(app, tree, actor), history: history.rows.map(auditDto) };
  }

  async list(actor: Actor, q: Omit<ApplicationFilter, 'orgIds'> & { orgId?: number; page: number; pageSize: number }) {
    const tree = await OrgTree.load(this.repos);
    const f: ApplicationFilter =
      actor.role === 'student'
        ? { ...q, orgIds: [actor.orgId], studentId: actor.studentId ?? -1 }
        : { ...q, orgIds: tree.filterIds(actor, q.orgId) };
    const { rows, total } = await this.repos.applications.list(f, q.page, q.pageSize);
    return { items: rows.map((r) => this.dto(r, tree, actor)), total, page: q.page, pageSize: q.pageSize };
  }

  async listAll(actor: Actor, q: Omit<ApplicationFilter, 'orgIds'> & { orgId?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    return (await this.repos.applications.listAll({ ...q, orgIds: tree.filterIds(actor, q.orgId) })).map((r) =>
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
  async act(
    actor: Actor,
    id: number,
    body: { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean; degreeRequested?: boolean },
  ): Promise<ApplicationDto> {
    const { app, tree, centrePath } = await this.load(actor, id);
    const action = coreAction(app.state, body.action, body);
    const student = await this.repos.students.byId(app.student_id);
    const batch = await this.repos.batches.byId(app.batch_id);
    if (!student || !batch) throw notFound('学生或批次');
    const allApps = await this.repos.applications.forStudent([student.id]);
    const coreStudent = toCoreStudent(
      student,
      centrePath,
      allApps.filter((a) => a.id !== app.id),
    );
    let photo: PhotoState | null = null;
    if (action.type === 'submit') {
      const p = student.photo_id != null ? await this.repos.photos.byId(student.photo_id) : undefined;
      const report = p?.checks_json
        ? (JSON.parse(p.checks_json) as {
            checks?: Array<{ status: string; message: string }>;
            error?: { message: string };
          })
        : null;
      photo = {
        photoId: p ? String(p.id) : null,
        verdict:
          !p || p.status === 'pending' || p.status === 'checking' ? 'unchecked' : (p.status as PhotoState['verdict']),
        problems: [
          ...(report?.checks ?? []).filter((c) => c.status === 'fail' || c.status === 'review').map((c) => c.message),
          ...(report?.error ? [report.error.message] : []),
        ],
        sameVersionConfirmed: !!body.samePhotoConfirmed,
        referenceMatch: null,
      };
      // 同版 help: compare with the imported 学信网 reference photo, if any (core turns 'different' into a warning).
      if (p && p.status === 'pass') {
        const cmp = await this.photos.compareReference(student);
        if (cmp)
          photo.referenceMatch =
            cmp.sameShot.status === 'pass' ? 'same' : cmp.sameShot.status === 'fail' ? 'different' : 'unknown';
      }
    }
    const coreApp = toCoreApplication(app, centrePath);
    const coreBatch = toCoreBatch(batch);
    for (let attempt = 0; ; attempt++) {
      const issueNumber =
        action.type === 'national_approve'
          ? { schoolCode: this.opts.schoolCode, serial: (await this.repos.applications.issuedCount()) + 1 + attempt }
          : null;
      const r = decide(coreApp, action, {
        at: this.now(),
        actor: actor.core,
        student: coreStudent,
        batch: coreBatch,
        photo,
        issueNumber,
      });
      if (!r.ok) throw refusalError(r.refusal);
      const d = r.value;
      let updated;
      try {
        updated = await this.repos.applications.update(app.id, app.state, fromCoreApplication(d.app));
      } catch (e) {
        // unique index on registration_number: another process took this serial; try the next one.
        if (
          action.type === 'national_approve' &&
          attempt < 20 &&
          /unique|duplicate/i.test(String((e as Error).message))
        )
          continue;
        throw e;
      }
      if (!updated) throw new AppError(409, 'CONCURRENT_CHANGE', '该申请刚被他人处理，请刷新后重试');
      for (const ev of d.events) {
        await audit(this.repos, this.now(), actor, {
          orgId: student.org_id,
          entity: 'application',
          entityId: app.id,
          action: ev.action,
          reason: ev.reason,
          before: { state: ev.from },
          after: {
            state: ev.to,
            photoId: ev.photoId,
            registrationNumber: ev.registrationNumber,
            warnings: ev.warnings,
          },
        });
      }
      if (d.app.status === 'graduated') await this.certificates.ensureFor(app.id, student.id);
      this.events.publish({
        type: 'application',
        orgPath: centrePath,
        data: { id: app.id, studentId: student.id, state: d.app.status, orgId: student.org_id, batchId: app.batch_id },
      });
      return this.dto((await this.repos.applications.byId(app.id)) as ApplicationJoined, tree, actor, d.warnings);
    }
  }

  /** The same action on many applications; each succeeds or fails on its own. */
  async bulk(actor: Actor, ids: number[], body: { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean }) {
    if (!ids.length) throw invalid('请至少选择一个申请');
    const results: Array<{
      id: number;
      ok: boolean;
      state?: string;
      registrationNumber?: string | null;
      code?: string;
      message?: string;
      warnings?: DomainWarning[];
    }> = [];
    for (const id of ids) {
      try {
        const a = await this.act(actor, id, body);
        results.push({
          id,
          ok: true,
          state: a.state,
          registrationNumber: a.registrationNumber,
          warnings: a.warnings,
          message: `${a.studentName}：${a.stateLabel}`,
        });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        results.push({ id, ok: false, code: e.code, message: e.message });
      }
    }
    return { results, okCount: results.filter((r) => r.ok).length, failCount: results.filter((r) => !r.ok).length };
  }

  /** Counts per child organisation × state (实时进度). */
  async progress(actor: Actor, q: { batchId?: number; orgId?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const rootId = q.orgId ?? actor.orgId;
    const root = tree.assertInScope(actor, rootId);
    const counts = await this.repos.applications.countsByOrgState(q.batchId, tree.subtreeIds(rootId));
    const empty = () => Object.fromEntries(APPLICATION_STATES.map((s) => [s, 0])) as Record<string, number>;
    const sumFor = (orgIds: number[]) => {
      const c = empty();
      let total = 0;
      for (const r of counts)
        if (orgIds.includes(r.org_id)) {
          c[r.state] = (c[r.state] ?? 0) + r.n;
          total += r.n;
        }
      return { counts: c, total };
    };
    const children = tree.children(rootId);
    const rows = (children.length ? children : [root]).map((o) => ({
      org: { id: o.id, name: o.name, kind: o.kind, parentId: o.parent_id, path: o.path },
      ...sumFor(tree.subtreeIds(o.id)),
    }));
    const totals = sumFor(tree.subtreeIds(rootId));
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
