import { sql, type Kysely, type Insertable } from 'kysely';
import type { Database, OrgTable } from '../db/schema.js';
import type { OrgRow } from './rows.js';
import { num } from './rows.js';

/**
 * The organisation rows held per process (机构缓存): read once, not on every request. A change through
 * {@link OrgRepository} drops them at once; a change made by another process is seen at the next check of a
 * fingerprint (count, highest id, total length of names and paths — one scan of a few thousand short rows),
 * made at most every `recheckMs`.
 */
export class OrgCache {
  private rows: OrgRow[] | null = null;
  private fingerprint = '';
  private checkedAt = 0;
  constructor(readonly recheckMs = 1000) {}
  invalidate(): void {
    this.rows = null;
  }
  /** @internal used by OrgRepository */
  async get(db: Kysely<Database>, nowMs: number): Promise<OrgRow[]> {
    if (this.rows && nowMs - this.checkedAt < this.recheckMs) return this.rows;
    const fp = await fingerprintOf(db);
    if (!this.rows || fp !== this.fingerprint) {
      this.rows = await db.selectFrom('orgs').selectAll().orderBy('id').execute();
      this.fingerprint = fp;
    }
    this.checkedAt = nowMs;
    return this.rows;
  }
}

async function fingerprintOf(db: Kysely<Database>): Promise<string> {
  const r = await sql<{ n: unknown; m: unknown; l: unknown }>`select count(*) as n, max(id) as m,
    sum(length(path) + length(name) + length(kind)) as l from orgs`.execute(db);
  const row = r.rows[0];
  return `${num(row?.n)}:${num(row?.m)}:${num(row?.l)}`;
}

/** 组织机构 */
export class OrgRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly cache: OrgCache = new OrgCache(),
  ) {}
  all(): Promise<OrgRow[]> {
    return this.db.selectFrom('orgs').selectAll().orderBy('id').execute();
  }
  /** Every organisation from the per-process cache (the same array until something changes: do not modify it). */
  cached(): Promise<OrgRow[]> {
    return this.cache.get(this.db, Date.now());
  }
  byId(id: number): Promise<OrgRow | undefined> {
    return this.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
  }
  async insert(row: Insertable<OrgTable>): Promise<OrgRow> {
    this.cache.invalidate();
    const done = await this.db.insertInto('orgs').values(row).returningAll().executeTakeFirstOrThrow();
    this.cache.invalidate();
    return done;
  }
  async setPath(id: number, path: string) {
    this.cache.invalidate();
    const done = await this.db
      .updateTable('orgs')
      .set({ path })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    this.cache.invalidate();
    return done;
  }
  async count(): Promise<number> {
    return num(
      (
        await this.db
          .selectFrom('orgs')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
  }
}
