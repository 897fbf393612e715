/** `gradpass check` and `gradpass fix` (照片检测、照片修正). */
import { existsSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { reportFormat } from '../report/format.js';
import { loadProfileOrUsage, UsageError } from '../usage.js';

/** Same as the batch layer's default (50 MiB); kept here so `--help` loads nothing heavy. */
const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** The batch runner (worker pool, engine) is loaded only when a command runs. */
async function runPhotos(...args: Parameters<typeof import('../batch-run.js').runPhotos>): Promise<number> {
  const { runPhotos: run } = await import('../batch-run.js');
  return run(...args);
}

interface CommonFlags {
  profile: string;
  json?: boolean;
  report?: string;
  jobs?: number;
  face: boolean;
  verbose?: boolean;
  maxSize: number;
}
interface CheckFlags extends CommonFlags {
  overlays?: string;
}
interface FixFlags extends CommonFlags {
  out: string;
  align?: 'centre' | 'face';
  background: 'keep' | 'blue';
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('应为正整数');
  return n;
}

function megabytes(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('应为正数（单位 MB）');
  return Math.round(n * 1024 * 1024);
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('-p, --profile <规格>', '照片规格：内置编号（chsi-graduation、liaoning-platform、liaoning-collection）或 JSON/YAML 文件路径；默认 chsi-graduation', 'chsi-graduation')
    .option('--json', '每张照片在标准输出打印一行 JSON（汇总改到标准错误）')
    .option('-r, --report <文件>', '写出报告：.csv（Excel 可直接打开）、.xlsx 或 .html（含缩略图）')
    .option('-j, --jobs <数量>', `并行处理的线程数；默认为 CPU 核数（本机 ${os.availableParallelism()}）`, positiveInt)
    .option('--no-face', '只做技术检查（不做人脸与构图分析，更快）')
    .option('--max-size <MB>', `单个文件大小上限（MB），超过的文件报错不处理；默认 ${DEFAULT_MAX_BYTES / 1024 / 1024}`, megabytes, DEFAULT_MAX_BYTES)
    .option('-v, --verbose', '也列出通过的照片');
}

function checkReport(file: string | undefined): void {
  if (file === undefined) return;
  if (!reportFormat(file)) throw new UsageError('REPORT_FORMAT', `不支持的报告格式“${file}”：报告文件名应以 .csv、.xlsx 或 .html 结尾`);
  const dir = path.dirname(path.resolve(file));
  if (!existsSync(dir)) throw new UsageError('REPORT_DIR_MISSING', `报告所在的文件夹不存在：${dir}`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError('REPORT_IS_DIRECTORY', `报告文件名“${file}”是一个文件夹`);
}

function realOrResolved(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/** `--out` must not be an input folder or inside one (a re-run would read its own outputs; inputs could be overwritten). */
function checkOutDir(out: string, paths: string[]): void {
  const outAbs = realOrResolved(out);
  if (existsSync(outAbs) && !statSync(outAbs).isDirectory()) throw new UsageError('OUT_NOT_DIRECTORY', `--out 应为文件夹：${out} 是一个文件`);
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      continue; // reported per path during the run
    }
    if (!st.isDirectory()) continue;
    const inAbs = realOrResolved(p);
    if (outAbs === inAbs || outAbs.startsWith(inAbs + path.sep)) {
      throw new UsageError('OUT_INSIDE_INPUT', `输出文件夹 ${out} 位于输入文件夹 ${p} 之内，可能覆盖原图或重复处理；请换一个 --out 文件夹`);
    }
  }
}

/** Register `check` and `fix`; `setExitCode` receives the batch's exit code (0 all pass, 1 otherwise). */
export function registerPhotoCommands(program: Command, setExitCode: (code: number) => void): void {
  const check = program
    .command('check')
    .description('检测照片是否符合规格（文件、文件夹或 .zip 压缩包，可混合）')
    .argument('<路径...>', '照片文件、文件夹或 .zip 压缩包');
  addCommonOptions(check)
    .option('--overlays <文件夹>', '把人脸定位叠加图（PNG）写到该文件夹，并放进 HTML 报告')
    .action(async (paths: string[], flags: CheckFlags) => {
      checkReport(flags.report);
      const profile = loadProfileOrUsage(flags.profile);
      setExitCode(await runPhotos({ op: 'check', paths, profile, json: !!flags.json, report: flags.report, jobs: flags.jobs ?? os.availableParallelism(), face: flags.face, verbose: !!flags.verbose, maxBytes: flags.maxSize, overlays: flags.overlays }));
    });

  const fix = program
    .command('fix')
    .description('把照片修正为规格要求的照片（摆正方向、sRGB、裁剪、缩放、按文件大小压缩），写到 --out 文件夹；不会改动原图')
    .argument('<路径...>', '照片文件、文件夹或 .zip 压缩包');
  addCommonOptions(fix)
    .requiredOption('-o, --out <文件夹>', '输出文件夹（保留子文件夹结构；重复运行只覆盖该文件夹中的输出）')
    .addOption(new Option('--align <方式>', '裁剪对齐：face 按人脸位置，centre 按画面中心；默认在做人脸分析时用 face（人脸模型不可用时自动改用 centre），--no-face 时用 centre').choices(['centre', 'face']))
    .addOption(new Option('--background <方式>', '背景：keep 保留原背景，blue 换成规格的浅蓝色（会标记为已编辑）；默认 keep').choices(['keep', 'blue']).default('keep'))
    .action(async (paths: string[], flags: FixFlags) => {
      checkReport(flags.report);
      checkOutDir(flags.out, paths);
      const profile = loadProfileOrUsage(flags.profile);
      if (flags.align === 'face' && !flags.face) throw new UsageError('ALIGN_NEEDS_FACE', '--align face 需要人脸分析，不能与 --no-face 同时使用');
      setExitCode(await runPhotos({ op: 'fix', paths, profile, json: !!flags.json, report: flags.report, jobs: flags.jobs ?? os.availableParallelism(), face: flags.face, verbose: !!flags.verbose, maxBytes: flags.maxSize, out: flags.out, align: flags.align, background: flags.background }));
    });
}
