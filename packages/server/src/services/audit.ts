import type { Repos } from '../repositories/index.js';
import type { Actor } from './context.js';

/** Records one change (审计日志): who, when, what, before → after. */
export async function audit(
  repos: Repos,
  now: Date,
  actor: Actor | null,
  entry: {
    orgId: number | null;
    entity: string;
    entityId: number;
    action: string;
    reason?: string | null;
    before?: unknown;
    after?: unknown;
  },
): Promise<void> {
  await repos.audit.insert({
    at: now.toISOString(),
    actor_id: actor?.id ?? null,
    actor_name: actor ? `${actor.displayName}（${actor.username}）` : '系统',
    org_id: entry.orgId,
    entity: entry.entity,
    entity_id: entry.entityId,
    action: entry.action,
    reason: entry.reason ?? null,
    before_json: entry.before === undefined || entry.before === null ? null : JSON.stringify(entry.before),
    after_json: entry.after === undefined || entry.after === null ? null : JSON.stringify(entry.after),
  });
}
