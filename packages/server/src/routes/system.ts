import type { FastifyInstance } from 'fastify';
import { obj, str, bool } from './schemas.js';
import { tag } from './common.js';

/** 健康检查 */
export async function registerSystemRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/health',
    { schema: { tags: tag('系统'), summary: '健康检查', response: { 200: obj({ ok: bool, db: str, queue: str }) } } },
    async () => ({ ok: true, db: app.ctx.db.kind, queue: app.ctx.queue.kind }),
  );
}
