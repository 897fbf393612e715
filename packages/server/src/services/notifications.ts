import crypto from 'node:crypto';
import {
  APPLICATION_STATUS_LABELS,
  chinaDate,
  chsiCheckReminder,
  collectionDeadlineReminders,
  daysLeftInWindow,
  daysUntilEnrolmentExpiry,
  enrolmentValidUntil,
  isWorkingDay,
  maskedName,
  openWindow,
  overdueShipments,
  parseEnrolmentTerm,
  type ApplicationStatus,
  type CollectionOrder,
} from '@gradpass/core';
import { AppError, invalid, notFound } from '../errors.js';
import type { EventBus, LiveEvent } from '../events.js';
import type { OrgRow, Repos } from '../repositories/index.js';
import type { NotificationChannelRow, NotificationDeliveryRow } from '../repositories/notifications.js';
import { OrgTree, type Actor } from './context.js';
import { audit } from './audit.js';
import { toCoreBatch } from './domain.js';
import { toCoreStudent } from './students.js';
import {
  CHANNEL_LABELS,
  CHSI_CHECK_DAYS,
  COLLECTION_DEADLINE_DAYS,
  DEFAULT_WINDOW_DAYS,
  ENROLMENT_EXPIRY_DAYS,
  EVENT_CODES,
  MAX_ATTEMPTS,
  NOTIFICATION_EVENTS,
  certificateArrivedMessage,
  chsiCheckMessage,
  collectionDeadlineMessage,
  decodeEvents,
  deliveryKey,
  encodeEvents,
  enrolmentExpiringMessage,
  isReminderDay,
  isReminderTime,
  retryDelayMs,
  returnedMessage,
  shippingOverdueMessage,
  toMarkdown,
  toPlainText,
  windowClosingMessage,
  type ChannelKind,
  type Message,
  type NotificationEvent,
} from './notification-rules.js';
import { Mailer, SendError, parseEmails, postWebhook, webhookProblem } from './notify-channels.js';

/** Notification settings (通知配置). */
export interface NotificationConfig {
  /** SMTP server, `smtp://user:pass@host:587` (env SMTP_URL); without it e-mail deliveries fail with a reason. */
  smtpUrl?: string;
  /** Sender address (env SMTP_FROM), e.g. `gradpass <noreply@example.edu.cn>`. */
  smtpFrom: string;
  /** How often the scheduler runs, ms (env NOTIFY_INTERVAL_SECONDS, default 300 s); 0 = no timer. */
  intervalMs: number;
  /** The last N days of an open audit window are announced (env NOTIFY_WINDOW_DAYS, default 3). */
  windowDays: number;
  /** Accept http:// robot addresses (default: everywhere but NODE_ENV=production; env NOTIFY_ALLOW_HTTP=1). */
  allowHttpWebhooks: boolean;
}

export function resolveNotificationConfig(
  p: Partial<NotificationConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): NotificationConfig {
  const seconds = Number(env.NOTIFY_INTERVAL_SECONDS ?? 300);
  return {
    smtpUrl: p.smtpUrl ?? (env.SMTP_URL || undefined),
    smtpFrom: p.smtpFrom ?? env.SMTP_FROM ?? 'gradpass <noreply@localhost>',
    intervalMs: p.intervalMs ?? (Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 300_000),
    windowDays: p.windowDays ?? (Number(env.NOTIFY_WINDOW_DAYS) || DEFAULT_WINDOW_DAYS),
    allowHttpWebhooks: p.allowHttpWebhooks ?? (env.NOTIFY_ALLOW_HTTP === '1' || env.NODE_ENV !== 'production'),
  };
}

/** A channel as the web app sees it: the robot's address shortened, the signing secret never shown. */
export interface ChannelDto {
  id: number;
  orgId: number;
  orgName: string;
  kind: ChannelKind;
  kindLabel: string;
  name: string;
  target: string;
  hasSecret: boolean;
  events: NotificationEvent[];
  enabled: boolean;
  updatedAt: string;
}

export interface DeliveryDto {
  id: number;
  event: NotificationEvent;
  eventLabel: string;
  orgId: number | null;
  channelKind: ChannelKind;
  channelLabel: string;
  target: string;
  title: string;
  body: string;
  status: 'pending' | 'sent' | 'failed';
  statusLabel: string;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

const STATUS_LABELS = { pending: '待发送', sent: '已发送', failed: '发送失败' } as const;
/** A message addressed to an organisation or a student, before it is split into deliveries. */
interface Notice {
  event: NotificationEvent;
  /** What it is about, with the day for daily reminders — part of the delivery key. */
  occasion: string;
  /** The organisation addressed (org audience), or the student's centre (student audience; for the log). */
  orgId: number;
  studentId?: number;
  message: Message;
}

/** Unsubmitted applications a closing window matters for. */
const UNSUBMITTED: ApplicationStatus[] = ['draft', 'applied', 'returned'];
/** Deliveries sent per run at most; the rest wait for the next run. */
const DELIVERIES_PER_RUN = 500;
/** A claimed delivery is someone's for this long (a send takes ≤ 10 s + SMTP timeouts). */
const CLAIM_MS = 3 * 60_000;
const LEASE = 'notification-reminders';
/** The lease table's row that remembers the last Beijing day whose reminders were stored. */
const DAY_MARK = 'notification-reminders-day';
const MAX_NAME = 50;

/** Subscribed events in the clerk's words, for the audit log. */
const eventLabels = (stored: string) =>
  decodeEvents(stored)
    .map((e) => NOTIFICATION_EVENTS[e].label)
    .join('、');

/** '…/robot/send?access_token=ab…yz' — enough to recognise a robot, not enough to post to it. */
export function shortWebhook(url: string): string {
  try {
    const u = new URL(url);
    const token = u.searchParams.get('access_token') ?? u.searchParams.get('key');
    const shown = token ? `${token.slice(0, 4)}…${token.slice(-2)}` : '';
    return `${u.protocol}//${u.host}${u.pathname}${shown ? `?…${shown}` : ''}`;
  } catch {
    return '（地址无效）';
  }
}

/**
 * Notifications (通知): channels per organisation (e-mail, 企业微信 / 钉钉 group robots), each user's own e-mail;
 * events from the app's event bus (returned with a reason, certificate arrived) and a scheduled run for the
 * reminders of the domain (window closing, collection deadline, expiring enrolments, overdue paper copies,
 * 学信网 check); every message a delivery row, unique by its key, retried with backoff.
 *
 * Scheduling: an in-process timer in every process; only the process holding the database lease
 * (notification_leases) computes the reminders, and every delivery is claimed with an atomic update before it is
 * sent — so several web processes on one database never send a message twice, with or without Redis.
 */
export class NotificationService {
  private readonly holder = crypto.randomBytes(6).toString('hex');
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private running: Promise<unknown> | null = null;
  private pendingEvents = new Set<Promise<unknown>>();
  private mailer: Mailer | null = null;
  private log: (err: unknown, what: string) => void = (err, what) => console.error(what, err);

  constructor(
    private readonly repos: Repos,
    private readonly events: EventBus,
    readonly config: NotificationConfig,
    private readonly now: () => Date,
  ) {
    if (config.smtpUrl) this.mailer = new Mailer(config.smtpUrl, config.smtpFrom);
  }

  /** Listens to the event bus and starts the timer (when intervalMs > 0). */
  start(log?: (err: unknown, what: string) => void): void {
    if (log) this.log = log;
    this.unsubscribe = this.events.subscribe((e) => {
      const p = this.onLiveEvent(e)
        .catch((err: unknown) => this.log(err, `通知：处理事件 ${e.type} 失败`))
        .finally(() => this.pendingEvents.delete(p));
      this.pendingEvents.add(p);
    });
    if (this.config.intervalMs > 0) {
      const tick = () => {
        if (this.running) return;
        this.running = this.runOnce()
          .catch((err: unknown) => this.log(err, '通知：定时任务失败'))
          .finally(() => (this.running = null));
      };
      // The first run one interval after the start (a restart loop does not become a reminder loop).
      this.timer = setInterval(tick, this.config.intervalMs);
      this.timer.unref();
    }
  }

  /** Stops the timer and the listener; waits for a run and the events in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await Promise.allSettled([this.running, ...this.pendingEvents]);
    this.mailer?.close();
  }

  /** Resolves once the notifications of the events published so far are stored and their first send tried. */
  async idle(): Promise<void> {
    while (this.pendingEvents.size) await Promise.allSettled([...this.pendingEvents]);
  }

  /** The events, their labels and audiences (for the settings page). */
  catalogue() {
    return {
      events: EVENT_CODES.map((code) => ({ code, ...NOTIFICATION_EVENTS[code] })),
      channels: (Object.keys(CHANNEL_LABELS) as ChannelKind[]).map((code) => ({ code, label: CHANNEL_LABELS[code] })),
      emailConfigured: !!this.mailer,
    };
  }

  // ── settings ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Administrators of the subtree, and the staff of the organisation itself, manage its channels. */
  private async manageable(actor: Actor, orgId: number): Promise<{ org: OrgRow; tree: OrgTree }> {
    const tree = await OrgTree.load(this.repos);
    const org = tree.assertInScope(actor, orgId);
    if (actor.role === 'student' || (actor.role !== 'admin' && actor.orgId !== orgId))
      throw new AppError(403, 'NOT_PERMITTED', '只有本机构的工作人员或管理员可以设置本机构的通知渠道');
    return { org, tree };
  }

  private channelDto(c: NotificationChannelRow, tree: OrgTree): ChannelDto {
    const kind = c.kind as ChannelKind;
    return {
      id: c.id,
      orgId: c.org_id,
      orgName: tree.get(c.org_id)?.name ?? '',
      kind,
      kindLabel: CHANNEL_LABELS[kind],
      name: c.name,
      target: kind === 'email' ? c.target : shortWebhook(c.target),
      hasSecret: !!c.secret,
      events: decodeEvents(c.events),
      enabled: !!c.enabled,
      updatedAt: c.updated_at,
    };
  }

  async channels(actor: Actor, orgId: number): Promise<ChannelDto[]> {
    const { tree } = await this.manageable(actor, orgId);
    return (await this.repos.notifications.channels([orgId])).map((c) => this.channelDto(c, tree));
  }

  private checkChannel(kind: ChannelKind, target: string, events: string[]): { target: string; events: string } {
    if (!CHANNEL_LABELS[kind]) throw invalid('渠道类型应为 email、wecom 或 dingtalk', 'CHANNEL_KIND_INVALID');
    let cleaned = target.trim();
    if (kind === 'email') {
      const list = parseEmails(cleaned);
      if (!list) throw invalid('邮箱地址有误：请填写 1–20 个有效邮箱，用逗号分隔', 'EMAIL_INVALID');
      cleaned = list.join(', ');
    } else {
      const problem = webhookProblem(cleaned, this.config.allowHttpWebhooks);
      if (problem) throw invalid(problem, 'WEBHOOK_INVALID');
    }
    const stored = encodeEvents(events.filter((e) => NOTIFICATION_EVENTS[e as NotificationEvent]?.audience === 'org'));
    if (!stored) throw invalid('请至少选择一项要发送的通知', 'EVENTS_EMPTY');
    return { target: cleaned, events: stored };
  }

  async createChannel(
    actor: Actor,
    input: { orgId: number; kind: ChannelKind; name: string; target: string; secret?: string; events: string[] },
  ): Promise<ChannelDto> {
    const { tree } = await this.manageable(actor, input.orgId);
    const name = input.name.trim();
    if (!name || name.length > MAX_NAME) throw invalid(`渠道名称须为 1–${MAX_NAME} 个字`, 'NAME_INVALID');
    const checked = this.checkChannel(input.kind, input.target, input.events);
    const at = this.now().toISOString();
    const row = await this.repos.notifications.insertChannel({
      org_id: input.orgId,
      kind: input.kind,
      name,
      target: checked.target,
      secret: input.kind === 'dingtalk' && input.secret?.trim() ? input.secret.trim() : null,
      events: checked.events,
      enabled: 1,
      created_by: actor.id,
      created_at: at,
      updated_at: at,
    });
    await audit(this.repos, this.now(), actor, {
      orgId: input.orgId,
      entity: 'notification_channel',
      entityId: row.id,
      action: 'create',
      after: { kind: CHANNEL_LABELS[input.kind], name: row.name, events: eventLabels(row.events) },
    });
    return this.channelDto(row, tree);
  }

  async updateChannel(
    actor: Actor,
    id: number,
    patch: { name?: string; target?: string; secret?: string | null; events?: string[]; enabled?: boolean },
  ): Promise<ChannelDto> {
    const c = await this.repos.notifications.channel(id);
    if (!c) throw notFound('通知渠道');
    const { tree } = await this.manageable(actor, c.org_id).catch((e: unknown) => {
      throw e instanceof AppError && e.status === 404 ? notFound('通知渠道') : e;
    });
    const kind = c.kind as ChannelKind;
    const checked = this.checkChannel(kind, patch.target ?? c.target, patch.events ?? decodeEvents(c.events));
    const name = patch.name?.trim() ?? c.name;
    if (!name || name.length > MAX_NAME) throw invalid(`渠道名称须为 1–${MAX_NAME} 个字`, 'NAME_INVALID');
    const secret =
      patch.secret === undefined ? c.secret : kind === 'dingtalk' && patch.secret?.trim() ? patch.secret.trim() : null;
    const row = await this.repos.notifications.updateChannel(id, {
      name,
      target: checked.target,
      secret,
      events: checked.events,
      enabled: patch.enabled === undefined ? c.enabled : patch.enabled ? 1 : 0,
      updated_at: this.now().toISOString(),
    });
    if (!row) throw notFound('通知渠道');
    await audit(this.repos, this.now(), actor, {
      orgId: c.org_id,
      entity: 'notification_channel',
      entityId: id,
      action: 'update',
      before: { name: c.name, events: eventLabels(c.events), enabled: !!c.enabled },
      after: {
        name: row.name,
        events: eventLabels(row.events),
        enabled: !!row.enabled,
        ...(c.target !== row.target ? { address: '已更换' } : {}),
      },
    });
    return this.channelDto(row, tree);
  }

  async deleteChannel(actor: Actor, id: number): Promise<void> {
    const c = await this.repos.notifications.channel(id);
    if (!c) throw notFound('通知渠道');
    await this.manageable(actor, c.org_id).catch((e: unknown) => {
      throw e instanceof AppError && e.status === 404 ? notFound('通知渠道') : e;
    });
    await this.repos.notifications.deleteChannel(id);
    await audit(this.repos, this.now(), actor, {
      orgId: c.org_id,
      entity: 'notification_channel',
      entityId: id,
      action: 'delete',
      before: { kind: CHANNEL_LABELS[c.kind as ChannelKind], name: c.name },
    });
  }

  /** Sends a test message on a channel now (not recorded as a delivery); answers what the channel said. */
  async testChannel(actor: Actor, id: number): Promise<{ ok: boolean; message: string }> {
    const c = await this.repos.notifications.channel(id);
    if (!c) throw notFound('通知渠道');
    const { org } = await this.manageable(actor, c.org_id).catch((e: unknown) => {
      throw e instanceof AppError && e.status === 404 ? notFound('通知渠道') : e;
    });
    const message: Message = {
      title: `测试消息：${org.name}`,
      lines: [`这是${actor.displayName}发出的测试消息，收到说明“${c.name}”设置正确。`],
    };
    try {
      await this.send(c.kind as ChannelKind, c.target, c.secret, message);
      return { ok: true, message: '测试消息已发出' };
    } catch (e) {
      if (e instanceof SendError) return { ok: false, message: e.message };
      throw e;
    }
  }

  /** The user's own e-mail preference (defaults: no address, every event of their audience). */
  async myPrefs(actor: Actor) {
    const p = await this.repos.notifications.userPref(actor.id);
    const audience = actor.role === 'student' ? 'student' : 'org';
    const offered = EVENT_CODES.filter((e) => NOTIFICATION_EVENTS[e].audience === audience);
    return {
      email: p?.email ?? null,
      enabled: p ? !!p.enabled : true,
      events: p ? decodeEvents(p.events) : offered,
      offered,
    };
  }

  async saveMyPrefs(actor: Actor, input: { email: string | null; enabled: boolean; events: string[] }) {
    const audience = actor.role === 'student' ? 'student' : 'org';
    let email: string | null = null;
    if (input.email?.trim()) {
      const list = parseEmails(input.email);
      if (!list || list.length !== 1) throw invalid('邮箱地址有误：请填写一个有效邮箱', 'EMAIL_INVALID');
      email = list[0];
    }
    const events = encodeEvents(
      input.events.filter((e) => NOTIFICATION_EVENTS[e as NotificationEvent]?.audience === audience),
    );
    await this.repos.notifications.saveUserPref({
      user_id: actor.id,
      email,
      events,
      enabled: input.enabled ? 1 : 0,
      updated_at: this.now().toISOString(),
    });
    return this.myPrefs(actor);
  }

  /**
   * The delivery log (投递记录): staff see those of the organisations in their subtree (optionally one of them),
   * everyone sees their own e-mails.
   */
  async deliveries(actor: Actor, q: { orgId?: number; status?: string; page?: number; pageSize?: number }) {
    const tree = await OrgTree.load(this.repos);
    const orgIds = actor.role === 'student' ? [] : tree.filterIds(actor, q.orgId);
    const page = Math.max(1, q.page ?? 1);
    const pageSize = Math.min(Math.max(1, q.pageSize ?? 50), 200);
    const { rows, total } = await this.repos.notifications.deliveries(
      { orgIds, userId: q.orgId ? undefined : actor.id, status: q.status },
      page,
      pageSize,
    );
    return { items: rows.map((r) => this.deliveryDto(r)), total, page, pageSize };
  }

  private deliveryDto(r: NotificationDeliveryRow): DeliveryDto {
    const status = r.status as DeliveryDto['status'];
    const event = r.event as NotificationEvent;
    return {
      id: r.id,
      event,
      eventLabel: NOTIFICATION_EVENTS[event]?.label ?? r.event,
      orgId: r.org_id,
      channelKind: r.channel_kind as ChannelKind,
      channelLabel: CHANNEL_LABELS[r.channel_kind as ChannelKind] ?? r.channel_kind,
      target: r.target,
      title: r.title,
      body: r.body,
      status,
      statusLabel: status === 'pending' && r.attempts > 0 ? '等待重试' : STATUS_LABELS[status],
      attempts: r.attempts,
      lastError: r.last_error,
      nextAttemptAt: status === 'pending' ? r.next_attempt_at : null,
      createdAt: r.created_at,
      sentAt: r.sent_at,
    };
  }

  // ── events ──────────────────────────────────────────────────────────────────────────────────────────────────

  /** From the event bus: a returned application, an arrived certificate — addressed, stored, sent at once. */
  async onLiveEvent(e: LiveEvent): Promise<void> {
    let notice: Notice | null = null;
    if (e.type === 'application' && e.data.state === 'returned') notice = await this.returnedNotice(Number(e.data.id));
    if (e.type === 'certificate' && e.data.state === 'arrived') notice = await this.arrivedNotice(Number(e.data.id));
    if (!notice) return;
    if ((await this.store(notice)) > 0) await this.deliverDue();
  }

  private async returnedNotice(applicationId: number): Promise<Notice | null> {
    const app = await this.repos.applications.byId(applicationId);
    if (!app || app.state !== 'returned') return null;
    const tree = await OrgTree.load(this.repos);
    const kind = app.returned_by === 'city' ? 'city' : app.returned_by === 'province' ? 'province' : null;
    const centre = tree.get(app.org_id);
    const returner = kind && centre ? tree.orgs.find((o) => o.kind === kind && centre.path.startsWith(o.path)) : null;
    return {
      event: 'application_returned',
      occasion: `application:${app.id}:${app.submission_count}:${app.returned_by ?? ''}`,
      orgId: app.org_id,
      message: returnedMessage({
        studentName: app.student_name,
        xuehao: app.xuehao,
        batchName: app.batch_name,
        returnedBy: app.returned_by,
        returnedByOrg: returner?.name ?? null,
        reason: app.last_reason,
        at: new Date(app.updated_at),
      }),
    };
  }

  private async arrivedNotice(certificateId: number): Promise<Notice | null> {
    const c = await this.repos.certificates.byId(certificateId);
    if (!c || c.state !== 'arrived') return null;
    const centre = await this.repos.orgs.byId(c.org_id);
    return {
      event: 'certificate_arrived',
      occasion: `certificate:${c.id}`,
      orgId: c.org_id,
      studentId: c.student_id,
      message: certificateArrivedMessage({
        studentName: c.student_name,
        centreName: centre?.name ?? '学习中心',
        registrationNumber: c.registration_number,
        at: new Date(c.arrived_at ?? c.updated_at),
      }),
    };
  }

  // ── the scheduled run ───────────────────────────────────────────────────────────────────────────────────────

  /**
   * One scheduled run: with the lease, today's reminders are computed and stored (each once, by its key); then
   * every due delivery is sent. Returns what it did.
   */
  async runOnce(): Promise<{ leader: boolean; stored: number; sent: number; failed: number; retrying: number }> {
    const at = this.now();
    const leaseMs = Math.max(2 * this.config.intervalMs, 10 * 60_000);
    const leader = await this.repos.notifications.takeLease(
      LEASE,
      this.holder,
      at.toISOString(),
      new Date(at.getTime() + leaseMs).toISOString(),
    );
    let stored = 0;
    // Once per Beijing day, from REMINDER_HOUR on (no reminder at midnight; a day's keys make a rerun harmless).
    const today = chinaDate(at);
    const due = isReminderTime(at) && (await this.repos.notifications.dayDone(DAY_MARK)) !== today;
    if (leader && due) {
      for (const n of await this.reminders(at)) stored += await this.store(n);
      await this.repos.notifications.markDay(DAY_MARK, today);
    }
    return { leader, stored, ...(await this.deliverDue()) };
  }

  /** Today's reminders (Beijing day of `at`), computed per organisation so nothing grows with the whole country. */
  async reminders(at: Date): Promise<Notice[]> {
    const today = chinaDate(at);
    const tree = await OrgTree.load(this.repos);
    const batches = await this.repos.batches.all();
    const notices: Notice[] = [];
    const working = isWorkingDay(today);
    for (const centre of tree.orgs.filter((o) => o.kind === 'centre')) {
      const students = await this.repos.students.listAll({ orgIds: [centre.id] });
      if (!students.length) continue;
      const apps = await this.repos.applications.forStudent(students.map((s) => s.id));
      const appsOf = new Map<number, typeof apps>();
      for (const a of apps) appsOf.set(a.student_id, [...(appsOf.get(a.student_id) ?? []), a]);
      const core = students.map((s) => toCoreStudent(s, centre.path, appsOf.get(s.id) ?? []));
      const byId = new Map(students.map((s) => [s.id, s]));
      const orderRows = await this.repos.collection.list({ centreOrgIds: [centre.id], collectionOrgIds: [] });
      const orders = orderRows.map((r) => JSON.parse(r.data_json) as CollectionOrder);
      for (const b of batches) {
        const owner = tree.get(b.org_id);
        if (!owner || !centre.path.startsWith(owner.path)) continue;
        const batch = toCoreBatch(b, owner.path);
        // 审核时间即将结束: the last N days of an open window, to centres with unsubmitted applications.
        const w = openWindow(batch, at);
        const left = daysLeftInWindow(batch, at);
        if (w && left !== null && left <= this.config.windowDays) {
          const pending = apps.filter((a) => a.batch_id === b.id && UNSUBMITTED.includes(a.state as ApplicationStatus));
          if (pending.length)
            notices.push({
              event: 'window_closing',
              occasion: `batch:${b.id}:${w}:${today}`,
              orgId: centre.id,
              message: windowClosingMessage({
                batchName: b.name,
                window: w,
                endsOn: w === 'first' ? b.first_end : b.second_end,
                daysLeft: left,
                pending: pending.map((a) => ({
                  name: byId.get(a.student_id)?.name ?? '',
                  stateLabel: APPLICATION_STATUS_LABELS[a.state as ApplicationStatus] ?? a.state,
                })),
              }),
            });
        }
        // 采集截止提醒: core's per-centre reminder, on the reminder days.
        if (b.collection_deadline) {
          for (const r of collectionDeadlineReminders({
            students: core,
            orders,
            deadline: b.collection_deadline,
            at,
          })) {
            if (!isReminderDay(r.daysLeft, COLLECTION_DEADLINE_DAYS)) continue;
            notices.push({
              event: 'collection_deadline',
              occasion: `batch:${b.id}:collection:${today}`,
              orgId: centre.id,
              message: collectionDeadlineMessage({
                deadline: r.deadline,
                text: r.message,
                names: r.pendingStudentIds.map((id) => byId.get(Number(id))?.name ?? ''),
              }),
            });
          }
        }
      }
      // 学籍即将到期: students not yet graduated on a reminder day of their enrolment's last valid day.
      const expiring = core
        .filter((s) => s.status === 'enrolled' && parseEnrolmentTerm(s.enrolmentTerm).ok)
        .map((s) => ({ s, daysLeft: daysUntilEnrolmentExpiry(s.enrolmentTerm, at) }))
        .filter((x) => isReminderDay(x.daysLeft, ENROLMENT_EXPIRY_DAYS))
        .sort((a, b) => a.daysLeft - b.daysLeft);
      if (expiring.length)
        notices.push({
          event: 'enrolment_expiring',
          occasion: `enrolment:${today}`,
          orgId: centre.id,
          message: enrolmentExpiringMessage(
            expiring.map(({ s, daysLeft }) => ({
              name: s.name,
              xuehao: s.xuehao,
              enrolTerm: s.enrolmentTerm,
              validUntil: enrolmentValidUntil(s.enrolmentTerm),
              daysLeft,
            })),
          ),
        });
      // 请核对学信网: to each student, on working reminder days of the 20-working-day check.
      if (working)
        for (const o of orders) {
          const r = chsiCheckReminder(o, at);
          if (!r || !isReminderDay(r.workingDaysLeft, CHSI_CHECK_DAYS)) continue;
          notices.push({
            event: 'chsi_check',
            occasion: `order:${o.id}:${today}`,
            orgId: centre.id,
            studentId: Number(o.studentId),
            message: chsiCheckMessage(r.message),
          });
        }
    }
    // 纸质照片逾期未寄出: to each collection centre, every working day while any order is overdue.
    if (working)
      for (const cc of tree.orgs.filter((o) => o.kind === 'collection_centre')) {
        const rows = await this.repos.collection.list({ centreOrgIds: [], collectionOrgIds: [cc.id] });
        const overdue = overdueShipments(
          rows.map((r) => JSON.parse(r.data_json) as CollectionOrder),
          at,
        );
        if (!overdue.length) continue;
        notices.push({
          event: 'shipping_overdue',
          occasion: `shipping:${today}`,
          orgId: cc.id,
          message: shippingOverdueMessage(
            overdue.map((x) => ({ maskedName: maskedName(x.order), dueOn: x.dueOn, overdue: x.workingDaysOverdue })),
          ),
        });
      }
    return notices;
  }

  /** Splits a notice into deliveries (channels of the org, staff e-mails, or the student's e-mail); new rows count. */
  private async store(n: Notice): Promise<number> {
    const at = this.now().toISOString();
    const rows: Array<{ recipient: string; kind: ChannelKind; target: string; channelId?: number; userId?: number }> =
      [];
    if (NOTIFICATION_EVENTS[n.event].audience === 'org') {
      for (const c of await this.repos.notifications.channels([n.orgId])) {
        if (!c.enabled || !decodeEvents(c.events).includes(n.event)) continue;
        const kind = c.kind as ChannelKind;
        rows.push({
          recipient: `channel:${c.id}`,
          kind,
          target: kind === 'email' ? c.target : shortWebhook(c.target),
          channelId: c.id,
        });
      }
    }
    const users =
      n.studentId != null
        ? await this.repos.users.list([n.orgId]).then((us) => us.filter((u) => u.student_id === n.studentId))
        : (await this.repos.users.list([n.orgId])).filter((u) => u.role !== 'student');
    const prefs = await this.repos.notifications.userPrefs(users.map((u) => u.id));
    for (const p of prefs) {
      if (!p.enabled || !p.email || !decodeEvents(p.events).includes(n.event)) continue;
      rows.push({ recipient: `user:${p.user_id}`, kind: 'email', target: p.email, userId: p.user_id });
    }
    let created = 0;
    for (const r of rows) {
      const inserted = await this.repos.notifications.insertDelivery({
        delivery_key: deliveryKey(n.event, n.occasion, r.recipient),
        event: n.event,
        org_id: n.orgId,
        channel_id: r.channelId ?? null,
        user_id: r.userId ?? null,
        channel_kind: r.kind,
        target: r.target,
        title: n.message.title,
        body: n.message.lines.join('\n'),
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        created_at: at,
      });
      if (inserted) created++;
    }
    return created;
  }

  /** Sends every due delivery once (claimed first); failures wait by the backoff, up to MAX_ATTEMPTS. */
  async deliverDue(): Promise<{ sent: number; failed: number; retrying: number }> {
    const result = { sent: 0, failed: 0, retrying: 0 };
    const now = this.now();
    const at = now.toISOString();
    const due = await this.repos.notifications.dueDeliveries(at, DELIVERIES_PER_RUN);
    for (const d of due) {
      if (!(await this.repos.notifications.claim(d.id, at, new Date(now.getTime() + CLAIM_MS).toISOString()))) continue;
      const attempts = d.attempts + 1;
      try {
        await this.sendDelivery(d);
        await this.repos.notifications.finishDelivery(d.id, {
          status: 'sent',
          attempts,
          sent_at: this.now().toISOString(),
        });
        result.sent++;
      } catch (e) {
        if (!(e instanceof SendError)) this.log(e, `通知：投递 ${d.id} 出错`);
        const message = e instanceof SendError ? e.message : `内部错误：${(e as Error).message ?? String(e)}`;
        const giveUp = attempts >= MAX_ATTEMPTS || (e instanceof SendError && e.final);
        await this.repos.notifications.finishDelivery(d.id, {
          status: giveUp ? 'failed' : 'pending',
          attempts,
          last_error: message.slice(0, 500),
          next_attempt_at: new Date(this.now().getTime() + retryDelayMs(attempts)).toISOString(),
        });
        if (giveUp) result.failed++;
        else result.retrying++;
      }
    }
    return result;
  }

  private async sendDelivery(d: NotificationDeliveryRow): Promise<void> {
    const message: Message = { title: d.title, lines: d.body.split('\n') };
    if (d.channel_id != null) {
      const c = await this.repos.notifications.channel(d.channel_id);
      if (!c || !c.enabled) throw new SendError('该通知渠道已删除或停用', true);
      return this.send(c.kind as ChannelKind, c.target, c.secret, message);
    }
    return this.send('email', d.target, null, message);
  }

  private async send(kind: ChannelKind, target: string, secret: string | null, m: Message): Promise<void> {
    if (kind === 'email') {
      if (!this.mailer) throw new SendError('未配置发信服务器（环境变量 SMTP_URL），无法发送邮件', true);
      return this.mailer.send(target, m.title, toPlainText(m));
    }
    // The 钉钉 signature carries the wall-clock time (the robot refuses one more than an hour off), not the app clock.
    return postWebhook(kind, target, secret, m.title, toMarkdown(m), new Date());
  }
}
