/**
 * Refusals and warnings (拒绝与提示): every "no" of the domain is a value with a stable English code and a
 * Chinese message for people. The single catalogue below gives each code its Chinese title and the HTTP
 * status the API should answer with; the web app and the API show titles from here.
 */

/** Every refusal code, its Chinese title (标题) and the HTTP status an API should use. */
export const REFUSAL_CATALOGUE = {
  // time and batch (时间与批次)
  WINDOW_CLOSED: { title: '不在审核时间内', httpStatus: 409 },
  BATCH_FROZEN: { title: '批次已截止，不再办理', httpStatus: 409 },
  BATCH_INVALID: { title: '批次时间设置有误', httpStatus: 422 },
  // enrolment and student (学籍与学生)
  ENROLMENT_EXPIRED: { title: '学籍已超过 8 年有效期', httpStatus: 409 },
  ENROLMENT_TERM_INVALID: { title: '入学学期无法识别', httpStatus: 422 },
  ALREADY_GRADUATED: { title: '学生已毕业', httpStatus: 409 },
  CHSI_PHOTO_MISSING: { title: '学信网缺学历照片', httpStatus: 409 },
  IDENTITY_DOUBTFUL: { title: '学信网身份存疑，须先完成身份复核', httpStatus: 409 },
  // photo (照片)
  PHOTO_MISSING: { title: '缺少毕业电子照片', httpStatus: 422 },
  PHOTO_NOT_COMPLIANT: { title: '毕业电子照片不合格', httpStatus: 422 },
  PHOTO_VERSION_UNCONFIRMED: { title: '未确认照片与学信网学历照片同版', httpStatus: 422 },
  PHOTO_LOCKED: { title: '照片已锁定，审核期间不可更换', httpStatus: 409 },
  REFERENCE_MISMATCH: { title: '与学信网照片不是同一人或不是同版', httpStatus: 422 },
  // application (毕业申请)
  FORM_NOT_SIGNED: { title: '未签署《毕业申请表》', httpStatus: 422 },
  INVALID_TRANSITION: { title: '当前状态不允许此操作', httpStatus: 409 },
  REASON_REQUIRED: { title: '须填写理由', httpStatus: 422 },
  REGISTRATION_NUMBER_IMMUTABLE: { title: '电子注册号一经生成不可更改或作废', httpStatus: 409 },
  REGISTRATION_NUMBER_INVALID: { title: '电子注册号参数有误', httpStatus: 422 },
  // who may act (权限)
  NOT_PERMITTED: { title: '无权执行此操作', httpStatus: 403 },
  OUT_OF_SCOPE: { title: '不在本机构管辖范围内', httpStatus: 403 },
  ORG_PATH_INVALID: { title: '机构路径格式有误', httpStatus: 422 },
  CONTEXT_MISMATCH: { title: '数据不一致', httpStatus: 400 },
  DATE_INVALID: { title: '日期有误', httpStatus: 422 },
  // photo collection orders (图像采集订单)
  COLLECTION_CODE_MISSING: { title: '缺少图像采集码', httpStatus: 422 },
  FEATURE_CODE_INVALID: { title: '特征码错误', httpStatus: 422 },
  FEATURE_CODE_EXPIRED: { title: '特征码已过期', httpStatus: 422 },
  PAYMENT_AMOUNT_WRONG: { title: '支付金额不正确', httpStatus: 422 },
  // certificates (毕业证书)
  CERTIFICATE_NOT_ARRIVED: { title: '证书尚未到达学习中心', httpStatus: 409 },
  CUSTODY_SOURCE_REQUIRED: { title: '须登记证书交来单位或人员', httpStatus: 422 },
  RECIPIENT_INVALID: { title: '领取人信息有误', httpStatus: 422 },
  ID_CHECK_REQUIRED: { title: '未核验领取人身份证件', httpStatus: 422 },
  SIGNATURE_REQUIRED: { title: '领取人未签字', httpStatus: 422 },
} as const satisfies Record<string, { title: string; httpStatus: number }>;

/** A stable refusal code, e.g. `WINDOW_CLOSED`. */
export type RefusalCode = keyof typeof REFUSAL_CATALOGUE;

/** Every code, in catalogue order. */
export const REFUSAL_CODES = Object.keys(REFUSAL_CATALOGUE) as RefusalCode[];

/** A refusal as a value (拒绝): stable code, Chinese message, optional machine-readable details. */
export interface DomainRefusal {
  code: RefusalCode;
  /** Full Chinese sentence for people, with the figures (dates, names) that explain it. */
  message: string;
  details?: Record<string, string | number | boolean | null | readonly string[]>;
}

/** Warnings do not stop an action; they are returned beside its result (提示). */
export const WARNING_CATALOGUE = {
  CHSI_PHOTO_MISSING: '学信网缺学历照片：国开终审将无法通过',
  IDENTITY_DOUBTFUL: '学信网身份存疑：国开终审将无法通过，须先完成身份复核',
  PHOTO_REFERENCE_MISMATCH: '与导入的学信网参考照片比对不一致，请再次核对是否同版',
  PHOTO_REFERENCE_OVERRIDDEN: '与学信网照片比对不一致，学习中心已说明理由后提交，请各级审核时留意',
  PHOTO_HUMAN_CONFIRMED: '照片检测结果为“待人工复核”，已由学习中心人工复核确认合格',
  ENROLMENT_EXPIRING: '学籍即将超过 8 年有效期',
  IN_PERSON_ADVISED: '驳回超过 3 次，建议前往采集中心现场采集',
  COLLECTION_PHOTO_NOT_ADOPTED: '采集照片未能成为学生的毕业照片：申请审核中照片已锁定，须审核方退回后再更换',
} as const;

export type WarningCode = keyof typeof WARNING_CATALOGUE;

export interface DomainWarning {
  code: WarningCode;
  message: string;
}

/** Outcome of every domain decision. */
export type Result<T> = { ok: true; value: T } | { ok: false; refusal: DomainRefusal };

/** The error form of a refusal, for code that prefers to throw (e.g. a service calling {@link unwrap}). */
export class DomainError extends Error {
  readonly code: RefusalCode;
  readonly refusal: DomainRefusal;
  constructor(refusal: DomainRefusal) {
    super(refusal.message);
    this.name = 'DomainError';
    this.code = refusal.code;
    this.refusal = refusal;
  }
  /** HTTP status suggested by the catalogue. */
  get httpStatus(): number {
    return REFUSAL_CATALOGUE[this.code].httpStatus;
  }
}

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** A refusal result. Without a message the catalogue title is used. */
export function refuse<T = never>(code: RefusalCode, message?: string, details?: DomainRefusal['details']): Result<T> {
  const refusal: DomainRefusal = { code, message: message ?? REFUSAL_CATALOGUE[code].title };
  if (details) refusal.details = details;
  return { ok: false, refusal };
}

/** The value of a result, or throws {@link DomainError}. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new DomainError(result.refusal);
}

/** Chinese title of a refusal code. */
export function refusalTitle(code: RefusalCode): string {
  return REFUSAL_CATALOGUE[code].title;
}

/** True when the text is a known refusal code. */
export function isRefusalCode(code: string): code is RefusalCode {
  return Object.prototype.hasOwnProperty.call(REFUSAL_CATALOGUE, code);
}

export function warning(code: WarningCode, message?: string): DomainWarning {
  return { code, message: message ?? WARNING_CATALOGUE[code] };
}
