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
