import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectKind } from './migrations.js';

/**
 * Imports as jobs (导入任务): every roster / photo archive / 学信网 flag import is one row — who, which
 * organisation, the file (name, SHA-256, size), when it started and finished, the counts, and the per-row report
 * as JSON (capped: IMPORT_REPORT_MAX_ROWS rows, see services/import-jobs.ts) — so a refresh during an import
 * loses nothing and the report can be read and downloaded later.
 */
export function importMigrations(kind: DialectKind): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const withId = <T extends string>(t: CreateTableBuilder<T, never>): CreateTableBuilder<T, any> =>
    kind === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    '010_import_jobs': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('import_jobs'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('user_id', 'integer', (c) => c.references('users.id'))
          .addColumn('user_name', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('sha256', 'text')
          .addColumn('bytes', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('started_at', 'text', (c) => c.notNull())
          .addColumn('finished_at', 'text')
          .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('ok_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('skipped_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('summary', 'text')
          .addColumn('error_code', 'text')
          .addColumn('error_message', 'text')
          .addColumn('report_json', 'text')
          .addColumn('report_rows', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('report_truncated', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex('import_jobs_org_started').on('import_jobs').columns(['org_id', 'id']).execute();
      },
    },
  };
}
