/**
 * Personal data as PIPL asks (个人信息保护): the 身份证号 masked in every list, export, audit payload and log line;
 * the audit log keeps what changed (字段级差异), never whole rows.
 */
import { maskIdCard, maskIdCardsInText } from '@gradpass/ids';

export { maskIdCard, maskIdCardsInText };

/** Keys that hold a 身份证号 in rows, DTOs and payloads. */
const ID_CARD_KEYS = new Set(['id_card', 'idCard', 'idcard']);

/** Deepest nesting walked; anything below is replaced by a marker (payloads here are a few levels deep). */
const MAX_DEPTH = 12;

/**
 * A deep copy with every 身份证号 masked: values under an id-card key always, and 身份证号-shaped tokens in any
 * other string (reasons, messages, nested JSON text).
 */
export function maskPersonalData(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskIdCardsInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((v) => maskPersonalData(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = ID_CARD_KEYS.has(k) && typeof v === 'string' ? maskIdCard(v) : maskPersonalData(v, depth + 1);
  }
  return out;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * What an audit entry records (审计差异): when both sides are objects, only the keys whose values differ
 * (`updated_at` and other bookkeeping included — they are not personal data); otherwise the sides as given.
 * Both sides masked.
 */
export function auditDiff(before: unknown, after: unknown): { before: unknown; after: unknown } {
  if (isRecord(before) && isRecord(after)) {
    const b: Record<string, unknown> = {};
    const a: Record<string, unknown> = {};
    for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (JSON.stringify(before[k]) === JSON.stringify(after[k])) continue;
      if (k in before) b[k] = before[k];
      if (k in after) a[k] = after[k];
    }
    return { before: maskPersonalData(b), after: maskPersonalData(a) };
  }
  return { before: maskPersonalData(before ?? null), after: maskPersonalData(after ?? null) };
}

/** A stored audit JSON text with its 身份证号 masked (for the migration of old rows); null stays null. */
export function maskAuditJson(text: string | null): string | null {
  if (text === null) return null;
  try {
    return JSON.stringify(maskPersonalData(JSON.parse(text)));
  } catch {
    return maskIdCardsInText(text);
  }
}

/**
 * Logger options that keep full numbers out of the log (日志脱敏): request URLs (query strings) masked, every
 * string argument and every logged object (errors with their messages, bodies) masked before it is written.
 */
export function maskingLoggerOptions(base: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...base,
    serializers: {
      req(req: { method?: string; url?: string; hostname?: string; ip?: string; id?: unknown }) {
        return {
          method: req.method,
          url: req.url === undefined ? undefined : maskIdCardsInText(req.url),
          hostname: req.hostname,
          remoteAddress: req.ip,
          reqId: req.id,
        };
      },
    },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        const first = args[0];
        const rest = args.slice(1).map((a) => (typeof a === 'string' ? maskIdCardsInText(a) : a));
        if (first instanceof Error)
          return method.apply(this, [
            { err: maskError(first) },
            ...(rest.length ? rest : [maskIdCardsInText(first.message)]),
          ]);
        method.apply(this, [maskLogArgument(first), ...rest]);
      },
    },
  };
}

/**
 * One logged object: strings and errors masked, plain objects masked deeply; `req`/`res` (Fastify's request and
 * reply, handled by the serializers) and other class instances left as they are.
 */
function maskLogArgument(a: unknown): unknown {
  if (typeof a === 'string') return maskIdCardsInText(a);
  if (!isRecord(a) || Object.getPrototypeOf(a) !== Object.prototype) return a;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a)) {
    if (k === 'req' || k === 'res') out[k] = v;
    else if (v instanceof Error) out[k] = maskError(v);
    else if (
      typeof v === 'string' ||
      (isRecord(v) && Object.getPrototypeOf(v) === Object.prototype) ||
      Array.isArray(v)
    )
      out[k] = maskPersonalData(v);
    else out[k] = v;
  }
  return out;
}

/** An error for the log: name, code, status, masked message and stack (a pg error's detail masked too). */
function maskError(e: Error): Record<string, unknown> {
  const x = e as Error & { code?: unknown; statusCode?: unknown; detail?: unknown };
  return {
    type: e.name,
    message: maskIdCardsInText(e.message),
    stack: e.stack ? maskIdCardsInText(e.stack) : undefined,
    code: x.code,
    statusCode: x.statusCode,
    detail: typeof x.detail === 'string' ? maskIdCardsInText(x.detail) : undefined,
  };
}
