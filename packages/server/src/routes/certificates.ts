import type { FastifyInstance } from 'fastify';
import { errors, idParams, orgSchema, certificateSchema, page, obj, str, int, bool } from './schemas.js';
import { actorOf, tag } from './common.js';
import { certificateQuery, type CertificateQuery } from './queries.js';

/** 毕业证书 */
export async function registerCertificateRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/certificates',
    {
      schema: {
        tags: tag('证书'),
        summary: '证书列表',
        querystring: certificateQuery,
        response: { 200: page(certificateSchema), ...errors },
      },
    },
    async (req) => s.certificates.list(actorOf(req), req.query as CertificateQuery),
  );
  app.get(
    '/api/certificates/pending',
    {
      schema: {
        tags: tag('证书'),
        summary: '各学习中心未发放证书统计',
        querystring: { type: 'object', properties: { batchId: int } },
        response: {
          200: obj({
            rows: {
              type: 'array',
              items: obj({
                org: { anyOf: [{ type: 'null' }, orgSchema] },
                centrePath: str,
                total: int,
                notHandedOver: int,
                pending: int,
                arrived: int,
                handedOver: int,
                confirmed: int,
                problems: int,
              }),
            },
          }),
          ...errors,
        },
      },
    },
    async (req) => s.certificates.pendingByCentre(actorOf(req), (req.query as { batchId?: number }).batchId),
  );
  app.get(
    '/api/certificates/:id',
    {
      schema: {
        tags: tag('证书'),
        summary: '证书详情',
        params: idParams,
        response: { 200: certificateSchema, ...errors },
      },
    },
    async (req) => s.certificates.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/certificates/arrive',
    {
      schema: {
        tags: tag('证书'),
        summary: '登记证书到达（按申请，批量）',
        body: {
          type: 'object',
          required: ['applicationIds', 'receivedFrom'],
          properties: {
            applicationIds: { type: 'array', items: int, minItems: 1, maxItems: 1000 },
            receivedFrom: { type: 'string', minLength: 1 },
          },
        },
        response: {
          200: obj({
            results: {
              type: 'array',
              items: obj({ applicationId: int, ok: bool, certificateId: int, code: str, message: str }),
            },
            okCount: int,
            failCount: int,
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      const b = req.body as { applicationIds: number[]; receivedFrom: string };
      return s.certificates.arrive(actorOf(req), b.applicationIds, b.receivedFrom);
    },
  );
  app.post(
    '/api/certificates/:id/handover',
    {
      schema: {
        tags: tag('证书'),
        summary: '发放证书（本人或受托人；核验身份证、签字）',
        params: idParams,
        body: {
          type: 'object',
          required: ['recipient', 'idCard', 'idChecked', 'signed'],
          properties: {
            recipient: { type: 'string', enum: ['student', 'authorised_person'] },
            name: str,
            idCard: str,
            idChecked: bool,
            signed: bool,
            authorisationNote: str,
          },
        },
        response: { 200: certificateSchema, ...errors },
      },
    },
    async (req) =>
      s.certificates.act(actorOf(req), (req.params as { id: number }).id, {
        type: 'certificate_hand_over',
        ...(req.body as {
          recipient: 'student' | 'authorised_person';
          idCard: string;
          idChecked: boolean;
          signed: boolean;
        }),
      }),
  );
  app.post(
    '/api/certificates/:id/verify-id-card',
    {
      schema: {
        tags: tag('证书'),
        summary: '领取人身份核验：输入证件上的身份证号，答复是否与学生本人一致（不显示号码）',
        params: idParams,
        body: obj({ idCard: { type: 'string', minLength: 1, maxLength: 32 } }, ['idCard']),
        response: { 200: obj({ match: bool, message: str }), ...errors },
      },
    },
    async (req) =>
      s.certificates.verifyIdCard(
        actorOf(req),
        (req.params as { id: number }).id,
        (req.body as { idCard: string }).idCard,
      ),
  );
  app.post(
    '/api/certificates/:id/confirm',
    {
      schema: {
        tags: tag('证书'),
        summary: '学生确认证书与学信网一致',
        params: idParams,
        response: { 200: certificateSchema, ...errors },
      },
    },
    async (req) => s.certificates.act(actorOf(req), (req.params as { id: number }).id, { type: 'certificate_confirm' }),
  );
  app.post(
    '/api/certificates/:id/problem',
    {
      schema: {
        tags: tag('证书'),
        summary: '反馈证书问题（上报上级）',
        params: idParams,
        body: { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1 } } },
        response: { 200: certificateSchema, ...errors },
      },
    },
    async (req) =>
      s.certificates.act(actorOf(req), (req.params as { id: number }).id, {
        type: 'certificate_report_problem',
        description: (req.body as { text: string }).text,
      }),
  );
}
