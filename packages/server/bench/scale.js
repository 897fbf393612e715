#!/usr/bin/env node
/**
 * Scale benchmark (全国规模基准, issue 12): `npm run bench:scale -- --students 10000,100000 --db sqlite,postgres`.
 *
 * For each database: a fresh database with the demo seed and the national organisation tree (31 provinces,
 * 301 cities, 3,012 centres — 3,346 organisations with the demo's), then students (each with a checked photo and
 * its report and an application) seeded through the server's own repositories in multi-row chunks up to each n.
 * At every n the real server (`packages/server/dist/main.js`) is started as its own process and measured over
 * real HTTP (fetch over 127.0.0.1): p50/p95 of every list, filter, search, progress and export request, a
 * 1,000-item bulk approval, and the server's memory (RSS, peak from /proc). Times are also given as ratios to
 * /api/health p50 in the same run, so machines can be compared. Nothing here is a test: no limit is asserted.
 *
 * Flags: --students 10000,100000,500000 (checkpoints, seeded cumulatively) · --db sqlite,postgres · --reps 15
 * · --export-reps 3 · --roster 5000 (rows of the roster imported through the API) · --json <file> (raw results) · DATABASE_URL (admin URL; default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'kysely';

/* global FormData, Blob */

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');
const { buildApp } = await import(path.join(dist, 'app.js'));
const { seedDemo, DEMO_PASSWORD } = await import(path.join(dist, 'seed.js'));
const { seedScaleTree, seedScaleStudents, scaleXuehao, scaleIdCard, scaleName } = await import(
  path.join(dist, 'scale-seed.js')
);

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const CHECKPOINTS = flag('students', '10000,100000')
  .split(',')
  .map((s) => Number(s.replace(/k$/i, '000')))
  .filter((n) => n > 0)
  .sort((a, b) => a - b);
const DBS = flag('db', 'sqlite,postgres').split(',');
const REPS = Number(flag('reps', '15'));
const EXPORT_REPS = Number(flag('export-reps', '3'));
const JSON_OUT = flag('json', '');
const ADMIN_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
/** Seeded students per checkpoint that go to the demo city (济南), so its reviewer has 1,000 to approve. */
const IN_CITY = 2600;
/** Rows of the roster imported through the API at every n. */
const ROSTER_ROWS = Number(flag('roster', '5000'));

const log = (...a) => console.error(...a);
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** A logged-in HTTP client with the session cookie and the CSRF header. */
class Http {
  constructor(base) {
    this.base = base;
    this.cookie = '';
    this.csrf = '';
  }
  async login(username, password) {
    const r = await fetch(`${this.base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
    const jar = r.headers.getSetCookie().map((c) => c.split(';')[0]);
    this.cookie = jar.join('; ');
    this.csrf = jar.find((c) => c.startsWith('gp_csrf='))?.slice(8) ?? '';
    return this;
  }
  async req(method, url, body) {
    const t0 = performance.now();
    const r = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const buf = Buffer.from(await r.arrayBuffer());
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`${method} ${url}: ${r.status} ${buf.toString().slice(0, 300)}`);
    return { ms, bytes: buf.length, json: () => JSON.parse(buf.toString()) };
  }
}

function rssOf(pid) {
  const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

async function startServer(env, port) {
  const child = spawn(process.execPath, [path.join(dist, 'main.js')], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      EXPENSIVE_RATE_LIMIT: '100000',
      NO_DEMO: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode != null) throw new Error(`server exited: ${out}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.status === 200) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() - t0 > 120_000) throw new Error(`server did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    startMs: Date.now() - t0,
    stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))),
  };
}

/** Times `fn` `reps` times after one warm-up; returns p50/p95 in ms and the size of the last answer. */
async function timeIt(fn, reps) {
  await fn();
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < reps; i++) {
    const r = await fn(i);
    ms.push(r.ms);
    bytes = r.bytes;
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95), bytes };
}

async function measure(base, pid, ctx, n) {
  const admin = await new Http(base).login('admin', DEMO_PASSWORD);
  const city = await new Http(base).login('jinan', DEMO_PASSWORD);
  const { batchId, provinceId, cityId } = ctx;
  const i = Math.floor(n / 2) + 7;
  const name = encodeURIComponent(scaleName(i));
  const mid = (await admin.req('GET', `/api/students?pageSize=1&q=${scaleXuehao(i)}`)).json().items[0].id;
  /** [label, client, url, reps] */
  const gets = [
    ['health (baseline)', admin, '/api/health'],
    ['students · page 1 (national)', admin, '/api/students?pageSize=20'],
    ['students · page 100 (OFFSET)', admin, '/api/students?pageSize=20&page=100'],
    ['students · cursor (keyset, mid-table)', admin, `/api/students?pageSize=20&cursor=${mid}`],
    ['students · province', admin, `/api/students?pageSize=20&orgId=${provinceId}`],
    ['students · city reviewer page 1', city, '/api/students?pageSize=20'],
    ['students · q = 学号 (exact)', admin, `/api/students?q=${scaleXuehao(i)}`],
    ['students · q = 身份证号 (exact)', admin, `/api/students?q=${scaleIdCard(i)}`],
    ['students · q = name', admin, `/api/students?pageSize=20&q=${name}`],
    ['students · photoStatus=fail', admin, '/api/students?pageSize=20&photoStatus=fail'],
    ['students · failedRule=dpi', admin, '/api/students?pageSize=20&failedRule=dpi'],
    ['students · batch × state', admin, `/api/students?pageSize=20&batchId=${batchId}&state=submitted`],
    ['applications · page 1', admin, '/api/applications?pageSize=20'],
    ['applications · batch × state', admin, `/api/applications?pageSize=20&batchId=${batchId}&state=submitted`],
    ['applications · q = 学号', admin, `/api/applications?q=${scaleXuehao(i)}`],
    ['applications · city reviewer, submitted', city, `/api/applications?pageSize=20&state=submitted`],
    ['certificates · page 1', admin, '/api/certificates?pageSize=20'],
    ['progress · national', admin, `/api/progress?batchId=${batchId}`],
    ['progress · province', admin, `/api/progress?batchId=${batchId}&orgId=${provinceId}`],
    ['expiring · city', admin, `/api/students/expiring?orgId=${cityId}`],
    ['expired · city', admin, `/api/students/expired?orgId=${cityId}`],
    ['priorities · city', admin, `/api/students/priorities?orgId=${cityId}&nextBatchStart=2027-06-01`],
    ['students.xlsx · city', admin, `/api/reports/students.xlsx?orgId=${cityId}`, EXPORT_REPS],
    ['applications.xlsx · city', admin, `/api/reports/applications.xlsx?orgId=${cityId}`, EXPORT_REPS],
  ];
  const rows = [];
  let peakRss = 0;
  for (const [label, client, url, reps] of gets) {
    const r = await timeIt(() => client.req('GET', url), reps ?? REPS);
    const mem = rssOf(pid);
    peakRss = Math.max(peakRss, mem.rssMb);
    rows.push({ label, ...r, rssMb: mem.rssMb });
    log(`    ${label.padEnd(42)} p50 ${r.p50.toFixed(1).padStart(8)} ms  p95 ${r.p95.toFixed(1).padStart(8)} ms`);
  }
  // A 1,000-item bulk approval by the city reviewer (submitted → city_approved).
  const ids = [];
  let cursor = null;
  while (ids.length < 1000) {
    const q = `/api/applications?pageSize=200&batchId=${batchId}&state=submitted${cursor ? `&cursor=${cursor}` : ''}`;
    const page = (await city.req('GET', q)).json();
    ids.push(...page.items.map((a) => a.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  const bulk = await city.req('POST', '/api/applications/bulk', { ids: ids.slice(0, 1000), action: 'approve' });
  const b = bulk.json();
  rows.push({
    label: `bulk approve ${Math.min(1000, ids.length)} (ok ${b.okCount})`,
    p50: bulk.ms,
    p95: bulk.ms,
    bytes: bulk.bytes,
  });
  log(`    bulk approve: ${bulk.ms.toFixed(0)} ms, ok ${b.okCount}, failed ${b.failCount}`);
  // Roster import through the API (名册导入) by the centre: ROSTER_ROWS new students, then the same file again
  // (every row an update).
  const centre = await new Http(base).login('lixia', DEMO_PASSWORD);
  const csv = ['学号,身份证号,姓名,专业,层次,入学学期'];
  for (let k = 0; k < ROSTER_ROWS; k++) {
    const j = 9_000_000 + n + k;
    csv.push(`2637${String(j).padStart(9, '0')},${scaleIdCard(j)},${scaleName(j)},会计学,本科,2023秋`);
  }
  const file = Buffer.from(`${csv.join('\n')}\n`);
  for (const pass of ['new', 'again']) {
    const form = new FormData();
    form.append('orgId', String(ctx.centreId));
    form.append('file', new Blob([file], { type: 'text/csv' }), 'roster.csv');
    const t0 = performance.now();
    const r = await fetch(`${base}/api/students/import`, {
      method: 'POST',
      headers: { cookie: centre.cookie, 'x-csrf-token': centre.csrf },
      body: form,
    });
    const body = await r.json();
    const ms = performance.now() - t0;
    if (r.status !== 200) throw new Error(`roster import: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
    const ok = pass === 'new' ? body.created : body.updated;
    const rate = Math.round((ok / ms) * 1000);
    rows.push({ label: `roster import ${ROSTER_ROWS} rows (${pass})`, p50: ms, p95: ms, bytes: 0, rate });
    log(`    roster import (${pass}): ${ok} rows in ${ms.toFixed(0)} ms = ${rate} rows/s, failed ${body.failed}`);
  }
  const mem = rssOf(pid);
  return { rows, rssMb: Math.max(peakRss, mem.rssMb), peakMb: mem.peakMb };
}

async function runDb(kind) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gradpass-scale-${kind}-`));
  let databaseUrl;
  let dbName = null;
  if (kind === 'postgres') {
    dbName = `gradpass_bench_${crypto.randomBytes(5).toString('hex')}`;
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const env = { DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', PHOTO_FACE: '0' };
  const out = [];
  try {
    let app = await buildApp({ dataDir, databaseUrl, photoChecks: { profile: 'chsi-graduation', face: false } });
    await seedDemo(app, {});
    const t0 = performance.now();
    const tree = await seedScaleTree(app.ctx.repos);
    const orgs = await app.ctx.repos.orgs.all();
    log(`[${kind}] ${orgs.length} organisations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const demoCity = orgs.find((o) => o.name === '济南市开放大学');
    const cityCentres = orgs.filter((o) => o.parent_id === demoCity.id && o.kind === 'centre');
    const batchId = Math.max(...(await app.ctx.repos.batches.all()).map((b) => b.id));
    const ctx = { batchId, cityId: demoCity.id, centreId: cityCentres[0].id, provinceId: tree.provinces[5].id };
    let seeded = 0;
    for (const n of CHECKPOINTS) {
      if (!app)
        app = await buildApp({ dataDir, databaseUrl, photoChecks: { profile: 'chsi-graduation', face: false } });
      const s0 = performance.now();
      await seedScaleStudents(app.ctx.repos, {
        from: seeded,
        to: n,
        centres: tree.centres,
        batchId,
        firstCentres: cityCentres,
        firstCount: IN_CITY,
        onChunk: (done) => done % 50000 === 0 && log(`[${kind}]   seeded ${done}`),
      });
      const seedS = (performance.now() - s0) / 1000;
      // Fresh statistics, as autovacuum would have them after a real import.
      if (kind === 'postgres') await sql`analyze`.execute(app.ctx.db.db);
      log(
        `[${kind}] n = ${n}: seeded ${n - seeded} students in ${seedS.toFixed(1)} s (${Math.round((n - seeded) / seedS)} students/s)`,
      );
      seeded = n;
      await app.close();
      app = null;
      const port = 4100 + Math.floor(Math.random() * 800);
      const server = await startServer(env, port);
      log(`[${kind}] server up in ${server.startMs} ms (pid ${server.child.pid})`);
      try {
        const m = await measure(`http://127.0.0.1:${port}`, server.child.pid, ctx, n);
        out.push({ kind, n, seedS, startMs: server.startMs, ...m });
        // Partial results survive an interrupted run.
        if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify([...results, ...out], null, 2));
      } finally {
        await server.stop();
      }
    }
    if (app) await app.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (dbName) {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
  return out;
}

const results = [];
const TABLE_FROM = flag('table', '');
if (TABLE_FROM) {
  // Only print the table of earlier runs (--json files, comma-separated), in the order given.
  for (const f of TABLE_FROM.split(',')) results.push(...JSON.parse(fs.readFileSync(f, 'utf8')));
} else {
  for (const kind of DBS) results.push(...(await runDb(kind)));
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(results, null, 2));
}

// The table: one column per database × n, "p50 / p95 ms (×health)".
const cols = results.map((r) => `${r.kind} ${r.n >= 1000 ? `${r.n / 1000}k` : r.n}`);
const labels = results[0].rows.map((r) => r.label.replace(/ \(ok \d+\)$/, ''));
const cell = (res, label) => {
  const row = res.rows.find((r) => r.label.replace(/ \(ok \d+\)$/, '') === label);
  if (!row) return '–';
  const base = res.rows[0].p50;
  const f = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
  if (row.rate) return `${f(row.p50)} ms = ${row.rate} rows/s`;
  return `${f(row.p50)} / ${f(row.p95)} (×${Math.round(row.p50 / base)})`;
};
const lines = [
  `| request (p50 / p95 ms, ×health p50) | ${cols.join(' | ')} |`,
  `|---|${cols.map(() => '---').join('|')}|`,
  ...labels.map((l) => `| ${l} | ${results.map((r) => cell(r, l)).join(' | ')} |`),
  `| server RSS, max sampled / peak (MB) | ${results.map((r) => `${r.rssMb.toFixed(0)} / ${r.peakMb.toFixed(0)}`).join(' | ')} |`,
  `| seeding since the previous n (s) | ${results.map((r) => r.seedS.toFixed(1)).join(' | ')} |`,
  `| server start (ms) | ${results.map((r) => r.startMs).join(' | ')} |`,
];
console.log(lines.join('\n'));
