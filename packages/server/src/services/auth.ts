import crypto from 'node:crypto';
import { hash, verify, Algorithm } from '@node-rs/argon2';
import { ROLES, roleFitsLevel, type OrgLevel, type Role } from '@gradpass/core';
import { AppError, invalid, notFound } from '../errors.js';
import type { Repos, UserRow } from '../repositories/index.js';
import type { Actor } from './context.js';
import { OrgTree, requireRole } from './context.js';
import { audit } from './audit.js';
import { passwordProblem } from './passwords.js';
import { NAME_CAPS, checkedName } from './names.js';

const SESSION_DAYS = 7;
export const hashToken = (t: string) => crypto.createHash('sha256').update(t).digest('hex');

/** A password a person chose, checked by the password rule; 400 `PASSWORD_WEAK` with the Chinese reason. */
export function assertStrongPassword(pw: string, username?: string): void {
  const problem = passwordProblem(pw, username);
  if (problem) throw invalid(problem, 'PASSWORD_WEAK');
}

export function hashPassword(pw: string): Promise<string> {
  return hash(pw, { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 });
}

export interface UserDto {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgId: number;
  orgName: string;
  studentId: number | null;
  /** 已停用: cannot log in. */
  disabled: boolean;
}

export function userDto(u: UserRow, tree: OrgTree): UserDto {
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role as Role,
    orgId: u.org_id,
    orgName: tree.get(u.org_id)?.name ?? '',
    studentId: u.student_id,
    disabled: !!u.disabled_at,
  };
}

export function actorFromUser(u: UserRow, tree: OrgTree): Actor {
  const org = tree.get(u.org_id);
  if (!org) throw new AppError(500, 'ORG_MISSING', '用户所属机构不存在');
  return {
    id: u.id,
    username: u.username,
    displayName: u.display_name,
    role: u.role as Role,
    orgId: u.org_id,
    orgName: org.name,
    orgPath: org.path,
    studentId: u.student_id,
    core: {
      userId: String(u.id),
      role: u.role as Role,
      orgPath: org.path,
      studentId: u.student_id == null ? null : String(u.student_id),
      name: u.display_name,
    },
  };
}

/** 登录、会话与用户管理 */
export class AuthService {
  constructor(
    private readonly repos: Repos,
    private readonly now: () => Date,
  ) {}

  async login(
    username: string,
    password: string,
  ): Promise<{ token: string; csrfToken: string; user: UserDto; mustChangePassword: boolean }> {
    const u = await this.repos.users.byUsername(username.trim());
    // Verify against a dummy hash when the user is unknown so timing does not reveal which usernames exist.
    const ok = u ? await verify(u.password_hash, password) : (await verify(await dummyHash(), password), false);
    if (!u || !ok) throw new AppError(401, 'BAD_CREDENTIALS', '用户名或密码错误');
    if (u.disabled_at) throw new AppError(403, 'ACCOUNT_DISABLED', '该账号已停用，请联系管理员');
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(24).toString('base64url');
    const now = new Date(); // sessions live on the wall clock, not the (test-settable) domain clock
    await this.repos.users.insertSession({
      token_hash: hashToken(token),
      user_id: u.id,
      csrf_token: csrfToken,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_DAYS * 86400_000).toISOString(),
    });
    const tree = await OrgTree.load(this.repos);
    return { token, csrfToken, user: userDto(u, tree), mustChangePassword: u.must_change_password === 1 };
  }

  /** The session behind a cookie token, or null when missing/expired. */
  async session(token: string): Promise<{ user: UserRow; csrfToken: string; tokenHash: string } | null> {
    const th = hashToken(token);
    const s = await this.repos.users.session(th);
    if (!s || s.expires_at < new Date().toISOString()) return null;
    const user = await this.repos.users.byId(s.user_id);
    return user && !user.disabled_at ? { user, csrfToken: s.csrf_token, tokenHash: th } : null;
  }

  logout(tokenHash: string): Promise<void> {
    return this.repos.users.deleteSession(tokenHash);
  }

  /**
   * The user changes their own password (修改密码): the old one must match, the new one passes the password rule;
   * every other session of the user ends (the current one, `keepSession`, stays) and the forced change is done.
   */
  async changePassword(actor: Actor, oldPassword: string, newPassword: string, keepSession: string | null) {
    const u = await this.repos.users.byId(actor.id);
    if (!u || !(await verify(u.password_hash, oldPassword))) throw new AppError(401, 'BAD_CREDENTIALS', '原密码错误');
    assertStrongPassword(newPassword, u.username);
    if (newPassword === oldPassword) throw invalid('新密码不能与原密码相同', 'PASSWORD_WEAK');
    await this.repos.users.setPassword(u.id, await hashPassword(newPassword));
    await this.repos.users.deleteSessionsOf(u.id, keepSession);
    await audit(this.repos, this.now(), actor, {
      orgId: u.org_id,
      entity: 'user',
      entityId: u.id,
      action: 'change_password',
    });
  }

  /**
   * An administrator sets a new initial password for a user of their subtree (重置密码): the user must change it
   * at the next login, and every session of the user ends.
   */
  async resetPassword(actor: Actor, userId: number, newPassword: string): Promise<void> {
    requireRole(actor, ['admin'], '重置密码');
    const u = await this.repos.users.byId(userId);
    if (!u) throw notFound('用户');
    const tree = await OrgTree.load(this.repos);
    tree.assertInScope(actor, u.org_id);
    assertStrongPassword(newPassword, u.username);
    await this.repos.users.setPassword(u.id, await hashPassword(newPassword), true);
    await this.repos.users.deleteSessionsOf(u.id);
    await audit(this.repos, this.now(), actor, {
      orgId: u.org_id,
      entity: 'user',
      entityId: u.id,
      action: 'reset_password',
    });
  }

  /**
   * 停用 / 启用账号: an administrator of the subtree disables an account (it cannot log in, every session ends at
   * once) or enables it again. Nobody disables their own account.
   */
  async setDisabled(actor: Actor, userId: number, disabled: boolean): Promise<UserDto> {
    requireRole(actor, ['admin'], disabled ? '停用账号' : '启用账号');
    const u = await this.repos.users.byId(userId);
    if (!u) throw notFound('用户');
    const tree = await OrgTree.load(this.repos);
    tree.assertInScope(actor, u.org_id);
    if (u.id === actor.id) throw new AppError(409, 'CANNOT_DISABLE_SELF', '不能停用自己的账号');
    const after = await this.repos.users.setDisabled(u.id, disabled ? this.now().toISOString() : null);
    if (disabled) await this.repos.users.deleteSessionsOf(u.id);
    await audit(this.repos, this.now(), actor, {
      orgId: u.org_id,
      entity: 'user',
      entityId: u.id,
      action: disabled ? 'disable_user' : 'enable_user',
      before: { username: u.username },
      after: { username: u.username },
    });
    return userDto(after, tree);
  }

  async listUsers(actor: Actor, orgId?: number): Promise<UserDto[]> {
    requireRole(actor, ['admin'], '管理用户');
    const tree = await OrgTree.load(this.repos);
    return (await this.repos.users.list(tree.filterIds(actor, orgId))).map((u) => userDto(u, tree));
  }

  async createUser(
    actor: Actor | null,
    input: {
      username: string;
      password: string;
      displayName: string;
      role: Role;
      orgId: number;
      studentId?: number | null;
      /** Must change the password at the first login; default: when an administrator created the account. */
      mustChangePassword?: boolean;
    },
  ): Promise<UserDto> {
    const tree = await OrgTree.load(this.repos);
    if (actor) {
      requireRole(actor, ['admin'], '创建用户');
      tree.assertInScope(actor, input.orgId);
    }
    const org = tree.get(input.orgId);
    if (!org) throw invalid('机构不存在', 'ORG_NOT_FOUND');
    if (!ROLES.includes(input.role)) throw invalid(`角色“${input.role}”不存在`, 'ROLE_INVALID');
    if (!roleFitsLevel(input.role, org.kind as OrgLevel))
      throw invalid(`角色“${input.role}”不能属于${org.name}这一层级的机构`, 'ROLE_LEVEL_MISMATCH');
    const username = checkedName(input.username, '用户名', NAME_CAPS.person);
    const displayName = checkedName(input.displayName, '姓名（显示名）', NAME_CAPS.person);
    // The password rule applies to every password a person types; `actor` null is code (the demo seed, tests).
    if (actor) assertStrongPassword(input.password, username);
    if (await this.repos.users.byUsername(username))
      throw new AppError(409, 'USERNAME_TAKEN', `用户名“${username}”已被使用`);
    if (input.role === 'student') {
      const st = input.studentId ? await this.repos.students.byId(input.studentId) : undefined;
      if (!st || st.org_id !== input.orgId) throw invalid('学生账号须关联本学习中心的一名学生', 'STUDENT_REQUIRED');
    }
    const u = await this.repos.users.insert({
      username,
      password_hash: await hashPassword(input.password),
      display_name: displayName,
      role: input.role,
      org_id: input.orgId,
      student_id: input.role === 'student' ? (input.studentId ?? null) : null,
      created_at: this.now().toISOString(),
      must_change_password: (input.mustChangePassword ?? actor !== null) ? 1 : 0,
    });
    await audit(this.repos, this.now(), actor, {
      orgId: u.org_id,
      entity: 'user',
      entityId: u.id,
      action: 'create',
      after: { username: u.username, role: u.role, orgId: u.org_id },
    });
    return userDto(u, tree);
  }
}

// A hash of a random string, used only to equalise timing for unknown users.
let dummy: Promise<string> | null = null;
const dummyHash = () => (dummy ??= hashPassword(crypto.randomBytes(16).toString('hex')));
