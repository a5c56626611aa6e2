import type { Deps } from '../deps.js';
import type { Queryable } from '../db/db.js';
import { enqueueJob } from '../jobs/queue.js';
import type { Job } from '../jobs/queue.js';
import { renderEmail, type EmailTemplate } from './email-templates.js';
import type { Locale, Organization } from '../tenants/organizations.js';
import { publicUrl } from '../tenants/public-url.js';

export const emailJobKind = 'email';

/**
 * Renders a message in the recipient's language and puts it in the durable outbox, in the
 * caller's transaction: the mail goes out if and only if the change that caused it commits.
 */
export async function queueEmail(
  db: Queryable,
  deps: Pick<Deps, 'clock' | 'random' | 'config'>,
  org: Organization,
  recipient: { email: string; locale: Locale | null },
  template: EmailTemplate,
): Promise<void> {
  const locale = recipient.locale ?? org.defaultLocale;
  const logoUrl = org.brand.logoDigest === null ? null : publicUrl(deps.config, org, `/brand/logo?v=${org.brand.logoDigest}`);
  const rendered = renderEmail(template, locale, { name: org.name, helpdeskContact: org.helpdeskContact, color: org.brand.color, logoUrl });
  await enqueueJob(db, deps, org.tenantId, emailJobKind, { to: recipient.email, fromName: org.name, locale, template: template.kind, ...rendered });
}

/** The outbox job: sends, then keeps only what the dev outbox needs (bodies hold links with tokens). */
export function emailJobHandler(deps: Pick<Deps, 'mail' | 'config'>) {
  return async (job: Job): Promise<Record<string, unknown>> => {
    const p = job.payload as { to: string; subject: string; text: string; html: string; fromName: string; template: string; locale: string };
    await deps.mail.send({ to: p.to, subject: p.subject, text: p.text, html: p.html, fromName: p.fromName });
    return deps.config.devOutbox ? job.payload : { to: p.to, subject: p.subject, template: p.template, locale: p.locale };
  };
}
