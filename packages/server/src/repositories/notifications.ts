import { sql, type Generated, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database } from '../db/schema.js';
import { num } from './rows.js';

/** An organisation's notification channel (通知渠道): e-mail or a group robot webhook (migration 008). */
export interface NotificationChannelTable {
  id: Generated<number>;
  org_id: number;
  /** 'email' | 'wecom' (企业微信群机器人) | 'dingtalk' (钉钉群机器人). */
  kind: string;
  name: string;
  /** E-mail addresses (comma-separated) or the webhook URL. */
  target: string;
  /** 钉钉 signing secret (加签), null when the robot does not sign. */
  secret: string | null;
  /** Subscribed event codes, comma-separated. */
  events: string;
  enabled: number;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}
/** A user's own e-mail preference (个人邮件通知). */
export interface NotificationUserPrefTable {
  user_id: number;
  email: string | null;
  events: string;
  enabled: number;
  updated_at: string;
}
/** One message to one recipient (通知投递记录). */
export interface NotificationDeliveryTable {
  id: Generated<number>;
  delivery_key: string;
  event: string;
  /** The organisation whose staff see the row in the delivery log. */
  org_id: number | null;
  channel_id: number | null;
  user_id: number | null;
  channel_kind: string;
  target: string;
  title: string;
  body: string;
  /** 'pending' (waiting for its first or next attempt) | 'sent' | 'failed' (gave up). */
  status: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string;
  claimed_until: string | null;
  created_at: string;
  sent_at: string | null;
}
export interface NotificationLeaseTable {
  name: string;
  holder: string;
  until: string;
}
// A type alias, not an interface: Kysely's withTables wants an index-signature-compatible record.
export type NotificationTables = {
  notification_channels: NotificationChannelTable;
  notification_user_prefs: NotificationUserPrefTable;
  notification_deliveries: NotificationDeliveryTable;
  notification_leases: NotificationLeaseTable;
};
export type NotificationChannelRow = Selectable<NotificationChannelTable>;
export type NotificationUserPrefRow = Selectable<NotificationUserPrefTable>;
export type NotificationDeliveryRow = Selectable<NotificationDeliveryTable>;

/** 通知：渠道、个人设置、投递记录、定时任务租约 */
export class NotificationRepository {
  private readonly db: Kysely<Database & NotificationTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<NotificationTables>();
  }

  channels(orgIds: number[]) {
    if (!orgIds.length) return Promise.resolve([] as NotificationChannelRow[]);
    return this.db
      .selectFrom('notification_channels')
      .selectAll()
      .where('org_id', 'in', orgIds)
      .orderBy('id')
      .execute();
  }
  channel(id: number) {
    return this.db.selectFrom('notification_channels').selectAll().where('id', '=', id).executeTakeFirst();
  }
  insertChannel(row: Insertable<NotificationChannelTable>) {
    return this.db.insertInto('notification_channels').values(row).returningAll().executeTakeFirstOrThrow();
  }
  updateChannel(id: number, patch: Updateable<NotificationChannelTable>) {
    return this.db
      .updateTable('notification_channels')
      .set(patch)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }
  async deleteChannel(id: number) {
    await this.db.deleteFrom('notification_channels').where('id', '=', id).execute();
  }

  userPref(userId: number) {
    return this.db.selectFrom('notification_user_prefs').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }
  /** Preferences of the given users (those without a row are left out). */
  userPrefs(userIds: number[]) {
    if (!userIds.length) return Promise.resolve([] as NotificationUserPrefRow[]);
    return this.db.selectFrom('notification_user_prefs').selectAll().where('user_id', 'in', userIds).execute();
  }
  async saveUserPref(row: NotificationUserPrefRow) {
    await this.db
      .insertInto('notification_user_prefs')
      .values(row)
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({
          email: row.email,
          events: row.events,
          enabled: row.enabled,
          updated_at: row.updated_at,
        }),
      )
      .execute();
  }

  /** Inserts a delivery unless its key exists already; true when this call created it. */
  async insertDelivery(row: Insertable<NotificationDeliveryTable>): Promise<boolean> {
    const r = await this.db
      .insertInto('notification_deliveries')
      .values(row)
      .onConflict((oc) => oc.column('delivery_key').doNothing())
      .executeTakeFirst();
    return num(r.numInsertedOrUpdatedRows) > 0;
  }
  /** Pending deliveries due at `at` and not claimed by a live process, oldest first. */
  dueDeliveries(at: string, limit: number) {
    return this.db
      .selectFrom('notification_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', at)
      .where((e) => e.or([e('claimed_until', 'is', null), e('claimed_until', '<', at)]))
      .orderBy('id')
      .limit(limit)
      .execute();
  }
  /** Claims one delivery for sending until `until` — atomic: of two processes, one wins. */
  async claim(id: number, at: string, until: string): Promise<boolean> {
    const r = await this.db
      .updateTable('notification_deliveries')
      .set({ claimed_until: until })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((e) => e.or([e('claimed_until', 'is', null), e('claimed_until', '<', at)]))
      .executeTakeFirst();
    return num(r.numUpdatedRows) > 0;
  }
  async finishDelivery(id: number, patch: Updateable<NotificationDeliveryTable>) {
    await this.db
      .updateTable('notification_deliveries')
      .set({ ...patch, claimed_until: null })
      .where('id', '=', id)
      .execute();
  }
  delivery(id: number) {
    return this.db.selectFrom('notification_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }
  /** The delivery log of some organisations (and optionally one user's own), newest first, one page. */
  async deliveries(f: { orgIds: number[]; userId?: number; status?: string }, page: number, pageSize: number) {
    let q = this.db.selectFrom('notification_deliveries');
    q = q.where((e) =>
      e.or([
        f.orgIds.length ? e('org_id', 'in', f.orgIds) : sql<boolean>`1 = 0`,
        f.userId != null ? e('user_id', '=', f.userId) : sql<boolean>`1 = 0`,
      ]),
    );
    if (f.status) q = q.where('status', '=', f.status);
    const total = num((await q.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n);
    const rows = await q
      .selectAll()
      .orderBy('id', 'desc')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { rows, total };
  }

  /** The day stored under `name` (the last day whose reminders were stored), or null. */
  async dayDone(name: string): Promise<string | null> {
    const r = await this.db
      .selectFrom('notification_leases')
      .select('holder')
      .where('name', '=', name)
      .executeTakeFirst();
    return r?.holder ?? null;
  }
  async markDay(name: string, day: string) {
    await this.db
      .insertInto('notification_leases')
      .values({ name, holder: day, until: day })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder: day, until: day }))
      .execute();
  }

  /**
   * Takes or renews the lease `name` for `holder` until `until` (定时任务租约): true when this holder has it now.
   * A lease held by another process is taken over only once it has run out.
   */
  async takeLease(name: string, holder: string, at: string, until: string): Promise<boolean> {
    await this.db
      .insertInto('notification_leases')
      .values({ name, holder, until: at })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const r = await this.db
      .updateTable('notification_leases')
      .set({ holder, until })
      .where('name', '=', name)
      .where((e) => e.or([e('holder', '=', holder), e('until', '<=', at)]))
      .executeTakeFirst();
    return num(r.numUpdatedRows) > 0;
  }
}
