import type { Clock } from '../../core/clock.js';
import type { RandomSource } from '../../core/random.js';
import type { Queryable } from '../../db/db.js';
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from './recovery-codes.js';

/** Makes a new set, voiding the old one (SPEC 4.5). Returns the codes to show once. */
export async function replaceRecoveryCodes(db: Queryable, deps: { clock: Clock; random: RandomSource }, tenantId: string, accountId: string): Promise<string[]> {
  const codes = generateRecoveryCodes(deps.random);
  await deleteRecoveryCodes(db, tenantId, accountId);
  for (const code of codes) {
    await db.query('INSERT INTO recovery_code (tenant_id, id, account_id, code_hash, created_at) VALUES ($1, $2, $3, $4, $5)', [
      tenantId,
      deps.random.uuid(),
      accountId,
      hashRecoveryCode(normalizeRecoveryCode(code)!),
      deps.clock.now(),
    ]);
  }
  return codes;
}

export async function deleteRecoveryCodes(db: Queryable, tenantId: string, accountId: string): Promise<void> {
  await db.query('DELETE FROM recovery_code WHERE tenant_id = $1 AND account_id = $2', [tenantId, accountId]);
}

/** Uses a code once: compare-and-set, so two racing requests with one code give one success (SECURITY 12). */
export async function useRecoveryCode(db: Queryable, tenantId: string, accountId: string, input: string, now: Date): Promise<{ ok: true; remaining: number } | { ok: false }> {
  const normalized = normalizeRecoveryCode(input);
  if (!normalized) return { ok: false };
  const used = await db.query(
    'UPDATE recovery_code SET used_at = $4 WHERE tenant_id = $1 AND account_id = $2 AND code_hash = $3 AND used_at IS NULL RETURNING id',
    [tenantId, accountId, hashRecoveryCode(normalized), now],
  );
  if (used.length !== 1) return { ok: false };
  return { ok: true, remaining: await countRemainingRecoveryCodes(db, tenantId, accountId) };
}

export async function countRemainingRecoveryCodes(db: Queryable, tenantId: string, accountId: string): Promise<number> {
  const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM recovery_code WHERE tenant_id = $1 AND account_id = $2 AND used_at IS NULL', [
    tenantId,
    accountId,
  ]);
  return rows[0]?.n ?? 0;
}
