#!/usr/bin/env node
/**
 * gradpass benchmark (性能基准): our batch check/fix against ImageMagick doing the same work in the same run.
 *
 *   npm run bench                 # 600 check inputs (480×640), 120 fix inputs (1350×1350)
 *   npm run bench -- --quick      # 120 / 30
 *   npm run bench -- --jobs 2
 *   npm run bench -- --only-face  # only the face-analysis lines (check's face pass vs the previous model set)
 *
 * Inputs are generated into a temp dir from the London portraits (shared fixtures, never copied into the
 * repo). Uses the BUILT packages (run `npx tsc -b` first). Prints photos/s, ms per photo per core, average
 * encodes per photo, and the ratio to ImageMagick (`identify` for check; `convert … -define jpeg:extent=40KB`
 * for fix), both run with the same number of parallel workers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jobsArg = args.indexOf('--jobs');
const jobs = jobsArg >= 0 ? Math.max(1, Number(args[jobsArg + 1]) || 1) : os.availableParallelism();
const N_CHECK = quick ? 120 : 600;
const N_FIX = quick ? 30 : 120;
const N_FIX_FACE = quick ? 10 : 40;
const N_FACE = quick ? 10 : 40;
const PORTRAITS = path.resolve(root, '../shared/fixtures/portraits/london/neutral');
const PORTRAITS_ALT = '/work/shared/fixtures/portraits/london/neutral';

function need(file) {
  const p = path.join(root, file);
  if (!existsSync(p)) {
    console.error(`基准测试需要已构建的包：缺少 ${file}（请先运行 npx tsc -b）BUILD_MISSING`);
    process.exit(2);
  }
  return pathToFileURL(p).href;
}

const sharp = (await import('sharp')).default;
const batch = await import(need('packages/photo/dist/batch/index.js'));
const profiles = await import(need('packages/photo/dist/index.js'));

function fmt(n, digits = 1) {
  return Number.isFinite(n) ? n.toFixed(digits) : '—';
}

function width(s) {
  let w = 0;
  for (const ch of String(s)) w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return w;
}

function table(rows) {
  const widths = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c) + ' '.repeat(widths[i] - width(c)) : ' '.repeat(widths[i] - width(c)) + String(c))).join('  ');
  return [line(rows[0]), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Find real ImageMagick (this machine may have a stand-in `convert` first on PATH). */
function findImageMagick() {
  const tryCmd = (cmd, pre = []) => {
    const r = spawnSync(cmd, [...pre, '-version'], { encoding: 'utf8' });
    return r.status === 0 && /ImageMagick/.test(r.stdout ?? '') ? { cmd, pre, version: (r.stdout.split('\n')[0] ?? '').replace(/^Version:\s*/, '') } : null;
  };
  const magick = tryCmd('magick');
  if (magick) return { convert: { cmd: 'magick', pre: [] }, identify: { cmd: 'magick', pre: ['identify'] }, version: magick.version };
  for (const [c, i] of [['convert', 'identify'], ['/usr/bin/convert', '/usr/bin/identify'], ['convert-im6.q16', 'identify-im6.q16']]) {
    const conv = tryCmd(c);
    if (conv && tryCmd(i)) return { convert: { cmd: c, pre: [] }, identify: { cmd: i, pre: [] }, version: conv.version };
  }
  return null;
}

function run(cmd, argv) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} 退出码 ${code}：${err.slice(0, 300)}`))));
  });
}

async function parallel(items, n, fn) {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]);
    }),
  );
}

/** A 13-digit 国开 学号 style name: year 18, school 370, type 014, serial. */
function xuehao(n) {
  return `18370014${String(n + 1).padStart(5, '0')}.jpg`;
}

async function generateInputs(dir) {
  const sources = existsSync(PORTRAITS) ? PORTRAITS : PORTRAITS_ALT;
  if (!existsSync(sources)) {
    console.error(`找不到肖像素材 ${PORTRAITS}（共享测试素材）FIXTURES_MISSING`);
    process.exit(2);
  }
  const portraits = (await readdir(sources)).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(sources, f));
  const checkDir = path.join(dir, 'check');
  const fixDir = path.join(dir, 'fix');
  await mkdir(checkDir, { recursive: true });
  await mkdir(fixDir, { recursive: true });
  // One decode per portrait: a 540×720 base for the check variants, the 1350×1350 original for fix.
  const perPortraitCheck = Math.ceil(N_CHECK / portraits.length);
  const perPortraitFix = Math.ceil(N_FIX / portraits.length);
  let nc = 0;
  let nf = 0;
  await parallel(portraits, os.availableParallelism(), async (file) => {
    const base = await sharp(file).resize(720, 720).toBuffer();
    const idx = portraits.indexOf(file);
    for (let k = 0; k < perPortraitCheck; k++) {
      const n = idx * perPortraitCheck + k;
      if (n >= N_CHECK) break;
      const left = Math.round((k * 47) % 180);
      const jpeg = await sharp(base)
        .extract({ left, top: 0, width: 540, height: 720 })
        .resize(480, 640)
        .jpeg({ quality: 72 + ((n * 7) % 15), mozjpeg: false })
        .toBuffer();
      // Named like a 学号 and 300 dpi in JFIF, as a centre's photos would be.
      await writeFile(path.join(checkDir, xuehao(n)), profiles.withJfifDensity(jpeg, 300));
      nc++;
    }
    for (let k = 0; k < perPortraitFix; k++) {
      const n = idx * perPortraitFix + k;
      if (n >= N_FIX) break;
      const cut = 20 + k * 30;
      const jpeg = await sharp(file)
        .extract({ left: cut, top: cut, width: 1350 - 2 * cut, height: 1350 - 2 * cut })
        .resize(1350, 1350)
        .jpeg({ quality: 88 + (k % 5) })
        .toBuffer();
      await writeFile(path.join(fixDir, xuehao(n)), jpeg);
      nf++;
    }
  });
  return { checkDir, fixDir, nc, nf };
}

/** The first `limit` items of a folder. */
async function* firstItems(dir, limit) {
  let n = 0;
  for await (const item of batch.iterateSources([dir])) {
    if (n++ >= limit) return;
    yield item;
  }
}

/** Our batch, in process, on a warmed pool: returns { n, secs, encodes, verdicts }. */
async function runOurs(op, dir, outDir, opts) {
  const profile = profiles.loadProfile('chsi-graduation');
  const pool = new batch.PhotoPool({ profile, jobs });
  try {
    // Warm-up: start every worker and load the engine (and face models when used) before timing.
    const warm = [];
    for await (const item of batch.iterateSources([dir])) {
      if (warm.length >= jobs * 2) break;
      warm.push(item);
    }
    const warmSrc = (async function* () {
      yield* warm;
    })();
    for await (const _ of batch.processBatch(warmSrc, pool, (item) => ({ op, name: item.name, fileName: item.fileName, bytes: new ArrayBuffer(0), face: opts.face, align: opts.align, outputPath: outDir ? path.join(outDir, 'warm', item.fileName) : undefined }))) void _;
    const t0 = performance.now();
    let n = 0;
    let encodes = 0;
    let encoded = 0;
    const verdicts = { pass: 0, fail: 0, review: 0, error: 0 };
    const errors = new Map();
    // As the CLI does: technical checks go 4 photos per worker message.
    const chunk = op === 'check' && !opts.face ? 4 : 1;
    for await (const r of batch.processBatch(firstItems(dir, opts.limit ?? Infinity), pool, (item) => ({ op, name: item.name, fileName: item.fileName, bytes: new ArrayBuffer(0), face: opts.face, align: opts.align, outputPath: outDir ? path.join(outDir, item.fileName) : undefined }), { chunk })) {
      n++;
      verdicts[r.report.verdict]++;
      if (r.report.verdict === 'error') errors.set(r.report.error?.code, (errors.get(r.report.error?.code) ?? 0) + 1);
      if (typeof r.encodes === 'number' && r.encodes > 0) {
        encodes += r.encodes;
        encoded++;
      }
    }
    const secs = (performance.now() - t0) / 1000;
    return { n, secs, encodes: encoded ? encodes / encoded : NaN, verdicts, errors };
  } finally {
    await pool.close();
  }
}

/**
 * Face analysis per 480×640 photo (人脸分析耗时), in process on one core, CPU and wall per photo: the whole
 * face pass of `check` today (`inspectFace`: models + every face rule) against the previous round's model set
 * alone (`analyseFace`: detection, mesh, iris, selfie segmentation — no model was added to `check` this
 * round; RVM runs in `fix` only), interleaved photo by photo in the same run so the load hits both alike.
 */
async function benchFace(checkDir, n) {
  const files = (await readdir(checkDir)).sort().slice(0, n);
  const profile = profiles.loadProfile('chsi-graduation');
  await profiles.warmUpFace();
  const imgs = [];
  for (const f of files) {
    const { data, info } = await sharp(path.join(checkDir, f)).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    imgs.push({ data, width: info.width, height: info.height, channels: 3 });
  }
  await profiles.inspectFace(imgs[0], profile);
  const m = { models: { cpu: [], wall: [] }, full: { cpu: [], wall: [] } };
  for (let i = 0; i < imgs.length; i++) {
    for (const k of i % 2 ? ['models', 'full'] : ['full', 'models']) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      if (k === 'models') await profiles.analyseFace(imgs[i]);
      else await profiles.inspectFace(imgs[i], profile);
      const c = process.cpuUsage(c0);
      m[k].cpu.push((c.user + c.system) / 1000);
      m[k].wall.push(performance.now() - t0);
    }
  }
  const med = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  return { n: imgs.length, models: { cpu: med(m.models.cpu), wall: med(m.models.wall) }, full: { cpu: med(m.full.cpu), wall: med(m.full.wall) } };
}

/** The real command, end to end (process start, workers, output) — what a user waits for. */
async function runCli(argv) {
  const t0 = performance.now();
  await new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'packages/cli/bin/gradpass.js'), ...argv], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`gradpass 退出码 ${code}：${err.slice(0, 400)}`))));
  });
  return (performance.now() - t0) / 1000;
}

async function main() {
  const cpus = os.cpus();
  console.log('gradpass 性能基准 benchmark');
  console.log(`机器 machine：${cpus.length} 个 CPU（${cpus[0]?.model?.trim() ?? '?'}），可用并行 ${os.availableParallelism()}；负载 load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}；Node ${process.version}；sharp ${sharp.versions.sharp}／libvips ${sharp.versions.vips}；线程 jobs ${jobs}${quick ? '；快速模式 --quick' : ''}`);
  const im = findImageMagick();
  console.log(im ? `基线 baseline：${im.version}` : '基线 baseline：未找到 ImageMagick（本机的 convert 可能只是替身）。安装：apt-get install imagemagick');

  const tmp = await mkdtemp(path.join(os.tmpdir(), 'gradpass-bench-'));
  try {
    const t0 = performance.now();
    const { checkDir, fixDir, nc, nf } = await generateInputs(tmp);
    console.log(`输入 inputs：${nc} 张 480×640（check），${nf} 张 1350×1350（fix），生成用时 ${fmt((performance.now() - t0) / 1000)} 秒，目录 ${tmp}\n`);

    const rows = [['任务 task', '张数 n', '我们 ours 张/秒', '毫秒/张/核 ms/photo/core', '平均编码次数 encodes', 'ImageMagick 张/秒', '倍数 ratio']];
    const notes = [];

    // Face analysis of check, per photo (before = the previous round's model set, same run).
    try {
      const f = await benchFace(checkDir, N_FACE);
      console.log(table([
        ['人脸分析 face analysis 480×640（单核 1 core）', '张数 n', 'CPU 中位数 ms/张', '耗时中位数 wall ms/张', '倍数 ratio (CPU)'],
        ['上一轮模型 previous model set (analyseFace)', f.n, fmt(f.models.cpu), fmt(f.models.wall), '1.00'],
        ['check 人脸分析 now (inspectFace: models + all face rules)', f.n, fmt(f.full.cpu), fmt(f.full.wall), fmt(f.full.cpu / f.models.cpu, 2)],
      ]));
      console.log('目标 aim：人脸分析每张 ≤ 上一轮的 1.5 倍 (face analysis per photo ≤ 1.5× the previous round)\n');
    } catch (err) {
      console.log(`人脸分析基准无法运行 face bench skipped：${err.message}\n`);
    }
    if (args.includes('--only-face')) return;

    // check --no-face on 480×640
    const ck = await runOurs('check', checkDir, null, { face: false });
    let imCheck = NaN;
    if (im) {
      const files = (await readdir(checkDir)).sort().map((f) => path.join(checkDir, f));
      const chunks = [];
      for (let i = 0; i < files.length; i += 100) chunks.push(files.slice(i, i + 100));
      const t = performance.now();
      await parallel(chunks, jobs, (chunk) => run(im.identify.cmd, [...im.identify.pre, ...chunk]));
      imCheck = files.length / ((performance.now() - t) / 1000);
    }
    const ckRate = ck.n / ck.secs;
    rows.push(['check --no-face 480×640', ck.n, fmt(ckRate), fmt((ck.secs * 1000 * jobs) / ck.n, 2), '—', fmt(imCheck), fmt(ckRate / imCheck, 2)]);
    notes.push(`check 结论 verdicts：${JSON.stringify(ck.verdicts)}${ck.errors.size ? ` 错误 ${JSON.stringify([...ck.errors])}` : ''}`);

    // The real CLI end to end (includes process start and worker start-up).
    const cliSecs = await runCli(['check', checkDir, '--no-face', '--json', '--jobs', String(jobs)]);
    rows.push(['gradpass check --no-face（整条命令 CLI wall）', nc, fmt(nc / cliSecs), fmt((cliSecs * 1000 * jobs) / nc, 2), '—', fmt(imCheck), fmt(nc / cliSecs / imCheck, 2)]);

    // fix on 1350×1350
    let imFix = NaN;
    if (im) {
      const files = (await readdir(fixDir)).sort();
      const out = path.join(tmp, 'im-out');
      await mkdir(out);
      const t = performance.now();
      await parallel(files, jobs, (f) => run(im.convert.cmd, [...im.convert.pre, path.join(fixDir, f), '-resize', '480x640^', '-gravity', 'center', '-extent', '480x640', '-density', '300', '-define', 'jpeg:extent=40KB', path.join(out, f)]));
      imFix = files.length / ((performance.now() - t) / 1000);
    }
    for (const align of ['centre', 'face']) {
      const face = align === 'face';
      const out = path.join(tmp, `out-${align}`);
      let r;
      try {
        // Face alignment runs the face models twice per photo (plan the crop, check the result): a subset.
        r = await runOurs('fix', fixDir, out, { face, align, limit: face ? N_FIX_FACE : Infinity });
      } catch (err) {
        notes.push(`fix --align ${align}：无法运行（${err.message}）`);
        continue;
      }
      if (face && r.verdicts.error === r.n) {
        notes.push(`fix --align face：人脸分析不可用（${JSON.stringify([...r.errors])}），未计入`);
        continue;
      }
      const rate = r.n / r.secs;
      rows.push([`fix --align ${align}${face ? '' : ' --no-face'} 1350×1350`, r.n, fmt(rate), fmt((r.secs * 1000 * jobs) / r.n, 2), fmt(r.encodes, 2), fmt(imFix), fmt(rate / imFix, 2)]);
      notes.push(`fix --align ${align} 结论 verdicts：${JSON.stringify(r.verdicts)}${r.errors.size ? ` 错误 ${JSON.stringify([...r.errors])}` : ''}`);
    }

    console.log(table(rows));
    console.log(`（运行结束时负载 load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}）`);
    console.log('');
    for (const n of notes) console.log(n);
    console.log(`\n目标 aims：check ≥ 1000 张/秒（2 核）；fix ≥ ImageMagick 的 4 倍。我们的数字为预热后的线程池稳态（不含进程启动），“整条命令”一行含启动开销。`);
    if (!im) console.log('未测 ImageMagick 基线：apt-get install imagemagick 后重跑。');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
