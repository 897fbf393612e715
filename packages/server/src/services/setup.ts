import crypto from 'node:crypto';
import { AppError } from '../errors.js';
import type { Repos } from '../repositories/index.js';
import type { AuthService } from './auth.js';
import { assertStrongPassword } from './auth.js';
import type { OrgService } from './orgs.js';

/** The root organisation created by the setup when the database has none. */
export const ROOT_ORG_NAME = '国家开放大学';
export const FIRST_ADMIN = 'admin';

/**
 * First start of an empty production instance (首次启动初始化): creates the root organisation and the first
 * administrator, with the password from the console (`ADMIN_INITIAL_PASSWORD`) or from `POST /api/setup` with a
 * one-time setup token that only the server console shows. Possible only while the database has no user.
 */
export class SetupService {
  private tokenHash: string | null = null;

  constructor(
    private readonly repos: Repos,
    private readonly auth: AuthService,
    private readonly orgs: OrgService,
  ) {}

  /** True while the instance has no user at all. */
  async needed(): Promise<boolean> {
    return (await this.repos.users.count()) === 0;
  }

  /** A new one-time setup token (the previous one stops working); only its hash is kept, in memory. */
  issueToken(): string {
    const token = crypto.randomBytes(18).toString('base64url');
    this.tokenHash = crypto.createHash('sha256').update(token).digest('hex');
    return token;
  }

  /** Checks and uses up the setup token (constant-time compare); 403 `SETUP_TOKEN_INVALID` otherwise. */
  consumeToken(token: string): void {
    const given = crypto.createHash('sha256').update(token).digest();
    const ok = this.tokenHash !== null && crypto.timingSafeEqual(given, Buffer.from(this.tokenHash, 'hex'));
    if (!ok) throw new AppError(403, 'SETUP_TOKEN_INVALID', '初始化令牌无效或已使用（令牌只显示在服务器控制台）');
    this.tokenHash = null;
  }

  /** `POST /api/setup`: the token is used up only by a password that passes the rule, so a typo costs nothing. */
  async setupWithToken(token: string, password: string): Promise<{ username: string; orgName: string }> {
    if (!(await this.needed())) throw new AppError(409, 'SETUP_DONE', '系统已初始化（已有用户），不能重复初始化');
    assertStrongPassword(password, FIRST_ADMIN);
    this.consumeToken(token);
    return this.createFirstAdmin(password, false);
  }

  /**
   * Creates the root organisation (unless one exists) and the first administrator `admin`. `mustChange`: the
   * password was handed over (environment variable), so the administrator chooses their own at the first login.
   */
  async createFirstAdmin(password: string, mustChange: boolean): Promise<{ username: string; orgName: string }> {
    if (!(await this.needed())) throw new AppError(409, 'SETUP_DONE', '系统已初始化（已有用户），不能重复初始化');
    assertStrongPassword(password, FIRST_ADMIN);
    const root =
      (await this.repos.orgs.all()).find((o) => o.parent_id === null) ??
      (await this.orgs.create(null, { name: ROOT_ORG_NAME, kind: 'national', parentId: null }));
    await this.auth.createUser(null, {
      username: FIRST_ADMIN,
      password,
      displayName: '系统管理员',
      role: 'admin',
      orgId: root.id,
      mustChangePassword: mustChange,
    });
    return { username: FIRST_ADMIN, orgName: root.name };
  }
}
