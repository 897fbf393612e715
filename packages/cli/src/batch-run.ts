/**
 * Running `check` / `fix` over a batch (批量检测／修正): sources → worker pool → per-photo lines (or JSON
 * lines), reports, progress, summary. One bad file never stops the batch.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { PhotoReport, Profile } from '@gradpass/photo';
import { RULES } from '@gradpass/photo/rules';
import { iterateSources, loadOverlayRenderer, PhotoPool, processBatch, safeSegments, type BatchResult, type PhotoTask, type PhotoTaskResult, type SourceFile } from '@gradpass/photo/batch/index';
import type { ReportWriter } from './report/index.js';
import { BatchTally } from './summary.js';
import { VERDICT_ZH } from './text.js';

export interface PhotoRunOptions {
  op: 'check' | 'fix';
  paths: string[];
  profile: Profile;
  json: boolean;
  report?: string;
  jobs: number;
  face: boolean;
  verbose: boolean;
  maxBytes: number;
  /** fix */
  out?: string;
  align?: 'centre' | 'face';
  background?: 'keep' | 'blue';
  /** check */
  overlays?: string;
}

/** Where `fix` writes a photo: OUT/<sub-folders of the input>/<stem>.jpg. */
export function outputPathFor(outDir: string, relPath: string, fileName: string): string {
  const segs = safeSegments(relPath);
  const dirs = segs.slice(0, -1);
  const stem = fileName.replace(/\.[^.]*$/, '') || fileName;
  const safeStem = safeSegments(stem).join('_') || 'photo';
  return path.join(outDir, ...dirs, `${safeStem}.jpg`);
}

/** Same, for an overlay PNG. */
function overlayPathFor(dir: string, relPath: string, fileName: string): string {
  return outputPathFor(dir, relPath, fileName).replace(/\.jpg$/, '.png');
}

/** The `--json` line of one photo: exactly file, verdict, output (fix), checks[, face][, error][, edited][, fixable]. */
export function jsonLine(r: PhotoReport, op: 'check' | 'fix'): string {
  const o: Record<string, unknown> = { file: r.file, verdict: r.verdict };
  if (op === 'fix') o.output = r.output ?? null;
  o.checks = r.checks.map((c) => ({ id: c.id, status: c.status, value: c.value, limit: c.limit, message: c.message }));
  if (r.face !== undefined) o.face = r.face;
  if (r.error) o.error = r.error;
  if (r.edited) o.edited = true;
  if (r.fixable) o.fixable = r.fixable;
  return JSON.stringify(o);
}

/** The human line of one photo. */
export function humanLine(res: BatchResult): string {
  const r = res.report;
  const head = `[${VERDICT_ZH[r.verdict]}] ${r.file}`;
  if (r.verdict === 'error') return `${head}：${r.error?.message ?? '无法处理'} ${r.error?.code ?? 'ERROR'}`;
  const bad = r.checks.filter((c) => c.status === 'fail' || c.status === 'review');
  const out = r.output ? ` → ${r.output}` : '';
  const problems = bad.map((c) => `${c.status === 'review' ? '需复核 ' : ''}${ruleName(c.id)}：${c.message}`);
  // A refusal (e.g. fix could not make the photo) comes first.
  if (r.error) problems.unshift(`${r.error.message} ${r.error.code}`);
  // A photo not yet in the frame: can `fix` make it compliant, or must it be taken again?
  if (r.fixable) problems.push(r.fixable.ok ? `修正 fix：${r.fixable.message}` : `无法自动修正，需重新拍摄：${r.fixable.message} ${r.fixable.code}`);
  if (problems.length === 0) return `${head}${out}`;
  const details = problems.join('；');
  return `${head}${out}\n    ${details}`;
}

async function sameFile(a: string, b: string): Promise<boolean> {
  if (path.resolve(a) === path.resolve(b)) return true;
  const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return !!sa && !!sb && sa.dev === sb.dev && sa.ino === sb.ino;
}

/** Run the batch; returns the exit code (0 all pass, 1 otherwise). */
export async function runPhotos(o: PhotoRunOptions): Promise<number> {
  const started = performance.now();
  const tally = new BatchTally();
  const reports: ReportWriter[] = [];
  if (o.report) {
    // Loaded only when asked for (exceljs is large).
    const { createReportWriter } = await import('./report/index.js');
    reports.push(createReportWriter(o.report, `${o.op === 'fix' ? '照片修正报告' : '照片检测报告'}（${o.profile.name}）`));
  }
  const wantThumbs = reports.some((w) => /\.html?$/i.test(w.path));
  const outDir = o.out ? path.resolve(o.out) : undefined;
  let overlayDir = o.overlays ? path.resolve(o.overlays) : undefined;
  if (overlayDir && !(await loadOverlayRenderer())) {
    process.stderr.write('叠加图不可用：人脸模块未提供 renderOverlay，--overlays 已忽略 OVERLAY_UNAVAILABLE\n');
    overlayDir = undefined;
  }
  const outputs = new Map<string, string>();

  const makeTask = (item: SourceFile, _bytes: Buffer): PhotoTask | PhotoTaskResult => {
    const task: PhotoTask = { op: o.op, name: item.name, fileName: item.fileName, bytes: new ArrayBuffer(0), face: o.face, thumbnail: wantThumbs };
    if (o.op === 'fix' && outDir) {
      const outputPath = outputPathFor(outDir, item.relPath, item.fileName);
      const key = process.platform === 'linux' ? outputPath : outputPath.toLowerCase();
      const earlier = outputs.get(key);
      if (earlier !== undefined) {
        return { report: { file: item.name, verdict: 'error', checks: [], error: { code: 'OUTPUT_CONFLICT', message: `输出文件 ${outputPath} 与“${earlier}”的输出同名，未处理（请改名后重试）` } }, ms: 0 };
      }
      outputs.set(key, item.name);
      task.outputPath = outputPath;
      task.align = o.align;
      task.background = o.background;
    }
    if (o.op === 'check' && overlayDir) task.overlayPath = overlayPathFor(overlayDir, item.relPath, item.fileName);
    return task;
  };

  // Never overwrite an input: a file argument whose output path is that very file is refused.
  async function* guardedSources() {
    for await (const item of iterateSources(o.paths, { maxBytes: o.maxBytes, onSkip: () => tally.skip() })) {
      if (o.op === 'fix' && outDir && item.kind === 'file' && item.fsPath) {
        const target = outputPathFor(outDir, item.relPath, item.fileName);
        if (await sameFile(target, item.fsPath)) {
          yield { ...item, kind: 'error' as const, error: { code: 'OUTPUT_IS_INPUT', message: `输出文件就是输入文件本身（${target}），为保护原图未处理；请换一个 --out 文件夹` } };
          continue;
        }
      }
      yield item;
    }
  }

  const showBar = process.stderr.isTTY === true;
  const multibar = showBar
    ? new cliProgress.MultiBar(
        {
          stream: process.stderr,
          format: `${o.op === 'fix' ? '修正' : '检测'}中 [{bar}] {value}/{total} 张 | {speed} 张/秒 | 剩余约 {eta_formatted}`,
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 200,
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const bar = multibar?.create(1, 0, { speed: '0' });
  const printLine = (text: string): void => {
    // Lines above the bar when both share a terminal; JSON lines always go to stdout itself.
    if (multibar && process.stdout.isTTY && !o.json) multibar.log(`${text}\n`);
    else process.stdout.write(`${text}\n`);
  };

  const pool = new PhotoPool({ profile: o.profile, jobs: o.jobs });
  try {
    const results = processBatch(guardedSources(), pool, makeTask, {
      // Technical checks of a photo take milliseconds: send a few per worker message.
      chunk: o.op === 'check' && !o.face ? 4 : 1,
      onProgress: ({ done, discovered }) => {
        if (!bar) return;
        const secs = (performance.now() - started) / 1000;
        bar.setTotal(Math.max(discovered, 1));
        bar.update(done, { speed: secs > 0 ? (done / secs).toFixed(1) : '0' });
      },
    });
    for await (const res of results) {
      tally.add(res.report, res.encodes);
      if (o.json) printLine(jsonLine(res.report, o.op));
      else if (res.report.verdict !== 'pass' || o.verbose) printLine(humanLine(res));
      if (res.overlayNote && !o.json && o.verbose) printLine(`    ${res.overlayNote}`);
      for (const w of reports) await w.add({ report: res.report, thumbnail: res.thumbnail, overlay: res.overlay, overlayNote: res.overlayNote });
    }
  } finally {
    multibar?.stop();
    await pool.close();
  }
  let reportFailed = false;
  for (const w of reports) {
    try {
      await w.close();
    } catch (err) {
      reportFailed = true;
      process.stderr.write(`报告写入失败：${w.path}（${err instanceof Error ? err.message : String(err)}）REPORT_WRITE_FAILED\n`);
    }
  }

  const summary = tally.format(performance.now() - started);
  const extra: string[] = [];
  if (o.op === 'fix' && outDir) extra.push(`输出文件夹：${outDir}`);
  if (overlayDir) extra.push(`叠加图文件夹：${overlayDir}`);
  if (!reportFailed) for (const w of reports) extra.push(`报告已写入：${w.path}`);
  const text = `\n${summary}${extra.length ? `\n${extra.join('\n')}` : ''}\n`;
  if (o.json) process.stderr.write(text);
  else process.stdout.write(text);
  return reportFailed ? Math.max(1, tally.exitCode()) : tally.exitCode();
}

/** `文件大小（size.bytes）`; the id only once when the Chinese name already carries it. */
function ruleName(id: keyof typeof RULES): string {
  const zh = RULES[id]?.zh ?? id;
  return zh.includes(id) ? zh : `${zh}（${id}）`;
}
