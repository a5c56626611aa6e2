import type { FastifyInstance } from 'fastify';

/**
 * A `fetch` that answers through app.inject, so the typed app client runs against the app in
 * memory. The URL's host becomes the Host header (that is how the org is chosen).
 */
export function injectFetch(app: FastifyInstance, options: { remoteAddress?: string } = {}): typeof fetch {
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    headers.host = url.host;
    const response = await app.inject({
      method: (init.method ?? 'GET') as 'GET' | 'POST',
      url: `${url.pathname}${url.search}`,
      headers,
      payload: typeof init.body === 'string' ? init.body : undefined,
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
    });
    const status = response.statusCode;
    return new Response(status === 204 ? null : response.body, { status, headers: { 'content-type': String(response.headers['content-type'] ?? 'application/json') } });
  }) as typeof fetch;
}
