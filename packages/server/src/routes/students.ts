import type { FastifyInstance } from 'fastify';
import {
  errors,
  idParams,
  studentSchema,
  page,
  pageQuery,
  items,
  binary,
  obj,
  str,
  strN,
  int,
  bool,
} from './schemas.js';
import { actorOf, readMultipart, requireFile, multipartBody, tag, UPLOAD_CAPS } from './common.js';
import { studentQuery, type StudentQuery } from './queries.js';

/** 学籍与身份复核 */
export async function registerStudentRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/students',
    {
      schema: {
        tags: tag('学籍'),
        summary: '学生列表（筛选、分页）',
        querystring: studentQuery,
        response: { 200: page(studentSchema), ...errors },
      },
    },
    async (req) => s.students.list(actorOf(req), req.query as StudentQuery),
  );
  app.get(
    '/api/students/expiring',
    {
      schema: {
        tags: tag('学籍'),
        summary: '学籍将在某日前到期的学生',
        querystring: { type: 'object', properties: { before: { type: 'string', format: 'date' }, orgId: int } },
        response: { 200: items(studentSchema), ...errors },
      },
    },
    async (req) => {
      const q = req.query as { before?: string; orgId?: number };
      return { items: await s.students.expiring(actorOf(req), q.before, q.orgId) };
    },
  );
  app.get(
    '/api/students/expired',
    {
      schema: {
        tags: tag('学籍'),
        summary: '学籍已超过 8 年有效期的学生（学籍清理）',
        querystring: { type: 'object', properties: { orgId: int } },
        response: { 200: items(studentSchema), ...errors },
      },
    },
    async (req) => ({ items: await s.students.expired(actorOf(req), (req.query as { orgId?: number }).orgId) }),
  );
  app.get(
    '/api/students/priorities',
    {
      schema: {
        tags: tag('学籍'),
        summary: '首批优先审核：专科续读、学籍将在下一批次前到期（分页：先列学籍将到期的，再按学号）',
        querystring: {
          type: 'object',
          properties: { ...pageQuery, nextBatchStart: { type: 'string', format: 'date' }, orgId: int },
        },
        response: {
          200: page(
            obj({
              student: studentSchema,
              reasons: { type: 'array', items: obj({ code: str, message: str }) },
            }),
          ),
          ...errors,
        },
      },
    },
    async (req) =>
      s.students.priorities(
        actorOf(req),
        req.query as { nextBatchStart?: string; orgId?: number; page: number; pageSize: number },
      ),
  );
  app.get(
    '/api/students/:id',
    {
      schema: { tags: tag('学籍'), summary: '学生详情', params: idParams, response: { 200: studentSchema, ...errors } },
    },
    async (req) => s.students.get(actorOf(req), (req.params as { id: number }).id),
  );
  const studentBody = {
    xuehao: str,
    idCard: str,
    name: { type: 'string', minLength: 1 },
    orgId: int,
    programme: str,
    level: str,
    enrolTerm: str,
    continuing: bool,
  };
  app.post(
    '/api/students',
    {
      schema: {
        tags: tag('学籍'),
        summary: '新增学生',
        body: {
          type: 'object',
          required: ['xuehao', 'idCard', 'name', 'orgId', 'programme', 'level', 'enrolTerm'],
          properties: studentBody,
        },
        response: { 200: studentSchema, ...errors },
      },
    },
    async (req) =>
      s.students.create(
        actorOf(req),
        req.body as {
          xuehao: string;
          idCard: string;
          name: string;
          orgId: number;
          programme: string;
          level: string;
          enrolTerm: string;
          continuing?: boolean;
        },
      ),
  );
  app.post(
    '/api/students/:id/reveal-id-card',
    {
      schema: {
        tags: tag('学籍'),
        summary: '查看完整身份证号（仅该学生所在学习中心工作人员；须说明理由，记入审计日志）',
        params: idParams,
        body: obj({ reason: { type: 'string', minLength: 1, maxLength: 200 } }, ['reason']),
        response: { 200: obj({ studentId: int, idCard: str }), ...errors },
      },
    },
    async (req) =>
      s.students.revealIdCard(actorOf(req), (req.params as { id: number }).id, (req.body as { reason: string }).reason),
  );
  app.patch(
    '/api/students/:id',
    {
      schema: {
        tags: tag('学籍'),
        summary: '修改学生信息（含专科续读标记）',
        params: idParams,
        body: {
          type: 'object',
          properties: { name: str, programme: str, level: str, enrolTerm: str, continuing: bool },
        },
        response: { 200: studentSchema, ...errors },
      },
    },
    async (req) => s.students.update(actorOf(req), (req.params as { id: number }).id, req.body as { name?: string }),
  );
  app.post(
    '/api/students/import',
    {
      schema: {
        tags: tag('学籍'),
        summary: '导入名册（XLSX/CSV，字段 file 和 orgId）',
        ...multipartBody({ orgId: int }),
        response: {
          200: obj({
            created: int,
            updated: int,
            failed: int,
            rows: { type: 'array', items: obj({ row: int, ok: bool, xuehao: str, code: str, message: str }) },
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const { file, fields } = await readMultipart(req, UPLOAD_CAPS.roster);
      const f = requireFile(file);
      const orgId = Number(fields.orgId ?? actorOf(req).orgId);
      // Recorded as an import job (导入历史) like the background import; this answer waits for the result.
      return (await s.importJobs.roster(actorOf(req), orgId, f.name, f.bytes)).result;
    },
  );
  app.post(
    '/api/students/:id/chsi-photo/confirm',
    {
      schema: {
        tags: tag('学籍'),
        summary: '确认学信网学历照片已补齐（图像采集订单已上传学信网后，清除“学信网缺学历照片”标记）',
        params: idParams,
        response: { 200: studentSchema, ...errors },
      },
    },
    async (req) => s.students.confirmChsiPhoto(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/students/flags/import',
    {
      schema: {
        tags: tag('学籍'),
        summary: '导入学信网标记（缺学历照片 / 身份存疑）',
        body: {
          type: 'object',
          required: ['flag', 'identifiers'],
          properties: {
            flag: { type: 'string', enum: ['chsi_photo_missing', 'identity_doubtful'] },
            set: { type: 'boolean', default: true },
            identifiers: { type: 'array', items: str, maxItems: 20000 },
          },
        },
        response: {
          200: obj({
            rows: { type: 'array', items: obj({ identifier: str, ok: bool, studentId: int, code: str, message: str }) },
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const b = req.body as { flag: 'chsi_photo_missing' | 'identity_doubtful'; set: boolean; identifiers: string[] };
      return (await s.importJobs.flags(actorOf(req), b.flag, b.set, b.identifiers)).result;
    },
  );

  // identity re-verification
  const identitySchema = obj({
    status: str,
    identityDoubtful: bool,
    documents: { type: 'array', items: obj({ id: int, fileName: str, bytes: int, uploadedAt: str, uploadedBy: int }) },
    decidedAt: strN,
    decidedBy: { type: ['integer', 'null'] },
    reason: strN,
  });
  app.get(
    '/api/students/:id/identity',
    {
      schema: {
        tags: tag('身份复核'),
        summary: '身份复核状态与材料',
        params: idParams,
        response: { 200: identitySchema, ...errors },
      },
    },
    async (req) => s.students.identity(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/students/:id/identity/documents',
    {
      schema: {
        tags: tag('身份复核'),
        summary: '上传身份复核材料（学习中心）',
        params: idParams,
        ...multipartBody({}),
        response: { 200: obj({ id: int, fileName: str, bytes: int, uploadedAt: str }), ...errors },
      },
    },
    async (req) => {
      const f = requireFile((await readMultipart(req, UPLOAD_CAPS.document)).file);
      return s.students.addIdentityDocument(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes);
    },
  );
  app.post(
    '/api/students/:id/identity/submit',
    {
      schema: {
        tags: tag('身份复核'),
        summary: '提交身份复核（学习中心 → 省级）',
        params: idParams,
        response: { 200: identitySchema, ...errors },
      },
    },
    async (req) => s.students.submitIdentity(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/students/:id/identity/decision',
    {
      schema: {
        tags: tag('身份复核'),
        summary: '身份复核决定（省级）',
        params: idParams,
        body: { type: 'object', required: ['approve'], properties: { approve: bool, reason: str } },
        response: { 200: identitySchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { approve: boolean; reason?: string };
      return s.students.decideIdentity(actorOf(req), (req.params as { id: number }).id, b.approve, b.reason);
    },
  );
  app.get(
    '/api/identity-documents/:id/file',
    {
      schema: {
        tags: tag('身份复核'),
        summary: '下载身份复核材料',
        params: idParams,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const d = await s.students.identityDocumentFile(actorOf(req), (req.params as { id: number }).id);
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.fileName)}`)
        .send(d.bytes);
    },
  );
}
