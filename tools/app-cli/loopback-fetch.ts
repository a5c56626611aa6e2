// The network: fetch, with the `<slug>.localhost` development hosts reached on the loopback address.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * `<slug>.localhost` names (the development hosts, SPEC 1) are loopback by definition (RFC 6761),
 * but the system resolver often does not know them, and fetch cannot set a Host header. So those
 * requests go to 127.0.0.1 through node:http with the Host header of the URL; all others use fetch.
 */
export const loopbackAwareFetch: typeof fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host.endsWith('.localhost')) return fetch(input, init);
  return loopbackRequest(url, init ?? {});
};

function loopbackRequest(url: URL, init: RequestInit): Promise<Response> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => (headers[key] = value));
  headers.host = url.host;
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      { host: '127.0.0.1', port: url.port || (url.protocol === 'https:' ? 443 : 80), path: `${url.pathname}${url.search}`, method: init.method ?? 'GET', headers, servername: url.hostname },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
        response.on('end', () => {
          const status = response.statusCode ?? 502;
          const responseHeaders = new Headers();
          for (const [key, value] of Object.entries(response.headers)) {
            for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(key, item);
          }
          const text = status === 204 || status === 304 ? null : Buffer.concat(chunks).toString('utf8');
          resolve(new Response(text, { status, headers: responseHeaders }));
        });
      },
    );
    request.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    request.end(body);
  });
}
