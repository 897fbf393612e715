import { type Kysely, type Insertable } from 'kysely';
import type { Database, UserTable, SessionTable } from '../db/schema.js';
import type { UserRow } from './rows.js';

/** 用户与会话 */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }
  byUsername(u: string) {
    return this.db.selectFrom('users').selectAll().where('username', '=', u).executeTakeFirst();
  }
  byStudentId(studentId: number) {
    return this.db.selectFrom('users').selectAll().where('student_id', '=', studentId).executeTakeFirst();
  }
  list(orgIds: number[]) {
    if (orgIds.length === 0) return Promise.resolve([] as UserRow[]);
    return this.db.selectFrom('users').selectAll().where('org_id', 'in', orgIds).orderBy('id').execute();
  }
  insert(row: Insertable<UserTable>) {
    return this.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }
  /** Sets the password hash and whether the user must change it at the next login (initial password). */
  /** 停用 (a time) or enable (null) an account. */
  setDisabled(id: number, disabledAt: string | null) {
    return this.db
      .updateTable('users')
      .set({ disabled_at: disabledAt })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  async setPassword(id: number, hash: string, mustChange = false) {
    await this.db
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: mustChange ? 1 : 0 })
      .where('id', '=', id)
      .execute();
  }
  count() {
    return this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  }
  /** Ends every session of a user except `keepTokenHash` (after a password change or reset). */
  async deleteSessionsOf(userId: number, keepTokenHash: string | null = null) {
    let q = this.db.deleteFrom('sessions').where('user_id', '=', userId);
    if (keepTokenHash) q = q.where('token_hash', '!=', keepTokenHash);
    await q.execute();
  }
  async insertSession(row: Insertable<SessionTable>) {
    await this.db.insertInto('sessions').values(row).execute();
  }
  session(tokenHash: string) {
    return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }
  async deleteSession(tokenHash: string) {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }
}
