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
