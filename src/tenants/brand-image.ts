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
/**
 * The only namespaces a logo may declare, each with its one URI: SVG itself, XLink for `href`, and
 * the editors' own metadata (Inkscape, RDF), inert in a browser. A prefix is only ever what this
 * list says it is, so `<rdf:foreignObject xmlns:rdf="…/svg">` cannot pass for metadata.
 */
const svgNamespace = 'http://www.w3.org/2000/svg';
const allowedNamespaces: Record<string, string> = {
  svg: svgNamespace,
  xlink: 'http://www.w3.org/1999/xlink',
  sodipodi: 'http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd',
  inkscape: 'http://www.inkscape.org/namespaces/inkscape',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  cc: 'http://creativecommons.org/ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
};
const inertPrefixes = new Set(['sodipodi', 'inkscape', 'rdf', 'cc', 'dc']);
const attributePrefixes = new Set(['', 'xml', 'xlink', 'xmlns', ...inertPrefixes]);
/** Attributes that load or point at something, by local name whatever their prefix: only `#fragment` may follow. */
const referenceAttributes = new Set(['href', 'src', 'srcdoc', 'data', 'action', 'formaction', 'base', 'attributename']);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function checkSvg(data: Buffer): Ok<{ contentType: BrandImageType }> | BrandImageFailure {
  let text: string;
  try {
    text = strictUtf8.decode(data).replace(/^\uFEFF/, '');
  } catch {
    return refused('not_png_or_svg');
  }
  const walked = walkSvg(text);
  if (!walked.ok) return walked;
  // Whole-text checks over the walk (each linear): these never belong in a logo, wherever they stand.
  if (/<!(doctype|entity)/i.test(text)) return refused('svg_doctype');
  // Character references and CSS escapes could spell a `url(` or an `@import` the checks below would miss.
  if (/&#/.test(text) || text.includes('\\')) return refused('svg_malformed', 'character references and escapes are not allowed');
  if (/<\s*([\w.-]+:)?script/i.test(text)) return refused('svg_script');
  if (/\son[a-z]+\s*=/i.test(text)) return refused('svg_event_attribute');
  if (/@import|url\(\s*['"]?\s*(?!#)|image-set\(|\bsrc\(|expression\(|javascript:/i.test(text)) return refused('svg_external_reference', 'url');
  return walked;
}

/**
 * One pass over the markup, in linear time (no backtracking regex: a crafted file must not hold the
 * process): comments, CDATA sections and the XML declaration are skipped as units, so a `<!--` in a
 * CDATA section hides nothing; every tag is read name by name and attribute by attribute.
 */
function walkSvg(text: string): Ok<{ contentType: BrandImageType }> | BrandImageFailure {
  let at = 0;
  let elements = 0;
  while (at < text.length) {
    const open = text.indexOf('<', at);
    if (open === -1) break;
    if (text.startsWith('<!--', open)) {
      const end = text.indexOf('-->', open + 4);
      if (end === -1) return refused('svg_malformed', 'an unclosed comment');
      at = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', open)) {
      const end = text.indexOf(']]>', open + 9);
      if (end === -1) return refused('svg_malformed', 'an unclosed CDATA section');
      at = end + 3;
      continue;
    }
    if (text.startsWith('<?', open)) {
      const end = text.indexOf('?>', open + 2);
      if (open !== 0 || end === -1 || !/^<\?xml\s/.test(text)) return refused('svg_external_reference', 'processing instruction');
      at = end + 2;
      continue;
    }
    if (text[open + 1] === '!') return refused('svg_doctype');
    const tag = readTag(text, open);
    if (!tag.ok) return tag;
    at = tag.end;
    if (tag.closing) continue;
    if (elements === 0 && tag.name !== 'svg') return refused('not_png_or_svg');
    elements++;
    const problem = checkElement(tag.name, tag.attributes);
    if (problem) return problem;
  }
  if (elements === 0) return text.trimStart().startsWith('<') ? refused('svg_malformed') : refused('not_png_or_svg');
  return ok({ contentType: 'image/svg+xml' });
}

interface Tag {
  ok: true;
  closing: boolean;
  name: string;
  attributes: { name: string; value: string }[];
  end: number;
}

const nameStart = /[A-Za-z_]/;
const nameChar = /[\w.:-]/;

function readName(text: string, from: number): number {
  let at = from;
  if (!nameStart.test(text[at] ?? '')) return from;
  while (at < text.length && nameChar.test(text[at]!)) at++;
  return at;
}

/** Reads `<name attr="value" …>` (or `</name>`, `<name/>`) from `open`; XML allows no space after `<`. */
function readTag(text: string, open: number): Tag | BrandImageFailure {
  let at = open + 1;
  const closing = text[at] === '/';
  if (closing) at++;
  const nameEnd = readName(text, at);
  if (nameEnd === at) return refused('svg_malformed', 'a "<" that opens no tag');
  const name = text.slice(at, nameEnd);
  if (/(^|:)script$/i.test(name)) return refused('svg_script');
  at = nameEnd;
  const attributes: { name: string; value: string }[] = [];
  for (;;) {
    const before = at;
    while (at < text.length && /\s/.test(text[at]!)) at++;
    if (text[at] === '>') return { ok: true, closing, name, attributes, end: at + 1 };
    if (text.startsWith('/>', at) && !closing) return { ok: true, closing, name, attributes, end: at + 2 };
    if (closing || at === before) return refused('svg_malformed', `a broken tag ${name.slice(0, 40)}`);
    const attributeEnd = readName(text, at);
    // XML's Eq: optional white space on either side of the `=`.
    let eq = attributeEnd;
    while (eq < text.length && /\s/.test(text[eq]!)) eq++;
    if (attributeEnd === at || text[eq] !== '=') return refused('svg_malformed', `a broken attribute in ${name.slice(0, 40)}`);
    let open = eq + 1;
    while (open < text.length && /\s/.test(text[open]!)) open++;
    const quote = text[open];
    if (quote !== '"' && quote !== "'") return refused('svg_malformed', 'an attribute value without quotes');
    const valueEnd = text.indexOf(quote, open + 1);
    if (valueEnd === -1) return refused('svg_malformed', 'an unclosed attribute value');
    const value = text.slice(open + 1, valueEnd);
    if (value.includes('<')) return refused('svg_malformed', 'a "<" in an attribute value');
    attributes.push({ name: text.slice(at, attributeEnd), value });
    at = valueEnd + 1;
  }
}

function checkElement(qualified: string, attributes: { name: string; value: string }[]): BrandImageFailure | null {
  const [prefix, local] = qualified.includes(':') ? (qualified.split(':', 2) as [string, string]) : ['', qualified];
  if (qualified.split(':').length > 2) return refused('svg_malformed', qualified);
  if (local.toLowerCase() === 'script') return refused('svg_script');
  if (prefix === '' || prefix === 'svg') {
    if (!allowedSvgElements.has(local.toLowerCase())) return refused('svg_element_not_allowed', qualified);
  } else if (!inertPrefixes.has(prefix)) {
    return refused('svg_element_not_allowed', qualified);
  }
  for (const attribute of attributes) {
    const parts = attribute.name.split(':');
    if (parts.length > 2) return refused('svg_malformed', attribute.name);
    const [attributePrefix, attributeLocal] = parts.length === 2 ? (parts as [string, string]) : ['', parts[0]!];
    const localName = attributeLocal.toLowerCase();
    if (attribute.name === 'xmlns') {
      if (attribute.value !== svgNamespace) return refused('svg_external_reference', `xmlns="${attribute.value.slice(0, 80)}"`);
      continue;
    }
    if (attributePrefix === 'xmlns') {
      if (allowedNamespaces[attributeLocal] !== attribute.value) return refused('svg_external_reference', `${attribute.name}="${attribute.value.slice(0, 80)}"`);
      continue;
    }
    if (!attributePrefixes.has(attributePrefix)) return refused('svg_external_reference', attribute.name);
    if (localName.startsWith('on')) return refused('svg_event_attribute', attribute.name);
    if (referenceAttributes.has(localName) && !attribute.value.trim().startsWith('#')) return refused('svg_external_reference', attribute.name);
  }
  return null;
}
