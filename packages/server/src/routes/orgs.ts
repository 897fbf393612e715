import type { FastifyInstance } from 'fastify';
import { ROLES, type OrgLevel, type Role } from '@gradpass/core';
import { errors, orgSchema, userSchema, items, int, idParams, okSchema, str } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 组织机构与用户 */
export async function registerOrgRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/orgs',
    {
      schema: { tags: tag('机构与用户'), summary: '本机构及下级机构', response: { 200: items(orgSchema), ...errors } },
    },
    async (req) => ({ items: await s.orgs.list(actorOf(req)) }),
  );
  app.post(
    '/api/orgs',
    {
      schema: {
        tags: tag('机构与用户'),
        summary: '新建下级机构（管理员）',
        body: {
          type: 'object',
          required: ['name', 'kind', 'parentId'],
          properties: {
            name: { type: 'string', minLength: 1 },
            kind: { type: 'string', enum: ['province', 'city', 'centre', 'collection_centre'] },
            parentId: int,
          },
        },
        response: { 200: orgSchema, ...errors },
      },
    },
    async (req) => s.orgs.create(actorOf(req), req.body as { name: string; kind: OrgLevel; parentId: number }),
  );
  app.get(
    '/api/users',
    {
      schema: {
        tags: tag('机构与用户'),
        summary: '用户列表（管理员）',
        querystring: { type: 'object', properties: { orgId: int } },
        response: { 200: items(userSchema), ...errors },
      },
    },
    async (req) => ({ items: await s.auth.listUsers(actorOf(req), (req.query as { orgId?: number }).orgId) }),
  );
  app.post(
    '/api/users',
    {
      schema: {
        tags: tag('机构与用户'),
        summary: '新建用户（管理员）',
        body: {
          type: 'object',
          required: ['username', 'password', 'displayName', 'role', 'orgId'],
          properties: {
            username: { type: 'string', minLength: 2 },
            password: str,
            displayName: { type: 'string', minLength: 1 },
            role: { type: 'string', enum: ROLES as unknown as string[] },
            orgId: int,
            studentId: { type: ['integer', 'null'] },
          },
        },
        response: { 200: userSchema, ...errors },
      },
    },
    async (req) =>
      s.auth.createUser(
        actorOf(req),
        req.body as {
          username: string;
          password: string;
          displayName: string;
          role: Role;
          orgId: number;
          studentId?: number | null;
        },
      ),
  );
  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const)
    app.post(
      `/api/users/:id/${verb}`,
      {
        schema: {
          tags: tag('机构与用户'),
          summary: disabled
            ? '停用账号（管理员）：不能再登录，其所有会话立即退出'
            : '启用已停用的账号（管理员）',
          params: idParams,
          response: { 200: userSchema, ...errors },
        },
      },
      async (req) => s.auth.setDisabled(actorOf(req), (req.params as { id: number }).id, disabled),
    );
  app.post(
    '/api/users/:id/password',
    {
      schema: {
        tags: tag('机构与用户'),
        summary: '重置用户密码（管理员）：该用户下次登录须先修改密码，其所有会话立即退出',
        params: idParams,
        body: { type: 'object', required: ['password'], properties: { password: str } },
        response: { 200: okSchema, ...errors },
      },
    },
    async (req) => {
      const { id } = req.params as { id: number };
      await s.auth.resetPassword(actorOf(req), id, (req.body as { password: string }).password);
      return { ok: true };
    },
  );
}
