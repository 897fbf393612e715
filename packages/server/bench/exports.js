#!/usr/bin/env node
/**
 * Memory of the streamed exports against n (导出内存基准): `node packages/server/bench/exports.js --students 50000,200000`.
 * A fresh database (PostgreSQL with DATABASE_URL, else SQLite in a temporary folder) with the demo seed; students
 * (each with a photo row and an application) added through the repositories up to each n; at each n this
 * process serves students.xlsx and applications.xlsx over 127.0.0.1 and downloads them to /dev/null while its
 * RSS is sampled every 10 ms. Prints seconds, bytes and RSS growth per export and n. Nothing is asserted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '../dist');
const { buildApp } = await import(path.join(dist, 'app.js'));
const { seedDemo } = await import(path.join(dist, 'seed.js'));
const { draftApplication, passingPhoto, plainStudent } = await import(path.join(dist, 'scale-seed.js'));

const i = process.argv.indexOf('--students');
const CHECKPOINTS = (i > 0 ? process.argv[i + 1] : '50000,200000').split(',').map(Number);
const ADMIN_URL = process.env.DATABASE_URL;

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-bench-exports-'));
  let databaseUrl;
  const dbName = `gradpass_bench_exports_${crypto.randomBytes(4).toString('hex')}`;
  if (ADMIN_URL) {
    const c = new pg.Client({ connectionString: ADMIN_URL });
    await c.connect();
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    databaseUrl = u.toString();
  }
  const app = await buildApp({ dataDir, databaseUrl, photoChecks: { profile: 'chsi-graduation', face: false } });
  try {
    await seedDemo(app, { password: 'bench-password-1' });
    const { repos } = app.ctx;
    const orgs = await repos.orgs.all();
    const centre = orgs.find((o) => o.kind === 'centre');
    const batch = (await repos.batches.all())[0];
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${app.server.address().port}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'bench-password-1' }),
    });
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const at = new Date().toISOString();
    let seeded = 0;
    console.log(`数据库：${databaseUrl ? 'PostgreSQL' : 'SQLite'}`);
    console.log('| 学生数 n | 导出 | 用时 (s) | 大小 (MB) | RSS 增长 (MB) | RSS 峰值 (MB) |');
    console.log('|---:|---|---:|---:|---:|---:|');
    for (const n of CHECKPOINTS) {
      for (; seeded < n;) {
        const k = Math.min(5000, n - seeded);
        await repos.transaction(async (tx) => {
          const students = await tx.students.insertMany(
            Array.from({ length: k }, (_, j) => {
              const x = seeded + j;
              return plainStudent(
                {
                  xuehao: `28${String(x).padStart(11, '0')}`,
                  id_card: `370102${String(19800101 + (x % 28)).padStart(8, '0')}${String(x % 10000).padStart(4, '0')}`,
                  name: `基准${x}`,
                  org_id: centre.id,
                },
                at,
              );
            }),
          );
          const photos = await tx.photos.insertMany(
            students.map((s) =>
              passingPhoto(
                s,
                { storagePath: `photos/bench/${s.xuehao}.jpg`, sha256: s.xuehao.padEnd(64, '0'), bytes: 30000 },
                at,
              ),
            ),
          );
          await tx.students.setPhotos(photos.map((p) => ({ studentId: p.student_id, photoId: p.id })));
          await tx.applications.insertMany(students.map((s) => draftApplication(s.id, batch.id, at)));
        });
        seeded += k;
      }
      for (const report of ['students.xlsx', 'applications.xlsx']) {
        globalThis.gc?.();
        const before = process.memoryUsage().rss;
        let peak = before;
        const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
        const started = Date.now();
        let bytes = 0;
        const res = await fetch(`${base}/api/reports/${report}`, { headers: { cookie } });
        await pipeline(Readable.fromWeb(res.body), new Writable({ write: (c, _e, cb) => ((bytes += c.length), cb()) }));
        clearInterval(timer);
        const mb = (x) => (x / 1024 / 1024).toFixed(1);
        console.log(
          `| ${n} | ${report} | ${((Date.now() - started) / 1000).toFixed(1)} | ${mb(bytes)} | ${mb(peak - before)} | ${mb(peak)} |`,
        );
      }
    }
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (ADMIN_URL) {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await c.end();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
