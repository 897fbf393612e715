import type { OrgLevel } from '@gradpass/core';
import { childPath } from '@gradpass/core';
import { AppError, invalid } from '../errors.js';
import type { OrgRow, Repos } from '../repositories/index.js';
import { OrgTree, requireRole, type Actor } from './context.js';
import { audit } from './audit.js';
import { NAME_CAPS, checkedName } from './names.js';

export interface OrgDto {
  id: number;
  name: string;
  kind: OrgLevel;
  parentId: number | null;
  path: string;
}
export const orgDto = (o: OrgRow): OrgDto => ({
  id: o.id,
  name: o.name,
  kind: o.kind as OrgLevel,
  parentId: o.parent_id,
  path: o.path,
});

const CHILD_KINDS: Record<string, OrgLevel[]> = {
  national: ['province', 'collection_centre'],
  province: ['city', 'collection_centre'],
  city: ['centre', 'collection_centre'],
  centre: [],
  collection_centre: [],
};

/** 组织机构树 */
export class OrgService {
  constructor(
    private readonly repos: Repos,
    private readonly now: () => Date,
  ) {}

  async list(actor: Actor): Promise<OrgDto[]> {
    const tree = await OrgTree.load(this.repos);
    const ids = new Set(tree.scopeIds(actor));
    return tree.orgs.filter((o) => ids.has(o.id)).map(orgDto);
  }

  /** Creates a node; `actor` null for seeding. The root has no parent. */
  async create(actor: Actor | null, input: { name: string; kind: OrgLevel; parentId: number | null }): Promise<OrgDto> {
    const tree = await OrgTree.load(this.repos);
    let parent: OrgRow | undefined;
    if (actor) {
      requireRole(actor, ['admin'], '创建机构');
      if (input.parentId == null) throw invalid('须指定上级机构');
      tree.assertInScope(actor, input.parentId);
    }
    if (input.parentId != null) {
      parent = tree.get(input.parentId);
      if (!parent) throw invalid('上级机构不存在', 'ORG_NOT_FOUND');
      if (!CHILD_KINDS[parent.kind]?.includes(input.kind))
        throw new AppError(422, 'ORG_KIND_INVALID', `“${parent.name}”下不能设立该类机构`);
    } else if (input.kind !== 'national') {
      throw invalid('根机构必须是国家开放大学层级', 'ORG_KIND_INVALID');
    }
    const row = await this.repos.orgs.insert({
      name: checkedName(input.name, '机构名称', NAME_CAPS.org),
      kind: input.kind,
      parent_id: input.parentId,
      path: '/',
      created_at: this.now().toISOString(),
    });
    const done = await this.repos.orgs.setPath(row.id, parent ? childPath(parent.path, String(row.id)) : `/${row.id}/`);
    await audit(this.repos, this.now(), actor, {
      orgId: done.id,
      entity: 'org',
      entityId: done.id,
      action: 'create',
      after: orgDto(done),
    });
    return orgDto(done);
  }
}
