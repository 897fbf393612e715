/**
 * Hostile input on every route (恶意输入): the test walks `/openapi.json` and sends every query and path
 * parameter and every JSON body field huge integers (1e400), NUL bytes and over-long strings, and every upload
 * route a 60000×60000 JPEG header, a PDF renamed .jpg and an over-cap file. Each answer is a 4xx with a Chinese
 * message — never a 500 — and the server's memory stays bounded.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BACKENDS, Client, demoIds, makeApp, type TestApp } from './helpers.js';

interface Operation {
  parameters?: Array<{ name: string; in: string; schema?: { type?: string | string[] } }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
}

/** A JPEG whose frame header declares 60000×60000 (a decompression bomb when decoded). */
function bombJpeg(): Buffer {
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0xea, 0x60, 0xea, 0x60, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
  ]);
  const dqt = Buffer.concat([Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]), Buffer.alloc(64, 1)]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), dqt, sof, Buffer.from([0xff, 0xd9])]);
}

const hostileStrings = ['1e400', '\u0000', 'x'.repeat(20_000), '99999999999999999999999', '-1', '../../etc/passwd'];

/** Hostile variants of a JSON body from its schema: each field in turn set to each hostile value. */
function hostileBodies(schema: Schema | undefined): unknown[] {
  const props = Object.keys(schema?.properties ?? {});
  const out: unknown[] = [{}];
  for (const p of props) {
    for (const v of ['\u0000', 'x'.repeat(20_000)]) out.push({ [p]: v });
    out.push({ [p]: 1e308 }, { [p]: -1e308 }, { [p]: [1e308] }, { [p]: { a: '\u0000' } });
  }
  return out;
}

describe.each(BACKENDS)('hostile input on every route (%s)', (backend) => {
  let t: TestApp;
  const answers: string[] = [];
  beforeAll(async () => {
    t = await makeApp(backend, { expensiveRateLimit: 100_000, logStream: { write: () => undefined } });
  });
  afterAll(async () => t?.close());

  test(
    'every query, path, body and upload route answers 4xx in Chinese, never 500; memory bounded',
    { timeout: 300_000 },
    async () => {
      const { app } = t;
      const ids = await demoIds(app);
      const spec = (await app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
      const files: Array<[string, Buffer]> = [
        ['2337001200002.jpg', bombJpeg()],
        ['2337001200002.jpg', Buffer.from('%PDF-1.4\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n')],
        ['../../evil.jpg', bombJpeg()],
        ['名册.csv', Buffer.from('学号,姓名\n\u0000\u0000,\u202e测试\n')],
        ['big.jpg', Buffer.alloc(21 * 1024 * 1024, 0xff)],
      ];
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      const bad: string[] = [];
      const look = (what: string, r: { statusCode: number; body: string }) => {
        peak = Math.max(peak, process.memoryUsage().rss);
        if (r.statusCode >= 500) bad.push(`${what}: ${r.statusCode} ${r.body.slice(0, 200)}`);
        else if (r.statusCode >= 400 && !/[\u4e00-\u9fa5]/.test(r.body))
          bad.push(`${what}: no Chinese: ${r.body.slice(0, 120)}`);
        answers.push(`${r.statusCode}`);
      };
      for (const user of ['lixia', 'admin']) {
        const c = await Client.login(app, user);
        for (const [route, methods] of Object.entries(spec.paths)) {
          if (route === '/api/events' || route.startsWith('/api/auth/logout') || route === '/api/auth/login') continue;
          for (const [method, op] of Object.entries(methods)) {
            const params = op.parameters ?? [];
            const pathParams = params.filter((p) => p.in === 'path').map((p) => p.name);
            const query = params.filter((p) => p.in === 'query').map((p) => p.name);
            const fill = (v: string) => route.replace(/\{(\w+)\}/g, () => encodeURIComponent(v));
            const base = fill(String(ids.centreA));
            // path parameters
            if (pathParams.length)
              for (const v of hostileStrings) {
                const url = fill(v);
                const r =
                  method === 'get' ? await c.get(url) : await c.post(url, {}, method === 'patch' ? 'PATCH' : 'POST');
                look(`${user} ${method} ${url.slice(0, 80)}`, r);
              }
            // query parameters
            for (const q of query)
              for (const v of hostileStrings) {
                const url = `${base}?${q}=${encodeURIComponent(v)}`;
                if (method === 'get') look(`${user} GET ${route}?${q}=${v.slice(0, 12)}`, await c.get(url));
              }
            // JSON bodies
            const json = op.requestBody?.content?.['application/json']?.schema;
            if (json && method !== 'get')
              for (const body of hostileBodies(json)) {
                const r = await c.post(base, body, method === 'patch' ? 'PATCH' : 'POST');
                look(`${user} ${method} ${route} ${JSON.stringify(body).slice(0, 40)}`, r);
              }
            // uploads
            if (op.requestBody?.content?.['multipart/form-data'] || /multipart/.test(JSON.stringify(op))) {
              for (const [name, bytes] of files) {
                const r = await c.upload(base, name, bytes, { orgId: String(ids.centreA), source: 'centre' });
                look(`${user} upload ${route} ${name}`, r);
              }
            }
          }
        }
      }
      const growth = (peak - rssBefore) / 1024 / 1024;
      console.log(`hostile walk: ${answers.length} requests, peak RSS growth ${growth.toFixed(0)} MB`);
      expect(bad, bad.join('\n')).toEqual([]);
      expect(growth).toBeLessThan(400);
    },
  );

  test('a photo upload declaring 60000×60000 pixels, or a PDF named .jpg, is refused before storing', async () => {
    const { app } = t;
    const ids = await demoIds(app);
    const lina = ids.student('李娜');
    const centre = await Client.login(app, 'lixia');
    const bomb = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, bombJpeg());
    expect(bomb.statusCode).toBe(422);
    expect(bomb.json().code).toBe('PHOTO_DIMENSIONS_TOO_LARGE');
    expect(bomb.json().message).toMatch(/60000×60000/);
    const pdf = await centre.upload(`/api/students/${lina.id}/photo`, `${lina.xuehao}.jpg`, Buffer.from('%PDF-1.4\n'));
    expect(pdf.json().code).toBe('NOT_A_PICTURE');
    const big = await centre.upload(`/api/students/${lina.id}/photo`, 'x.jpg', Buffer.alloc(21 * 1024 * 1024, 1));
    expect(big.statusCode).toBe(413);
    expect(big.json().message).toMatch(/20 MB/);
    expect((await app.ctx.repos.photos.forStudent(lina.id)).length).toBe(0);
  });
});
