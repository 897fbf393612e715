import type { FastifyInstance } from 'fastify';
import { BULK_CREATE_MAX } from '../services/bulk-work.js';
import { errors, obj, str, int, bool } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 批量办理：批量建立毕业申请、整批登记证书到达 */
export async function registerBulkWorkRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.post(
    '/api/applications/bulk-create',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: `批量建立毕业申请（选中的学生或粘贴的学号列；逐条返回结果；每次最多 ${BULK_CREATE_MAX} 名）`,
        body: {
          type: 'object',
          required: ['batchId'],
          properties: {
            batchId: int,
            studentIds: { type: 'array', items: int, maxItems: BULK_CREATE_MAX },
            xuehaoList: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: BULK_CREATE_MAX },
            apply: { ...bool, description: '同时登记为已申请（学生已在纸质申请表上签字）' },
          },
        },
        response: {
          200: obj({
            results: {
              type: 'array',
              items: obj({
                ref: str,
                ok: bool,
                studentId: int,
                xuehao: str,
                name: str,
                applicationId: int,
                state: str,
                code: str,
                message: str,
              }),
            },
            okCount: int,
            failCount: int,
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      s.bulkWork.createApplications(
        actorOf(req),
        req.body as { batchId: number; studentIds?: number[]; xuehaoList?: string[]; apply?: boolean },
      ),
  );
  app.post(
    '/api/certificates/arrive-batch',
    {
      schema: {
        tags: tag('证书'),
        summary: '整批登记证书到达（某批次、可限定机构下所有待到达的证书；逐本返回结果）',
        body: {
          type: 'object',
          required: ['batchId', 'receivedFrom'],
          properties: { batchId: int, orgId: int, receivedFrom: { type: 'string', minLength: 1, maxLength: 100 } },
        },
        response: {
          200: obj({
            batchName: str,
            results: {
              type: 'array',
              items: obj({ certificateId: int, studentName: str, xuehao: str, ok: bool, code: str, message: str }),
            },
            okCount: int,
            failCount: int,
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      s.bulkWork.arriveBatch(actorOf(req), req.body as { batchId: number; orgId?: number; receivedFrom: string }),
  );
}
