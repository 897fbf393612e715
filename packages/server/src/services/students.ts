import {
  decideIdentityReview,
  checkStudentUpdate,
  firstBatchPriorities,
  enrolmentValidUntil,
  isEnrolmentValid,
  listExpired,
  listExpiringBefore,
  parseEducationLevel,
  parseEnrolmentTerm,
  EDUCATION_LEVEL_LABELS,
  addDays,
  chinaDate,
  type IdentityReviewState,
  type Student as CoreStudent,
  type IdentityReviewAction,
} from '@gradpass/core';
import { parseIdCard, parseXuehao, identify } from '@gradpass/ids';
import { maskIdCard } from './personal-data.js';
import { parseRoster } from '@gradpass/roster';
import { AppError, invalid, notFound, outOfScope } from '../errors.js';
import type { Insertable } from 'kysely';
import type { StudentTable } from '../db/schema.js';
import {
  newStudentRow,
  type ApplicationRow,
  type OrgRow,
  type OrgScope,
  type PhotoRow,
  type Repos,
  type StudentFilter,
  type StudentRow,
} from '../repositories/index.js';
import type { FileStore } from '../storage.js';
import {
  OrgTree,
  refusalError,
  requirePermission,
  requireRole,
  requireStaff,
  unwrapResult,
  type Actor,
} from './context.js';
import { audit, auditRow, type AuditEntry } from './audit.js';
import { NAME_CAPS, nameProblem } from './names.js';
import { photoDto, type PhotoDto } from './photo-dto.js';
import { isPhotoLocked, type ApplicationStatus } from '@gradpass/core';

/**
 * Roster rows per chunk (名册分批导入): one transaction each, a turn of the event loop between two chunks (other
 * requests are answered in between).
 */
const IMPORT_CHUNK = 250;

type RosterStudent = Awaited<ReturnType<typeof parseRoster>>['students'][number];
type ImportRowResult = { row: number; ok: boolean; xuehao?: string; code?: string; message: string };

export interface StudentDto {
  id: number;
  xuehao: string;
  /** 身份证号, always masked (370102********0040); the full number only through revealIdCard. */
  idCard: string;
  name: string;
  orgId: number;
  orgName: string;
  programme: string;
  level: string;
  enrolTerm: string;
  validUntil: string | null;
  expired: boolean;
  flags: { chsiPhotoMissing: boolean; identityDoubtful: boolean; continuing: boolean };
  identityStatus: IdentityReviewState;
  photo: PhotoDto | null;
  photoLocked: boolean;
  hasReference: boolean;
  application: { id: number; batchId: number; state: string } | null;
}

/** The student row in @gradpass/core's terms. */
export function toCoreStudent(s: StudentRow, centrePath: string, apps: ApplicationRow[] = []): CoreStudent {
  const graduated = apps.find((a) => a.state === 'graduated');
  return {
    id: String(s.id),
    xuehao: s.xuehao,
    idCard: s.id_card,
    name: s.name,
    centrePath,
    programme: s.programme,
    level: parseEducationLevel(s.level) ?? 'bachelor',
    enrolmentTerm: s.enrol_term,
    chsiPhotoMissing: !!s.chsi_photo_missing,
    identityDoubtful: !!s.identity_doubtful,
    identityReview: s.identity_status as IdentityReviewState,
    continuingToBachelor: !!s.continuing,
    status: graduated ? 'graduated' : 'enrolled',
    registrationNumber: graduated?.registration_number ?? null,
  };
}

function validity(term: string, now: Date): { validUntil: string | null; expired: boolean } {
  if (!parseEnrolmentTerm(term).ok) return { validUntil: null, expired: false };
  return { validUntil: enrolmentValidUntil(term), expired: !isEnrolmentValid(term, now) };
}

/** Longest reason accepted for revealing a full 身份证号. */
const REVEAL_REASON_MAX = 200;

/** 学籍：名册导入、查询、学信网标记、身份复核 */
export class StudentService {
  constructor(
    private readonly repos: Repos,
    private readonly files: FileStore,
    private readonly now: () => Date,
  ) {}

  async toDtos(rows: StudentRow[], tree?: OrgTree): Promise<StudentDto[]> {
    tree ??= await OrgTree.load(this.repos);
    // Three independent reads, side by side (one connection each on PostgreSQL).
    const [photoRows, apps, refRows] = await Promise.all([
      this.repos.photos.byIds(rows.map((r) => r.photo_id).filter((x): x is number => x != null)),
      this.repos.applications.forStudent(rows.map((r) => r.id)),
      this.repos.photos.referencesFor(rows.map((r) => r.id)),
    ]);
    const photos = new Map(photoRows.map((p) => [p.id, p]));
    const refs = new Set(refRows.map((r) => r.student_id));
    const latest = new Map<number, ApplicationRow>();
    const locked = new Set<number>();
    for (const a of apps) {
      latest.set(a.student_id, a);
      if (isPhotoLocked({ status: a.state as ApplicationStatus })) locked.add(a.student_id);
    }
    const now = this.now();
    return rows.map((s) => {
      const app = latest.get(s.id);
      const photo: PhotoRow | undefined = s.photo_id != null ? photos.get(s.photo_id) : undefined;
      return {
        id: s.id,
        xuehao: s.xuehao,
        idCard: maskIdCard(s.id_card),
        name: s.name,
        orgId: s.org_id,
        orgName: tree.get(s.org_id)?.name ?? '',
        programme: s.programme,
        level: s.level,
        enrolTerm: s.enrol_term,
        ...validity(s.enrol_term, now),
        flags: {
          chsiPhotoMissing: !!s.chsi_photo_missing,
          identityDoubtful: !!s.identity_doubtful,
          continuing: !!s.continuing,
        },
        identityStatus: s.identity_status as IdentityReviewState,
        photo: photo ? photoDto(photo) : null,
        hasReference: refs.has(s.id),
        photoLocked: locked.has(s.id),
        application: app ? { id: app.id, batchId: app.batch_id, state: app.state } : null,
      };
    });
  }

  /**
   * Loads a student the actor may see (student role: only self). A student outside the actor's subtree is
   * NOT_FOUND exactly like one that does not exist; `what` names the object asked for (a photo, a document…).
   */
  async visible(
    actor: Actor,
    id: number,
    what = '学生',
  ): Promise<{ student: StudentRow; centrePath: string; tree: OrgTree }> {
    const student = await this.repos.students.byId(id);
    if (!student) throw notFound(what);
    const tree = await OrgTree.load(this.repos);
    if (actor.role === 'student' && actor.studentId !== student.id) throw outOfScope(what);
    const org = tree.assertInScope(actor, student.org_id, what);
    return { student, centrePath: org.path, tree };
  }

  /**
   * The full 身份证号 on an explicit request (查看完整身份证号): only the staff of the student's own learning
   * centre, with a reason; every reveal is written to the audit log (who, when, whose, why — not the number).
   */
  async revealIdCard(actor: Actor, id: number, reason: string): Promise<{ studentId: number; idCard: string }> {
    const { student } = await this.visible(actor, id);
    if (actor.role !== 'centre_staff' || actor.orgId !== student.org_id)
      throw new AppError(403, 'NOT_PERMITTED', '只有该学生所在学习中心的工作人员可以查看完整身份证号');
    const why = reason.trim();
    if (!why) throw new AppError(400, 'REASON_REQUIRED', '查看完整身份证号须说明理由（如：核对学信网信息）');
    if (why.length > REVEAL_REASON_MAX)
      throw new AppError(400, 'REASON_TOO_LONG', `理由最多 ${REVEAL_REASON_MAX} 个字符`);
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'student',
      entityId: student.id,
      action: 'reveal_id_card',
      reason: why,
    });
    return { studentId: student.id, idCard: student.id_card };
  }

  async get(actor: Actor, id: number): Promise<StudentDto> {
    const { student, tree } = await this.visible(actor, id);
    return (await this.toDtos([student], tree))[0];
  }

  async list(
    actor: Actor,
    q: Omit<StudentFilter, 'orgIds' | 'orgPath'> & { orgId?: number; page: number; pageSize: number; cursor?: number },
  ) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const { orgId, page, pageSize, cursor, ...filter } = q;
    const { rows, total, totalExact, nextCursor } = await this.repos.students.list(
      { ...filter, ...tree.filterScope(actor, orgId) },
      { page, pageSize, cursor },
    );
    return { items: await this.toDtos(rows, tree), total, totalExact, page, pageSize, nextCursor };
  }

  async listAll(
    actor: Actor,
    q: Omit<StudentFilter, 'orgIds' | 'orgPath'> & { orgId?: number; page?: number; pageSize?: number },
  ): Promise<StudentDto[]> {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const { orgId, ...filter } = q;
    return this.toDtos(await this.repos.students.listAll({ ...filter, ...tree.filterScope(actor, orgId) }), tree);
  }

  /**
   * The enrolment terms of a scope that satisfy a rule on the term alone (学籍有效期 depends only on the term):
   * the rule runs once per distinct term, and the database returns only the students of those terms.
   */
  private async termsWhere(scope: OrgScope, keep: (terms: Array<{ enrolmentTerm: string }>) => unknown[]) {
    const terms = (await this.repos.students.distinctTerms(scope)).map((t) => ({ enrolmentTerm: t }));
    return (keep(terms) as Array<{ enrolmentTerm: string }>).map((t) => t.enrolmentTerm);
  }

  /** Students still valid today whose enrolment ends before `before` (default: 180 days from today). */
  async expiring(actor: Actor, before: string | undefined, orgId?: number): Promise<StudentDto[]> {
    requireStaff(actor);
    const now = this.now();
    const date = before ?? addDays(chinaDate(now), 180);
    const tree = await OrgTree.load(this.repos);
    const scope = tree.filterScope(actor, orgId);
    const enrolTerms = await this.termsWhere(scope, (t) => listExpiringBefore(t, date, now));
    const rows = await this.repos.students.listAll({ ...scope, enrolTerms });
    const picked = listExpiringBefore(
      rows.map((r) => ({ row: r, enrolmentTerm: r.enrol_term })),
      date,
      now,
    ).map((x) => x.row);
    return this.toDtos(picked, tree);
  }

  /**
   * Who should be in the FIRST audit window (首批优先): 专科续读 students, and those whose enrolment ends before
   * `nextBatchStart` — core's firstBatchPriorities, one page at a time. Core's rule depends on the term, the level
   * and the 续读 flag only, so it runs once per distinct term of the scope (on a 续读 专科 probe and a plain probe);
   * the database then returns one page of the students it picks (expiring first, then by 学号) and their total,
   * and core judges the page's students themselves for their reasons.
   */
  async priorities(actor: Actor, q: { nextBatchStart?: string; orgId?: number; page: number; pageSize: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const scope = tree.filterScope(actor, q.orgId);
    const now = this.now();
    const probe = (term: string, continuing: boolean): CoreStudent => ({
      id: term,
      xuehao: '',
      idCard: '',
      name: '',
      centrePath: '/',
      programme: '',
      level: continuing ? 'associate' : 'bachelor',
      enrolmentTerm: term,
      chsiPhotoMissing: false,
      identityDoubtful: false,
      identityReview: 'none',
      continuingToBachelor: continuing,
      status: 'enrolled',
    });
    const termsFor = (continuing: boolean, code: string) =>
      firstBatchPriorities(
        terms.map((t) => probe(t, continuing)),
        now,
        q.nextBatchStart,
      )
        .filter((p) => p.reasons.some((r) => r.code === code))
        .map((p) => p.student.enrolmentTerm);
    const [terms, levels] = await Promise.all([
      this.repos.students.distinctTerms(scope),
      this.repos.students.continuingLevels(scope),
    ]);
    const { rows, total, totalExact } = await this.repos.students.priorityCandidates(
      scope,
      {
        expiringTerms: termsFor(false, 'ENROLMENT_EXPIRING'),
        continuingTerms: termsFor(true, 'CONTINUING_TO_BACHELOR'),
        continuingLevels: levels.filter((l) => parseEducationLevel(l) === 'associate'),
      },
      q,
    );
    const [apps, pageDtos] = await Promise.all([
      this.repos.applications.forStudent(rows.map((r) => r.id)),
      this.toDtos(rows, tree),
    ]);
    const appsOf = new Map<number, ApplicationRow[]>();
    for (const a of apps) appsOf.set(a.student_id, [...(appsOf.get(a.student_id) ?? []), a]);
    const list = firstBatchPriorities(
      rows.map((r) => toCoreStudent(r, tree.get(r.org_id)?.path ?? '/', appsOf.get(r.id) ?? [])),
      now,
      q.nextBatchStart,
    );
    const dtos = new Map(pageDtos.map((d) => [String(d.id), d]));
    return {
      items: list.map((p) => ({ student: dtos.get(p.student.id) as StudentDto, reasons: p.reasons })),
      total,
      totalExact,
      page: q.page,
      pageSize: q.pageSize,
      nextCursor: null,
    };
  }

  /** Students already past validity (学籍清理). */
  async expired(actor: Actor, orgId?: number): Promise<StudentDto[]> {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const now = this.now();
    const scope = tree.filterScope(actor, orgId);
    const enrolTerms = await this.termsWhere(scope, (t) => listExpired(t, now));
    const rows = await this.repos.students.listAll({ ...scope, enrolTerms });
    return this.toDtos(
      listExpired(
        rows.map((r) => ({ row: r, enrolmentTerm: r.enrol_term })),
        now,
      ).map((x) => x.row),
      tree,
    );
  }

  private checkFields(input: { xuehao: string; idCard: string; name: string; level: string; enrolTerm: string }): void {
    const x = parseXuehao(input.xuehao);
    if (!x.ok) throw new AppError(422, x.code, x.message);
    const idc = parseIdCard(input.idCard, this.now());
    if (!idc.ok) throw new AppError(422, idc.problem.code, idc.problem.message);
    if (!input.name.trim()) throw new AppError(422, 'NAME_EMPTY', '姓名为空');
    const nameIssue = nameProblem(input.name, '姓名', NAME_CAPS.person);
    if (nameIssue) throw new AppError(422, 'NAME_INVALID', nameIssue);
    if (!parseEducationLevel(input.level))
      throw new AppError(422, 'LEVEL_INVALID', `层次“${input.level}”无法识别：应为本科或专科`);
    unwrapResult(parseEnrolmentTerm(input.enrolTerm));
  }

  private assertCentreWrite(actor: Actor, tree: OrgTree, orgId: number) {
    requireRole(actor, ['centre_staff', 'admin'], '维护学籍');
    const org = tree.assertInScope(actor, orgId);
    if (org.kind !== 'centre')
      throw new AppError(422, 'ORG_NOT_CENTRE', `“${org.name}”不是学习中心：学生只能属于学习中心`);
    return org;
  }

  /** The row of a new student from checked input (trimmed, 身份证号 upper-case, 层次 as its label). */
  private studentRowOf(
    input: {
      xuehao: string;
      idCard: string;
      name: string;
      orgId: number;
      programme: string;
      level: string;
      enrolTerm: string;
      continuing?: boolean;
    },
    at: string,
  ): Insertable<StudentTable> {
    return newStudentRow(
      {
        xuehao: input.xuehao.trim(),
        id_card: input.idCard.trim().toUpperCase(),
        name: input.name.trim(),
        org_id: input.orgId,
        programme: input.programme,
        level: EDUCATION_LEVEL_LABELS[parseEducationLevel(input.level) ?? 'bachelor'],
        enrol_term: input.enrolTerm,
        continuing: input.continuing ? 1 : 0,
      },
      at,
    );
  }

  /** `actor` null = seeding; `checked` = the caller already authorised (roster import), audit still names the actor. */
  async create(
    actor: Actor | null,
    input: {
      xuehao: string;
      idCard: string;
      name: string;
      orgId: number;
      programme: string;
      level: string;
      enrolTerm: string;
      continuing?: boolean;
    },
    checked = false,
  ): Promise<StudentDto> {
    const tree = await OrgTree.load(this.repos);
    if (actor && !checked) this.assertCentreWrite(actor, tree, input.orgId);
    this.checkFields(input);
    if (await this.repos.students.byXuehao(input.xuehao.trim()))
      throw new AppError(409, 'DUPLICATE_XUEHAO', `学号 ${input.xuehao} 已存在`);
    const row = await this.repos.students.insert(this.studentRowOf(input, this.now().toISOString()));
    await audit(this.repos, this.now(), actor, {
      orgId: row.org_id,
      entity: 'student',
      entityId: row.id,
      action: 'create',
      after: row,
    });
    return (await this.toDtos([row], tree))[0];
  }

  async update(
    actor: Actor,
    id: number,
    patch: { name?: string; programme?: string; level?: string; enrolTerm?: string; continuing?: boolean },
  ): Promise<StudentDto> {
    const { student, tree } = await this.visible(actor, id);
    this.assertCentreWrite(actor, tree, student.org_id);
    const next = {
      name: patch.name ?? student.name,
      programme: patch.programme ?? student.programme,
      level: patch.level ?? student.level,
      enrol_term: patch.enrolTerm ?? student.enrol_term,
      continuing: patch.continuing === undefined ? student.continuing : patch.continuing ? 1 : 0,
    };
    this.checkFields({
      xuehao: student.xuehao,
      idCard: student.id_card,
      name: next.name,
      level: next.level,
      enrolTerm: next.enrol_term,
    });
    next.level = EDUCATION_LEVEL_LABELS[parseEducationLevel(next.level) ?? 'bachelor'];
    await this.guardUpdate(student, { ...student, ...next });
    const row = await this.repos.students.update(id, { ...next, updated_at: this.now().toISOString() });
    await audit(this.repos, this.now(), actor, {
      orgId: row.org_id,
      entity: 'student',
      entityId: id,
      action: 'update',
      before: student,
      after: row,
    });
    return (await this.toDtos([row], tree))[0];
  }

  /** core's checkStudentUpdate: a graduated record keeps its status and 电子注册号. */
  private async guardUpdate(before: StudentRow, after: StudentRow): Promise<void> {
    const apps = await this.repos.applications.forStudent([before.id]);
    unwrapResult(checkStudentUpdate(toCoreStudent(before, '/', apps), toCoreStudent(after, '/', apps)));
  }

  /** Roster import (名册导入) via @gradpass/roster: per-row results; good rows load, bad rows are reported. */
  async importRoster(actor: Actor, orgId: number, fileName: string, bytes: Buffer) {
    const tree = await OrgTree.load(this.repos);
    const centre = this.assertCentreWrite(actor, tree, orgId);
    let roster;
    try {
      roster = await parseRoster(bytes, { fileName, today: this.now() });
    } catch (e) {
      const err = e as { code?: string; message?: string };
      throw new AppError(422, err.code ?? 'ROSTER_UNREADABLE', err.message ?? '名册无法读取');
    }
    const rows: Array<{ row: number; ok: boolean; xuehao?: string; code?: string; message: string }> = [];
    for (const p of roster.problems.filter((p) => p.severity === 'error'))
      rows.push({ row: p.row, ok: false, code: p.code, message: p.message });
    const warnings = new Map<number, string[]>();
    for (const p of roster.problems.filter((p) => p.severity === 'warning'))
      warnings.set(p.row, [...(warnings.get(p.row) ?? []), p.message]);
    let created = 0,
      updated = 0;
    const seen = new Set<string>();
    for (let i = 0; i < roster.students.length; i += IMPORT_CHUNK) {
      // Between chunks, give the event loop a turn: better-sqlite3 answers synchronously, so without this a
      // long import would keep every other request waiting until it ends.
      if (i) await new Promise((resolve) => setImmediate(resolve));
      const r = await this.importChunk(actor, centre, roster.students.slice(i, i + IMPORT_CHUNK), warnings, seen);
      rows.push(...r.rows);
      created += r.created;
      updated += r.updated;
    }
    rows.sort((a, b) => a.row - b.row);
    return { created, updated, failed: rows.filter((r) => !r.ok).length, rows };
  }

  /**
   * 学信网学历照片已补齐 (collection → audit): once a collection order of the student is completed (the photo was
   * uploaded to 学信网), centre or province staff confirm it and the 学信网缺学历照片 flag is cleared — without
   * waiting for the province's next flag list. Refused while no order is completed.
   */
  async confirmChsiPhoto(actor: Actor, id: number): Promise<StudentDto> {
    requireRole(actor, ['centre_staff', 'province_reviewer'], '确认学信网学历照片已补齐');
    const { student, tree } = await this.visible(actor, id);
    if (!student.chsi_photo_missing) return (await this.toDtos([student], tree))[0];
    const orders = await this.repos.collection.list({
      centreOrgIds: [student.org_id],
      collectionOrgIds: [],
      studentId: id,
    });
    if (!orders.some((o) => o.status === 'completed' || o.status === 'shipped'))
      throw new AppError(
        409,
        'CHSI_UPLOAD_NOT_DONE',
        `${student.name}尚无已上传学信网的图像采集订单；如已另行补齐，请由省开大导入最新的学信网名单`,
      );
    const after = await this.repos.students.update(id, { chsi_photo_missing: 0, updated_at: this.now().toISOString() });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'student',
      entityId: id,
      action: 'chsi_photo_confirmed',
      before: { chsiPhotoMissing: true },
      after: { chsiPhotoMissing: false },
    });
    return (await this.toDtos([after], tree))[0];
  }

  /**
   * One chunk of roster rows in one transaction (set-based): one query finds the existing 学号, one the
   * applications of those students, one statement updates the existing students, one inserts the new ones and
   * one the audit entries. A chunk commits whole, so a re-run after a failure finds the
   * committed rows and updates them.
   */
  private async importChunk(
    actor: Actor,
    centre: OrgRow,
    chunk: RosterStudent[],
    warnings: Map<number, string[]>,
    seen: Set<string>,
  ) {
    const orgId = centre.id;
    const rows: ImportRowResult[] = [];
    let updated = 0;
    const now = this.now();
    const at = now.toISOString();
    const created = await this.repos.transaction(async (tx) => {
      const existing = new Map((await tx.students.byXuehaos(chunk.map((s) => s.xuehao))).map((r) => [r.xuehao, r]));
      const ours = [...existing.values()].filter((r) => r.org_id === orgId).map((r) => r.id);
      const appsOf = new Map<number, ApplicationRow[]>();
      for (const a of await tx.applications.forStudent(ours))
        appsOf.set(a.student_id, [...(appsOf.get(a.student_id) ?? []), a]);
      const entries: AuditEntry[] = [];
      const fresh: Array<{ s: RosterStudent; row: Insertable<StudentTable>; extra?: string }> = [];
      const updates: Array<{
        before: StudentRow;
        patch: Parameters<typeof tx.students.updateRosterFields>[0][number];
      }> = [];
      for (const s of chunk) {
        const extra = warnings.get(s.row)?.join('；');
        const refuse = (code: string, message: string) =>
          rows.push({ row: s.row, ok: false, xuehao: s.xuehao, code, message: `第 ${s.row} 行：${message}` });
        if (s.centre && s.centre !== centre.name) {
          refuse('CENTRE_MISMATCH', `学习中心“${s.centre}”与导入目标“${centre.name}”不一致，未导入`);
          continue;
        }
        if (!s.idCard || !s.level || !s.enrolmentTerm) {
          const miss = [!s.idCard && '身份证号', !s.level && '层次', !s.enrolmentTerm && '入学学期']
            .filter(Boolean)
            .join('、');
          refuse('FIELD_MISSING', `缺少${miss}，未导入`);
          continue;
        }
        const term = parseEnrolmentTerm(s.enrolmentTerm);
        if (!term.ok) {
          refuse(term.refusal.code, term.refusal.message);
          continue;
        }
        if (seen.has(s.xuehao)) {
          refuse('DUPLICATE_XUEHAO', `学号 ${s.xuehao} 在名册中重复，未导入`);
          continue;
        }
        seen.add(s.xuehao);
        const ex = existing.get(s.xuehao);
        if (ex) {
          if (ex.org_id !== orgId) {
            refuse('OTHER_CENTRE', `学号 ${s.xuehao} 已属于其他学习中心，未导入`);
            continue;
          }
          const patch = {
            id_card: s.idCard,
            name: s.name,
            programme: s.programme ?? ex.programme,
            level: s.level,
            enrol_term: s.enrolmentTerm,
          };
          const apps = appsOf.get(ex.id) ?? [];
          const guard = checkStudentUpdate(toCoreStudent(ex, '/', apps), toCoreStudent({ ...ex, ...patch }, '/', apps));
          if (!guard.ok) {
            const e = refusalError(guard.refusal);
            refuse(e.code, e.message);
            continue;
          }
          updates.push({ before: ex, patch: { id: ex.id, ...patch, updated_at: at } });
          updated++;
          rows.push({
            row: s.row,
            ok: true,
            xuehao: s.xuehao,
            message: `第 ${s.row} 行：已更新 ${s.name}${extra ? `（提示：${extra}）` : ''}`,
          });
          continue;
        }
        const input = {
          xuehao: s.xuehao,
          idCard: s.idCard,
          name: s.name,
          programme: s.programme ?? '',
          level: s.level,
          enrolTerm: s.enrolmentTerm,
        };
        try {
          this.checkFields(input);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          refuse(e.code, `${e.message}，未导入`);
          continue;
        }
        fresh.push({ s, row: this.studentRowOf({ ...input, orgId }, at), extra });
      }
      const after = new Map((await tx.students.updateRosterFields(updates.map((u) => u.patch))).map((r) => [r.id, r]));
      for (const u of updates)
        entries.push({
          orgId,
          entity: 'student',
          entityId: u.before.id,
          action: 'import_update',
          before: u.before,
          after: after.get(u.before.id),
        });
      const inserted = await tx.students.insertMany(fresh.map((f) => f.row));
      inserted.forEach((row, k) => {
        const { s, extra } = fresh[k];
        entries.push({ orgId, entity: 'student', entityId: row.id, action: 'create', after: row });
        rows.push({
          row: s.row,
          ok: true,
          xuehao: s.xuehao,
          message: `第 ${s.row} 行：已导入 ${s.name}${extra ? `（提示：${extra}）` : ''}`,
        });
      });
      await tx.audit.insertMany(entries.map((e) => auditRow(now, actor, e)));
      return inserted.length;
    });
    return { rows, created, updated };
  }

  /** 学信网 flags from the province's list: each identifier is a 学号 or 身份证号. */
  async importFlags(
    actor: Actor,
    flag: 'chsi_photo_missing' | 'identity_doubtful',
    set: boolean,
    identifiers: string[],
  ) {
    requireRole(actor, ['province_reviewer', 'national_reviewer', 'admin'], '导入学信网标记');
    const tree = await OrgTree.load(this.repos);
    const label = flag === 'chsi_photo_missing' ? '学信网缺学历照片' : '学信网身份存疑';
    const out: Array<{ identifier: string; ok: boolean; studentId?: number; code?: string; message: string }> = [];
    for (const raw of identifiers) {
      const text = raw.trim();
      if (!text) continue;
      const id = identify(text);
      // The answer lists the identifier as given, a 身份证号 masked like everywhere else.
      const shown = id.kind === 'idcard' ? maskIdCard(id.value) : text;
      const matches =
        id.kind === 'xuehao'
          ? [await this.repos.students.byXuehao(id.value)].filter((x): x is StudentRow => !!x)
          : id.kind === 'idcard'
            ? await this.repos.students.byIdCard(id.value)
            : [];
      if (id.kind === 'unknown') {
        out.push({
          identifier: shown,
          ok: false,
          code: 'IDENTIFIER_INVALID',
          message: `“${shown}”既不是学号也不是身份证号`,
        });
        continue;
      }
      const inScope = matches.filter((m) => tree.scopeIds(actor).includes(m.org_id));
      if (!inScope.length) {
        // A student of another subtree is answered exactly like a number nobody has.
        out.push({
          identifier: shown,
          ok: false,
          code: 'STUDENT_NOT_FOUND',
          message: `未找到“${shown}”对应的学生（不存在或不在您的管辖范围内）`,
        });
        continue;
      }
      for (const s of inScope) {
        const after = await this.repos.students.update(s.id, {
          [flag]: set ? 1 : 0,
          updated_at: this.now().toISOString(),
        });
        await audit(this.repos, this.now(), actor, {
          orgId: s.org_id,
          entity: 'student',
          entityId: s.id,
          action: `flag_${flag}`,
          before: { [flag]: s[flag] },
          after: { [flag]: after[flag] },
        });
        out.push({
          identifier: shown,
          ok: true,
          studentId: s.id,
          message: `${s.name}（${s.xuehao}）已${set ? '标记' : '取消'}“${label}”`,
        });
      }
    }
    return { rows: out };
  }

  async identity(actor: Actor, id: number) {
    const { student } = await this.visible(actor, id);
    requireStaff(actor);
    const docs = await this.repos.students.documents(id);
    return {
      status: student.identity_status as IdentityReviewState,
      identityDoubtful: !!student.identity_doubtful,
      documents: docs.map((d) => ({
        id: d.id,
        fileName: d.file_name,
        bytes: d.bytes,
        uploadedAt: d.uploaded_at,
        uploadedBy: d.uploaded_by,
      })),
      decidedAt: student.identity_decided_at,
      decidedBy: student.identity_decided_by,
      reason: student.identity_reason,
    };
  }

  private async identityStep(actor: Actor, id: number, action: IdentityReviewAction) {
    const { student, centrePath } = await this.visible(actor, id);
    const r = unwrapResult(
      decideIdentityReview(toCoreStudent(student, centrePath), action, { actor: actor.core, at: this.now() }),
    );
    const decided = action.type === 'identity_approve' || action.type === 'identity_reject';
    const after = await this.repos.students.update(id, {
      identity_status: r.student.identityReview,
      ...(decided
        ? {
            identity_decided_by: actor.id,
            identity_decided_at: this.now().toISOString(),
            identity_reason: r.event.reason,
          }
        : {}),
      updated_at: this.now().toISOString(),
    });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'student',
      entityId: id,
      action: action.type,
      reason: r.event.reason,
      before: { identityStatus: student.identity_status },
      after: { identityStatus: after.identity_status },
    });
    return after;
  }

  /** Centre stores one document; the first one moves 身份复核 to documents_collected. */
  async addIdentityDocument(actor: Actor, id: number, fileName: string, bytes: Buffer) {
    const { student, centrePath } = await this.visible(actor, id);
    requirePermission(actor, 'identity_collect_documents', centrePath, student.id);
    if (student.identity_status === 'none' || student.identity_status === 'rejected')
      await this.identityStep(actor, id, { type: 'identity_collect_documents' });
    else if (student.identity_status !== 'documents_collected')
      throw new AppError(409, 'INVALID_TRANSITION', '身份复核已提交或已完成，不能再添加材料');
    const ext = (/\.[A-Za-z0-9]{1,6}$/.exec(fileName)?.[0] ?? '').toLowerCase();
    const { storagePath } = await this.files.put('identity', bytes, ext);
    const doc = await this.repos.students.insertDocument({
      student_id: id,
      file_name: fileName,
      storage_path: storagePath,
      bytes: bytes.length,
      uploaded_by: actor.id,
      uploaded_at: this.now().toISOString(),
    });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'student',
      entityId: id,
      action: 'identity_document',
      after: { documentId: doc.id, fileName },
    });
    return { id: doc.id, fileName: doc.file_name, bytes: doc.bytes, uploadedAt: doc.uploaded_at };
  }

  async submitIdentity(actor: Actor, id: number) {
    await this.identityStep(actor, id, { type: 'identity_submit' });
    return this.identity(actor, id);
  }

  async decideIdentity(actor: Actor, id: number, approve: boolean, reason?: string) {
    await this.identityStep(
      actor,
      id,
      approve ? { type: 'identity_approve' } : { type: 'identity_reject', reason: reason ?? '' },
    );
    return this.identity(actor, id);
  }

  async identityDocumentFile(actor: Actor, docId: number): Promise<{ fileName: string; bytes: Buffer }> {
    const doc = await this.repos.students.document(docId);
    if (!doc) throw notFound('材料');
    await this.visible(actor, doc.student_id, '材料');
    requireStaff(actor);
    return { fileName: doc.file_name, bytes: await this.files.read(doc.storage_path) };
  }

  /** Finds students by a photo file's identifier (学号 or 身份证号) inside a set of orgs. */
  async matchIdentifier(text: string, orgIds: number[]): Promise<StudentRow[]> {
    const id = identify(text);
    const rows =
      id.kind === 'xuehao'
        ? [await this.repos.students.byXuehao(id.value)].filter((x): x is StudentRow => !!x)
        : id.kind === 'idcard'
          ? await this.repos.students.byIdCard(id.value)
          : [];
    return rows.filter((r) => orgIds.includes(r.org_id));
  }
}

export { invalid };
