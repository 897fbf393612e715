import { AUDIT_ACTION_LABELS } from '@gradpass/core/audit-words';
/** Chinese labels for the codes the API uses (状态、角色名称). */
import type { ApplicationState, CertificateState, OrgKind, PhotoStatus, Role } from './api/types';

export const WINDOW_LABEL: Record<string, string> = { first: '第一次审核窗口', second: '第二次审核窗口' };

export const ROLE_LABEL: Record<Role, string> = {
  student: '学生',
  centre_staff: '学习中心老师',
  city_reviewer: '市级审批',
  province_reviewer: '省级复审',
  national_reviewer: '国开终审',
  collector: '图像采集中心',
  admin: '管理员',
};

export const ORG_KIND_LABEL: Record<OrgKind, string> = {
  national: '国家开放大学',
  province: '省级开放大学',
  city: '市级开大',
  centre: '学习中心',
  collection_centre: '图像采集中心',
};

export const STATE_LABEL: Record<ApplicationState, string> = {
  draft: '草稿',
  applied: '学生已申请',
  submitted: '中心已提交',
  city_approved: '市级已审批',
  province_approved: '省级已复审',
  graduated: '已毕业',
  returned: '已退回',
  rejected_final: '终审不通过',
};

export const STATE_COLOR: Record<ApplicationState, string> = {
  draft: 'default',
  applied: 'cyan',
  submitted: 'blue',
  city_approved: 'geekblue',
  province_approved: 'purple',
  graduated: 'green',
  returned: 'orange',
  rejected_final: 'red',
};

export const STATE_ORDER: ApplicationState[] = ['draft', 'applied', 'submitted', 'city_approved', 'province_approved', 'graduated', 'returned', 'rejected_final'];

export const PHOTO_STATUS_LABEL: Record<PhotoStatus | 'none', string> = {
  none: '无照片',
  pending: '待检测',
  checking: '检测中',
  pass: '合格',
  fail: '不合格',
  review: '需人工复核',
  error: '无法读取',
};

export const PHOTO_STATUS_COLOR: Record<PhotoStatus | 'none', string> = {
  none: 'default',
  pending: 'default',
  checking: 'processing',
  pass: 'success',
  fail: 'error',
  review: 'warning',
  error: 'error',
};

export const CERT_STATE_LABEL: Record<CertificateState, string> = {
  pending: '未到达',
  arrived: '已到达，待发放',
  handed_over: '已发放，待学生确认',
  confirmed: '学生已确认',
  problem_reported: '学生反馈有问题',
};

export const CERT_STATE_COLOR: Record<CertificateState, string> = {
  pending: 'default',
  arrived: 'blue',
  handed_over: 'cyan',
  confirmed: 'green',
  problem_reported: 'red',
};

export const FLAG_LABEL = {
  chsi_photo_missing: '学信网缺学历照片',
  identity_doubtful: '学信网身份存疑',
  continuing: '专科续读',
} as const;

export const IDENTITY_LABEL: Record<string, string> = {
  none: '未开始',
  documents_collected: '已收集材料',
  submitted: '已提交省级复核',
  approved: '复核通过',
  rejected: '复核不通过',
};

export const SOURCE_LABEL = { collection: '图像采集中心', student: '学生自传', centre: '学习中心' } as const;

/** Audit actions in people's words: one table with the server's XLSX export (@gradpass/core). */
export const ACTION_LABEL: Record<string, string> = AUDIT_ACTION_LABELS;

/** Which application states a reviewer of this role acts on (待我审核). */
export const ROLE_REVIEW_STATE: Partial<Record<Role, ApplicationState>> = {
  centre_staff: 'applied',
  city_reviewer: 'submitted',
  province_reviewer: 'city_approved',
  national_reviewer: 'province_approved',
};
