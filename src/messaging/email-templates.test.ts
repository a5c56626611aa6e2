import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '../core/html.js';
import { renderEmail, type EmailTemplate, type Locale, type OrgBranding } from './email-templates.js';

const locales: Locale[] = ['nl', 'en'];
const org: OrgBranding = { name: 'Huisartsenpraktijk De Linde', helpdeskContact: 'Bel 020 123 4567 (ma-vr 9-17)' };
const link = 'https://linde.example.nl/welcome/abc.DEF_123';

function buildTemplates(name: string): EmailTemplate[] {
  return [
    { kind: 'welcome', name, link, validHours: 168 },
    { kind: 'registration', name, link, validHours: 24 },
    { kind: 'already_registered', loginLink: 'https://linde.example.nl/login', resetLink: 'https://linde.example.nl/password/forgot' },
    { kind: 'password_reset', name, link, validMinutes: 60 },
    { kind: 'password_changed', name, helpLink: 'https://linde.example.nl/help' },
  ];
}

function linksOf(template: EmailTemplate): string[] {
  switch (template.kind) {
    case 'already_registered':
      return [template.loginLink, template.resetLink];
    case 'password_changed':
      return [template.helpLink];
    default:
      return [template.link];
  }
}

describe('renderEmail', () => {
  for (const locale of locales) {
    for (const template of buildTemplates('Anna de Vries')) {
      it(`renders ${template.kind} in ${locale} with the org, the links and the helpdesk`, () => {
        const email = renderEmail(template, locale, org);
        for (const part of [email.subject, email.text, email.html]) {
          assert.ok(part.trim().length > 0);
          assert.ok(part.includes(org.name), `names the org: ${part.slice(0, 80)}`);
        }
        for (const url of linksOf(template)) {
          assert.ok(email.text.includes(url));
          assert.ok(email.html.includes(`href="${escapeHtml(url)}"`));
          assert.ok(email.html.includes(`<br>${escapeHtml(url)}</p>`), 'the URL is also visible as text');
        }
        assert.ok(email.text.includes(org.helpdeskContact));
        assert.ok(email.html.includes(escapeHtml(org.helpdeskContact)));
        assert.match(email.html, new RegExp(`^<!DOCTYPE html>\\n<html lang="${locale}">`));
        assert.match(email.html, /<title>[^<]+<\/title>/);
        assert.doesNotMatch(email.html, /<script|<img|<link|src=/i);
        if ('name' in template) assert.ok(email.text.includes(template.name));
      });
    }
  }

  it('differs between Dutch and English for every kind', () => {
    for (const template of buildTemplates('Anna')) {
      const nl = renderEmail(template, 'nl', org);
      const en = renderEmail(template, 'en', org);
      assert.notEqual(nl.subject, en.subject);
      assert.notEqual(nl.text, en.text);
      assert.notEqual(nl.html, en.html);
    }
  });

  it('says how long a link is valid and that it works once', () => {
    assert.match(renderEmail(buildTemplates('Anna')[0]!, 'nl', org).text, /7 dagen geldig en werkt maar één keer/);
    assert.match(renderEmail(buildTemplates('Anna')[0]!, 'en', org).text, /valid for 7 days and works only once/);
    assert.match(renderEmail(buildTemplates('Anna')[3]!, 'nl', org).text, /1 uur geldig/);
    assert.match(renderEmail({ kind: 'password_reset', name: 'A', link, validMinutes: 30 }, 'en', org).text, /30 minutes/);
  });

  it('puts the org in the subject the way the spec shows', () => {
    assert.equal(renderEmail(buildTemplates('Anna')[0]!, 'nl', org).subject, `Welkom bij ${org.name}: stel je wachtwoord in`);
  });

  it('escapes a hostile name and org name in the HTML and keeps them literal in the text', () => {
    const name = '<script>alert(1)</script>';
    const hostileOrg: OrgBranding = { name: 'Zorg "&<>" BV', helpdeskContact: '<b>help</b> & more' };
    for (const locale of locales) {
      for (const template of buildTemplates(name)) {
        const email = renderEmail(template, locale, hostileOrg);
        assert.doesNotMatch(email.html, /<script/i);
        assert.ok(!email.html.includes(hostileOrg.name));
        assert.ok(!email.html.includes('<b>help</b>'));
        assert.ok(email.html.includes('Zorg &quot;&amp;&lt;&gt;&quot; BV'));
        assert.ok(email.html.includes('&lt;b&gt;help&lt;/b&gt; &amp; more'));
        assert.ok(email.text.includes(hostileOrg.name));
        assert.ok(email.text.includes(hostileOrg.helpdeskContact));
        if ('name' in template) {
          assert.ok(email.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
          assert.ok(email.text.includes(name));
        }
      }
    }
  });

  it('never puts a line break in the subject, whatever the name or org name holds', () => {
    const injection = 'Zorg\r\nBcc: x@evil';
    for (const locale of locales) {
      for (const template of buildTemplates(injection)) {
        const email = renderEmail(template, locale, { name: injection, helpdeskContact: '' });
        assert.doesNotMatch(email.subject, /[\r\n\u2028\u2029\u0085]/);
        assert.ok(email.subject.includes('Zorg Bcc: x@evil'));
        assert.doesNotMatch(email.text, /^Bcc:/m, 'no line of the body starts with the injected text');
      }
    }
  });

  it('leaves out the helpdesk paragraph when the org has no contact text', () => {
    const email = renderEmail(buildTemplates('Anna')[0]!, 'en', { name: 'Zorg', helpdeskContact: '  ' });
    assert.doesNotMatch(email.text, /helpdesk/);
    assert.doesNotMatch(email.html, /helpdesk/);
  });

  it('refuses a link that is not http(s), since our own code built it', () => {
    assert.throws(() => renderEmail({ kind: 'welcome', name: 'A', link: 'javascript:alert(1)', validHours: 1 }, 'nl', org));
  });
});
