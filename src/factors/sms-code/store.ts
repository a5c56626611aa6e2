import { addSeconds, type Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import { lockAccountRow } from '../../accounts/failure-counters.js';
import type { Db, Queryable } from '../../db/db.js';
import { generateSmsCode, hashSmsCode, normalizeSmsCode, smsCodeMatches } from './sms-code.js';

export type SmsPurpose = 'login' | 'setup' | 'confirm';

/** SPEC 4.5: valid 5 minutes, 5 tries, resend after 60 s, at most 3 per 15 minutes and 10 a day. */
export const smsCodeRules = { validSeconds: 300, maxTries: 5, resendAfterSeconds: 60, perQuarterHour: 3, perDay: 10 } as const;

export type IssueSmsCodeOutcome = { ok: true; code: string; codeId: string } | { ok: false; error: 'too_soon' | 'too_many'; retryAfterSeconds: number };

/**
 * Makes a new code for one purpose in one session, within the send limits. The account row is
 * locked while the limits are checked, so parallel requests cannot slip past them. The caller
 * commits, sends it outside any transaction (a provider can take seconds), and then either
 * `settleSentSmsCode` (earlier codes void) or `withdrawUnsentSmsCode` (nothing counted).
 */
export async function issueSmsCode(
  tx: Queryable,
  deps: { clock: Clock; random: RandomSource },
  input: { tenantId: string; accountId: string; sessionId: string; purpose: SmsPurpose; phoneDigest: string },
): Promise<IssueSmsCodeOutcome> {
  const now = deps.clock.now();
  await lockAccountRow(tx, input.tenantId, input.accountId);
  const recent = await tx.query<{ created_at: Date }>(
    'SELECT created_at FROM sms_code WHERE tenant_id = $1 AND account_id = $2 AND created_at > $3 ORDER BY created_at DESC',
    [input.tenantId, input.accountId, new Date(now.getTime() - 24 * 3600_000)],
  );
  const latest = recent[0]?.created_at;
  if (latest && now.getTime() - latest.getTime() < smsCodeRules.resendAfterSeconds * 1000) {
    return { ok: false, error: 'too_soon', retryAfterSeconds: Math.ceil(smsCodeRules.resendAfterSeconds - (now.getTime() - latest.getTime()) / 1000) };
  }
  const inQuarter = recent.filter((r) => now.getTime() - r.created_at.getTime() < 15 * 60_000);
  if (inQuarter.length >= smsCodeRules.perQuarterHour) {
    const oldest = inQuarter[inQuarter.length - 1]!.created_at;
    return { ok: false, error: 'too_many', retryAfterSeconds: Math.ceil((oldest.getTime() + 15 * 60_000 - now.getTime()) / 1000) };
  }
  if (recent.length >= smsCodeRules.perDay) {
    const oldest = recent[recent.length - 1]!.created_at;
    return { ok: false, error: 'too_many', retryAfterSeconds: Math.ceil((oldest.getTime() + 24 * 3600_000 - now.getTime()) / 1000) };
  }
  const code = generateSmsCode(deps.random);
  const codeId = deps.random.uuid();
  await tx.query(
    `INSERT INTO sms_code (tenant_id, id, account_id, session_id, purpose, phone_digest, code_hash, created_at, expires_at, pending)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)`,
    [input.tenantId, codeId, input.accountId, input.sessionId, input.purpose, input.phoneDigest, hashSmsCode(code, codeId), now, addSeconds(now, smsCodeRules.validSeconds)],
  );
  return { ok: true, code, codeId };
}

/**
 * The code went out: from now on it is the one checked, and the earlier unused codes of this
 * session and purpose are void. Until then the code sent before it keeps working.
 */
export async function settleSentSmsCode(db: Db, input: { tenantId: string; accountId: string; sessionId: string; purpose: SmsPurpose; codeId: string }, now: Date): Promise<void> {
  await db.transaction(async (tx) => {
    const [sent] = await tx.query<{ created_at: Date }>('UPDATE sms_code SET pending = false WHERE tenant_id = $1 AND id = $2 RETURNING created_at', [input.tenantId, input.codeId]);
    if (!sent) return;
    // Only the older ones: a send that settles late never voids a newer code the user already has.
    await tx.query(
      'UPDATE sms_code SET expires_at = $6 WHERE tenant_id = $1 AND account_id = $2 AND session_id = $3 AND purpose = $4 AND created_at < $5 AND used_at IS NULL AND expires_at > $6',
      [input.tenantId, input.accountId, input.sessionId, input.purpose, sent.created_at, now],
    );
  });
}

/** The provider refused: the code never existed, so it counts against no limit (SECURITY 33) and an earlier code still works. */
export async function withdrawUnsentSmsCode(db: Queryable, tenantId: string, codeId: string): Promise<void> {
  await db.query('DELETE FROM sms_code WHERE tenant_id = $1 AND id = $2', [tenantId, codeId]);
}

/**
 * Checks a code against the newest one for this purpose, session and phone number: one try
 * counted first (at most 5), then single use by compare-and-set. A login code never confirms
 * anything else (SECURITY 11), and a code sent to one number never confirms another.
 */
export async function verifySmsCode(db: Db, input: { tenantId: string; accountId: string; sessionId: string; purpose: SmsPurpose; phoneDigest: string }, code: string, now: Date): Promise<boolean> {
  const normalized = normalizeSmsCode(code);
  if (!normalized) return false;
  const [row] = await db.query<{ id: string; code_hash: Uint8Array }>(
    `UPDATE sms_code SET attempts = attempts + 1
      WHERE (tenant_id, id) = (SELECT tenant_id, id FROM sms_code
              WHERE tenant_id = $1 AND account_id = $2 AND session_id = $3 AND purpose = $4 AND NOT pending AND used_at IS NULL AND expires_at > $5
              ORDER BY created_at DESC LIMIT 1)
        AND attempts < $6 AND phone_digest = $7
      RETURNING id, code_hash`,
    [input.tenantId, input.accountId, input.sessionId, input.purpose, now, smsCodeRules.maxTries, input.phoneDigest],
  );
  if (!row || !smsCodeMatches(normalized, row.id, row.code_hash)) return false;
  const used = await db.query('UPDATE sms_code SET used_at = $3 WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL RETURNING id', [input.tenantId, row.id, now]);
  return used.length === 1;
}

/**
 * This session has a valid code for this purpose, sent or on its way (no need to send again on a
 * page reload). A code still pending after a minute was left by a crash mid-send: it is not counted.
 */
export async function hasFreshSmsCode(db: Queryable, input: { tenantId: string; accountId: string; sessionId: string; purpose: SmsPurpose }, now: Date): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM sms_code WHERE tenant_id = $1 AND account_id = $2 AND session_id = $3 AND purpose = $4 AND used_at IS NULL AND expires_at > $5
        AND (NOT pending OR created_at > $6)`,
    [input.tenantId, input.accountId, input.sessionId, input.purpose, now, new Date(now.getTime() - smsCodeRules.resendAfterSeconds * 1000)],
  );
  return rows.length > 0;
}

/**
 * Maintenance: codes older than two days carry no information any more (a code is valid five
 * minutes; the per-account limits look back a day), so they go, and the table does not grow
 * with every code ever sent. Returns how many.
 */
export async function purgeOldSmsCodes(db: Queryable, now: Date, onlyTenantId: string | null = null): Promise<number> {
  const rows = await db.query('DELETE FROM sms_code WHERE created_at < $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid) RETURNING id', [new Date(now.getTime() - 2 * 24 * 3600_000), onlyTenantId]);
  return rows.length;
}
