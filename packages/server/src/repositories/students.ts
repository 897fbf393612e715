import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { DialectKind } from '../db/migrations.js';
import type { Database, StudentTable, IdentityDocumentTable } from '../db/schema.js';
import type { StudentRow } from './rows.js';
import { num } from './rows.js';

export interface StudentFilter {
  orgIds: number[];
  q?: string;
  flag?: 'chsi_photo_missing' | 'identity_doubtful' | 'continuing';
  photoStatus?: string;
  /** A rule id the current photo failed (or must be reviewed on). */
  failedRule?: string;
  hasReference?: boolean;
  state?: string;
  batchId?: number;
  enrolTerms?: string[];
  ids?: number[];
}

/** 学籍 */
export class StudentRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kind: DialectKind,
  ) {}
  /**
   * The student row, locked until the transaction ends (PostgreSQL `FOR UPDATE`; on SQLite the transaction
   * already holds the write lock). Every change that depends on the student's photo or graduation locks it.
   */
  lock(id: number) {
    const q = this.db.selectFrom('students').selectAll().where('id', '=', id);
    return (this.kind === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
  }
  byId(id: number) {
    return this.db.selectFrom('students').selectAll().where('id', '=', id).executeTakeFirst();
  }
  byXuehao(x: string) {
    return this.db.selectFrom('students').selectAll().where('xuehao', '=', x).executeTakeFirst();
  }
  byIdCard(c: string) {
    return this.db.selectFrom('students').selectAll().where('id_card', '=', c.toUpperCase()).execute();
  }
  insert(row: Insertable<StudentTable>) {
    return this.db.insertInto('students').values(row).returningAll().executeTakeFirstOrThrow();
  }
  update(id: number, patch: Updateable<StudentTable>) {
    return this.db.updateTable('students').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
  private filtered(f: StudentFilter) {
    let q = this.db.selectFrom('students').leftJoin('photos', 'photos.id', 'students.photo_id');
    q = f.orgIds.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.ids) q = f.ids.length ? q.where('students.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
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
    if (f.flag) q = q.where(`students.${f.flag}`, '=', 1);
    if (f.photoStatus === 'none') q = q.where('students.photo_id', 'is', null);
    else if (f.photoStatus) q = q.where('photos.status', '=', f.photoStatus);
    if (f.failedRule) q = q.where('photos.failed_rules', 'like', `%,${f.failedRule.replace(/[%_,]/g, '')},%`);
    if (f.enrolTerms)
      q = f.enrolTerms.length ? q.where('students.enrol_term', 'in', f.enrolTerms) : q.where(sql<boolean>`1 = 0`);
    if (f.state || f.batchId) {
      q = q.where((e) =>
        e.exists(
          e
            .selectFrom('applications')
            .select('applications.id')
            .whereRef('applications.student_id', '=', 'students.id')
            .$if(!!f.state, (s) => s.where('applications.state', '=', f.state as string))
            .$if(!!f.batchId, (s) => s.where('applications.batch_id', '=', f.batchId as number)),
        ),
      );
    }
    return q;
  }
  async list(f: StudentFilter, page: number, pageSize: number): Promise<{ rows: StudentRow[]; total: number }> {
    const total = num(
      (
        await this.filtered(f)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
    const rows = await this.filtered(f)
      .selectAll('students')
      .orderBy('students.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { rows, total };
  }
  listAll(f: StudentFilter): Promise<StudentRow[]> {
    return this.filtered(f).selectAll('students').orderBy('students.id').execute();
  }
  distinctTerms(orgIds: number[]): Promise<string[]> {
    if (!orgIds.length) return Promise.resolve([]);
    return this.db
      .selectFrom('students')
      .select('enrol_term')
      .distinct()
      .where('org_id', 'in', orgIds)
      .execute()
      .then((r) => r.map((x) => x.enrol_term));
  }
  documents(studentId: number) {
    return this.db
      .selectFrom('identity_documents')
      .selectAll()
      .where('student_id', '=', studentId)
      .orderBy('id')
      .execute();
  }
  document(id: number) {
    return this.db.selectFrom('identity_documents').selectAll().where('id', '=', id).executeTakeFirst();
  }
  insertDocument(row: Insertable<IdentityDocumentTable>) {
    return this.db.insertInto('identity_documents').values(row).returningAll().executeTakeFirstOrThrow();
  }
}
