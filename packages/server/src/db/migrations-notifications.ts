import type { CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectKind } from './migrations.js';

/**
 * Notifications (通知):
 * - notification_channels: an organisation's channels — e-mail addresses or a 企业微信 / 钉钉 group robot webhook
 *   (with the 钉钉 signing secret) — and which events each one receives;
 * - notification_user_prefs: a user's own e-mail address and the events they want by e-mail;
 * - notification_deliveries: one row per message and recipient, unique by its delivery key (event + subject +
 *   recipient + day or occasion), so a reminder computed twice is sent once; status, attempts, last error and the
 *   next attempt for retries with backoff; `claimed_until` so two processes never send the same row;
 * - notification_leases: one row per scheduled job; the process holding the lease runs the reminders.
 */
export function notificationMigrations(kind: DialectKind): Record<string, Migration> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const withId = <T extends string>(t: CreateTableBuilder<T, never>): CreateTableBuilder<T, any> =>
    kind === 'postgres'
      ? t.addColumn('id', 'serial', (c) => c.primaryKey())
      : t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  return {
    '008_notifications': {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      async up(db: Kysely<any>) {
        await withId(db.schema.createTable('notification_channels'))
          .addColumn('org_id', 'integer', (c) => c.notNull().references('orgs.id'))
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('secret', 'text')
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('created_by', 'integer')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createIndex('notification_channels_org').on('notification_channels').column('org_id').execute();
        await db.schema
          .createTable('notification_user_prefs')
          .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id'))
          .addColumn('email', 'text')
          .addColumn('events', 'text', (c) => c.notNull())
          .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
          .addColumn('updated_at', 'text', (c) => c.notNull())
          .execute();
        await withId(db.schema.createTable('notification_deliveries'))
          .addColumn('delivery_key', 'text', (c) => c.notNull().unique())
          .addColumn('event', 'text', (c) => c.notNull())
          .addColumn('org_id', 'integer')
          .addColumn('channel_id', 'integer')
          .addColumn('user_id', 'integer')
          .addColumn('channel_kind', 'text', (c) => c.notNull())
          .addColumn('target', 'text', (c) => c.notNull())
          .addColumn('title', 'text', (c) => c.notNull())
          .addColumn('body', 'text', (c) => c.notNull())
          .addColumn('status', 'text', (c) => c.notNull())
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', 'text')
          .addColumn('next_attempt_at', 'text', (c) => c.notNull())
          .addColumn('claimed_until', 'text')
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('sent_at', 'text')
          .execute();
        await db.schema
          .createIndex('notification_deliveries_due')
          .on('notification_deliveries')
          .columns(['status', 'next_attempt_at'])
          .execute();
        await db.schema
          .createIndex('notification_deliveries_org')
          .on('notification_deliveries')
          .columns(['org_id', 'id'])
          .execute();
        await db.schema
          .createTable('notification_leases')
          .addColumn('name', 'text', (c) => c.primaryKey())
          .addColumn('holder', 'text', (c) => c.notNull())
          .addColumn('until', 'text', (c) => c.notNull())
          .execute();
      },
    },
  };
}
