import { sql, type Kysely, type Migration, type MigrationProvider, type CreateTableBuilder } from 'kysely';
import { accountMigrations } from './migrations-accounts.js';
import { reviewMigrations } from './migrations-review.js';
import { notificationMigrations } from './migrations-notifications.js';
import { scaleMigrations } from './migrations-scale.js';
import { importMigrations } from './migrations-imports.js';
import { exportMigrations } from './migrations-exports.js';
import { maskAuditRows } from './mask-audit.js';

export type DialectKind = 'sqlite' | 'postgres';

/** Application states in which the photo is locked (照片锁定), as core's isPhotoLocked. */
export const LOCKED_STATES = ['submitted', 'city_approved', 'province_approved', 'graduated'] as const;

/** Name of the counter row that hands out the serials of one 电子注册号 prefix (school code + year + level). */
export const registrationCounter = (prefix: string): string => `registration:${prefix}`;

/** Migrations in code (迁移). The one dialect difference is the auto-increment key, branched here. */
export function migrationProvider(kind: DialectKind): MigrationProvider {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const withId = <T extends string>(t: CreateTableBuilder<T, never>): CreateTableBuilder<T, any> =>
    kind === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  const migrations: Record<string, Migration> = {
    '001_init': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('orgs'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('parent_id', 'integer', (c) => c.references('orgs.id'))
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('students'))
          .addColumn('xuehao', 'text', (c) => c.notNull().unique())
          .addColumn('id_card', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('programme', 'text', (c) => c.notNull())
          .addColumn('level', 'text', (c) => c.notNull())
          .addColumn('enrol_term', 'text', (c) => c.notNull())
          .addColumn('chsi_photo_missing', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('identity_doubtful', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('continuing', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('identity_status', 'text', (c) => c.notNull().defaultTo('none'))
          .addColumn('identity_decided_by', 'integer')
          .addColumn('identity_decided_at', 'text')
          .addColumn('identity_reason', 'text')
          .addColumn('photo_id', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('students_id_card').on('students').column('id_card').execute();
        await db.schema.createIndex('students_org').on('students').column('org_id').execute();
        await withId(db.schema.createTable('users'))
          .addColumn('username', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('display_name', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('student_id', 'integer', (c) => c.references('students.id'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('token_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('photos'))
          .addColumn('student_id', 'integer', (c) => c.notNull().references('students.id'))
          .addColumn('source', 'text', (c) => c.notNull())
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('storage_path', 'text', (c) => c.notNull())
          .addColumn('bytes', 'integer', (c) => c.notNull())
          .addColumn('sha256', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('checks_json', 'text')
          .addColumn('uploaded_by', 'integer')
          .addColumn('uploaded_at', 'text', (c) => c.notNull())
          .addColumn('checked_at', 'text')
          .execute();
        await db.schema.createIndex('photos_student').on('photos').column('student_id').execute();
        await withId(db.schema.createTable('identity_documents'))
          .addColumn('student_id', 'integer', (c) => c.notNull().references('students.id'))
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('storage_path', 'text', (c) => c.notNull())
          .addColumn('bytes', 'integer', (c) => c.notNull())
          .addColumn('uploaded_by', 'integer', (c) => c.notNull())
          .addColumn('uploaded_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('batches'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('first_start', 'text', (c) => c.notNull())
          .addColumn('first_end', 'text', (c) => c.notNull())
          .addColumn('second_start', 'text')
          .addColumn('second_end', 'text', (c) => c.notNull())
          .addColumn('deadline', 'text', (c) => c.notNull())
          .addColumn('collection_deadline', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('applications'))
          .addColumn('student_id', 'integer', (c) => c.notNull().references('students.id'))
          .addColumn('batch_id', 'integer', (c) => c.notNull().references('batches.id'))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('degree_requested', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('signed_at', 'text')
          .addColumn('same_version_confirmed_at', 'text')
          .addColumn('photo_id', 'integer')
          .addColumn('returned_by', 'text')
          .addColumn('submission_count', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('registration_number', 'text')
          .addColumn('last_reason', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('applications_student_batch', ['student_id', 'batch_id'])
          .execute();
        await db.schema
          .createIndex('applications_registration_number')
          .unique()
          .on('applications')
          .column('registration_number')
          .execute();
        await withId(db.schema.createTable('certificates'))
          .addColumn('application_id', 'integer', (c) => c.notNull().unique().references('applications.id'))
          .addColumn('student_id', 'integer', (c) => c.notNull().references('students.id'))
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('received_from', 'text')
          .addColumn('arrived_at', 'text')
          .addColumn('handed_at', 'text')
          .addColumn('handover_json', 'text')
          .addColumn('confirmed_at', 'text')
          .addColumn('problem_json', 'text')
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('audit_log'))
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor_id', 'integer')
          .addColumn('actor_name', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer')
          .addColumn('entity', 'text', (c) => c.notNull())
          .addColumn('entity_id', 'integer', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('reason', 'text')
          .addColumn('before_json', 'text')
          .addColumn('after_json', 'text')
          .execute();
        await db.schema.createIndex('audit_entity').on('audit_log').columns(['entity', 'entity_id']).execute();
      },
    },
    '002_photo_failed_rules': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        // ',rule.a,rule.b,' — the rules that failed or need review, for filtering lists by rule.
        await db.schema.alterTable('photos').addColumn('failed_rules', 'text').execute();
        await db.schema
          .createTable('reference_photos')
          .addColumn('student_id', 'integer', (c) => c.primaryKey().references('students.id'))
          .addColumn('file_name', 'text', (c) => c.notNull())
          .addColumn('storage_path', 'text', (c) => c.notNull())
          .addColumn('bytes', 'integer', (c) => c.notNull())
          .addColumn('uploaded_by', 'integer', (c) => c.notNull())
          .addColumn('uploaded_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '003_collection_orders': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('collection_orders'))
          .addColumn('student_id', 'integer', (c) => c.notNull().references('students.id'))
          .addColumn('collection_org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('photo_path', 'text')
          .addColumn('data_json', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('feature_codes'))
          .addColumn('collection_org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('code', 'text', (c) => c.notNull())
          .addColumn('year', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
      },
    },
    '004_integrity': {
      /**
       * Invariants in the database (数据库约束): at most one graduated application and one 电子注册号 per
       * student; 电子注册号 serials from a counter row (no gaps from failed attempts); a locked photo never
       * replaced — neither the student's current photo nor the application's, from submission until return.
       */
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('counters')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('value', 'integer', (c) => c.notNull())
          .execute();
        // Seed the serial counters from the numbers already issued (prefix = school code + year + level).
        const issued = await db
          .selectFrom('applications')
          .select('registration_number')
          .where('registration_number', 'is not', null)
          .execute();
        const max = new Map<string, number>();
        for (const r of issued as Array<{ registration_number: string }>) {
          const prefix = registrationCounter(r.registration_number.slice(0, 10));
          max.set(prefix, Math.max(max.get(prefix) ?? 0, Number(r.registration_number.slice(10))));
        }
        for (const [name, value] of max) await db.insertInto('counters').values({ name, value }).execute();
        await sql`create unique index applications_one_graduated on applications (student_id)
          where registration_number is not null`.execute(db);
        await sql`create index applications_student on applications (student_id)`.execute(db);
        const locked = sql.raw(LOCKED_STATES.map((s) => `'${s}'`).join(', '));
        if (kind === 'postgres') {
          await sql`create function gp_student_photo_locked() returns trigger language plpgsql as $$
            begin
              if new.photo_id is distinct from old.photo_id and exists (
                select 1 from applications where student_id = new.id and state in (${locked})
              ) then raise exception 'PHOTO_LOCKED' using errcode = 'check_violation'; end if;
              return new;
            end $$`.execute(db);
          await sql`create trigger students_photo_locked before update of photo_id on students
            for each row execute function gp_student_photo_locked()`.execute(db);
          await sql`create function gp_application_photo_fixed() returns trigger language plpgsql as $$
            begin
              if new.state in (${locked}) and new.photo_id is distinct from old.photo_id
                 and (old.state in (${locked}) or new.photo_id is distinct from
                      (select photo_id from students where id = new.student_id))
              then raise exception 'PHOTO_LOCKED' using errcode = 'check_violation'; end if;
              return new;
            end $$`.execute(db);
          await sql`create trigger applications_photo_fixed before update on applications
            for each row execute function gp_application_photo_fixed()`.execute(db);
        } else {
          await sql`create trigger students_photo_locked before update of photo_id on students
            when new.photo_id is not old.photo_id and exists (
              select 1 from applications where student_id = new.id and state in (${locked}))
            begin select raise(abort, 'PHOTO_LOCKED'); end`.execute(db);
          await sql`create trigger applications_photo_fixed before update on applications
            when new.state in (${locked}) and new.photo_id is not old.photo_id
              and (old.state in (${locked})
                   or new.photo_id is not (select photo_id from students where id = new.student_id))
            begin select raise(abort, 'PHOTO_LOCKED'); end`.execute(db);
        }
      },
    },
    '005_audit_mask_id_cards': {
      /** PIPL: the full 身份证号 out of audit rows written before masking (see mask-audit.ts). */
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await maskAuditRows(db);
      },
    },
    ...accountMigrations,
    ...reviewMigrations,
    ...notificationMigrations(kind),
    ...scaleMigrations(kind),
    ...importMigrations(kind),
    ...exportMigrations(kind),
  };
  return { getMigrations: async () => migrations };
}
