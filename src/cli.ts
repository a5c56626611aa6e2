import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildApp } from './app.js';
import { noRequestContext } from './audit/audit.js';
import { ConfigError, loadConfig } from './config.js';
import { systemClock } from './core/clock.js';
import { cryptoRandom } from './core/random.js';
import { DataDirBusyError } from './db/data-dir-lock.js';
import { openDatabase } from './db/open.js';
import type { Deps } from './deps.js';
import { listOpenIdClients, registerOpenIdClient, removeOpenIdClient, rotateOpenIdKeys } from './flows/openid-clients.js';
import { createAccount } from './flows/staff/create-account.js';
import { createOrganizationAsOperator, findOrganization, listOrganizationAddresses } from './flows/staff/organizations.js';
import { changeOrganizationBranding, minimumContrast, maxBrandImageBytes, type BrandingChange, type BrandingProblem } from './flows/staff/branding.js';
import { changeOrganizationPolicy } from './flows/staff/policy.js';
import { createMailTransport } from './mail-setup.js';
import type { Locale } from './core/locale.js';

/** Operator commands (SPEC 9): `npm run cli -- <command> [options]`. */
const usage = `Usage: npm run cli -- <command> [options]
  org:create --slug S --name N [--host H]... [--locale nl|en] [--helpdesk TEXT]
  org:policy --slug S --set key=value...
  org:brand --slug S [--logo FILE] [--color #RRGGBB] [--favicon FILE]
  org:list
  account:create --org S --email E --name N --role client|professional|helpdesk|admin [--locale nl|en]
  client:create --org S --name N --redirect-uri U... [--post-logout-uri U]... [--backchannel-logout-uri U] [--public] [--first-party] [--offline]
  client:list --org S
  client:remove --org S --id C
  oidc:rotate-keys --org S`;

class UsageError extends Error {}

/** A value broke a rule: the message names the rule, and the whole usage is not repeated. */
class RuleError extends Error {}

const organizationRules: Record<string, string> = {
  invalid_slug: 'lower-case letters, digits and dashes, 1 to 63, not starting or ending with a dash',
  invalid_name: '1 to 200 characters on one line',
  invalid_host: 'a host name without a port, e.g. zorg.example.nl',
  slug_taken: 'another organization has this slug',
  host_taken: 'another organization has this host name',
};

/** The rule a refused colour or image broke, in the words of the command line. */
function brandingProblemText(problem: BrandingProblem): string {
  if (problem.error === 'invalid_color') return 'invalid_color: # and six hex digits, e.g. #0b5394';
  if (problem.error === 'low_contrast') return `low_contrast: white text on it has ${problem.contrast}:1, WCAG AA needs at least ${minimumContrast}:1`;
  const rules: Record<typeof problem.problem, string> = {
    empty: 'the file is empty',
    too_large: `at most ${maxBrandImageBytes} bytes`,
    not_png_or_svg: 'a PNG or SVG file',
    png_malformed: 'a PNG whose chunks and checksums are intact',
    png_too_many_pixels: 'at most 2048 × 2048 pixels',
    svg_malformed: 'an SVG that can be checked',
    svg_doctype: 'an SVG without DOCTYPE or ENTITY',
    svg_script: 'an SVG without scripts',
    svg_event_attribute: 'an SVG without event attributes',
    svg_external_reference: 'an SVG that refers to nothing outside itself',
    svg_element_not_allowed: 'an SVG of drawing elements only',
  };
  return `${problem.problem}: ${rules[problem.problem]}${problem.detail ? ` (${problem.detail})` : ''}`;
}

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

function locale(value: unknown, fallback: Locale | ''): Locale | '' {
  if (value === undefined) return fallback;
  if (value === 'nl' || value === 'en') return value;
  throw new UsageError('--locale must be nl or en');
}

async function run(command: string, args: string[], deps: Deps, out: (line: string) => void): Promise<void> {
  switch (command) {
    case 'org:create': {
      const { values } = parseArgs({ args, options: { slug: { type: 'string' }, name: { type: 'string' }, host: { type: 'string', multiple: true }, locale: { type: 'string' }, helpdesk: { type: 'string' } } });
      const result = await createOrganizationAsOperator(deps, {
        slug: required(values, 'slug'),
        name: required(values, 'name'),
        hostnames: values.host ?? [],
        defaultLocale: (locale(values.locale, 'nl') || 'nl') as Locale,
        helpdeskContact: values.helpdesk ?? '',
      });
      if (!result.ok) throw new RuleError(`cannot create organization: ${result.error}: ${organizationRules[result.error] ?? ''}${result.detail ? ` (${result.detail})` : ''}`);
      out(`created organization ${result.organization.slug} at ${result.address}`);
      return;
    }
    case 'org:policy': {
      const { values, tokens } = parseArgs({ args, options: { slug: { type: 'string' }, set: { type: 'string', multiple: true } }, allowPositionals: true, tokens: true });
      // SPEC 9 writes `--set key=value...`: one --set followed by several pairs, or --set before each.
      const pairs: string[] = [];
      let afterSet = false;
      for (const token of tokens) {
        if (token.kind === 'option') {
          afterSet = token.name === 'set';
          if (afterSet && token.value !== undefined) pairs.push(token.value);
        } else if (token.kind === 'positional') {
          if (!afterSet) throw new UsageError(`unexpected "${token.value}": pairs follow --set`);
          pairs.push(token.value);
        }
      }
      const org = await findOrganization(deps, required(values, 'slug'));
      if (!org) throw new UsageError(`no organization with slug ${values.slug}`);
      const changes: Record<string, string> = {};
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0) throw new UsageError(`--set takes key=value, got "${pair}"`);
        changes[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
      }
      if (Object.keys(changes).length === 0) {
        out(JSON.stringify(org.policy, null, 2));
        return;
      }
      const changed = await changeOrganizationPolicy(deps, org, { kind: 'operator' }, noRequestContext, changes);
      if (!changed.ok) {
        if (changed.error !== 'invalid_policy') throw new Error(`unexpected: ${changed.error}`);
        const [key, problem] = Object.entries(changed.problems)[0]!;
        throw new RuleError(`${key} ${problem}`);
      }
      out(JSON.stringify(changed.policy, null, 2));
      return;
    }
    case 'org:brand': {
      const { values } = parseArgs({ args, options: { slug: { type: 'string' }, logo: { type: 'string' }, color: { type: 'string' }, favicon: { type: 'string' } } });
      const org = await findOrganization(deps, required(values, 'slug'));
      if (!org) throw new UsageError(`no organization with slug ${values.slug}`);
      const change: BrandingChange = {};
      if (values.color !== undefined) change.color = values.color;
      for (const kind of ['logo', 'favicon'] as const) {
        const path = values[kind];
        if (path === undefined) continue;
        if (path === 'none') change[kind] = 'remove';
        else {
          try {
            change[kind] = await readFile(path);
          } catch (error) {
            throw new RuleError(`cannot read --${kind} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
          }
        }
      }
      const changed = await changeOrganizationBranding(deps, org, { kind: 'operator' }, noRequestContext, change);
      if (!changed.ok) {
        if (changed.error !== 'invalid_branding') throw new Error(`unexpected: ${changed.error}`);
        throw new RuleError(Object.entries(changed.problems).map(([key, problem]) => `--${key}: ${brandingProblemText(problem)}`).join('; '));
      }
      out(changed.changed.length === 0 ? 'nothing changed' : `changed ${changed.changed.join(', ')} of ${org.slug}`);
      return;
    }
    case 'org:list': {
      for (const { organization: org, address } of await listOrganizationAddresses(deps)) out(`${org.slug}\t${org.name}\t${address}\t${org.defaultLocale}`);
      return;
    }
    case 'account:create': {
      const { values } = parseArgs({ args, options: { org: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, locale: { type: 'string' } } });
      const org = await findOrganization(deps, required(values, 'org'));
      if (!org) throw new UsageError(`no organization with slug ${values.org}`);
      const result = await createAccount(deps, org, null, noRequestContext, {
        email: required(values, 'email'),
        name: required(values, 'name'),
        role: required(values, 'role'),
        locale: locale(values.locale, ''),
      });
      if (!result.ok) throw new UsageError(`cannot create account: ${Object.entries(result.problems).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
      // Nothing secret is printed: the welcome link goes out by e-mail through the outbox.
      out(`created ${result.account.role} account ${result.account.email} (${result.account.id}); the welcome e-mail is queued and a running server delivers it`);
      return;
    }
    case 'client:create': {
      const { values } = parseArgs({
        args,
        options: {
          org: { type: 'string' },
          name: { type: 'string' },
          'redirect-uri': { type: 'string', multiple: true },
          'post-logout-uri': { type: 'string', multiple: true },
          'backchannel-logout-uri': { type: 'string' },
          public: { type: 'boolean' },
          'first-party': { type: 'boolean' },
          offline: { type: 'boolean' },
        },
      });
      const org = await findOrganization(deps, required(values, 'org'));
      if (!org) throw new UsageError(`no organization with slug ${values.org}`);
      const made = await registerOpenIdClient(deps, org, {
        name: required(values, 'name'),
        redirectUris: values['redirect-uri'] ?? [],
        postLogoutRedirectUris: values['post-logout-uri'] ?? [],
        backchannelLogoutUri: values['backchannel-logout-uri'] ?? null,
        public: values.public ?? false,
        firstParty: values['first-party'] ?? false,
        offlineAccess: values.offline ?? false,
      });
      if (!made.ok) throw new UsageError(`cannot create client: ${made.error} (redirect and logout URIs must be absolute https, or http on localhost, without a fragment; a back-channel logout URI https in production)`);
      out(`client_id: ${made.client.clientId}`);
      // Shown this once; only its digest is kept.
      if (made.secret) out(`client_secret: ${made.secret}`);
      return;
    }
    case 'client:list': {
      const { values } = parseArgs({ args, options: { org: { type: 'string' } } });
      const org = await findOrganization(deps, required(values, 'org'));
      if (!org) throw new UsageError(`no organization with slug ${values.org}`);
      for (const c of await listOpenIdClients(deps, org)) {
        out(`${c.clientId}\t${c.name}\t${c.confidential ? 'confidential' : 'public'}${c.firstParty ? '\tfirst-party' : ''}${c.offlineAccess ? '\toffline' : ''}\t${c.redirectUris.join(' ')}`);
      }
      return;
    }
    case 'client:remove': {
      const { values } = parseArgs({ args, options: { org: { type: 'string' }, id: { type: 'string' } } });
      const org = await findOrganization(deps, required(values, 'org'));
      if (!org) throw new UsageError(`no organization with slug ${values.org}`);
      if (!(await removeOpenIdClient(deps, org, required(values, 'id')))) throw new UsageError(`no client ${values.id} in ${org.slug}`);
      out(`removed client ${values.id}; its grants and tokens no longer work`);
      return;
    }
    case 'oidc:rotate-keys': {
      const { values } = parseArgs({ args, options: { org: { type: 'string' } } });
      const org = await findOrganization(deps, required(values, 'org'));
      if (!org) throw new UsageError(`no organization with slug ${values.org}`);
      const kid = await rotateOpenIdKeys(deps, org);
      out(`new signing key ${kid}; the old ones stay published for a day; running servers sign with the new one within 5 minutes`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(`${usage}\n`);
    return command ? 0 : 2;
  }
  let config;
  let opened;
  try {
    config = loadConfig();
    opened = await openDatabase(config, 'cli');
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DataDirBusyError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  try {
    const mail = createMailTransport(config, () => app.log);
    const { app, deps } = await buildApp({ config, db: opened.db, clock: systemClock, random: cryptoRandom, mail, sms: null, logger: false });
    await run(command, args, deps, (line) => process.stdout.write(`${line}\n`));
    return 0;
  } catch (error) {
    if (error instanceof RuleError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n${usage}\n`);
      return 2;
    }
    throw error;
  } finally {
    await opened.release();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
