#!/usr/bin/env node
/**
 * Photo-check throughput of `gradpass worker` processes (照片检测吞吐, issue 12): `npm run bench:workers`.
 *
 * One fresh PostgreSQL database (migrated, demo seed) and one Redis; N real portraits from
 * ../shared/fixtures/portraits stored as pending photos. Then, in the same run, for each configuration —
 * M worker processes (`packages/server/dist/worker-main.js`, spawned as separate processes with the same
 * DATABASE_URL, REDIS_URL, QUEUE_PREFIX and DATA_DIR, as in production) × T pool threads each — every photo is
 * reset to pending and enqueued, and the time until the last one is checked (read from the database) gives
 * photos/s. A warm-up batch of `WARM_PER_THREAD` photos per thread first lets every thread load the face models and
 * V8 compile the rules' hot code (the first ~10 photos of a thread run slower) — the timed run is the steady state a
 * worker spends its day in. Prints a table and the 2-process /
 * 1-process ratio. Nothing is asserted.
 *
 * Baseline of the same run: the photo check alone (bench/engine-loop.js, no queue, no database) pinned on one core, then
 * on both at once — what the machine allows two workers at best.
 *
 * Flags: --photos 80 · --rounds 3 · --engine 1 · --face 1 (face analysis on, as in production) · --threads auto,1 (auto = every core)
 * · --procs 1,2 · --pin 1 (worker p on core p, `taskset`: one machine per worker; 0 = unpinned) · DATABASE_URL (admin URL; default postgres://postgres@127.0.0.1:5432/postgres) · REDIS_URL
 * (default redis://127.0.0.1:6379).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');
const { buildApp } = await import(path.join(dist, 'app.js'));
const { seedDemo } = await import(path.join(dist, 'seed.js'));
const { RedisQueue, queueNameFor } = await import(path.join(dist, 'jobs/queue.js'));
const { passingPhoto } = await import(path.join(dist, 'scale-seed.js'));

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const PHOTOS = Number(flag('photos', '80'));
const FACE = flag('face', '1') !== '0';
const THREADS = flag('threads', 'auto,1').split(',');
const PROCS = flag('procs', '1,2').split(',').map(Number);
/** Rounds of every configuration, interleaved (the machine's speed drifts: the median of the per-round ratios is reported). */
const ROUNDS = Number(flag('rounds', '3'));
/** --engine 0: skip the engine-only baseline (two pinned `inspect` loops without queue or database). */
const ENGINE = flag('engine', '1') !== '0';
// --pin 1: worker process p runs on core p only (`taskset`), as if each worker had a machine of its own. Without
// it one process already spreads its native threads (libvips, TensorFlow) over every core of this machine, so a
// second process on the same cores has nothing left to gain.
const PIN = flag('pin', '1') !== '0' && fs.existsSync('/usr/bin/taskset');
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const PORTRAITS = path.resolve(here, '../../../../shared/fixtures/portraits');
/** Warm-up photos per pool thread before each timed run (models loaded, hot code compiled). */
const WARM_PER_THREAD = 10;
const threadsOf = (t) => (t === 'auto' ? os.availableParallelism() : Number(t));
const WARM = WARM_PER_THREAD * Math.max(...PROCS) * Math.max(...THREADS.map(threadsOf));

/** CPU seconds (user + system) used so far by the processes whose command name matches `comm` (from /proc). */
function cpuOf(match) {
  let ticks = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!match(comm, Number(pid))) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

function portraits() {
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.jpe?g$/i.test(e.name)) out.push(p);
    }
  };
  walk(PORTRAITS);
  return out.sort();
}

/** One pinned engine-only loop (bench/engine-loop.js) per core in `cores`, at the same time: their {wallMs, cpuMs}. */
async function engineLoops(cores, files, n) {
  const script = path.join(here, 'engine-loop.js');
  return Promise.all(
    cores.map(
      (core) =>
        new Promise((resolve, reject) => {
          const child = spawn('/usr/bin/taskset', ['-c', String(core), process.execPath, script, String(n), ...files], {
            stdio: ['ignore', 'pipe', 'inherit'],
          });
          let out = '';
          child.stdout.on('data', (c) => (out += c));
          child.on('exit', (code) =>
            code === 0
              ? resolve(JSON.parse(out.trim().split('\n').pop()))
              : reject(new Error(`engine loop exited ${code}`)),
          );
        }),
    ),
  );
}

/**
 * Baseline of the same run (引擎基线): the photo check alone — no queue, no database — pinned on one core, then on both
 * cores at once. Its 2-process / 1-process ratio is what this machine allows the workers at best.
 */
async function engineBaseline(files) {
  const n = Math.min(40, files.length - 10);
  const set = [...files.slice(0, n), ...files.slice(n, n + 10)];
  const [alone] = await engineLoops([0], set, n);
  const both = await engineLoops([0, 1], set, n);
  const together = both.reduce((s, r) => s + r.wallMs, 0) / both.length;
  return { n, alone, both, ratio: (2 * alone.wallMs) / together };
}

async function main() {
  const files = portraits();
  if (!files.length) throw new Error(`找不到人像照片：${PORTRAITS}`);
  let engine = null;
  if (PIN && ENGINE && os.availableParallelism() >= 2) {
    engine = await engineBaseline(files);
    console.log(
      `  基线：只跑检测引擎（无队列、无数据库）${engine.n} 张，单核独跑每张 ${engine.alone.wallMs.toFixed(0)} ms，两核同跑每张 ${engine.both.map((r) => r.wallMs.toFixed(0)).join(' / ')} ms → ${engine.ratio.toFixed(2)}×`,
    );
  }
  const dbName = `gradpass_bench_workers_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-bench-workers-'));
  const queuePrefix = `gp-bench-${crypto.randomBytes(4).toString('hex')}`;
  const photoChecks = { profile: 'chsi-graduation', face: FACE };
  // The web side: migrates, seeds, stores the photos; WORKERS=external, so it never checks one itself.
  const app = await buildApp({
    dataDir,
    databaseUrl,
    redisUrl: REDIS_URL,
    queuePrefix,
    workers: 'external',
    photoChecks,
  });
  const results = [];
  try {
    await seedDemo(app, { password: 'bench-password-1' });
    const { repos, files: store } = app.ctx;
    const students = await repos.students.listAll({ orgPath: '/' });
    const ids = [];
    const at = new Date().toISOString();
    for (let i = 0; i < PHOTOS + WARM; i++) {
      const bytes = fs.readFileSync(files[i % files.length]);
      const { storagePath, sha256 } = await store.put('photos', bytes, '.jpg');
      // 'pass', not pending: the workers' restart recovery must not take them before the timed run.
      const row = await repos.photos.insert(
        passingPhoto(students[i % students.length], { storagePath, sha256, bytes: bytes.length }, at, {
          file_name: path.basename(files[i % files.length]),
          checked_at: null,
        }),
      );
      ids.push(row.id);
    }
    const producer = new RedisQueue({
      redisUrl: REDIS_URL,
      name: queueNameFor({ prefix: queuePrefix, databaseUrl, dataDir }),
      concurrency: 1,
    });
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    /** Sets `batch` pending, enqueues it, waits until every one is checked; seconds from enqueue to the last. */
    const run = async (batch) => {
      await db.query(`UPDATE photos SET status = 'pending', checked_at = NULL WHERE id = ANY($1)`, [batch]);
      const started = Date.now();
      for (const id of batch) await producer.enqueue(id);
      for (;;) {
        const r = await db.query(
          `SELECT count(*)::int AS n FROM photos WHERE id = ANY($1) AND status IN ('pending','checking')`,
          [batch],
        );
        if (r.rows[0].n === 0) return (Date.now() - started) / 1000;
        await new Promise((res) => setTimeout(res, 100));
      }
    };
    /** Checks run on `batch` since `since` (ISO), from the audit log: one per photo unless a job ran twice. */
    const checksRun = async (batch, since) =>
      (
        await db.query(
          `SELECT count(*)::int AS n FROM audit_log WHERE entity = 'photo' AND action = 'checked' AND entity_id = ANY($1) AND at >= $2`,
          [batch, since],
        )
      ).rows[0].n;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const threads of THREADS) {
        // Alternate the order from round to round, so a slower stretch of the machine does not always hit the same one.
        for (const procs of round % 2 ? PROCS : [...PROCS].reverse()) {
          const env = {
            ...process.env,
            DATABASE_URL: databaseUrl,
            REDIS_URL,
            QUEUE_PREFIX: queuePrefix,
            DATA_DIR: dataDir,
            PHOTO_FACE: FACE ? '1' : '0',
            ...(threads === 'auto' ? {} : { WORKER_THREADS: threads }),
          };
          delete env.WORKERS;
          const workers = [];
          for (let p = 0; p < procs; p++) {
            const script = path.join(dist, 'worker-main.js');
            const core = String(p % os.availableParallelism());
            const [cmd, args] = PIN
              ? ['/usr/bin/taskset', ['-c', core, process.execPath, script]]
              : [process.execPath, [script]];
            const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
            await new Promise((resolve, reject) => {
              child.stdout.on('data', (c) => String(c).includes('已启动') && resolve());
              child.on('exit', (code) => reject(new Error(`worker exited ${code}`)));
            });
            workers.push(child);
          }
          const perProc = threadsOf(threads);
          await run(ids.slice(PHOTOS, PHOTOS + WARM_PER_THREAD * procs * perProc)); // warm-up: models loaded, code compiled
          // Where the CPU goes during the timed run: the workers, PostgreSQL, Redis, this process (web side + poller).
          const pids = new Set(workers.map((w) => w.pid));
          const isWorker = (comm, pid) => pids.has(pid);
          const isPg = (comm) => comm.startsWith('postgres');
          const isRedis = (comm) => comm.startsWith('redis-server');
          const cpu0 = { w: cpuOf(isWorker), pg: cpuOf(isPg), redis: cpuOf(isRedis), self: process.cpuUsage() };
          const since = new Date().toISOString();
        const seconds = await run(ids.slice(0, PHOTOS));
        const checks = await checksRun(ids.slice(0, PHOTOS), since);
          const self = process.cpuUsage(cpu0.self);
          const cpu = {
            worker: cpuOf(isWorker) - cpu0.w,
            pg: cpuOf(isPg) - cpu0.pg,
            redis: cpuOf(isRedis) - cpu0.redis,
            bench: (self.user + self.system) / 1e6,
          };
          for (const w of workers) w.kill('SIGTERM');
          await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r() : w.on('exit', r)))));
          results.push({ round, procs, threads: perProc, seconds, rate: PHOTOS / seconds, pinned: PIN, cpu, checks });
          const perPhoto = (v) => `${((1000 * v) / PHOTOS).toFixed(0)} ms`;
          console.log(
            `  第 ${round} 轮 ${procs} 个进程 × ${perProc} 线程：${PHOTOS} 张 ${seconds.toFixed(1)} 秒，${(PHOTOS / seconds).toFixed(2)} 张/秒；` +
              `每张 CPU：工作进程 ${perPhoto(cpu.worker)}，PostgreSQL ${perPhoto(cpu.pg)}，Redis ${perPhoto(cpu.redis)}，本进程 ${perPhoto(cpu.bench)}；检测 ${checks} 次（${PHOTOS} 张）`,
          );
        }
      }
    }
    await producer.close();
    await db.end();
  } finally {
    await app.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const pinNote = PIN ? '，每个工作进程独占一个核（taskset），模拟每台机器一个进程' : '，进程不绑核';
  console.log(
    `\n照片检测吞吐（PostgreSQL + Redis，人脸分析${FACE ? '开' : '关'}，${PHOTOS} 张真实人像，${os.availableParallelism()} 核${pinNote}）`,
  );
  console.log(
    '| 轮 | 工作进程 | 每进程线程 | 用时 (s) | 张/秒 | 相对同轮 1 个进程 | 每张 CPU：工作进程 / PostgreSQL / Redis / 本进程 (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---|');
  const ratioOf = (r) =>
    r.rate / results.find((x) => x.round === r.round && x.threads === r.threads && x.procs === 1).rate;
  for (const r of results) {
    const ms = (v) => ((1000 * v) / PHOTOS).toFixed(0);
    console.log(
      `| ${r.round} | ${r.procs} | ${r.threads} | ${r.seconds.toFixed(1)} | ${r.rate.toFixed(2)} | ${ratioOf(r).toFixed(2)}× | ${ms(r.cpu.worker)} / ${ms(r.cpu.pg)} / ${ms(r.cpu.redis)} / ${ms(r.cpu.bench)} |`,
    );
  }
  if (engine)
    console.log(
      `基线 baseline：检测引擎本身（两核各跑一个进程，无队列、无数据库）${engine.ratio.toFixed(2)}×（单核独跑 ${engine.alone.wallMs.toFixed(0)} ms/张，两核同跑 ${engine.both.map((r) => r.wallMs.toFixed(0)).join(' / ')} ms/张）`,
    );
  for (const threads of new Set(results.map((r) => r.threads))) {
    for (const procs of PROCS.filter((p) => p > 1)) {
      const ratios = results
        .filter((r) => r.threads === threads && r.procs === procs)
        .map(ratioOf)
        .sort((a, b) => a - b);
      const median = ratios[ratios.length >> 1];
      console.log(
        `${procs} 个进程 / 1 个进程（每进程 ${threads} 线程），${ratios.length} 轮的中位数：${median.toFixed(2)}×（各轮 ${ratios.map((x) => x.toFixed(2)).join('、')}）`,
      );
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
