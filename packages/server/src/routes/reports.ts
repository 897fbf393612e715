import type { FastifyInstance } from 'fastify';
import {
  APPLICATION_STATUS_LABELS,
  IDENTITY_REVIEW_LABELS,
  chinaDateTime,
  type ApplicationStatus,
  type CertificateStatus,
  type IdentityReviewState,
} from '@gradpass/core';
import type { StudentDto } from '../services/students.js';
import type { ApplicationDto } from '../services/applications.js';
import type { CertificateDto } from '../services/certificates.js';
import { toXlsx, type Column } from '../services/reports.js';
import { errors, binary, str, int } from './schemas.js';
import { actorOf, sendXlsx, tag } from './common.js';
import {
  studentQuery,
  applicationQuery,
  certificateQuery,
  type StudentQuery,
  type ApplicationQuery,
  type CertificateQuery,
} from './queries.js';

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

/** 报表（XLSX） */
export async function registerReportRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
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
    async (req, reply) =>
      sendXlsx(
        reply,
        '学生名单',
        await toXlsx('学生名单', STUDENT_COLUMNS, await s.students.listAll(actorOf(req), req.query as StudentQuery)),
      ),
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
    async (req, reply) =>
      sendXlsx(
        reply,
        '毕业申请',
        await toXlsx(
          '毕业申请',
          APPLICATION_COLUMNS,
          await s.applications.listAll(actorOf(req), req.query as ApplicationQuery),
        ),
      ),
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
    async (req, reply) =>
      sendXlsx(
        reply,
        '毕业证书',
        await toXlsx(
          '毕业证书',
          CERTIFICATE_COLUMNS,
          await s.certificates.listAll(actorOf(req), req.query as CertificateQuery),
        ),
      ),
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
      const q = req.query as { batchId?: number; orgId?: number };
      const all = await s.certificates.listAll(actorOf(req), q);
      const rows = all.filter(
        (c) => c.state === ('pending' as CertificateStatus) || c.state === ('arrived' as CertificateStatus),
      );
      return sendXlsx(reply, '未发放证书', await toXlsx('未发放证书', CERTIFICATE_COLUMNS, rows));
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
      const q = req.query as { before?: string; orgId?: number };
      return sendXlsx(
        reply,
        '学籍即将到期学生',
        await toXlsx('学籍即将到期', STUDENT_COLUMNS, await s.students.expiring(actorOf(req), q.before, q.orgId)),
      );
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
    async (req, reply) =>
      sendXlsx(
        reply,
        '学籍清理名单',
        await toXlsx(
          '学籍清理',
          STUDENT_COLUMNS,
          await s.students.expired(actorOf(req), (req.query as { orgId?: number }).orgId),
        ),
      ),
  );
  app.get(
    '/api/reports/audit.xlsx',
    {
      schema: {
        tags: tag('报表'),
        summary: '导出审计日志（最近 5000 条）',
        querystring: { type: 'object', properties: { entity: str, entityId: int, orgId: int } },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const r = await s.audit.list(actorOf(req), { ...(req.query as object), page: 1, pageSize: 5000 });
      type A = (typeof r.items)[number];
      const cols: Column<A>[] = [
        { header: '时间', width: 18, value: (a) => localTime(a.at) },
        { header: '操作人', width: 20, value: (a) => a.actorName },
        { header: '对象', value: (a) => a.entity },
        { header: '对象编号', value: (a) => a.entityId },
        { header: '操作', width: 20, value: (a) => a.action },
        { header: '理由', width: 30, value: (a) => a.reason },
        { header: '修改前', width: 40, value: (a) => (a.before ? JSON.stringify(a.before) : '') },
        { header: '修改后', width: 40, value: (a) => (a.after ? JSON.stringify(a.after) : '') },
      ];
      return sendXlsx(reply, '审计日志', await toXlsx('审计日志', cols, r.items));
    },
  );
}
