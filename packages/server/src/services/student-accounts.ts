/**
 * Student accounts from the roster (学生账号): centre staff pick students — or every imported student of the centre
 * without an account — and each gets an account whose user name is the 学号 and a random initial password, which
 * must be changed at the first login. The passwords are answered once (the server keeps only their hashes) for
 * the centre to hand out as a printed list; the audit log records who created which accounts, never a password.
 */
import { AppError, invalid } from '../errors.js';
import type { Repos, StudentRow } from '../repositories/index.js';
import { OrgTree, requireRole, type Actor } from './context.js';
import { audit } from './audit.js';
import { hashPassword } from './auth.js';
import { initialPassword } from './initial-password.js';
import { toXlsx } from './reports.js';

/** Most accounts made in one request (about 30 ms of password hashing each): 500. */
export const STUDENT_ACCOUNTS_MAX = 500;

export interface StudentAccountResult {
  studentId: number;
  xuehao: string;
  name: string;
  ok: boolean;
  username?: string;
  /** Shown once; not stored. */
  initialPassword?: string;
  code?: string;
  message: string;
}

/** One line of the printed list (初始密码单). */
export interface PasswordSheetRow {
  name: string;
  xuehao: string;
  username: string;
  initialPassword: string;
}

/** 学生账号：按名册批量开通、重置初始密码、初始密码单 */
export class StudentAccountService {
  constructor(
    private readonly repos: Repos,
    private readonly now: () => Date,
  ) {}

  /** The students of a centre the actor may open accounts for (only their own centre's, or an admin's subtree). */
  private async centre(actor: Actor, orgId: number) {
    requireRole(actor, ['centre_staff', 'admin'], '开通学生账号');
    const tree = await OrgTree.load(this.repos);
    const org = tree.assertInScope(actor, orgId);
    if (org.kind !== 'centre') throw invalid('请选择一个学习中心', 'CENTRE_REQUIRED');
    return org;
  }

  /** How many students of the centre have an account and which have none yet. */
  async status(actor: Actor, orgId: number) {
    await this.centre(actor, orgId);
    const students = await this.repos.students.listAll({ orgIds: [orgId] });
    const withAccount = await this.accountStudentIds(orgId);
    const without = students.filter((s) => !withAccount.has(s.id));
    return {
      total: students.length,
      withAccount: students.length - without.length,
      without: without.slice(0, STUDENT_ACCOUNTS_MAX).map((s) => ({ studentId: s.id, xuehao: s.xuehao, name: s.name })),
      withoutCount: without.length,
    };
  }

  /** Students of the centre that have an account (student accounts belong to the student's centre). */
  private async accountStudentIds(orgId: number): Promise<Set<number>> {
    const users = await this.repos.users.list([orgId]);
    return new Set(users.map((u) => u.student_id).filter((x): x is number => x != null));
  }

  /**
   * Opens accounts: for `studentIds`, or with `allWithout` for every student of the centre without one (at most
   * {@link STUDENT_ACCOUNTS_MAX}). With `reissue`, a student who already has an account gets a new initial password
   * (must change it again; their sessions end). Per-student results; one refusal never stops the rest.
   */
  async create(
    actor: Actor,
    input: { orgId: number; studentIds?: number[]; allWithout?: boolean; reissue?: boolean },
  ): Promise<{ results: StudentAccountResult[]; okCount: number; failCount: number; remaining: number }> {
    await this.centre(actor, input.orgId);
    const all = await this.repos.students.listAll({ orgIds: [input.orgId] });
    const byId = new Map(all.map((s) => [s.id, s]));
    let targets: Array<{ id: number; student: StudentRow | undefined }>;
    let remaining = 0;
    if (input.allWithout) {
      const has = await this.accountStudentIds(input.orgId);
      const without = all.filter((s) => !has.has(s.id));
      remaining = Math.max(0, without.length - STUDENT_ACCOUNTS_MAX);
      targets = without.slice(0, STUDENT_ACCOUNTS_MAX).map((s) => ({ id: s.id, student: s }));
    } else {
      const ids = [...new Set(input.studentIds ?? [])];
      if (!ids.length) throw invalid('请至少选择一名学生', 'STUDENTS_REQUIRED');
      if (ids.length > STUDENT_ACCOUNTS_MAX)
        throw invalid(`一次最多开通 ${STUDENT_ACCOUNTS_MAX} 个账号，请分批操作`, 'TOO_MANY_STUDENTS');
      targets = ids.map((id) => ({ id, student: byId.get(id) }));
    }
    const results: StudentAccountResult[] = [];
    for (const t of targets) results.push(await this.one(actor, t.id, t.student, !!input.reissue));
    const created = results.filter((r) => r.ok);
    if (created.length) {
      // One entry for the action: who opened which accounts — never a password.
      await audit(this.repos, this.now(), actor, {
        orgId: input.orgId,
        entity: 'org',
        entityId: input.orgId,
        action: 'student_accounts_created',
        after: { count: created.length, usernames: created.map((r) => r.username) },
      });
    }
    return { results, okCount: created.length, failCount: results.length - created.length, remaining };
  }

  private async one(actor: Actor, id: number, s: StudentRow | undefined, reissue: boolean): Promise<StudentAccountResult> {
    if (!s)
      return {
        studentId: id,
        xuehao: '',
        name: '',
        ok: false,
        code: 'STUDENT_NOT_FOUND',
        message: `学生 ${id} 不在本学习中心`,
      };
    const base = { studentId: s.id, xuehao: s.xuehao, name: s.name };
    try {
      const password = initialPassword(s.xuehao);
      const hash = await hashPassword(password);
      const existing = await this.repos.users.byStudentId(s.id);
      if (existing) {
        if (!reissue)
          return { ...base, ok: false, code: 'ACCOUNT_EXISTS', username: existing.username, message: `${s.name}已有账号“${existing.username}”，未重复开通` };
        await this.repos.users.setPassword(existing.id, hash, true);
        await this.repos.users.deleteSessionsOf(existing.id);
        await audit(this.repos, this.now(), actor, {
          orgId: s.org_id,
          entity: 'user',
          entityId: existing.id,
          action: 'reset_password',
        });
        return { ...base, ok: true, username: existing.username, initialPassword: password, message: `${s.name}：已重新生成初始密码` };
      }
      const taken = await this.repos.users.byUsername(s.xuehao);
      if (taken)
        return { ...base, ok: false, code: 'USERNAME_TAKEN', message: `用户名“${s.xuehao}”已被其他账号使用，请联系管理员` };
      const u = await this.repos.users.insert({
        username: s.xuehao,
        password_hash: hash,
        display_name: s.name,
        role: 'student',
        org_id: s.org_id,
        student_id: s.id,
        created_at: this.now().toISOString(),
        must_change_password: 1,
      });
      await audit(this.repos, this.now(), actor, {
        orgId: s.org_id,
        entity: 'user',
        entityId: u.id,
        action: 'create',
        after: { username: u.username, role: u.role, orgId: u.org_id },
      });
      return { ...base, ok: true, username: u.username, initialPassword: password, message: `${s.name}：账号已开通` };
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      return { ...base, ok: false, code: e.code, message: e.message };
    }
  }

  /**
   * The printed list as XLSX (初始密码单): the rows the page shows, sent back by the browser — the server has no
   * copy of the passwords to read from. Nothing of it is stored or logged.
   */
  async sheetXlsx(actor: Actor, rows: PasswordSheetRow[]): Promise<Buffer> {
    requireRole(actor, ['centre_staff', 'admin'], '打印初始密码单');
    return toXlsx(
      '初始密码单',
      [
        { header: '姓名', width: 12, value: (r: PasswordSheetRow) => r.name },
        { header: '学号', width: 18, value: (r) => r.xuehao },
        { header: '用户名', width: 18, value: (r) => r.username },
        { header: '初始密码', width: 16, value: (r) => r.initialPassword },
        { header: '说明', width: 40, value: () => '首次登录须修改密码' },
      ],
      rows,
    );
  }
}
