#!/usr/bin/env node
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROLE_LABELS } from '@gradpass/core';
import { buildApp } from './app.js';
import { seedDemo } from './seed.js';
import { deploymentFromEnv, parseFaceWait, parseTrustProxy } from './config.js';

/**
 * `npm start`: opens ./data/gradpass.sqlite (or DATABASE_URL), migrates, listens. On an empty database: the demo
 * seed in development (or with DEMO=1); otherwise the first administrator from ADMIN_INITIAL_PASSWORD, or a
 * one-time setup token printed here for `POST /api/setup`.
 */
async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const webDist = path.resolve(here, '../../web/dist');
  const production = process.env.NODE_ENV === 'production';
  const demo = process.env.DEMO === '1' || (!production && process.env.NO_DEMO !== '1');
  const app = await buildApp({
    trustProxy: parseTrustProxy(process.env.TRUST_PROXY),
    ...(process.env.EXPENSIVE_RATE_LIMIT ? { expensiveRateLimit: Number(process.env.EXPENSIVE_RATE_LIMIT) } : {}),
    faceWaitMs: parseFaceWait(process.env.FACE_WAIT_MS),
    // DATA_DIR, DATABASE_URL, REDIS_URL, QUEUE_PREFIX, WORKERS, S3_*, PHOTO_*: shared with `gradpass worker`.
    ...deploymentFromEnv(),
    secureCookies: process.env.SECURE_COOKIES === '1',
    webDist: fs.existsSync(webDist) ? webDist : undefined,
    logger: process.env.LOG === '1',
  });
  const seeded = demo ? await seedDemo(app, { mustChangePassword: production }) : null;
  const setup = app.ctx.services.setup;
  let firstAdmin: string | null = null;
  let setupToken: string | null = null;
  if (!seeded && (await setup.needed())) {
    const initial = process.env.ADMIN_INITIAL_PASSWORD;
    if (initial) {
      try {
        const r = await setup.createFirstAdmin(initial, true);
        firstAdmin = `${r.username}（${r.orgName}）`;
      } catch (e) {
        await app.close();
        throw new Error(`ADMIN_INITIAL_PASSWORD 不可用：${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    } else setupToken = setup.issueToken();
  }
  await app.listen({ port, host });
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  const address = app.server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const base = `http://${shown}:${actualPort}`;
  console.log(`gradpass 毕业审核与证照平台已启动：${base}/`);
  console.log(`  接口文档：${base}/docs    健康检查：${base}/api/health`);
  console.log(
    `  数据库：${app.ctx.db.kind === 'postgres' ? 'PostgreSQL（DATABASE_URL）' : path.join(app.ctx.config.dataDir, 'gradpass.sqlite')}；照片检测队列：${queueLabel(app)}；照片存储：${app.ctx.files.kind === 's3' ? '对象存储（S3）' : '本地磁盘'}`,
  );
  if (seeded) {
    console.log(
      `  已创建演示数据（机构、各角色用户、“2026年1月毕业”及演示批次、5 名学生、特征码 yknmcm）。演示账号（密码均为 ${seeded.password}，请登录后修改）：`,
    );
    for (const l of seeded.logins) console.log(`    ${l.username.padEnd(14)} ${ROLE_LABELS[l.role]}（${l.org}）`);
    console.log(`  首个管理员账号：admin / ${seeded.password}`);
    if (production) console.log('  生产模式（DEMO=1）：每个演示账号首次登录须修改密码');
  }
  if (firstAdmin) console.log(`  已创建首个管理员 ${firstAdmin}，密码取自 ADMIN_INITIAL_PASSWORD；首次登录须修改密码`);
  if (setupToken) {
    console.log('  尚无任何账号：请设置首个管理员 admin 的密码（本令牌只显示这一次，重启后作废并重新生成）：');
    console.log(`    初始化令牌：${setupToken}`);
    console.log(
      `    网页：${base}/setup    或命令：curl -X POST ${base}/api/setup -H 'content-type: application/json' \\`,
    );
    console.log(`      -d '{"token":"${setupToken}","password":"<至少10个字符的新密码>"}'`);
  }
  if (!app.ctx.config.webDist) console.log('  提示：未找到 packages/web/dist，网页界面需先构建（npm run build:web）');
  onShutdownSignal(app);
}

/** Where photo checks run, as the start-up lines say it. */
function queueLabel(app: Awaited<ReturnType<typeof buildApp>>): string {
  if (app.ctx.queue.kind === 'memory') return '进程内';
  return app.ctx.queue.consumes
    ? 'Redis（BullMQ），本进程检测'
    : 'Redis（BullMQ），由 gradpass worker 检测（WORKERS=external）';
}

/**
 * Graceful shutdown (平滑停止) on SIGTERM/SIGINT: stop accepting connections, let the requests in flight finish,
 * end event streams, stop the job queue (running checks finish), close the database pool — then exit 0. A second
 * signal, or 25 s without finishing (orchestrators send SIGKILL at 30 s), exits at once with 1.
 */
function onShutdownSignal(app: Awaited<ReturnType<typeof buildApp>>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      console.error(`再次收到 ${signal}，立即退出`);
      process.exit(1);
    }
    stopping = true;
    console.log(`收到 ${signal}，正在停止：等待进行中的请求和照片检测完成…`);
    const force = setTimeout(() => {
      console.error('停止超时（25 秒），强制退出');
      process.exit(1);
    }, 25_000);
    force.unref();
    app.close().then(
      () => {
        console.log('已停止');
        process.exit(0);
      },
      (e: unknown) => {
        console.error('停止时出错：', e instanceof Error ? e.message : e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  console.error('启动失败：', e instanceof Error ? e.message : e);
  process.exit(1);
});
