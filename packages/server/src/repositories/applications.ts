import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { DialectKind } from '../db/migrations.js';
import type { Database, ApplicationTable } from '../db/schema.js';
import type { ApplicationRow, OrgScope, Page, PageRequest } from './rows.js';
import { ALL_ORGS, COUNT_CAP, inChunks, nextCursorOf, num } from './rows.js';
import { orgIdsUnder, studentSearch } from './students.js';

export interface ApplicationFilter extends OrgScope {
  batchId?: number;
  state?: string;
  q?: string;
  studentId?: number;
  ids?: number[];
}
export type ApplicationJoined = ApplicationRow & {
  student_name: string;
  xuehao: string;
  org_id: number;
  batch_name: string;
};

/** The columns a review step changes (services/domain.ts fromCoreApplication). */
export interface ApplicationPatch {
  state: string;
  degree_requested: number;
  signed_at: string | null;
  photo_id: number | null;
  same_version_confirmed_at: string | null;
  registration_number: string | null;
  last_reason: string | null;
  returned_by: string | null;
  submission_count: number;
  version: number;
  updated_at: string;
}

/** 毕业申请 */
export class ApplicationRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: DialectKind,
  ) {}
  private base() {
    return this.db
      .selectFrom('applications')
      .innerJoin('students', 'students.id', 'applications.student_id')
      .innerJoin('batches', 'batches.id', 'applications.batch_id');
  }
  private filtered(f: ApplicationFilter) {
    let q = this.base();
    if (f.orgPath !== undefined) {
      if (f.orgPath !== ALL_ORGS) q = q.where('students.org_id', 'in', orgIdsUnder(this.db, f.orgPath));
    } else q = f.orgIds?.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.batchId) q = q.where('applications.batch_id', '=', f.batchId);
    if (f.state) q = q.where('applications.state', '=', f.state);
    if (f.studentId) q = q.where('applications.student_id', '=', f.studentId);
    if (f.ids) q = f.ids.length ? q.where('applications.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
    if (f.q?.trim()) {
      const text = f.q;
      q = q.where((e) => studentSearch(e, text));
    }
    return q;
  }
  private cols<T extends ReturnType<ApplicationRepository['base']>>(q: T) {
    return q
      .selectAll('applications')
      .select([
        'students.name as student_name',
        'students.xuehao as xuehao',
        'students.org_id as org_id',
        'batches.name as batch_name',
      ]);
  }
  /** One page in id order (keyset after `cursor`, else by page number); totals from the counters when possible. */
  async list(f: ApplicationFilter, p: PageRequest): Promise<Page<ApplicationJoined>> {
    let q = this.cols(this.filtered(f)).orderBy('applications.id').limit(p.pageSize);
    q = p.cursor != null ? q.where('applications.id', '>', p.cursor) : q.offset((p.page - 1) * p.pageSize);
    const rows = (await q.execute()) as ApplicationJoined[];
    const { total, exact } = await this.count(f);
    return { rows, total, totalExact: exact, nextCursor: nextCursorOf(rows, p.pageSize) };
  }
  /**
   * How many applications match `f`: the sum of `application_counts` (kept by the triggers of migration 009)
   * when the filter is scope × batch × state (exact), else counted up to {@link COUNT_CAP}.
   */
  async count(f: ApplicationFilter): Promise<{ total: number; exact: boolean }> {
    if (f.orgPath !== undefined && !f.q?.trim() && !f.studentId && !f.ids) {
      let q = this.db.selectFrom('application_counts').select((e) => e.fn.sum<number>('application_counts.n').as('n'));
      if (f.batchId) q = q.where('application_counts.batch_id', '=', f.batchId);
      if (f.state) q = q.where('application_counts.state', '=', f.state);
      if (f.orgPath !== ALL_ORGS) q = q.where('application_counts.org_id', 'in', orgIdsUnder(this.db, f.orgPath));
      return { total: num((await q.executeTakeFirst())?.n), exact: true };
    }
    const upTo = this.filtered(f)
      .select(sql<number>`1`.as('one'))
      .limit(COUNT_CAP)
      .as('matching');
    const total = num(
      (
        await this.db
          .selectFrom(upTo)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
    return { total, exact: total < COUNT_CAP };
  }
  async listAll(f: ApplicationFilter): Promise<ApplicationJoined[]> {
    if (f.ids && f.ids.length > 1000) {
      const { ids, ...rest } = f;
      return inChunks(ids, (chunk) => this.listAll({ ...rest, ids: chunk }));
    }
    return (await this.cols(this.filtered(f)).orderBy('applications.id').execute()) as ApplicationJoined[];
  }
  /** The application row, locked until the transaction ends (see StudentRepository.lock). */
  async lock(id: number): Promise<ApplicationJoined | undefined> {
    const q = this.cols(this.base()).where('applications.id', '=', id);
    const locked = this.kind === 'postgres' ? q.forUpdate('applications') : q;
    return (await locked.executeTakeFirst()) as ApplicationJoined | undefined;
  }
  /**
   * Many application rows, locked until the transaction ends, in id order (PostgreSQL `FOR UPDATE OF
   * applications`: rows are locked in the order of the sort, so two bulk actions over overlapping ids queue up
   * instead of deadlocking). Ids not found are simply missing.
   */
  async lockMany(ids: number[]): Promise<ApplicationJoined[]> {
    if (!ids.length) return [];
    const q = this.cols(this.base()).where('applications.id', 'in', ids).orderBy('applications.id');
    const locked = this.kind === 'postgres' ? q.forUpdate('applications') : q;
    return (await locked.execute()) as ApplicationJoined[];
  }
  /**
   * The `application_counts` rows a bulk state change will touch, created at 0 when missing and locked in one
   * order — (organisation, batch, state), the order the per-row trigger of migration 009 also follows — before
   * the change, so the trigger's updates of many rows can never deadlock with another transaction's (PostgreSQL;
   * SQLite's transaction already holds the write lock).
   */
  async lockCounts(keys: Array<{ orgId: number; batchId: number; state: string }>): Promise<void> {
    if (this.kind !== 'postgres' || !keys.length) return;
    const seen = new Set<string>();
    const rows = keys.filter((k) => {
      const key = `${k.orgId}/${k.batchId}/${k.state}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const values = sql.join(
      rows.map((k) => sql`(cast(${k.orgId} as integer), cast(${k.batchId} as integer), cast(${k.state} as text))`),
    );
    await sql`insert into application_counts (org_id, batch_id, state, n)
      select v.org_id, v.batch_id, v.state, 0 from (values ${values}) as v (org_id, batch_id, state)
      order by v.org_id, v.batch_id, v.state
      on conflict (org_id, batch_id, state) do update set n = application_counts.n`.execute(this.db);
  }
  /**
   * Optimistic update of many rows in one statement (`UPDATE … FROM (VALUES …)`, both databases): each row changes
   * only if it is still in its `fromState`. Returns the ids that changed (fewer than given: someone else moved one).
   */
  async updateMany(patches: Array<{ id: number; fromState: string; patch: ApplicationPatch }>): Promise<number[]> {
    const out: number[] = [];
    // 13 parameters a row: 200 rows stay far below SQLite's limit.
    for (let i = 0; i < patches.length; i += 200) {
      const values = sql.join(
        patches.slice(i, i + 200).map(({ id, fromState, patch: p }) => {
          const int = (x: number | null) => sql`cast(${x} as integer)`;
          return sql`(${int(id)}, ${fromState}, ${p.state}, ${int(p.degree_requested)}, ${p.signed_at}, ${int(p.photo_id)},
            ${p.same_version_confirmed_at}, ${p.registration_number}, ${p.last_reason}, ${p.returned_by},
            ${int(p.submission_count)}, ${int(p.version)}, ${p.updated_at})`;
        }),
      );
      const back = this.kind === 'postgres' ? sql`returning applications.id` : sql`returning id`;
      const r = await sql<{ id: number }>`with v (id, from_state, state, degree_requested, signed_at, photo_id,
          same_version_confirmed_at, registration_number, last_reason, returned_by, submission_count, version,
          updated_at) as (values ${values})
        update applications set state = v.state, degree_requested = v.degree_requested, signed_at = v.signed_at,
          photo_id = v.photo_id, same_version_confirmed_at = v.same_version_confirmed_at,
          registration_number = v.registration_number, last_reason = v.last_reason, returned_by = v.returned_by,
          submission_count = v.submission_count, version = v.version, updated_at = v.updated_at
        from v where applications.id = v.id and applications.state = v.from_state ${back}`.execute(this.db);
      out.push(...r.rows.map((x) => Number(x.id)));
    }
    return out;
  }
  async byId(id: number): Promise<ApplicationJoined | undefined> {
    return (await this.cols(this.base()).where('applications.id', '=', id).executeTakeFirst()) as
      ApplicationJoined | undefined;
  }
  byStudentBatch(studentId: number, batchId: number) {
    return this.db
      .selectFrom('applications')
      .selectAll()
      .where('student_id', '=', studentId)
      .where('batch_id', '=', batchId)
      .executeTakeFirst();
  }
  /** The applications of these students in id order (any number of students: sent in chunks). */
  async forStudent(studentIds: number[]): Promise<ApplicationRow[]> {
    const rows = await inChunks(studentIds, (chunk) =>
      this.db.selectFrom('applications').selectAll().where('student_id', 'in', chunk).orderBy('id').execute(),
    );
    return studentIds.length > 1000 ? rows.sort((a, b) => a.id - b.id) : rows;
  }
  /** Many applications in one statement per chunk (seeding); the counters follow through the triggers. */
  async insertMany(rows: Insertable<ApplicationTable>[]): Promise<ApplicationRow[]> {
    const out: ApplicationRow[] = [];
    for (let i = 0; i < rows.length; i += 500)
      out.push(
        ...(await this.db
          .insertInto('applications')
          .values(rows.slice(i, i + 500))
          .returningAll()
          .execute()),
      );
    return out;
  }
  insert(row: Insertable<ApplicationTable>) {
    return this.db.insertInto('applications').values(row).returningAll().executeTakeFirstOrThrow();
  }
  /** Optimistic update: changes the row only if it is still in `fromState`; returns undefined when someone else moved it. */
  update(id: number, fromState: string, patch: Updateable<ApplicationTable>) {
    return this.db
      .updateTable('applications')
      .set(patch)
      .where('id', '=', id)
      .where('state', '=', fromState)
      .returningAll()
      .executeTakeFirst();
  }
  async registrationNumberExists(n: string): Promise<boolean> {
    return !!(await this.db
      .selectFrom('applications')
      .select('id')
      .where('registration_number', '=', n)
      .executeTakeFirst());
  }
  /** How many 电子注册号 have been issued (the next serial is this + 1). */
  async issuedCount(): Promise<number> {
    return num(
      (
        await this.db
          .selectFrom('applications')
          .select((e) => e.fn.countAll().as('n'))
          .where('registration_number', 'is not', null)
          .executeTakeFirst()
      )?.n,
    );
  }
  /**
   * Applications per state below `rootPath`, grouped by the root's child that each counted organisation lies
   * under (实时进度): one pass over `application_counts` (a few rows per organisation, kept by the triggers),
   * the child read from the materialised path (`/1/7/23/…` under `/1/` → 7). Rows of the root itself have
   * `child_id` null.
   */
  async countsByChild(
    batchId: number | undefined,
    rootPath: string,
  ): Promise<Array<{ child_id: number | null; state: string; n: number }>> {
    const rest = sql`substr(o.path, ${sql.lit(rootPath.length + 1)})`;
    const child =
      this.kind === 'postgres'
        ? sql<number | null>`cast(nullif(split_part(${rest}, '/', 1), '') as integer)`
        : sql<number | null>`cast(nullif(substr(${rest}, 1, instr(${rest}, '/') - 1), '') as integer)`;
    let q = this.db
      .selectFrom('application_counts as c')
      .innerJoin('orgs as o', 'o.id', 'c.org_id')
      .select([child.as('child_id'), 'c.state as state', (e) => e.fn.sum<number>('c.n').as('n')])
      .where('c.n', '<>', 0);
    if (rootPath !== ALL_ORGS) q = q.where('o.path', 'like', `${rootPath}%`);
    if (batchId) q = q.where('c.batch_id', '=', batchId);
    const rows = await q.groupBy([child, 'c.state']).execute();
    return rows.map((r) => ({
      child_id: r.child_id == null ? null : Number(r.child_id),
      state: String(r.state),
      n: num(r.n),
    }));
  }
  /**
   * Counts by student org × state for one batch (or all), from `application_counts`: a few rows per
   * organisation, however many applications there are. `scope` is a subtree path or explicit org ids.
   */
  async countsByOrgState(
    batchId: number | undefined,
    scope: number[] | OrgScope,
  ): Promise<Array<{ org_id: number; state: string; n: number }>> {
    const f: OrgScope = Array.isArray(scope) ? { orgIds: scope } : scope;
    let q = this.db
      .selectFrom('application_counts')
      .select([
        'application_counts.org_id as org_id',
        'application_counts.state as state',
        (e) => e.fn.sum<number>('application_counts.n').as('n'),
      ])
      .where('application_counts.n', '<>', 0);
    if (f.orgPath !== undefined) {
      if (f.orgPath !== ALL_ORGS) q = q.where('application_counts.org_id', 'in', orgIdsUnder(this.db, f.orgPath));
    } else if (!f.orgIds?.length) return [];
    else q = q.where('application_counts.org_id', 'in', f.orgIds);
    if (batchId) q = q.where('application_counts.batch_id', '=', batchId);
    const rows = await q.groupBy(['application_counts.org_id', 'application_counts.state']).execute();
    return rows.map((r) => ({ org_id: Number(r.org_id), state: String(r.state), n: num(r.n) }));
  }
}
