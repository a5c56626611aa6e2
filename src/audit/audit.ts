import type { Queryable } from '../db/db.js';
import type { AuditEvent } from './events.js';

/** Where a request came from, for the audit trail. */
export interface RequestContext {
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export const noRequestContext: RequestContext = { ip: null, userAgent: null, requestId: null };

export interface AuditEntry {
  tenantId: string;
  event: AuditEvent;
  outcome: 'success' | 'failure';
  actorAccountId?: string | null;
  subjectAccountId?: string | null;
  /** Facts about the event. Never a password, code, token or secret. */
  details?: Record<string, string | number | boolean | null>;
}

const maxUserAgentLength = 512;

export async function recordAudit(db: Queryable, at: Date, context: RequestContext, entry: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_event (tenant_id, occurred_at, event, outcome, actor_account_id, subject_account_id, ip, user_agent, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      entry.tenantId,
      at,
      entry.event,
      entry.outcome,
      entry.actorAccountId ?? null,
      entry.subjectAccountId ?? null,
      context.ip,
      context.userAgent?.slice(0, maxUserAgentLength) ?? null,
      context.requestId,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

export interface AuditRecord {
  id: string;
  occurredAt: Date;
  event: string;
  outcome: 'success' | 'failure';
  actorAccountId: string | null;
  actorEmail: string | null;
  subjectAccountId: string | null;
  subjectEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  tenantId: string;
  /** Events where this account is actor or subject. */
  accountId?: string;
  /** Events about this account (its own security activity). */
  subjectAccountId?: string;
  event?: string;
  from?: Date;
  to?: Date;
  limit: number;
}

export async function listAuditEvents(db: Queryable, filter: AuditFilter): Promise<AuditRecord[]> {
  const rows = await db.query<{
    id: string;
    occurred_at: Date;
    event: string;
    outcome: 'success' | 'failure';
    actor_account_id: string | null;
    actor_email: string | null;
    subject_account_id: string | null;
    subject_email: string | null;
    ip: string | null;
    user_agent: string | null;
    request_id: string | null;
    details: Record<string, unknown>;
  }>(
    `SELECT e.id::text AS id, e.occurred_at, e.event, e.outcome, e.actor_account_id, actor.email AS actor_email,
            e.subject_account_id, subject.email AS subject_email, e.ip, e.user_agent, e.request_id, e.details
       FROM audit_event e
       LEFT JOIN account actor ON actor.tenant_id = e.tenant_id AND actor.id = e.actor_account_id
       LEFT JOIN account subject ON subject.tenant_id = e.tenant_id AND subject.id = e.subject_account_id
      WHERE e.tenant_id = $1
        AND ($2::uuid IS NULL OR e.actor_account_id = $2::uuid OR e.subject_account_id = $2::uuid)
        AND ($7::uuid IS NULL OR e.subject_account_id = $7::uuid)
        AND ($3::text IS NULL OR e.event = $3::text)
        AND ($4::timestamptz IS NULL OR e.occurred_at >= $4::timestamptz)
        AND ($5::timestamptz IS NULL OR e.occurred_at < $5::timestamptz)
      ORDER BY e.occurred_at DESC, e.id DESC
      LIMIT $6`,
    [filter.tenantId, filter.accountId ?? null, filter.event ?? null, filter.from ?? null, filter.to ?? null, filter.limit, filter.subjectAccountId ?? null],
  );
  return rows.map((r) => ({
    id: r.id,
    occurredAt: r.occurred_at,
    event: r.event,
    outcome: r.outcome,
    actorAccountId: r.actor_account_id,
    actorEmail: r.actor_email,
    subjectAccountId: r.subject_account_id,
    subjectEmail: r.subject_email,
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    details: r.details,
  }));
}
