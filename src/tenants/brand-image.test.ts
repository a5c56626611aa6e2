import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync, crc32 } from 'node:zlib';
import { checkBrandImage, maxBrandImageBytes } from './brand-image.js';

/** A real PNG of `width` × `height` pixels, one colour. */
export function pngImage(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

const logoSvg = `<?xml version="1.0" encoding="UTF-8"?>
<!-- made in an editor -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 120 40" width="120" height="40">
  <title>Zorg Oost</title>
  <defs><linearGradient id="g"><stop offset="0" stop-color="#0b5394"/><stop offset="1" stop-color="#083e6f"/></linearGradient></defs>
  <style>.t { font: bold 16px sans-serif; fill: url(#g); }</style>
  <rect x="0" y="0" width="40" height="40" rx="8" fill="url(#g)"/>
  <use xlink:href="#g"/>
  <text x="48" y="26" class="t">Zorg &amp; Oost</text>
</svg>`;

const problemOf = (data: Buffer | string) => {
  const checked = checkBrandImage(Buffer.isBuffer(data) ? data : Buffer.from(data));
  return checked.ok ? 'ok' : checked.problem;
};

test('a real PNG and a clean SVG are taken, with their type and a digest of their bytes', () => {
  const png = checkBrandImage(pngImage(64, 32));
  assert.ok(png.ok);
  assert.equal(png.image.contentType, 'image/png');
  assert.match(png.image.digest, /^[0-9a-f]{16}$/);
  const svg = checkBrandImage(Buffer.from(logoSvg));
  assert.ok(svg.ok, JSON.stringify(svg));
  assert.equal(svg.image.contentType, 'image/svg+xml');
  assert.notEqual(svg.image.digest, png.image.digest);
});

test('PNGs that are broken, cut short, padded or huge are refused', () => {
  const png = pngImage(16, 16);
  assert.equal(problemOf(png.subarray(0, png.length - 5)), 'png_malformed');
  assert.equal(problemOf(Buffer.concat([png, Buffer.from('<script>')])), 'png_malformed');
  const corrupted = Buffer.from(png);
  corrupted[40] = corrupted[40]! ^ 0xff;
  assert.equal(problemOf(corrupted), 'png_malformed');
  assert.equal(problemOf(pngImage(4000, 1)), 'png_too_many_pixels');
  assert.equal(problemOf(Buffer.alloc(0)), 'empty');
  assert.equal(problemOf(Buffer.alloc(maxBrandImageBytes + 1, 0x20)), 'too_large');
});

test('other files are neither PNG nor SVG', () => {
  assert.equal(problemOf('GIF89a....'), 'not_png_or_svg');
  assert.equal(problemOf('<html><body>hi</body></html>'), 'not_png_or_svg');
  assert.equal(problemOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00])), 'not_png_or_svg');
});

test('an SVG that could run a script, fetch something or handle an event is refused, with the reason', () => {
  const svg = (inner: string, attributes = '') => `<svg xmlns="http://www.w3.org/2000/svg"${attributes}>${inner}</svg>`;
  const cases: [string, string][] = [
    [svg('<script>alert(1)</script>'), 'svg_script'],
    [svg('<svg:script>alert(1)</svg:script>'), 'svg_script'],
    [svg('<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>'), 'svg_script'],
    [svg('<script', ''), 'svg_script'],
    [svg('<rect/>', ' onload="alert(1)"'), 'svg_event_attribute'],
    [svg('<rect ONCLICK = "alert(1)"/>'), 'svg_event_attribute'],
    [svg('<rect x="1>" onmouseover="alert(1)"/>'), 'svg_event_attribute'],
    [svg('<image href="https://evil.example/x.png"/>'), 'svg_element_not_allowed'],
    [svg('<use href="https://evil.example/sprite.svg#a"/>'), 'svg_external_reference'],
    [svg('<use xlink:href="data:image/svg+xml;base64,PHN2Zz4="/>'), 'svg_external_reference'],
    [svg('<a href="javascript:alert(1)"><rect/></a>'), 'svg_external_reference'],
    [svg('<style>@import "https://evil.example/a.css";</style>'), 'svg_external_reference'],
    [svg('<rect style="fill: url(https://evil.example/track)"/>'), 'svg_external_reference'],
    [svg('<style>rect { background: u\\72 l(https://evil.example) }</style>'), 'svg_malformed'],
    [svg('<style>&#64;import "x.css";</style>'), 'svg_malformed'],
    [svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'), 'svg_element_not_allowed'],
    [svg('<iframe src="https://evil.example"/>'), 'svg_element_not_allowed'],
    [svg('<set attributeName="href" to="javascript:alert(1)"/>'), 'svg_external_reference'],
    [svg('<animate attributeName="x" to="1"/>'), 'svg_element_not_allowed'],
    ['<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', 'svg_doctype'],
    ['<?xml-stylesheet href="https://evil.example/a.css"?><svg></svg>', 'not_png_or_svg'],
    [svg('<?xml-stylesheet href="a.css"?><rect/>'), 'svg_external_reference'],
    [svg('<rect x="1"/>', ' xml:base="https://evil.example/"'), 'svg_external_reference'],
  ];
  for (const [input, problem] of cases) assert.equal(problemOf(input), problem, input);
});
