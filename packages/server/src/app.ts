import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import { resolveConfig, type AppConfig } from './config.js';
import { isDatabaseUnavailable, openDatabase, type Db } from './db/connect.js';
import { makeRepos, type Repos } from './repositories/index.js';
import { openFileStore, type FileStore } from './storage.js';
import { EventBus } from './events.js';
import { MemoryQueue, RedisQueue, deploymentKey, queueNameFor, type JobQueue } from './jobs/queue.js';
import { exportQueue } from './jobs/exports.js';
import { FaceJobQueue } from './jobs/face.js';
import { faceQueueNameFor } from './jobs/queue.js';
import { AppError } from './errors.js';
import { AuthService, actorFromUser } from './services/auth.js';
import { SetupService } from './services/setup.js';
import { databaseInputError, inputProblem } from './input-guard.js';
import { isExpensiveRoute, contentSecurityPolicy, limitsHook, rateLimitStore } from './security.js';
import { OrgService } from './services/orgs.js';
import { StudentService } from './services/students.js';
import { PhotoService } from './services/photos.js';
import { BatchService } from './services/batches.js';
import { ApplicationService } from './services/applications.js';
import { CertificateService } from './services/certificates.js';
import { AuditService } from './services/audit-read.js';
import { CollectionService } from './services/collection.js';
import { NotificationService } from './services/notifications.js';
import { ImportJobService } from './services/import-jobs.js';
import { ImportJobRepository } from './repositories/import-jobs.js';
import { StudentAccountService } from './services/student-accounts.js';
import { BulkWorkService } from './services/bulk-work.js';
import { ExportSources } from './services/export-sources.js';
import { ExportJobService } from './services/export-jobs.js';
import { ExportJobRepository } from './repositories/export-jobs.js';
import { OrgTree, type Actor } from './services/context.js';
import { maskingLoggerOptions } from './services/personal-data.js';
import { registerRoutes } from './routes/index.js';

/** Every service of the app (服务层). */
export interface Services {
  auth: AuthService;
  orgs: OrgService;
  students: StudentService;
  photos: PhotoService;
  batches: BatchService;
  applications: ApplicationService;
  certificates: CertificateService;
  audit: AuditService;
  collection: CollectionService;
  notifications: NotificationService;
  setup: SetupService;
  importJobs: ImportJobService;
  studentAccounts: StudentAccountService;
  bulkWork: BulkWorkService;
  exportSources: ExportSources;
  exportJobs: ExportJobService;
}

export interface AppContext {
  config: AppConfig;
  db: Db;
  repos: Repos;
  services: Services;
  events: EventBus;
  queue: JobQueue;
  files: FileStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
  }
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
    sessionHash: string | null;
    /** The session's user still has an initial password (every route but /api/auth/* answers 403). */
    mustChangePassword: boolean;
  }
}

export const SESSION_COOKIE = 'gp_session';
export const CSRF_COOKIE = 'gp_csrf';

/** Builds the whole app (database opened and migrated, queue started) — used by main.ts and the tests. */
export async function buildApp(partial: Partial<AppConfig> = {}): Promise<FastifyInstance> {
  const config = resolveConfig(partial);
  // Connection errors are logged by the app's logger once it exists (the pool survives them).
  let logConnectionError = (e: Error) => console.error(`数据库连接错误：${e.message}`);
  const db = await openDatabase({
    databaseUrl: config.databaseUrl,
    sqliteFile: config.sqliteFile ?? path.join(config.dataDir, 'gradpass.sqlite'),
    onConnectionError: (e) => logConnectionError(e),
  });
  const repos = makeRepos(db.db, db.kind);
  // Shared state of several web processes: files in the object store (S3_*), events through Redis pub/sub.
  const files = await openFileStore({ dataDir: config.dataDir, s3: config.s3 });
  const deployment = deploymentKey({
    prefix: config.queuePrefix,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
  });
  let logEventError = (e: unknown) => console.error(`实时事件（Redis）错误：${(e as Error).message}`);
  const events = new EventBus((e) => logEventError(e));
  if (config.redisUrl) await events.connect(config.redisUrl, `${deployment}-events`);
  const now = config.now;
  const students = new StudentService(repos, files, now);
  const photos = new PhotoService(repos, files, students, events, config.photoChecks, now);
  const certificates = new CertificateService(repos, events, now);
  const auth = new AuthService(repos, now);
  const orgs = new OrgService(repos, now);
  const exportSources = new ExportSources(
    repos,
    { students, applications: () => services.applications, certificates, audit: new AuditService(repos) },
    now,
  );
  const services: Services = {
    auth,
    orgs,
    students,
    photos,
    batches: new BatchService(repos, now),
    applications: new ApplicationService(
      repos,
      students,
      events,
      certificates,
      photos,
      { schoolCode: config.schoolCode },
      now,
    ),
    certificates,
    audit: new AuditService(repos),
    collection: new CollectionService(repos, files, students, now),
    setup: new SetupService(repos, auth, orgs),
    notifications: new NotificationService(repos, events, config.notifications, now),
    importJobs: new ImportJobService(repos, new ImportJobRepository(db.db), students, photos, now),
    studentAccounts: new StudentAccountService(repos, now),
    // The applications service is read when a bulk call runs (it is built in this same object).
    bulkWork: new BulkWorkService(repos, () => services.applications, certificates),
    exportSources,
    exportJobs: new ExportJobService(repos, new ExportJobRepository(db.db), files, exportSources, photos, events, now),
  };
  services.collection.onCompleted = (actor, studentId, photoPath) =>
    photos.adoptCollectionPhoto(actor, studentId, photoPath);
  const app = Fastify({
    // Errors are always logged (level error); LOG=1 adds the request log. Each line carries the request id.
    // Every line through the 身份证号 mask (URLs, messages, errors): logs never hold full numbers.
    logger: maskingLoggerOptions({
      level: config.logger ? 'info' : 'error',
      ...(config.logStream ? { stream: config.logStream } : {}),
    }),
    genReqId: () => crypto.randomBytes(6).toString('hex'),
    // Errors the router raises before any route runs (an over-long or malformed path parameter), in Chinese too.
    frameworkErrors: (err, _req, reply) => {
      const r = reply as unknown as { status(n: number): { send(body: object): unknown } };
      void r.status(400).send({ code: err.code ?? 'BAD_REQUEST', message: clientErrorText(err) });
    },
    bodyLimit: 5 * 1024 * 1024,
    // Forwarded headers (X-Forwarded-For/-Proto) are believed only from the configured proxies (TRUST_PROXY).
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  });
  logConnectionError = (e) => app.log.error({ err: e }, 'database connection error');
  logEventError = (e) => app.log.error({ err: e }, 'event bus (Redis pub/sub) error');
  const handler = (id: number) => photos.check(id);
  if (config.workers === 'external' && !config.redisUrl)
    throw new Error('WORKERS=external 需要 REDIS_URL：照片检测任务经 Redis 交给 gradpass worker 进程');
  const queue: JobQueue = config.redisUrl
    ? new RedisQueue({
        redisUrl: config.redisUrl,
        name: queueNameFor({ prefix: config.queuePrefix, databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
        // WORKERS=external: this process only enqueues; the checks run on `gradpass worker`.
        handler: config.workers === 'external' ? undefined : handler,
        concurrency: config.jobConcurrency,
        onError: (e) => app.log.error({ err: e }, 'photo check job'),
      })
    : new MemoryQueue(handler, config.jobConcurrency, (e) => app.log.error(e));
  photos.queue = queue;
  // WORKERS=external: 同版 comparisons and 一键修正 go to the worker too — this process never runs a face analysis.
  const faceJobs =
    config.workers === 'external' && config.redisUrl
      ? new FaceJobQueue({
          redisUrl: config.redisUrl,
          name: faceQueueNameFor({
            prefix: config.queuePrefix,
            databaseUrl: config.databaseUrl,
            dataDir: config.dataDir,
          }),
          onError: (e) => app.log.error({ err: e }, 'face job queue'),
        })
      : null;
  photos.faceJobs = faceJobs;
  photos.faceWaitMs = config.faceWaitMs;
  // Background exports: on `gradpass worker` when WORKERS=external, else in this process (BullMQ or in memory).
  const exports = exportQueue(config, services.exportJobs, (e) => app.log.error({ err: e }, 'background export'));
  services.exportJobs.queue = exports.queue;
  services.exportJobs.onError = (e) => app.log.error({ err: e }, 'background export failed');
  photos.onExportError = (e) => app.log.error({ err: e }, 'photo zip export failed');
  services.importJobs.onBackgroundError = (e) => app.log.error({ err: e }, 'background import failed');
  await services.importJobs.sweepAbandoned();
  // Notifications: event-bus listener and the scheduled reminders; stopped before the database closes.
  services.notifications.start((err, what) => app.log.error({ err }, what));
  app.addHook('preClose', () => services.notifications.stop());
  app.decorate('ctx', { config, db, repos, services, events, queue, files });
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.decorateRequest('sessionHash', null);
  app.decorateRequest('mustChangePassword', false);
  app.addHook('onClose', async () => {
    await exports.close();
    await faceJobs?.close();
    await queue.close();
    await events.close();
    await files.close();
    await db.close();
  });

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: contentSecurityPolicy },
    crossOriginEmbedderPolicy: false,
    // HSTS only where the site is served over https (SECURE_COOKIES=1 says so).
    strictTransportSecurity: config.secureCookies ? { maxAge: 180 * 86400 } : false,
  });
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Graceful stop: once close() is called, answers still in flight end their connection, so keep-alive sockets do
  // not hold the stop back (new requests already get 503 from Fastify while it closes).
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: 200 * 1024 * 1024, files: 1 } });
  // Counted in Redis when REDIS_URL is set: several web processes share one count per key.
  const limitStore = rateLimitStore(config.redisUrl, deployment);
  app.addHook('onClose', () => limitStore.close());
  await app.register(rateLimit, {
    ...limitStore.options,
    global: false,
    hook: 'preHandler',
    errorResponseBuilder: () => new AppError(429, 'RATE_LIMITED', '请求过于频繁，请稍后再试'),
  });
  // Uploads, imports and exports: a per-user limit (the key is the user id; the auth hook below runs first).
  const expensiveLimit = limitsHook(
    app,
    [
      {
        max: config.expensiveRateLimit,
        key: (req) => `expensive|${req.actor ? `user:${req.actor.id}` : `ip:${req.ip}`}`,
      },
    ],
    (max, seconds) => `上传、导入和导出过于频繁（每人每分钟最多 ${max} 次），请 ${seconds} 秒后再试`,
  );
  app.addHook('onRoute', (route) => {
    if (!isExpensiveRoute(route.method, route.url, route.schema)) return;
    const own = route.preHandler;
    route.preHandler = [...(own ? (Array.isArray(own) ? own : [own]) : []), expensiveLimit];
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'gradpass 毕业审核与证照平台 API',
        version: '0.1.0',
        description: '错误统一为 { code, message }；会话 Cookie + x-csrf-token 请求头',
      },
      components: {
        securitySchemes: {
          cookieAuth: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err }, `${err.code}: ${err.message}`);
      return reply
        .status(err.status)
        .send({ code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    const e = err as { validation?: unknown; statusCode?: number; code?: string; message: string };
    if (e.validation) return reply.status(400).send({ code: 'VALIDATION', message: `请求参数有误：${e.message}` });
    if (e.statusCode === 429)
      return reply.status(429).send({ code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试' });
    if (e.code === 'FST_REQ_FILE_TOO_LARGE')
      return reply.status(413).send({ code: 'FILE_TOO_LARGE', message: '文件过大' });
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.status(413).send({ code: 'BODY_TOO_LARGE', message: '请求内容过大（最多 5 MB）' });
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError)
      return reply.status(400).send({ code: 'JSON_INVALID', message: '请求内容不是有效的 JSON' });
    if (isDatabaseUnavailable(err)) {
      req.log.error({ err }, 'database unavailable');
      return reply.status(503).send({ code: 'DB_UNAVAILABLE', message: '数据库暂时无法连接，请稍后再试' });
    }
    const dataError = databaseInputError(err);
    if (dataError) return reply.status(400).send(dataError);
    if (e.statusCode && e.statusCode < 500)
      return reply.status(e.statusCode).send({ code: e.code ?? 'BAD_REQUEST', message: clientErrorText(e) });
    req.log.error({ err }, 'internal error');
    return reply
      .status(500)
      .send({ code: 'INTERNAL_ERROR', message: `服务器内部错误，请联系管理员并提供编号 ${req.id}` });
  });

  // Hostile input (NUL, over-long strings, 1e400…) answers 400 before validation and again after coercion.
  const guard = async (req: FastifyRequest) => {
    const problem =
      inputProblem('', req.params) ??
      inputProblem('', req.query) ??
      (req.isMultipart() ? null : inputProblem('', req.body));
    if (problem) throw problem;
  };
  app.addHook('preValidation', guard);

  // Session + CSRF on every /api route (except the public ones).
  const PUBLIC = new Set(['/api/health', '/api/auth/login', '/api/setup']);
  app.addHook('preHandler', async (req: FastifyRequest) => {
    const url = req.routeOptions.url;
    if (!url || !url.startsWith('/api/') || PUBLIC.has(url)) return;
    const token = req.cookies[SESSION_COOKIE];
    const s = token ? await services.auth.session(token) : null;
    if (!s) throw new AppError(401, 'UNAUTHENTICATED', '请先登录');
    if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.headers['x-csrf-token'] !== s.csrfToken) {
      throw new AppError(403, 'CSRF_INVALID', '安全校验失败（缺少或错误的 x-csrf-token），请刷新页面后重试');
    }
    req.actor = actorFromUser(s.user, await OrgTree.load(repos));
    req.csrfToken = s.csrfToken;
    req.sessionHash = s.tokenHash;
    req.mustChangePassword = s.user.must_change_password === 1;
    if (req.mustChangePassword && !url.startsWith('/api/auth/'))
      throw new AppError(403, 'PASSWORD_CHANGE_REQUIRED', '您的账号仍在使用初始密码，请先修改密码后再继续使用');
  });
  app.addHook('preHandler', guard);

  await registerRoutes(app);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const webDist = config.webDist && fs.existsSync(path.join(config.webDist, 'index.html')) ? config.webDist : null;
  if (webDist) await app.register(fastifyStatic, { root: webDist, wildcard: false });
  app.setNotFoundHandler((req, reply) => {
    if (webDist && req.method === 'GET' && !req.url.startsWith('/api/') && !req.url.startsWith('/docs'))
      return reply.sendFile('index.html');
    return reply.status(404).send({ code: 'NOT_FOUND', message: `接口不存在：${req.method} ${req.url.split('?')[0]}` });
  });

  await app.ready();
  await photos.requeueUnfinished();
  await exports.start();
  return app;
}

/** Fastify's own 4xx refusals (English) in the user's words; the English code stays beside. */
const FASTIFY_4XX: Record<string, string> = {
  FST_ERR_MAX_PARAM_LENGTH: '请求地址中的参数过长',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: '不支持此请求内容类型',
  FST_ERR_CTP_EMPTY_JSON_BODY: '请求内容为空，应为 JSON',
  FST_INVALID_MULTIPART_CONTENT_TYPE: '请以 multipart/form-data 上传文件',
  FST_FILES_LIMIT: '一次只能上传一个文件',
  FST_PARTS_LIMIT: '上传的字段过多',
  FST_FIELDS_LIMIT: '上传的字段过多',
};

function clientErrorText(e: { code?: string; message: string }): string {
  if (/[\u4e00-\u9fa5]/.test(e.message)) return e.message;
  return (e.code && FASTIFY_4XX[e.code]) ?? `请求有误，无法处理（${e.code ?? e.message.slice(0, 60)}）`;
}
