import path from 'node:path';
import {
  decideCollection,
  newCollectionOrder,
  maskedName,
  inPersonAdvice,
  overdueShipments,
  chsiCheckReminder,
  COLLECTION_STATUS_LABELS,
  COLLECTION_FEE_FEN,
  parentPath,
  collectionDeadlineReminders,
  type CollectionAction,
  type CollectionOrder,
  type CollectionStatus,
  type DomainWarning,
  warning,
  type FeatureCode,
} from '@gradpass/core';
import { AppError, invalid, notFound, outOfScope } from '../errors.js';
import type { CollectionOrderRow, Repos } from '../repositories/index.js';
import type { FileStore } from '../storage.js';
import { OrgTree, refusalError, requireRole, requireStaff, type Actor } from './context.js';
import { audit } from './audit.js';
import { assertPictureUpload } from './upload-guard.js';
import { toCoreStudent, type StudentService } from './students.js';

export interface CollectionOrderDto {
  id: number;
  studentId: number;
  name: string;
  xuehao: string | null;
  orgId: number;
  orgName: string;
  collectionOrgId: number;
  collectionOrgName: string;
  status: CollectionStatus;
  statusLabel: string;
  collectionCode: string | null;
  hasPhoto: boolean;
  shippingAddress: string | null;
  rejectionCount: number;
  lastRejectionReason: string | null;
  paidAmountFen: number | null;
  paidAt: string | null;
  finalPassedAt: string | null;
  completedAt: string | null;
  shippedAt: string | null;
  trackingNumber: string | null;
  paperReceivedOn: string | null;
  inPersonAdvice: string | null;
  feeFen: number;
  updatedAt: string | null;
  warnings?: DomainWarning[];
}

const parse = (r: CollectionOrderRow) => JSON.parse(r.data_json) as CollectionOrder;

/** 图像采集订单（seed 004）：学生提交采集码、特征码和照片，采集中心初审、终审、制作上传、寄出；提醒 */
export class CollectionService {
  /**
   * Collection → audit (采集结果回到审核): when an order is marked uploaded to 学信网, the collected photo becomes the
   * student's current photo (source 采集中心) and is checked; returns a note when it could not be (photo locked).
   */
  onCompleted?: (actor: Actor, studentId: number, photoPath: string) => Promise<string | null>;
  constructor(
    private readonly repos: Repos,
    private readonly files: FileStore,
    private readonly students: StudentService,
    private readonly now: () => Date,
  ) {}

  private dto(r: CollectionOrderRow, tree: OrgTree, actor: Actor, studentOrgId: number): CollectionOrderDto {
    const o = parse(r);
    return {
      id: r.id,
      studentId: r.student_id,
      name: actor.role === 'collector' ? maskedName(o) : o.name,
      xuehao: o.xuehao,
      orgId: studentOrgId,
      orgName: tree.get(studentOrgId)?.name ?? '',
      collectionOrgId: r.collection_org_id,
      collectionOrgName: tree.get(r.collection_org_id)?.name ?? '',
      status: o.status,
      statusLabel: COLLECTION_STATUS_LABELS[o.status],
      collectionCode: o.collectionCode,
      hasPhoto: !!r.photo_path,
      shippingAddress: o.shippingAddress,
      rejectionCount: o.rejectionCount,
      lastRejectionReason: o.lastRejectionReason,
      paidAmountFen: o.paidAmountFen,
      paidAt: o.paidAt,
      finalPassedAt: o.finalPassedAt,
      completedAt: o.completedAt,
      shippedAt: o.shippedAt,
      trackingNumber: o.trackingNumber,
      paperReceivedOn: o.paperReceivedOn,
      inPersonAdvice: inPersonAdvice(o),
      feeFen: COLLECTION_FEE_FEN,
      updatedAt: o.updatedAt,
    };
  }

  /** Orders the actor may see: its own (student), its subtree's students, or its collection centre's orders. */
  private async visibleRow(actor: Actor, id: number) {
    const r = await this.repos.collection.byId(id);
    if (!r) throw notFound('采集订单');
    const tree = await OrgTree.load(this.repos);
    const student = await this.repos.students.byId(r.student_id);
    if (!student) throw notFound('学生');
    const scope = new Set(tree.scopeIds(actor));
    const ok =
      actor.role === 'student'
        ? actor.studentId === r.student_id
        : scope.has(student.org_id) || scope.has(r.collection_org_id);
    if (!ok) throw outOfScope('采集订单');
    return { r, tree, student };
  }

  async list(actor: Actor, q: { status?: string }) {
    const tree = await OrgTree.load(this.repos);
    const scope = tree.scopeIds(actor);
    const rows =
      actor.role === 'student'
        ? await this.repos.collection.list({
            centreOrgIds: [actor.orgId],
            collectionOrgIds: [],
            status: q.status,
            studentId: actor.studentId ?? -1,
          })
        : await this.repos.collection.list({ centreOrgIds: scope, collectionOrgIds: scope, status: q.status });
    const students = new Map(
      (
        await this.repos.students.listAll({ orgIds: tree.orgs.map((o) => o.id), ids: rows.map((r) => r.student_id) })
      ).map((s) => [s.id, s]),
    );
    return { items: rows.map((r) => this.dto(r, tree, actor, students.get(r.student_id)?.org_id ?? 0)) };
  }

  async get(actor: Actor, id: number) {
    const { r, tree, student } = await this.visibleRow(actor, id);
    return this.dto(r, tree, actor, student.org_id);
  }

  /** A new order for a student (the student or the centre opens it), handled by a collection centre. */
  async create(actor: Actor, studentId: number, collectionOrgId: number): Promise<CollectionOrderDto> {
    const { student, centrePath, tree } = await this.students.visible(actor, studentId);
    requireRole(actor, ['student', 'centre_staff'], '创建采集订单');
    const cc = tree.get(collectionOrgId);
    if (!cc || cc.kind !== 'collection_centre') throw invalid('请选择图像采集中心', 'ORG_NOT_COLLECTION_CENTRE');
    const order = newCollectionOrder({
      id: '0',
      student: {
        id: String(student.id),
        xuehao: student.xuehao,
        idCard: student.id_card,
        name: student.name,
        centrePath,
      },
      collectionCentrePath: cc.path,
    });
    const at = this.now().toISOString();
    const row = await this.repos.collection.insert({
      student_id: student.id,
      collection_org_id: cc.id,
      status: order.status,
      version: 0,
      photo_path: null,
      data_json: JSON.stringify(order),
      created_at: at,
      updated_at: at,
    });
    const withId = { ...order, id: String(row.id) };
    const saved = await this.repos.collection.update(row.id, 0, { data_json: JSON.stringify(withId) });
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'collection_order',
      entityId: row.id,
      action: 'create',
      after: { collectionOrgId: cc.id },
    });
    return this.dto(saved ?? row, tree, actor, student.org_id);
  }

  /** The student's own photo for the order (stored; referenced when submitting). */
  async uploadPhoto(actor: Actor, id: number, fileName: string, bytes: Buffer) {
    const { r, tree, student } = await this.visibleRow(actor, id);
    requireRole(actor, ['student', 'centre_staff'], '上传采集照片');
    const o = parse(r);
    if (o.status !== 'created' && o.status !== 'rejected')
      throw new AppError(
        409,
        'INVALID_TRANSITION',
        `采集订单状态为“${COLLECTION_STATUS_LABELS[o.status]}”，不能更换照片`,
      );
    assertPictureUpload(bytes, fileName);
    const { storagePath } = await this.files.put('photos', bytes, path.extname(fileName).toLowerCase() || '.jpg');
    const saved = await this.repos.collection.update(r.id, r.version, {
      photo_path: storagePath,
      version: r.version + 1,
      data_json: JSON.stringify({ ...o, version: r.version + 1 }),
    });
    if (!saved) throw new AppError(409, 'CONCURRENT_CHANGE', '该订单刚被他人处理，请刷新后重试');
    await audit(this.repos, this.now(), actor, {
      orgId: student.org_id,
      entity: 'collection_order',
      entityId: r.id,
      action: 'photo_upload',
      after: { fileName, bytes: bytes.length },
    });
    return this.dto(saved, tree, actor, student.org_id);
  }

  async photoFile(actor: Actor, id: number): Promise<Buffer> {
    const { r } = await this.visibleRow(actor, id);
    if (!r.photo_path) throw new AppError(404, 'NO_PHOTO', '该采集订单尚未上传照片');
    return this.files.read(r.photo_path);
  }

  /** One step; core's decideCollection judges (feature codes from the database). */
  async act(actor: Actor, id: number, action: CollectionAction): Promise<CollectionOrderDto> {
    const { r, tree, student } = await this.visibleRow(actor, id);
    const o = parse(r);
    if (action.type === 'collection_submit') action = { ...action, photoId: r.photo_path ? String(r.id) : null };
    const codes: FeatureCode[] = (await this.repos.collection.allFeatureCodes()).map((c) => ({
      code: c.code,
      year: c.year,
      collectionCentrePath: tree.get(c.collection_org_id)?.path ?? null,
    }));
    const d = decideCollection({ ...o, id: String(r.id), version: r.version }, action, {
      at: this.now(),
      actor: actor.core,
      featureCodes: codes,
    });
    if (!d.ok) throw refusalError(d.refusal);
    const n = d.value.order;
    const saved = await this.repos.collection.update(r.id, r.version, {
      status: n.status,
      version: n.version,
      data_json: JSON.stringify(n),
      updated_at: n.updatedAt ?? this.now().toISOString(),
    });
    if (!saved) throw new AppError(409, 'CONCURRENT_CHANGE', '该订单刚被他人处理，请刷新后重试');
    const warnings = [...d.value.warnings];
    if (n.status === 'completed' && o.status !== 'completed' && saved.photo_path && this.onCompleted) {
      const note = await this.onCompleted(actor, student.id, saved.photo_path);
      if (note) warnings.push(warning('COLLECTION_PHOTO_NOT_ADOPTED', note));
    }
    for (const ev of d.value.events) {
      await audit(this.repos, this.now(), actor, {
        orgId: student.org_id,
        entity: 'collection_order',
        entityId: r.id,
        action: ev.action,
        reason: ev.reason,
        before: { status: ev.from },
        after: { status: ev.to },
      });
    }
    return { ...this.dto(saved, tree, actor, student.org_id), warnings };
  }

  /** Feature codes of the collection centres in the actor's subtree or hanging above it (staff only). */
  async featureCodes(actor: Actor) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const scope = new Set(tree.scopeIds(actor));
    const ids = tree.orgs
      .filter(
        (o) =>
          o.kind === 'collection_centre' && (scope.has(o.id) || actor.orgPath.startsWith(parentPath(o.path) ?? '/')),
      )
      .map((o) => o.id);
    return {
      items: (await this.repos.collection.featureCodes(ids)).map((c) => ({
        id: c.id,
        collectionOrgId: c.collection_org_id,
        code: c.code,
        year: c.year,
      })),
    };
  }

  /** The collection centre sets the year's 特征码 (e.g. yknmcm, 2025 年有效). */
  async addFeatureCode(actor: Actor, code: string, year: number) {
    requireRole(actor, ['collector'], '设置特征码');
    if (!/^[A-Za-z0-9]{4,16}$/.test(code.trim())) throw invalid('特征码应为 4–16 位字母或数字', 'FEATURE_CODE_FORMAT');
    const row = await this.repos.collection.insertFeatureCode({
      collection_org_id: actor.orgId,
      code: code.trim(),
      year,
      created_at: this.now().toISOString(),
    });
    await audit(this.repos, this.now(), actor, {
      orgId: actor.orgId,
      entity: 'feature_code',
      entityId: row.id,
      action: 'create',
      after: { code: row.code, year },
    });
    return { id: row.id, collectionOrgId: row.collection_org_id, code: row.code, year: row.year };
  }

  /** Reminders (提醒): paper copies overdue (7 working days), students to check 学信网 (20 working days). */
  async reminders(actor: Actor) {
    const { items } = await this.list(actor, {});
    const tree = await OrgTree.load(this.repos);
    const scope = tree.scopeIds(actor);
    const rows = await this.repos.collection.list(
      actor.role === 'student'
        ? { centreOrgIds: [actor.orgId], collectionOrgIds: [], studentId: actor.studentId ?? -1 }
        : { centreOrgIds: scope, collectionOrgIds: scope },
    );
    const orders = rows.map(parse);
    const now = this.now();
    // per-centre collection deadline reminders for every batch with a 采集截止日期 (staff only)
    const deadlines = [];
    if (actor.role !== 'student') {
      const students = await this.repos.students.listAll({ orgIds: scope, flag: 'chsi_photo_missing' });
      const apps = await this.repos.applications.forStudent(students.map((x) => x.id));
      const core = students.map((st) =>
        toCoreStudent(
          st,
          tree.get(st.org_id)?.path ?? '/',
          apps.filter((a) => a.student_id === st.id),
        ),
      );
      for (const b of await this.repos.batches.all()) {
        if (!b.collection_deadline) continue;
        for (const r of collectionDeadlineReminders({
          students: core,
          orders,
          deadline: b.collection_deadline,
          at: now,
        })) {
          const org = tree.orgs.find((o) => o.path === r.centrePath);
          deadlines.push({
            batchId: b.id,
            batchName: b.name,
            orgId: org?.id ?? 0,
            orgName: org?.name ?? '',
            deadline: r.deadline,
            daysLeft: r.daysLeft,
            overdue: r.overdue,
            pendingStudentIds: r.pendingStudentIds.map(Number),
            message: r.message,
          });
        }
      }
    }
    return {
      deadlines,
      overdueShipments: overdueShipments(orders, now).map((x) => ({
        orderId: Number(x.order.id),
        name: maskedName(x.order),
        dueOn: x.dueOn,
        workingDaysOverdue: x.workingDaysOverdue,
      })),
      chsiChecks: orders
        .map((o) => ({ o, r: chsiCheckReminder(o, now) }))
        .filter((x) => x.r)
        .map((x) => ({ orderId: Number(x.o.id), ...x.r! })),
      open: items.filter((i) => i.status !== 'shipped').length,
    };
  }
}
