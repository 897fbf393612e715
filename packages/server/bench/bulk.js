#!/usr/bin/env node
/**
 * Bulk review throughput (批量审核吞吐): N students through submit → city → province → national with one bulk
 * request per level, on SQLite and (when DATABASE_URL is set) PostgreSQL. Prints ms per application and the
 * PostgreSQL/SQLite ratio. Usage: node packages/server/bench/bulk.js [N=200]   (after npx tsc -b)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import pg from 'pg';
import { buildApp, seedDemo } from '../dist/index.js';
import { draftApplication, passingPhoto, plainStudent } from '../dist/scale-seed.js';

const N = Number(process.argv[2] ?? 200);
const day = new Date('2025-12-10T04:00:00Z');

async function run(kind) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-bench-'));
  let databaseUrl, dbName;
  if (kind === 'postgres') {
    dbName = `gradpass_bench_${crypto.randomBytes(4).toString('hex')}`;
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect(); await c.query(`CREATE DATABASE ${dbName}`); await c.end();
    const u = new URL(process.env.DATABASE_URL); u.pathname = `/${dbName}`; databaseUrl = u.toString();
  }
  const app = await buildApp({ dataDir, databaseUrl, now: () => day, photoChecks: { profile: 'chsi-graduation', face: false } });
  await seedDemo(app, { password: 'bench-password', today: day });
  const { repos } = app.ctx;
  const orgs = await repos.orgs.all();
  const centre = orgs.find((o) => o.kind === 'centre');
  const batch = (await repos.batches.all()).find((b) => b.name === '2026年1月毕业');
  const login = async (username) => {
    const r = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'bench-password' } });
    return { cookie: r.cookies.map((c) => `${c.name}=${c.value}`).join('; '), csrf: r.json().csrfToken };
  };
  const call = (who, method, url, payload) => app.inject({ method, url, payload, headers: { cookie: who.cookie, 'x-csrf-token': who.csrf } });
  // students with a passing photo record and an applied application, inserted directly (setup, not measured)
  const ids = [];
  for (let i = 0; i < N; i++) {
    const at = day.toISOString();
    const s = await repos.students.insert(
      plainStudent({ xuehao: `23370019${String(i).padStart(5, '0')}`, id_card: '370102199602022024', name: `学生${i}`, org_id: centre.id }, at, { enrol_term: '2023秋' }),
    );
    const p = await repos.photos.insert(passingPhoto(s, { storagePath: 'x', sha256: 'x', bytes: 30000 }, at, { source: 'collection', file_name: 'x.jpg', checks_json: '{"checks":[]}' }));
    await repos.students.update(s.id, { photo_id: p.id });
    const a = await repos.applications.insert({ ...draftApplication(s.id, batch.id, at), state: 'applied', signed_at: at, version: 1 });
    ids.push(a.id);
  }
  const steps = [['lixia', 'submit'], ['jinan', 'approve'], ['shandong', 'approve'], ['guokai', 'approve']];
  const t0 = performance.now();
  for (const [user, action] of steps) {
    const r = await call(await login(user), 'POST', '/api/applications/bulk', { ids, action, samePhotoConfirmedIds: ids });
    if (r.json().okCount !== N) throw new Error(`${kind} ${action}: ${r.body.slice(0, 300)}`);
  }
  const ms = performance.now() - t0;
  await app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (dbName) { const c = new pg.Client({ connectionString: process.env.DATABASE_URL }); await c.connect(); await c.query(`DROP DATABASE ${dbName} WITH (FORCE)`); await c.end(); }
  return ms / (N * steps.length);
}

const sqlite = await run('sqlite');
console.log(`SQLite:     ${sqlite.toFixed(2)} ms per application step (${N} applications × 4 bulk steps)`);
if (process.env.DATABASE_URL) {
  const postgres = await run('postgres');
  console.log(`PostgreSQL: ${postgres.toFixed(2)} ms per application step — ratio PostgreSQL/SQLite ${(postgres / sqlite).toFixed(2)}`);
}
