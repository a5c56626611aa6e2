import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderSmsCode, type SmsCodePurpose, type SmsLocale } from './sms-texts.js';

const locales: SmsLocale[] = ['nl', 'en'];
const purposes: SmsCodePurpose[] = ['login', 'setup', 'confirm'];

/** GSM 03.38 basic character set: a text of only these fits 160 characters in one SMS. */
const gsmBasic =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

function isGsmBasic(text: string): boolean {
  return [...text].every((character) => gsmBasic.includes(character));
}

describe('renderSmsCode', () => {
  it('matches the wording the spec shows for a Dutch login code', () => {
    assert.equal(
      renderSmsCode('nl', 'Demo Zorg', '123456', 'login'),
      'Je inlogcode voor Demo Zorg is 123456. Deze code is 5 minuten geldig. Deel hem met niemand.',
    );
  });

  for (const locale of locales) {
    for (const purpose of purposes) {
      it(`names the org and the code, the 5 minutes and the warning for ${purpose} in ${locale}`, () => {
        const text = renderSmsCode(locale, 'Huisartsenpraktijk De Linde', '048213', purpose);
        assert.ok(text.includes('Huisartsenpraktijk De Linde'));
        assert.ok(text.includes('048213'), 'a leading zero stays');
        assert.match(text, locale === 'nl' ? /5 minuten geldig/ : /valid for 5 minutes/);
        assert.match(text, locale === 'nl' ? /Deel hem met niemand\./ : /Never share it with anyone\./);
        assert.ok(text.length <= 160, `${text.length} characters: ${text}`);
        assert.ok(isGsmBasic(text), 'one GSM-7 segment, not UCS-2');
        assert.doesNotMatch(text, /[\r\n]/);
      });
    }
  }

  it('says something different for each purpose and each language', () => {
    const all = locales.flatMap((locale) => purposes.map((purpose) => renderSmsCode(locale, 'Zorg', '123456', purpose)));
    assert.equal(new Set(all).size, all.length);
  });

  it('makes an org name with line breaks one line, so it cannot forge a line of the message', () => {
    for (const locale of locales) {
      for (const purpose of purposes) {
        const text = renderSmsCode(locale, 'Zorg\r\nJe code is 000000\u2028\u0085x', '123456', purpose);
        assert.doesNotMatch(text, /[\r\n\u2028\u2029\u0085]/);
        assert.ok(text.includes('Zorg Je code is 000000 x'));
      }
    }
  });

  it('shortens a very long org name to keep one segment, but keeps the code and the warning', () => {
    const longName = 'Stichting Regionale Samenwerking Eerstelijnszorg en Wijkverpleging Noord-Holland Noord';
    for (const locale of locales) {
      for (const purpose of purposes) {
        const text = renderSmsCode(locale, longName, '123456', purpose);
        assert.ok(text.length <= 160, `${text.length}: ${text}`);
        assert.ok(text.includes('123456'));
        assert.ok(text.includes('Stichting Regionale Samenwerking'));
        assert.match(text, /niemand\.$|anyone\.$/);
      }
    }
  });

  it('refuses a code that is not digits, since our own code made it', () => {
    assert.throws(() => renderSmsCode('nl', 'Zorg', '12 34', 'login'));
    assert.throws(() => renderSmsCode('en', 'Zorg', '', 'login'));
    assert.throws(() => renderSmsCode('en', 'Zorg', '123456\n', 'login'));
  });
});
