import { sql, type Kysely, type Selectable, type Insertable, type Updateable } from 'kysely';
import type {
  Database, OrgTable, UserTable, StudentTable, PhotoTable, BatchTable, ApplicationTable,
  CertificateTable, AuditTable, IdentityDocumentTable, SessionTable, ReferencePhotoTable, CollectionOrderTable, FeatureCodeTable,
} from '../db/schema.js';

export type OrgRow = Selectable<OrgTable>;
export type UserRow = Selectable<UserTable>;
export type StudentRow = Selectable<StudentTable>;
export type PhotoRow = Selectable<PhotoTable>;
export type BatchRow = Selectable<BatchTable>;
export type ApplicationRow = Selectable<ApplicationTable>;
export type CertificateRow = Selectable<CertificateTable>;
export type AuditRow = Selectable<AuditTable>;
export type IdentityDocumentRow = Selectable<IdentityDocumentTable>;
export type SessionRow = Selectable<SessionTable>;

const num = (v: unknown): number => Number(v ?? 0);

/** 组织机构 */
export class OrgRepository {
  constructor(private readonly db: Kysely<Database>) {}
  all(): Promise<OrgRow[]> { return this.db.selectFrom('orgs').selectAll().orderBy('id').execute(); }
  byId(id: number): Promise<OrgRow | undefined> { return this.db.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst(); }
  async insert(row: Insertable<OrgTable>): Promise<OrgRow> { return this.db.insertInto('orgs').values(row).returningAll().executeTakeFirstOrThrow(); }
  async setPath(id: number, path: string) { return this.db.updateTable('orgs').set({ path }).where('id', '=', id).returningAll().executeTakeFirstOrThrow(); }
  async count(): Promise<number> { return num((await this.db.selectFrom('orgs').select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n); }
}

/** 用户与会话 */
export class UserRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) { return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(); }
  byUsername(u: string) { return this.db.selectFrom('users').selectAll().where('username', '=', u).executeTakeFirst(); }
  byStudentId(studentId: number) { return this.db.selectFrom('users').selectAll().where('student_id', '=', studentId).executeTakeFirst(); }
  list(orgIds: number[]) {
    if (orgIds.length === 0) return Promise.resolve([] as UserRow[]);
    return this.db.selectFrom('users').selectAll().where('org_id', 'in', orgIds).orderBy('id').execute();
  }
  insert(row: Insertable<UserTable>) { return this.db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow(); }
  async setPassword(id: number, hash: string) { await this.db.updateTable('users').set({ password_hash: hash }).where('id', '=', id).execute(); }
  async insertSession(row: Insertable<SessionTable>) { await this.db.insertInto('sessions').values(row).execute(); }
  session(tokenHash: string) { return this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(); }
  async deleteSession(tokenHash: string) { await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute(); }
}

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
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) { return this.db.selectFrom('students').selectAll().where('id', '=', id).executeTakeFirst(); }
  byXuehao(x: string) { return this.db.selectFrom('students').selectAll().where('xuehao', '=', x).executeTakeFirst(); }
  byIdCard(c: string) { return this.db.selectFrom('students').selectAll().where('id_card', '=', c.toUpperCase()).execute(); }
  insert(row: Insertable<StudentTable>) { return this.db.insertInto('students').values(row).returningAll().executeTakeFirstOrThrow(); }
  update(id: number, patch: Updateable<StudentTable>) {
    return this.db.updateTable('students').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
  private filtered(f: StudentFilter) {
    let q = this.db.selectFrom('students').leftJoin('photos', 'photos.id', 'students.photo_id');
    q = f.orgIds.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.ids) q = f.ids.length ? q.where('students.id', 'in', f.ids) : q.where(sql<boolean>`1 = 0`);
    if (f.q) {
      const like = `%${f.q.trim()}%`;
      q = q.where((e) => e.or([e('students.name', 'like', like), e('students.xuehao', 'like', like), e('students.id_card', 'like', like.toUpperCase())]));
    }
    if (f.flag) q = q.where(`students.${f.flag}`, '=', 1);
    if (f.photoStatus === 'none') q = q.where('students.photo_id', 'is', null);
    else if (f.photoStatus) q = q.where('photos.status', '=', f.photoStatus);
    if (f.failedRule) q = q.where('photos.failed_rules', 'like', `%,${f.failedRule.replace(/[%_,]/g, '')},%`);
    if (f.enrolTerms) q = f.enrolTerms.length ? q.where('students.enrol_term', 'in', f.enrolTerms) : q.where(sql<boolean>`1 = 0`);
    if (f.state || f.batchId) {
      q = q.where((e) => e.exists(
        e.selectFrom('applications').select('applications.id').whereRef('applications.student_id', '=', 'students.id')
          .$if(!!f.state, (s) => s.where('applications.state', '=', f.state as string))
          .$if(!!f.batchId, (s) => s.where('applications.batch_id', '=', f.batchId as number)),
      ));
    }
    return q;
  }
  async list(f: StudentFilter, page: number, pageSize: number): Promise<{ rows: StudentRow[]; total: number }> {
    const total = num((await this.filtered(f).select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await this.filtered(f).selectAll('students').orderBy('students.id').limit(pageSize).offset((page - 1) * pageSize).execute();
    return { rows, total };
  }
  listAll(f: StudentFilter): Promise<StudentRow[]> { return this.filtered(f).selectAll('students').orderBy('students.id').execute(); }
  distinctTerms(orgIds: number[]): Promise<string[]> {
    if (!orgIds.length) return Promise.resolve([]);
    return this.db.selectFrom('students').select('enrol_term').distinct().where('org_id', 'in', orgIds).execute().then((r) => r.map((x) => x.enrol_term));
  }
  documents(studentId: number) { return this.db.selectFrom('identity_documents').selectAll().where('student_id', '=', studentId).orderBy('id').execute(); }
  document(id: number) { return this.db.selectFrom('identity_documents').selectAll().where('id', '=', id).executeTakeFirst(); }
  insertDocument(row: Insertable<IdentityDocumentTable>) { return this.db.insertInto('identity_documents').values(row).returningAll().executeTakeFirstOrThrow(); }
}

/** 照片 */
export class PhotoRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) { return this.db.selectFrom('photos').selectAll().where('id', '=', id).executeTakeFirst(); }
  byIds(ids: number[]) { return ids.length ? this.db.selectFrom('photos').selectAll().where('id', 'in', ids).execute() : Promise.resolve([] as PhotoRow[]); }
  forStudent(studentId: number) { return this.db.selectFrom('photos').selectAll().where('student_id', '=', studentId).orderBy('id', 'desc').execute(); }
  insert(row: Insertable<PhotoTable>) { return this.db.insertInto('photos').values(row).returningAll().executeTakeFirstOrThrow(); }
  update(id: number, patch: Updateable<PhotoTable>) { return this.db.updateTable('photos').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(); }
  reference(studentId: number) { return this.db.selectFrom('reference_photos').selectAll().where('student_id', '=', studentId).executeTakeFirst(); }
  referencesFor(studentIds: number[]) {
    return studentIds.length ? this.db.selectFrom('reference_photos').select('student_id').where('student_id', 'in', studentIds).execute() : Promise.resolve([]);
  }
  async putReference(row: Insertable<ReferencePhotoTable>) {
    await this.db.deleteFrom('reference_photos').where('student_id', '=', row.student_id).execute();
    await this.db.insertInto('reference_photos').values(row).execute();
  }
  unfinished() { return this.db.selectFrom('photos').select('id').where('status', 'in', ['pending', 'checking']).execute(); }
}

/** 毕业批次 */
export class BatchRepository {
  constructor(private readonly db: Kysely<Database>) {}
  all() { return this.db.selectFrom('batches').selectAll().orderBy('id', 'desc').execute(); }
  byId(id: number) { return this.db.selectFrom('batches').selectAll().where('id', '=', id).executeTakeFirst(); }
  insert(row: Insertable<BatchTable>) { return this.db.insertInto('batches').values(row).returningAll().executeTakeFirstOrThrow(); }
  update(id: number, patch: Updateable<BatchTable>) { return this.db.updateTable('batches').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow(); }
}

export interface ApplicationFilter { orgIds: number[]; batchId?: number; state?: string; q?: string; studentId?: number; ids?: number[] }
export type ApplicationJoined = ApplicationRow & { student_name: string; xuehao: string; org_id: number; batch_name: string };

/** 毕业申请 */
export class ApplicationRepository {
  constructor(private readonly db: Kysely<Database>) {}
  private base() {
    return this.db.selectFrom('applications')
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
      q = q.where((e) => e.or([e('students.name', 'like', like), e('students.xuehao', 'like', like), e('students.id_card', 'like', like.toUpperCase())]));
    }
    return q;
  }
  private cols<T extends ReturnType<ApplicationRepository['base']>>(q: T) {
    return q.selectAll('applications').select(['students.name as student_name', 'students.xuehao as xuehao', 'students.org_id as org_id', 'batches.name as batch_name']);
  }
  async list(f: ApplicationFilter, page: number, pageSize: number): Promise<{ rows: ApplicationJoined[]; total: number }> {
    const total = num((await this.filtered(f).select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await this.cols(this.filtered(f)).orderBy('applications.id').limit(pageSize).offset((page - 1) * pageSize).execute();
    return { rows: rows as ApplicationJoined[], total };
  }
  async listAll(f: ApplicationFilter): Promise<ApplicationJoined[]> {
    return (await this.cols(this.filtered(f)).orderBy('applications.id').execute()) as ApplicationJoined[];
  }
  async byId(id: number): Promise<ApplicationJoined | undefined> {
    return (await this.cols(this.base()).where('applications.id', '=', id).executeTakeFirst()) as ApplicationJoined | undefined;
  }
  byStudentBatch(studentId: number, batchId: number) {
    return this.db.selectFrom('applications').selectAll().where('student_id', '=', studentId).where('batch_id', '=', batchId).executeTakeFirst();
  }
  forStudent(studentIds: number[]) {
    return studentIds.length ? this.db.selectFrom('applications').selectAll().where('student_id', 'in', studentIds).orderBy('id').execute() : Promise.resolve([] as ApplicationRow[]);
  }
  insert(row: Insertable<ApplicationTable>) { return this.db.insertInto('applications').values(row).returningAll().executeTakeFirstOrThrow(); }
  /** Optimistic update: changes the row only if it is still in `fromState`; returns undefined when someone else moved it. */
  update(id: number, fromState: string, patch: Updateable<ApplicationTable>) {
    return this.db.updateTable('applications').set(patch).where('id', '=', id).where('state', '=', fromState).returningAll().executeTakeFirst();
  }
  async registrationNumberExists(n: string): Promise<boolean> {
    return !!(await this.db.selectFrom('applications').select('id').where('registration_number', '=', n).executeTakeFirst());
  }
  /** How many 电子注册号 have been issued (the next serial is this + 1). */
  async issuedCount(): Promise<number> {
    return num((await this.db.selectFrom('applications').select((e) => e.fn.countAll().as('n')).where('registration_number', 'is not', null).executeTakeFirst())?.n);
  }
  /** Counts by student org × state for one batch. */
  async countsByOrgState(batchId: number | undefined, orgIds: number[]): Promise<Array<{ org_id: number; state: string; n: number }>> {
    if (!orgIds.length) return [];
    let q = this.db.selectFrom('applications').innerJoin('students', 'students.id', 'applications.student_id')
      .select(['students.org_id as org_id', 'applications.state as state', (e) => e.fn.countAll().as('n')])
      .where('students.org_id', 'in', orgIds);
    if (batchId) q = q.where('applications.batch_id', '=', batchId);
    const rows = await q.groupBy(['students.org_id', 'applications.state']).execute();
    return rows.map((r) => ({ org_id: Number(r.org_id), state: String(r.state), n: num(r.n) }));
  }
}

export interface CertificateFilter { orgIds: number[]; batchId?: number; state?: string; studentId?: number; q?: string }
export type CertificateJoined = CertificateRow & { student_name: string; xuehao: string; org_id: number; batch_id: number; registration_number: string | null };

/** 毕业证书 */
export class CertificateRepository {
  constructor(private readonly db: Kysely<Database>) {}
  private base(f?: CertificateFilter) {
    let q = this.db.selectFrom('certificates')
      .innerJoin('students', 'students.id', 'certificates.student_id')
      .innerJoin('applications', 'applications.id', 'certificates.application_id');
    if (f) {
      q = f.orgIds.length ? q.where('students.org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
      if (f.batchId) q = q.where('applications.batch_id', '=', f.batchId);
      if (f.state) q = q.where('certificates.state', '=', f.state);
      if (f.studentId) q = q.where('certificates.student_id', '=', f.studentId);
      if (f.q) {
        const like = `%${f.q.trim()}%`;
        q = q.where((e) => e.or([e('students.name', 'like', like), e('students.xuehao', 'like', like), e('applications.registration_number', 'like', like)]));
      }
    }
    return q;
  }
  private cols<T extends ReturnType<CertificateRepository['base']>>(q: T) {
    return q.selectAll('certificates').select(['students.name as student_name', 'students.xuehao as xuehao', 'students.org_id as org_id', 'applications.batch_id as batch_id', 'applications.registration_number as registration_number']);
  }
  async list(f: CertificateFilter, page: number, pageSize: number) {
    const total = num((await this.base(f).select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await this.cols(this.base(f)).orderBy('certificates.id').limit(pageSize).offset((page - 1) * pageSize).execute();
    return { rows: rows as CertificateJoined[], total };
  }
  async listAll(f: CertificateFilter) { return (await this.cols(this.base(f)).orderBy('certificates.id').execute()) as CertificateJoined[]; }
  async byId(id: number) { return (await this.cols(this.base()).where('certificates.id', '=', id).executeTakeFirst()) as CertificateJoined | undefined; }
  byApplication(applicationId: number) { return this.db.selectFrom('certificates').selectAll().where('application_id', '=', applicationId).executeTakeFirst(); }
  insert(row: Insertable<CertificateTable>) { return this.db.insertInto('certificates').values(row).returningAll().executeTakeFirstOrThrow(); }
  /** Optimistic update on the version. */
  update(id: number, version: number, patch: Updateable<CertificateTable>) {
    return this.db.updateTable('certificates').set(patch).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }
}

/** 审计日志 */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}
  async insert(row: Insertable<AuditTable>) { await this.db.insertInto('audit_log').values(row).execute(); }
  async list(f: { orgIds: number[]; entity?: string; entityId?: number }, page: number, pageSize: number) {
    let q = this.db.selectFrom('audit_log');
    q = f.orgIds.length ? q.where('org_id', 'in', f.orgIds) : q.where(sql<boolean>`1 = 0`);
    if (f.entity) q = q.where('entity', '=', f.entity);
    if (f.entityId) q = q.where('entity_id', '=', f.entityId);
    const total = num((await q.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await q.selectAll().orderBy('id', 'desc').limit(pageSize).offset((page - 1) * pageSize).execute();
    return { rows, total };
  }
}

export type CollectionOrderRow = Selectable<CollectionOrderTable>;

/** 图像采集订单与特征码 */
export class CollectionRepository {
  constructor(private readonly db: Kysely<Database>) {}
  byId(id: number) { return this.db.selectFrom('collection_orders').selectAll().where('id', '=', id).executeTakeFirst(); }
  insert(row: Insertable<CollectionOrderTable>) { return this.db.insertInto('collection_orders').values(row).returningAll().executeTakeFirstOrThrow(); }
  update(id: number, version: number, patch: Updateable<CollectionOrderTable>) {
    return this.db.updateTable('collection_orders').set(patch).where('id', '=', id).where('version', '=', version).returningAll().executeTakeFirst();
  }
  /** Orders whose student's centre is in `centreOrgIds` OR whose collection centre is in `collectionOrgIds`. */
  list(f: { centreOrgIds: number[]; collectionOrgIds: number[]; status?: string; studentId?: number }) {
    let q = this.db.selectFrom('collection_orders').innerJoin('students', 'students.id', 'collection_orders.student_id').selectAll('collection_orders');
    q = q.where((e) => e.or([
      f.centreOrgIds.length ? e('students.org_id', 'in', f.centreOrgIds) : sql<boolean>`1 = 0`,
      f.collectionOrgIds.length ? e('collection_orders.collection_org_id', 'in', f.collectionOrgIds) : sql<boolean>`1 = 0`,
    ]));
    if (f.status) q = q.where('collection_orders.status', '=', f.status);
    if (f.studentId) q = q.where('collection_orders.student_id', '=', f.studentId);
    return q.orderBy('collection_orders.id').execute();
  }
  featureCodes(collectionOrgIds: number[]) {
    return collectionOrgIds.length ? this.db.selectFrom('feature_codes').selectAll().where('collection_org_id', 'in', collectionOrgIds).orderBy('id').execute() : Promise.resolve([]);
  }
  allFeatureCodes() { return this.db.selectFrom('feature_codes').selectAll().orderBy('id').execute(); }
  insertFeatureCode(row: Insertable<FeatureCodeTable>) { return this.db.insertInto('feature_codes').values(row).returningAll().executeTakeFirstOrThrow(); }
}

export interface Repos {
  orgs: OrgRepository; users: UserRepository; students: StudentRepository; photos: PhotoRepository; batches: BatchRepository;
  applications: ApplicationRepository; certificates: CertificateRepository; audit: AuditRepository; collection: CollectionRepository;
}

export function makeRepos(db: Kysely<Database>): Repos {
  return {
    orgs: new OrgRepository(db), users: new UserRepository(db), students: new StudentRepository(db), photos: new PhotoRepository(db),
    batches: new BatchRepository(db), applications: new ApplicationRepository(db), certificates: new CertificateRepository(db), audit: new AuditRepository(db),
    collection: new CollectionRepository(db),
  };
}
