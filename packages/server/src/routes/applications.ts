import type { FastifyInstance } from 'fastify';
import { API_ACTIONS, type ActBody, type ApiAction } from '../services/applications.js';
import {
  errors,
  idParams,
  orgSchema,
  applicationSchema,
  auditSchema,
  page,
  obj,
  str,
  strN,
  int,
  bool,
  any,
} from './schemas.js';
import { actorOf, tag } from './common.js';
import { applicationQuery, type ApplicationQuery } from './queries.js';

/** 毕业申请与审核进度 */
export async function registerApplicationRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/applications',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '申请列表',
        querystring: applicationQuery,
        response: { 200: page(applicationSchema), ...errors },
      },
    },
    async (req) => s.applications.list(actorOf(req), req.query as ApplicationQuery),
  );
  app.get(
    '/api/applications/:id',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '申请详情与审核记录',
        params: idParams,
        response: {
          200: {
            ...applicationSchema,
            properties: { ...applicationSchema.properties, history: { type: 'array', items: auditSchema } },
          },
          ...errors,
        },
      },
    },
    async (req) => s.applications.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/applications',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '新建毕业申请（草稿）',
        body: {
          type: 'object',
          required: ['studentId', 'batchId'],
          properties: { studentId: int, batchId: int, degreeRequested: bool },
        },
        response: { 200: applicationSchema, ...errors },
      },
    },
    async (req) =>
      s.applications.create(
        actorOf(req),
        req.body as { studentId: number; batchId: number; degreeRequested?: boolean },
      ),
  );
  const actionBody = {
    action: { type: 'string', enum: API_ACTIONS },
    reason: str,
    samePhotoConfirmed: bool,
    referenceOverrideReason: {
      type: 'string',
      maxLength: 500,
      description: '同版比对不一致仍提交时的理由（留痕，各级审核可见）',
    },
    degreeRequested: bool,
  };
  app.post(
    '/api/applications/:id/actions',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '审核操作：apply / submit / approve / return / reject',
        params: idParams,
        body: { type: 'object', required: ['action'], properties: actionBody },
        response: { 200: applicationSchema, ...errors },
      },
    },
    async (req) => s.applications.act(actorOf(req), (req.params as { id: number }).id, req.body as ActBody),
  );
  app.post(
    '/api/applications/bulk',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '批量审核（逐条返回结果）',
        body: {
          type: 'object',
          required: ['ids', 'action'],
          properties: {
            ids: { type: 'array', items: int, minItems: 1, maxItems: 5000 },
            ...actionBody,
            samePhotoConfirmed: {
              type: 'boolean',
              description: '批量提交：与学信网照片比对为同版的学生视为已确认；其余学生须逐个列入 samePhotoConfirmedIds',
            },
            samePhotoConfirmedIds: {
              type: 'array',
              items: int,
              maxItems: 5000,
              description: '已逐个核对同版的申请编号',
            },
          },
        },
        response: {
          200: obj({
            results: {
              type: 'array',
              items: obj({
                id: int,
                ok: bool,
                state: str,
                registrationNumber: strN,
                code: str,
                message: str,
                warnings: { type: 'array', items: any },
              }),
            },
            okCount: int,
            failCount: int,
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const b = req.body as {
        ids: number[];
        action: ApiAction;
        reason?: string;
        samePhotoConfirmed?: boolean;
        samePhotoConfirmedIds?: number[];
      };
      return s.applications.bulk(actorOf(req), b.ids, b);
    },
  );
  app.get(
    '/api/progress',
    {
      schema: {
        tags: tag('毕业申请'),
        summary: '审核进度：下级机构 × 状态 计数',
        querystring: { type: 'object', properties: { batchId: int, orgId: int } },
        response: {
          200: obj({
            org: orgSchema,
            states: { type: 'array', items: str },
            stateLabels: { type: 'object', additionalProperties: str },
            rows: {
              type: 'array',
              items: obj({ org: orgSchema, counts: { type: 'object', additionalProperties: int }, total: int }),
            },
            totals: obj({ counts: { type: 'object', additionalProperties: int }, total: int }),
          }),
          ...errors,
        },
      },
    },
    async (req) => s.applications.progress(actorOf(req), req.query as { batchId?: number; orgId?: number }),
  );
}
