import { type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, PhotoTable, ReferencePhotoTable } from '../db/schema.js';
import type { PhotoRow } from './rows.js';

/** 照片 */
export class PhotoRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) {
    return this.db.selectFrom('photos').selectAll().where('id', '=', id).executeTakeFirst();
  }
  byIds(ids: number[]) {
    return ids.length
      ? this.db.selectFrom('photos').selectAll().where('id', 'in', ids).execute()
      : Promise.resolve([] as PhotoRow[]);
  }
  forStudent(studentId: number) {
    return this.db.selectFrom('photos').selectAll().where('student_id', '=', studentId).orderBy('id', 'desc').execute();
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
  referencesFor(studentIds: number[]) {
    return studentIds.length
      ? this.db.selectFrom('reference_photos').select('student_id').where('student_id', 'in', studentIds).execute()
      : Promise.resolve([]);
  }
  async putReference(row: Insertable<ReferencePhotoTable>) {
    await this.db.deleteFrom('reference_photos').where('student_id', '=', row.student_id).execute();
    await this.db.insertInto('reference_photos').values(row).execute();
  }
  unfinished() {
    return this.db.selectFrom('photos').select('id').where('status', 'in', ['pending', 'checking']).execute();
  }
}
