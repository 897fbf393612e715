import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { canActOn, ROLES, APPLICATION_STATUS_LABELS, CERTIFICATE_STATUS_LABELS, IDENTITY_REVIEW_LABELS, type ApplicationStatus, type CertificateStatus, type IdentityReviewState, type OrgLevel, type Role } from '@gradpass/core';
import { AppError, invalid } from '../errors.js';
import type { Actor } from '../services/context.js';
import { API_ACTIONS, APPLICATION_STATES, type ApiAction } from '../services/applications.js';
import { PHOTO_SOURCES, type PhotoSource } from '../services/photos.js';
import type { StudentDto } from '../services/students.js';
import type { ApplicationDto } from '../services/applications.js';
import type { CertificateDto } from '../services/certificates.js';
import { toXlsx, type Column } from '../services/reports.js';
import { SESSION_COOKIE, CSRF_COOKIE } from '../app.js';
import {
  errors, idParams, orgSchema, userSchema, studentSchema, photoSchema, applicationSchema, auditSchema, batchSchema, batchInputSchema, certificateSchema,
  page, items, pageQuery, okSchema, binary, obj, str, strN, int, bool, any,
} from './schemas.js';

const actorOf = (req: FastifyRequest): Actor => {
  if (!req.actor) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
  return req.actor;
};

/** Reads a multipart request: the one file and the text fields. */
async function readMultipart(req: FastifyRequest): Promise<{ file: { name: string; bytes: Buffer } | null; fields: Record<string, string> }> {
  if (!req.isMultipart()) throw invalid('请以 multipart/form-data 上传文件', 'MULTIPART_REQUIRED');
  const fields: Record<string, string> = {};
  let file: { name: string; bytes: Buffer } | null = null;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const f = part as MultipartFile;
      const bytes = await f.toBuffer();
      if (!file) file = { name: f.filename, bytes };
    } else fields[part.fieldname] = String(part.value);
  }
  return { file, fields };
}

const requireFile = (f: { name: string; bytes: Buffer } | null) => {
  if (!f || !f.bytes.length) throw invalid('没有收到文件（字段名 file）', 'FILE_REQUIRED');
  return f;
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
function sendXlsx(reply: FastifyReply, name: string, buf: Buffer) {
  return reply.header('content-type', XLSX).header('content-disposition', `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}.xlsx`).send(buf);
}

const multipartBody = (fields: Record<string, unknown>) => ({
  consumes: ['multipart/form-data'],
  description: `multipart/form-data：file（文件）${Object.keys(fields).length ? '，' + Object.keys(fields).join('、') : ''}`,
});

const studentQuery = {
  type: 'object',
  properties: {
    ...pageQuery, q: str, orgId: int, state: { type: 'string', enum: APPLICATION_STATES }, flag: { type: 'string', enum: ['chsi_photo_missing', 'identity_doubtful', 'continuing'] },
    photoStatus: { type: 'string', enum: ['none', 'pending', 'checking', 'pass', 'fail', 'review', 'error'] }, batchId: int,
    failedRule: { type: 'string', description: '照片未通过（fail/review）的规则，如 geometry.eye-line' },
  },
} as const;
type StudentQuery = { page: number; pageSize: number; q?: string; orgId?: number; state?: string; flag?: 'chsi_photo_missing' | 'identity_doubtful' | 'continuing'; photoStatus?: string; failedRule?: string; batchId?: number };
const applicationQuery = { type: 'object', properties: { ...pageQuery, q: str, orgId: int, state: { type: 'string', enum: APPLICATION_STATES }, batchId: int } } as const;
type ApplicationQuery = { page: number; pageSize: number; q?: string; orgId?: number; state?: string; batchId?: number };
const certificateQuery = { type: 'object', properties: { ...pageQuery, q: str, orgId: int, state: { type: 'string', enum: Object.keys(CERTIFICATE_STATUS_LABELS) }, batchId: int, studentId: int } } as const;
type CertificateQuery = { page: number; pageSize: number; q?: string; orgId?: number; state?: string; batchId?: number; studentId?: number };

const STUDENT_COLUMNS: Column<StudentDto>[] = [
  { header: '学号', width: 16, value: (s) => s.xuehao }, { header: '姓名', value: (s) => s.name }, { header: '身份证号', width: 22, value: (s) => s.idCard },
  { header: '学习中心', width: 24, value: (s) => s.orgName }, { header: '专业', width: 20, value: (s) => s.programme }, { header: '层次', value: (s) => s.level },
  { header: '入学学期', value: (s) => s.enrolTerm }, { header: '学籍有效期至', width: 14, value: (s) => s.validUntil }, { header: '学籍已过期', value: (s) => s.expired },
  { header: '学信网缺学历照片', value: (s) => s.flags.chsiPhotoMissing }, { header: '学信网身份存疑', value: (s) => s.flags.identityDoubtful },
  { header: '身份复核', value: (s) => IDENTITY_REVIEW_LABELS[s.identityStatus as IdentityReviewState] ?? s.identityStatus },
  { header: '专科续读', value: (s) => s.flags.continuing }, { header: '照片检测结果', value: (s) => PHOTO_STATUS_LABELS[s.photo?.status ?? 'none'] },
  { header: '照片来源', value: (s) => (s.photo ? PHOTO_SOURCE_LABELS[s.photo.source] : '') },
  { header: '申请状态', width: 18, value: (s) => (s.application ? APPLICATION_STATUS_LABELS[s.application.state as ApplicationStatus] : '') },
];
const APPLICATION_COLUMNS: Column<ApplicationDto>[] = [
  { header: '学号', width: 16, value: (a) => a.xuehao }, { header: '姓名', value: (a) => a.studentName }, { header: '学习中心', width: 24, value: (a) => a.orgName },
  { header: '批次', width: 16, value: (a) => a.batchName }, { header: '申请状态', width: 18, value: (a) => a.stateLabel }, { header: '申请学位', value: (a) => a.degreeRequested },
  { header: '签署申请表时间', width: 22, value: (a) => a.signedAt }, { header: '电子注册号', width: 20, value: (a) => a.registrationNumber },
  { header: '退回/不通过理由', width: 30, value: (a) => a.lastReason }, { header: '提交次数', value: (a) => a.submissionCount }, { header: '更新时间', width: 22, value: (a) => a.updatedAt },
];
const CERTIFICATE_COLUMNS: Column<CertificateDto>[] = [
  { header: '学号', width: 16, value: (c) => c.xuehao }, { header: '姓名', value: (c) => c.studentName }, { header: '学习中心', width: 24, value: (c) => c.orgName },
  { header: '电子注册号', width: 20, value: (c) => c.registrationNumber }, { header: '证书状态', width: 18, value: (c) => c.stateLabel },
  { header: '交来单位/人员', width: 18, value: (c) => c.receivedFrom }, { header: '到达时间', width: 22, value: (c) => c.arrivedAt },
  { header: '领取人', value: (c) => c.handover?.name }, { header: '领取方式', value: (c) => (c.handover ? (c.handover.recipient === 'student' ? '本人领取' : '委托领取') : '') },
  { header: '发放时间', width: 22, value: (c) => c.handedAt }, { header: '学生确认时间', width: 22, value: (c) => c.confirmedAt }, { header: '反馈问题', width: 30, value: (c) => c.problem?.description },
];
const PHOTO_STATUS_LABELS: Record<string, string> = { none: '无照片', pending: '待检测', checking: '检测中', pass: '合格', fail: '不合格', review: '待人工复核', error: '无法读取' };
const PHOTO_SOURCE_LABELS: Record<string, string> = { collection: '采集中心', student: '学生自备', centre: '学习中心' };

export async function registerRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const cfg = app.ctx.config;
  const tag = (t: string) => [t];

  // ---------- health & auth ----------
  app.get('/api/health', { schema: { tags: tag('系统'), summary: '健康检查', response: { 200: obj({ ok: bool, db: str, queue: str }) } } }, async () => ({ ok: true, db: app.ctx.db.kind, queue: app.ctx.queue.kind }));

  const setCookies = (req: FastifyRequest, reply: FastifyReply, token: string, csrf: string) => {
    // Secure when configured, or when the request came over https (directly or via a proxy's X-Forwarded-Proto).
    const secure = cfg.secureCookies || req.protocol === 'https';
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 7 * 86400 });
    reply.setCookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'lax', secure, path: '/', maxAge: 7 * 86400 });
  };
  app.post('/api/auth/login', {
    config: { rateLimit: { max: cfg.loginRateLimit, timeWindow: '1 minute', keyGenerator: (req: FastifyRequest) => `${req.ip}|${String((req.body as { username?: string } | undefined)?.username ?? '').trim().toLowerCase()}` } },
    schema: {
      tags: tag('登录'), summary: '登录（每 IP+用户名每分钟最多 10 次）',
      body: { type: 'object', required: ['username', 'password'], properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } } },
      response: { 200: obj({ user: userSchema, csrfToken: str }), ...errors },
    },
  }, async (req, reply) => {
    const b = req.body as { username: string; password: string };
    const r = await s.auth.login(b.username, b.password);
    setCookies(req, reply, r.token, r.csrfToken);
    return { user: r.user, csrfToken: r.csrfToken };
  });
  app.post('/api/auth/logout', { schema: { tags: tag('登录'), summary: '退出登录', response: { 200: okSchema, ...errors } } }, async (req, reply) => {
    if (req.sessionHash) await s.auth.logout(req.sessionHash);
    reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
    return { ok: true };
  });
  app.get('/api/auth/me', { schema: { tags: tag('登录'), summary: '当前用户', response: { 200: obj({ user: userSchema, csrfToken: str }), ...errors } } }, async (req) => {
    const a = actorOf(req);
    return { user: { id: a.id, username: a.username, displayName: a.displayName, role: a.role, orgId: a.orgId, orgName: a.orgName, studentId: a.studentId }, csrfToken: req.csrfToken };
  });
  app.post('/api/auth/password', {
    schema: { tags: tag('登录'), summary: '修改密码', body: { type: 'object', required: ['oldPassword', 'newPassword'], properties: { oldPassword: str, newPassword: { type: 'string', minLength: 8 } } }, response: { 200: okSchema, ...errors } },
  }, async (req) => {
    const b = req.body as { oldPassword: string; newPassword: string };
    await s.auth.changePassword(actorOf(req), b.oldPassword, b.newPassword);
    return { ok: true };
  });

  // ---------- organisations & users ----------
  app.get('/api/orgs', { schema: { tags: tag('机构与用户'), summary: '本机构及下级机构', response: { 200: items(orgSchema), ...errors } } }, async (req) => ({ items: await s.orgs.list(actorOf(req)) }));
  app.post('/api/orgs', {
    schema: { tags: tag('机构与用户'), summary: '新建下级机构（管理员）', body: { type: 'object', required: ['name', 'kind', 'parentId'], properties: { name: { type: 'string', minLength: 1 }, kind: { type: 'string', enum: ['province', 'city', 'centre', 'collection_centre'] }, parentId: int } }, response: { 200: orgSchema, ...errors } },
  }, async (req) => s.orgs.create(actorOf(req), req.body as { name: string; kind: OrgLevel; parentId: number }));
  app.get('/api/users', { schema: { tags: tag('机构与用户'), summary: '用户列表（管理员）', querystring: { type: 'object', properties: { orgId: int } }, response: { 200: items(userSchema), ...errors } } },
    async (req) => ({ items: await s.auth.listUsers(actorOf(req), (req.query as { orgId?: number }).orgId) }));
  app.post('/api/users', {
    schema: {
      tags: tag('机构与用户'), summary: '新建用户（管理员）',
      body: { type: 'object', required: ['username', 'password', 'displayName', 'role', 'orgId'], properties: { username: { type: 'string', minLength: 2 }, password: { type: 'string', minLength: 8 }, displayName: { type: 'string', minLength: 1 }, role: { type: 'string', enum: ROLES as unknown as string[] }, orgId: int, studentId: { type: ['integer', 'null'] } } },
      response: { 200: userSchema, ...errors },
    },
  }, async (req) => s.auth.createUser(actorOf(req), req.body as { username: string; password: string; displayName: string; role: Role; orgId: number; studentId?: number | null }));

  // ---------- students ----------
  app.get('/api/students', { schema: { tags: tag('学籍'), summary: '学生列表（筛选、分页）', querystring: studentQuery, response: { 200: page(studentSchema), ...errors } } },
    async (req) => s.students.list(actorOf(req), req.query as StudentQuery));
  app.get('/api/students/expiring', { schema: { tags: tag('学籍'), summary: '学籍将在某日前到期的学生', querystring: { type: 'object', properties: { before: { type: 'string', format: 'date' }, orgId: int } }, response: { 200: items(studentSchema), ...errors } } },
    async (req) => { const q = req.query as { before?: string; orgId?: number }; return { items: await s.students.expiring(actorOf(req), q.before, q.orgId) }; });
  app.get('/api/students/expired', { schema: { tags: tag('学籍'), summary: '学籍已超过 8 年有效期的学生（学籍清理）', querystring: { type: 'object', properties: { orgId: int } }, response: { 200: items(studentSchema), ...errors } } },
    async (req) => ({ items: await s.students.expired(actorOf(req), (req.query as { orgId?: number }).orgId) }));
  app.get('/api/students/priorities', {
    schema: { tags: tag('学籍'), summary: '首批优先审核：专科续读、学籍将在下一批次前到期', querystring: { type: 'object', properties: { nextBatchStart: { type: 'string', format: 'date' }, orgId: int } },
      response: { 200: obj({ items: { type: 'array', items: obj({ student: studentSchema, reasons: { type: 'array', items: obj({ code: str, message: str }) } }) } }), ...errors } },
  }, async (req) => { const q = req.query as { nextBatchStart?: string; orgId?: number }; return s.students.priorities(actorOf(req), q.nextBatchStart, q.orgId); });
  app.get('/api/students/:id', { schema: { tags: tag('学籍'), summary: '学生详情', params: idParams, response: { 200: studentSchema, ...errors } } },
    async (req) => s.students.get(actorOf(req), (req.params as { id: number }).id));
  const studentBody = { xuehao: str, idCard: str, name: { type: 'string', minLength: 1 }, orgId: int, programme: str, level: str, enrolTerm: str, continuing: bool };
  app.post('/api/students', {
    schema: { tags: tag('学籍'), summary: '新增学生', body: { type: 'object', required: ['xuehao', 'idCard', 'name', 'orgId', 'programme', 'level', 'enrolTerm'], properties: studentBody }, response: { 200: studentSchema, ...errors } },
  }, async (req) => s.students.create(actorOf(req), req.body as { xuehao: string; idCard: string; name: string; orgId: number; programme: string; level: string; enrolTerm: string; continuing?: boolean }));
  app.patch('/api/students/:id', {
    schema: { tags: tag('学籍'), summary: '修改学生信息（含专科续读标记）', params: idParams, body: { type: 'object', properties: { name: str, programme: str, level: str, enrolTerm: str, continuing: bool } }, response: { 200: studentSchema, ...errors } },
  }, async (req) => s.students.update(actorOf(req), (req.params as { id: number }).id, req.body as { name?: string }));
  app.post('/api/students/import', {
    schema: { tags: tag('学籍'), summary: '导入名册（XLSX/CSV，字段 file 和 orgId）', ...multipartBody({ orgId: int }),
      response: { 200: obj({ created: int, updated: int, failed: int, rows: { type: 'array', items: obj({ row: int, ok: bool, xuehao: str, code: str, message: str }) } }), ...errors } },
  }, async (req) => {
    const { file, fields } = await readMultipart(req);
    const f = requireFile(file);
    const orgId = Number(fields.orgId ?? actorOf(req).orgId);
    return s.students.importRoster(actorOf(req), orgId, f.name, f.bytes);
  });
  app.post('/api/students/flags/import', {
    schema: {
      tags: tag('学籍'), summary: '导入学信网标记（缺学历照片 / 身份存疑）',
      body: { type: 'object', required: ['flag', 'identifiers'], properties: { flag: { type: 'string', enum: ['chsi_photo_missing', 'identity_doubtful'] }, set: { type: 'boolean', default: true }, identifiers: { type: 'array', items: str, maxItems: 20000 } } },
      response: { 200: obj({ rows: { type: 'array', items: obj({ identifier: str, ok: bool, studentId: int, code: str, message: str }) } }), ...errors },
    },
  }, async (req) => { const b = req.body as { flag: 'chsi_photo_missing' | 'identity_doubtful'; set: boolean; identifiers: string[] }; return s.students.importFlags(actorOf(req), b.flag, b.set, b.identifiers); });

  // identity re-verification
  const identitySchema = obj({ status: str, identityDoubtful: bool, documents: { type: 'array', items: obj({ id: int, fileName: str, bytes: int, uploadedAt: str, uploadedBy: int }) }, decidedAt: strN, decidedBy: { type: ['integer', 'null'] }, reason: strN });
  app.get('/api/students/:id/identity', { schema: { tags: tag('身份复核'), summary: '身份复核状态与材料', params: idParams, response: { 200: identitySchema, ...errors } } },
    async (req) => s.students.identity(actorOf(req), (req.params as { id: number }).id));
  app.post('/api/students/:id/identity/documents', {
    schema: { tags: tag('身份复核'), summary: '上传身份复核材料（学习中心）', params: idParams, ...multipartBody({}), response: { 200: obj({ id: int, fileName: str, bytes: int, uploadedAt: str }), ...errors } },
  }, async (req) => { const f = requireFile((await readMultipart(req)).file); return s.students.addIdentityDocument(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes); });
  app.post('/api/students/:id/identity/submit', { schema: { tags: tag('身份复核'), summary: '提交身份复核（学习中心 → 省级）', params: idParams, response: { 200: identitySchema, ...errors } } },
    async (req) => s.students.submitIdentity(actorOf(req), (req.params as { id: number }).id));
  app.post('/api/students/:id/identity/decision', {
    schema: { tags: tag('身份复核'), summary: '身份复核决定（省级）', params: idParams, body: { type: 'object', required: ['approve'], properties: { approve: bool, reason: str } }, response: { 200: identitySchema, ...errors } },
  }, async (req) => { const b = req.body as { approve: boolean; reason?: string }; return s.students.decideIdentity(actorOf(req), (req.params as { id: number }).id, b.approve, b.reason); });
  app.get('/api/identity-documents/:id/file', { schema: { tags: tag('身份复核'), summary: '下载身份复核材料', params: idParams, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const d = await s.students.identityDocumentFile(actorOf(req), (req.params as { id: number }).id);
    return reply.header('content-type', 'application/octet-stream').header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.fileName)}`).send(d.bytes);
  });

  // ---------- photos ----------
  app.post('/api/students/:id/photo', {
    schema: { tags: tag('照片'), summary: '上传一名学生的毕业照片（字段 file、source）', params: idParams, ...multipartBody({ source: str }), response: { 200: photoSchema, ...errors } },
  }, async (req) => {
    const { file, fields } = await readMultipart(req);
    const f = requireFile(file);
    return s.photos.upload(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes, (fields.source ?? 'centre') as PhotoSource);
  });
  app.post('/api/students/:id/photo/standardize', {
    schema: { tags: tag('照片'), summary: '修正当前照片（裁剪到规格、可换浅蓝背景、压缩到 20–40 KB、300 dpi），结果成为新的当前照片', params: idParams,
      body: { type: ['object', 'null'], properties: { align: { type: 'string', enum: ['centre', 'face'] }, background: { type: 'string', enum: ['keep', 'blue'] } } }, response: { 200: photoSchema, ...errors } },
  }, async (req) => s.photos.standardizeCurrent(actorOf(req), (req.params as { id: number }).id, (req.body ?? {}) as { align?: 'centre' | 'face'; background?: 'keep' | 'blue' }));
  app.get('/api/students/:id/photo', { schema: { tags: tag('照片'), summary: '当前毕业照片（JPEG）', params: idParams, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const bytes = await s.photos.currentFile(actorOf(req), (req.params as { id: number }).id);
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
  });
  app.get('/api/students/:id/photos', { schema: { tags: tag('照片'), summary: '照片历史', params: idParams, response: { 200: items(photoSchema), ...errors } } },
    async (req) => ({ items: await s.photos.history(actorOf(req), (req.params as { id: number }).id) }));
  app.post('/api/students/:id/reference-photo', {
    schema: { tags: tag('照片'), summary: '导入学信网参考照片（用于同版比对）', params: idParams, ...multipartBody({}), response: { 200: obj({ studentId: int, fileName: str, bytes: int }), ...errors } },
  }, async (req) => { const f = requireFile((await readMultipart(req)).file); return s.photos.uploadReference(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes); });
  app.get('/api/students/:id/reference-photo', { schema: { tags: tag('照片'), summary: '学信网参考照片（JPEG）', params: idParams, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const bytes = await s.photos.referenceFile(actorOf(req), (req.params as { id: number }).id);
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
  });
  const checkRow = obj({ id: str, status: str, code: str, value: { type: ['number', 'null'] }, message: str });
  app.get('/api/students/:id/reference-compare', { schema: { tags: tag('照片'), summary: '与学信网参考照片比对（同一人、同版）', params: idParams, response: { 200: obj({ status: str, face: checkRow, sameShot: checkRow }), ...errors } } },
    async (req) => s.photos.compareReferenceFor(actorOf(req), (req.params as { id: number }).id));
  app.get('/api/photo-profile', { schema: { tags: tag('照片'), summary: '当前照片规格（尺寸、几何范围等）', response: { 200: { type: 'object', additionalProperties: true }, ...errors } } }, async () => {
    const p = await s.photos.profile();
    if (!p) throw new AppError(503, 'ENGINE_UNAVAILABLE', '照片检测引擎不可用');
    return p;
  });
  app.get('/api/photos/export.zip', {
    schema: { tags: tag('照片'), summary: '导出合格照片（zip，按学号或身份证号命名，附导出报告）', querystring: { type: 'object', properties: { orgId: int, batchId: int, naming: { type: 'string', enum: ['xuehao', 'idcard'], default: 'xuehao' } } }, response: { 200: binary, ...errors } },
  }, async (req, reply) => {
    const buf = await s.photos.exportZip(actorOf(req), req.query as { orgId?: number; naming: 'xuehao' | 'idcard'; batchId?: number });
    return reply.header('content-type', 'application/zip').header('content-disposition', `attachment; filename="photos.zip"; filename*=UTF-8''${encodeURIComponent('毕业照片')}.zip`).send(buf);
  });
  app.get('/api/photos/:id', { schema: { tags: tag('照片'), summary: '照片与检测结果', params: idParams, response: { 200: photoSchema, ...errors } } },
    async (req) => s.photos.get(actorOf(req), (req.params as { id: number }).id));
  app.get('/api/photos/:id/file', { schema: { tags: tag('照片'), summary: '照片文件（JPEG）', params: idParams, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const bytes = await s.photos.file(actorOf(req), (req.params as { id: number }).id);
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
  });
  const fileRow = obj({ file: str, studentId: int, photoId: int, code: str, message: str });
  app.post('/api/photos/import', {
    schema: {
      tags: tag('照片'), summary: '批量导入照片（zip 或单张 jpg，文件名为学号或身份证号；字段 file、orgId、source）', ...multipartBody({ orgId: int, source: str }),
      response: { 200: obj({ matched: { type: 'array', items: fileRow }, unmatched: { type: 'array', items: fileRow }, duplicates: { type: 'array', items: fileRow }, locked: { type: 'array', items: fileRow }, missing: { type: 'array', items: obj({ studentId: int, xuehao: str, name: str }) } }), ...errors },
    },
  }, async (req) => {
    const { file, fields } = await readMultipart(req);
    const f = requireFile(file);
    const source = (fields.source ?? 'collection') as PhotoSource;
    if (!PHOTO_SOURCES.includes(source)) throw invalid(`照片来源“${source}”无效`);
    return s.photos.importArchive(actorOf(req), Number(fields.orgId ?? actorOf(req).orgId), f.name, f.bytes, source);
  });

  // ---------- batches ----------
  app.get('/api/batches', { schema: { tags: tag('批次'), summary: '毕业批次', response: { 200: items(batchSchema), ...errors } } }, async (req) => ({ items: await s.batches.list(actorOf(req)) }));
  app.post('/api/batches', { schema: { tags: tag('批次'), summary: '新建批次（省级）', body: { ...batchInputSchema, required: ['name', 'firstWindow', 'secondWindow', 'deadline'] }, response: { 200: batchSchema, ...errors } } },
    async (req) => s.batches.create(actorOf(req), req.body as never));
  app.patch('/api/batches/:id', { schema: { tags: tag('批次'), summary: '修改批次时间（省级）', params: idParams, body: batchInputSchema, response: { 200: batchSchema, ...errors } } },
    async (req) => s.batches.update(actorOf(req), (req.params as { id: number }).id, req.body as never));

  // ---------- applications ----------
  app.get('/api/applications', { schema: { tags: tag('毕业申请'), summary: '申请列表', querystring: applicationQuery, response: { 200: page(applicationSchema), ...errors } } },
    async (req) => s.applications.list(actorOf(req), req.query as ApplicationQuery));
  app.get('/api/applications/:id', { schema: { tags: tag('毕业申请'), summary: '申请详情与审核记录', params: idParams, response: { 200: { ...applicationSchema, properties: { ...applicationSchema.properties, history: { type: 'array', items: auditSchema } } }, ...errors } } },
    async (req) => s.applications.get(actorOf(req), (req.params as { id: number }).id));
  app.post('/api/applications', {
    schema: { tags: tag('毕业申请'), summary: '新建毕业申请（草稿）', body: { type: 'object', required: ['studentId', 'batchId'], properties: { studentId: int, batchId: int, degreeRequested: bool } }, response: { 200: applicationSchema, ...errors } },
  }, async (req) => s.applications.create(actorOf(req), req.body as { studentId: number; batchId: number; degreeRequested?: boolean }));
  const actionBody = { action: { type: 'string', enum: API_ACTIONS }, reason: str, samePhotoConfirmed: bool, degreeRequested: bool };
  app.post('/api/applications/:id/actions', {
    schema: { tags: tag('毕业申请'), summary: '审核操作：apply / submit / approve / return / reject', params: idParams, body: { type: 'object', required: ['action'], properties: actionBody }, response: { 200: applicationSchema, ...errors } },
  }, async (req) => s.applications.act(actorOf(req), (req.params as { id: number }).id, req.body as { action: ApiAction; reason?: string; samePhotoConfirmed?: boolean; degreeRequested?: boolean }));
  app.post('/api/applications/bulk', {
    schema: {
      tags: tag('毕业申请'), summary: '批量审核（逐条返回结果）', body: { type: 'object', required: ['ids', 'action'], properties: { ids: { type: 'array', items: int, minItems: 1, maxItems: 5000 }, ...actionBody } },
      response: { 200: obj({ results: { type: 'array', items: obj({ id: int, ok: bool, state: str, registrationNumber: strN, code: str, message: str, warnings: { type: 'array', items: any } }) }, okCount: int, failCount: int }), ...errors },
    },
  }, async (req) => { const b = req.body as { ids: number[]; action: ApiAction; reason?: string; samePhotoConfirmed?: boolean }; return s.applications.bulk(actorOf(req), b.ids, b); });
  app.get('/api/progress', {
    schema: {
      tags: tag('毕业申请'), summary: '审核进度：下级机构 × 状态 计数', querystring: { type: 'object', properties: { batchId: int, orgId: int } },
      response: { 200: obj({ org: orgSchema, states: { type: 'array', items: str }, stateLabels: { type: 'object', additionalProperties: str }, rows: { type: 'array', items: obj({ org: orgSchema, counts: { type: 'object', additionalProperties: int }, total: int }) }, totals: obj({ counts: { type: 'object', additionalProperties: int }, total: int }) }), ...errors },
    },
  }, async (req) => s.applications.progress(actorOf(req), req.query as { batchId?: number; orgId?: number }));

  // live updates (SSE)
  const streams = new Set<() => void>();
  app.addHook('onClose', async () => { for (const stop of [...streams]) stop(); });
  app.get('/api/events', { schema: { tags: tag('毕业申请'), summary: '实时更新（Server-Sent Events）：application / photo / certificate', response: { 200: { type: 'string', description: 'text/event-stream' }, ...errors } } }, (req, reply) => {
    const actor = actorOf(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(': connected\n\n');
    const unsubscribe = app.ctx.events.subscribe((e) => {
      if (!canActOn(actor.core, e.orgPath)) return;
      if (actor.role === 'student' && e.data.studentId !== actor.studentId) return; // a student hears only about itself
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
    });
    const beat = setInterval(() => res.write(': ping\n\n'), 25_000);
    const stop = () => { clearInterval(beat); unsubscribe(); streams.delete(stop); if (!res.writableEnded) res.end(); };
    streams.add(stop);
    req.raw.on('close', stop);
  });

  // ---------- certificates ----------
  app.get('/api/certificates', { schema: { tags: tag('证书'), summary: '证书列表', querystring: certificateQuery, response: { 200: page(certificateSchema), ...errors } } },
    async (req) => s.certificates.list(actorOf(req), req.query as CertificateQuery));
  app.get('/api/certificates/pending', {
    schema: { tags: tag('证书'), summary: '各学习中心未发放证书统计', querystring: { type: 'object', properties: { batchId: int } }, response: { 200: obj({ rows: { type: 'array', items: obj({ org: { anyOf: [{ type: 'null' }, orgSchema] }, centrePath: str, total: int, notHandedOver: int, pending: int, arrived: int, handedOver: int, confirmed: int, problems: int }) } }), ...errors } },
  }, async (req) => s.certificates.pendingByCentre(actorOf(req), (req.query as { batchId?: number }).batchId));
  app.get('/api/certificates/:id', { schema: { tags: tag('证书'), summary: '证书详情', params: idParams, response: { 200: certificateSchema, ...errors } } },
    async (req) => s.certificates.get(actorOf(req), (req.params as { id: number }).id));
  app.post('/api/certificates/arrive', {
    schema: { tags: tag('证书'), summary: '登记证书到达（按申请，批量）', body: { type: 'object', required: ['applicationIds', 'receivedFrom'], properties: { applicationIds: { type: 'array', items: int, minItems: 1 }, receivedFrom: { type: 'string', minLength: 1 } } },
      response: { 200: obj({ results: { type: 'array', items: obj({ applicationId: int, ok: bool, certificateId: int, code: str, message: str }) }, okCount: int, failCount: int }), ...errors } },
  }, async (req) => { const b = req.body as { applicationIds: number[]; receivedFrom: string }; return s.certificates.arrive(actorOf(req), b.applicationIds, b.receivedFrom); });
  app.post('/api/certificates/:id/handover', {
    schema: {
      tags: tag('证书'), summary: '发放证书（本人或受托人；核验身份证、签字）', params: idParams,
      body: { type: 'object', required: ['recipient', 'idCard', 'idChecked', 'signed'], properties: { recipient: { type: 'string', enum: ['student', 'authorised_person'] }, name: str, idCard: str, idChecked: bool, signed: bool, authorisationNote: str } },
      response: { 200: certificateSchema, ...errors },
    },
  }, async (req) => s.certificates.act(actorOf(req), (req.params as { id: number }).id, { type: 'certificate_hand_over', ...(req.body as { recipient: 'student' | 'authorised_person'; idCard: string; idChecked: boolean; signed: boolean }) }));
  app.post('/api/certificates/:id/confirm', { schema: { tags: tag('证书'), summary: '学生确认证书与学信网一致', params: idParams, response: { 200: certificateSchema, ...errors } } },
    async (req) => s.certificates.act(actorOf(req), (req.params as { id: number }).id, { type: 'certificate_confirm' }));
  app.post('/api/certificates/:id/problem', {
    schema: { tags: tag('证书'), summary: '反馈证书问题（上报上级）', params: idParams, body: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1 } } }, response: { 200: certificateSchema, ...errors } },
  }, async (req) => s.certificates.act(actorOf(req), (req.params as { id: number }).id, { type: 'certificate_report_problem', description: (req.body as { text: string }).text }));

  // ---------- photo collection orders (seed 004) ----------
  const orderSchema = obj({
    id: int, studentId: int, name: str, xuehao: strN, orgId: int, orgName: str, collectionOrgId: int, collectionOrgName: str, status: str, statusLabel: str,
    collectionCode: strN, hasPhoto: bool, shippingAddress: strN, rejectionCount: int, lastRejectionReason: strN, paidAmountFen: { type: ['integer', 'null'] }, paidAt: strN,
    finalPassedAt: strN, completedAt: strN, shippedAt: strN, trackingNumber: strN, paperReceivedOn: strN, inPersonAdvice: strN, feeFen: int, updatedAt: strN,
    warnings: { type: 'array', items: obj({ code: str, message: str }) },
  });
  const codeSchema = obj({ id: int, collectionOrgId: int, code: str, year: int });
  app.get('/api/collection/orders', { schema: { tags: tag('图像采集'), summary: '采集订单（采集中心看到的姓名已打码）', querystring: { type: 'object', properties: { status: str } }, response: { 200: items(orderSchema), ...errors } } },
    async (req) => s.collection.list(actorOf(req), req.query as { status?: string }));
  app.post('/api/collection/orders', { schema: { tags: tag('图像采集'), summary: '新建采集订单（学生或学习中心）', body: { type: 'object', required: ['studentId', 'collectionOrgId'], properties: { studentId: int, collectionOrgId: int } }, response: { 200: orderSchema, ...errors } } },
    async (req) => { const b = req.body as { studentId: number; collectionOrgId: number }; return s.collection.create(actorOf(req), b.studentId, b.collectionOrgId); });
  app.get('/api/collection/orders/:id', { schema: { tags: tag('图像采集'), summary: '采集订单详情', params: idParams, response: { 200: orderSchema, ...errors } } },
    async (req) => s.collection.get(actorOf(req), (req.params as { id: number }).id));
  app.post('/api/collection/orders/:id/photo', { schema: { tags: tag('图像采集'), summary: '上传采集照片（学生）', params: idParams, ...multipartBody({}), response: { 200: orderSchema, ...errors } } },
    async (req) => { const f = requireFile((await readMultipart(req)).file); return s.collection.uploadPhoto(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes); });
  app.get('/api/collection/orders/:id/photo', { schema: { tags: tag('图像采集'), summary: '采集照片', params: idParams, response: { 200: binary, ...errors } } }, async (req, reply) =>
    reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(await s.collection.photoFile(actorOf(req), (req.params as { id: number }).id)));
  const collectionActions = ['collection_submit', 'collection_first_review_pass', 'collection_pay', 'collection_final_pass', 'collection_reject', 'collection_complete', 'collection_ship', 'collection_record_receipt'];
  app.post('/api/collection/orders/:id/actions', {
    schema: {
      tags: tag('图像采集'), summary: '采集订单操作：提交、初审、支付（6700 分）、终审、驳回、完成、寄出、登记收件', params: idParams,
      body: { type: 'object', required: ['type'], properties: { type: { type: 'string', enum: collectionActions }, collectionCode: str, featureCode: str, shippingAddress: str, amountFen: int, reason: str, trackingNumber: str, receivedOn: str } },
      response: { 200: orderSchema, ...errors },
    },
  }, async (req) => s.collection.act(actorOf(req), (req.params as { id: number }).id, { photoId: null, ...(req.body as object) } as never));
  app.get('/api/collection/feature-codes', { schema: { tags: tag('图像采集'), summary: '特征码（工作人员）', response: { 200: items(codeSchema), ...errors } } }, async (req) => s.collection.featureCodes(actorOf(req)));
  app.post('/api/collection/feature-codes', { schema: { tags: tag('图像采集'), summary: '设置本年度特征码（采集中心）', body: { type: 'object', required: ['code', 'year'], properties: { code: str, year: { type: 'integer', minimum: 2000, maximum: 2200 } } }, response: { 200: codeSchema, ...errors } } },
    async (req) => { const b = req.body as { code: string; year: number }; return s.collection.addFeatureCode(actorOf(req), b.code, b.year); });
  app.get('/api/collection/reminders', {
    schema: { tags: tag('图像采集'), summary: '提醒：采集截止（按学习中心）、纸质照片逾期未寄出、学生核对学信网', response: { 200: obj({ deadlines: { type: 'array', items: obj({ batchId: int, batchName: str, orgId: int, orgName: str, deadline: str, daysLeft: int, overdue: bool, pendingStudentIds: { type: 'array', items: int }, message: str }) }, overdueShipments: { type: 'array', items: obj({ orderId: int, name: str, dueOn: str, workingDaysOverdue: int }) }, chsiChecks: { type: 'array', items: obj({ orderId: int, dueOn: str, workingDaysLeft: int, overdue: bool, message: str }) }, open: int }), ...errors } },
  }, async (req) => s.collection.reminders(actorOf(req)));

  // ---------- audit ----------
  app.get('/api/audit', {
    schema: { tags: tag('审计'), summary: '审计日志（本机构及下级）', querystring: { type: 'object', properties: { ...pageQuery, entity: str, entityId: int, orgId: int } }, response: { 200: page(auditSchema), ...errors } },
  }, async (req) => s.audit.list(actorOf(req), req.query as { page: number; pageSize: number }));

  // ---------- reports (XLSX) ----------
  app.get('/api/reports/students.xlsx', { schema: { tags: tag('报表'), summary: '导出学生名单', querystring: studentQuery, response: { 200: binary, ...errors } } }, async (req, reply) =>
    sendXlsx(reply, '学生名单', await toXlsx('学生名单', STUDENT_COLUMNS, await s.students.listAll(actorOf(req), req.query as StudentQuery))));
  app.get('/api/reports/applications.xlsx', { schema: { tags: tag('报表'), summary: '导出毕业申请', querystring: applicationQuery, response: { 200: binary, ...errors } } }, async (req, reply) =>
    sendXlsx(reply, '毕业申请', await toXlsx('毕业申请', APPLICATION_COLUMNS, await s.applications.listAll(actorOf(req), req.query as ApplicationQuery))));
  app.get('/api/reports/certificates.xlsx', { schema: { tags: tag('报表'), summary: '导出证书', querystring: certificateQuery, response: { 200: binary, ...errors } } }, async (req, reply) =>
    sendXlsx(reply, '毕业证书', await toXlsx('毕业证书', CERTIFICATE_COLUMNS, await s.certificates.listAll(actorOf(req), req.query as CertificateQuery))));
  app.get('/api/reports/certificates-pending.xlsx', { schema: { tags: tag('报表'), summary: '导出未发放证书', querystring: { type: 'object', properties: { batchId: int, orgId: int } }, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const q = req.query as { batchId?: number; orgId?: number };
    const all = await s.certificates.listAll(actorOf(req), q);
    const rows = all.filter((c) => c.state === ('pending' as CertificateStatus) || c.state === ('arrived' as CertificateStatus));
    return sendXlsx(reply, '未发放证书', await toXlsx('未发放证书', CERTIFICATE_COLUMNS, rows));
  });
  app.get('/api/reports/expiring.xlsx', { schema: { tags: tag('报表'), summary: '导出学籍即将到期学生', querystring: { type: 'object', properties: { before: { type: 'string', format: 'date' }, orgId: int } }, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const q = req.query as { before?: string; orgId?: number };
    return sendXlsx(reply, '学籍即将到期学生', await toXlsx('学籍即将到期', STUDENT_COLUMNS, await s.students.expiring(actorOf(req), q.before, q.orgId)));
  });
  app.get('/api/reports/expired.xlsx', { schema: { tags: tag('报表'), summary: '导出学籍已过期学生（学籍清理）', querystring: { type: 'object', properties: { orgId: int } }, response: { 200: binary, ...errors } } }, async (req, reply) =>
    sendXlsx(reply, '学籍清理名单', await toXlsx('学籍清理', STUDENT_COLUMNS, await s.students.expired(actorOf(req), (req.query as { orgId?: number }).orgId))));
  app.get('/api/reports/audit.xlsx', { schema: { tags: tag('报表'), summary: '导出审计日志（最近 5000 条）', querystring: { type: 'object', properties: { entity: str, entityId: int, orgId: int } }, response: { 200: binary, ...errors } } }, async (req, reply) => {
    const r = await s.audit.list(actorOf(req), { ...(req.query as object), page: 1, pageSize: 5000 });
    type A = (typeof r.items)[number];
    const cols: Column<A>[] = [
      { header: '时间', width: 24, value: (a) => a.at }, { header: '操作人', width: 20, value: (a) => a.actorName }, { header: '对象', value: (a) => a.entity },
      { header: '对象编号', value: (a) => a.entityId }, { header: '操作', width: 20, value: (a) => a.action }, { header: '理由', width: 30, value: (a) => a.reason },
      { header: '修改前', width: 40, value: (a) => (a.before ? JSON.stringify(a.before) : '') }, { header: '修改后', width: 40, value: (a) => (a.after ? JSON.stringify(a.after) : '') },
    ];
    return sendXlsx(reply, '审计日志', await toXlsx('审计日志', cols, r.items));
  });
}
