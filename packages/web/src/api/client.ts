/**
 * The API client (接口客户端): fetch with the session cookie, the CSRF header on every state-changing
 * request, and refusals mapped to `ApiError` carrying the server's stable code and Chinese message.
 */

/** A refusal or failure from the server: `{ code, message }` (message in Chinese). 接口错误 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details?: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Header the server checks on POST/PUT/PATCH/DELETE. */
export const CSRF_HEADER = 'x-csrf-token';
const CSRF_COOKIE = 'gp_csrf';

let csrfToken: string | null = null;
/** Remember the CSRF token the server gave at login / session read. */
export function setCsrfToken(token: string | null | undefined): void {
  csrfToken = token ?? null;
}
export function currentCsrf(): string | null {
  if (csrfToken) return csrfToken;
  const m = document.cookie.split(/;\s*/).find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return m ? decodeURIComponent(m.slice(CSRF_COOKIE.length + 1)) : null;
}

/** Listeners told when the session is gone (401), so the app can go back to the login page. */
const unauthorisedListeners = new Set<() => void>();
export function onUnauthorised(fn: () => void): () => void {
  unauthorisedListeners.add(fn);
  return () => unauthorisedListeners.delete(fn);
}

type Query = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

/** Build `/api/...?a=1&b=2`, leaving out empty values. */
export function apiUrl(path: string, query?: Query): string {
  const url = path.startsWith('/api') ? path : `/api${path.startsWith('/') ? '' : '/'}${path}`;
  if (!query) return url;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) qs.set(k, v.join(','));
    } else qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${url}?${s}` : url;
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  const b = body as { code?: unknown; message?: unknown; error?: unknown; details?: unknown } | null;
  if (b && typeof b.code === 'string' && typeof b.message === 'string') {
    return new ApiError(res.status, b.code, b.message, b.details);
  }
  const fallback: Record<number, [string, string]> = {
    400: ['BAD_REQUEST', '请求有误'],
    401: ['UNAUTHENTICATED', '请先登录'],
    403: ['FORBIDDEN', '无权进行此操作'],
    404: ['NOT_FOUND', '未找到'],
    409: ['CONFLICT', '操作冲突，请刷新后重试'],
    413: ['TOO_LARGE', '文件太大'],
    429: ['RATE_LIMITED', '操作太频繁，请稍后再试'],
  };
  const [code, message] = fallback[res.status] ?? ['SERVER_ERROR', `服务器错误（HTTP ${res.status}）`];
  return new ApiError(res.status, code, b && typeof b.message === 'string' ? b.message : message);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: Query;
  /** JSON body (object) or a FormData for uploads. */
  body?: unknown;
  signal?: AbortSignal;
}

/** Call the API and parse JSON. Throws `ApiError` on any non-2xx answer or network failure. */
export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (method !== 'GET') {
    const t = currentCsrf();
    if (t) headers[CSRF_HEADER] = t;
  }
  let res: Response;
  try {
    res = await fetch(apiUrl(path, opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'NETWORK_ERROR', '无法连接服务器，请检查网络');
  }
  if (!res.ok) {
    const err = await toError(res);
    if (res.status === 401 && !path.includes('/auth/login')) unauthorisedListeners.forEach((fn) => fn());
    throw err;
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('application/json')) return (await res.json()) as T;
  return (await res.text()) as unknown as T;
}

/** Upload with progress (fetch has no upload progress): XMLHttpRequest with the same cookie and CSRF. */
export function uploadWithProgress<T>(path: string, form: FormData, onProgress: (percent: number) => void, query?: Query): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', apiUrl(path, query));
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    const t = currentCsrf();
    if (t) xhr.setRequestHeader(CSRF_HEADER, t);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', '上传失败：无法连接服务器'));
    xhr.onload = () => {
      const res = new Response(xhr.responseText, { status: xhr.status, headers: { 'content-type': xhr.getResponseHeader('content-type') ?? '' } });
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        try {
          resolve((xhr.responseText ? JSON.parse(xhr.responseText) : undefined) as T);
        } catch {
          resolve(xhr.responseText as unknown as T);
        }
      } else {
        if (xhr.status === 401) unauthorisedListeners.forEach((fn) => fn());
        void toError(res).then(reject);
      }
    };
    xhr.send(form);
  });
}

/** Download a server-made file (XLSX export, zip) through the browser, keeping the session cookie. */
export async function download(path: string, query?: Query, fallbackName = 'export.xlsx'): Promise<void> {
  const res = await fetch(apiUrl(path, query), { credentials: 'same-origin' });
  if (!res.ok) throw await toError(res);
  const blob = await res.blob();
  const cd = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  const name = star ? decodeURIComponent(star[1]!) : plain ? plain[1]! : fallbackName;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
