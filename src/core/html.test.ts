import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, html, SafeHtml, trustedHtml } from './html.js';

test('escapeHtml escapes each of & < > " \'', () => {
  assert.equal(escapeHtml('&'), '&amp;');
  assert.equal(escapeHtml('<'), '&lt;');
  assert.equal(escapeHtml('>'), '&gt;');
  assert.equal(escapeHtml('"'), '&quot;');
  assert.equal(escapeHtml("'"), '&#39;');
  assert.equal(escapeHtml(`<script>alert("x" + 'y') && 1</script>`), '&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;) &amp;&amp; 1&lt;/script&gt;');
});

test('escapeHtml leaves other text, Unicode included, alone', () => {
  assert.equal(escapeHtml('Jan de Vries — Één 🐻 /=`'), 'Jan de Vries — Één 🐻 /=`');
  assert.equal(escapeHtml(''), '');
});

test('an already escaped text is escaped again (it is text, not markup)', () => {
  assert.equal(escapeHtml('&amp;'), '&amp;amp;');
  assert.equal(escapeHtml('&lt;b&gt;'), '&amp;lt;b&amp;gt;');
});

test('every interpolated string is escaped, in text and in attributes', () => {
  const name = `"><img src=x onerror=alert('1')>&`;
  const out = html`<p title="${name}">${name}</p>`;
  assert.ok(out instanceof SafeHtml);
  const escaped = '&quot;&gt;&lt;img src=x onerror=alert(&#39;1&#39;)&gt;&amp;';
  assert.equal(out.value, `<p title="${escaped}">${escaped}</p>`);
  assert.ok(!out.value.includes('<img'));
  assert.equal(String(out), out.value);
  assert.equal(`${out}`, out.value);
});

test('a single-quoted attribute cannot be broken out of either', () => {
  const out = html`<a href='/x' data-name='${"' onclick='alert(1)"}'>x</a>`;
  assert.ok(!out.value.includes("' onclick"));
  assert.equal(out.value, "<a href='/x' data-name='&#39; onclick=&#39;alert(1)'>x</a>");
});

test('template text itself is markup and kept as it is', () => {
  assert.equal(html`<b class="x">a & b</b>`.value, '<b class="x">a & b</b>');
  assert.equal(html``.value, '');
});

test('nested SafeHtml is inserted once, not escaped twice', () => {
  const inner = html`<em>${'<Jan>'}</em>`;
  const outer = html`<p>${inner}</p>`;
  assert.equal(outer.value, '<p><em>&lt;Jan&gt;</em></p>');
  const deeper = html`<div>${outer}</div>`;
  assert.equal(deeper.value, '<div><p><em>&lt;Jan&gt;</em></p></div>');
  assert.equal(html`${trustedHtml('<svg></svg>')}`.value, '<svg></svg>');
});

test('a string that looks like markup is not trusted just because it came from html elsewhere', () => {
  const inner = html`<em>x</em>`;
  assert.equal(html`<p>${inner.value}</p>`.value, '<p>&lt;em&gt;x&lt;/em&gt;</p>');
  assert.equal(html`<p>${String(inner)}</p>`.value, '<p>&lt;em&gt;x&lt;/em&gt;</p>');
});

test('arrays are joined without separators, each item rendered by the same rules', () => {
  const names = ['<a>', 'b&c'];
  const out = html`<ul>${names.map((n) => html`<li>${n}</li>`)}</ul>`;
  assert.equal(out.value, '<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>');
  assert.equal(html`${['<x>', 1, null, undefined, false, html`<br>`, [['"']]]}`.value, '&lt;x&gt;1<br>&quot;');
  assert.equal(html`<ul>${[]}</ul>`.value, '<ul></ul>');
});

test('null, undefined and false render nothing', () => {
  assert.equal(html`a${null}b${undefined}c${false}d`.value, 'abcd');
  const error: string | null = null;
  assert.equal(html`<p>${error && html`<span class="error">${error}</span>`}</p>`.value, '<p></p>');
});

test('numbers are rendered, 0 included', () => {
  assert.equal(html`${0}|${42}|${-1.5}|${3}`.value, '0|42|-1.5|3');
  assert.equal(html`<p>${6} codes left</p>`.value, '<p>6 codes left</p>');
});

test('the empty string renders nothing', () => {
  assert.equal(html`<p>${''}</p>`.value, '<p></p>');
});

test('the values are rendered in order between the template parts', () => {
  assert.equal(html`${'a'}-${'b'}-${'c'}`.value, 'a-b-c');
  assert.equal(html`x${'<'}y${'>'}z`.value, 'x&lt;y&gt;z');
});
