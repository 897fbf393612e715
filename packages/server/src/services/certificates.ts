import {
  decideCertificate,
  newCertificate,
  notHandedOverByCentre,
  CERTIFICATE_STATUS_LABELS,
  type Certificate,
  type CertificateAction,
  type CertificateStatus,
  type Handover,
  type CertificateProblem,
} from '@gradpass/core';
import { AppError, invalid, notFound, outOfScope } from '../errors.js';
import type { CertificateFilter, CertificateJoined, Repos } from '../repositories/index.js';
import type { EventBus } from '../events.js';
import { OrgTree, refusalError, requirePermission, requireStaff, type Actor } from './context.js';
import { maskIdCard } from './personal-data.js';
import { audit } from './audit.js';

export interface CertificateDto {
  id: number;
  studentId: number;
  studentName: string;
  xuehao: string;
  orgId: number;
  orgName: string;
  applicationId: number;
  batchId: number;
  registrationNumber: string | null;
  state: CertificateStatus;
  stateLabel: string;
  receivedFrom: string | null;
  arrivedAt: string | null;
  handover: Handover | null;
  handedAt: string | null;
  confirmedAt: string | null;
  problem: CertificateProblem | null;
}

function toCore(c: CertificateJoined, centrePath: string): Certificate {
  return {
    id: String(c.id),
    studentId: String(c.student_id),
    batchId: String(c.batch_id),
    centrePath,
    registrationNumber: c.registration_number,
    status: c.state as CertificateStatus,
    receivedFrom: c.received_from,
    arrivedAt: c.arrived_at,
    handover: c.handover_json ? (JSON.parse(c.handover_json) as Handover) : null,
    confirmedAt: c.confirmed_at,
    problem: c.problem_json ? (JSON.parse(c.problem_json) as CertificateProblem) : null,
    version: c.version,
    updatedAt: c.updated_at,
  };
}

/** 毕业证书：到达保管、发放、学生确认或反馈问题、未发放统计 */
export class CertificateService {
  constructor(
    private readonly repos: Repos,
    private readonly events: EventBus,
    private readonly now: () => Date,
  ) {}

  private dto(c: CertificateJoined, tree: OrgTree): CertificateDto {
    const core = toCore(c, tree.get(c.org_id)?.path ?? '/');
    return {
      id: c.id,
      studentId: c.student_id,
      studentName: c.student_name,
      xuehao: c.xuehao,
      orgId: c.org_id,
      orgName: tree.get(c.org_id)?.name ?? '',
      applicationId: c.application_id,
      batchId: c.batch_id,
      registrationNumber: c.registration_number,
      state: core.status,
      stateLabel: CERTIFICATE_STATUS_LABELS[core.status],
      receivedFrom: core.receivedFrom,
      arrivedAt: core.arrivedAt,
      // The recipient's 身份证号 was compared at hand-over; it is never shown again in full.
      handover: core.handover ? { ...core.handover, idCard: maskIdCard(core.handover.idCard) } : null,
      handedAt: c.handed_at,
      confirmedAt: core.confirmedAt,
      problem: core.problem,
    };
  }

  /** The certificate record of a graduated application; inside the approval's transaction when `tx` is given. */
  async ensureFor(applicationId: number, studentId: number, tx: Repos = this.repos): Promise<void> {
    if (await tx.certificates.byApplication(applicationId)) return;
    await tx.certificates.insert(pendingCertificateRow(applicationId, studentId, this.now().toISOString()));
  }

  /** {@link ensureFor} for many graduated applications at once (a bulk final approval): two statements. */
  async ensureForMany(
    items: Array<{ applicationId: number; studentId: number }>,
    tx: Repos = this.repos,
  ): Promise<void> {
    if (!items.length) return;
    const have = new Set(await tx.certificates.applicationsWithCertificate(items.map((i) => i.applicationId)));
    const at = this.now().toISOString();
    const rows = items
      .filter((i) => !have.has(i.applicationId))
      .map((i) => pendingCertificateRow(i.applicationId, i.studentId, at));
    await tx.certificates.insertMany(rows);
  }

  async list(
    actor: Actor,
    q: Omit<CertificateFilter, 'orgIds' | 'orgPath'> & {
      orgId?: number;
      page: number;
      pageSize: number;
      cursor?: number;
    },
  ) {
    const tree = await OrgTree.load(this.repos);
    const { orgId, page, pageSize, cursor, ...filter } = q;
    const f: CertificateFilter =
      actor.role === 'student'
        ? { ...filter, orgIds: [actor.orgId], studentId: actor.studentId ?? -1 }
        : { ...filter, ...tree.filterScope(actor, orgId) };
    const { rows, total, totalExact, nextCursor } = await this.repos.certificates.list(f, { page, pageSize, cursor });
    return { items: rows.map((r) => this.dto(r, tree)), total, totalExact, page, pageSize, nextCursor };
  }

  async listAll(actor: Actor, q: Omit<CertificateFilter, 'orgIds' | 'orgPath'> & { orgId?: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const { orgId, ...filter } = q;
    return (await this.repos.certificates.listAll({ ...filter, ...tree.filterScope(actor, orgId) })).map((r) =>
      this.dto(r, tree),
    );
  }

  private async load(actor: Actor, id: number) {
    const c = await this.repos.certificates.byId(id);
    if (!c) throw notFound('证书');
    const tree = await OrgTree.load(this.repos);
    if (actor.role === 'student' && actor.studentId !== c.student_id) throw outOfScope('证书');
    const org = tree.assertInScope(actor, c.org_id, '证书');
    return { c, tree, centrePath: org.path };
  }

  /**
   * The hand-over identity check (领取人身份核验) without showing the number: the clerk types the number on the
   * card in hand and the server answers whether it is the student's own. Same permission as the hand-over.
   */
  async verifyIdCard(actor: Actor, id: number, idCard: string): Promise<{ match: boolean; message: string }> {
    const { c, centrePath } = await this.load(actor, id);
    requirePermission(actor, 'certificate_hand_over', centrePath, c.student_id);
    const student = await this.repos.students.byId(c.student_id);
    if (!student) throw notFound('证书');
    const typed = idCard.trim().toUpperCase();
    const match = typed.length > 0 && typed === student.id_card.trim().toUpperCase();
    return {
      match,
      message: match
        ? `与${student.name}本人的身份证号一致`
        : `与${student.name}本人的身份证号不一致：本人领取须出示本人身份证，他人代领请选择“委托他人领取”`,
    };
  }

  async get(actor: Actor, id: number) {
    const { c, tree } = await this.load(actor, id);
    return this.dto(c, tree);
  }

  /** One custody step; core's decideCertificate judges. */
  async act(actor: Actor, id: number, action: CertificateAction): Promise<CertificateDto> {
    const { c, tree, centrePath } = await this.load(actor, id);
    const student = await this.repos.students.byId(c.student_id);
    if (!student) throw notFound('学生');
    const r = decideCertificate(toCore(c, centrePath), action, {
      at: this.now(),
      actor: actor.core,
      student: { id: String(student.id), name: student.name, idCard: student.id_card },
    });
    if (!r.ok) throw refusalError(r.refusal);
    const n = r.value.certificate;
    const updated = await this.repos.certificates.update(c.id, c.version, {
      state: n.status,
      received_from: n.receivedFrom,
      arrived_at: n.arrivedAt,
      handed_at: n.handover?.at ?? null,
      handover_json: n.handover ? JSON.stringify(n.handover) : null,
      confirmed_at: n.confirmedAt,
      problem_json: n.problem ? JSON.stringify(n.problem) : null,
      version: n.version,
      updated_at: n.updatedAt ?? this.now().toISOString(),
    });
    if (!updated) throw new AppError(409, 'CONCURRENT_CHANGE', '该证书刚被他人处理，请刷新后重试');
    for (const ev of r.value.events) {
      await audit(this.repos, this.now(), actor, {
        orgId: c.org_id,
        entity: 'certificate',
        entityId: c.id,
        action: ev.action,
        reason: ev.reason,
        before: { state: ev.from },
        after: { state: ev.to, handover: n.handover, problem: n.problem },
      });
    }
    this.events.publish({
      type: 'certificate',
      orgPath: centrePath,
      data: { id: c.id, studentId: c.student_id, state: n.status, orgId: c.org_id },
    });
    return this.dto((await this.repos.certificates.byId(c.id)) as CertificateJoined, tree);
  }

  /** Arrival of many certificates at once, by application id; per-item results. */
  async arrive(actor: Actor, applicationIds: number[], receivedFrom: string) {
    if (!applicationIds.length) throw invalid('请至少选择一个申请');
    const results: Array<{
      applicationId: number;
      ok: boolean;
      certificateId?: number;
      code?: string;
      message?: string;
    }> = [];
    const tree = await OrgTree.load(this.repos);
    for (const applicationId of applicationIds) {
      try {
        // Scope first: an application of another subtree is answered like one that does not exist.
        const app = await this.repos.applications.byId(applicationId);
        if (!app || (actor.role === 'student' && actor.studentId !== app.student_id)) throw notFound('毕业申请');
        tree.assertInScope(actor, app.org_id, '毕业申请');
        const cert = await this.repos.certificates.byApplication(applicationId);
        if (!cert) {
          throw new AppError(
            409,
            'NOT_GRADUATED',
            `${app.student_name}（${app.xuehao}）尚未通过国开终审，没有毕业证书`,
          );
        }
        const d = await this.act(actor, cert.id, { type: 'certificate_record_arrival', receivedFrom });
        results.push({ applicationId, ok: true, certificateId: d.id, message: `${d.studentName}：${d.stateLabel}` });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        results.push({ applicationId, ok: false, code: e.code, message: e.message });
      }
    }
    return { results, okCount: results.filter((r) => r.ok).length, failCount: results.filter((r) => !r.ok).length };
  }

  /** Per-centre counts of certificates not yet handed over (core's notHandedOverByCentre). */
  async pendingByCentre(actor: Actor, batchId?: number) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const rows = await this.repos.certificates.listAll({ ...tree.filterScope(actor), batchId });
    const summary = notHandedOverByCentre(
      rows.map((r) => toCore(r, tree.get(r.org_id)?.path ?? '/')),
      { withinPath: actor.orgPath },
    );
    const byPath = new Map(tree.orgs.map((o) => [o.path, o]));
    return {
      rows: summary.map((s) => {
        const o = byPath.get(s.centrePath);
        return { org: o ? { id: o.id, name: o.name, kind: o.kind, parentId: o.parent_id, path: o.path } : null, ...s };
      }),
    };
  }
}

/** The row of a new, pending certificate (证书，待到达) of a graduated application: core's initial state. */
function pendingCertificateRow(applicationId: number, studentId: number, at: string) {
  const c = newCertificate({ id: '0', studentId: String(studentId), batchId: '0', centrePath: '/' });
  return {
    application_id: applicationId,
    student_id: studentId,
    state: c.status,
    received_from: c.receivedFrom,
    arrived_at: c.arrivedAt,
    handed_at: null,
    handover_json: null,
    confirmed_at: c.confirmedAt,
    problem_json: null,
    version: c.version,
    created_at: at,
    updated_at: at,
  };
}
