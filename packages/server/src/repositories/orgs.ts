import { type Kysely, type Insertable } from 'kysely';
import type { Database, OrgTable } from '../db/schema.js';
import type { OrgRow } from './rows.js';
import { num } from './rows.js';

/** 组织机构 */
export class OrgRepository {
  constructor(private readonly db: Kysely<Database>) {}
  all(): Promise<OrgRow[]> {
    return this.db.selectFrom('orgs').selectAll().orderBy('id').execute();
  }
  byId(id: number): Promise<OrgRow | undefined> {
    return this.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  }
  async insert(row: Insertable<OrgTable>): Promise<OrgRow> {
    return this.db.insertInto('orgs').values(row).returningAll().executeTakeFirstOrThrow();
  }
  async setPath(id: number, path: string) {
    return this.db.updateTable('orgs').set({ path }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
  async count(): Promise<number> {
    return num(
      (
        await this.db
          .selectFrom('orgs')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
  }
}
