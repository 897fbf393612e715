import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider, type DialectKind } from './migrations.js';

export interface Db {
  db: Kysely<Database>;
  kind: DialectKind;
  close(): Promise<void>;
}

/** Opens the database: PostgreSQL when a URL is given, else an embedded SQLite file; then migrates. */
export async function openDatabase(opts: { databaseUrl?: string; sqliteFile: string }): Promise<Db> {
  let db: Kysely<Database>;
  let kind: DialectKind;
  if (opts.databaseUrl) {
    kind = 'postgres';
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    kind = 'sqlite';
    if (opts.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(opts.sqliteFile), { recursive: true });
    const sqlite = new SQLite(opts.sqliteFile);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // safe with WAL; avoids an fsync per statement
    sqlite.pragma('foreign_keys = ON');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const migrator = new Migrator({ db, provider: migrationProvider(kind) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  return { db, kind, close: () => db.destroy() };
}
