import type { Deps } from '../deps.js';
import { devSmsKind } from '../factors/sms-code/send.js';
import { listJobs, type OutboxEntry } from '../jobs/queue.js';
import { emailJobKind } from '../messaging/outbox.js';
import type { Organization } from '../tenants/organizations.js';

/** Development only (SPEC 8): the newest messages this organization would have sent, e-mail and SMS. */
export function listDevOutbox(deps: Deps, org: Organization): Promise<OutboxEntry[]> {
  return listJobs(deps.db, org.tenantId, [emailJobKind, devSmsKind], 50);
}
