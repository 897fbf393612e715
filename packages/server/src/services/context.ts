import {
  REFUSAL_CATALOGUE,
  authorise,
  canActOn,
  type Actor as CoreActor,
  type DomainAction,
  type DomainRefusal,
  type Result,
  type Role,
} from '@gradpass/core';
import { AppError, outOfScope } from '../errors.js';
import { ALL_ORGS, type OrgRow, type OrgScope, type Repos } from '../repositories/index.js';

/** The logged-in user performing a request (操作人). */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgId: number;
  orgName: string;
  orgPath: string;
  studentId: number | null;
  /** The same actor in @gradpass/core's terms (string ids, org path). */
  core: CoreActor;
}

/**
 * A domain refusal as an HTTP error, with the status from core's catalogue. Core's OUT_OF_SCOPE (which names the
 * target's org path) is answered as not found, like every other out-of-subtree access.
 */
export function refusalError(r: DomainRefusal): AppError {
  if (r.code === 'OUT_OF_SCOPE') return outOfScope();
  return new AppError(REFUSAL_CATALOGUE[r.code].httpStatus, r.code, r.message, r.details);
}

export function unwrapResult<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw refusalError(r.refusal);
}

/** Role check + subtree check through core's permission table; throws NOT_PERMITTED / NOT_FOUND (outside). */
export function requirePermission(
  actor: Actor,
  action: DomainAction,
  targetOrgPath: string,
  ownerStudentId?: number | null,
): void {
  unwrapResult(authorise(actor.core, action, targetOrgPath, ownerStudentId == null ? null : String(ownerStudentId)));
}

/** Everyone but students: may read lists inside their subtree. */
export function requireStaff(actor: Actor): void {
  if (actor.role === 'student') throw new AppError(403, 'NOT_PERMITTED', '学生无权查看此列表');
}

export function requireRole(actor: Actor, roles: Role[], what: string): void {
  if (!roles.includes(actor.role)) throw new AppError(403, 'NOT_PERMITTED', `您的角色无权${what}`);
}

/** Trees built from the cached rows: one per version of the organisations, shared by every request. */
const TREES = new WeakMap<readonly OrgRow[], OrgTree>();

/** Organisation tree helpers bound to the current set of orgs (机构树). */
export class OrgTree {
  readonly byId: Map<number, OrgRow>;
  private readonly kids = new Map<number | null, OrgRow[]>();
  constructor(readonly orgs: readonly OrgRow[]) {
    this.byId = new Map(orgs.map((o) => [o.id, o]));
    for (const o of orgs) this.kids.set(o.parent_id, [...(this.kids.get(o.parent_id) ?? []), o]);
  }
  /**
   * The tree from the per-process cache (OrgRepository.cached): no query while nothing changed, the same object
   * for every request and every item of a bulk action.
   */
  static async load(repos: Repos): Promise<OrgTree> {
    const rows = await repos.orgs.cached();
    let tree = TREES.get(rows);
    if (!tree) TREES.set(rows, (tree = new OrgTree(rows)));
    return tree;
  }
  get(id: number): OrgRow | undefined {
    return this.byId.get(id);
  }
  /** Ids of the actor's node and everything below it. */
  scopeIds(actor: Actor): number[] {
    return this.orgs.filter((o) => canActOn(actor.core, o.path)).map((o) => o.id);
  }
  /** Subtree of one node, optionally limited to the actor's scope. */
  subtreeIds(orgId: number): number[] {
    const root = this.byId.get(orgId);
    if (!root) return [];
    return this.orgs.filter((o) => o.path.startsWith(root.path)).map((o) => o.id);
  }
  children(orgId: number): OrgRow[] {
    return this.kids.get(orgId) ?? [];
  }
  /**
   * The scope of a list request as a subtree path (管辖范围): `orgId` narrowed to the actor's scope (NOT_FOUND when
   * outside), else the actor's own subtree; the single root's subtree is {@link ALL_ORGS} (no filter needed).
   */
  filterScope(actor: Actor, orgId?: number): OrgScope {
    const node = orgId ? this.assertInScope(actor, orgId) : this.byId.get(actor.orgId);
    // An actor whose org vanished (cannot happen through the API) sees nothing rather than everything.
    if (!node) return { orgIds: [] };
    const roots = this.kids.get(null) ?? [];
    return { orgPath: node.parent_id == null && roots.length === 1 ? ALL_ORGS : node.path };
  }
  /**
   * The org if it lies in the actor's subtree; otherwise NOT_FOUND for `what` (the object the caller asked for,
   * found in the org) — the same answer as for an id that does not exist.
   */
  assertInScope(actor: Actor, orgId: number, what = '机构'): OrgRow {
    const org = this.byId.get(orgId);
    if (!org || !canActOn(actor.core, org.path)) throw outOfScope(what);
    return org;
  }
  /** The org filter of a list request: `orgId` narrowed to the actor's scope (NOT_FOUND when outside). */
  filterIds(actor: Actor, orgId?: number): number[] {
    if (orgId) {
      this.assertInScope(actor, orgId);
      return this.subtreeIds(orgId);
    }
    return this.scopeIds(actor);
  }
}
