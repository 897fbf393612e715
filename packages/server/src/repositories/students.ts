import { sql, type Kysely, type Insertable, type Updateable, type ExpressionBuilder } from 'kysely';
import type { DialectKind } from '../db/migrations.js';
import type { Database, StudentTable, IdentityDocumentTable } from '../db/schema.js';
import type { OrgScope, Page, PageRequest, StudentRow } from './rows.js';
import { ALL_ORGS, COUNT_CAP, inChunks, likeEscaped, nextCursorOf, num, searchTerm } from './rows.js';

export interface StudentFilter extends OrgScope {
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

/** The filters of {@link StudentFilter} besides the scope. */
const FILTER_KEYS = [
  'q',
  'flag',
  'photoStatus',
  'failedRule',
  'hasReference',
  'state',
  'batchId',
  'enrolTerms',
  'ids',
] as const satisfies ReadonlyArray<keyof StudentFilter>;

/** The subquery of organisation ids under a materialised path (the orgs table is a few thousand rows). */
export function orgIdsUnder(db: Kysely<Database>, path: string) {
  return db
    .selectFrom('orgs')
    .select('orgs.id')
    .where('orgs.path', 'like', `${likeEscaped(path)}%`);
}

/** A 学号 / 身份证号 / name search on the students table, with exact matches where the term allows them. */
export function studentSearch(eb: ExpressionBuilder<Database, 'students'>, raw: string, withIdCard = true) {
  const t = searchTerm(raw);
  if (t.kind === 'xuehao') return eb('students.xuehao', '=', t.value);
  if (t.kind === 'idcard') return withIdCard ? eb('students.id_card', '=', t.value) : sql<boolean>`1 = 0`;
  if (t.kind === 'digits') {
    // A prefix of a 学号 or 身份证号, as a range on their indexes ('~' sorts after every digit and X).
    const prefix = (col: 'students.xuehao' | 'students.id_card') =>
      eb.and([eb(col, '>=', t.value), eb(col, '<', `${t.value}~`)]);
    return withIdCard ? eb.or([prefix('students.xuehao'), prefix('students.id_card')]) : prefix('students.xuehao');
  }
  // One or two characters (a surname, a short name): names that begin with them, a range on the name index —
  // a trigram index cannot serve a pattern shorter than three characters. Longer text: names containing it.
  if ([...t.value].length <= 2)
    return eb.and([eb('students.name', '>=', t.value), eb('students.name', '<', `${t.value}\u{10FFFF}`)]);
  return eb('students.name', 'like', sql<string>`${`%${likeEscaped(t.value)}%`} escape '\\'`);
}

/** 学籍 */
/**
 * The row of a new student (新学生) as the roster import or the form creates it: no 学信网 flags, no 身份复核, no
 * photo yet. The caller gives the checked, normalised fields; seeds and benches build their rows here too.
 */
export function newStudentRow(
  s: Pick<
    Insertable<StudentTable>,
    'xuehao' | 'id_card' | 'name' | 'org_id' | 'programme' | 'level' | 'enrol_term' | 'continuing'
  >,
  at: string,
): Insertable<StudentTable> {
  return {
    ...s,
    chsi_photo_missing: 0,
    identity_doubtful: 0,
    identity_status: 'none',
    identity_decided_by: null,
    identity_decided_at: null,
    identity_reason: null,
    photo_id: null,
    created_at: at,
    updated_at: at,
  };
}

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
  /** Many student rows, locked until the transaction ends, in id order (one lock order for every bulk action). */
  async lockMany(ids: number[]): Promise<StudentRow[]> {
    if (!ids.length) return [];
    const q = this.db.selectFrom('students').selectAll().where('id', 'in', ids).orderBy('id');
    return (this.kind === 'postgres' ? q.forUpdate() : q).execute();
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
    if (f.orgPath !== undefined) {
      const path = f.orgPath;
      if (path !== ALL_ORGS) q = q.where('students.org_id', 'in', orgIdsUnder(this.db, path));
    } else q = f.orgIds?.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.ids) q = f.ids.length ? q.where('students.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
    if (f.q?.trim()) {
      const text = f.q;
      q = q.where((e) => studentSearch(e, text));
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
  /**
   * One page in id order: after `cursor` when given (keyset), else by page number. The total comes from the
   * counters of migration 009 when the filter is only the organisation scope (and a batch), else it is counted.
   */
  async list(f: StudentFilter, p: PageRequest): Promise<Page<StudentRow>> {
    let q = this.filtered(f).selectAll('students').orderBy('students.id').limit(p.pageSize);
    q = p.cursor != null ? q.where('students.id', '>', p.cursor) : q.offset((p.page - 1) * p.pageSize);
    const rows = await q.execute();
    const { total, exact } = await this.count(f);
    return { rows, total, totalExact: exact, nextCursor: nextCursorOf(rows, p.pageSize) };
  }
  /**
   * How many students match `f`: from the counters when the filter allows (exact), else counted up to
   * {@link COUNT_CAP} (see {@link list}).
   */
  async count(f: StudentFilter): Promise<{ total: number; exact: boolean }> {
    const orgPath = f.orgPath;
    const extra = FILTER_KEYS.filter((k) => f[k] !== undefined && f[k] !== '');
    if (orgPath !== undefined && !extra.length) {
      let q = this.db.selectFrom('student_counts').select((e) => e.fn.sum<number>('student_counts.n').as('n'));
      if (orgPath !== ALL_ORGS) q = q.where('student_counts.org_id', 'in', orgIdsUnder(this.db, orgPath));
      return { total: num((await q.executeTakeFirst())?.n), exact: true };
    }
    if (orgPath !== undefined && f.batchId && extra.every((k) => k === 'batchId' || k === 'state')) {
      // One application per student and batch (unique key): students with one in the batch = its applications.
      let q = this.db
        .selectFrom('application_counts')
        .select((e) => e.fn.sum<number>('application_counts.n').as('n'))
        .where('application_counts.batch_id', '=', f.batchId);
      if (f.state) q = q.where('application_counts.state', '=', f.state);
      if (orgPath !== ALL_ORGS) q = q.where('application_counts.org_id', 'in', orgIdsUnder(this.db, orgPath));
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
  listAll(f: StudentFilter): Promise<StudentRow[]> {
    if (f.ids && f.ids.length > 1000) {
      const { ids, ...rest } = f;
      return inChunks(ids, (chunk) => this.listAll({ ...rest, ids: chunk }));
    }
    return this.filtered(f).selectAll('students').orderBy('students.id').execute();
  }
  /** The 层次 values stored on the 续读-flagged students of a scope (the partial index of migration 013): a handful. */
  async continuingLevels(f: OrgScope): Promise<string[]> {
    const q = this.scoped(f)?.where('students.continuing', '=', 1).select('students.level').distinct();
    return q ? (await q.execute()).map((r) => r.level) : [];
  }
  /**
   * One page of the first-window candidates of a scope (首批优先), narrowed here as the rule would: students not
   * graduated (no application of theirs in `graduated`) whose term is one of `expiringTerms`, or who are flagged
   * 续读 with a level of `continuingLevels` and a term of `continuingTerms`. Those of an expiring term first, then
   * by 学号; the total counted up to {@link COUNT_CAP}.
   */
  async priorityCandidates(
    f: OrgScope,
    c: { expiringTerms: string[]; continuingTerms: string[]; continuingLevels: string[] },
    p: { page: number; pageSize: number },
  ): Promise<{ rows: StudentRow[]; total: number; totalExact: boolean }> {
    const none = { rows: [], total: 0, totalExact: true };
    const scoped = this.scoped(f);
    if (!scoped) return none;
    const notGraduated = (q: NonNullable<ReturnType<StudentRepository['scoped']>>) =>
      q.where((e) =>
        e.not(
          e.exists(
            e
              .selectFrom('applications')
              .select('applications.id')
              .whereRef('applications.student_id', '=', 'students.id')
              .where('applications.state', '=', 'graduated'),
          ),
        ),
      );
    // Two arms, each read through its own index (organisation × term; the partial 续读 index): those of an
    // expiring term (first), and the 续读 students of the other terms.
    const continuingTerms = c.continuingTerms.filter((t) => !c.expiringTerms.includes(t));
    const arms = [
      ...(c.expiringTerms.length
        ? [
            notGraduated(scoped.where('students.enrol_term', 'in', c.expiringTerms))
              .selectAll('students')
              .select(sql<number>`0`.as('seg')),
          ]
        : []),
      ...(continuingTerms.length && c.continuingLevels.length
        ? [
            notGraduated(
              scoped
                .where('students.continuing', '=', 1)
                .where('students.level', 'in', c.continuingLevels)
                .where('students.enrol_term', 'in', continuingTerms),
            )
              .selectAll('students')
              .select(sql<number>`1`.as('seg')),
          ]
        : []),
    ];
    if (!arms.length) return none;
    const candidates = (arms.length === 2 ? arms[0].unionAll(arms[1]) : arms[0]).as('c');
    // The page and its total side by side (two connections of the pool on PostgreSQL).
    const [page, counted] = await Promise.all([
      this.db
        .selectFrom(candidates)
        .selectAll('c')
        .orderBy('c.seg')
        .orderBy('c.xuehao')
        .orderBy('c.id')
        .limit(p.pageSize)
        .offset((p.page - 1) * p.pageSize)
        .execute(),
      this.db
        .selectFrom(
          this.db
            .selectFrom(candidates)
            .select(sql<number>`1`.as('one'))
            .limit(COUNT_CAP)
            .as('matching'),
        )
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirst(),
    ]);
    const rows = page.map(({ seg: _seg, ...row }) => row as StudentRow);
    const total = num(counted?.n);
    return { rows, total, totalExact: total < COUNT_CAP };
  }
  /** The students of a scope (undefined: an empty scope, nothing to read). */
  private scoped(f: OrgScope) {
    const q = this.db.selectFrom('students');
    if (f.orgPath !== undefined)
      return f.orgPath === ALL_ORGS ? q : q.where('students.org_id', 'in', orgIdsUnder(this.db, f.orgPath));
    return f.orgIds?.length ? q.where('students.org_id', 'in', f.orgIds) : undefined;
  }
  /** Students by 学号, many at once (roster import: one query per chunk of rows). */
  async byXuehaos(xuehaos: string[]): Promise<StudentRow[]> {
    const out: StudentRow[] = [];
    for (let i = 0; i < xuehaos.length; i += 1000) {
      const chunk = xuehaos.slice(i, i + 1000);
      if (chunk.length)
        out.push(...(await this.db.selectFrom('students').selectAll().where('xuehao', 'in', chunk).execute()));
    }
    return out;
  }
  /** Many students in one statement per chunk (roster import, seeding); rows come back in the order given. */
  async insertMany(rows: Insertable<StudentTable>[]): Promise<StudentRow[]> {
    const out: StudentRow[] = [];
    // Each row binds 17 parameters: 500 rows stay far below SQLite's limit.
    for (let i = 0; i < rows.length; i += 500) {
      const inserted = await this.db
        .insertInto('students')
        .values(rows.slice(i, i + 500))
        .returningAll()
        .execute();
      out.push(...inserted.sort((a, b) => a.id - b.id));
    }
    return out;
  }
  /**
   * The roster fields of many students in one statement per chunk (名册重新导入): a `VALUES` list joined by id
   * (`UPDATE … FROM`, on both databases); the updated rows come back.
   */
  async updateRosterFields(
    patches: Array<{
      id: number;
      id_card: string;
      name: string;
      programme: string;
      level: string;
      enrol_term: string;
      updated_at: string;
    }>,
  ): Promise<StudentRow[]> {
    const out: StudentRow[] = [];
    for (let i = 0; i < patches.length; i += 250) {
      const values = sql.join(
        patches
          .slice(i, i + 250)
          .map(
            (p) =>
              sql`(cast(${p.id} as integer), ${p.id_card}, ${p.name}, ${p.programme}, ${p.level}, ${p.enrol_term}, ${p.updated_at})`,
          ),
      );
      const back = this.kind === 'postgres' ? sql`returning students.*` : sql`returning *`;
      const r = await sql<StudentRow>`with v (id, id_card, name, programme, level, enrol_term, updated_at) as (
          values ${values})
        update students set id_card = v.id_card, name = v.name, programme = v.programme, level = v.level,
          enrol_term = v.enrol_term, updated_at = v.updated_at
        from v where students.id = v.id ${back}`.execute(this.db);
      out.push(...r.rows);
    }
    return out;
  }
  /** Sets the current photo of many students at once (seeding, bulk photo import). */
  async setPhotos(pairs: Array<{ studentId: number; photoId: number }>): Promise<void> {
    for (let i = 0; i < pairs.length; i += 500) {
      const chunk = pairs.slice(i, i + 500);
      const cases = sql.join(
        chunk.map((p) => sql`when ${p.studentId} then cast(${p.photoId} as integer)`),
        sql` `,
      );
      await this.db
        .updateTable('students')
        .set({ photo_id: sql<number>`case id ${cases} end` })
        .where(
          'id',
          'in',
          chunk.map((p) => p.studentId),
        )
        .execute();
    }
  }
  /** The enrolment terms present in a scope (a few dozen): lets rules on the term run once per term. */
  distinctTerms(f: OrgScope): Promise<string[]> {
    let q = this.db.selectFrom('students').select('students.enrol_term').distinct();
    if (f.orgPath !== undefined) {
      const path = f.orgPath;
      if (path !== ALL_ORGS) q = q.where('students.org_id', 'in', orgIdsUnder(this.db, path));
    } else if (!f.orgIds?.length) return Promise.resolve([]);
    else q = q.where('students.org_id', 'in', f.orgIds);
    return q.execute().then((r) => r.map((x) => x.enrol_term));
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
