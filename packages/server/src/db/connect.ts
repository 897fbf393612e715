import fs from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider, type DialectKind } from './migrations.js';

export interface Db {
  db: Kysely<Database>;
  kind: DialectKind;
  /** Answers whether the database takes queries now (for /api/health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenOptions {
  databaseUrl?: string;
  sqliteFile: string;
  /** Where connection errors of idle or busy clients go (the pool survives them). Defaults to stderr. */
  onConnectionError?: (err: Error) => void;
}

/**
 * Opens the database: PostgreSQL when a URL is given, else an embedded SQLite file; then migrates.
 * PostgreSQL: a lost connection (restart, fail-over, a killed backend) is logged and dropped from the pool;
 * requests meanwhile fail with a connection error, which the app answers as 503 DB_UNAVAILABLE, and the pool
 * connects again on the next request — no restart of the server.
 */
export async function openDatabase(opts: OpenOptions): Promise<Db> {
  let db: Kysely<Database>;
  let kind: DialectKind;
  const onError = opts.onConnectionError ?? ((e: Error) => console.error(`数据库连接错误：${e.message}`));
  if (opts.databaseUrl) {
    kind = 'postgres';
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    });
    // Without these listeners an 'error' event of an idle pool or a checked-out client kills the process.
    pool.on('error', onError);
    pool.on('connect', (client) => client.on('error', onError));
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    kind = 'sqlite';
    if (opts.sqliteFile !== ':memory:') fs.mkdirSync(path.dirname(opts.sqliteFile), { recursive: true });
    const sqlite = new SQLite(opts.sqliteFile);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // safe with WAL; avoids an fsync per statement
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000'); // another process (a backup, the CLI) may hold the lock briefly
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const migrator = new Migrator({ db, provider: migrationProvider(kind) });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }
  const ping = async () => {
    try {
      await sql`select 1`.execute(db);
      return true;
    } catch {
      return false;
    }
  };
  return { db, kind, ping, close: () => db.destroy() };
}

/** PostgreSQL SQLSTATE classes and Node socket errors that mean "the database is away", not "the query is wrong". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown (pg_terminate_backend, restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  'SQLITE_BUSY',
]);
const UNAVAILABLE_TEXT =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|database is locked/i;

/** True when an error says the database cannot be reached now (answered as 503 DB_UNAVAILABLE). */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[] } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (Array.isArray(e.errors) && e.errors.some(isDatabaseUnavailable)) return true; // AggregateError (IPv4 + IPv6)
  return typeof e.message === 'string' && UNAVAILABLE_TEXT.test(e.message);
}
