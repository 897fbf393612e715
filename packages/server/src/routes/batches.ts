import type { FastifyInstance } from 'fastify';
import { errors, idParams, batchSchema, batchInputSchema, items } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 毕业批次 */
export async function registerBatchRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/batches',
    { schema: { tags: tag('批次'), summary: '毕业批次', response: { 200: items(batchSchema), ...errors } } },
    async (req) => ({ items: await s.batches.list(actorOf(req)) }),
  );
  app.post(
    '/api/batches',
    {
      schema: {
        tags: tag('批次'),
        summary: '新建批次（省级）',
        body: { ...batchInputSchema, required: ['name', 'firstWindow', 'secondWindow', 'deadline'] },
        response: { 200: batchSchema, ...errors },
      },
    },
    async (req) => s.batches.create(actorOf(req), req.body as never),
  );
  app.patch(
    '/api/batches/:id',
    {
      schema: {
        tags: tag('批次'),
        summary: '修改批次时间（省级）',
        params: idParams,
        body: batchInputSchema,
        response: { 200: batchSchema, ...errors },
      },
    },
    async (req) => s.batches.update(actorOf(req), (req.params as { id: number }).id, req.body as never),
  );
}
