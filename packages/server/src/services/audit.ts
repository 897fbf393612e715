import type { Insertable } from 'kysely';
import type { AuditTable } from '../db/schema.js';
import type { Repos } from '../repositories/index.js';
import type { Actor } from './context.js';
import { auditDiff, maskIdCardsInText } from './personal-data.js';

/**
 * Records one change (审计日志): who, when, what, before → after. Only what changed is stored (for two objects,
 * the keys that differ) and every 身份证号 is masked — the log never holds whole rows of personal data.
 */
export async function audit(repos: Repos, now: Date, actor: Actor | null, entry: AuditEntry): Promise<void> {
  await repos.audit.insert(auditRow(now, actor, entry));
}

/** What one audit entry says (the input of {@link audit}). */
export interface AuditEntry {
  orgId: number | null;
  entity: string;
  entityId: number;
  action: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
}

/** The stored row of one entry: only what changed, every 身份证号 masked (for bulk writes: AuditRepository.insertMany). */
export function auditRow(now: Date, actor: Actor | null, entry: AuditEntry): Insertable<AuditTable> {
  const { before, after } = auditDiff(entry.before, entry.after);
  return {
    at: now.toISOString(),
    actor_id: actor?.id ?? null,
    actor_name: actor ? `${actor.displayName}（${actor.username}）` : '系统',
    org_id: entry.orgId,
    entity: entry.entity,
    entity_id: entry.entityId,
    action: entry.action,
    reason: entry.reason == null ? null : maskIdCardsInText(entry.reason),
    before_json: before === undefined || before === null ? null : JSON.stringify(before),
    after_json: after === undefined || after === null ? null : JSON.stringify(after),
  };
}
