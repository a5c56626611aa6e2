/**
 * A strict application/x-www-form-urlencoded parser (SECURITY 24): invalid UTF-8, bad percent
 * escapes, NUL bytes and a field given twice are refused instead of being silently repaired.
 */
export class BadFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadFormError';
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseFormBody(raw: Buffer): Record<string, string> {
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw new BadFormError('the form is not valid UTF-8');
  }
  const fields: Record<string, string> = Object.create(null);
  if (text.length === 0) return fields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const [rawName, rawValue] = eq === -1 ? [pair, ''] : [pair.slice(0, eq), pair.slice(eq + 1)];
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
    } catch {
      throw new BadFormError('the form has an invalid escape or invalid UTF-8');
    }
    if (name.includes('\u0000') || value.includes('\u0000')) throw new BadFormError('the form contains a NUL character');
    if (Object.prototype.hasOwnProperty.call(fields, name)) throw new BadFormError(`the field "${name.slice(0, 40)}" is given more than once`);
    fields[name] = value;
  }
  return fields;
}

/** A field's value, or '' when absent. */
export function field(body: Record<string, string>, name: string): string {
  return Object.prototype.hasOwnProperty.call(body, name) ? body[name]! : '';
}
