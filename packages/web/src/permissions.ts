/**
 * Who may press which button (按钮权限). Pure, no React. Every button of the app asks `can(role, what)`.
 *
 * Domain actions (申请、证书、照片、身份复核、采集订单、批次) come straight from @gradpass/core's permission table
 * (`PERMISSIONS`, the one the server's `authorise` uses), so the web offers exactly what the server allows.
 * The few operations the server guards by role outside that table (`requireRole` in its services) are listed
 * once below, each with the service that enforces it.
 */
import { PERMISSIONS, type DomainAction, type Role as CoreRole } from '@gradpass/core/organisation';
import { TRANSITIONS, type ApplicationActionType, type ApplicationStatus } from '@gradpass/core/application';
import type { ApplicationAction, ApplicationState, Role } from './api/types';

/** Staff operations outside the domain table, as the server's services check them. 其他操作 */
export const OPERATIONS = {
  /** 用户与机构管理 — services/auth.ts listUsers/createUser, services/orgs.ts create. */
  manage_accounts: ['admin'],
  /** 维护学籍、导入名册 — services/students.ts assertCentreWrite. */
  maintain_students: ['centre_staff', 'admin'],
  /** 批量导入照片 — services/photos.ts importPhotos. */
  import_photos: ['centre_staff'],
  /** 导入学信网参考照片 — services/photos.ts uploadReference. */
  import_reference: ['centre_staff'],
  /** 导入学信网标记名单 — services/students.ts importFlags. */
  import_flags: ['province_reviewer', 'national_reviewer', 'admin'],
  /** 建立图像采集订单 — services/collection.ts create. */
  open_collection_order: ['student', 'centre_staff'],
  /** 设置年度特征码 — services/collection.ts setFeatureCode. */
  set_feature_code: ['collector'],
} as const satisfies Record<string, readonly Role[]>;

export type Operation = keyof typeof OPERATIONS;

/** True when a user of `role` may perform `what` (the server still checks scope and state). */
export function can(role: Role, what: DomainAction | Operation): boolean {
  if (what in OPERATIONS) return (OPERATIONS[what as Operation] as readonly Role[]).includes(role);
  return PERMISSIONS[what as DomainAction].roles.includes(role as CoreRole);
}

/** The core action behind a generic button in a given state (approve in 'submitted' → city_approve). */
export function coreActionFor(action: ApplicationAction, state: ApplicationState): ApplicationActionType | null {
  const all = Object.keys(TRANSITIONS) as ApplicationActionType[];
  const found = all.find((a) => {
    const generic = a === 'apply' || a === 'submit' ? a : a.slice(a.indexOf('_') + 1);
    return generic === action && TRANSITIONS[a].from.includes(state as ApplicationStatus);
  });
  return found ?? null;
}

/** The application buttons a role may press in a state: the transitions of core that its role allows. */
export function applicationActionsFor(role: Role, state: ApplicationState): ApplicationAction[] {
  const generic: ApplicationAction[] = ['apply', 'submit', 'approve', 'return', 'reject'];
  return generic.filter((g) => {
    const a = coreActionFor(g, state);
    return a !== null && can(role, a);
  });
}
