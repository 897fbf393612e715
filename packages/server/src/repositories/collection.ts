import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, CollectionOrderTable, FeatureCodeTable } from '../db/schema.js';

/** 图像采集订单与特征码 */
export class CollectionRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) {
    return this.db.selectFrom('collection_orders').selectAll().where('id', '=', id).executeTakeFirst();
  }
  insert(row: Insertable<CollectionOrderTable>) {
    return this.db.insertInto('collection_orders').values(row).returningAll().executeTakeFirstOrThrow();
  }
  update(id: number, version: number, patch: Updateable<CollectionOrderTable>) {
    return this.db
      .updateTable('collection_orders')
      .set(patch)
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
  }
  /** Orders whose student's centre is in `centreOrgIds` OR whose collection centre is in `collectionOrgIds`. */
  list(f: { centreOrgIds: number[]; collectionOrgIds: number[]; status?: string; studentId?: number }) {
    let q = this.db
      .selectFrom('collection_orders')
      .innerJoin('students', 'students.id', 'collection_orders.student_id')
      .selectAll('collection_orders');
    q = q.where((e) =>
      e.or([
        f.centreOrgIds.length ? e('students.org_id', 'in', f.centreOrgIds) : sql<boolean>`1 = 0`,
        f.collectionOrgIds.length
          ? e('collection_orders.collection_org_id', 'in', f.collectionOrgIds)
          : sql<boolean>`1 = 0`,
      ]),
    );
    if (f.status) q = q.where('collection_orders.status', '=', f.status);
    if (f.studentId) q = q.where('collection_orders.student_id', '=', f.studentId);
    return q.orderBy('collection_orders.id').execute();
  }
  featureCodes(collectionOrgIds: number[]) {
    return collectionOrgIds.length
      ? this.db
          .selectFrom('feature_codes')
          .selectAll()
          .where('collection_org_id', 'in', collectionOrgIds)
          .orderBy('id')
          .execute()
      : Promise.resolve([]);
  }
  allFeatureCodes() {
    return this.db.selectFrom('feature_codes').selectAll().orderBy('id').execute();
  }
  insertFeatureCode(row: Insertable<FeatureCodeTable>) {
    return this.db.insertInto('feature_codes').values(row).returningAll().executeTakeFirstOrThrow();
  }
}
