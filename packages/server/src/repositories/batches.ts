import { type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, BatchTable } from '../db/schema.js';

/** 毕业批次 */
export class BatchRepository {
  constructor(private readonly db: Kysely<Database>) {}
  all() {
    return this.db.selectFrom('batches').selectAll().orderBy('id', 'desc').execute();
  }
  byId(id: number) {
    return this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst();
  }
  insert(row: Insertable<BatchTable>) {
    return this.db.insertInto('batches').values(row).returningAll().executeTakeFirstOrThrow();
  }
  update(id: number, patch: Updateable<BatchTable>) {
    return this.db.updateTable('batches').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
}
