import { sql, type Kysely, type Migration } from 'kysely';
import type { DialectKind } from './migrations.js';

/**
 * National scale (全国规模, issue 12), migrations 009 and 013 (首批优先 paged: see below):
 * - an index for every filter and sort the lists offer (state, batch × state, photo status, org × id, certificate
 *   state, enrolment term, the organisation path), so a page at 500,000 students reads a page, not the table;
 * - names: a trigram index (pg_trgm) on PostgreSQL for `name LIKE '%…%'`, a plain index for prefixes and exact
 *   names on both (the fallback when the extension cannot be created);
 * - counts kept by the state changes (缓存计数): `application_counts` per student organisation × batch × state and
 *   `student_counts` per organisation, maintained by triggers in the same transaction as the change, so list
 *   totals and 实时进度 read a few hundred rows instead of counting the table.
 */
export function scaleMigrations(kind: DialectKind): Record<string, Migration> {
  return {
    '009_scale_indexes_counts': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        const indexes: Array<[string, string, string[]]> = [
          ['applications_state', 'applications', ['state', 'id']],
          ['applications_batch_state', 'applications', ['batch_id', 'state', 'id']],
          ['photos_status', 'photos', ['status', 'id']],
          ['students_org_id', 'students', ['org_id', 'id']],
          ['students_photo', 'students', ['photo_id']],
          ['students_enrol_term', 'students', ['enrol_term']],
          ['students_name', 'students', ['name']],
          ['certificates_state', 'certificates', ['state', 'id']],
          ['certificates_student', 'certificates', ['student_id']],
          ['orgs_path', 'orgs', ['path']],
          ['orgs_parent', 'orgs', ['parent_id']],
          ['audit_org_id', 'audit_log', ['org_id', 'id']],
          ['users_org', 'users', ['org_id']],
          ['identity_documents_student', 'identity_documents', ['student_id']],
          ['collection_orders_student', 'collection_orders', ['student_id']],
          ['collection_orders_centre', 'collection_orders', ['collection_org_id']],
        ];
        for (const [name, table, columns] of indexes)
          await db.schema.createIndex(name).ifNotExists().on(table).columns(columns).execute();
        if (kind === 'postgres') await trigramIndex(db);

        await db.schema
          .createTable('application_counts')
          .addColumn('org_id', 'integer', (c) => c.notNull())
          .addColumn('batch_id', 'integer', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('n', 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('application_counts_pk', ['org_id', 'batch_id', 'state'])
          .execute();
        await db.schema
          .createTable('student_counts')
          .addColumn('org_id', 'integer', (c) => c.primaryKey())
          .addColumn('n', 'integer', (c) => c.notNull())
          .execute();
        await sql`insert into application_counts (org_id, batch_id, state, n)
          select s.org_id, a.batch_id, a.state, count(*) from applications a
          join students s on s.id = a.student_id group by s.org_id, a.batch_id, a.state`.execute(db);
        await sql`insert into student_counts (org_id, n)
          select org_id, count(*) from students group by org_id`.execute(db);
        if (kind === 'postgres') await postgresCountTriggers(db);
        else await sqliteCountTriggers(db);
      },
    },
    '013_priority_indexes': {
      /**
       * 首批优先 (first-window priorities) as a paged query: the students of a scope by enrolment term
       * (organisation × term, also what 学籍到期/学籍清理 read), and the few 专科续读-flagged students by
       * organisation × level (a partial index: only flagged rows).
       */
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await db.schema
          .createIndex('students_org_term')
          .ifNotExists()
          .on('students')
          .columns(['org_id', 'enrol_term'])
          .execute();
        await sql`create index if not exists students_continuing on students (org_id, level, enrol_term)
          where continuing = 1`.execute(db);
      },
    },
  };
}

/** pg_trgm's GIN index on names; when the extension cannot be created, the plain name index above serves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function trigramIndex(db: Kysely<any>): Promise<void> {
  await sql`savepoint gp_trgm`.execute(db);
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index if not exists students_name_trgm on students using gin (name gin_trgm_ops)`.execute(db);
    await sql`release savepoint gp_trgm`.execute(db);
  } catch (e) {
    await sql`rollback to savepoint gp_trgm`.execute(db);
    console.warn(`未能启用 pg_trgm（${(e as Error).message}），姓名检索使用前缀索引`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function postgresCountTriggers(db: Kysely<any>): Promise<void> {
  // One function adds `delta` to a counter row (created at 0 when missing).
  await sql`create function gp_count_application(o integer, b integer, s text, delta integer) returns void
    language plpgsql as $$
    begin
      insert into application_counts (org_id, batch_id, state, n) values (o, b, s, delta)
        on conflict (org_id, batch_id, state) do update set n = application_counts.n + delta;
    end $$`.execute(db);
  // Two counter rows are always touched in the order of their state names, so two transactions moving
  // applications in opposite directions cannot deadlock on them.
  await sql`create function gp_application_counts() returns trigger language plpgsql as $$
    declare o integer;
    begin
      if tg_op = 'INSERT' then
        select org_id into o from students where id = new.student_id;
        perform gp_count_application(o, new.batch_id, new.state, 1);
      elsif tg_op = 'DELETE' then
        select org_id into o from students where id = old.student_id;
        perform gp_count_application(o, old.batch_id, old.state, -1);
      elsif new.state is distinct from old.state or new.batch_id is distinct from old.batch_id then
        select org_id into o from students where id = new.student_id;
        if old.state <= new.state then
          perform gp_count_application(o, old.batch_id, old.state, -1);
          perform gp_count_application(o, new.batch_id, new.state, 1);
        else
          perform gp_count_application(o, new.batch_id, new.state, 1);
          perform gp_count_application(o, old.batch_id, old.state, -1);
        end if;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger applications_counts after insert or update or delete on applications
    for each row execute function gp_application_counts()`.execute(db);
  await sql`create function gp_student_counts() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        update student_counts set n = n - 1 where org_id = old.org_id;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into student_counts (org_id, n) values (new.org_id, 1)
          on conflict (org_id) do update set n = student_counts.n + 1;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger students_counts_insert after insert or delete on students
    for each row execute function gp_student_counts()`.execute(db);
  await sql`create trigger students_counts_move after update of org_id on students
    for each row when (new.org_id is distinct from old.org_id) execute function gp_student_counts()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function sqliteCountTriggers(db: Kysely<any>): Promise<void> {
  const add = (when: 'new' | 'old', delta: string) => `
    insert or ignore into application_counts (org_id, batch_id, state, n)
      values ((select org_id from students where id = ${when}.student_id), ${when}.batch_id, ${when}.state, 0);
    update application_counts set n = n ${delta}
      where org_id = (select org_id from students where id = ${when}.student_id)
        and batch_id = ${when}.batch_id and state = ${when}.state;`;
  await sql
    .raw(`create trigger applications_counts_insert after insert on applications begin ${add('new', '+ 1')} end`)
    .execute(db);
  await sql
    .raw(`create trigger applications_counts_delete after delete on applications begin ${add('old', '- 1')} end`)
    .execute(db);
  await sql
    .raw(
      `create trigger applications_counts_update after update of state, batch_id on applications
       when new.state is not old.state or new.batch_id is not old.batch_id
       begin ${add('old', '- 1')} ${add('new', '+ 1')} end`,
    )
    .execute(db);
  const studentAdd = `insert or ignore into student_counts (org_id, n) values (new.org_id, 0);
    update student_counts set n = n + 1 where org_id = new.org_id;`;
  const studentSub = `update student_counts set n = n - 1 where org_id = old.org_id;`;
  await sql.raw(`create trigger students_counts_insert after insert on students begin ${studentAdd} end`).execute(db);
  await sql.raw(`create trigger students_counts_delete after delete on students begin ${studentSub} end`).execute(db);
  await sql
    .raw(
      `create trigger students_counts_move after update of org_id on students
       when new.org_id is not old.org_id begin ${studentSub} ${studentAdd} end`,
    )
    .execute(db);
}
