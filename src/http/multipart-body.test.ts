import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadFormError } from './form-body.js';
import { parseMultipartBody, uploadedFiles } from './multipart-body.js';

const boundary = '----formdata-ingang-7f3a';
const type = `multipart/form-data; boundary=${boundary}`;

function body(parts: { name: string; value: string | Buffer; filename?: string; type?: string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${part.type ? `Content-Type: ${part.type}\r\n` : ''}\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

test('text fields arrive as a plain record, files beside it, byte for byte', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x2d, 0x2d, 0x0d, 0x0a, 0x00, 0xff]);
  const fields = parseMultipartBody(
    body([
      { name: '_csrf', value: 'token' },
      { name: 'color', value: '#0b5394' },
      { name: 'name', value: 'Zorg – Oost ü' },
      { name: 'logo', value: png, filename: 'logo.png', type: 'image/png' },
      { name: 'favicon', value: '', filename: '' },
    ]),
    type,
  );
  assert.deepEqual({ ...fields }, { _csrf: 'token', color: '#0b5394', name: 'Zorg – Oost ü' });
  const files = uploadedFiles(fields);
  assert.deepEqual(Object.keys(files), ['logo']);
  assert.equal(files.logo!.filename, 'logo.png');
  assert.equal(files.logo!.contentType, 'image/png');
  assert.ok(files.logo!.data.equals(png));
});

test('a quoted boundary and an empty form are read', () => {
  const fields = parseMultipartBody(body([{ name: 'a', value: '1' }]), `multipart/form-data; boundary="${boundary}"`);
  assert.equal(fields.a, '1');
  assert.deepEqual({ ...parseMultipartBody(Buffer.from(`--${boundary}--\r\n`), type) }, {});
});

test('broken, repeated or non-UTF-8 forms are refused, not repaired', () => {
  const refused = (raw: Buffer, contentType = type) => assert.throws(() => parseMultipartBody(raw, contentType), BadFormError);
  refused(body([{ name: 'a', value: '1' }]), 'multipart/form-data');
  refused(body([{ name: 'a', value: '1' }, { name: 'a', value: '2' }]));
  refused(body([{ name: 'a', value: '1' }, { name: 'a', value: 'x', filename: 'a.png' }]));
  refused(body([{ name: 'a', value: Buffer.from([0xc3, 0x28]) }]));
  refused(body([{ name: 'a', value: 'x\u0000y' }]));
  refused(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1`));
  refused(Buffer.from(`garbage--${boundary}--\r\n`));
  refused(Buffer.from(`--${boundary}\r\nContent-Type: text/plain\r\n\r\n1\r\n--${boundary}--`));
});
