/**
 * The server process's life (进程生命周期): a graceful stop on SIGTERM finishes the request in flight and exits
 * 0; two deployments sharing one Redis keep their photo checks apart.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { idCardCheckChar } from '@gradpass/ids';
import { Client, checksDone, compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';
import { HttpClient } from './http-client.js';

const mainJs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');

describe('graceful shutdown', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-stop-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  test('SIGTERM lets a long roster import finish, then the process exits 0', async () => {
    const child = spawn(process.execPath, [mainJs], {
      // the embedded default (no DATABASE_URL / REDIS_URL from the test environment)
      env: {
        ...process.env,
        DATABASE_URL: '',
        REDIS_URL: '',
        NODE_ENV: 'development',
        DATA_DIR: dataDir,
        PORT: '0',
        PHOTO_FACE: '0',
        DEMO: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && !/已启动：(http:\/\/\S+)\//.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const base = /已启动：(http:\/\/\S+?)\//.exec(out)?.[1];
    expect(base, out).toBeTruthy();
    const password = /密码均为 (\S+?)[，,]/.exec(out)?.[1] ?? 'gradpass2026';
    const centre = new HttpClient(base!);
    const login = await centre.send('POST', '/api/auth/login', { username: 'lixia', password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const me = await centre.send('GET', '/api/auth/me');
    const orgId = (me.body as unknown as { user: { orgId: number } }).user.orgId;

    const lines = ['学号,姓名,身份证号,专业,层次,入学学期'];
    for (let i = 0; i < 1500; i++) {
      const first17 = `37010219970${String(1 + (i % 9))}${String(10 + (i % 18))}${String(i % 1000).padStart(3, '0')}`;
      lines.push(`2337001${String(300000 + i)},学生${i},${first17 + idCardCheckChar(first17)},法学,本科,2023秋`);
    }
    const boundary = 'gpstop';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="orgId"\r\n\r\n${orgId}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.csv"\r\n\r\n`),
      Buffer.from(lines.join('\n')),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const importing = centre.send(
      'POST',
      '/api/students/import',
      undefined,
      new Blob([body]),
      `multipart/form-data; boundary=${boundary}`,
    );
    await new Promise((r) => setTimeout(r, 300)); // the import is under way
    child.kill('SIGTERM');
    const r = await importing;
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    const summary = r.body as unknown as { created: number; failed: number };
    expect(summary.created + summary.failed).toBe(1500);
    expect(await exited, out).toBe(0);
    expect(out).toMatch(/收到 SIGTERM/);
    expect(out).toMatch(/已停止/);
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
  });
});

describe.runIf(!!process.env.REDIS_URL)('two deployments on one Redis', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const t of apps) await t.close();
  });

  test("each checks its own photos: no job is taken by the other deployment's workers", async () => {
    for (let i = 0; i < 2; i++) apps.push(await makeApp('sqlite', { redisUrl: process.env.REDIS_URL }));
    const uploaded: Array<{ app: TestApp; photoIds: number[] }> = [];
    for (const [k, t] of apps.entries()) {
      const ids = await demoIds(t.app);
      const centre = await Client.login(t.app, 'lixia');
      const photoIds: number[] = [];
      for (let n = 0; n < 15; n++) {
        const first17 = `37010219980${1 + k}15${String(n).padStart(3, '0')}`;
        const s = await t.app.ctx.services.students.create(null, {
          xuehao: `233700129${k}${String(n).padStart(3, '0')}`,
          idCard: first17 + idCardCheckChar(first17),
          name: `队列${k}-${n}`,
          orgId: ids.centreA,
          programme: '法学',
          level: '本科',
          enrolTerm: '2023秋',
        });
        const up = await centre.upload(`/api/students/${s.id}/photo`, `${s.xuehao}.jpg`, await compliantJpeg(n + 1));
        expect(up.statusCode, up.body).toBe(200);
        photoIds.push(up.json().id);
      }
      uploaded.push({ app: t, photoIds });
    }
    for (const t of apps) await checksDone(t.app);
    // every photo of each deployment was checked by its own workers against its own database
    for (const { app, photoIds } of uploaded) {
      for (const id of photoIds) {
        const p = await app.app.ctx.repos.photos.byId(id);
        expect(p?.status, `photo ${id}`).toBe('pass');
      }
    }
  });
});
