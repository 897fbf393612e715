import { sql, type Kysely, type Insertable, type Updateable } from 'kysely';
import type { Database, CertificateTable } from '../db/schema.js';
import type { CertificateRow, OrgScope, Page, PageRequest } from './rows.js';
import { ALL_ORGS, likeEscaped, nextCursorOf, num, searchTerm } from './rows.js';
import { orgIdsUnder, studentSearch } from './students.js';

export interface CertificateFilter extends OrgScope {
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
      if (f.orgPath !== undefined) {
        if (f.orgPath !== ALL_ORGS) q = q.where('students.org_id', 'in', orgIdsUnder(this.db, f.orgPath));
      } else q = f.orgIds?.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
      if (f.batchId) q = q.where('applications.batch_id', '=', f.batchId);
      if (f.state) q = q.where('certificates.state', '=', f.state);
      if (f.studentId) q = q.where('certificates.student_id', '=', f.studentId);
      if (f.q?.trim()) {
        const text = f.q;
        const t = searchTerm(text);
        // A 电子注册号 is digits too: exact or prefix on its unique index, beside the student search.
        q = q.where((e) =>
          e.or([
            studentSearch(e, text, false),
            t.kind === 'text'
              ? e('applications.registration_number', 'like', sql<string>`${`%${likeEscaped(t.value)}%`} escape '\\'`)
              : e.and([
                  e('applications.registration_number', '>=', t.value),
                  e('applications.registration_number', '<', `${t.value}~`),
                ]),
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
  /** One page in id order (keyset after `cursor`, else by page number) and the exact total (an indexed count). */
  async list(f: CertificateFilter, p: PageRequest): Promise<Page<CertificateJoined>> {
    let q = this.cols(this.base(f)).orderBy('certificates.id').limit(p.pageSize);
    q = p.cursor != null ? q.where('certificates.id', '>', p.cursor) : q.offset((p.page - 1) * p.pageSize);
    const rows = (await q.execute()) as CertificateJoined[];
    const total = num(
      (
        await this.base(f)
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirst()
      )?.n,
    );
    return { rows, total, totalExact: true, nextCursor: nextCursorOf(rows, p.pageSize) };
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
  /** Which of these applications already have a certificate row. */
  async applicationsWithCertificate(applicationIds: number[]): Promise<number[]> {
    if (!applicationIds.length) return [];
    const rows = await this.db
      .selectFrom('certificates')
      .select('application_id')
      .where('application_id', 'in', applicationIds)
      .execute();
    return rows.map((r) => Number(r.application_id));
  }
  /** Many certificate rows in one statement per chunk (a bulk final approval). */
  async insertMany(rows: Insertable<CertificateTable>[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500)
      await this.db
        .insertInto('certificates')
        .values(rows.slice(i, i + 500))
        .execute();
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
