import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Database, ExportJobTable } from '../db/schema.js';

/** One export job as read (bytes always a number, whatever the driver returns for bigint). */
export type ExportJobRow = Omit<Selectable<ExportJobTable>, 'bytes'> & { bytes: number };

const row = (r: Selectable<ExportJobTable>): ExportJobRow => ({ ...r, bytes: Number(r.bytes) });

/** 后台导出任务 (export_jobs, migration 012): the row of each background export and its progress. */
export class ExportJobRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: Insertable<ExportJobTable>): Promise<ExportJobRow> {
    return row(await this.db.insertInto('export_jobs').values(r).returningAll().executeTakeFirstOrThrow());
  }

  async byId(id: number): Promise<ExportJobRow | undefined> {
    const r = await this.db.selectFrom('export_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && row(r);
  }

  async update(id: number, set: Updateable<ExportJobTable>): Promise<void> {
    await this.db.updateTable('export_jobs').set(set).where('id', '=', id).execute();
  }

  /**
   * Takes a job to run it (领取): a queued job, or a running one whose heartbeat is older than `staleBefore` (its
   * process died). One statement, so two processes handed the same job never both run it. Undefined: not ours.
   */
  async claim(id: number, at: string, staleBefore: string): Promise<ExportJobRow | undefined> {
    const r = await this.db
      .updateTable('export_jobs')
      .set({ status: 'running', started_at: at, heartbeat_at: at, done_rows: 0, attempts: sql`attempts + 1` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'queued'),
          eb.and([eb('status', '=', 'running'), eb('heartbeat_at', '<', staleBefore)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    return r && row(r);
  }

  /** Progress of a running job (and its heartbeat); false when the job is no longer running (e.g. swept). */
  async progress(id: number, done: number, total: number, at: string): Promise<boolean> {
    const r = await this.db
      .updateTable('export_jobs')
      .set({ done_rows: done, total_rows: total, heartbeat_at: at })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** The newest jobs of one user, keyset by id. */
  async forUser(userId: number, limit: number, before?: number): Promise<ExportJobRow[]> {
    let q = this.db.selectFrom('export_jobs').selectAll().where('user_id', '=', userId);
    if (before) q = q.where('id', '<', before);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map(row);
  }

  /** Jobs not finished (queued, or running — perhaps in a process that died): restart recovery. */
  async unfinished(): Promise<ExportJobRow[]> {
    const rs = await this.db
      .selectFrom('export_jobs')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .orderBy('id')
      .execute();
    return rs.map(row);
  }

  /** Finished jobs whose download expired before `at` and still hold a file (to be removed). */
  async expired(at: string, limit = 200): Promise<ExportJobRow[]> {
    const rs = await this.db
      .selectFrom('export_jobs')
      .selectAll()
      .where('status', '=', 'done')
      .where('expires_at', '<', at)
      .orderBy('id')
      .limit(limit)
      .execute();
    return rs.map(row);
  }

  /** Running jobs per user (a user may run only a few exports at once). */
  async activeCount(userId: number): Promise<number> {
    const r = await this.db
      .selectFrom('export_jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
