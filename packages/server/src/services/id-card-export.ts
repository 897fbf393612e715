import { AppError } from '../errors.js';
import type { Repos } from '../repositories/index.js';
import { audit } from './audit.js';
import type { Actor } from './context.js';

/**
 * The photo export named by 身份证号 (学信网照片导出, `naming=idcard`) puts every full number into file names:
 * only a learning centre's staff make it (the centre uploads to 学信网). NOT_PERMITTED for everyone else.
 */
export function assertIdCardExport(actor: Actor): void {
  if (actor.role !== 'centre_staff')
    throw new AppError(
      403,
      'NOT_PERMITTED',
      '按身份证号命名的照片导出只能由学习中心工作人员制作（文件名即完整身份证号）；其他角色请按学号导出',
    );
}

/** Each export with full numbers is written to the audit log: who, when, which org, how many students. */
export async function recordIdCardExport(repos: Repos, now: Date, actor: Actor, students: number): Promise<void> {
  await audit(repos, now, actor, {
    orgId: actor.orgId,
    entity: 'org',
    entityId: actor.orgId,
    action: 'export_photos_by_id_card',
    reason: '学信网照片导出（按身份证号命名）',
    after: { students },
  });
}
