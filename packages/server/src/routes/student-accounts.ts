import type { FastifyInstance } from 'fastify';
import type { PasswordSheetRow } from '../services/student-accounts.js';
import { STUDENT_ACCOUNTS_MAX } from '../services/student-accounts.js';
import { errors, binary, obj, str, int, bool } from './schemas.js';
import { actorOf, sendXlsx, tag } from './common.js';

const short = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

/** 学生账号：按名册批量开通，初始密码单 */
export async function registerStudentAccountRoutes(app: FastifyInstance): Promise<void> {
  const s = app.ctx.services;
  app.get(
    '/api/student-accounts',
    {
      schema: {
        tags: tag('学生账号'),
        summary: '学习中心学生账号开通情况（尚未开通账号的学生）',
        querystring: { type: 'object', required: ['orgId'], properties: { orgId: int } },
        response: {
          200: obj({
            total: int,
            withAccount: int,
            withoutCount: int,
            without: { type: 'array', items: obj({ studentId: int, xuehao: str, name: str }) },
          }),
          ...errors,
        },
      },
    },
    async (req) => s.studentAccounts.status(actorOf(req), (req.query as { orgId: number }).orgId),
  );
  app.post(
    '/api/student-accounts',
    {
      schema: {
        tags: tag('学生账号'),
        summary: `批量开通学生账号（用户名为学号，随机初始密码只返回这一次；每次最多 ${STUDENT_ACCOUNTS_MAX} 名）`,
        body: {
          type: 'object',
          required: ['orgId'],
          properties: {
            orgId: int,
            studentIds: { type: 'array', items: int, maxItems: STUDENT_ACCOUNTS_MAX },
            allWithout: { ...bool, description: '本学习中心所有尚未开通账号的学生' },
            reissue: { ...bool, description: '已有账号的学生重新生成初始密码' },
          },
        },
        response: {
          200: obj({
            results: {
              type: 'array',
              items: obj({
                studentId: int,
                xuehao: str,
                name: str,
                ok: bool,
                username: str,
                initialPassword: str,
                code: str,
                message: str,
              }),
            },
            okCount: int,
            failCount: int,
            remaining: int,
          }),
          ...errors,
        },
      },
    },
    async (req) =>
      s.studentAccounts.create(
        actorOf(req),
        req.body as { orgId: number; studentIds?: number[]; allWithout?: boolean; reissue?: boolean },
      ),
  );
  app.post(
    '/api/student-accounts/sheet.xlsx',
    {
      schema: {
        tags: tag('学生账号'),
        summary: '初始密码单（XLSX）：由页面上刚生成的名单生成，服务器不保存',
        body: {
          type: 'object',
          required: ['rows'],
          properties: {
            rows: {
              type: 'array',
              maxItems: STUDENT_ACCOUNTS_MAX,
              items: {
                type: 'object',
                required: ['name', 'xuehao', 'username', 'initialPassword'],
                properties: { name: short(100), xuehao: short(40), username: short(100), initialPassword: short(128) },
              },
            },
          },
        },
        response: { 200: binary, ...errors },
      },
    },
    async (req, reply) => {
      const rows = (req.body as { rows: PasswordSheetRow[] }).rows;
      return sendXlsx(reply, '学生账号初始密码单', await s.studentAccounts.sheetXlsx(actorOf(req), rows));
    },
  );
}
