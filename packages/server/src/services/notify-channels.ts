/**
 * Sending one message on one channel (通知发送): SMTP e-mail through nodemailer, and the group robots of
 * 企业微信 and 钉钉 (with 钉钉's 加签: timestamp + HMAC-SHA256 of "timestamp\nsecret" with the secret, Base64,
 * as `&timestamp=…&sign=…`). A send either resolves or throws a {@link SendError} with a Chinese message.
 */
import crypto from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { ChannelKind } from './notification-rules.js';

/**
 * A failed send; `message` is in Chinese and is stored as the delivery's last error. `final`: no retry can mend it
 * (no SMTP server configured, channel deleted) — the delivery is recorded as failed at once.
 */
export class SendError extends Error {
  constructor(
    message: string,
    readonly final = false,
  ) {
    super(message);
  }
}

/** 企业微信 markdown content is limited to 4096 bytes; 钉钉 to 20000. Longer text is cut with a note. */
const WEBHOOK_BYTES: Record<'wecom' | 'dingtalk', number> = { wecom: 4000, dingtalk: 19000 };
const WEBHOOK_TIMEOUT_MS = 10_000;
/** At most this much of a webhook's answer is read (it is a short JSON). */
const ANSWER_BYTES = 64 * 1024;

export function cutToBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const note = '\n\n（内容过长，其余请在平台查看）';
  let cut = text.slice(0, max);
  while (Buffer.byteLength(cut) + Buffer.byteLength(note) > max) cut = cut.slice(0, -16);
  return cut + note;
}

/** 钉钉加签: the `timestamp` (ms) and `sign` query parameters for a robot with a signing secret. */
export function dingTalkSign(secret: string, timestampMs: number): { timestamp: string; sign: string } {
  const timestamp = String(timestampMs);
  const sign = crypto.createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return { timestamp, sign };
}

/** The body a robot expects for a Markdown message. */
export function webhookBody(kind: 'wecom' | 'dingtalk', title: string, markdown: string): unknown {
  const text = cutToBytes(markdown, WEBHOOK_BYTES[kind]);
  return kind === 'wecom'
    ? { msgtype: 'markdown', markdown: { content: text } }
    : { msgtype: 'markdown', markdown: { title, text } };
}

/** Checks a webhook address: http(s) only, no user:password part; http only where insecure webhooks are allowed. */
export function webhookProblem(url: string, allowHttp: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '机器人地址不是有效的网址';
  }
  if (u.protocol !== 'https:' && !(allowHttp && u.protocol === 'http:'))
    return allowHttp ? '机器人地址须以 https:// 或 http:// 开头' : '机器人地址须以 https:// 开头';
  if (u.username || u.password) return '机器人地址中不能含用户名或密码';
  return null;
}

/** Posts a Markdown message to a 企业微信 or 钉钉 group robot; the robot's errcode 0 means delivered. */
export async function postWebhook(
  kind: 'wecom' | 'dingtalk',
  url: string,
  secret: string | null,
  title: string,
  markdown: string,
  now: Date,
): Promise<void> {
  const u = new URL(url);
  if (kind === 'dingtalk' && secret) {
    const s = dingTalkSign(secret, now.getTime());
    u.searchParams.set('timestamp', s.timestamp);
    u.searchParams.set('sign', s.sign);
  }
  let res: Response;
  try {
    res = await fetch(u, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(webhookBody(kind, title, markdown)),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new SendError(`无法连接机器人地址（${cause}）`);
  }
  const answer = (await readCapped(res)).trim();
  if (!res.ok) throw new SendError(`机器人地址返回 HTTP ${res.status}${answer ? `：${answer.slice(0, 200)}` : ''}`);
  let parsed: { errcode?: unknown; errmsg?: unknown } | null;
  try {
    parsed = JSON.parse(answer) as { errcode?: unknown; errmsg?: unknown };
  } catch {
    throw new SendError(`机器人的回答不是 JSON：${answer.slice(0, 200)}`);
  }
  if (parsed?.errcode !== 0) {
    const name = kind === 'wecom' ? '企业微信' : '钉钉';
    throw new SendError(`${name}拒收（错误码 ${String(parsed?.errcode)}：${String(parsed?.errmsg ?? '')}）`);
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > ANSWER_BYTES) break;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** E-mail through the SMTP server of SMTP_URL (smtp://user:pass@host:587, smtps://… for implicit TLS). */
export class Mailer {
  private readonly transport: Transporter;
  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    // Short timeouts: a hung mail server must not hold a claimed delivery past its claim (3 minutes).
    this.transport = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    });
  }
  async send(to: string, subject: string, text: string): Promise<void> {
    try {
      const info = await this.transport.sendMail({ from: this.from, to, subject, text });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length) throw new SendError(`邮件服务器拒收收件人：${rejected.join('，')}`);
    } catch (e) {
      if (e instanceof SendError) throw e;
      const err = e as { code?: string; responseCode?: number; message?: string };
      const what = err.responseCode ? `SMTP ${err.responseCode}` : (err.code ?? 'ERROR');
      throw new SendError(`邮件发送失败（${what}）：${(err.message ?? '').slice(0, 200)}`);
    }
  }
  close(): void {
    this.transport.close();
  }
}

/** A comma/space/semicolon-separated list of e-mail addresses, each checked; null when one is not an address. */
export function parseEmails(text: string): string[] | null {
  const list = text
    .split(/[,;，；\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length || list.length > 20) return null;
  return list.every((a) => /^[^\s@<>()"',;]+@[^\s@<>()"',;]+\.[^\s@<>()"',;]+$/.test(a) && a.length <= 254)
    ? list
    : null;
}

export const isWebhookKind = (k: ChannelKind): k is 'wecom' | 'dingtalk' => k === 'wecom' || k === 'dingtalk';
