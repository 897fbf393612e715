import type { FastifyInstance } from 'fastify';
import { errors, idParams, items, binary, obj, str, strN, int, bool } from './schemas.js';
import { actorOf, readMultipart, requireFile, multipartBody, tag } from './common.js';

/** 图像采集订单（seed 004） */
export async function registerCollectionRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const orderSchema = obj({
    id: int,
    studentId: int,
    name: str,
    xuehao: strN,
    orgId: int,
    orgName: str,
    collectionOrgId: int,
    collectionOrgName: str,
    status: str,
    statusLabel: str,
    collectionCode: strN,
    hasPhoto: bool,
    shippingAddress: strN,
    rejectionCount: int,
    lastRejectionReason: strN,
    paidAmountFen: { type: ['integer', 'null'] },
    paidAt: strN,
    finalPassedAt: strN,
    completedAt: strN,
    shippedAt: strN,
    trackingNumber: strN,
    paperReceivedOn: strN,
    inPersonAdvice: strN,
    feeFen: int,
    updatedAt: strN,
    warnings: { type: 'array', items: obj({ code: str, message: str }) },
  });
  const codeSchema = obj({ id: int, collectionOrgId: int, code: str, year: int });
  app.get(
    '/api/collection/orders',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '采集订单（采集中心看到的姓名已打码）',
        querystring: { type: 'object', properties: { status: str } },
        response: { 200: items(orderSchema), ...errors },
      },
    },
    async (req) => s.collection.list(actorOf(req), req.query as { status?: string }),
  );
  app.post(
    '/api/collection/orders',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '新建采集订单（学生或学习中心）',
        body: {
          type: 'object',
          required: ['studentId', 'collectionOrgId'],
          properties: { studentId: int, collectionOrgId: int },
        },
        response: { 200: orderSchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { studentId: number; collectionOrgId: number };
      return s.collection.create(actorOf(req), b.studentId, b.collectionOrgId);
    },
  );
  app.get(
    '/api/collection/orders/:id',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '采集订单详情',
        params: idParams,
        response: { 200: orderSchema, ...errors },
      },
    },
    async (req) => s.collection.get(actorOf(req), (req.params as { id: number }).id),
  );
  app.post(
    '/api/collection/orders/:id/photo',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '上传采集照片（学生）',
        params: idParams,
        ...multipartBody({}),
        response: { 200: orderSchema, ...errors },
      },
    },
    async (req) => {
      const f = requireFile((await readMultipart(req)).file);
      return s.collection.uploadPhoto(actorOf(req), (req.params as { id: number }).id, f.name, f.bytes);
    },
  );
  app.get(
    '/api/collection/orders/:id/photo',
    { schema: { tags: tag('图像采集'), summary: '采集照片', params: idParams, response: { 200: binary, ...errors } } },
    async (req, reply) =>
      reply
        .header('content-type', 'image/jpeg')
        .header('cache-control', 'private, no-store')
        .send(await s.collection.photoFile(actorOf(req), (req.params as { id: number }).id)),
  );
  const collectionActions = [
    'collection_submit',
    'collection_first_review_pass',
    'collection_pay',
    'collection_final_pass',
    'collection_reject',
    'collection_complete',
    'collection_ship',
    'collection_record_receipt',
  ];
  app.post(
    '/api/collection/orders/:id/actions',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '采集订单操作：提交、初审、支付（6700 分）、终审、驳回、完成、寄出、登记收件',
        params: idParams,
        body: {
          type: 'object',
          required: ['type'],
          properties: {
            type: { type: 'string', enum: collectionActions },
            collectionCode: str,
            featureCode: str,
            shippingAddress: str,
            amountFen: int,
            reason: str,
            trackingNumber: str,
            receivedOn: str,
          },
        },
        response: { 200: orderSchema, ...errors },
      },
    },
    async (req) =>
      s.collection.act(actorOf(req), (req.params as { id: number }).id, {
        photoId: null,
        ...(req.body as object),
      } as never),
  );
  app.get(
    '/api/collection/feature-codes',
    {
      schema: { tags: tag('图像采集'), summary: '特征码（工作人员）', response: { 200: items(codeSchema), ...errors } },
    },
    async (req) => s.collection.featureCodes(actorOf(req)),
  );
  app.post(
    '/api/collection/feature-codes',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '设置本年度特征码（采集中心）',
        body: {
          type: 'object',
          required: ['code', 'year'],
          properties: { code: str, year: { type: 'integer', minimum: 2000, maximum: 2200 } },
        },
        response: { 200: codeSchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { code: string; year: number };
      return s.collection.addFeatureCode(actorOf(req), b.code, b.year);
    },
  );
  app.get(
    '/api/collection/reminders',
    {
      schema: {
        tags: tag('图像采集'),
        summary: '提醒：采集截止（按学习中心）、纸质照片逾期未寄出、学生核对学信网',
        response: {
          200: obj({
            deadlines: {
              type: 'array',
              items: obj({
                batchId: int,
                batchName: str,
                orgId: int,
                orgName: str,
                deadline: str,
                daysLeft: int,
                overdue: bool,
                pendingStudentIds: { type: 'array', items: int },
                message: str,
              }),
            },
            overdueShipments: {
              type: 'array',
              items: obj({ orderId: int, name: str, dueOn: str, workingDaysOverdue: int }),
            },
            chsiChecks: {
              type: 'array',
              items: obj({ orderId: int, dueOn: str, workingDaysLeft: int, overdue: bool, message: str }),
            },
            open: int,
          }),
          ...errors,
        },
      },
    },
    async (req) => s.collection.reminders(actorOf(req)),
  );
}
