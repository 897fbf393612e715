/**
 * Support for the browser end-to-end tests: Debian's Chromium through playwright-core, the built web app,
 * the real server (in process, temp data dir), and photos drawn with sharp.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import yazl from 'yazl';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { idCardCheckChar } from '@gradpass/ids';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
export const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO = path.resolve(WEB_DIR, '../..');
export const WEB_DIST = path.join(WEB_DIR, 'dist');
export const SCREENSHOTS = path.join(REPO, 'docs/screenshots');

if (!HAVE_CHROMIUM) {
  console.warn(`[web e2e] 跳过：未找到 ${CHROMIUM}（skipped: install Debian's chromium, e.g. apt-get install chromium）`);
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

function webIsFresh(): boolean {
  const index = path.join(WEB_DIST, 'index.html');
  const src = Math.max(newestMtime(path.join(WEB_DIR, 'src')), fs.statSync(path.join(WEB_DIR, 'index.html')).mtimeMs, fs.statSync(path.join(WEB_DIR, 'vite.config.ts')).mtimeMs);
  return fs.existsSync(index) && fs.statSync(index).mtimeMs >= src;
}

/**
 * Build packages/web/dist with Vite when it is missing or older than the sources. Test files run in
 * parallel forks: a lock directory makes one of them build while the others wait.
 */
export async function ensureWebBuilt(): Promise<void> {
  if (webIsFresh()) return;
  const lock = path.join(os.tmpdir(), 'gradpass-web-build.lock');
  for (let i = 0; ; i++) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (i > 600) fs.rmSync(lock, { recursive: true, force: true }); // a stale lock (crashed build) after 2 minutes
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    if (webIsFresh()) return;
    const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: WEB_DIR, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

export interface TestServer {
  url: string;
  // The Fastify app with its context (services, repos) — typed loosely: the server package owns it.
  app: ServerApp;
  dataDir: string;
  close(): Promise<void>;
}

/** What the tests use of the server's app object. */
export interface ServerApp {
  ctx: {
    services: {
      orgs: { create(actor: null, input: { name: string; kind: string; parentId: number | null }): Promise<{ id: number }> };
      auth: { createUser(actor: null, input: { username: string; password: string; displayName: string; role: string; orgId: number; studentId?: number | null }): Promise<{ id: number }> };
      batches: { create(actor: null, input: BatchSeed, orgId: number): Promise<{ id: number }> };
    };
    repos: {
      students: { byXuehao(x: string): Promise<{ id: number } | undefined> };
      applications: { listAll(f: { orgPath: string }): Promise<{ id: number }[]> };
    };
    /** The photo-check queue: idle() resolves when every check has run. */
    queue: { idle(): Promise<void> };
  };
  listen(o: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
}

export interface BatchSeed {
  name: string;
  firstWindow: { start: string; end: string };
  secondWindow: { start: string; end: string };
  deadline: string;
  collectionDeadline?: string | null;
}

/** Start the real server (built packages/server/dist) on a free port, serving the built web app. */
export async function startServer(opts: { face: boolean }): Promise<TestServer> {
  const appJs = path.join(REPO, 'packages/server/dist/app.js');
  if (!fs.existsSync(appJs)) throw new Error('packages/server/dist/app.js is missing: run `npx tsc -b` first');
  const mod = (await import(appJs)) as { buildApp(c: Record<string, unknown>): Promise<ServerApp> };
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gradpass-web-e2e-'));
  const app = await mod.buildApp({ dataDir, webDist: WEB_DIST, photoChecks: { profile: 'chsi-graduation', face: opts.face }, loginRateLimit: 1000, logger: false });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    dataDir,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A valid 18-digit 身份证号. */
export function idCard(birth: string, seq: number, area = '370102'): string {
  const first17 = `${area}${birth}${String(seq).padStart(3, '0')}`;
  return first17 + idCardCheckChar(first17);
}

/** ISO date `days` from today. */
export function day(days: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * A photo drawn with sharp: light-blue background, a head and white shirt, mild texture, baseline JPEG,
 * 300 dpi, quality chosen so the file lands inside 20–40 KB. `size` changes the pixel size (a failing photo).
 */
export async function drawPhoto(seed: number, size: { width: number; height: number } = { width: 480, height: 640 }): Promise<Buffer> {
  const { width: w, height: h } = size;
  const skin = ['#e8c4a8', '#d9b08c', '#f0cfb4'][seed % 3];
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">
    <rect width="100%" height="100%" fill="rgb(100,197,255)"/>
    <ellipse cx="${w / 2}" cy="${h * 0.92}" rx="${w * 0.46}" ry="${h * 0.3}" fill="#f4f4f4"/>
    <rect x="${w / 2 - w * 0.07}" y="${h * 0.5}" width="${w * 0.14}" height="${h * 0.16}" fill="${skin}"/>
    <ellipse cx="${w / 2}" cy="${h * 0.4}" rx="${w * 0.24}" ry="${h * 0.23}" fill="${skin}"/>
    <ellipse cx="${w / 2}" cy="${h * 0.22}" rx="${w * 0.25}" ry="${h * 0.1}" fill="#2b2016"/>
    <ellipse cx="${w / 2 - w * 0.09}" cy="${h * 0.39}" rx="${w * 0.03}" ry="${h * 0.012}" fill="#1a1a1a"/>
    <ellipse cx="${w / 2 + w * 0.09}" cy="${h * 0.39}" rx="${w * 0.03}" ry="${h * 0.012}" fill="#1a1a1a"/>
    <path d="M ${w / 2 - w * 0.06} ${h * 0.52} Q ${w / 2} ${h * 0.54} ${w / 2 + w * 0.06} ${h * 0.52}" stroke="#a0524a" stroke-width="4" fill="none"/>
  </svg>`;
  // deterministic texture so the JPEG has realistic entropy
  const noise = Buffer.alloc(w * h * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < noise.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    noise[i] = 118 + ((x >>> 16) % 20);
  }
  const base = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  const mixed = Buffer.alloc(base.length);
  for (let i = 0; i < base.length; i++) mixed[i] = Math.max(0, Math.min(255, base[i]! + noise[i]! - 128));
  const encode = (q: number) => sharp(mixed, { raw: { width: w, height: h, channels: 3 } }).blur(0.6).jpeg({ quality: q, progressive: false, mozjpeg: false, chromaSubsampling: '4:2:0' }).toBuffer();
  let lo = 60;
  let hi = 98;
  let best = withJfif300(await encode(80));
  for (let i = 0; i < 7; i++) {
    const q = Math.round((lo + hi) / 2);
    const b = withJfif300(await encode(q));
    best = b;
    if (b.length > 38 * 1024) hi = q - 1;
    else if (b.length < 24 * 1024) lo = q + 1;
    else break;
  }
  return best;
}

/** Put a JFIF APP0 header saying 300 dpi right after SOI (replacing an existing APP0). */
export function withJfif300(jpeg: Buffer): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x01, 0x01, 0x2c, 0x01, 0x2c, 0x00, 0x00]);
  let rest = jpeg.subarray(2);
  if (rest[0] === 0xff && rest[1] === 0xe0) rest = rest.subarray(2 + rest.readUInt16BE(2));
  return Buffer.concat([jpeg.subarray(0, 2), app0, rest]);
}

/** A zip of files (name → bytes). */
export function zip(files: Record<string, Buffer>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, bytes] of Object.entries(files)) z.addBuffer(bytes, name);
    z.end();
    const chunks: Buffer[] = [];
    z.outputStream.on('data', (c: Buffer) => chunks.push(c));
    z.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    z.outputStream.on('error', reject);
  });
}

/** A new browser context (own cookies) logged in as `username`. */
export async function loginAs(browser: Browser, baseURL: string, username: string, password: string, viewport = { width: 1280, height: 900 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ baseURL, viewport, locale: 'zh-CN' });
  // CI runs the browser tests beside the rest of the suite on 2 cores: give each wait a minute, not 30 s.
  ctx.setDefaultTimeout(60_000);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[browser ${username}] ${e.message}`));
  await page.goto('/login');
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return { ctx, page };
}

/** Where a screenshot goes: docs/screenshots for the ones the README shows, else screenshots-tmp/ (ignored). */
export function screenshotPath(name: string, forReadme = true): string {
  const dir = forReadme ? SCREENSHOTS : path.join(REPO, 'screenshots-tmp');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}

/** A logged-in API session outside the browser: returns a POST function (JSON or FormData) with cookie and CSRF. */
export async function apiSession(base: string, username: string, password: string) {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return async <T,>(path: string, body: unknown): Promise<T> => {
    const isForm = body instanceof FormData;
    const r = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, ...(isForm ? {} : { 'content-type': 'application/json' }) },
      body: isForm ? body : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${path}: ${r.status} ${text}`);
    return JSON.parse(text) as T;
  };
}

/** The four levels of one school (国开 → 山东开放大学 → 济南市开放大学 → 历下学习中心). */
export type AuditLevel = 'national' | 'province' | 'city' | 'centre';

/**
 * Seeds the four organisations, the given users ([user name, display name, role, level]) with one password, and
 * the batch 2026年1月毕业 whose first window is open today. Returns the organisations' ids.
 */
export async function seedAuditChain(server: TestServer, password: string, users: Array<[string, string, string, AuditLevel]>): Promise<Record<AuditLevel, number>> {
  const s = server.app.ctx.services;
  const nat = await s.orgs.create(null, { name: '国家开放大学', kind: 'national', parentId: null });
  const prov = await s.orgs.create(null, { name: '山东开放大学', kind: 'province', parentId: nat.id });
  const city = await s.orgs.create(null, { name: '济南市开放大学', kind: 'city', parentId: prov.id });
  const centre = await s.orgs.create(null, { name: '历下学习中心', kind: 'centre', parentId: city.id });
  const ids: Record<AuditLevel, number> = { national: nat.id, province: prov.id, city: city.id, centre: centre.id };
  for (const [username, displayName, role, level] of users) await s.auth.createUser(null, { username, password, displayName, role, orgId: ids[level] });
  await s.batches.create(null, { name: '2026年1月毕业', firstWindow: { start: day(-5), end: day(10) }, secondWindow: { start: day(20), end: day(40) }, deadline: day(45) }, prov.id);
  return ids;
}

/**
 * Ticks a checkbox in a dialog that may still be opening: antd re-renders the form as the modal settles, and a
 * click in that moment can be lost — so click until it is ticked (a few tries), then insist it is.
 */
export async function tick(box: Locator): Promise<void> {
  for (let i = 0; i < 10 && !(await box.isChecked()); i++) {
    await box.click().catch(() => undefined);
    if (!(await box.isChecked())) await new Promise((r) => setTimeout(r, 200));
  }
  if (!(await box.isChecked())) throw new Error('the checkbox could not be ticked');
}
