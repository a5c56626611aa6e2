/**
 * Test support for the client tests (`client-*.test.ts`), not used by the app: a stand-in HTTP
 * server that answers scripted responses and records every request, the answers it scripts, and
 * the assertions the tests share.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiFailure, ApiResult, DeviceLogin, Me } from './client.js';

/** Compile-time equality of two types: `const check: Equals<A, B> = true` fails to compile otherwise. */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface Scripted {
  status: number;
  body?: unknown;
  /** A raw body instead of JSON (e.g. an HTML page). */
  text?: string;
  headers?: Record<string, string>;
}

/** A stand-in server: answers the scripted responses in order and records every request. */
export class FakeServer {
  readonly requests: Recorded[] = [];
  readonly answers: Scripted[] = [];
  #server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') });
        const answer = this.answers.shift() ?? { status: 500, body: { error: 'no_answer_scripted' } };
        const payload = answer.text ?? (answer.body === undefined ? '' : JSON.stringify(answer.body));
        const contentType = answer.text !== undefined ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8';
        res.writeHead(answer.status, payload === '' ? { ...answer.headers } : { 'content-type': contentType, ...answer.headers });
        res.end(payload);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  answer(...answers: Scripted[]): void {
    this.answers.push(...answers);
  }

  /** The one request since the last reset. */
  only(): Recorded {
    assert.equal(this.requests.length, 1, 'exactly one request');
    return this.requests[0]!;
  }

  reset(): void {
    this.requests.length = 0;
    this.answers.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.#server?.close((error) => (error ? reject(error) : resolve())));
  }
}

const account = { id: '3f0c2a57-2a54-4a8e-9a53-0d7d2f0b6a11', name: 'Anna de Vries', email: 'Anna@example.org', role: 'client' } as const;
export const deviceLogin: DeviceLogin = { deviceId: 'b6c1e7c4-1d0e-4c55-9b1e-9a6a1b3c2d4e', deviceSecret: 'x'.repeat(43), pinRequired: true, account: { ...account } };
export const me: Me = { ...account, locale: 'nl', organization: { slug: 'linde', name: 'Huisartsenpraktijk De Linde' } };

export function jsonBodyOf(request: Recorded): unknown {
  assert.match(String(request.headers['content-type']), /^application\/json/);
  return JSON.parse(request.rawBody);
}

export function assertFailure<T>(result: ApiResult<T>): ApiFailure {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  if (result.ok) throw new Error('unreachable');
  return result;
}
