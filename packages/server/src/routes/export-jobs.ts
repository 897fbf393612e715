import type { FastifyInstance } from 'fastify';
import type { ExportKind, ExportParams } from '../services/export-sources.js';
import { errors, errorSchema, idParams, obj, str, strN, int, intN } from './schemas.js';
import { actorOf, tag } from './common.js';
import { REPORT_ROUTES } from './reports.js';
import { photoExportQuery } from './photos.js';

export const exportJobSchema = obj({
  id: int,
  kind: str,
  kindLabel: str,
  fileName: str,
  params: { type: 'object', additionalProperties: true },
  orgId: int,
  orgName: str,
  status: str,
  statusLabel: str,
  totalRows: int,
  doneRows: int,
  percent: int,
  bytes: int,
  createdAt: str,
  startedAt: strN,
  finishedAt: strN,
  expiresAt: strN,
  errorCode: strN,
  errorMessage: strN,
  downloadUrl: strN,
});

/** 后台导出：开始（与下载地址相同的筛选条件）、我的导出任务、进度、下载（仅发起人，7 天内） */
export async function registerExportJobRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const starts: Array<{ kind: ExportKind; path: string; summary: string; body: object }> = [
    ...REPORT_ROUTES.map((r) => ({
      kind: r.kind as ExportKind,
      path: `${r.kind}.xlsx`,
      summary: `后台${r.summary}`,
      body: r.querystring,
    })),
    { kind: 'photos', path: 'photos.zip', summary: '后台导出合格照片（zip）', body: photoExportQuery },
  ];
  for (const r of starts) {
    app.post(
      `/api/export-jobs/${r.path}`,
      {
        schema: {
          tags: tag('导出任务'),
          summary: `${r.summary}：立即返回导出任务，文件在服务器上生成，完成后在“导出任务”中下载（保留 7 天）`,
          body: r.body,
          response: { 202: exportJobSchema, ...errors },
        },
      },
      async (req, reply) => {
        const job = await s.exportJobs.start(actorOf(req), r.kind, (req.body ?? {}) as ExportParams);
        return reply.code(202).send(job);
      },
    );
  }
  app.get(
    '/api/export-jobs',
    {
      schema: {
        tags: tag('导出任务'),
        summary: '我的导出任务（最新在前）',
        querystring: { type: 'object', properties: { before: int, limit: int } },
        response: { 200: obj({ items: { type: 'array', items: exportJobSchema }, nextBefore: intN }), ...errors },
      },
    },
    async (req) => s.exportJobs.list(actorOf(req), req.query as { before?: number; limit?: number }),
  );
  app.get(
    '/api/export-jobs/:id',
    {
      schema: {
        tags: tag('导出任务'),
        summary: '一个导出任务的进度',
        params: idParams,
        response: { 200: exportJobSchema, ...errors },
      },
    },
    async (req) => s.exportJobs.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.get(
    '/api/export-jobs/:id/download',
    {
      schema: {
        tags: tag('导出任务'),
        summary: '下载导出文件（仅发起人；过期后 410）',
        params: idParams,
        response: { 200: { type: 'string', format: 'binary' }, 410: errorSchema, ...errors },
      },
    },
    async (req, reply) => {
      const f = await s.exportJobs.download(actorOf(req), (req.params as { id: number }).id);
      const ascii = f.name.endsWith('.zip') ? 'export.zip' : 'export.xlsx';
      return reply
        .header('content-type', f.contentType)
        .header('content-length', String(f.bytes))
        .header(
          'content-disposition',
          `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.name)}`,
        )
        .send(f.stream);
    },
  );
}
