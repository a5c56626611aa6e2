import type { Config } from '../config.js';
import { primaryHostname, type Organization } from './organizations.js';

/** Links in e-mails come from the org's configured primary host, never from request headers (SPEC 1). */
export function publicUrl(config: Config, org: Organization, path: string): string {
  const defaultPort = config.publicScheme === 'https' ? 443 : 80;
  const port = config.publicPort && config.publicPort !== defaultPort ? `:${config.publicPort}` : '';
  return `${config.publicScheme}://${primaryHostname(org, config.baseDomain)}${port}${path}`;
}
