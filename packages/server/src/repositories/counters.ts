import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { num } from './rows.js';

/**
 * Counter rows (计数器), e.g. the serials of 电子注册号. `next` is one upsert: the row stays locked until the
 * transaction commits, so concurrent callers queue up, and a rolled-back transaction gives its number back —
 * serials have no gaps from failed attempts.
 */
export class CounterRepository {
  constructor(private readonly db: Kysely<Database>) {}
  async next(name: string): Promise<number> {
    const r = await sql<{ value: number }>`insert into counters (name, value) values (${name}, 1)
      on conflict (name) do update set value = counters.value + 1 returning value`.execute(this.db);
    return num(r.rows[0]?.value);
  }
  /**
   * The counter's value, its row locked until the transaction ends (created at 0 when missing): a bulk action
   * reads where its serials start, hands them out in memory and stores the last one with {@link set}.
   */
  async lockCurrent(name: string): Promise<number> {
    const r = await sql<{ value: number }>`insert into counters (name, value) values (${name}, 0)
      on conflict (name) do update set value = counters.value returning value`.execute(this.db);
    return num(r.rows[0]?.value);
  }
  /** Stores a counter's new value (its row locked by {@link lockCurrent} in the same transaction). */
  async set(name: string, value: number): Promise<void> {
    await this.db.updateTable('counters').set({ value }).where('name', '=', name).execute();
  }
  async current(name: string): Promise<number> {
    const r = await this.db.selectFrom('counters').select('value').where('name', '=', name).executeTakeFirst();
    return num(r?.value);
  }
}
