import { BadFormError } from './form-body.js';

/** A file of a multipart form; a file input left empty is no file. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const uploads = new WeakMap<object, Record<string, UploadedFile>>();

/**
 * A strict multipart/form-data parser (RFC 7578) for the few forms that upload a file: the same
 * rules as the URL-encoded one (invalid UTF-8, NUL and a field given twice are refused), so the
 * text fields arrive as the same plain record and the CSRF check reads them as always. The files
 * ride beside the record (`uploadedFiles`). The body limit of SECURITY 24 holds for it too.
 */
export function parseMultipartBody(raw: Buffer, contentType: string): Record<string, string> {
  const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  if (!boundary) throw new BadFormError('the form has no multipart boundary');
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`, 'latin1');
  const fields: Record<string, string> = Object.create(null);
  const files: Record<string, UploadedFile> = Object.create(null);
  if (!raw.subarray(0, delimiter.length).equals(delimiter)) throw new BadFormError('the form does not start with its boundary');
  let at = delimiter.length;
  for (;;) {
    if (raw.subarray(at, at + 2).toString('latin1') === '--') break;
    if (raw.subarray(at, at + 2).toString('latin1') !== '\r\n') throw new BadFormError('the form has a broken boundary line');
    const next = raw.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), at + 2);
    if (next === -1) throw new BadFormError('the form ends before its last boundary');
    const part = raw.subarray(at + 2, next);
    at = next + 2 + delimiter.length;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) throw new BadFormError('a part of the form has no headers');
    const headers = decode(part.subarray(0, headerEnd), 'a part header');
    const data = part.subarray(headerEnd + 4);
    const disposition = /^content-disposition:\s*form-data\s*;(.*)$/im.exec(headers);
    const name = disposition ? parameter(disposition[1]!, 'name') : null;
    if (name === null) throw new BadFormError('a part of the form has no field name');
    if (name.includes('\u0000')) throw new BadFormError('the form contains a NUL character');
    if (name in fields || name in files) throw new BadFormError(`the field "${name.slice(0, 40)}" is given more than once`);
    const filename = parameter(disposition![1]!, 'filename');
    if (filename === null) {
      const value = decode(data, `the field "${name.slice(0, 40)}"`);
      if (value.includes('\u0000')) throw new BadFormError('the form contains a NUL character');
      fields[name] = value;
    } else if (filename !== '' || data.length > 0) {
      const type = /^content-type:\s*([^\r\n;]+)/im.exec(headers)?.[1]?.trim().toLowerCase() ?? 'application/octet-stream';
      files[name] = { filename, contentType: type, data: Buffer.from(data) };
    }
  }
  uploads.set(fields, files);
  return fields;
}

/** The files that came with a parsed body (none for a URL-encoded one). */
export function uploadedFiles(body: Record<string, string>): Record<string, UploadedFile> {
  return uploads.get(body) ?? {};
}

function decode(bytes: Buffer, what: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new BadFormError(`${what} is not valid UTF-8`);
  }
}

function parameter(parameters: string, name: string): string | null {
  const match = new RegExp(`(?:^|;)\\s*${name}="((?:[^"\\\\]|\\\\.)*)"`, 'i').exec(parameters) ?? new RegExp(`(?:^|;)\\s*${name}=([^;\\s"]+)`, 'i').exec(parameters);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : null;
}
