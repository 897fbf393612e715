import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SESSION_COOKIE, CSRF_COOKIE } from '../app.js';
import { errors, userSchema, okSchema, obj, str, bool } from './schemas.js';
import { actorOf, tag } from './common.js';
import { limitsHook } from '../security.js';

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
  const loginName = (req: FastifyRequest) =>
    String((req.body as { username?: string } | undefined)?.username ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 200);
  // Two limits: per client address + user name, and per user name from every address together (guessing one
  // account from many addresses). `req.ip` is the peer address unless TRUST_PROXY names the proxy in between.
  const loginLimits = limitsHook(
    app,
    [
      { max: cfg.loginRateLimit, key: (req) => `login|${req.ip}|${loginName(req)}` },
      { max: cfg.loginRateLimit * 3, key: (req) => `login-user|${loginName(req)}` },
    ],
    (_max, seconds) => `登录尝试过于频繁，请 ${seconds} 秒后再试`,
  );
  const loginAnswer = obj({ user: userSchema, csrfToken: str, mustChangePassword: bool });
  app.post(
    '/api/auth/login',
    {
      preHandler: loginLimits,
      schema: {
        tags: tag('登录'),
        summary: `登录（每个来源地址+用户名每分钟最多 ${cfg.loginRateLimit} 次，每个用户名每分钟最多 ${cfg.loginRateLimit * 3} 次）`,
        description: 'mustChangePassword 为 true 时须先修改初始密码（POST /api/auth/password），其余接口答 403',
        body: {
          type: 'object',
          required: ['username', 'password'],
          properties: { username: { type: 'string', minLength: 1 }, password: { type: 'string', minLength: 1 } },
        },
        response: { 200: loginAnswer, ...errors },
      },
    },
    async (req, reply) => {
      const b = req.body as { username: string; password: string };
      const r = await s.auth.login(b.username, b.password);
      setCookies(req, reply, r.token, r.csrfToken);
      return { user: r.user, csrfToken: r.csrfToken, mustChangePassword: r.mustChangePassword };
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
        response: { 200: loginAnswer, ...errors },
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
        mustChangePassword: req.mustChangePassword,
      };
    },
  );
  app.post(
    '/api/auth/password',
    {
      schema: {
        tags: tag('登录'),
        summary: '修改密码（至少 10 个非空格字符、不能只有一类字符、不含用户名、不是常见密码；其他会话随之退出）',
        body: {
          type: 'object',
          required: ['oldPassword', 'newPassword'],
          properties: { oldPassword: str, newPassword: str },
        },
        response: { 200: okSchema, ...errors },
      },
    },
    async (req) => {
      const b = req.body as { oldPassword: string; newPassword: string };
      await s.auth.changePassword(actorOf(req), b.oldPassword, b.newPassword, req.sessionHash);
      return { ok: true };
    },
  );
  app.get(
    '/api/setup',
    {
      schema: {
        tags: tag('登录'),
        summary: '是否需要首次初始化（尚无任何用户）',
        response: { 200: obj({ needed: bool }), ...errors },
      },
    },
    async () => ({ needed: await s.setup.needed() }),
  );
  app.post(
    '/api/setup',
    {
      preHandler: limitsHook(
        app,
        [{ max: 10, key: (req) => `setup|${req.ip}` }],
        (_m, sec) => `尝试过于频繁，请 ${sec} 秒后再试`,
      ),
      schema: {
        tags: tag('登录'),
        summary: '首次初始化：用控制台显示的一次性令牌设置首个管理员 admin 的密码',
        body: {
          type: 'object',
          required: ['token', 'password'],
          properties: { token: str, password: str },
        },
        response: { 200: obj({ username: str, orgName: str }), ...errors },
      },
    },
    async (req) => {
      const b = req.body as { token: string; password: string };
      return s.setup.setupWithToken(b.token, b.password);
    },
  );
}
