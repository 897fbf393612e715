import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { DialectKind } from '../db/migrations.js';
import { OrgCache, OrgRepository } from './orgs.js';
import { UserRepository } from './users.js';
import { StudentRepository } from './students.js';
import { PhotoRepository } from './photos.js';
import { BatchRepository } from './batches.js';
import { ApplicationRepository } from './applications.js';
import { CertificateRepository } from './certificates.js';
import { AuditRepository } from './audit.js';
import { CollectionRepository } from './collection.js';
import { CounterRepository } from './counters.js';
import { NotificationRepository } from './notifications.js';

export * from './rows.js';
export * from './orgs.js';
export * from './users.js';
export * from './students.js';
export * from './photos.js';
export * from './batches.js';
export * from './applications.js';
export * from './certificates.js';
export * from './audit.js';
export * from './collection.js';
export * from './counters.js';
export * from './notifications.js';
export * from './constraints.js';

/** Every repository, bound to one database handle (the pool, or one transaction). */
export interface Repos {
  orgs: OrgRepository;
  users: UserRepository;
  students: StudentRepository;
  photos: PhotoRepository;
  batches: BatchRepository;
  applications: ApplicationRepository;
  certificates: CertificateRepository;
  audit: AuditRepository;
  collection: CollectionRepository;
  counters: CounterRepository;
  notifications: NotificationRepository;
  /** Which SQL dialect the handle speaks. */
  readonly kind: DialectKind;
  /** True inside {@link Repos.transaction}. */
  readonly inTransaction: boolean;
  /**
   * A unit of work (事务): `fn` runs with repositories bound to one transaction, committed when it returns and
   * rolled back when it throws. On PostgreSQL rows are locked with `SELECT … FOR UPDATE` by the `lock*` methods;
   * on SQLite the transaction starts with `BEGIN IMMEDIATE` (the write lock is taken at once, so two writers never
   * interleave). Called inside a transaction, `fn` joins it.
   */
  transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T>;
}

export function makeRepos(
  db: Kysely<Database>,
  kind: DialectKind,
  inTransaction = false,
  orgCache: OrgCache = new OrgCache(),
): Repos {
  const repos: Repos = {
    orgs: new OrgRepository(db, orgCache),
    users: new UserRepository(db),
    students: new StudentRepository(db, kind),
    photos: new PhotoRepository(db),
    batches: new BatchRepository(db),
    applications: new ApplicationRepository(db, kind),
    certificates: new CertificateRepository(db),
    audit: new AuditRepository(db),
    collection: new CollectionRepository(db),
    counters: new CounterRepository(db),
    notifications: new NotificationRepository(db),
    kind,
    inTransaction,
    async transaction<T>(fn: (tx: Repos) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(repos);
      if (kind === 'postgres') return db.transaction().execute((trx) => fn(makeRepos(trx, kind, true, orgCache)));
      // SQLite: Kysely's driver hands out its single connection under a mutex; BEGIN IMMEDIATE takes the write lock.
      return db.connection().execute(async (conn) => {
        await sql`begin immediate`.execute(conn);
        try {
          const value = await fn(makeRepos(conn, kind, true, orgCache));
          await sql`commit`.execute(conn);
          return value;
        } catch (e) {
          await sql`rollback`.execute(conn);
          throw e;
        }
      });
    },
  };
  return repos;
}
