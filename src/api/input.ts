import { appApiMaxStringLength } from './openapi.js';

/** A bad request body: the answer is 400 `invalid_request` with a clear message. */
export class InvalidRequestError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** The named fields of a JSON body, each a string without NUL (SECURITY 24); anything else is refused. */
export function strings<K extends string>(body: unknown, required: readonly K[], optional: readonly K[] = []): Record<K, string> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidRequestError('the body must be a JSON object');
  const fields = body as Record<string, unknown>;
  const known: readonly string[] = [...required, ...optional];
  const unknown = Object.keys(fields).find((name) => !known.includes(name));
  if (unknown !== undefined) throw new InvalidRequestError(`unknown field "${unknown.slice(0, 40)}"`);
  const out = {} as Record<K, string>;
  for (const name of [...required, ...optional]) {
    const value = fields[name];
    if (value === undefined && optional.includes(name)) continue;
    if (typeof value !== 'string') throw new InvalidRequestError(`"${name}" must be a string`);
    if (value.includes('\u0000')) throw new InvalidRequestError(`"${name}" contains a NUL character`);
    if (value.length > appApiMaxStringLength) throw new InvalidRequestError(`"${name}" is longer than ${appApiMaxStringLength} characters`);
    out[name] = value;
  }
  return out;
}

export function bearerOf(header: string | undefined): string {
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
}
