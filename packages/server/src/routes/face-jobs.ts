import type { FastifyInstance } from 'fastify';
import { errors, obj, str } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 照片分析任务（WORKERS=external 时同版比对与一键修正在 gradpass worker 上进行）：进度与结果 */
export async function registerFaceJobRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/face-jobs/:jobId',
    {
      schema: {
        tags: tag('照片'),
        summary: '照片分析任务（同版比对、一键修正）的进度与结果：接口答复 202 时轮询此处',
        params: obj({ jobId: { type: 'string', maxLength: 64 } }, ['jobId']),
        response: {
          200: obj({ status: str, statusLabel: str, op: str, result: { type: 'object', additionalProperties: true } }),
          ...errors,
        },
      },
    },
    async (req) => app.ctx.services.photos.faceJobStatus(actorOf(req), (req.params as { jobId: string }).jobId),
  );
}
