/**
 * Notifications against REAL local servers started here: an SMTP server (smtp-server, each message parsed with
 * mailparser) and an HTTP receiver playing 企业微信 and 钉钉 group robots (the 钉钉 one verifies the 加签 signature
 * and answers errcode 310000 when it does not match, as 钉钉 does). The app's own event bus drives the returned
 * application and the certificate arrival; the scheduler's run computes the window-closing reminder; retries,
 * idempotency, the delivery log and who may configure channels. SQLite always, PostgreSQL with DATABASE_URL.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { chsiCheckDueDate, newCollectionOrder } from '@gradpass/core';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { NotificationService, resolveNotificationConfig } from '../src/services/notifications.js';
import { EventBus } from '../src/events.js';
import { dingTalkSign } from '../src/services/notify-channels.js';
import { BACKENDS, Client, Clock, checksDone, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

interface Mail {
  to: string;
  subject: string;
  text: string;
}
interface Hook {
  path: string;
  body: { msgtype: string; markdown: { content?: string; title?: string; text?: string } };
}

const SECRET = 'SEC0123456789abcdef';

/** DELETE with the client's session (the shared test client has no delete of its own). */
function remove(c: Client, url: string) {
  const cookie = (c as unknown as { cookie: string }).cookie;
  return c.app.inject({ method: 'DELETE', url, headers: { cookie, 'x-csrf-token': c.csrf } });
}
const FULL_ID_CARD = /\d{17}[\dXx]/;

/** A local SMTP server that requires the account of SMTP_URL and keeps every message, parsed. */
async function startSmtp() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    onAuth(auth, _session, cb) {
      if (auth.username === 'gp' && auth.password === 'secret-1') cb(null, { user: 'gp' });
      else cb(new Error('认证失败'));
    },
    onData(stream, _session, cb) {
      simpleParser(stream)
        .then((m) => {
          const to = Array.isArray(m.to) ? m.to.map((a) => a.text).join(', ') : (m.to?.text ?? '');
          mails.push({ to, subject: m.subject ?? '', text: m.text ?? '' });
          cb();
        })
        .catch((e: Error) => cb(e));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { mails, url: `smtp://gp:secret-1@127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

/** A local robot receiver: /wecom?key=… and /dingtalk?access_token=… (signed); `failNext` answers 500 that often. */
async function startRobots() {
  const hooks: Hook[] = [];
  const state = { failNext: 0, badSignatures: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (state.failNext > 0) {
        state.failNext--;
        return reply(500, { errcode: -1, errmsg: 'system busy' });
      }
      if (url.pathname === '/dingtalk') {
        const ts = Number(url.searchParams.get('timestamp'));
        const sign = url.searchParams.get('sign') ?? '';
        const expected = crypto.createHmac('sha256', SECRET).update(`${ts}\n${SECRET}`).digest('base64');
        if (!ts || Math.abs(Date.now() - ts) > 3600_000 || sign !== expected) {
          state.badSignatures++;
          return reply(200, { errcode: 310000, errmsg: 'sign not match' });
        }
      }
      hooks.push({ path: url.pathname, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Hook['body'] });
      reply(200, { errcode: 0, errmsg: 'ok' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    hooks,
    state,
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(r)),
  };
}

test('钉钉 signature: HMAC-SHA256 of "timestamp\\nsecret", Base64 (the documented example shape)', () => {
  const s = dingTalkSign('SECabc', 1700000000000);
  expect(s.timestamp).toBe('1700000000000');
  expect(s.sign).toBe(crypto.createHmac('sha256', 'SECabc').update('1700000000000\nSECabc').digest('base64'));
  expect(s.sign).not.toBe(dingTalkSign('SECabd', 1700000000000).sign);
});

describe.each(BACKENDS)('notifications on %s', (backend) => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let robots: Awaited<ReturnType<typeof startRobots>>;
  // 2025-12-17 (Wednesday), Beijing 12:00: the first window of 2026年1月毕业 ends 2025-12-19 — 3 days left.
  const clock = new Clock('2025-12-17');
  beforeAll(async () => {
    smtp = await startSmtp();
    robots = await startRobots();
    t = await makeApp(backend, {
      now: clock.now,
      notifications: resolveNotificationConfig({
        smtpUrl: smtp.url,
        smtpFrom: 'gradpass <noreply@gradpass.test>',
        intervalMs: 0,
        windowDays: 3,
        allowHttpWebhooks: true,
      }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await robots?.close();
  });

  test('channels, a return with its reason, window reminder once, retry, certificate to the student', async () => {
    const { app } = t;
    const n = app.ctx.services.notifications;
    const ids = await demoIds(app);
    const centre = await Client.login(app, 'lixia');

    // ── who may configure a centre's channels
    const other = await Client.login(app, 'zhangqiu');
    expect((await other.get(`/api/notifications/channels?orgId=${ids.centreA}`)).json().code).toBe('NOT_FOUND');
    const city = await Client.login(app, 'jinan');
    const cityTry = await city.get(`/api/notifications/channels?orgId=${ids.centreA}`);
    expect([cityTry.statusCode, cityTry.json().code]).toEqual([403, 'NOT_PERMITTED']);
    expect(cityTry.json().message).toMatch(/本机构/);
    const admin = await Client.login(app, 'admin');
    expect((await admin.get(`/api/notifications/channels?orgId=${ids.centreA}`)).statusCode).toBe(200);

    // ── bad input is refused in Chinese with a code
    const badHook = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'wecom',
      name: '群',
      target: 'ftp://example.com/x',
      events: ['application_returned'],
    });
    expect([badHook.statusCode, badHook.json().code]).toEqual([400, 'WEBHOOK_INVALID']);
    const badMail = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'email',
      name: '邮箱',
      target: 'not-an-address',
      events: ['application_returned'],
    });
    expect(badMail.json().code).toBe('EMAIL_INVALID');

    // ── the centre's channels: 钉钉 (signed), 企业微信, a shared mailbox; the clerk's own e-mail
    const orgEvents = ['application_returned', 'window_closing'];
    const ding = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'dingtalk',
      name: '历下毕业工作群（钉钉）',
      target: `${robots.base}/dingtalk?access_token=ding-token-0001`,
      secret: SECRET,
      events: orgEvents,
    });
    expect(ding.statusCode, ding.body).toBe(200);
    expect(ding.json().hasSecret).toBe(true);
    expect(ding.body).not.toContain(SECRET);
    expect(ding.body).not.toContain('ding-token-0001'); // the robot's token is shortened in answers
    const wecom = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'wecom',
      name: '历下毕业工作群（企业微信）',
      target: `${robots.base}/wecom?key=wecom-key-0001`,
      events: orgEvents,
    });
    expect(wecom.statusCode, wecom.body).toBe(200);
    const mailbox = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'email',
      name: '中心公共邮箱',
      target: 'lixia-centre@gradpass.test',
      events: ['application_returned'],
    });
    expect(mailbox.statusCode, mailbox.body).toBe(200);
    const me = await centre.patch('/api/notifications/me', {
      email: 'teacher.li@gradpass.test',
      enabled: true,
      events: ['application_returned', 'certificate_arrived'], // the student-only event is dropped for staff
    });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().events).toEqual(['application_returned']);
    // a test message through the signed robot arrives
    const tested = await centre.post(`/api/notifications/channels/${ding.json().id}/test`);
    expect(tested.json(), tested.body).toEqual({ ok: true, message: '测试消息已发出' });
    expect(robots.hooks.at(-1)!.body.markdown.title).toMatch(/测试消息/);
    // a robot set with the wrong secret: 钉钉 refuses, the answer says so
    const wrong = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'dingtalk',
      name: '密钥填错的群',
      target: `${robots.base}/dingtalk?access_token=ding-token-0002`,
      secret: 'SECwrong',
      events: ['application_returned'],
    });
    const wrongTest = (await centre.post(`/api/notifications/channels/${wrong.json().id}/test`)).json();
    expect(wrongTest.ok).toBe(false);
    expect(wrongTest.message).toMatch(/钉钉拒收.*310000/);
    const wrongUrl = `/api/notifications/channels/${wrong.json().id}`;
    expect((await app.inject({ method: 'DELETE', url: wrongUrl })).statusCode).toBe(401);
    expect((await remove(other, wrongUrl)).json().code).toBe('NOT_FOUND');
    const del = await remove(centre, wrongUrl);
    expect(del.statusCode, del.body).toBe(200);
    expect((await centre.get(`/api/notifications/channels?orgId=${ids.centreA}`)).json().items).toHaveLength(3);
    const hooksBefore = robots.hooks.length;

    // ── a real return: photo, apply, submit, the city returns with a reason → pushed at once
    const lina = ids.student('李娜');
    const up = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, await compliantJpeg(3), {
      source: 'collection',
    });
    expect(up.statusCode, up.body).toBe(200);
    await checksDone(app);
    const student = await Client.login(app, lina.xuehao);
    const appId = (await student.post('/api/applications', { studentId: lina.id, batchId: ids.realBatch })).json().id;
    expect((await student.post(`/api/applications/${appId}/actions`, { action: 'apply' })).json().state).toBe(
      'applied',
    );
    const sub = await centre.post(`/api/applications/${appId}/actions`, { action: 'submit', samePhotoConfirmed: true });
    expect(sub.json().state, sub.body).toBe('submitted');
    const reason = '照片背景偏灰，请按标准更换为浅蓝色背景';
    const ret = await city.post(`/api/applications/${appId}/actions`, { action: 'return', reason });
    expect(ret.json().state, ret.body).toBe('returned');
    await n.idle();

    const newHooks = robots.hooks.slice(hooksBefore);
    expect(newHooks.map((h) => h.path).sort()).toEqual(['/dingtalk', '/wecom']);
    const dingMsg = newHooks.find((h) => h.path === '/dingtalk')!.body;
    expect(dingMsg.msgtype).toBe('markdown');
    expect(dingMsg.markdown.title).toBe('毕业申请被退回：李娜');
    expect(dingMsg.markdown.text).toContain(reason);
    expect(dingMsg.markdown.text).toContain('济南市开放大学（市级开大）');
    expect(dingMsg.markdown.text).toContain('2025-12-17 12:00'); // Beijing time to the minute
    expect(dingMsg.markdown.text).not.toMatch(FULL_ID_CARD);
    const wecomMsg = newHooks.find((h) => h.path === '/wecom')!.body;
    expect(wecomMsg.markdown.content).toContain(`学号 ${lina.xuehao}`);
    const returnMails = smtp.mails.filter((m) => m.subject === '毕业申请被退回：李娜');
    expect(returnMails.map((m) => m.to).sort()).toEqual(['lixia-centre@gradpass.test', 'teacher.li@gradpass.test']);
    expect(returnMails[0].text).toContain(`退回理由：${reason}`);
    expect(returnMails[0].text).not.toMatch(FULL_ID_CARD);

    // ── the scheduler: window closing in 3 days, 李娜's application is unsubmitted (returned) → once
    const run1 = await n.runOnce();
    expect(run1.leader).toBe(true);
    expect(run1.stored).toBe(2); // two robots subscribed to window_closing
    expect(run1.sent).toBe(2);
    const run2 = await n.runOnce();
    expect([run2.stored, run2.sent]).toEqual([0, 0]);
    const windowHooks = robots.hooks.filter((h) => JSON.stringify(h.body).includes('首批审核即将结束'));
    expect(windowHooks).toHaveLength(2);
    const windowText = windowHooks.find((h) => h.path === '/wecom')!.body.markdown.content!;
    expect(windowText).toContain('2025-12-19 结束，还剩 3 天');
    expect(windowText).toContain('已退回 1 份');
    expect(windowText).toContain('李娜');
    // centre B has no application in the batch: nothing is addressed to it
    const rowsB = await app.ctx.repos.notifications.deliveries({ orgIds: [ids.centreB] }, 1, 50);
    expect(rowsB.total).toBe(0);

    // ── retry: the next day the receiver fails once (HTTP 500); the robot's delivery waits, then goes out
    // reminders go out from 08:00 Beijing time: a run at 07:30 stores nothing for the new day
    clock.t = new Date('2025-12-17T23:30:00Z');
    expect((await n.runOnce()).stored).toBe(0);
    clock.set('2025-12-18');
    robots.state.failNext = 1;
    const run3 = await n.runOnce();
    expect(run3.stored).toBe(2);
    expect([run3.sent, run3.retrying]).toEqual([1, 1]);
    const log1 = (await centre.get('/api/notifications/deliveries?status=pending')).json();
    expect(log1.items).toHaveLength(1);
    expect(log1.items[0].statusLabel).toBe('等待重试');
    expect(log1.items[0].attempts).toBe(1);
    expect(log1.items[0].lastError).toMatch(/HTTP 500/);
    expect((await n.runOnce()).sent).toBe(0); // not due before the backoff (1 minute)
    clock.t = new Date(clock.t.getTime() + 2 * 60_000);
    const run4 = await n.runOnce();
    expect([run4.stored, run4.sent]).toEqual([0, 1]);
    const log2 = (await centre.get('/api/notifications/deliveries')).json();
    const retried = log2.items.find((d: { id: number }) => d.id === log1.items[0].id);
    expect([retried.status, retried.attempts]).toEqual(['sent', 2]);
    expect(retried.lastError).toMatch(/HTTP 500/); // the failure stays on record
    expect(log2.items.every((d: { status: string }) => d.status === 'sent')).toBe(true);
    expect(robots.state.badSignatures).toBe(1); // only the wrong-secret test
    // the log is the centre's: the other centre sees none of it
    expect((await other.get('/api/notifications/deliveries')).json().total).toBe(0);
    expect((await other.get(`/api/notifications/deliveries?orgId=${ids.centreA}`)).json().code).toBe('NOT_FOUND');

    // ── certificate arrival reaches the student by e-mail (the student left an address)
    const mine = await student.patch('/api/notifications/me', {
      email: 'lina@student.gradpass.test',
      enabled: true,
      events: ['certificate_arrived'],
    });
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().offered).toEqual(['certificate_arrived', 'chsi_check']);
    expect(
      (await centre.post(`/api/applications/${appId}/actions`, { action: 'submit', samePhotoConfirmed: true })).json()
        .state,
    ).toBe('submitted');
    for (const [who, state] of [
      [city, 'city_approved'],
      [await Client.login(app, 'shandong'), 'province_approved'],
      [await Client.login(app, 'guokai'), 'graduated'],
    ] as const) {
      const r = await who.post(`/api/applications/${appId}/actions`, { action: 'approve' });
      expect(r.json().state, r.body).toBe(state);
    }
    const arrived = await centre.post('/api/certificates/arrive', {
      applicationIds: [appId],
      receivedFrom: '济南市开放大学',
    });
    expect(arrived.json().okCount, arrived.body).toBe(1);
    await n.idle();
    const certMail = smtp.mails.find((m) => m.to === 'lina@student.gradpass.test');
    expect(certMail, JSON.stringify(smtp.mails.map((m) => m.subject))).toBeTruthy();
    expect(certMail!.subject).toBe('您的毕业证书已到达学习中心');
    expect(certMail!.text).toContain('李娜同学');
    expect(certMail!.text).toContain('济南市开放大学历下学习中心');
    expect(certMail!.text).toMatch(/电子注册号：51161\d{11}/);
    expect(certMail!.text).not.toMatch(FULL_ID_CARD);
    // the student sees their own e-mail in the log, not the centre's robots
    const studentLog = (await student.get('/api/notifications/deliveries')).json();
    expect(studentLog.items.map((d: { event: string }) => d.event)).toEqual(['certificate_arrived']);
    // nothing was sent twice
    const keys = await app.ctx.repos.notifications.deliveries({ orgIds: [ids.centreA] }, 1, 200);
    expect(keys.rows.filter((r) => r.status === 'sent')).toHaveLength(keys.total);
    expect(smtp.mails.filter((m) => m.subject === '毕业申请被退回：李娜')).toHaveLength(2);
  });

  test('the reminders of domain.md: enrolment, collection deadline, 学信网 check, overdue paper copies', async () => {
    const { app } = t;
    const { repos } = app.ctx;
    const n = app.ctx.services.notifications;
    const ids = await demoIds(app);
    const byEvent = async (day: string) => {
      const list = await n.reminders(Clock.at(day));
      return (event: string) => list.filter((x) => x.event === event);
    };
    // 张伟 (2018春) is valid until 2026-04-30: told 30 days before, not 29; 陈静 (2017秋) has already expired
    let of = await byEvent('2026-03-31');
    const enrol = of('enrolment_expiring');
    expect(enrol.map((x) => x.orgId)).toEqual([ids.centreA]);
    expect(enrol[0].message.lines[0]).toBe(
      '张伟（学号 1837001200001，2018春入学）：学籍有效期至 2026-04-30，还剩 30 天',
    );
    expect(enrol[0].occasion).toBe('enrolment:2026-03-31');
    expect((await byEvent('2026-04-01'))('enrolment_expiring')).toEqual([]);

    // collection deadline: 刘洋 still lacks the 学信网 photo; 7 days before is a reminder day, 6 is not
    const liu = ids.student('刘洋');
    await repos.students.update(liu.id, { chsi_photo_missing: 1 });
    await repos.batches.update(ids.realBatch, { collection_deadline: '2026-01-10' });
    of = await byEvent('2026-01-03');
    const deadline = of('collection_deadline');
    expect(deadline.map((x) => x.orgId)).toEqual([ids.centreB]);
    expect(deadline[0].message.title).toBe('图像采集截止提醒（截止 2026-01-10）');
    expect(deadline[0].message.lines.join('')).toMatch(/还有 7 天，仍有 1 名学生.*未完成采集的学生：刘洋/);
    expect((await byEvent('2026-01-04'))('collection_deadline')).toEqual([]);
    await repos.batches.update(ids.realBatch, { collection_deadline: null });

    // collection orders: 李娜 received her paper copies; 刘洋's were approved but never posted
    const orgs = await repos.orgs.all();
    const cc = orgs.find((o) => o.kind === 'collection_centre')!;
    const pathOf = (id: number) => orgs.find((o) => o.id === id)!.path;
    const order = (s: { id: number; xuehao: string; id_card: string; name: string; org_id: number }, extra: object) =>
      repos.collection.insert({
        student_id: s.id,
        collection_org_id: cc.id,
        status: (extra as { status: string }).status,
        version: 0,
        photo_path: null,
        data_json: JSON.stringify({
          ...newCollectionOrder({
            id: String(s.id),
            student: {
              id: String(s.id),
              xuehao: s.xuehao,
              idCard: s.id_card,
              name: s.name,
              centrePath: pathOf(s.org_id),
            },
            collectionCentrePath: cc.path,
          }),
          ...extra,
        }),
        created_at: clock.t.toISOString(),
        updated_at: clock.t.toISOString(),
      });
    const lina = ids.student('李娜');
    await order(lina, { status: 'shipped', paperReceivedOn: '2026-01-05', finalPassedAt: '2025-12-20T02:00:00Z' });
    await order(liu, { status: 'final_passed', finalPassedAt: '2026-01-05T02:00:00Z' });
    const due = chsiCheckDueDate({ paperReceivedOn: '2026-01-05' })!;
    of = await byEvent(due);
    const check = of('chsi_check');
    expect(check.map((x) => [x.orgId, x.studentId])).toEqual([[ids.centreA, lina.id]]);
    expect(check[0].message.lines[0]).toContain('李*');
    expect(check[0].message.lines[0]).not.toContain('李娜'); // core's masked name, as the collection flow shows it
    const shipping = of('shipping_overdue');
    expect(shipping.map((x) => x.orgId)).toEqual([cc.id]);
    expect(shipping[0].message.lines[0]).toMatch(/^刘\*：应于 2026-01-14 前寄出，已逾期 \d+ 个工作日$/);
    // nothing in any reminder carries a 身份证号
    for (const x of [...check, ...shipping, ...enrol, ...deadline]) expect(JSON.stringify(x)).not.toMatch(FULL_ID_CARD);

    // two processes on one database run at the same moment: one holds the lease, the robot hears it once
    const centre = await Client.login(app, 'lixia');
    const ch = await centre.post('/api/notifications/channels', {
      orgId: ids.centreA,
      kind: 'wecom',
      name: '学籍提醒群',
      target: `${robots.base}/wecom?key=enrolment-0001`,
      events: ['enrolment_expiring'],
    });
    expect(ch.statusCode, ch.body).toBe(200);
    clock.set('2026-03-31');
    const second = new NotificationService(repos, new EventBus(), n.config, clock.now);
    const before = robots.hooks.length;
    const runs = await Promise.all([n.runOnce(), second.runOnce(), n.runOnce(), second.runOnce()]);
    expect(runs.filter((r) => r.leader).length).toBeGreaterThanOrEqual(1);
    expect(runs.reduce((sum, r) => sum + r.stored, 0)).toBe(1);
    expect(runs.reduce((sum, r) => sum + r.sent, 0)).toBe(1);
    const heard = robots.hooks.slice(before);
    expect(heard).toHaveLength(1);
    expect(heard[0].body.markdown.content).toContain('学籍即将到期：1 名学生');
    // the lease is one process's: the other is not the leader while it lasts
    const leaders = await Promise.all([n.runOnce(), second.runOnce()]);
    expect(leaders.map((r) => r.leader).sort()).toEqual([false, true]);
    await second.stop();
  });

  test('without an SMTP server an e-mail delivery fails at once with the reason', async () => {
    const { app } = t;
    const repos = app.ctx.repos;
    const ids = await demoIds(app);
    const bare = new NotificationService(
      repos,
      app.ctx.events,
      resolveNotificationConfig({ intervalMs: 0, smtpFrom: 'x <x@x.test>' }, {}),
      clock.now,
    );
    const row0 = {
      delivery_key: 'application_returned|manual|user:0',
      event: 'application_returned',
      org_id: ids.centreB,
      channel_kind: 'email',
      target: 'nobody@gradpass.test',
      title: '测试',
      body: '测试',
      status: 'pending',
      attempts: 0,
      next_attempt_at: clock.t.toISOString(),
      created_at: clock.t.toISOString(),
    };
    expect(await repos.notifications.insertDelivery(row0)).toBe(true);
    // inserting the same key again does nothing
    expect(await repos.notifications.insertDelivery({ ...row0, target: 'other@gradpass.test' })).toBe(false);
    expect(await bare.deliverDue()).toEqual({ sent: 0, failed: 1, retrying: 0 });
    const row = (await repos.notifications.deliveries({ orgIds: [ids.centreB] }, 1, 10)).rows[0];
    expect([row.status, row.attempts]).toEqual(['failed', 1]);
    expect(row.last_error).toMatch(/SMTP_URL/);
  });
});
