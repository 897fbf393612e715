import type { FastifyInstance } from 'fastify';
import { obj, str, bool } from './schemas.js';
import { tag } from './common.js';

/** 健康检查: 200 when the database answers, 503 DB_UNAVAILABLE when it does not (for load balancers). */
export async function registerSystemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/health',
    {
      schema: {
        tags: tag('系统'),
        summary: '健康检查（数据库不可用时 503）',
        response: { 200: obj({ ok: bool, db: str, queue: str }), 503: obj({ code: str, message: str }) },
      },
    },
    async (_req, reply) => {
      if (!(await app.ctx.db.ping()))
        return reply.status(503).send({ code: 'DB_UNAVAILABLE', message: '数据库暂时无法连接，请稍后再试' });
      return { ok: true, db: app.ctx.db.kind, queue: app.ctx.queue.kind };
    },
  );
}
