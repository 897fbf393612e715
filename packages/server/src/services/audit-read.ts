import type { Repos } from '../repositories/index.js';
import { OrgTree, requireStaff, type Actor } from './context.js';
import { auditDto } from './applications.js';
import { maskPersonalData } from './personal-data.js';

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
    // Masked on the way out as well: rows written before the masking migration, or by any path that bypasses it.
    const items = rows.map((r) => maskPersonalData(auditDto(r)) as ReturnType<typeof auditDto>);
    return { items, total, page: q.page, pageSize: q.pageSize };
  }
}
