/**
 * The audit log in people's words (审计日志用语): what kind of object, which action, and what changed — the labels
 * the web app shows and the XLSX export writes, one table for both. Pure data and formatting.
 */
import { APPLICATION_STATUS_LABELS, type ApplicationStatus } from './application.js';

/** Object kinds (操作对象). */
export const AUDIT_ENTITY_LABELS: Record<string, string> = {
  application: '毕业申请',
  student: '学生',
  photo: '照片',
  certificate: '证书',
  batch: '批次',
  user: '用户',
  org: '机构',
  collection_order: '采集订单',
  notification_channel: '通知渠道',
  import_job: '导入任务',
  export_job: '导出任务',
};

/** Actions (操作). */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
  create: '创建',
  apply: '学生申请并签字',
  submit: '学习中心提交',
  approve: '审核通过',
  return: '退回',
  reject: '终审不通过',
  graduate: '终审通过，发放电子注册号',
  photo_upload: '上传照片',
  photo_standardize: '修正照片（裁剪、背景、压缩）',
  reference_photo_upload: '导入学信网参考照片',
  city_approve: '市级审批通过',
  city_return: '市级退回',
  province_approve: '省级复审通过',
  province_return: '省级退回',
  national_approve: '国开终审通过，发放电子注册号',
  national_reject: '国开终审不通过',
  certificate_record_arrival: '证书到达学习中心',
  certificate_hand_over: '证书发放',
  certificate_confirm: '学生确认证书',
  certificate_report_problem: '学生反馈证书问题',
  identity_collect_documents: '收集身份证明材料',
  identity_submit: '提交省级身份复核',
  identity_approve: '身份复核通过',
  identity_reject: '身份复核不通过',
  identity_document: '上传身份证明材料',
  import_create: '名册导入（新增）',
  import_update: '名册导入（更新）',
  update: '修改',
  checked: '照片检测完成',
  upload: '上传',
  import: '导入',
  change_password: '修改密码',
  reset_password: '重置密码',
  reveal_id_card: '查看完整身份证号',
  flag_import: '导入学信网标记',
  photo_review_confirm: '人工复核照片',
  delete: '删除',
  photo_human_review: '人工复核照片',
  photo_from_collection: '采集照片成为毕业照片',
  chsi_photo_confirmed: '确认学信网学历照片已补齐',
  student_accounts_created: '开通学生账号',
  disable_user: '停用账号',
  enable_user: '启用账号',
  export: '导出数据',
  export_download: '下载导出文件',
  export_photos_by_id_card: '按身份证号导出照片',
};

/** Field names in change records (修改内容). */
const FIELD_LABELS: Record<string, string> = {
  state: '状态',
  status: '状态',
  photoId: '照片',
  registrationNumber: '电子注册号',
  name: '姓名',
  xuehao: '学号',
  programme: '专业',
  level: '层次',
  enrolTerm: '入学学期',
  continuing: '专科续读',
  source: '照片来源',
  fileName: '文件名',
  verdict: '检测结果',
  decision: '复核结论',
  chsiPhotoMissing: '学信网缺学历照片',
  identityDoubtful: '学信网身份存疑',
  batchId: '批次',
  reason: '理由',
  displayName: '姓名',
  role: '角色',
  idCard: '身份证号',
  report: '报表',
  rows: '行数',
  students: '学生数',
};

const VALUE_WORDS: Record<string, string> = {
  ...(APPLICATION_STATUS_LABELS as Record<ApplicationStatus, string>),
  pass: '合格',
  fail: '不合格',
  review: '待人工复核',
  collection: '图像采集中心',
  centre: '学习中心',
  student: '学生自传',
};

const word = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '（无）';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'string') return VALUE_WORDS[v] ?? v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(word).join('、');
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${FIELD_LABELS[k] ?? k} ${word(x)}`)
    .join('，');
};

/**
 * What an entry changed, as a Chinese line: "状态：学生已申请 → 中心已提交；照片：12 → 15". Fields only in `after`
 * read "字段：值"; the order follows the record. Technical noise (sha256, warnings) is left out.
 */
export function auditChangeText(before: unknown, after: unknown): string {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => k !== 'sha256' && k !== 'warnings');
  return keys
    .map((k) => {
      const label = FIELD_LABELS[k] ?? k;
      if (!(k in b)) return `${label}：${word(a[k])}`;
      if (!(k in a)) return `${label}：${word(b[k])} →（删除）`;
      return `${label}：${word(b[k])} → ${word(a[k])}`;
    })
    .join('；');
}

const text = (o: Record<string, unknown> | null, ...keys: string[]) => {
  for (const k of keys) if (o && typeof o[k] === 'string' && o[k]) return o[k] as string;
  return null;
};

/** The object's name carried by an entry's own record ("王小明（2337001200001）", a user name, a file), or null. */
export function auditObjectName(before: unknown, after: unknown): string | null {
  const rec = ((after && typeof after === 'object' ? after : null) ??
    (before && typeof before === 'object' ? before : null)) as Record<string, unknown> | null;
  const name = text(rec, 'name', 'studentName', 'student_name', 'displayName', 'display_name');
  const xuehao = text(rec, 'xuehao');
  if (name) return xuehao ? `${name}（${xuehao}）` : name;
  return text(rec, 'username', 'fileName', 'file_name');
}
