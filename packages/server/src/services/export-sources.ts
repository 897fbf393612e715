/**
 * What each export contains (导出内容): the columns of every XLSX report and the pages of rows it is written
 * from, read through the same services as the lists (so the same scope and masking apply: 身份证号 masked). One
 * definition for the streamed download (routes/reports.ts) and the background export job (export-jobs.ts).
 */
import {
  APPLICATION_STATUS_LABELS,
  AUDIT_ACTION_LABELS,
  AUDIT_ENTITY_LABELS,
  IDENTITY_REVIEW_LABELS,
  addDays,
  auditChangeText,
  auditObjectName,
  chinaDate,
  chinaDateTime,
  listExpired,
  listExpiringBefore,
  type ApplicationStatus,
  type CertificateStatus,
  type IdentityReviewState,
} from '@gradpass/core';
import type { Repos } from '../repositories/index.js';
import type { StudentDto, StudentService } from './students.js';
import type { ApplicationDto, ApplicationService } from './applications.js';
import type { CertificateDto, CertificateService } from './certificates.js';
import type { AuditService } from './audit-read.js';
import { EXPORT_PAGE_SIZE, type Column } from './reports.js';
import { OrgTree, requireStaff, type Actor } from './context.js';
import { assertIdCardExport } from './id-card-export.js';

/** At most this many audit entries in one export (the newest). */
export const AUDIT_EXPORT_MAX = 5000;

/** Times in exports as people read them: Beijing time, `2026-12-01 14:38` (stored as UTC ISO instants). */
const localTime = (t: string | null | undefined) => (t ? chinaDateTime(new Date(t)) : '');

export const STUDENT_COLUMNS: Column<StudentDto>[] = [
  { header: '学号', width: 16, value: (s) => s.xuehao },
  { header: '姓名', value: (s) => s.name },
  { header: '身份证号', width: 22, value: (s) => s.idCard },
  { header: '学习中心', width: 24, value: (s) => s.orgName },
  { header: '专业', width: 20, value: (s) => s.programme },
  { header: '层次', value: (s) => s.level },
  { header: '入学学期', value: (s) => s.enrolTerm },
  { header: '学籍有效期至', width: 14, value: (s) => s.validUntil },
  { header: '学籍已过期', value: (s) => s.expired },
  { header: '学信网缺学历照片', value: (s) => s.flags.chsiPhotoMissing },
  { header: '学信网身份存疑', value: (s) => s.flags.identityDoubtful },
  {
    header: '身份复核',
    value: (s) => IDENTITY_REVIEW_LABELS[s.identityStatus as IdentityReviewState] ?? s.identityStatus,
  },
  { header: '专科续读', value: (s) => s.flags.continuing },
  { header: '照片检测结果', value: (s) => PHOTO_STATUS_LABELS[s.photo?.status ?? 'none'] },
  { header: '照片来源', value: (s) => (s.photo ? PHOTO_SOURCE_LABELS[s.photo.source] : '') },
  {
    header: '申请状态',
    width: 18,
    value: (s) => (s.application ? APPLICATION_STATUS_LABELS[s.application.state as ApplicationStatus] : ''),
  },
];
export const APPLICATION_COLUMNS: Column<ApplicationDto>[] = [
  { header: '学号', width: 16, value: (a) => a.xuehao },
  { header: '姓名', value: (a) => a.studentName },
  { header: '学习中心', width: 24, value: (a) => a.orgName },
  { header: '批次', width: 16, value: (a) => a.batchName },
  { header: '申请状态', width: 18, value: (a) => a.stateLabel },
  { header: '申请学位', value: (a) => a.degreeRequested },
  { header: '签署申请表时间', width: 22, value: (a) => localTime(a.signedAt) },
  { header: '电子注册号', width: 20, value: (a) => a.registrationNumber },
  { header: '退回/不通过理由', width: 30, value: (a) => a.lastReason },
  { header: '提交次数', value: (a) => a.submissionCount },
  { header: '更新时间', width: 22, value: (a) => localTime(a.updatedAt) },
];
export const CERTIFICATE_COLUMNS: Column<CertificateDto>[] = [
  { header: '学号', width: 16, value: (c) => c.xuehao },
  { header: '姓名', value: (c) => c.studentName },
  { header: '学习中心', width: 24, value: (c) => c.orgName },
  { header: '电子注册号', width: 20, value: (c) => c.registrationNumber },
  { header: '证书状态', width: 18, value: (c) => c.stateLabel },
  { header: '交来单位/人员', width: 18, value: (c) => c.receivedFrom },
  { header: '到达时间', width: 22, value: (c) => localTime(c.arrivedAt) },
  { header: '领取人', value: (c) => c.handover?.name },
  {
    header: '领取方式',
    value: (c) => (c.handover ? (c.handover.recipient === 'student' ? '本人领取' : '委托领取') : ''),
  },
  { header: '发放时间', width: 22, value: (c) => localTime(c.handedAt) },
  { header: '学生确认时间', width: 22, value: (c) => localTime(c.confirmedAt) },
  { header: '反馈问题', width: 30, value: (c) => c.problem?.description },
];
export const PHOTO_STATUS_LABELS: Record<string, string> = {
  none: '无照片',
  pending: '待检测',
  checking: '检测中',
  pass: '合格',
  fail: '不合格',
  review: '待人工复核',
  error: '无法读取',
};
export const PHOTO_SOURCE_LABELS: Record<string, string> = {
  collection: '采集中心',
  student: '学生自备',
  centre: '学习中心',
};

/** The kinds of export (导出类别); the photo zip is `photos`, the rest are XLSX reports. */
export const EXPORT_KINDS = [
  'students',
  'applications',
  'certificates',
  'certificates-pending',
  'expiring',
  'expired',
  'audit',
  'photos',
] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

/** The Chinese name of each export: the file name (without extension) and how lists and the audit log call it. */
export const EXPORT_LABELS: Record<ExportKind, string> = {
  students: '学生名单',
  applications: '毕业申请',
  certificates: '毕业证书',
  'certificates-pending': '未发放证书',
  expiring: '学籍即将到期学生',
  expired: '学籍清理名单',
  audit: '审计日志',
  photos: '毕业照片',
};
const SHEET_NAMES: Record<Exclude<ExportKind, 'photos'>, string> = {
  students: '学生名单',
  applications: '毕业申请',
  certificates: '毕业证书',
  'certificates-pending': '未发放证书',
  expiring: '学籍即将到期',
  expired: '学籍清理',
  audit: '审计日志',
};

/** The filters of an export, as the query string of its download route (page / pageSize / cursor ignored). */
export type ExportParams = Record<string, string | number | undefined>;

/** One XLSX export ready to be written: its columns and its rows a page at a time. */
export interface XlsxExport {
  kind: Exclude<ExportKind, 'photos'>;
  fileName: string;
  sheetName: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: Column<any>[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pages: AsyncGenerator<any[]>;
  /** Rows expected, known once the first page was read (null before; a lower bound when the count was capped). */
  estimate(): number | null;
}

type Paged<T> = { items: T[]; nextCursor: number | null; total?: number };

/** Keyset pages that remember the first page's total (the estimate of a background export's progress). */
function countedPages<T>(fetch: (cursor: number | undefined) => Promise<Paged<T>>, cap?: number) {
  let total: number | null = null;
  async function* pages(): AsyncGenerator<T[]> {
    let cursor: number | undefined;
    for (;;) {
      const r = await fetch(cursor);
      if (total === null) total = cap === undefined ? (r.total ?? null) : Math.min(cap, r.total ?? cap);
      if (r.items.length) yield r.items;
      if (r.nextCursor == null) return;
      cursor = r.nextCursor;
    }
  }
  return { pages: pages(), estimate: () => total };
}

/** 导出内容：每种报表的列与数据来源（下载与后台导出共用） */
export class ExportSources {
  constructor(
    private readonly repos: Repos,
    private readonly services: {
      students: StudentService;
      applications: () => ApplicationService;
      certificates: CertificateService;
      audit: AuditService;
    },
    private readonly now: () => Date,
  ) {}

  /** The students of the enrolment terms that satisfy a rule on the term (学籍有效期 depends only on the term). */
  private async termsWhere(
    actor: Actor,
    orgId: number | undefined,
    keep: (terms: Array<{ enrolmentTerm: string }>) => unknown[],
  ): Promise<string[]> {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const terms = await this.repos.students.distinctTerms(tree.filterScope(actor, orgId));
    return (keep(terms.map((t) => ({ enrolmentTerm: t }))) as Array<{ enrolmentTerm: string }>).map(
      (t) => t.enrolmentTerm,
    );
  }

  /**
   * Checks that `actor` may make this export at all (staff, organisation in scope, 身份证号 naming only for a
   * centre) — the refusal a background export gives at once, before a job is queued.
   */
  async assertAllowed(actor: Actor, kind: ExportKind, params: ExportParams): Promise<void> {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const orgId = typeof params.orgId === 'number' ? params.orgId : undefined;
    if (orgId !== undefined) tree.assertInScope(actor, orgId);
    if (kind === 'photos' && params.naming === 'idcard') assertIdCardExport(actor);
  }

  /** How many students a photo export covers (its progress total). */
  async photoEstimate(actor: Actor, params: ExportParams): Promise<number> {
    const tree = await OrgTree.load(this.repos);
    const orgId = typeof params.orgId === 'number' ? params.orgId : undefined;
    const batchId = typeof params.batchId === 'number' ? params.batchId : undefined;
    const r = await this.repos.students.list({ ...tree.filterScope(actor, orgId), batchId }, { page: 1, pageSize: 1 });
    return r.total;
  }

  /** The XLSX export of `kind` for `actor` with these filters (refusals surface when the first page is read). */
  async xlsx(actor: Actor, kind: Exclude<ExportKind, 'photos'>, params: ExportParams): Promise<XlsxExport> {
    const { page: _p, pageSize: _s, cursor: _c, ...q } = params;
    const s = this.services;
    const page = { page: 1, pageSize: EXPORT_PAGE_SIZE };
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const studentPages = (f: any) => countedPages((cursor) => s.students.list(actor, { ...f, ...page, cursor }));
    const base = { kind, fileName: EXPORT_LABELS[kind], sheetName: SHEET_NAMES[kind] };
    switch (kind) {
      case 'students':
        return { ...base, columns: STUDENT_COLUMNS, ...studentPages(q) };
      case 'applications': {
        requireStaff(actor);
        const p = countedPages((cursor) => s.applications().list(actor, { ...q, ...page, cursor } as never));
        return { ...base, columns: APPLICATION_COLUMNS, ...p };
      }
      case 'certificates': {
        requireStaff(actor);
        const p = countedPages((cursor) => s.certificates.list(actor, { ...q, ...page, cursor } as never));
        return { ...base, columns: CERTIFICATE_COLUMNS, ...p };
      }
      case 'certificates-pending': {
        requireStaff(actor);
        const notHandedOut = new Set<string>(['pending', 'arrived'] satisfies CertificateStatus[]);
        const f = { batchId: num(q.batchId), orgId: num(q.orgId) };
        const p = countedPages(async (cursor) => {
          const r = await s.certificates.list(actor, { ...f, ...page, cursor });
          return { ...r, items: r.items.filter((c) => notHandedOut.has(c.state)) };
        });
        return { ...base, columns: CERTIFICATE_COLUMNS, ...p };
      }
      case 'expiring': {
        const now = this.now();
        const date = text(q.before) ?? addDays(chinaDate(now), 180);
        const orgId = num(q.orgId);
        const enrolTerms = await this.termsWhere(actor, orgId, (t) => listExpiringBefore(t, date, now));
        return { ...base, columns: STUDENT_COLUMNS, ...studentPages({ orgId, enrolTerms }) };
      }
      case 'expired': {
        const orgId = num(q.orgId);
        const enrolTerms = await this.termsWhere(actor, orgId, (t) => listExpired(t, this.now()));
        return { ...base, columns: STUDENT_COLUMNS, ...studentPages({ orgId, enrolTerms }) };
      }
      case 'audit': {
        const f = { entity: text(q.entity), entityId: num(q.entityId), orgId: num(q.orgId) };
        type A = Awaited<ReturnType<AuditService['list']>>['items'][number];
        const cols: Column<A>[] = [
          { header: '时间', width: 18, value: (a) => localTime(a.at) },
          { header: '操作人', width: 20, value: (a) => a.actorName },
          { header: '对象', value: (a) => AUDIT_ENTITY_LABELS[a.entity] ?? a.entity },
          {
            header: '对象名称',
            width: 24,
            value: (a) => auditObjectName(a.before, a.after) ?? `编号 ${a.entityId}`,
          },
          { header: '操作', width: 22, value: (a) => AUDIT_ACTION_LABELS[a.action] ?? a.action },
          { header: '理由', width: 30, value: (a) => a.reason },
          { header: '修改内容', width: 60, value: (a) => auditChangeText(a.before, a.after) },
        ];
        // The newest entries first, a page at a time (masked by the audit service like the list).
        let total: number | null = null;
        const audit = s.audit;
        async function* pages(): AsyncGenerator<A[]> {
          for (let n = 1; n <= AUDIT_EXPORT_MAX / EXPORT_PAGE_SIZE; n++) {
            const r = await audit.list(actor, { ...f, page: n, pageSize: EXPORT_PAGE_SIZE });
            if (total === null) total = Math.min(AUDIT_EXPORT_MAX, r.total);
            if (r.items.length) yield r.items;
            if (r.items.length < EXPORT_PAGE_SIZE) return;
          }
        }
        return { ...base, columns: cols, pages: pages(), estimate: () => total };
      }
    }
  }
}
