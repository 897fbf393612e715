import type { FastifyInstance } from 'fastify';
import { EVENT_CODES } from '../services/notification-rules.js';
import { errors, idParams, items, okSchema } from './schemas.js';
import { actorOf, tag } from './common.js';

const str = { type: 'string' } as const;
const strN = { type: ['string', 'null'] } as const;
const int = { type: 'integer' } as const;
const intN = { type: ['integer', 'null'] } as const;
const bool = { type: 'boolean' } as const;
const obj = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: true,
  properties,
  required,
});
const eventList = { type: 'array', maxItems: 20, items: { type: 'string', enum: EVENT_CODES } } as const;

const channelSchema = obj({
  id: int,
  orgId: int,
  orgName: str,
  kind: str,
  kindLabel: str,
  name: str,
  target: { type: 'string', description: '邮箱地址；机器人地址只显示开头和令牌的前后几位' },
  hasSecret: bool,
  events: { type: 'array', items: str },
  enabled: bool,
  updatedAt: str,
});
const deliverySchema = obj({
  id: int,
  event: str,
  eventLabel: str,
  orgId: intN,
  channelKind: str,
  channelLabel: str,
  target: str,
  title: str,
  body: str,
  status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
  statusLabel: str,
  attempts: int,
  lastError: strN,
  nextAttemptAt: strN,
  createdAt: str,
  sentAt: strN,
});
const prefsSchema = obj({
  email: strN,
  enabled: bool,
  events: { type: 'array', items: str },
  offered: { type: 'array', items: str },
});
const target = { type: 'string', minLength: 1, maxLength: 2000 } as const;
const secret = {
  type: ['string', 'null'],
  maxLength: 200,
  description: '钉钉机器人的加签密钥（SEC…），可不填',
} as const;

/** 通知：渠道设置（机构）、个人邮件设置、投递记录 */
export async function registerNotificationRoutes(app: FastifyInstance): Promise<void> {
  const n = app.ctx.services.notifications;
  const T = tag('通知');
  app.get(
    '/api/notifications/catalogue',
    {
      schema: {
        tags: T,
        summary: '可订阅的通知事件与渠道类型；是否已配置发信服务器',
        response: {
          200: obj({
            events: { type: 'array', items: obj({ code: str, label: str, audience: str, hint: str }) },
            channels: { type: 'array', items: obj({ code: str, label: str }) },
            emailConfigured: bool,
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      actorOf(req);
      return n.catalogue();
    },
  );
  app.get(
    '/api/notifications/channels',
    {
      schema: {
        tags: T,
        summary: '本机构的通知渠道（本机构工作人员或管理员）',
        querystring: obj({ orgId: { type: 'integer', minimum: 1 } }, ['orgId']),
        response: { 200: items(channelSchema), ...errors },
      },
    },
    async (req) => ({ items: await n.channels(actorOf(req), (req.query as { orgId: number }).orgId) }),
  );
  app.post(
    '/api/notifications/channels',
    {
      schema: {
        tags: T,
        summary: '新建通知渠道：电子邮件、企业微信群机器人或钉钉群机器人',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['orgId', 'kind', 'name', 'target', 'events'],
          properties: {
            orgId: { type: 'integer', minimum: 1 },
            kind: { type: 'string', enum: ['email', 'wecom', 'dingtalk'] },
            name: { type: 'string', maxLength: 100 },
            target,
            secret,
            events: eventList,
          },
        },
        response: { 200: channelSchema, ...errors },
      },
    },
    async (req) => n.createChannel(actorOf(req), req.body as never),
  );
  app.patch(
    '/api/notifications/channels/:id',
    {
      schema: {
        tags: T,
        summary: '修改通知渠道（名称、地址、加签密钥、订阅的事件、启用/停用）',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { name: { type: 'string', maxLength: 100 }, target, secret, events: eventList, enabled: bool },
        },
        response: { 200: channelSchema, ...errors },
      },
    },
    async (req) => n.updateChannel(actorOf(req), (req.params as { id: number }).id, req.body as never),
  );
  app.delete(
    '/api/notifications/channels/:id',
    { schema: { tags: T, summary: '删除通知渠道', params: idParams, response: { 200: okSchema, ...errors } } },
    async (req) => {
      await n.deleteChannel(actorOf(req), (req.params as { id: number }).id);
      return { ok: true };
    },
  );
  app.post(
    '/api/notifications/channels/:id/test',
    {
      schema: {
        tags: T,
        summary: '发送一条测试消息（不计入投递记录）',
        params: idParams,
        response: { 200: obj({ ok: bool, message: str }), ...errors },
      },
    },
    async (req) => n.testChannel(actorOf(req), (req.params as { id: number }).id),
  );
  app.get(
    '/api/notifications/me',
    { schema: { tags: T, summary: '我的邮件通知设置', response: { 200: prefsSchema, ...errors } } },
    async (req) => n.myPrefs(actorOf(req)),
  );
  app.patch(
    '/api/notifications/me',
    {
      schema: {
        tags: T,
        summary: '保存我的邮件通知设置（邮箱、是否接收、接收哪些通知）',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['email', 'enabled', 'events'],
          properties: { email: { type: ['string', 'null'], maxLength: 254 }, enabled: bool, events: eventList },
        },
        response: { 200: prefsSchema, ...errors },
      },
    },
    async (req) => n.saveMyPrefs(actorOf(req), req.body as never),
  );
  app.get(
    '/api/notifications/deliveries',
    {
      schema: {
        tags: T,
        summary: '通知投递记录：管辖范围内机构的（可指定一个机构），以及发给自己的邮件',
        querystring: obj({
          orgId: { type: 'integer', minimum: 1 },
          status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
          page: { type: 'integer', minimum: 1, maximum: 100000 },
          pageSize: { type: 'integer', minimum: 1, maximum: 200 },
        }),
        response: {
          200: obj({ items: { type: 'array', items: deliverySchema }, total: int, page: int, pageSize: int }),
          ...errors,
        },
      },
    },
    async (req) => n.deliveries(actorOf(req), req.query as never),
  );
}
