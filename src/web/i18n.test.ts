import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLocale, localeFromAcceptLanguage, locales, translator, type MessageKey } from './i18n.js';
import { messages } from './messages.js';

const keys = Object.keys(messages) as MessageKey[];
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

test('the catalogue has texts', () => {
  assert.ok(keys.length > 20);
  assert.deepEqual([...locales], ['nl', 'en']);
});

test('every key has a non-empty Dutch and English text', () => {
  const missing = keys.filter((key) => {
    const entry = messages[key];
    return typeof entry.nl !== 'string' || typeof entry.en !== 'string' || entry.nl.trim() === '' || entry.en.trim() === '';
  });
  assert.deepEqual(missing, []);
});

test('no key has extra languages or stray fields', () => {
  const odd = keys.filter((key) => Object.keys(messages[key]).sort().join(',') !== 'en,nl');
  assert.deepEqual(odd, []);
});

test('the {param} placeholders are the same in both languages', () => {
  const differ = keys
    .map((key) => ({ key, nl: placeholders(messages[key].nl), en: placeholders(messages[key].en) }))
    .filter((entry) => entry.nl.join(',') !== entry.en.join(','));
  assert.deepEqual(differ, []);
});

test('no text has a broken placeholder (an unbalanced brace)', () => {
  const broken = keys.flatMap((key) =>
    (['nl', 'en'] as const)
      .filter((lang) => messages[key][lang].replace(/\{\w+\}/g, '').match(/[{}]/))
      .map((lang) => `${key}.${lang}`),
  );
  assert.deepEqual(broken, []);
});

test('translator gives the text of its language', () => {
  assert.equal(translator('nl')('login.title'), 'Inloggen');
  assert.equal(translator('en')('login.title'), 'Log in');
  assert.equal(translator('en')('nav.help'), 'Help with logging in');
});

test('translator fills in parameters, in every place they appear', () => {
  const withParam = keys.find((key) => placeholders(messages[key].en).length > 0);
  assert.ok(withParam, 'the catalogue has a text with a parameter');
  for (const locale of locales) {
    const t = translator(locale);
    const names = placeholders(messages[withParam][locale]);
    const params = Object.fromEntries(names.map((name, i) => [name, `«${name}-${i}»`]));
    const text = t(withParam, params);
    assert.doesNotMatch(text, /\{\w+\}/, text);
    for (const name of names) assert.ok(text.includes(params[name]!), `${locale}: ${text}`);
  }
  assert.equal(translator('en')('login.error.rateLimited', { minutes: 5 }), 'Too many attempts were made from your network. Please try again in 5 minutes.');
  assert.match(translator('nl')('login.error.rateLimited', { minutes: 15 }), /over 15 minuten/);
});

test('a missing parameter is left visible instead of printing "undefined"', () => {
  const text = translator('en')('login.error.rateLimited', {});
  assert.ok(text.includes('{minutes}'));
  assert.ok(!text.includes('undefined'));
});

test('a parameter value is inserted literally, not read as a further placeholder or pattern', () => {
  const text = translator('en')('login.error.rateLimited', { minutes: '$& {minutes} $1' });
  assert.ok(text.includes('in $& {minutes} $1 minutes'), text);
});

test('isLocale accepts nl and en only', () => {
  assert.equal(isLocale('nl'), true);
  assert.equal(isLocale('en'), true);
  for (const value of ['NL', 'de', '', null, undefined, 1, ['nl']]) assert.equal(isLocale(value), false, String(value));
});

test('Accept-Language: the first of nl and en by q order', () => {
  assert.equal(localeFromAcceptLanguage('nl-NL,en;q=0.5'), 'nl');
  assert.equal(localeFromAcceptLanguage('en-GB'), 'en');
  assert.equal(localeFromAcceptLanguage('en-US,en;q=0.9'), 'en');
  assert.equal(localeFromAcceptLanguage('nl'), 'nl');
  assert.equal(localeFromAcceptLanguage('NL-be'), 'nl');
  assert.equal(localeFromAcceptLanguage('de,en;q=0.1,nl;q=0.9'), 'nl');
  assert.equal(localeFromAcceptLanguage('de, en;q=0.8'), 'en');
  assert.equal(localeFromAcceptLanguage('en;q=0.4, nl;q=0.6'), 'nl');
  assert.equal(localeFromAcceptLanguage('fr-FR, fr;q=0.9, en-US;q=0.8, en;q=0.7, nl;q=0.6'), 'en');
  assert.equal(localeFromAcceptLanguage(' nl ; q=0.7 , en ; q=0.3 '), 'nl');
});

test('Accept-Language that names neither nl nor en gives null', () => {
  assert.equal(localeFromAcceptLanguage('de, fr;q=0.8'), null);
  assert.equal(localeFromAcceptLanguage('*'), null);
  assert.equal(localeFromAcceptLanguage('english'), null);
  assert.equal(localeFromAcceptLanguage('nld'), null);
  assert.equal(localeFromAcceptLanguage(undefined), null);
  assert.equal(localeFromAcceptLanguage(''), null);
  assert.equal(localeFromAcceptLanguage(',,;;'), null);
});

test('q=0 means "not acceptable"', () => {
  assert.equal(localeFromAcceptLanguage('nl;q=0'), null);
  assert.equal(localeFromAcceptLanguage('nl;q=0, en;q=0.1'), 'en');
  assert.equal(localeFromAcceptLanguage('nl;q=0.000'), null);
});

test('a malformed q value does not make a language win', () => {
  assert.equal(localeFromAcceptLanguage('nl;q=abc, en;q=0.5'), 'en');
  assert.equal(localeFromAcceptLanguage('nl;q=-1, en;q=0.5'), 'en');
});
