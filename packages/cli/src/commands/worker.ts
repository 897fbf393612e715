/** `gradpass worker` — the photo-check consumers of a platform deployment (后台照片检测进程). */
import { InvalidArgumentError, type Command } from 'commander';

function threadCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError('应为 1–256 的整数');
  return n;
}

export function registerWorkerCommands(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('worker')
    .summary('只运行平台的后台照片检测（与网页进程共用数据库、Redis 和文件存储）')
    .description(
      '只运行平台的后台任务（照片检测），线程池覆盖所有 CPU 核；与网页进程使用相同的 DATABASE_URL、REDIS_URL、' +
        'QUEUE_PREFIX、S3_* 和 DATA_DIR（网页进程设 WORKERS=external 后只排队、不检测）。SIGTERM 时等进行中的检测完成再退出',
    )
    .option('--threads <n>', '检测线程数（默认：CPU 核数，或环境变量 WORKER_THREADS）', threadCount)
    .action(async (opts: { threads?: number }) => {
      // Loaded only here: the other commands never load the platform's server code.
      const { runWorkerFromEnv } = await import('@gradpass/server/worker');
      try {
        await runWorkerFromEnv({ threads: opts.threads });
      } catch (e) {
        process.stderr.write(`gradpass worker：启动失败：${e instanceof Error ? e.message : String(e)} WORKER_START_FAILED\n`);
        setExitCode(1);
      }
    });
}
