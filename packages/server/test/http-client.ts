/** A client of the test server over a real socket (for races and faults: not app.inject). */
import type { FastifyInstance } from 'fastify';

/** A minimal HTTP client with a cookie jar and the CSRF header, over a real socket. */
export class HttpClient {
  private jar = new Map<string, string>();
  constructor(private readonly base: string) {}
  static async login(base: string, username: string): Promise<HttpClient> {
    const c = new HttpClient(base);
    const r = await c.send('POST', '/api/auth/login', { username, password: 'test-password-1' });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
    return c;
  }
  /** The base address of a listening app. */
  static baseOf(app: FastifyInstance): string {
    const addr = app.server.address();
    return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }
  async send(method: string, url: string, body?: unknown, form?: FormData | Blob, type?: string) {
    const headers: Record<string, string> = {
      cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '),
      'x-csrf-token': this.jar.get('gp_csrf') ?? '',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (type) headers['content-type'] = type;
    const res = await fetch(this.base + url, {
      method,
      headers,
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      this.jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
    const text = await res.text();
    let json: { code?: string; state?: string; registrationNumber?: string | null; message?: string };
    try {
      json = JSON.parse(text);
    } catch {
      json = { message: text };
    }
    return { status: res.status, body: json };
  }
  act(id: number, action: string, extra: object = {}) {
    return this.send('POST', `/api/applications/${id}/actions`, { action, ...extra });
  }
  upload(studentId: number, name: string, bytes: Buffer) {
    const form = new FormData();
    form.set('source', 'centre');
    form.set('file', new Blob([bytes], { type: 'image/jpeg' }), name);
    return this.send('POST', `/api/students/${studentId}/photo`, undefined, form);
  }
}
