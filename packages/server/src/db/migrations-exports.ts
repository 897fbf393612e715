import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectKind } from './migrations.js';

/**
 * Exports as jobs (后台导出任务, migration 012): one row per background export — which report and with which
 * filters (`params_json`), who started it and in which organisation scope, the progress (`done_rows` of
 * `total_rows`, an estimate), and once finished the stored file (`storage_path` in the file store), its size and
 * when its download link expires (7 days; then the file is removed and the row says 已过期).
 */
export function exportMigrations(kind: DialectKind): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const withId = <T extends string>(t: CreateTableBuilder<T, never>): CreateTableBuilder<T, any> =>
    kind === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    '012_export_jobs': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('export_jobs'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('params_json', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('total_rows', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('done_rows', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('storage_path', 'text')
          .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text')
          .addColumn('heartbeat_at', 'text')
          .addColumn('finished_at', 'text')
          .addColumn('expires_at', 'text')
          .execute();
        await db.schema.createIndex('export_jobs_user').on('export_jobs').columns(['user_id', 'id']).execute();
        await db.schema.createIndex('export_jobs_status').on('export_jobs').columns(['status', 'id']).execute();
      },
    },
  };
}
