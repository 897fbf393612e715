import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, ImportJobTable } from '../db/schema.js';

export type ImportJobRow = Selectable<ImportJobTable>;
/** A job without its report (lists never read the JSON). */
export type ImportJobHead = Omit<ImportJobRow, 'report_json'>;

const HEAD_COLUMNS = [
  'id',
  'kind',
  'org_id',
  'user_id',
  'user_name',
  'file_name',
  'sha256',
  'bytes',
  'status',
  'started_at',
  'finished_at',
  'total',
  'ok_count',
  'failed_count',
  'skipped_count',
  'summary',
  'error_code',
  'error_message',
  'report_rows',
  'report_truncated',
] as const;

/** 导入任务 (import_jobs, migration 010): one row per import with its capped report. */
export class ImportJobRepository {
  constructor(private readonly db: Kysely<Database>) {}

  insert(row: Insertable<ImportJobTable>): Promise<ImportJobRow> {
    return this.db.insertInto('import_jobs').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, set: Updateable<ImportJobTable>): Promise<void> {
    await this.db.updateTable('import_jobs').set(set).where('id', '=', id).execute();
  }

  byId(id: number): Promise<ImportJobRow | undefined> {
    return this.db.selectFrom('import_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, keyset by id (`before` = the last id of the previous page), at most `limit` rows. */
  list(f: { orgIds: number[]; kind?: string; before?: number; limit: number }): Promise<ImportJobHead[]> {
    if (!f.orgIds.length) return Promise.resolve([]);
    let q = this.db.selectFrom('import_jobs').select(HEAD_COLUMNS).where('org_id', 'in', f.orgIds);
    if (f.kind) q = q.where('kind', '=', f.kind);
    if (f.before) q = q.where('id', '<', f.before);
    return q.orderBy('id', 'desc').limit(f.limit).execute();
  }

  /** Jobs still marked running that started before `startedBefore` (left behind by a stopped process). */
  async markAbandoned(startedBefore: string, at: string): Promise<number> {
    const r = await this.db
      .updateTable('import_jobs')
      .set({
        status: 'failed',
        finished_at: at,
        error_code: 'IMPORT_INTERRUPTED',
        error_message: '导入过程中服务重启，导入未完成；已导入的部分保留，请重新导入同一文件（已导入的会更新或跳过）',
      })
      .where('status', '=', 'running')
      .where('started_at', '<', startedBefore)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
