#!/usr/bin/env node
import { runWorkerFromEnv } from './worker.js';

/** `npm run worker`: the photo-check consumers only (see worker.ts); the same as `gradpass worker`. */
runWorkerFromEnv().catch((e: unknown) => {
  console.error('照片检测进程启动失败：', e instanceof Error ? e.message : e);
  process.exit(1);
});
