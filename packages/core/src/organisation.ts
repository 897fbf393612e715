/**
 * Organisations, roles and who may do what (机构、角色与权限).
 *
 * The tree: 国家开放大学 (national) → 省级开放大学 (province) → 市级开大/电大 (city or county) → 学习中心 /
 * 校外教学点 (centre); plus 图像采集中心 (collection_centre), which may hang anywhere in the tree. Each node has a
 * materialised path of ids from the root: the national root '/1/', a province '/1/3/', a city '/1/3/7/',
 * a centre '/1/3/7/42/'. A user belongs to one node and acts only inside that node's subtree.
 */
import { refuse, ok, type Result } from './errors.js';

/** Level of a node in the tree (机构层级). */
export type OrgLevel = 'national' | 'province' | 'city' | 'centre' | 'collection_centre';

export const ORG_LEVEL_LABELS: Record<OrgLevel, string> = {
  national: '国家开放大学',
  province: '省级开放大学',
  city: '市级开大（电大）',
  centre: '学习中心',
  collection_centre: '图像采集中心',
};

/** A node of the tree (机构). */
export interface OrgNode {
  id: string;
  name: string;
  level: OrgLevel;
  /** Materialised path, ends with '/', e.g. '/1/3/7/'. */
  path: string;
}

/** Roles (角色). `admin` manages users and settings of its node; it does not review applications. */
export type Role =
  | 'student'
  | 'centre_staff'
  | 'city_reviewer'
  | 'province_reviewer'
  | 'national_reviewer'
  | 'collector'
  | 'admin';

export const ROLES: readonly Role[] = ['student', 'centre_staff', 'city_reviewer', 'province_reviewer', 'national_reviewer', 'collector', 'admin'];

export const ROLE_LABELS: Record<Role, string> = {
  student: '学生',
  centre_staff: '学习中心工作人员',
  city_reviewer: '市级开大审批人员',
  province_reviewer: '省级开大复审人员',
  national_reviewer: '国开终审人员',
  collector: '图像采集中心工作人员',
  admin: '管理员',
};

/** The level a user of each role belongs to; `admin` may sit at any level. */
export const ROLE_LEVEL: Record<Exclude<Role, 'admin'>, OrgLevel> = {
  student: 'centre',
  centre_staff: 'centre',
  city_reviewer: 'city',
  province_reviewer: 'province',
  national_reviewer: 'national',
  collector: 'collection_centre',
};

/** True when a user of `role` may belong to a node of `level`. */
export function roleFitsLevel(role: Role, level: OrgLevel): boolean {
  return role === 'admin' || ROLE_LEVEL[role] === level;
}

/** Whoever performs an action (操作人). */
export interface Actor {
  userId: string;
  role: Role;
  /** Path of the user's node. */
  orgPath: string;
  /** For role `student`: the student record this user is. */
  studentId?: string | null;
  /** Display name, for audit logs. */
  name?: string;
}

const ORG_PATH = /^(\/[A-Za-z0-9_-]+)+\/$/;

/** True for a well-formed materialised path such as '/1/3/7/'. */
export function isValidOrgPath(path: string): boolean {
  return ORG_PATH.test(path);
}

/** Checks a path, with a Chinese message when it is malformed. */
export function parseOrgPath(path: string): Result<string[]> {
  if (!isValidOrgPath(path)) return refuse('ORG_PATH_INVALID', `机构路径“${path}”格式不对：应形如 /1/3/7/（以 / 开头和结尾）`);
  return ok(path.slice(1, -1).split('/'));
}

/** Path of a child node: childPath('/1/3/', '7') = '/1/3/7/'. */
export function childPath(parentPath: string, id: string): string {
  if (!isValidOrgPath(parentPath)) throw new RangeError(`机构路径“${parentPath}”格式不对`);
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new RangeError(`机构编号“${id}”只能包含字母、数字、下划线和连字符`);
  return `${parentPath}${id}/`;
}

/** Path of the parent node, or null for the root. */
export function parentPath(path: string): string | null {
  if (!isValidOrgPath(path)) throw new RangeError(`机构路径“${path}”格式不对`);
  const cut = path.lastIndexOf('/', path.length - 2);
  return cut <= 0 ? null : path.slice(0, cut + 1);
}

/** All ancestors from the root down to (and including) the node: '/1/3/7/' → ['/1/', '/1/3/', '/1/3/7/']. */
export function ancestorPaths(path: string): string[] {
  const parts = path.slice(1, -1).split('/');
  if (!isValidOrgPath(path)) throw new RangeError(`机构路径“${path}”格式不对`);
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}/`);
}

/** Number of segments: '/1/' → 1, '/1/3/7/' → 3. */
export function orgDepth(path: string): number {
  return ancestorPaths(path).length;
}

/**
 * True when `nodePath` is `ancestorPath` itself or lies below it. Works on whole segments: '/1/3/' does not
 * contain '/1/30/'. Malformed paths are never inside anything.
 */
export function isWithinSubtree(ancestorPath: string, nodePath: string): boolean {
  if (!isValidOrgPath(ancestorPath) || !isValidOrgPath(nodePath)) return false;
  return nodePath.startsWith(ancestorPath);
}

/** True when the actor's node contains the target node (the user may act there, role permitting). */
export function canActOn(actor: Pick<Actor, 'orgPath'>, targetOrgPath: string): boolean {
  return isWithinSubtree(actor.orgPath, targetOrgPath);
}

/** Every action of the domain, across its state machines. 操作 */
export type DomainAction =
  // graduation application (毕业申请)
  | 'apply'
  | 'submit'
  | 'city_approve'
  | 'city_return'
  | 'province_approve'
  | 'province_return'
  | 'national_approve'
  | 'national_reject'
  // photo (照片)
  | 'replace_photo'
  // identity re-verification (身份复核)
  | 'identity_collect_documents'
  | 'identity_submit'
  | 'identity_approve'
  | 'identity_reject'
  // batch settings (批次设置)
  | 'configure_batch'
  // collection order (图像采集订单)
  | 'collection_submit'
  | 'collection_first_review_pass'
  | 'collection_pay'
  | 'collection_final_pass'
  | 'collection_reject'
  | 'collection_complete'
  | 'collection_ship'
  | 'collection_record_receipt'
  // certificate (毕业证书)
  | 'certificate_record_arrival'
  | 'certificate_hand_over'
  | 'certificate_confirm'
  | 'certificate_report_problem';

/** Who may perform an action and the Chinese name of the action. */
export interface Permission {
  action: DomainAction;
  label: string;
  roles: readonly Role[];
  /** The org levels at which the action is performed (the levels of those roles; admin acts at its own node). */
  levels: readonly OrgLevel[];
}

const P = (action: DomainAction, label: string, roles: Role[]): Permission => ({
  action,
  label,
  roles,
  levels: [...new Set(roles.filter((r): r is Exclude<Role, 'admin'> => r !== 'admin').map((r) => ROLE_LEVEL[r]))],
});

/**
 * The permission table (权限表). Application steps follow seed 000 §三.2: the student applies (the centre may
 * record the signed paper form for them), the centre submits, the city approves (审批确认), the province
 * re-reviews (复审), 国开 decides (终审). Batch windows are set by the province (or its admin).
 */
export const PERMISSIONS: Readonly<Record<DomainAction, Permission>> = {
  apply: P('apply', '提出毕业申请', ['student', 'centre_staff']),
  submit: P('submit', '学习中心提交', ['centre_staff']),
  city_approve: P('city_approve', '市级审批确认', ['city_reviewer']),
  city_return: P('city_return', '市级退回', ['city_reviewer']),
  province_approve: P('province_approve', '省级复审通过', ['province_reviewer']),
  province_return: P('province_return', '省级退回', ['province_reviewer']),
  national_approve: P('national_approve', '国开终审通过', ['national_reviewer']),
  national_reject: P('national_reject', '国开终审不通过', ['national_reviewer']),
  replace_photo: P('replace_photo', '更换毕业照片', ['centre_staff']),
  identity_collect_documents: P('identity_collect_documents', '收集身份复核材料', ['centre_staff']),
  identity_submit: P('identity_submit', '提交身份复核', ['centre_staff']),
  identity_approve: P('identity_approve', '身份复核通过', ['province_reviewer']),
  identity_reject: P('identity_reject', '身份复核不通过', ['province_reviewer']),
  configure_batch: P('configure_batch', '设置毕业批次', ['province_reviewer', 'admin']),
  collection_submit: P('collection_submit', '提交采集照片', ['student']),
  collection_first_review_pass: P('collection_first_review_pass', '采集初审合格', ['collector']),
  collection_pay: P('collection_pay', '支付采集费', ['student']),
  collection_final_pass: P('collection_final_pass', '采集终审通过', ['collector']),
  collection_reject: P('collection_reject', '采集照片驳回', ['collector']),
  collection_complete: P('collection_complete', '标准化制作并上传学信网', ['collector']),
  collection_ship: P('collection_ship', '寄出纸质照片', ['collector']),
  collection_record_receipt: P('collection_record_receipt', '登记收到纸质照片', ['student', 'centre_staff']),
  certificate_record_arrival: P('certificate_record_arrival', '登记证书到达', ['centre_staff']),
  certificate_hand_over: P('certificate_hand_over', '发放证书', ['centre_staff']),
  certificate_confirm: P('certificate_confirm', '学生确认证书信息', ['student']),
  certificate_report_problem: P('certificate_report_problem', '反馈证书问题', ['student', 'centre_staff']),
};

/** Which roles may perform an action, at which levels. */
export function permissionFor(action: DomainAction): Permission {
  return PERMISSIONS[action];
}

/** Every action a role may perform (for menus). */
export function actionsForRole(role: Role): DomainAction[] {
  return (Object.keys(PERMISSIONS) as DomainAction[]).filter((a) => PERMISSIONS[a].roles.includes(role));
}

/**
 * May this actor perform `action` on something that belongs to `targetOrgPath`?
 * NOT_PERMITTED for a wrong role (or a student acting for someone else), OUT_OF_SCOPE outside the subtree.
 * `ownerStudentId` is the student the object belongs to; a student may act only on their own.
 */
export function authorise(actor: Actor, action: DomainAction, targetOrgPath: string, ownerStudentId?: string | null): Result<true> {
  const permission = PERMISSIONS[action];
  if (!permission.roles.includes(actor.role)) {
    const who = permission.roles.map((r) => ROLE_LABELS[r]).join('、');
    return refuse('NOT_PERMITTED', `${ROLE_LABELS[actor.role]}无权执行“${permission.label}”：此操作只能由${who}执行`, {
      action,
      role: actor.role,
    });
  }
  if (!canActOn(actor, targetOrgPath)) {
    return refuse('OUT_OF_SCOPE', `“${permission.label}”的对象属于机构 ${targetOrgPath}，不在您所在机构（${actor.orgPath}）的管辖范围内`, {
      action,
      actorOrgPath: actor.orgPath,
      targetOrgPath,
    });
  }
  if (actor.role === 'student' && (ownerStudentId == null || actor.studentId !== ownerStudentId)) {
    return refuse('NOT_PERMITTED', `学生只能为本人执行“${permission.label}”`, { action });
  }
  return ok(true);
}
