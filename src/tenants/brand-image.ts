import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { failure, ok, type Failure, type Ok } from '../core/outcome.js';

/**
 * An organization's logo or favicon (SPEC 6, `/admin/branding`): PNG or SVG, checked here and
 * stored in the database. An SVG is refused, with the reason, when it could run a script, fetch
 * anything or carry an event handler: it is shown on every login page of the organization.
 */
export type BrandImageType = 'image/png' | 'image/svg+xml';

export interface BrandImage {
  contentType: BrandImageType;
  data: Buffer;
  /** The first 16 hex digits of its SHA-256: the version in its URL, so it can be cached for a year. */
  digest: string;
}

/** Two images and the form's fields fit SECURITY 24's 64 KiB body. */
export const maxBrandImageBytes = 30_000;
const maxPngSide = 2048;

export type BrandImageProblem =
  | 'empty'
  | 'too_large'
  | 'not_png_or_svg'
  | 'png_malformed'
  | 'png_too_many_pixels'
  | 'svg_malformed'
  | 'svg_doctype'
  | 'svg_script'
  | 'svg_event_attribute'
  | 'svg_external_reference'
  | 'svg_element_not_allowed';

export type BrandImageFailure = Failure<'invalid_image', { problem: BrandImageProblem; detail?: string }>;

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function checkBrandImage(data: Buffer): Ok<{ image: BrandImage }> | BrandImageFailure {
  if (data.length === 0) return refused('empty');
  if (data.length > maxBrandImageBytes) return refused('too_large');
  const checked = data.subarray(0, 8).equals(pngSignature) ? checkPng(data) : checkSvg(data);
  if (!checked.ok) return checked;
  return ok({ image: { contentType: checked.contentType, data, digest: createHash('sha256').update(data).digest('hex').slice(0, 16) } });
}

function refused(problem: BrandImageProblem, detail?: string): BrandImageFailure {
  return failure('invalid_image', detail === undefined ? { problem } : { problem, detail });
}

/** PNG (ISO/IEC 15948): the signature, IHDR first, every chunk's CRC, IEND last and nothing after it. */
function checkPng(data: Buffer): Ok<{ contentType: BrandImageType }> | BrandImageFailure {
  let at = 8;
  let first = true;
  while (at + 12 <= data.length) {
    const length = data.readUInt32BE(at);
    const type = data.subarray(at + 4, at + 8).toString('latin1');
    const end = at + 12 + length;
    if (!/^[A-Za-z]{4}$/.test(type) || end > data.length) return refused('png_malformed');
    if (crc32(data.subarray(at + 4, at + 8 + length)) !== data.readUInt32BE(at + 8 + length)) return refused('png_malformed');
    if (first) {
      if (type !== 'IHDR' || length !== 13) return refused('png_malformed');
      const width = data.readUInt32BE(at + 8);
      const height = data.readUInt32BE(at + 12);
      if (width === 0 || height === 0) return refused('png_malformed');
      if (width > maxPngSide || height > maxPngSide) return refused('png_too_many_pixels');
      first = false;
    }
    at = end;
    if (type === 'IEND') return at === data.length ? ok({ contentType: 'image/png' }) : refused('png_malformed');
  }
  return refused('png_malformed');
}

/** The SVG elements a logo is drawn with; anything else (script, foreignObject, image, animation…) is refused. */
const allowedSvgElements = new Set(
  [
    'svg', 'g', 'defs', 'symbol', 'use', 'title', 'desc', 'metadata', 'style', 'path', 'rect', 'circle', 'ellipse', 'line',
    'polyline', 'polygon', 'text', 'tspan', 'textPath', 'linearGradient', 'radialGradient', 'stop', 'clipPath', 'mask', 'pattern',
    'marker', 'filter', 'feBlend', 'feColorMatrix', 'feComposite', 'feDropShadow', 'feFlood', 'feGaussianBlur', 'feMerge',
    'feMergeNode', 'feMorphology', 'feOffset',
  ].map((name) => name.toLowerCase()),
);
/** Editors' own metadata (Inkscape, RDF): inert elements in a browser. */
const inertPrefixes = new Set(['sodipodi', 'inkscape', 'rdf', 'cc', 'dc']);
const referenceAttributes = new Set(['href', 'xlink:href', 'src', 'xml:base']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function checkSvg(data: Buffer): Ok<{ contentType: BrandImageType }> | BrandImageFailure {
  let text: string;
  try {
    text = strictUtf8.decode(data).replace(/^\uFEFF/, '');
  } catch {
    return refused('not_png_or_svg');
  }
  const start = text.replace(/^\s*(<\?xml\s[^>]*\?>)?(\s*<!--[\s\S]*?-->)*\s*/, '');
  if (/^<!doctype/i.test(start)) return refused('svg_doctype');
  if (!/^<svg[\s>]/.test(start)) return refused('not_png_or_svg');
  if (/<!(doctype|entity)/i.test(text)) return refused('svg_doctype');
  if (/<\?(?!xml\s)/.test(text) || /<\?xml\s/.test(text.slice(1))) return refused('svg_external_reference', 'processing instruction');
  // Character references and CSS escapes could spell a `url(` or an `@import` the checks below would miss.
  if (/&#/.test(text) || text.includes('\\')) return refused('svg_malformed', 'character references and escapes are not allowed');
  // Belt and braces over the tag walk below: these never belong in a logo, wherever they stand.
  if (/<\s*([\w.-]+:)?script/i.test(text)) return refused('svg_script');
  if (/\son[a-z]+\s*=/i.test(text)) return refused('svg_event_attribute');
  if (/@import|url\(\s*['"]?\s*(?!#)|expression\(|javascript:/i.test(text)) return refused('svg_external_reference', 'url');
  const withoutComments = text.replace(/<!--[\s\S]*?-->/g, '').replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, (cdata) => cdata.replace(/</g, ' '));
  const tag = /<\s*(\/?)\s*([A-Za-z_][\w.-]*(?::[\w.-]+)?)([^>]*)>/g;
  let match: RegExpExecArray | null;
  let tags = 0;
  while ((match = tag.exec(withoutComments)) !== null) {
    tags++;
    const [, closing, qualified, rest] = match as unknown as [string, string, string, string];
    const [prefix, local] = qualified.includes(':') ? (qualified.split(':') as [string, string]) : ['', qualified];
    const name = local.toLowerCase();
    if (name === 'script') return refused('svg_script');
    if (closing) continue;
    if (prefix !== '' && prefix !== 'svg') {
      if (!inertPrefixes.has(prefix)) return refused('svg_element_not_allowed', qualified);
    } else if (!allowedSvgElements.has(name)) {
      return refused('svg_element_not_allowed', qualified);
    }
    const attributeProblem = checkAttributes(rest);
    if (attributeProblem) return attributeProblem;
  }
  if (tags === 0) return refused('svg_malformed');
  return ok({ contentType: 'image/svg+xml' });
}

function checkAttributes(rest: string): BrandImageFailure | null {
  const body = rest.replace(/\/\s*$/, '');
  const attribute = /\s*([^\s=/"']+)\s*(?:=\s*("[^"]*"|'[^']*'))?/gy;
  let at = 0;
  while (at < body.length) {
    attribute.lastIndex = at;
    const match = attribute.exec(body);
    if (!match || match[0].length === 0) {
      if (/^\s*$/.test(body.slice(at))) break;
      return refused('svg_malformed');
    }
    at = attribute.lastIndex;
    const name = match[1]!.toLowerCase();
    const value = (match[2] ?? '').slice(1, -1).trim();
    if (name.startsWith('on')) return refused('svg_event_attribute', match[1]);
    if (referenceAttributes.has(name) && !value.startsWith('#')) return refused('svg_external_reference', match[1]);
  }
  return null;
}
