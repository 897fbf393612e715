import type { FastifyInstance } from 'fastify';
import { errors, auditSchema, page, pageQuery, str, int } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 审计日志 */
export async function registerAuditRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/audit',
    {
      schema: {
        tags: tag('审计'),
        summary: '审计日志（本机构及下级）',
        querystring: { type: 'object', properties: { ...pageQuery, entity: str, entityId: int, orgId: int } },
        response: { 200: page(auditSchema), ...errors },
      },
    },
    async (req) => s.audit.list(actorOf(req), req.query as { page: number; pageSize: number }),
  );
}
