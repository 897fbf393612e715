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
import type { OrgRow, Repos } from '../repositories/index.js';

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

/** Organisation tree helpers bound to the current set of orgs (机构树). */
export class OrgTree {
  readonly byId: Map<number, OrgRow>;
  constructor(readonly orgs: OrgRow[]) {
    this.byId = new Map(orgs.map((o) => [o.id, o]));
  }
  static async load(repos: Repos): Promise<OrgTree> {
    return new OrgTree(await repos.orgs.all());
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
    return this.orgs.filter((o) => o.parent_id === orgId);
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
