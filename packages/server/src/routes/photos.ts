import type { FastifyInstance, FastifyReply } from 'fastify';
import { AppError, invalid } from '../errors.js';
import { FaceJobPending, PHOTO_SOURCES, type PhotoSource } from '../services/photos.js';
import { errors, idParams, photoSchema, items, binary, obj, str, int } from './schemas.js';
import { actorOf, readMultipart, requireFile, multipartBody, tag } from './common.js';
import { receiveToTempFile } from './upload-temp.js';

/** 照片：上传、修正、参考照片、导入导出 */
/** The filters of the photo export (download and background job alike). */
export const photoExportQuery = {
  type: 'object',
  properties: {
    orgId: int,
    batchId: int,
    naming: { type: 'string', enum: ['xuehao', 'idcard'], default: 'xuehao' },
  },
} as const;

/** 202 of a face job still running on the worker: poll `/api/face-jobs/:jobId` for the answer. */
const faceJobPending = obj({ pending: { type: 'boolean' }, jobId: str, code: str, message: str });

/** Runs `work`; a face job still running on the worker after the wait is answered 202 with its id. */
async function pendingAs202<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (e) {
    if (!(e instanceof FaceJobPending)) throw e;
    return reply.code(202).send({ pending: true, jobId: e.jobId, code: e.code, message: e.message });
  }
}

export async function registerPhotoRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.post(
    '/api/students/:id/photo',
    {
      schema: {
        tags: tag('照片'),
        summary: '上传一名学生的毕业照片（字段 file、source）',
        params: idParams,
        ...multipartBody({ source: str }),
        response: { 200: photoSchema, ...errors },
      },
    },
    async (req) => {
      const { file, fields } = await readMultipart(req);
      const f = requireFile(file);
      return s.photos.upload(
        actorOf(req),
        (req.params as { id: number }).id,
        f.name,
        f.bytes,
        (fields.source ?? 'centre') as PhotoSource,
      );
    },
  );
  app.post(
    '/api/students/:id/photo/standardize',
    {
      schema: {
        tags: tag('照片'),
        summary: '修正当前照片（裁剪到规格、可换浅蓝背景、压缩到 20–40 KB、300 dpi），结果成为新的当前照片',
        params: idParams,
        body: {
          type: ['object', 'null'],
          properties: {
            align: { type: 'string', enum: ['centre', 'face'] },
            background: { type: 'string', enum: ['keep', 'blue'] },
          },
        },
        response: { 200: photoSchema, 202: faceJobPending, ...errors },
      },
    },
    async (req, reply) =>
      pendingAs202(reply, () =>
        s.photos.standardizeCurrent(
          actorOf(req),
          (req.params as { id: number }).id,
          (req.body ?? {}) as { align?: 'centre' | 'face'; background?: 'keep' | 'blue' },
        ),
      ),
  );
  app.get(
    '/api/students/:id/photo',
    {
      schema: {
        tags: tag('照片'),
        summary: '当前毕业照片（JPEG）',
        params: idParams,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const bytes = await s.photos.currentFile(actorOf(req), (req.params as { id: number }).id);
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
    },
  );
  app.get(
    '/api/students/:id/photos',
    {
      schema: {
        tags: tag('照片'),
        summary: '照片历史',
        params: idParams,
        response: { 200: items(photoSchema), ...errors },
      },
    },
    async (req) => ({ items: await s.photos.history(actorOf(req), (req.params as { id: number }).id) }),
  );
  app.post(
    '/api/students/:id/reference-photo',
    {
      schema: {
        tags: tag('照片'),
        summary: '导入学信网参考照片（用于同版比对）',
        params: idParams,
        ...multipartBody({}),
        response: { 200: obj({ studentId: int, fileName: str, bytes: int }), ...errors },
      },
    },
    async (req) => {
      const f = requireFile((await readMultipart(req)).file);
      return s.photos.uploadReference(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes);
    },
  );
  app.get(
    '/api/students/:id/reference-photo',
    {
      schema: {
        tags: tag('照片'),
        summary: '学信网参考照片（JPEG）',
        params: idParams,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const bytes = await s.photos.referenceFile(actorOf(req), (req.params as { id: number }).id);
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
    },
  );
  const checkRow = obj({ id: str, status: str, code: str, value: { type: ['number', 'null'] }, message: str });
  app.get(
    '/api/students/:id/reference-compare',
    {
      schema: {
        tags: tag('照片'),
        summary: '与学信网参考照片比对（同一人、同版）',
        params: idParams,
        response: { 200: obj({ status: str, face: checkRow, sameShot: checkRow }), 202: faceJobPending, ...errors },
      },
    },
    async (req, reply) =>
      pendingAs202(reply, () => s.photos.compareReferenceFor(actorOf(req), (req.params as { id: number }).id)),
  );
  app.get(
    '/api/photo-profile',
    {
      schema: {
        tags: tag('照片'),
        summary: '当前照片规格（尺寸、几何范围等）',
        response: { 200: { type: 'object', additionalProperties: true }, ...errors },
      },
    },
    async () => {
      const p = await s.photos.profile();
      if (!p) throw new AppError(503, 'ENGINE_UNAVAILABLE', '照片检测引擎不可用');
      return p;
    },
  );
  app.get(
    '/api/photos/export.zip',
    {
      schema: {
        tags: tag('照片'),
        summary: '导出合格照片（zip，按学号或身份证号命名，附导出报告）',
        querystring: photoExportQuery,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const buf = await s.photos.exportZip(
        actor,
        req.query as { orgId?: number; naming: 'xuehao' | 'idcard'; batchId?: number },
        { onFinish: (students) => s.exportJobs.auditExport(actor, 'photos', students) },
      );
      return reply
        .header('content-type', 'application/zip')
        .header(
          'content-disposition',
          `attachment; filename="photos.zip"; filename*=UTF-8''${encodeURIComponent('毕业照片')}.zip`,
        )
        .send(buf);
    },
  );
  app.post(
    '/api/photos/:id/review',
    {
      schema: {
        tags: tag('照片'),
        summary: '人工复核“待人工复核”的照片：确认合格或不合格（须填写说明；检测结果保留）',
        params: idParams,
        body: {
          type: 'object',
          required: ['decision', 'note'],
          properties: {
            decision: { type: 'string', enum: ['pass', 'fail'] },
            note: { type: 'string', maxLength: 500 },
          },
        },
        response: { 200: photoSchema, ...errors },
      },
    },
    async (req) =>
      s.photos.reviewDecision(
        actorOf(req),
        (req.params as { id: number }).id,
        req.body as { decision: 'pass' | 'fail'; note: string },
      ),
  );
  app.get(
    '/api/photos/:id',
    {
      schema: {
        tags: tag('照片'),
        summary: '照片与检测结果',
        params: idParams,
        response: { 200: photoSchema, ...errors },
      },
    },
    async (req) => s.photos.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.get(
    '/api/photos/:id/file',
    {
      schema: {
        tags: tag('照片'),
        summary: '照片文件（JPEG）',
        params: idParams,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const bytes = await s.photos.file(actorOf(req), (req.params as { id: number }).id);
      return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, no-store').send(bytes);
    },
  );
  const fileRow = obj({ file: str, studentId: int, photoId: int, code: str, message: str });
  app.post(
    '/api/photos/import',
    {
      schema: {
        tags: tag('照片'),
        summary: '批量导入照片（zip 或单张 jpg，文件名为学号或身份证号；字段 file、orgId、source）',
        ...multipartBody({ orgId: int, source: str }),
        response: {
          200: obj({
            matched: { type: 'array', items: fileRow },
            unmatched: { type: 'array', items: fileRow },
            duplicates: { type: 'array', items: fileRow },
            locked: { type: 'array', items: fileRow },
            identical: { type: 'array', items: fileRow },
            missing: { type: 'array', items: obj({ studentId: int, xuehao: str, name: str }) },
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      // Streamed to a temporary file (capped), never held in memory; the zip reader opens it from disk.
      const upload = await receiveToTempFile(req);
      try {
        const { file, fields } = upload;
        if (!file || file.bytes === 0) throw invalid('没有收到文件（字段名 file）', 'FILE_REQUIRED');
        const source = (fields.source ?? 'collection') as PhotoSource;
        if (!PHOTO_SOURCES.includes(source)) throw invalid(`照片来源“${source}”无效`);
        const orgId = Number(fields.orgId ?? actorOf(req).orgId);
        // Recorded as an import job (导入历史); this answer waits for the result.
        return (await s.importJobs.photoArchive(actorOf(req), orgId, file, source)).result;
      } finally {
        await upload.remove();
      }
    },
  );
}
