import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';
import { AppError } from './errors.js';

/**
 * HTTP security settings (安全策略): the Content-Security-Policy the built web app and /docs work under, and which
 * routes count as expensive (uploads, imports, exports) for the per-user rate limit.
 */

/**
 * CSP directives. Scripts only from this origin (Vite's bundle, Swagger UI's files); styles also inline because
 * Ant Design writes its CSS-in-JS into <style> elements; images also data:/blob: (previews of photos chosen for
 * upload, icons); no plugins, no framing by other sites, forms and fetches only to this origin.
 */
export const contentSecurityPolicy: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'worker-src': ["'self'", 'blob:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** Uploads (multipart), imports, photo standardisation and file exports (.xlsx, .zip). */
export function isExpensiveRoute(method: string | string[], url: string, schema: unknown): boolean {
  const methods = Array.isArray(method) ? method : [method];
  const consumes = (schema as { consumes?: string[] } | undefined)?.consumes ?? [];
  if (methods.includes('POST') && consumes.includes('multipart/form-data')) return true;
  if (methods.includes('POST') && /\/(import|standardize)$/.test(url)) return true;
  return /\.(xlsx|zip)$/.test(url);
}

/** One rate limit (限流): at most `max` requests per minute per key. */
export interface Limit {
  max: number;
  key(req: FastifyRequest): string;
}

/**
 * A preHandler applying several limits to one route, each counted separately (@fastify/rate-limit's own
 * route hook runs only once per request); refused with 429 `RATE_LIMITED` and the Chinese `message`.
 */
export function limitsHook(
  app: FastifyInstance,
  limits: Limit[],
  message: (max: number, seconds: number) => string,
): (req: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const checks = limits.map((l) => ({
    check: app.createRateLimit({ max: l.max, timeWindow: '1 minute', keyGenerator: (req) => l.key(req) }),
  }));
  return async (req, reply) => {
    for (const { check } of checks) {
      const r = await check(req);
      if (!r.isAllowed && r.isExceeded) {
        reply.header('retry-after', String(r.ttlInSeconds));
        throw new AppError(429, 'RATE_LIMITED', message(r.max, r.ttlInSeconds));
      }
    }
  };
}

/**
 * Where the rate-limit counters live (限流计数存储): in this process by default; in Redis when REDIS_URL is set,
 * under the deployment's namespace, so several web processes behind one address count each key together (the
 * keys and messages of the limits above are the same either way).
 */
export function rateLimitStore(
  redisUrl: string | undefined,
  deployment: string,
): { options: { redis?: Redis; nameSpace?: string }; close(): Promise<void> } {
  if (!redisUrl) return { options: {}, close: async () => undefined };
  const redis = new Redis(redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined); // a request meanwhile fails with the error; reconnects by itself
  return {
    options: { redis, nameSpace: `${deployment}-rate-limit:` },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
