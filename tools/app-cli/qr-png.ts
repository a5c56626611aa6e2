// The QR code of /account/app, from a PNG image of it.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { CliError } from './errors.js';

// Both are CommonJS: jsqr's module.exports is the function (its types declare only a default
// export, which NodeNext would make `.default`), and pngjs (5.x, a dependency of qrcode) ships no
// types, so they are loaded with require, typed by hand where needed.
const require = createRequire(import.meta.url);
interface DecodedPng {
  width: number;
  height: number;
  data: Buffer;
}

/** The text of the QR code in a PNG file: PNG → RGBA pixels → jsQR. */
export async function decodeQrPng(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(signature)) throw new CliError(`${file} is not a PNG image (give the PNG of the QR code, or the URL it holds)`);
  const jsQR = require('jsqr') as typeof import('jsqr').default;
  const { PNG } = require('pngjs') as { PNG: { sync: { read(buffer: Buffer): DecodedPng } } };
  let png: DecodedPng;
  try {
    png = PNG.sync.read(bytes);
  } catch (error) {
    throw new CliError(`cannot decode the PNG image ${file}: ${(error as Error).message}`);
  }
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const found = jsQR(pixels, png.width, png.height, { inversionAttempts: 'attemptBoth' });
  if (!found) throw new CliError(`no QR code found in ${file}`);
  return found.data;
}
