import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { DialectKind } from '../db/migrations.js';
import type { Database, ApplicationTable } from '../db/schema.js';
import type { ApplicationRow } from './rows.js';
import { num } from './rows.js';

export interface ApplicationFilter {
  orgIds: number[];
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
    q = f.orgIds.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.batchId) q = q.where('applications.batch_id', '=', f.batchId);
    if (f.state) q = q.where('applications.state', '=', f.state);
    if (f.studentId) q = q.where('applications.student_id', '=', f.studentId);
    if (f.ids) q = f.ids.length ? q.where('applications.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
    if (f.q) {
      const like = `%${f.q.trim()}%`;
      q = q.where((e) =>
        e.or([
          e('students.name', 'like', like),
          e('students.xuehao', 'like', like),
          e('students.id_card', 'like', like.toUpperCase()),
        ]),
      );
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
  async list(
    f: ApplicationFilter,
    page: number,
    pageSize: number,
  ): Promise<{ rows: ApplicationJoined[]; total: number }> {
    const total = num(
      (
        await this.filtered(f)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
    const rows = await this.cols(this.filtered(f))
      .orderBy('applications.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { rows: rows as ApplicationJoined[], total };
  }
  async listAll(f: ApplicationFilter): Promise<ApplicationJoined[]> {
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
  forStudent(studentIds: number[]) {
    return studentIds.length
      ? this.db.selectFrom('applications').selectAll().where('student_id', 'in', studentIds).orderBy('id').execute()
      : Promise.resolve([] as ApplicationRow[]);
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
  /** Counts by student org × state for one batch. */
  async countsByOrgState(
    batchId: number | undefined,
    orgIds: number[],
  ): Promise<Array<{ org_id: number; state: string; n: number }>> {
    if (!orgIds.length) return [];
    let q = this.db
      .selectFrom('applications')
      .innerJoin('students', 'students.id', 'applications.student_id')
      .select(['students.org_id as org_id', 'applications.state as state', (e) => e.fn.countAll().as('n')])
      .where('students.org_id', 'in', orgIds);
    if (batchId) q = q.where('applications.batch_id', '=', batchId);
    const rows = await q.groupBy(['students.org_id', 'applications.state']).execute();
    return rows.map((r) => ({ org_id: Number(r.org_id), state: String(r.state), n: num(r.n) }));
  }
}
