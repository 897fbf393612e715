import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { writeXlsxStream } from '../services/reports.js';
import { AUDIT_EXPORT_MAX, type ExportParams, type XlsxExport } from '../services/export-sources.js';
import type { Actor } from '../services/context.js';
import { errors, binary, str, int } from './schemas.js';
import { XLSX, actorOf, tag } from './common.js';
import { studentQuery, applicationQuery, certificateQuery } from './queries.js';

export {
  STUDENT_COLUMNS,
  APPLICATION_COLUMNS,
  CERTIFICATE_COLUMNS,
  PHOTO_STATUS_LABELS,
  PHOTO_SOURCE_LABELS,
} from '../services/export-sources.js';

/**
 * Sends an XLSX written row by row from the export's pages (see writeXlsxStream); the first page is read before
 * the headers, so refusals (not staff, organisation out of scope…) surface as a proper status before any byte is
 * sent. A finished download is audited (PIPL: exports hold names) with the rows written.
 */
async function sendXlsxStream(app: FastifyInstance, reply: FastifyReply, actor: Actor, x: XlsxExport) {
  const first = await x.pages.next();
  async function* all() {
    if (!first.done) yield first.value;
    yield* x.pages;
  }
  const out = new PassThrough();
  writeXlsxStream(out, x.sheetName, x.columns, all()).then(
    async (rows) => {
      out.end();
      await app.ctx.services.exportJobs.auditExport(actor, x.kind, rows).catch((e: unknown) => {
        app.log.error({ err: e }, `audit of the XLSX export ${x.fileName} failed`);
      });
    },
    (e: unknown) => {
      // A download the client closed early is logged as information, anything else as an error.
      if (out.destroyed) app.log.info(`XLSX export ${x.fileName} stopped: the client closed the download`);
      else app.log.error({ err: e }, `XLSX export ${x.fileName} failed`);
      out.destroy(e as Error);
    },
  );
  return reply
    .header('content-type', XLSX)
    .header(
      'content-disposition',
      `attachment; filename="report.xlsx"; filename*=UTF-8''${encodeURIComponent(x.fileName)}.xlsx`,
    )
    .send(out);
}

/** The download routes of the XLSX reports: path, summary and query schema (the same filters as the lists). */
export const REPORT_ROUTES = [
  { kind: 'students', summary: '导出学生名单', querystring: studentQuery },
  { kind: 'applications', summary: '导出毕业申请', querystring: applicationQuery },
  { kind: 'certificates', summary: '导出证书', querystring: certificateQuery },
  {
    kind: 'certificates-pending',
    summary: '导出未发放证书',
    querystring: { type: 'object', properties: { batchId: int, orgId: int } },
  },
  {
    kind: 'expiring',
    summary: '导出学籍即将到期学生',
    querystring: { type: 'object', properties: { before: { type: 'string', format: 'date' }, orgId: int } },
  },
  {
    kind: 'expired',
    summary: '导出学籍已过期学生（学籍清理）',
    querystring: { type: 'object', properties: { orgId: int } },
  },
  {
    kind: 'audit',
    summary: `导出审计日志（最近 ${AUDIT_EXPORT_MAX} 条）`,
    querystring: { type: 'object', properties: { entity: str, entityId: int, orgId: int } },
  },
] as const;

/** 报表（XLSX）：每个报表逐行流式写出（按游标分页读取数据库），任何行数下内存恒定；大量数据可改为后台导出 */
export async function registerReportRoutes(app: FastifyInstance): Promise<void> {
  for (const r of REPORT_ROUTES) {
    app.get(
      `/api/reports/${r.kind}.xlsx`,
      {
        schema: {
          tags: tag('报表'),
          summary: r.summary,
          querystring: r.querystring,
          response: { 200: binary, ...errors },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const x = await app.ctx.services.exportSources.xlsx(actor, r.kind, req.query as ExportParams);
        return sendXlsxStream(app, reply, actor, x);
      },
    );
  }
}
