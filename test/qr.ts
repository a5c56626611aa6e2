import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

// Both are CommonJS: jsqr's module.exports is the function (its types declare only a default
// export, which NodeNext would make `.default`), and pngjs (5.x, a dependency of qrcode) ships no
// types, so they are loaded with require, typed by hand where needed.
const require = createRequire(import.meta.url);
const jsQR = require('jsqr') as typeof import('jsqr').default;
interface DecodedPng {
  width: number;
  height: number;
  data: Buffer;
}
const { PNG } = require('pngjs') as { PNG: { sync: { read(buffer: Buffer): DecodedPng } } };

/** The text in a QR code given as a PNG data URL: PNG → RGBA pixels → jsQR. */
export function decodeQrDataUrl(src: string): string {
  const prefix = 'data:image/png;base64,';
  assert.ok(src.startsWith(prefix), `the QR code is a PNG data URL, got ${src.slice(0, 40)}…`);
  const png = PNG.sync.read(Buffer.from(src.slice(prefix.length), 'base64'));
  assert.equal(png.data.length, png.width * png.height * 4, 'pngjs gives RGBA pixels');
  const found = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  assert.ok(found, `no QR code found in the ${png.width}×${png.height} image`);
  return found.data;
}

/** The data URL of the first `<img class="qr">` in a page. */
export function qrImageIn(body: string): string {
  const src = /<img class="qr" src="([^"]+)"/.exec(body)?.[1];
  assert.ok(src, 'the page shows a QR image');
  return src.replace(/&amp;/g, '&');
}
