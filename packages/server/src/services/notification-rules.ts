/**
 * Notification rules (通知规则) — pure: which events exist and who they are for, on which days a reminder is
 * due, how retries back off, the delivery key that makes a message go out once, and the Chinese text of each
 * message (clerk's words, names, Beijing time to the minute, never a 身份证号).
 */
import { chinaDateTime, type IsoDate } from '@gradpass/core';

/** The events a channel or a user can subscribe to (stable codes). */
export type NotificationEvent =
  | 'application_returned'
  | 'window_closing'
  | 'collection_deadline'
  | 'enrolment_expiring'
  | 'shipping_overdue'
  | 'certificate_arrived'
  | 'chsi_check';

/** Who an event is addressed to: an organisation (its channels and staff) or a student (their own e-mail). */
export type Audience = 'org' | 'student';

export const NOTIFICATION_EVENTS: Record<NotificationEvent, { label: string; audience: Audience; hint: string }> = {
  application_returned: {
    label: '毕业申请被退回',
    audience: 'org',
    hint: '市级或省级退回申请时，发给提交申请的学习中心',
  },
  window_closing: {
    label: '审核时间即将结束',
    audience: 'org',
    hint: '批次审核时间结束前几天，发给仍有未提交申请的学习中心',
  },
  collection_deadline: {
    label: '图像采集截止提醒',
    audience: 'org',
    hint: '采集截止日期前，发给仍有学生未完成图像采集的学习中心',
  },
  enrolment_expiring: {
    label: '学籍即将到期',
    audience: 'org',
    hint: '学生学籍到期前 180、90、30、7 天，发给所在学习中心',
  },
  shipping_overdue: {
    label: '纸质照片逾期未寄出',
    audience: 'org',
    hint: '终审通过超过 7 个工作日仍未寄出，发给图像采集中心',
  },
  certificate_arrived: {
    label: '毕业证书已到达',
    audience: 'student',
    hint: '证书到达学习中心时，发给留有邮箱的学生本人',
  },
  chsi_check: {
    label: '请核对学信网',
    audience: 'student',
    hint: '收到纸质照片后 20 个工作日内，提醒学生本人核对学信网',
  },
};
export const EVENT_CODES = Object.keys(NOTIFICATION_EVENTS) as NotificationEvent[];
export const isEvent = (s: string): s is NotificationEvent => s in NOTIFICATION_EVENTS;

/** Stored as ',a,b,' — unknown codes are dropped. */
export const encodeEvents = (events: readonly string[]): string => {
  const set = [...new Set(events.filter(isEvent))];
  return set.length ? `,${set.join(',')},` : '';
};
export const decodeEvents = (stored: string): NotificationEvent[] => stored.split(',').filter(isEvent);

/** Channel kinds (渠道类型). */
export type ChannelKind = 'email' | 'wecom' | 'dingtalk';
export const CHANNEL_LABELS: Record<ChannelKind, string> = {
  email: '电子邮件',
  wecom: '企业微信群机器人',
  dingtalk: '钉钉群机器人',
};

/** Reminder days (提醒日): calendar days before the collection deadline, 0 = the day itself, -1 = the day after. */
export const COLLECTION_DEADLINE_DAYS = [30, 14, 7, 3, 1, 0, -1];
/** Calendar days before the enrolment's last valid day on which the centre is told. */
export const ENROLMENT_EXPIRY_DAYS = [180, 90, 30, 7];
/** Working days left to check 学信网 on which the student is told (0 = last day, -1 = first day overdue). */
export const CHSI_CHECK_DAYS = [10, 3, 1, 0, -1];
/** Days a window closing is announced: the last N days of an open window, counting today (default 3). */
export const DEFAULT_WINDOW_DAYS = 3;

/** At most this many names are listed in one message; the rest are counted (“等 N 人”). */
export const NAMES_IN_MESSAGE = 20;

/** Attempts before a delivery is given up (failed), and the wait before each retry. */
export const MAX_ATTEMPTS = 6;
const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000];
/** Wait after the `attempts`-th failed attempt (1-based): 1 min, 5 min, 30 min, 2 h, 6 h. */
export function retryDelayMs(attempts: number): number {
  return RETRY_DELAYS_MS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_MS.length) - 1];
}

/**
 * The delivery key (投递键): event + occasion + recipient. `occasion` names what the message is about and, for
 * reminders, the day (e.g. `batch:3:first:2025-12-17`); the key is unique in the database, so the same reminder
 * computed by two runs or two processes is stored — and sent — once.
 */
export function deliveryKey(event: NotificationEvent, occasion: string, recipient: string): string {
  return `${event}|${occasion}|${recipient}`;
}

/** A message before it is addressed: a title and its lines (rendered as Markdown for robots, text for e-mail). */
export interface Message {
  title: string;
  lines: string[];
}

/** Markdown for 企业微信 / 钉钉 robots. */
export function toMarkdown(m: Message): string {
  return [`### ${m.title}`, '', ...m.lines.map((l) => `- ${l}`), '', '> gradpass 毕业审核与证照平台'].join('\n');
}
/** Plain text for e-mail. */
export function toPlainText(m: Message): string {
  return [m.title, '', ...m.lines, '', '—— gradpass 毕业审核与证照平台（本邮件由系统自动发送，请勿直接回复）'].join(
    '\n',
  );
}

/** '张伟、李娜等 25 人' — at most {@link NAMES_IN_MESSAGE} names. */
export function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NAMES_IN_MESSAGE).join('、');
  return names.length > NAMES_IN_MESSAGE ? `${shown}等 ${names.length} 人` : shown;
}

const RETURNED_BY: Record<string, string> = { city: '市级开大', province: '省级开大' };

/** 申请被退回 (to the centre that submitted it). */
export function returnedMessage(x: {
  studentName: string;
  xuehao: string;
  batchName: string;
  returnedBy: string | null;
  returnedByOrg: string | null;
  reason: string | null;
  at: Date;
}): Message {
  const level = x.returnedBy ? (RETURNED_BY[x.returnedBy] ?? null) : null;
  const who = x.returnedByOrg ? `${x.returnedByOrg}${level ? `（${level}）` : ''}` : (level ?? '上级审核单位');
  return {
    title: `毕业申请被退回：${x.studentName}`,
    lines: [
      `学生：${x.studentName}（学号 ${x.xuehao}），批次“${x.batchName}”`,
      `退回单位：${who}`,
      `退回理由：${x.reason?.trim() || '（未填写）'}`,
      `退回时间：${chinaDateTime(x.at)}`,
      '照片已解锁，请按退回理由修改后在审核时间内重新提交。',
    ],
  };
}

/** 证书已到达 (to the student). */
export function certificateArrivedMessage(x: {
  studentName: string;
  centreName: string;
  registrationNumber: string | null;
  at: Date;
}): Message {
  return {
    title: '您的毕业证书已到达学习中心',
    lines: [
      `${x.studentName}同学：您的毕业证书已于 ${chinaDateTime(x.at)} 到达${x.centreName}。`,
      ...(x.registrationNumber ? [`电子注册号：${x.registrationNumber}`] : []),
      '请携带本人身份证到学习中心领取；请他人代领的，代领人须携带您的委托书和代领人本人身份证。',
      '领取后请登录平台核对证书信息与学信网是否一致，并确认或反馈问题。',
    ],
  };
}

const WINDOW_NAMES: Record<string, string> = { first: '首批', second: '第二批' };

/** 审核时间即将结束 (to a centre with unsubmitted applications). */
export function windowClosingMessage(x: {
  batchName: string;
  window: 'first' | 'second';
  endsOn: IsoDate;
  daysLeft: number;
  pending: Array<{ name: string; stateLabel: string }>;
}): Message {
  const byState = new Map<string, number>();
  for (const p of x.pending) byState.set(p.stateLabel, (byState.get(p.stateLabel) ?? 0) + 1);
  const counts = [...byState].map(([l, n]) => `${l} ${n} 份`).join('，');
  return {
    title: `${WINDOW_NAMES[x.window]}审核即将结束：${x.batchName}`,
    lines: [
      `批次“${x.batchName}”${WINDOW_NAMES[x.window]}审核将于 ${x.endsOn} 结束，还剩 ${x.daysLeft} 天（含今天）。`,
      `本中心还有 ${x.pending.length} 份毕业申请未提交（${counts}）：${nameList(x.pending.map((p) => p.name))}。`,
      '请在截止前完成核对并提交；逾期未提交的，只能等待下一审核时间办理。',
    ],
  };
}

/** 图像采集截止提醒 (to a centre): core's reminder text plus who is still pending. */
export function collectionDeadlineMessage(x: { deadline: IsoDate; text: string; names: string[] }): Message {
  return {
    title: `图像采集截止提醒（截止 ${x.deadline}）`,
    lines: [x.text + '。', `未完成采集的学生：${nameList(x.names)}。`],
  };
}

/** 学籍即将到期 (to a centre). */
export function enrolmentExpiringMessage(
  students: Array<{ name: string; xuehao: string; enrolTerm: string; validUntil: IsoDate; daysLeft: number }>,
): Message {
  const shown = students.slice(0, NAMES_IN_MESSAGE);
  return {
    title: `学籍即将到期：${students.length} 名学生`,
    lines: [
      ...shown.map(
        (s) => `${s.name}（学号 ${s.xuehao}，${s.enrolTerm}入学）：学籍有效期至 ${s.validUntil}，还剩 ${s.daysLeft} 天`,
      ),
      ...(students.length > shown.length ? [`另有 ${students.length - shown.length} 名学生，请在平台查看。`] : []),
      '学籍到期后将不能毕业，请督促以上学生在到期前完成毕业申请。',
    ],
  };
}

/** 纸质照片逾期未寄出 (to the collection centre); names masked as the collection centre sees them. */
export function shippingOverdueMessage(
  orders: Array<{ maskedName: string; dueOn: IsoDate; overdue: number }>,
): Message {
  const shown = orders.slice(0, NAMES_IN_MESSAGE);
  return {
    title: `纸质照片逾期未寄出：${orders.length} 个订单`,
    lines: [
      ...shown.map((o) => `${o.maskedName}：应于 ${o.dueOn} 前寄出，已逾期 ${o.overdue} 个工作日`),
      ...(orders.length > shown.length ? [`另有 ${orders.length - shown.length} 个订单，请在平台查看。`] : []),
      '按规定终审通过后 7 个工作日内寄出纸质照片，请尽快寄出并登记快递单号。',
    ],
  };
}

/** 请核对学信网 (to the student): core's reminder text. */
export function chsiCheckMessage(text: string): Message {
  return { title: '请登录学信网核对学历照片', lines: [text + '。'] };
}

/** Reminders go out from this hour of the Beijing day on (the first scheduled run after 08:00). */
export const REMINDER_HOUR = 8;
/** True from {@link REMINDER_HOUR}:00 Beijing time to the end of the day. */
export const isReminderTime = (at: Date): boolean => Number(chinaDateTime(at).slice(11, 13)) >= REMINDER_HOUR;

/** The day's reminder is due: `daysLeft` is one of the reminder days. */
export const isReminderDay = (daysLeft: number, days: readonly number[]): boolean => days.includes(daysLeft);
