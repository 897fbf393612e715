import { validateBatch, daysLeftInWindow, daysUntilDeadline, type GraduationBatch } from '@gradpass/core';
import { notFound } from '../errors.js';
import type { BatchRow, Repos } from '../repositories/index.js';
import { OrgTree, requirePermission, unwrapResult, type Actor } from './context.js';
import { audit } from './audit.js';
import { batchOpenState, toCoreBatch } from './domain.js';

export interface BatchInput {
  name: string;
  firstWindow: { start: string; end: string };
  secondWindow: { start: string | null; end: string };
  deadline: string;
  collectionDeadline?: string | null;
}

export interface BatchDto extends BatchInput {
  id: number;
  orgId: number;
  orgName: string;
  open: boolean;
  openWindow: 'first' | 'second' | null;
  daysLeftInWindow: number | null;
  daysUntilDeadline: number;
}

/** 毕业批次（省级设置审核时间） */
export class BatchService {
  constructor(
    private readonly repos: Repos,
    private readonly now: () => Date,
  ) {}

  dto(b: BatchRow, tree: OrgTree): BatchDto {
    const core = toCoreBatch(b);
    return {
      id: b.id,
      name: b.name,
      orgId: b.org_id,
      orgName: tree.get(b.org_id)?.name ?? '',
      firstWindow: core.firstWindow,
      secondWindow: core.secondWindow,
      deadline: b.deadline,
      collectionDeadline: b.collection_deadline,
      ...batchOpenState(b, this.now()),
      daysLeftInWindow: daysLeftInWindow(core, this.now()),
      daysUntilDeadline: daysUntilDeadline(core, this.now()),
    };
  }

  /** Batches of the actor's ancestors and subtree. */
  async list(actor: Actor): Promise<BatchDto[]> {
    const tree = await OrgTree.load(this.repos);
    return (await this.repos.batches.all())
      .filter((b) => {
        const p = tree.get(b.org_id)?.path ?? '';
        return actor.orgPath.startsWith(p) || p.startsWith(actor.orgPath);
      })
      .map((b) => this.dto(b, tree));
  }

  async get(id: number): Promise<BatchRow> {
    const b = await this.repos.batches.byId(id);
    if (!b) throw notFound('批次');
    return b;
  }

  private validated(input: BatchInput): GraduationBatch {
    return unwrapResult(
      validateBatch({
        id: '0',
        name: input.name,
        firstWindow: input.firstWindow,
        secondWindow: input.secondWindow,
        deadline: input.deadline,
        collectionDeadline: input.collectionDeadline ?? null,
      }),
    );
  }

  /** actor null = seeding (orgId then required). */
  async create(actor: Actor | null, input: BatchInput, orgId?: number): Promise<BatchDto> {
    const tree = await OrgTree.load(this.repos);
    const owner = actor ? actor.orgId : (orgId as number);
    if (actor) requirePermission(actor, 'configure_batch', actor.orgPath);
    const v = this.validated(input);
    const row = await this.repos.batches.insert({
      name: v.name.trim(),
      org_id: owner,
      first_start: v.firstWindow.start,
      first_end: v.firstWindow.end,
      second_start: v.secondWindow.start,
      second_end: v.secondWindow.end,
      deadline: v.deadline,
      collection_deadline: v.collectionDeadline ?? null,
      created_at: this.now().toISOString(),
    });
    await audit(this.repos, this.now(), actor, {
      orgId: owner,
      entity: 'batch',
      entityId: row.id,
      action: 'create',
      after: row,
    });
    return this.dto(row, tree);
  }

  async update(actor: Actor, id: number, patch: Partial<BatchInput>): Promise<BatchDto> {
    const before = await this.get(id);
    const tree = await OrgTree.load(this.repos);
    requirePermission(actor, 'configure_batch', tree.get(before.org_id)?.path ?? '/');
    const cur = toCoreBatch(before);
    const v = this.validated({
      name: patch.name ?? cur.name,
      firstWindow: patch.firstWindow ?? cur.firstWindow,
      secondWindow: patch.secondWindow ?? cur.secondWindow,
      deadline: patch.deadline ?? cur.deadline,
      collectionDeadline: patch.collectionDeadline === undefined ? cur.collectionDeadline : patch.collectionDeadline,
    });
    const row = await this.repos.batches.update(id, {
      name: v.name,
      first_start: v.firstWindow.start,
      first_end: v.firstWindow.end,
      second_start: v.secondWindow.start,
      second_end: v.secondWindow.end,
      deadline: v.deadline,
      collection_deadline: v.collectionDeadline ?? null,
    });
    await audit(this.repos, this.now(), actor, {
      orgId: row.org_id,
      entity: 'batch',
      entityId: id,
      action: 'update',
      before,
      after: row,
    });
    return this.dto(row, tree);
  }
}
