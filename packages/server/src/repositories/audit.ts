import { sql, type Kysely, type Insertable } from 'kysely';
import type { Database, AuditTable } from '../db/schema.js';
import { num } from './rows.js';

/** 审计日志 */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}
  async insert(row: Insertable<AuditTable>) {
    await this.db.insertInto('audit_log').values(row).execute();
  }
  /** Many entries in one statement per chunk (roster import). */
  async insertMany(rows: Insertable<AuditTable>[]) {
    for (let i = 0; i < rows.length; i += 500)
      await this.db
        .insertInto('audit_log')
        .values(rows.slice(i, i + 500))
        .execute();
  }
  async list(f: { orgIds: number[]; entity?: string; entityId?: number }, page: number, pageSize: number) {
    let q = this.db.selectFrom('audit_log');
    q = f.orgIds.length ? q.where('org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.entity) q = q.where('entity', '=', f.entity);
    if (f.entityId) q = q.where('entity_id', '=', f.entityId);
    const total = num((await q.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { rows, total };
  }
}
