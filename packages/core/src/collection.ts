/**
 * Photo collection orders (图像采集订单), seed 004 (辽宁开放大学 202601 批次信息采集通知):
 *
 * ```
 * created ─upload 采集码 + 特征码 + photo─▶ submitted ─first review─▶ first_review_passed ─pay 67 yuan─▶ paid
 *    ─final review─▶ final_passed ─standardise, upload to 学信网─▶ completed ─post paper copies─▶ shipped
 * any review (first or final) can reject ─▶ rejected ─student re-submits─▶ submitted
 * ```
 * After more than 3 rejections the student is advised to go to the collection centre in person
 * (超 3 次被驳回，建议前往采集中心门店进行采集). An order rejected at the final review was already paid:
 * after re-submission its first review leads straight back to `paid` (no second payment).
 */
import { maskName } from '@gradpass/ids';
import { refuse, ok, warning, type DomainWarning, type Result } from './errors.js';
import { authorise, type Actor } from './organisation.js';
import { addWorkingDays, chinaDate, compareDates, daysBetween, isIsoDate, workingDaysBetween, type IsoDate, type WorkingCalendar } from './time.js';
import type { Student } from './student.js';

/** Collection fee (信息采集费): 67 yuan, in fen. */
export const COLLECTION_FEE_FEN = 6700;
/** Paper copies are posted within this many working days of final approval (7 个工作日内安排发出). */
export const SHIPPING_WORKING_DAYS = 7;
/** The student checks 学信网 within this many working days of receiving the paper copies (20个工作日内). */
export const CHSI_CHECK_WORKING_DAYS = 20;
/** More rejections than this → advise in-person collection. */
export const MAX_ONLINE_REJECTIONS = 3;

export type CollectionStatus = 'created' | 'submitted' | 'first_review_passed' | 'paid' | 'final_passed' | 'completed' | 'shipped' | 'rejected';

export const COLLECTION_STATUS_LABELS: Record<CollectionStatus, string> = {
  created: '已创建',
  submitted: '已提交，待初审',
  first_review_passed: '初审合格，待支付',
  paid: '已支付，待终审',
  final_passed: '终审通过，待制作上传',
  completed: '已完成（已上传学信网）',
  shipped: '已发货',
  rejected: '已驳回',
};

/** A photo collection order (采集订单). `name` is the full name; show {@link maskedName} to the collection side. */
export interface CollectionOrder {
  id: string;
  studentId: string;
  xuehao: string | null;
  idCard: string;
  name: string;
  /** The student's centre. */
  centrePath: string;
  /** The collection centre handling the order. */
  collectionCentrePath: string;
  status: CollectionStatus;
  /** 图像采集码 from 学信网. */
  collectionCode: string | null;
  /** 特征码 typed in by the student. */
  featureCode: string | null;
  photoId: string | null;
  shippingAddress: string | null;
  rejectionCount: number;
  lastRejectionReason: string | null;
  paidAmountFen: number | null;
  paidAt: string | null;
  finalPassedAt: string | null;
  completedAt: string | null;
  shippedAt: string | null;
  trackingNumber: string | null;
  /** Day the student received the paper copies. */
  paperReceivedOn: IsoDate | null;
  version: number;
  updatedAt: string | null;
}

/** A feature code (特征码) set by the collection centre, valid for one calendar year (e.g. yknmcm, 2025 年有效). */
export interface FeatureCode {
  code: string;
  year: number;
  /** The collection centre that set it; when given, only valid for that centre's orders. */
  collectionCentrePath?: string | null;
}

export function newCollectionOrder(input: {
  id: string;
  student: Pick<Student, 'id' | 'xuehao' | 'idCard' | 'name' | 'centrePath'>;
  collectionCentrePath: string;
}): CollectionOrder {
  const s = input.student;
  return {
    id: input.id,
    studentId: s.id,
    xuehao: s.xuehao,
    idCard: s.idCard,
    name: s.name,
    centrePath: s.centrePath,
    collectionCentrePath: input.collectionCentrePath,
    status: 'created',
    collectionCode: null,
    featureCode: null,
    photoId: null,
    shippingAddress: null,
    rejectionCount: 0,
    lastRejectionReason: null,
    paidAmountFen: null,
    paidAt: null,
    finalPassedAt: null,
    completedAt: null,
    shippedAt: null,
    trackingNumber: null,
    paperReceivedOn: null,
    version: 0,
    updatedAt: null,
  };
}

/** The name as the collection centre shows it: 张三 → 张* (the student writes the full name on the paper copy). */
export function maskedName(order: Pick<CollectionOrder, 'name'>): string {
  return maskName(order.name);
}

/**
 * Checks a feature code at a moment: FEATURE_CODE_INVALID when it is not a code of this collection centre,
 * FEATURE_CODE_EXPIRED when it is one but for another year. Case and surrounding spaces are ignored.
 */
export function checkFeatureCode(code: string, codes: readonly FeatureCode[], at: Date, collectionCentrePath?: string): Result<FeatureCode> {
  const typed = code.trim().toLowerCase();
  const year = Number(chinaDate(at).slice(0, 4));
  const mine = codes.filter(
    (c) => c.code.trim().toLowerCase() === typed && (c.collectionCentrePath == null || collectionCentrePath == null || c.collectionCentrePath === collectionCentrePath),
  );
  if (!typed || mine.length === 0) return refuse('FEATURE_CODE_INVALID', `特征码“${code}”不正确，请向学习中心或采集中心核对本年度特征码`);
  const valid = mine.find((c) => c.year === year);
  if (!valid) {
    return refuse('FEATURE_CODE_EXPIRED', `特征码“${code}”仅在 ${mine.map((c) => c.year).join('、')} 年有效，现在是 ${year} 年，请使用本年度特征码`, {
      validYears: mine.map((c) => String(c.year)),
    });
  }
  return ok(valid);
}

/** Actions on an order. */
export type CollectionAction =
  | { type: 'collection_submit'; collectionCode: string; featureCode: string; photoId: string | null; shippingAddress?: string }
  | { type: 'collection_first_review_pass' }
  | { type: 'collection_pay'; amountFen: number }
  | { type: 'collection_final_pass' }
  | { type: 'collection_reject'; reason: string }
  | { type: 'collection_complete' }
  | { type: 'collection_ship'; trackingNumber?: string }
  | { type: 'collection_record_receipt'; receivedOn: IsoDate };

export type CollectionActionType = CollectionAction['type'];

export const COLLECTION_TRANSITIONS: Readonly<Record<CollectionActionType, { from: readonly CollectionStatus[]; to: CollectionStatus | null }>> = {
  collection_submit: { from: ['created', 'rejected'], to: 'submitted' },
  collection_first_review_pass: { from: ['submitted'], to: 'first_review_passed' },
  collection_pay: { from: ['first_review_passed'], to: 'paid' },
  collection_final_pass: { from: ['paid'], to: 'final_passed' },
  collection_reject: { from: ['submitted', 'paid'], to: 'rejected' },
  collection_complete: { from: ['final_passed'], to: 'completed' },
  collection_ship: { from: ['completed'], to: 'shipped' },
  /** Records receipt of the paper copies; the status stays `shipped`. */
  collection_record_receipt: { from: ['shipped'], to: null },
};

export interface CollectionContext {
  at: Date;
  actor: Actor;
  /** Feature codes in force (needed for `collection_submit`). */
  featureCodes?: readonly FeatureCode[];
}

export interface CollectionEvent {
  orderId: string;
  studentId: string;
  action: CollectionActionType;
  from: CollectionStatus;
  to: CollectionStatus;
  actorId: string;
  actorRole: Actor['role'];
  actorOrgPath: string;
  at: string;
  reason: string | null;
}

export interface CollectionDecision {
  order: CollectionOrder;
  events: CollectionEvent[];
  warnings: DomainWarning[];
}

/** True after more than 3 rejections: advise collection in person (现场采集). */
export function adviseInPerson(order: Pick<CollectionOrder, 'rejectionCount'>): boolean {
  return order.rejectionCount > MAX_ONLINE_REJECTIONS;
}

/** The Chinese advice to show, or null. */
export function inPersonAdvice(order: Pick<CollectionOrder, 'rejectionCount'>): string | null {
  if (!adviseInPerson(order)) return null;
  return `照片已被驳回 ${order.rejectionCount} 次（超过 ${MAX_ONLINE_REJECTIONS} 次），建议携带身份证原件前往采集中心门店现场采集，确保照片通过学信网审核`;
}

/** One step of a collection order. */
export function decideCollection(order: CollectionOrder, action: CollectionAction, ctx: CollectionContext): Result<CollectionDecision> {
  const { actor, at } = ctx;
  const target = actor.role === 'collector' ? order.collectionCentrePath : order.centrePath;
  const auth = authorise(actor, action.type, target, order.studentId);
  if (!auth.ok) return auth;
  const rule = COLLECTION_TRANSITIONS[action.type];
  if (!rule.from.includes(order.status)) {
    return refuse('INVALID_TRANSITION', `采集订单状态为“${COLLECTION_STATUS_LABELS[order.status]}”，不能执行此操作`, { status: order.status, action: action.type });
  }
  const iso = at.toISOString();
  const warnings: DomainWarning[] = [];
  let next: CollectionOrder = { ...order };
  let to: CollectionStatus = rule.to ?? order.status;
  let reason: string | null = null;

  switch (action.type) {
    case 'collection_submit': {
      const code = action.collectionCode?.trim() ?? '';
      if (!code) return refuse('COLLECTION_CODE_MISSING', '须先上传学信网图像采集码（学信档案 → 高等教育信息 → 获取图像采集码）');
      const fc = checkFeatureCode(action.featureCode ?? '', ctx.featureCodes ?? [], at, order.collectionCentrePath);
      if (!fc.ok) return fc;
      if (!action.photoId) return refuse('PHOTO_MISSING', '须上传本人照片（手机后置摄像头拍照或上传原始图片）');
      next = { ...next, collectionCode: code, featureCode: fc.value.code, photoId: action.photoId };
      if (action.shippingAddress !== undefined) next.shippingAddress = action.shippingAddress.trim() || null;
      if (adviseInPerson(next)) warnings.push(warning('IN_PERSON_ADVISED', inPersonAdvice(next) ?? undefined));
      break;
    }
    case 'collection_first_review_pass': {
      // A re-submission after a final-review rejection was already paid: back to the final review.
      if (order.paidAt !== null) to = 'paid';
      break;
    }
    case 'collection_pay': {
      if (action.amountFen !== COLLECTION_FEE_FEN) {
        return refuse('PAYMENT_AMOUNT_WRONG', `信息采集费为 ${COLLECTION_FEE_FEN / 100} 元，实际支付 ${action.amountFen / 100} 元`, { amountFen: action.amountFen });
      }
      next = { ...next, paidAmountFen: action.amountFen, paidAt: iso };
      break;
    }
    case 'collection_final_pass': {
      next.finalPassedAt = iso;
      break;
    }
    case 'collection_reject': {
      reason = action.reason?.trim() ?? '';
      if (!reason) return refuse('REASON_REQUIRED', '驳回采集照片须填写理由（告诉学生按什么要求重新提交）');
      next = { ...next, rejectionCount: order.rejectionCount + 1, lastRejectionReason: reason };
      if (adviseInPerson(next)) warnings.push(warning('IN_PERSON_ADVISED', inPersonAdvice(next) ?? undefined));
      break;
    }
    case 'collection_complete': {
      next.completedAt = iso;
      break;
    }
    case 'collection_ship': {
      next = { ...next, shippedAt: iso, trackingNumber: action.trackingNumber?.trim() || null };
      break;
    }
    case 'collection_record_receipt': {
      if (!isIsoDate(action.receivedOn) || compareDates(action.receivedOn, chinaDate(at)) > 0) {
        return refuse('DATE_INVALID', `收件日期“${action.receivedOn}”不对：应为不晚于今天的 YYYY-MM-DD 日期`);
      }
      if (order.shippedAt && compareDates(action.receivedOn, chinaDate(new Date(order.shippedAt))) < 0) {
        return refuse('DATE_INVALID', `收件日期 ${action.receivedOn} 早于发货日期 ${chinaDate(new Date(order.shippedAt))}`);
      }
      next.paperReceivedOn = action.receivedOn;
      break;
    }
  }
  next = { ...next, status: to, version: order.version + 1, updatedAt: iso };
  const event: CollectionEvent = {
    orderId: order.id,
    studentId: order.studentId,
    action: action.type,
    from: order.status,
    to,
    actorId: actor.userId,
    actorRole: actor.role,
    actorOrgPath: actor.orgPath,
    at: iso,
    reason,
  };
  return ok({ order: next, events: [event], warnings });
}

/** Last day for posting the paper copies: 7 working days after the final approval (null before it). */
export function shippingDueDate(order: Pick<CollectionOrder, 'finalPassedAt'>, calendar: WorkingCalendar = {}): IsoDate | null {
  if (!order.finalPassedAt) return null;
  return addWorkingDays(chinaDate(new Date(order.finalPassedAt)), SHIPPING_WORKING_DAYS, calendar);
}

/** True when the paper copies should have been posted and were not (终审通过 7 个工作日内未发出). */
export function isShippingOverdue(order: CollectionOrder, at: Date, calendar: WorkingCalendar = {}): boolean {
  if (order.status !== 'final_passed' && order.status !== 'completed') return false;
  const due = shippingDueDate(order, calendar);
  return due !== null && compareDates(chinaDate(at), due) > 0;
}

/** Orders whose paper copies are overdue, with the due day and working days overdue. */
export function overdueShipments(orders: readonly CollectionOrder[], at: Date, calendar: WorkingCalendar = {}): Array<{ order: CollectionOrder; dueOn: IsoDate; workingDaysOverdue: number }> {
  const today = chinaDate(at);
  return orders
    .filter((o) => isShippingOverdue(o, at, calendar))
    .map((o) => {
      const dueOn = shippingDueDate(o, calendar) as IsoDate;
      return { order: o, dueOn, workingDaysOverdue: workingDaysBetween(dueOn, today, calendar) };
    });
}

/** Last day for the student to check 学信网: 20 working days after receiving the paper copies (null before). */
export function chsiCheckDueDate(order: Pick<CollectionOrder, 'paperReceivedOn'>, calendar: WorkingCalendar = {}): IsoDate | null {
  if (!order.paperReceivedOn) return null;
  return addWorkingDays(order.paperReceivedOn, CHSI_CHECK_WORKING_DAYS, calendar);
}

/** A reminder for a person (提醒). */
export interface Reminder {
  dueOn: IsoDate;
  /** Working days left until `dueOn` (0 on the day; negative = overdue by that many working days). */
  workingDaysLeft: number;
  overdue: boolean;
  message: string;
}

/** Reminder to the student to check 学信网 after receiving the paper copies (null when not applicable). */
export function chsiCheckReminder(order: CollectionOrder, at: Date, calendar: WorkingCalendar = {}): Reminder | null {
  const dueOn = chsiCheckDueDate(order, calendar);
  if (!dueOn) return null;
  const today = chinaDate(at);
  const overdue = compareDates(today, dueOn) > 0;
  const workingDaysLeft = overdue ? -workingDaysBetween(dueOn, today, calendar) : workingDaysBetween(today, dueOn, calendar);
  const message = overdue
    ? `${maskedName(order)}：收到纸质照片已超过 ${CHSI_CHECK_WORKING_DAYS} 个工作日（截止 ${dueOn}），请立即登录学信网核对学历信息和人像比对结果，如有问题联系教学点`
    : `${maskedName(order)}：请在 ${dueOn} 前（还有 ${workingDaysLeft} 个工作日）登录学信网核对学历信息是否正确、是否通过人像比对认证`;
  return { dueOn, workingDaysLeft, overdue, message };
}

/** Per-centre reminder of the collection deadline (采集截止提醒). */
export interface CentreCollectionReminder {
  centrePath: string;
  deadline: IsoDate;
  /** Calendar days left (0 on the deadline; negative after it). */
  daysLeft: number;
  overdue: boolean;
  /** Students still without a completed collection. */
  pendingStudentIds: string[];
  message: string;
}

/**
 * Which centres still have students who need a photo collected (学信网缺学历照片, enrolled) and have no
 * completed or shipped order, for a collection deadline (e.g. 9月15日; after it they cannot graduate in the batch).
 * Only reminds from `remindWithinDays` days before the deadline on (default 30); centres with nothing pending are left out.
 */
export function collectionDeadlineReminders(input: {
  students: readonly Pick<Student, 'id' | 'centrePath' | 'chsiPhotoMissing' | 'status'>[];
  orders: readonly Pick<CollectionOrder, 'studentId' | 'status'>[];
  deadline: IsoDate;
  at: Date;
  remindWithinDays?: number;
}): CentreCollectionReminder[] {
  const today = chinaDate(input.at);
  const daysLeft = daysBetween(today, input.deadline);
  if (daysLeft > (input.remindWithinDays ?? 30)) return [];
  const done = new Set(input.orders.filter((o) => o.status === 'completed' || o.status === 'shipped').map((o) => o.studentId));
  const byCentre = new Map<string, string[]>();
  for (const s of input.students) {
    if (s.status !== 'enrolled' || !s.chsiPhotoMissing || done.has(s.id)) continue;
    const list = byCentre.get(s.centrePath) ?? [];
    list.push(s.id);
    byCentre.set(s.centrePath, list);
  }
  const overdue = daysLeft < 0;
  return [...byCentre.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([centrePath, pendingStudentIds]) => ({
      centrePath,
      deadline: input.deadline,
      daysLeft,
      overdue,
      pendingStudentIds,
      message: overdue
        ? `采集截止日期 ${input.deadline} 已过，仍有 ${pendingStudentIds.length} 名学生未完成图像采集，将无法在本批次毕业`
        : `距采集截止日期 ${input.deadline} 还有 ${daysLeft} 天，仍有 ${pendingStudentIds.length} 名学生未完成图像采集，请督促学生按时完成，否则无法正常办理毕业`,
    }));
}
