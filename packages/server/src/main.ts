#!/usr/bin/env node
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROLE_LABELS } from '@gradpass/core';
import { buildApp } from './app.js';
import { seedDemo } from './seed.js';

/** `npm start`: opens ./data/gradpass.sqlite (or DATABASE_URL), migrates, seeds a demo on first run, listens. */
async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  const webDist = path.resolve(here, '../../web/dist');
  const app = await buildApp({
    dataDir: process.env.DATA_DIR ? path.resolve(process.env.DATA_DIR) : path.resolve('data'),
    databaseUrl: process.env.DATABASE_URL || undefined,
    redisUrl: process.env.REDIS_URL || undefined,
    secureCookies: process.env.SECURE_COOKIES === '1',
    photoChecks: { profile: process.env.PHOTO_PROFILE ?? 'chsi-graduation', face: process.env.PHOTO_FACE !== '0' },
    webDist: fs.existsSync(webDist) ? webDist : undefined,
    logger: process.env.LOG === '1',
  });
  const seeded = process.env.NO_DEMO === '1' ? null : await seedDemo(app);
  await app.listen({ port, host });
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host;
  console.log(`gradpass 毕业审核与证照平台已启动：http://${shown}:${port}/`);
  console.log(`  接口文档：http://${shown}:${port}/docs    健康检查：http://${shown}:${port}/api/health`);
  console.log(
    `  数据库：${app.ctx.db.kind === 'postgres' ? 'PostgreSQL（DATABASE_URL）' : path.join(app.ctx.config.dataDir, 'gradpass.sqlite')}；照片检测队列：${app.ctx.queue.kind === 'redis' ? 'Redis（BullMQ）' : '进程内'}`,
  );
  if (seeded) {
    console.log(
      `  已创建演示数据（机构、各角色用户、“2026年1月毕业”及演示批次、5 名学生、特征码 yknmcm）。演示账号（密码均为 ${seeded.password}，请登录后修改）：`,
    );
    for (const l of seeded.logins) console.log(`    ${l.username.padEnd(14)} ${ROLE_LABELS[l.role]}（${l.org}）`);
    console.log(`  首个管理员账号：admin / ${seeded.password}`);
  }
  if (!app.ctx.config.webDist) console.log('  提示：未找到 packages/web/dist，网页界面需先构建（npm run build:web）');
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error('启动失败：', e instanceof Error ? e.message : e);
  process.exit(1);
});
