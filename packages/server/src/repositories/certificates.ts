import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, CertificateTable } from '../db/schema.js';
import type { CertificateRow } from './rows.js';
import { num } from './rows.js';

export interface CertificateFilter {
  orgIds: number[];
  batchId?: number;
  state?: string;
  studentId?: number;
  q?: string;
}
export type CertificateJoined = CertificateRow & {
  student_name: string;
  xuehao: string;
  org_id: number;
  batch_id: number;
  registration_number: string | null;
};

/** 毕业证书 */
export class CertificateRepository {
  constructor(private readonly db: Kysely<Database>) {}
  private base(f?: CertificateFilter) {
    let q = this.db
      .selectFrom('certificates')
      .innerJoin('students', 'students.id', 'certificates.student_id')
      .innerJoin('applications', 'applications.id', 'certificates.application_id');
    if (f) {
      q = f.orgIds.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
      if (f.batchId) q = q.where('applications.batch_id', '=', f.batchId);
      if (f.state) q = q.where('certificates.state', '=', f.state);
      if (f.studentId) q = q.where('certificates.student_id', '=', f.studentId);
      if (f.q) {
        const like = `%${f.q.trim()}%`;
        q = q.where((e) =>
          e.or([
            e('students.name', 'like', like),
            e('students.xuehao', 'like', like),
            e('applications.registration_number', 'like', like),
          ]),
        );
      }
    }
    return q;
  }
  private cols<T extends ReturnType<CertificateRepository['base']>>(q: T) {
    return q
      .selectAll('certificates')
      .select([
        'students.name as student_name',
        'students.xuehao as xuehao',
        'students.org_id as org_id',
        'applications.batch_id as batch_id',
        'applications.registration_number as registration_number',
      ]);
  }
  async list(f: CertificateFilter, page: number, pageSize: number) {
    const total = num(
      (
        await this.base(f)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
    const rows = await this.cols(this.base(f))
      .orderBy('certificates.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { rows: rows as CertificateJoined[], total };
  }
  async listAll(f: CertificateFilter) {
    return (await this.cols(this.base(f)).orderBy('certificates.id').execute()) as CertificateJoined[];
  }
  async byId(id: number) {
    return (await this.cols(this.base()).where('certificates.id', '=', id).executeTakeFirst()) as
      CertificateJoined | undefined;
  }
  byApplication(applicationId: number) {
    return this.db
      .selectFrom('certificates')
      .selectAll()
      .where('application_id', '=', applicationId)
      .executeTakeFirst();
  }
  insert(row: Insertable<CertificateTable>) {
    return this.db.insertInto('certificates').values(row).returningAll().executeTakeFirstOrThrow();
  }
  /** Optimistic update on the version. */
  update(id: number, version: number, patch: Updateable<CertificateTable>) {
    return this.db
      .updateTable('certificates')
      .set(patch)
      .where('id', '=', id)
      .where('version', '=', version)
      .returningAll()
      .executeTakeFirst();
  }
}
