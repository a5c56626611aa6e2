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
    [svg('<a href="javascript:alert(1)"><rect/></a>'), 'svg_element_not_allowed'],
    [svg('<style>@import "https://evil.example/a.css";</style>'), 'svg_external_reference'],
    [svg('<rect style="fill: url(https://evil.example/track)"/>'), 'svg_external_reference'],
    [svg('<style>rect { background: u\\72 l(https://evil.example) }</style>'), 'svg_malformed'],
    [svg('<style>&#64;import "x.css";</style>'), 'svg_malformed'],
    [svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>'), 'svg_element_not_allowed'],
    [svg('<iframe src="https://evil.example"/>'), 'svg_element_not_allowed'],
    [svg('<set attributeName="href" to="javascript:alert(1)"/>'), 'svg_element_not_allowed'],
    [svg('<animate attributeName="x" to="1"/>'), 'svg_element_not_allowed'],
    ['<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', 'svg_doctype'],
    ['<?xml-stylesheet href="https://evil.example/a.css"?><svg></svg>', 'svg_external_reference'],
    [svg('<?xml-stylesheet href="a.css"?><rect/>'), 'svg_external_reference'],
    [svg('<rect x="1"/>', ' xml:base="https://evil.example/"'), 'svg_external_reference'],
  ];
  for (const [input, problem] of cases) assert.equal(problemOf(input), problem, input);
});

test('attack review: prefixes are bound to their one namespace; references are caught whatever their prefix', () => {
  const cases: [string, string][] = [
    // An "inert" editor prefix bound to SVG or XHTML would smuggle any element in.
    ['<svg xmlns="http://www.w3.org/2000/svg"><rdf:foreignObject xmlns:rdf="http://www.w3.org/2000/svg"><dc:iframe xmlns:dc="http://www.w3.org/1999/xhtml" srcdoc="x"/></rdf:foreignObject></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/2000/svg"><cc:a xmlns:cc="http://www.w3.org/2000/svg"><text>x</text></cc:a></svg>', 'svg_external_reference'],
    // xlink under another prefix, and reference attributes other than href.
    ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:l="http://www.w3.org/1999/xlink"><use l:href="https://evil.example/t.svg#a"/></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xhtml"><rect/></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/1999/xhtml"><rect/></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/2000/svg"><g xmlns="http://www.w3.org/1999/xhtml"><rect/></g></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect data="https://evil.example/x"/></svg>', 'svg_external_reference'],
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: image-set(\'https://evil.example/x.png\' 1x)"/></svg>', 'svg_external_reference'],
    // A comment opened in one CDATA section and closed in another hid the tags between.
    ['<svg xmlns="http://www.w3.org/2000/svg"><text><![CDATA[<!--]]></text><image href="https://evil.example/t.png"/><text><![CDATA[-->]]></text></svg>', 'svg_element_not_allowed'],
    // Not XML at all: a "<" opening no tag, attributes without quotes.
    [`<svg xmlns="http://www.w3.org/2000/svg"><rect/><${' '.repeat(29_000)}`, 'svg_malformed'],
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect width=10/></svg>', 'svg_malformed'],
    [`<svg xmlns="http://www.w3.org/2000/svg">${'<a'.repeat(14_000)}`, 'svg_malformed'],
  ];
  for (const [input, problem] of cases) assert.equal(problemOf(input), problem, input.slice(0, 200));
});

test('an Inkscape file with its metadata, a CDATA style and comments is taken', () => {
  const inkscape = `<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/"
   width="120" height="40" viewBox="0 0 120 40" inkscape:version="1.3">
  <sodipodi:namedview id="nv" inkscape:zoom="1"/>
  <metadata><rdf:RDF><cc:Work rdf:about=""><dc:title>Logo</dc:title></cc:Work></rdf:RDF></metadata>
  <style><![CDATA[ .a { fill: #00664f; } ]]></style>
  <g inkscape:label="Laag 1" inkscape:groupmode="layer"><rect class="a" width="40" height="40"/><use xlink:href="#nv"/></g>
</svg>`;
  assert.equal(problemOf(inkscape), 'ok');
});
