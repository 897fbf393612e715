import type { Kysely, Migration } from 'kysely';

/**
 * Account migrations (账号): `must_change_password` — set on every account created or reset with an initial
 * password (by an administrator, the setup, or the demo seed in production); the user must choose their own
 * password before any other API route answers.
 */
export const accountMigrations: Record<string, Migration> = {
  '006_must_change_password': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .alterTable('users')
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '011_user_disabled': {
    /** 停用账号: a disabled account cannot log in and has no sessions; re-enabled by an administrator. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
    },
  },
};
