import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, CSRF_COOKIE } from '../app.js';
import { errors, userSchema, okSchema, obj, str } from './schemas.js';
import { actorOf, tag } from './common.js';

/** 登录、退出、当前用户、修改密码 */
export async function registerAuthRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  const cfg = app.ctx.config;
  const setCookies = (req: FastifyRequest, reply: FastifyReply, token: string, csrf: string) => {
    // Secure when configured, or when the request came over https (directly or via a proxy's X-Forwarded-Proto).
    const secure = cfg.secureCookies || req.protocol === 'https';
    reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: 7 * 86400 });
    reply.setCookie(CSRF_COOKIE, csrf, { httpOnly: false, sameSite: 'lax', secure, path: '/', maxAge: 7 * 86400 });
  };
  app.post(
    '/api/auth/login',
    {
      config: {
        rateLimit: {
          max: cfg.loginRateLimit,
          timeWindow: '1 minute',
          keyGenerator: (req: FastifyRequest) =>
            `${req.ip}|${String((req.body as { username?: string } | undefined)?.username ?? '')
              .trim()
              .toLowerCase()}`,
        },
      },
      schema: {
        tags: tag('登录'),
        summary: '登录（每 IP+用户名每分钟最多 10 次）',
        body: {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
        },
        response: { 200: obj({ user: userSchema, csrfToken: str }), ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body as { username: string; password: string };
      const r = await s.auth.login(b.username, b.password);
      setCookies(req, reply, r.token, r.csrfToken);
      return { user: r.user, csrfToken: r.csrfToken };
    },
  );
  app.post(
    '/api/auth/logout',
    { schema: { tags: tag('登录'), summary: '退出登录', response: { 200: okSchema, ...errors } } },
    async (req, reply) => {
      if (req.sessionHash) await s.auth.logout(req.sessionHash);
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).clearCookie(CSRF_COOKIE, { path: '/' });
      return { ok: true };
    },
  );
  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: tag('登录'),
        summary: '当前用户',
        response: { 200: obj({ user: userSchema, csrfToken: str }), ...errors },
      },
    },
    async (req) => {
      const a = actorOf(req);
      return {
        user: {
          id: a.id,
          username: a.username,
          displayName: a.displayName,
          role: a.role,
          orgId: a.orgId,
          orgName: a.orgName,
          studentId: a.studentId,
        },
        csrfToken: req.csrfToken,
      };
    },
  );
  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: tag('登录'),
        summary: '修改密码',
        body: {
          type: 'object',
          required: ['oldPassword', 'newPassword'],
          properties: { oldPassword: str, newPassword: { type: 'string', minLength: 8 } },
        },
        response: { 200: okSchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { oldPassword: string; newPassword: string };
      await s.auth.changePassword(actorOf(req), b.oldPassword, b.newPassword);
      return { ok: true };
    },
  );
}
