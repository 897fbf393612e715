import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  APPLICATION_STATUS_LABELS,
  IDENTITY_REVIEW_LABELS,
  addDays,
  chinaDate,
  chinaDateTime,
  listExpired,
  listExpiringBefore,
  type ApplicationStatus,
  type CertificateStatus,
  type IdentityReviewState,
} from '@gradpass/core';
import type { StudentDto } from '../services/students.js';
import type { ApplicationDto } from '../services/applications.js';
import type { CertificateDto } from '../services/certificates.js';
import { EXPORT_PAGE_SIZE, keysetPages, writeXlsxStream, type Column } from '../services/reports.js';
import { OrgTree, requireStaff, type Actor } from '../services/context.js';
import { errors, binary, str, int } from './schemas.js';
import { XLSX, actorOf, tag } from './common.js';
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS, auditChangeText, auditObjectName } from '@gradpass/core';
import {
  studentQuery,
  applicationQuery,
  certificateQuery,
  type StudentQuery,
  type ApplicationQuery,
  type CertificateQuery,
} from './queries.js';

/** Times in exports as people read them: Beijing time, `2026-12-01 14:38` (stored as UTC ISO instants). */
/** At most this many audit entries in one export (the newest). */
const AUDIT_EXPORT_MAX = 5000;

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

/** Sends an XLSX written row by row from `pages` (see writeXlsxStream); the first page is read before the headers. */
async function sendXlsxStream<T>(
  app: FastifyInstance,
  reply: FastifyReply,
  fileName: string,
  sheetName: string,
  columns: Column<T>[],
  pages: AsyncGenerator<T[]>,
) {
  // Refusals (not staff, organisation out of scope…) surface here as a proper status, before any byte is sent.
  const first = await pages.next();
  async function* all(): AsyncGenerator<T[]> {
    if (!first.done) yield first.value;
    yield* pages;
  }
  const out = new PassThrough();
  writeXlsxStream(out, sheetName, columns, all()).then(
    () => out.end(),
    (e: unknown) => {
      // A download the client closed early is logged as information, anything else as an error.
      if (out.destroyed) app.log.info(`XLSX export ${fileName} stopped: the client closed the download`);
      else app.log.error({ err: e }, `XLSX export ${fileName} failed`);
      out.destroy(e as Error);
    },
  );
  return reply
    .header('content-type', XLSX)
    .header(
      'content-disposition',
      `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}.xlsx`,
    )
    .send(out);
}

/** The students of the enrolment terms that satisfy a rule on the term (学籍有效期 depends only on the term). */
async function termsWhere(
  app: FastifyInstance,
  actor: Actor,
  orgId: number | undefined,
  keep: (terms: Array<{ enrolmentTerm: string }>) => unknown[],
): Promise<string[]> {
  requireStaff(actor);
  const tree = await OrgTree.load(app.ctx.repos);
  const terms = await app.ctx.repos.students.distinctTerms(tree.filterScope(actor, orgId));
  return (keep(terms.map((t) => ({ enrolmentTerm: t }))) as Array<{ enrolmentTerm: string }>).map(
    (t) => t.enrolmentTerm,
  );
}

/** 报表（XLSX）：每个报表逐行流式写出（按游标分页读取数据库），任何行数下内存恒定 */
export async function registerReportRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const page = { page: 1, pageSize: EXPORT_PAGE_SIZE };
  const studentPages = (actor: Actor, q: Omit<StudentQuery, 'page' | 'pageSize' | 'cursor'> & { enrolTerms?: string[] }) =>
    keysetPages((cursor) => s.students.list(actor, { ...q, ...page, cursor }));
  app.get(
    '/api/reports/students.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出学生名单',
        querystring: studentQuery,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const { page: _p, pageSize: _s, cursor: _c, ...q } = req.query as StudentQuery;
      return sendXlsxStream(app, reply, '学生名单', '学生名单', STUDENT_COLUMNS, studentPages(actorOf(req), q));
    },
  );
  app.get(
    '/api/reports/applications.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出毕业申请',
        querystring: applicationQuery,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      requireStaff(actor);
      const { page: _p, pageSize: _s, cursor: _c, ...q } = req.query as ApplicationQuery & { cursor?: number };
      const pages = keysetPages((cursor) => s.applications.list(actor, { ...q, ...page, cursor }));
      return sendXlsxStream(app, reply, '毕业申请', '毕业申请', APPLICATION_COLUMNS, pages);
    },
  );
  app.get(
    '/api/reports/certificates.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出证书',
        querystring: certificateQuery,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      requireStaff(actor);
      const { page: _p, pageSize: _s, cursor: _c, ...q } = req.query as CertificateQuery & { cursor?: number };
      const pages = keysetPages((cursor) => s.certificates.list(actor, { ...q, ...page, cursor }));
      return sendXlsxStream(app, reply, '毕业证书', '毕业证书', CERTIFICATE_COLUMNS, pages);
    },
  );
  app.get(
    '/api/reports/certificates-pending.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出未发放证书',
        querystring: { type: 'object', properties: { batchId: int, orgId: int } },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      requireStaff(actor);
      const q = req.query as { batchId?: number; orgId?: number };
      const notHandedOut = new Set<string>(['pending', 'arrived'] satisfies CertificateStatus[]);
      async function* pending() {
        for await (const p of keysetPages((cursor) => s.certificates.list(actor, { ...q, ...page, cursor })))
          yield p.filter((c) => notHandedOut.has(c.state));
      }
      return sendXlsxStream(app, reply, '未发放证书', '未发放证书', CERTIFICATE_COLUMNS, pending());
    },
  );
  app.get(
    '/api/reports/expiring.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出学籍即将到期学生',
        querystring: { type: 'object', properties: { before: { type: 'string', format: 'date' }, orgId: int } },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const q = req.query as { before?: string; orgId?: number };
      const now = app.ctx.config.now();
      const date = q.before ?? addDays(chinaDate(now), 180);
      const enrolTerms = await termsWhere(app, actor, q.orgId, (t) => listExpiringBefore(t, date, now));
      const pages = studentPages(actor, { orgId: q.orgId, enrolTerms });
      return sendXlsxStream(app, reply, '学籍即将到期学生', '学籍即将到期', STUDENT_COLUMNS, pages);
    },
  );
  app.get(
    '/api/reports/expired.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出学籍已过期学生（学籍清理）',
        querystring: { type: 'object', properties: { orgId: int } },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const orgId = (req.query as { orgId?: number }).orgId;
      const now = app.ctx.config.now();
      const enrolTerms = await termsWhere(app, actor, orgId, (t) => listExpired(t, now));
      const pages = studentPages(actor, { orgId, enrolTerms });
      return sendXlsxStream(app, reply, '学籍清理名单', '学籍清理', STUDENT_COLUMNS, pages);
    },
  );
  app.get(
    '/api/reports/audit.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: `导出审计日志（最近 ${AUDIT_EXPORT_MAX} 条）`,
        querystring: { type: 'object', properties: { entity: str, entityId: int, orgId: int } },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const q = req.query as { entity?: string; entityId?: number; orgId?: number };
      type A = Awaited<ReturnType<typeof s.audit.list>>['items'][number];
      const cols: Column<A>[] = [
        { header: '时间', width: 18, value: (a) => localTime(a.at) },
        { header: '操作人', width: 20, value: (a) => a.actorName },
        { header: '对象', value: (a) => AUDIT_ENTITY_LABELS[a.entity] ?? a.entity },
        { header: '对象名称', width: 24, value: (a) => auditObjectName(a.before, a.after) ?? `编号 ${a.entityId}` },
        { header: '操作', width: 22, value: (a) => AUDIT_ACTION_LABELS[a.action] ?? a.action },
        { header: '理由', width: 30, value: (a) => a.reason },
        { header: '修改内容', width: 60, value: (a) => auditChangeText(a.before, a.after) },
      ];
      // The newest entries first, a page at a time (masked by the audit service like the list).
      async function* pages(): AsyncGenerator<A[]> {
        for (let n = 1; n <= AUDIT_EXPORT_MAX / EXPORT_PAGE_SIZE; n++) {
          const r = await s.audit.list(actor, { ...q, page: n, pageSize: EXPORT_PAGE_SIZE });
          if (r.items.length) yield r.items;
          if (r.items.length < EXPORT_PAGE_SIZE) return;
        }
      }
      return sendXlsxStream(app, reply, '审计日志', '审计日志', cols, pages());
    },
  );
}
