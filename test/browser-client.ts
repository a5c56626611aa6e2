import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/**
 * A minimal browser over app.inject: keeps cookies per host, sends the CSRF token of the last
 * page it saw and the Origin a real browser would send.
 */
export class TestBrowser {
  cookies = new Map<string, string>();
  lastCsrf: string | null = null;
  lastResponse: LightMyRequestResponse | null = null;

  constructor(
    readonly app: FastifyInstance,
    readonly host: string,
    readonly headers: Record<string, string> = {},
  ) {}

  private cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    const setCookie = response.headers['set-cookie'];
    const list = setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie];
    for (const cookie of list) {
      const [pair = '', ...attributes] = cookie.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => a.trim().toLowerCase() === 'max-age=0')) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const csrf = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (csrf) this.lastCsrf = csrf[1]!;
    this.lastResponse = response;
    return response;
  }

  /** `remoteAddress` as for `post`. */
  async get(path: string, headers: Record<string, string> = {}, remoteAddress?: string): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    return this.remember(
      await this.app.inject({
        method: 'GET',
        url: path,
        headers: { host: this.host, ...this.headers, ...(cookie ? { cookie } : {}), ...headers },
        ...(remoteAddress ? { remoteAddress } : {}),
      }),
    );
  }

  /**
   * Posts a form like a browser on this origin would; `_csrf` comes from the last page unless given.
   * `remoteAddress` makes the request come from another client address (the socket's, not a header).
   */
  async post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}, remoteAddress?: string): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const form = { ...(this.lastCsrf && !('_csrf' in fields) ? { _csrf: this.lastCsrf } : {}), ...fields };
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url: path,
        headers: {
          host: this.host,
          origin: `http://${this.host}`,
          'content-type': 'application/x-www-form-urlencoded',
          ...this.headers,
          ...(cookie ? { cookie } : {}),
          ...headers,
        },
        payload: new URLSearchParams(form).toString(),
        ...(remoteAddress ? { remoteAddress } : {}),
      }),
    );
  }

  /** Posts a multipart form (`enctype="multipart/form-data"`) with files, as a browser would. */
  async postMultipart(path: string, fields: Record<string, string>, files: Record<string, { filename: string; type: string; data: Buffer }> = {}): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const boundary = '----ingang-test-boundary-4b1e';
    const form = { ...(this.lastCsrf && !('_csrf' in fields) ? { _csrf: this.lastCsrf } : {}), ...fields };
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(form)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    for (const [name, file] of Object.entries(files)) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`), file.data, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url: path,
        headers: { host: this.host, origin: `http://${this.host}`, 'content-type': `multipart/form-data; boundary=${boundary}`, ...this.headers, ...(cookie ? { cookie } : {}) },
        payload: Buffer.concat(parts),
      }),
    );
  }

  /** Opens a page, then submits its form. */
  async submit(formPage: string, action: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
    await this.get(formPage);
    return this.post(action, fields);
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    return this.submit('/login', '/login', { email, password });
  }
}
