/**
 * Two web processes behind one address (issue 12): two apps on different ports with the same PostgreSQL
 * database, the same Redis and the same S3 bucket — a real S3 protocol server (s3rver) started here — behind a
 * round-robin TCP proxy that opens one backend connection per client connection. Proves that a photo uploaded
 * through one is served by the other, that an SSE client on one hears an event caused through the other, and
 * that the login rate limit counts across both. Runs when DATABASE_URL and REDIS_URL are set.
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { S3Store, type S3Settings } from '../src/storage.js';
import { compliantJpeg, demoIds, makeApp, type TestApp } from './helpers.js';

const enabled = !!process.env.DATABASE_URL && !!process.env.REDIS_URL;

/** A round-robin TCP proxy: connection k goes to backend k mod n; `log` records which backend took each one. */
function roundRobinProxy(ports: number[]) {
  const log: number[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = log.length % ports.length;
    log.push(backend);
    const upstream = net.connect(ports[backend], '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    log,
    listen: () => new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as net.AddressInfo).port))),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** One HTTP request on a NEW connection (agent: false), so the proxy sends it to the next backend. */
function request(
  port: number,
  method: string,
  url: string,
  opts: { cookie?: string; csrf?: string; json?: unknown; body?: Buffer; type?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const body = opts.json !== undefined ? Buffer.from(JSON.stringify(opts.json)) : opts.body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: url,
        agent: false,
        headers: {
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
          ...(opts.csrf ? { 'x-csrf-token': opts.csrf } : {}),
          ...(body ? { 'content-type': opts.type ?? 'application/json', 'content-length': body.length } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Session cookie + CSRF token of a login answer. */
function session(res: { headers: http.IncomingHttpHeaders }): { cookie: string; csrf: string } {
  const set = res.headers['set-cookie'] ?? [];
  const pairs = set.map((c) => c.split(';')[0]);
  const csrf = pairs.find((p) => p.startsWith('gp_csrf='))?.slice('gp_csrf='.length) ?? '';
  return { cookie: pairs.join('; '), csrf };
}

/** A multipart body with one file field and a `source` field. */
function multipart(name: string, bytes: Buffer): { body: Buffer; type: string } {
  const b = `----gp${crypto.randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${b}\r\ncontent-disposition: form-data; name="source"\r\n\r\ncentre\r\n`),
    Buffer.from(`--${b}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\n`),
    Buffer.from('content-type: image/jpeg\r\n\r\n'),
    bytes,
    Buffer.from(`\r\n--${b}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${b}` };
}

const portOf = (app: FastifyInstance) => (app.server.address() as net.AddressInfo).port;

describe.skipIf(!enabled)('two web processes behind one address (PostgreSQL, Redis, S3)', () => {
  let s3: S3rver;
  let s3Dir: string;
  let settings: S3Settings;
  let a: TestApp;
  let b: FastifyInstance;
  let bDir: string;
  let proxy: ReturnType<typeof roundRobinProxy>;
  let port: number;

  beforeAll(async () => {
    s3Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-s3-'));
    s3 = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true });
    const { port: s3Port } = await s3.run();
    settings = {
      endpoint: `http://127.0.0.1:${s3Port}`,
      bucket: 'gradpass-photos',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    };
    await new S3Store(settings).ensureBucket(true);
    const shared = {
      redisUrl: process.env.REDIS_URL,
      queuePrefix: `gp-multi-${crypto.randomBytes(4).toString('hex')}`,
      s3: settings,
      loginRateLimit: 3,
    };
    // A runs the checks; B only enqueues (WORKERS=external): every photo event comes from A.
    a = await makeApp('postgres', { ...shared, workers: 'internal' });
    bDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-b-'));
    b = await buildApp({
      ...shared,
      dataDir: bDir,
      databaseUrl: a.app.ctx.config.databaseUrl,
      workers: 'external',
      photoChecks: { profile: 'chsi-graduation', face: false },
    });
    await a.app.listen({ port: 0, host: '127.0.0.1' });
    await b.listen({ port: 0, host: '127.0.0.1' });
    proxy = roundRobinProxy([portOf(a.app), portOf(b)]);
    port = await proxy.listen();
  }, 120_000);
  afterAll(async () => {
    await proxy?.close();
    await b?.close();
    await a?.close();
    await s3?.close();
    for (const d of [s3Dir, bDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  /** Logs in through the proxy; returns the session and which backend answered. */
  const login = async (username: string) => {
    const r = await request(port, 'POST', '/api/auth/login', { json: { username, password: 'test-password-1' } });
    expect(r.status).toBe(200);
    return session(r);
  };

  it('a photo uploaded through one process is served by the other, from the object store', async () => {
    const s = await login('lixia');
    const ids = await demoIds(a.app);
    const student = ids.student('张伟');
    const jpeg = await compliantJpeg(7);
    const form = multipart(`${student.xuehao}.jpg`, jpeg);
    const up = await request(port, 'POST', `/api/students/${student.id}/photo`, { ...s, ...form });
    expect(up.status, up.body.toString()).toBe(200);
    const uploadedBy = proxy.log[proxy.log.length - 1];
    const got = await request(port, 'GET', `/api/students/${student.id}/photo`, s);
    const servedBy = proxy.log[proxy.log.length - 1];
    expect(servedBy).not.toBe(uploadedBy);
    expect(got.status).toBe(200);
    expect(got.body.equals(jpeg)).toBe(true);
    // The file is in the bucket, under the key stored in the database; neither process's data folder has it.
    const row = await a.app.ctx.repos.photos.byId(JSON.parse(up.body.toString()).id);
    const listed = await new S3Client({
      endpoint: settings.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    }).send(new ListObjectsV2Command({ Bucket: settings.bucket, Prefix: 'photos/' }));
    expect(listed.Contents?.map((o) => o.Key)).toContain(row?.storage_path);
    for (const dir of [a.app.ctx.config.dataDir, bDir]) expect(fs.existsSync(path.join(dir, 'photos'))).toBe(false);
  });

  it('an SSE client on one process hears an event caused through the other', async () => {
    const s = await login('lixia');
    // Open the stream on B (the next connection of the round robin must go to B).
    if (proxy.log.length % 2 === 0) await request(port, 'GET', '/api/health');
    const heard: string[] = [];
    const sse = http.request({ host: '127.0.0.1', port, path: '/api/events', agent: false, headers: { cookie: s.cookie } });
    const connected = new Promise<http.IncomingMessage>((resolve) => sse.on('response', resolve));
    sse.end();
    const res = await connected;
    expect(proxy.log[proxy.log.length - 1]).toBe(1);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => heard.push(chunk));
    // Upload through A: A checks the photo (B only enqueues) and publishes the result.
    const ids = await demoIds(a.app);
    const student = ids.student('李娜');
    const form = multipart(`${student.xuehao}.jpg`, await compliantJpeg(3));
    const up = await request(port, 'POST', `/api/students/${student.id}/photo`, { ...s, ...form });
    expect(proxy.log[proxy.log.length - 1]).toBe(0);
    expect(up.status, up.body.toString()).toBe(200);
    const photoId = JSON.parse(up.body.toString()).id as number;
    const deadline = Date.now() + 30_000;
    while (!heard.join('').includes(`"id":${photoId}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    sse.destroy();
    expect(heard.join('')).toMatch(new RegExp(`event: photo\\ndata: \\{"id":${photoId},"studentId":${student.id}`));
  });

  it('the login rate limit counts the attempts made through both processes together', async () => {
    const statuses: number[] = [];
    const backends: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await request(port, 'POST', '/api/auth/login', { json: { username: 'jinan', password: 'wrong-password-x' } });
      statuses.push(r.status);
      backends.push(proxy.log[proxy.log.length - 1]);
      if (r.status === 429) expect(JSON.parse(r.body.toString()).code).toBe('RATE_LIMITED');
    }
    expect(new Set(backends).size).toBe(2); // both processes took attempts
    // 3 allowed per minute per address + user name: the 4th is refused although each process saw only 2.
    expect(statuses).toEqual([401, 401, 401, 429]);
  });
});
