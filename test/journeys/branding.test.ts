// SPEC 6, issue 12: an organization's own colour, logo and favicon, set on /admin/branding (with
// step-up) and by `org:brand`; checked as an attacker would try them, over HTTP.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { projectRoot } from '../../src/core/project-root.js';
import { listAuditEvents } from '../../src/audit/audit.js';
import { findOrganizationBySlug } from '../../src/tenants/organizations.js';
import { pngImage } from '../../src/tenants/brand-image.test.js';
import { TestBrowser } from '../browser-client.js';
import { createActiveAccount, createTestApp, createTestOrg, hostOf, loggedInBrowser, type TestApp } from '../harness.js';
import { enableTotp } from '../two-factor-helpers.js';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

const logo = readFileSync(join(projectRoot, 'test', 'fixtures', 'zonnehof-logo.svg'));
const svgFile = (data: Buffer | string) => ({ filename: 'logo.svg', type: 'image/svg+xml', data: Buffer.from(data) });

async function adminBrowser() {
  const org = await createTestOrg(t, { name: 'Zorggroep Oost' });
  const admin = await createActiveAccount(t, org, { role: 'admin' });
  const browser = await loggedInBrowser(t, org, admin);
  assert.equal((await browser.get('/admin/branding')).statusCode, 200);
  return { org, admin, browser };
}

const current = async (slug: string) => (await findOrganizationBySlug(t.deps.db, slug))!;

describe('/admin/branding (SPEC 6)', () => {
  test('an admin sets colour and logo with the password; every page, the favicon and the mails carry them; audited', async () => {
    const { org, admin, browser } = await adminBrowser();
    const saved = await browser.postMultipart('/admin/branding', { color: '#00664F', password: admin.password }, { logo: svgFile(logo) });
    assert.equal(saved.headers.location, '/admin/branding?saved=1', saved.body.slice(0, 2000));
    const changed = await current(org.slug);
    assert.equal(changed.brand.color, '#00664f');
    assert.match(changed.brand.logoDigest ?? '', /^[0-9a-f]{16}$/);

    const visitor = new TestBrowser(t.app, hostOf(org));
    const login = await visitor.get('/login');
    assert.match(login.body, new RegExp(`<img class="org-logo" src="/brand/logo\\?v=${changed.brand.logoDigest}" alt="" height="48">`));
    const stylesheet = /href="(\/brand\.css\?v=[0-9a-f]+)"/.exec(login.body)![1]!;
    const css = await visitor.get(stylesheet);
    assert.match(css.body, /--ingang-brand: #00664f;/);
    assert.equal(css.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal((await visitor.get('/brand.css?v=old')).headers['cache-control'], 'no-cache', 'an old version is not cached for a year');

    const image = await visitor.get(`/brand/logo?v=${changed.brand.logoDigest}`);
    assert.equal(image.statusCode, 200);
    assert.equal(image.headers['content-type'], 'image/svg+xml');
    assert.equal(image.headers['x-content-type-options'], 'nosniff');
    assert.equal(image.headers['content-security-policy'], "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    assert.equal(image.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.ok(image.rawPayload.equals(logo), 'the logo as uploaded');
    const favicon = await visitor.get('/favicon.ico');
    assert.ok(favicon.rawPayload.equals(logo), 'without an icon of its own the logo is the favicon');

    const events = await listAuditEvents(t.deps.db, { tenantId: org.tenantId, event: 'branding_changed', limit: 10 });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.actorAccountId, admin.id);
    assert.equal(events[0]!.details.keys, 'color,logo');

    // Mails carry the same name, logo and colour.
    await browser.submit('/account/password', '/account/password', { currentPassword: admin.password, password: 'a new and longer passphrase 42', passwordConfirm: 'a new and longer passphrase 42' });
    await t.jobs.runDue();
    const mail = t.mail.last(admin.email);
    assert.match(mail.html, new RegExp(`<img src="http://${hostOf(org).replace(/\./g, '\\.')}(:\\d+)?/brand/logo\\?v=${changed.brand.logoDigest}"`));
    assert.match(mail.html, /border-bottom:6px solid #00664f/);
    assert.match(mail.html, /Zorggroep Oost/);
  });

  test('a step-up is asked every time, and a code too where the admin has two-step verification', async () => {
    const { org, admin, browser } = await adminBrowser();
    const withoutPassword = await browser.postMultipart('/admin/branding', { color: '#00664f' });
    assert.equal(withoutPassword.statusCode, 400);
    assert.match(withoutPassword.body, /id="password-error"/);
    const wrongPassword = await browser.postMultipart('/admin/branding', { color: '#00664f', password: 'not the password at all' });
    assert.equal(wrongPassword.statusCode, 400);
    assert.equal((await current(org.slug)).brand.color, null, 'nothing changed');

    const { app } = await enableTotp(t, browser);
    await browser.get('/admin/branding');
    const passwordOnly = await browser.postMultipart('/admin/branding', { color: '#00664f', password: admin.password });
    assert.equal(passwordOnly.statusCode, 400);
    assert.match(passwordOnly.body, /id="code-error"/);
    const both = await browser.postMultipart('/admin/branding', { color: '#00664f', password: admin.password, code: app.code(t, 1) });
    assert.equal(both.headers.location, '/admin/branding?saved=1', both.body.slice(0, 1500));
  });

  test('a colour that fails WCAG AA against white text is refused with its contrast; nothing changes', async () => {
    const { org, admin, browser } = await adminBrowser();
    const light = await browser.postMultipart('/admin/branding', { color: '#ffcc00', password: admin.password }, { logo: svgFile(logo) });
    assert.equal(light.statusCode, 400);
    assert.match(light.body, /id="color-error">This colour is too light: white text on it has a contrast of 1\.51 : 1, and at least 4\.5 : 1 is needed/);
    assert.match(light.body, /value="#ffcc00"/, 'what was typed is kept');
    const css = await browser.get('/brand.css');
    assert.match(css.body, /--ingang-brand: #0b5394;/);
    const garbage = await browser.postMultipart('/admin/branding', { color: 'red;} body{display:none', password: admin.password });
    assert.equal(garbage.statusCode, 400);
    assert.match(garbage.body, /id="color-error">Enter the colour as #/);
    const after = await current(org.slug);
    assert.deepEqual(after.brand, { color: null, logoDigest: null, faviconDigest: null }, 'one bad value changes nothing, not even the good logo');
  });

  test('hostile images are refused with the reason: scripts, event handlers, outside references, fake PNGs, oversize', async () => {
    const { org, admin, browser } = await adminBrowser();
    const tries: [string, { filename: string; type: string; data: Buffer }, RegExp][] = [
      ['script', svgFile('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'), /contains a script/],
      ['onload', svgFile('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'), /event attribute/],
      ['tracker', svgFile('<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/x.svg#a"/></svg>'), /refers to something outside the file \(href\)/],
      ['html as png', { filename: 'logo.png', type: 'image/png', data: Buffer.from('<html><script>alert(1)</script></html>') }, /Choose a PNG or SVG file/],
      ['broken png', { filename: 'logo.png', type: 'image/png', data: pngImage(8, 8).subarray(0, 40) }, /This PNG file is damaged/],
      ['oversize', { filename: 'logo.png', type: 'image/png', data: Buffer.concat([pngImage(8, 8), Buffer.alloc(31_000)]) }, /larger than 30 kB/],
    ];
    for (const [what, file, reason] of tries) {
      const answer = await browser.postMultipart('/admin/branding', { color: '', password: admin.password }, { logo: file });
      assert.equal(answer.statusCode, 400, what);
      assert.match(answer.body, /id="logo-error"/, what);
      assert.match(answer.body, reason, what);
    }
    assert.equal((await current(org.slug)).brand.logoDigest, null);
    assert.equal((await browser.get('/brand/logo')).statusCode, 404);
  });

  test('a favicon of its own, a PNG; removing them goes back to the logo and to the initial', async () => {
    const { org, admin, browser } = await adminBrowser();
    const png = pngImage(32, 32);
    const saved = await browser.postMultipart('/admin/branding', { color: '', password: admin.password }, { logo: svgFile(logo), favicon: { filename: 'icon.png', type: 'image/png', data: png } });
    assert.equal(saved.headers.location, '/admin/branding?saved=1');
    const favicon = await browser.get('/favicon.ico');
    assert.equal(favicon.headers['content-type'], 'image/png');
    assert.ok(favicon.rawPayload.equals(png));
    await browser.get('/admin/branding');
    await browser.postMultipart('/admin/branding', { color: '', removeFavicon: 'true', password: admin.password });
    assert.ok((await browser.get('/favicon.ico')).rawPayload.equals(logo), 'the logo again');
    await browser.get('/admin/branding');
    await browser.postMultipart('/admin/branding', { color: '', removeLogo: 'true', password: admin.password });
    const initial = await browser.get('/favicon.ico');
    assert.equal(initial.headers['content-type'], 'image/svg+xml');
    assert.match(initial.body, />Z<\/text><\/svg>$/, 'the first letter of Zorggroep Oost');
    assert.equal((await current(org.slug)).brand.logoDigest, null);
  });

  test('only admins: others get 404, a forged upload without the CSRF token is refused', async () => {
    const org = await createTestOrg(t);
    const helpdesk = await createActiveAccount(t, org, { role: 'helpdesk' });
    const staff = await loggedInBrowser(t, org, helpdesk);
    assert.equal((await staff.get('/admin/branding')).statusCode, 404);
    assert.equal((await staff.postMultipart('/admin/branding', { color: '#000000', password: helpdesk.password })).statusCode, 404);
    const admin = await createActiveAccount(t, org, { role: 'admin' });
    const browser = await loggedInBrowser(t, org, admin);
    const forged = await browser.postMultipart('/admin/branding', { _csrf: 'forged', color: '#000000', password: admin.password });
    assert.equal(forged.statusCode, 403);
    assert.equal((await current(org.slug)).brand.color, null);
  });

  test('a malformed multipart body is refused with 400, and the app API takes no multipart at all', async () => {
    const { org, browser } = await adminBrowser();
    const broken = await t.app.inject({
      method: 'POST',
      url: '/admin/branding',
      headers: { host: hostOf(org), origin: `http://${hostOf(org)}`, 'content-type': 'multipart/form-data; boundary=x', cookie: [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      payload: '--x\r\nContent-Disposition: form-data; name="color"\r\n\r\n#000000',
    });
    assert.equal(broken.statusCode, 400);
    const api = await t.app.inject({ method: 'POST', url: '/api/app/v1/login/password', headers: { host: hostOf(org), 'content-type': 'multipart/form-data; boundary=x' }, payload: '--x--\r\n' });
    assert.equal(api.statusCode, 415);
  });
});
