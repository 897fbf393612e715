import type { Repos } from '../repositories/index.js';
import { OrgTree, requireStaff, type Actor } from './context.js';
import { auditDto } from './applications.js';

/** Reading the audit log (审计日志查询), scoped to the actor's subtree. */
export class AuditService {
  constructor(private readonly repos: Repos) {}
  async list(actor: Actor, q: { entity?: string; entityId?: number; orgId?: number; page: number; pageSize: number }) {
    requireStaff(actor);
    const tree = await OrgTree.load(this.repos);
    const { rows, total } = await this.repos.audit.list(
      { orgIds: tree.filterIds(actor, q.orgId), entity: q.entity, entityId: q.entityId },
      q.page,
      q.pageSize,
    );
    return { items: rows.map(auditDto), total, page: q.page, pageSize: q.pageSize };
  }
}
