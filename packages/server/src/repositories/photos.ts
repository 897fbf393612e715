import { type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, PhotoTable, ReferencePhotoTable } from '../db/schema.js';
import type { PhotoRow } from './rows.js';
import { inChunks } from './rows.js';

/** 照片 */
export class PhotoRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) {
    return this.db.selectFrom('photos').selectAll().where('id', '=', id).executeTakeFirst();
  }
  /** Photos by id, any number of them (sent in chunks). */
  byIds(ids: number[]): Promise<PhotoRow[]> {
    return inChunks(ids, (chunk) => this.db.selectFrom('photos').selectAll().where('id', 'in', chunk).execute());
  }
  forStudent(studentId: number) {
    return this.db.selectFrom('photos').selectAll().where('student_id', '=', studentId).orderBy('id', 'desc').execute();
  }
  /** Many photos in one statement per chunk (seeding, bulk import), in the order given. */
  async insertMany(rows: Insertable<PhotoTable>[]): Promise<PhotoRow[]> {
    const out: PhotoRow[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await this.db
        .insertInto('photos')
        .values(rows.slice(i, i + 500))
        .returningAll()
        .execute();
      out.push(...inserted.sort((a, b) => a.id - b.id));
    }
    return out;
  }
  insert(row: Insertable<PhotoTable>) {
    return this.db.insertInto('photos').values(row).returningAll().executeTakeFirstOrThrow();
  }
  update(id: number, patch: Updateable<PhotoTable>) {
    return this.db.updateTable('photos').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
  reference(studentId: number) {
    return this.db.selectFrom('reference_photos').selectAll().where('student_id', '=', studentId).executeTakeFirst();
  }
  /** Which of these students have a 学信网 reference photo (any number of students: sent in chunks). */
  referencesFor(studentIds: number[]): Promise<Array<{ student_id: number }>> {
    return inChunks(studentIds, (chunk) =>
      this.db.selectFrom('reference_photos').select('student_id').where('student_id', 'in', chunk).execute(),
    );
  }
  async putReference(row: Insertable<ReferencePhotoTable>) {
    await this.db.deleteFrom('reference_photos').where('student_id', '=', row.student_id).execute();
    await this.db.insertInto('reference_photos').values(row).execute();
  }
  unfinished() {
    return this.db.selectFrom('photos').select('id').where('status', 'in', ['pending', 'checking']).execute();
  }

  // ---- Restart recovery of photo checks (issue 12, jobs): a keyset read by the photos(status, id) index. ----
  /** Ids of unfinished photos (待检测 / 检测中) after `afterId`, in id order, at most `limit`. */
  async unfinishedAfter(afterId: number, limit: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('photos')
      .select('id')
      .where('status', 'in', ['pending', 'checking'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }
}
