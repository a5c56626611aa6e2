import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeHtml } from '../core/html.js';
import { maxDeviceNameLength, renderEmail, type EmailTemplate, type Locale, type OrgBranding } from './email-templates.js';

const locales: Locale[] = ['nl', 'en'];
const org: OrgBranding = { name: 'Huisartsenpraktijk De Linde', helpdeskContact: 'Bel 020 123 4567 (ma-vr 9-17)' };
const link = 'https://linde.example.nl/welcome/abc.DEF_123';
const helpLink = 'https://linde.example.nl/help';
const devicesLink = 'https://linde.example.nl/account/devices';
const policyLink = 'https://linde.example.nl/admin/policy';

function buildTemplates(name: string): EmailTemplate[] {
  return [
    { kind: 'welcome', name, link, validHours: 168 },
    { kind: 'registration', link, validHours: 24 },
    { kind: 'already_registered', loginLink: 'https://linde.example.nl/login', resetLink: 'https://linde.example.nl/password/forgot' },
    { kind: 'password_reset', name, link, validMinutes: 60 },
    { kind: 'password_changed', name, helpLink },
    { kind: 'password_changed', name, helpLink, passkeys: [`Telefoon van ${name}`, 'YubiKey'], passkeysLink: 'https://linde.example.nl/account/passkeys' },
    { kind: 'two_factor_enabled', name, method: 'totp', replaced: false, helpLink },
    { kind: 'two_factor_enabled', name, method: 'sms', replaced: false, helpLink },
    { kind: 'two_factor_enabled', name, method: 'sms', replaced: true, helpLink },
    { kind: 'two_factor_disabled', name, helpLink },
    { kind: 'two_factor_reset_by_staff', name, helpLink },
    { kind: 'recovery_codes_regenerated', name, helpLink },
    { kind: 'recovery_code_used', name, remaining: 4, helpLink },
    { kind: 'recovery_code_used', name, remaining: 1, helpLink },
    { kind: 'recovery_code_used', name, remaining: 0, helpLink },
    { kind: 'app_device_added', name, deviceName: `iPhone ${name}`, devicesLink, helpLink },
    { kind: 'passkey_added', name, passkeyName: `Telefoon van ${name}`, passkeysLink: 'https://linde.example.nl/account/passkeys', helpLink },
    { kind: 'policy_weakened', name, changedBy: `${name} <admin@linde.example.nl>`, changes: [{ key: 'twoFactorStaff', from: 'required', to: 'off' }], policyLink },
  ];
}

function linksOf(template: EmailTemplate): string[] {
  switch (template.kind) {
    case 'already_registered':
      return [template.loginLink, template.resetLink];
    case 'welcome':
    case 'registration':
    case 'password_reset':
      return [template.link];
    case 'app_device_added':
      return [template.devicesLink, template.helpLink];
    case 'passkey_added':
      return [template.passkeysLink, template.helpLink];
    case 'password_changed':
      return template.passkeysLink ? [template.passkeysLink, template.helpLink] : [template.helpLink];
    case 'policy_weakened':
      return [template.policyLink];
    default:
      return [template.helpLink];
  }
}

/** Several entries share a kind; the variant tells the test names apart. */
function describeTemplate(template: EmailTemplate): string {
  if (template.kind === 'two_factor_enabled') return `${template.kind} (${template.method}${template.replaced ? ', replacing another' : ''})`;
  if (template.kind === 'recovery_code_used') return `${template.kind} (${template.remaining} left)`;
  if (template.kind === 'password_changed' && template.passkeys) return `${template.kind} (passkeys listed)`;
  return template.kind;
}

describe('renderEmail', () => {
  for (const locale of locales) {
    for (const template of buildTemplates('Anna de Vries')) {
      it(`renders ${describeTemplate(template)} in ${locale} with the org, the links and the helpdesk`, () => {
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
        if ('deviceName' in template) assert.ok(email.text.includes(template.deviceName));
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
        if ('deviceName' in template) {
          assert.ok(email.html.includes('iPhone &lt;script&gt;alert(1)&lt;/script&gt;'));
          assert.ok(email.text.includes(template.deviceName));
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

  it('says which method two-step verification was turned on with', () => {
    const totp = { kind: 'two_factor_enabled', name: 'Anna', method: 'totp', replaced: false, helpLink } as const;
    const sms = { ...totp, method: 'sms' } as const;
    assert.match(renderEmail(totp, 'en', org).text, /with an authenticator app/);
    assert.match(renderEmail(sms, 'en', org).text, /with text messages \(SMS\)/);
    assert.match(renderEmail(totp, 'nl', org).text, /met een authenticator-app/);
    assert.match(renderEmail(sms, 'nl', org).text, /met sms\./);
    for (const locale of locales) {
      assert.doesNotMatch(renderEmail(totp, locale, org).text, /sms/i);
      assert.doesNotMatch(renderEmail(sms, locale, org).text, /authenticator/i);
      assert.ok(renderEmail(sms, locale, org).html.includes(locale === 'nl' ? 'met sms.' : 'with text messages (SMS).'));
    }
  });

  it('says "changed", not "turned on", when the new method took the place of another', () => {
    const changed = { kind: 'two_factor_enabled', name: 'Anna', method: 'totp', replaced: true, helpLink } as const;
    assert.match(renderEmail(changed, 'en', org).subject, /was changed/);
    assert.match(renderEmail(changed, 'en', org).text, /was just changed; it now works with an authenticator app\./);
    assert.match(renderEmail(changed, 'en', org).text, /earlier app or phone number no longer works/);
    assert.match(renderEmail(changed, 'nl', org).subject, /is gewijzigd/);
    assert.match(renderEmail(changed, 'nl', org).text, /is net gewijzigd; die werkt nu met een authenticator-app\./);
    for (const locale of locales) assert.doesNotMatch(renderEmail(changed, locale, org).text, /turned on|aangezet/);
  });

  it('says how many recovery codes are left, in the right number, and urges new ones when few are left', () => {
    const used = (remaining: number) => ({ kind: 'recovery_code_used', name: 'Anna', remaining, helpLink }) as const;
    assert.match(renderEmail(used(5), 'en', org).text, /You have 5 recovery codes left\./);
    assert.match(renderEmail(used(1), 'en', org).text, /You have 1 recovery code left\./);
    assert.match(renderEmail(used(0), 'en', org).text, /You have 0 recovery codes left\./);
    assert.match(renderEmail(used(5), 'nl', org).text, /Je hebt nu nog 5 herstelcodes over\./);
    assert.match(renderEmail(used(1), 'nl', org).text, /Je hebt nu nog 1 herstelcode over\./);
    assert.match(renderEmail(used(0), 'nl', org).text, /Je hebt nu 0 herstelcodes over\./);
    for (const remaining of [0, 1, 2, 5]) {
      const en = renderEmail(used(remaining), 'en', org);
      const nl = renderEmail(used(remaining), 'nl', org);
      for (const part of [en.text, en.html, nl.text, nl.html]) assert.match(part, new RegExp(`\\b${remaining} `));
      assert.equal(/Make new recovery codes soon in your account settings/.test(en.text), remaining <= 1, `en, ${remaining} left`);
      assert.equal(/Maak snel nieuwe herstelcodes aan in je accountinstellingen/.test(nl.text), remaining <= 1, `nl, ${remaining} left`);
    }
  });

  it('tells the user what a staff reset removed and where to turn if they did not ask for it', () => {
    const reset = { kind: 'two_factor_reset_by_staff', name: 'Anna', helpLink } as const;
    const en = renderEmail(reset, 'en', org).text;
    assert.match(en, /recovery codes, your passkeys and your trusted browsers were removed\. You were also logged out everywhere\./);
    assert.match(en, /set up two-step verification again/);
    assert.match(en, /Did you not ask for this\? Then contact the Huisartsenpraktijk De Linde helpdesk right away\./);
    const nl = renderEmail(reset, 'nl', org).text;
    assert.match(nl, /je herstelcodes, je passkeys en je vertrouwde browsers zijn verwijderd\. Je bent ook overal uitgelogd\./);
    assert.match(nl, /Neem dan meteen contact op met de helpdesk van Huisartsenpraktijk De Linde\./);
  });

  it('says the old recovery codes no longer work after new ones were made', () => {
    const regenerated = { kind: 'recovery_codes_regenerated', name: 'Anna', helpLink } as const;
    assert.match(renderEmail(regenerated, 'en', org).text, /Your old recovery codes no longer work\./);
    assert.match(renderEmail(regenerated, 'nl', org).text, /Je oude herstelcodes werken niet meer\./);
  });

  it('names the linked device and says to remove it and call the helpdesk if that was not you', () => {
    const added = { kind: 'app_device_added', name: 'Anna', deviceName: 'Pixel 8 van Anna', devicesLink, helpLink } as const;
    const en = renderEmail(added, 'en', org);
    assert.equal(en.subject, `The app was linked to your account with ${org.name}`);
    assert.match(en.text, /The app on the device "Pixel 8 van Anna" was just linked to your account with Huisartsenpraktijk De Linde\./);
    assert.match(en.text, /log in on that device with its PIN/);
    assert.match(en.text, /Did you not do this yourself\? Then remove the device right away under Your devices, and contact the Huisartsenpraktijk De Linde helpdesk\./);
    assert.match(en.text, new RegExp(`Your devices:\n${devicesLink}`));
    assert.ok(en.html.includes('The app on the device &quot;Pixel 8 van Anna&quot; was just linked'));
    const nl = renderEmail(added, 'nl', org);
    assert.equal(nl.subject, `De app is gekoppeld aan je account bij ${org.name}`);
    assert.match(nl.text, /De app op het apparaat "Pixel 8 van Anna" is net gekoppeld aan je account bij Huisartsenpraktijk De Linde\./);
    assert.match(nl.text, /Heb je dit niet zelf gedaan\? Verwijder het apparaat dan meteen bij Je apparaten en neem contact op met de helpdesk van Huisartsenpraktijk De Linde\./);
    assert.match(nl.text, new RegExp(`Je apparaten:\n${devicesLink}`));
    for (const email of [en, nl]) {
      assert.doesNotMatch(email.subject, /Pixel/, 'the device name, chosen by whoever linked it, stays out of the subject');
      assert.ok(email.html.includes(`href="${devicesLink}"`) && email.html.includes(`href="${helpLink}"`));
    }
  });

  it('keeps a device name to one short line', () => {
    const added = (deviceName: string) => ({ kind: 'app_device_added', name: 'Anna', deviceName, devicesLink, helpLink }) as const;
    const forged = renderEmail(added('Pixel\r\n\r\nAll is well, ignore this mail.\u2028Bcc: x@evil'), 'en', org).text;
    assert.match(forged, /"Pixel All is well, ignore this mail\. Bcc: x@evil"/);
    assert.doesNotMatch(forged, /^(All is well|Bcc:)/m);
    const long = `${'📱'.repeat(maxDeviceNameLength)}tail`;
    for (const locale of locales) {
      const email = renderEmail(added(long), locale, org);
      assert.ok(email.text.includes(`"${'📱'.repeat(maxDeviceNameLength - 1)}…"`), 'cut at whole characters, with an ellipsis');
      assert.doesNotMatch(email.text, /tail/);
    }
    assert.ok(renderEmail(added('a'.repeat(maxDeviceNameLength)), 'en', org).text.includes(`"${'a'.repeat(maxDeviceNameLength)}"`), 'exactly the limit is kept whole');
  });

  it('refuses a link that is not http(s), since our own code built it', () => {
    assert.throws(() => renderEmail({ kind: 'welcome', name: 'A', link: 'javascript:alert(1)', validHours: 1 }, 'nl', org));
  });
});

describe('the policy_weakened mail', () => {
  it('names who changed what, in the reader’s language, each change on its own line', () => {
    const template: EmailTemplate = {
      kind: 'policy_weakened',
      name: 'Bea',
      changedBy: 'Mallory\r\nBcc: x@evil.example <mallory@linde.example.nl>',
      changes: [{ key: 'twoFactorStaff', from: 'required', to: 'off' }, { key: 'idleMinutes', from: '60', to: '1440' }],
      policyLink,
    };
    const nl = renderEmail(template, 'nl', org);
    assert.match(nl.text, /Tweestapsverificatie voor medewerkers: required → off\nMinuten zonder activiteit voor een nieuwe controle: 60 → 1440/);
    const en = renderEmail(template, 'en', org);
    assert.match(en.subject, /less strict/);
    assert.match(en.text, /Two-step verification for staff: required → off/);
    assert.doesNotMatch(en.text, /\r|\nBcc:/, 'the name of who changed it is one line');
  });
});

it('the HTML carries the organization\'s name, logo and colour; a colour that is not #rrggbb never reaches the style', () => {
  const template = buildTemplates('Anna')[0]!;
  const branded = renderEmail(template, 'nl', { ...org, color: '#00664f', logoUrl: 'https://zorg.example/brand/logo?v=0123456789abcdef' });
  assert.match(branded.html, /<img src="https:\/\/zorg\.example\/brand\/logo\?v=0123456789abcdef" alt="" height="48"/);
  assert.match(branded.html, /border-bottom:6px solid #00664f/);
  assert.match(branded.html, /background:#00664f;color:#ffffff/);
  assert.match(branded.html, new RegExp(org.name));
  const plain = renderEmail(template, 'nl', org);
  assert.doesNotMatch(plain.html, /<img/);
  assert.match(plain.html, /background:#0b5394/);
  const hostile = renderEmail(template, 'nl', { ...org, color: 'red;background:url(https://evil.example/t)' });
  assert.doesNotMatch(hostile.html, /evil\.example/);
  assert.throws(() => renderEmail(template, 'nl', { ...org, logoUrl: 'javascript:alert(1)' }));
});
