import type { Kysely } from 'kysely';
import { maskAuditJson, maskIdCardsInText } from '../services/personal-data.js';

/** Rows read per page by the masking migration (memory stays bounded on a large audit log). */
const PAGE = 500;

/**
 * Migration step (审计日志脱敏): audit rows written before masking held whole student rows with the full
 * 身份证号 (and hand-over records with the recipient's). Rewrites before/after/reason of every such row with the
 * numbers masked; rows without one are left untouched.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function maskAuditRows(db: Kysely<any>): Promise<number> {
  let lastId = 0;
  let changed = 0;
  for (;;) {
    const rows = (await db
      .selectFrom('audit_log')
      .select(['id', 'reason', 'before_json', 'after_json'])
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(PAGE)
      .execute()) as Array<{
      id: number;
      reason: string | null;
      before_json: string | null;
      after_json: string | null;
    }>;
    if (!rows.length) return changed;
    for (const r of rows) {
      const next = {
        reason: r.reason === null ? null : maskIdCardsInText(r.reason),
        before_json: maskAuditJson(r.before_json),
        after_json: maskAuditJson(r.after_json),
      };
      if (next.reason !== r.reason || next.before_json !== r.before_json || next.after_json !== r.after_json) {
        await db.updateTable('audit_log').set(next).where('id', '=', r.id).execute();
        changed++;
      }
    }
    lastId = Number(rows[rows.length - 1].id);
  }
}
