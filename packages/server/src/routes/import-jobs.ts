import type { FastifyInstance } from 'fastify';
import { invalid } from '../errors.js';
import { PHOTO_SOURCES, type PhotoSource } from '../services/photos.js';
import type { ImportKind } from '../services/import-jobs.js';
import { errors, idParams, binary, obj, str, strN, int, intN, bool } from './schemas.js';
import { actorOf, readMultipart, requireFile, multipartBody, sendXlsx, tag, UPLOAD_CAPS } from './common.js';
import { receiveToTempFile } from './upload-temp.js';

export const importJobSchema = obj({
  id: int,
  kind: str,
  kindLabel: str,
  orgId: int,
  orgName: str,
  userName: str,
  fileName: str,
  sha256: strN,
  bytes: int,
  status: str,
  statusLabel: str,
  startedAt: str,
  finishedAt: strN,
  total: int,
  okCount: int,
  failedCount: int,
  skippedCount: int,
  summary: strN,
  errorCode: strN,
  errorMessage: strN,
  reportRows: int,
  reportTruncated: bool,
});
const reportRow = obj({ ref: str, status: str, xuehao: str, name: str, code: str, message: str });

/** 导入任务：后台导入（刷新不丢）、导入历史、报告下载 */
export async function registerImportJobRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const started = { 202: obj({ job: importJobSchema }), ...errors };
  app.post(
    '/api/import-jobs/roster',
    {
      schema: {
        tags: tag('导入任务'),
        summary: '后台导入名册（XLSX/CSV，字段 file 和 orgId）：立即返回导入任务，导入在服务器上继续',
        ...multipartBody({ orgId: int }),
        response: started,
      },
    },
    async (req, reply) => {
      const { file, fields } = await readMultipart(req, UPLOAD_CAPS.roster);
      const f = requireFile(file);
      const orgId = Number(fields.orgId ?? actorOf(req).orgId);
      const { job } = await s.importJobs.roster(actorOf(req), orgId, f.name, f.bytes, { background: true });
      return reply.code(202).send({ job });
    },
  );
  app.post(
    '/api/import-jobs/photos',
    {
      schema: {
        tags: tag('导入任务'),
        summary: '后台导入照片（zip 或单张 jpg；字段 file、orgId、source）：立即返回导入任务',
        ...multipartBody({ orgId: int, source: str }),
        response: started,
      },
    },
    async (req, reply) => {
      const upload = await receiveToTempFile(req);
      const { file, fields } = upload;
      if (!file || file.bytes === 0) {
        await upload.remove();
        throw invalid('没有收到文件（字段名 file）', 'FILE_REQUIRED');
      }
      const source = (fields.source ?? 'collection') as PhotoSource;
      if (!PHOTO_SOURCES.includes(source)) {
        await upload.remove();
        throw invalid(`照片来源“${source}”无效`);
      }
      const orgId = Number(fields.orgId ?? actorOf(req).orgId);
      const { job } = await s.importJobs.photoArchive(actorOf(req), orgId, file, source, {
        background: true,
        cleanup: upload.remove,
      });
      return reply.code(202).send({ job });
    },
  );
  app.get(
    '/api/import-jobs',
    {
      schema: {
        tags: tag('导入任务'),
        summary: '导入历史（新的在前；before = 上一页最后一条的编号）',
        querystring: {
          type: 'object',
          properties: {
            orgId: int,
            kind: { type: 'string', enum: ['roster', 'photos', 'flags'] },
            before: int,
            limit: { type: 'integer', minimum: 1, maximum: 200 },
          },
        },
        response: { 200: obj({ items: { type: 'array', items: importJobSchema }, nextBefore: intN }), ...errors },
      },
    },
    async (req) =>
      s.importJobs.list(
        actorOf(req),
        req.query as { orgId?: number; kind?: ImportKind; before?: number; limit?: number },
      ),
  );
  app.get(
    '/api/import-jobs/:id',
    {
      schema: {
        tags: tag('导入任务'),
        summary: '一次导入：状态、计数与逐行报告',
        params: idParams,
        response: {
          200: { ...importJobSchema, properties: { ...importJobSchema.properties, report: { type: 'array', items: reportRow } } },
          ...errors,
        },
      },
    },
    async (req) => s.importJobs.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.get(
    '/api/import-jobs/:id/report.xlsx',
    {
      schema: {
        tags: tag('导入任务'),
        summary: '下载导入报告（XLSX）',
        params: idParams,
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const r = await s.importJobs.reportXlsx(actorOf(req), (req.params as { id: number }).id);
      return sendXlsx(reply, r.name, r.bytes);
    },
  );
}
