import { findAccountByEmail, findAccountById, type Account } from '../accounts/accounts.js';
import { normalizeEmail } from '../accounts/email.js';
import { recordAudit, type RequestContext } from '../audit/audit.js';
import { addSeconds } from '../core/clock.js';
import { issueToken, parseToken, secretMatches } from '../core/token.js';
import type { Deps } from '../deps.js';
import { findActiveFactor } from '../factors/second-factor/store.js';
import { twoFactorRequirementFor } from '../sessions/next-step.js';
import type { Organization } from '../tenants/organizations.js';
import { createDevice } from './app-devices.js';
import { queueEmail } from './outgoing-mail.js';
import { attemptPassword } from './password-attempt.js';
import { publicUrl } from './public-url.js';
import { checkSecondFactor, codeBudget, type CodeInput } from './second-factor-check.js';
import { sendSmsCode } from './two-factor.js';

/** SPEC 4.7: the QR token lives 2 minutes and works once. */
export const qrTokenSeconds = 120;
/** How long an app login may wait for its second factor. */
export const challengeSeconds = 5 * 60;

export interface DeviceLogin {
  deviceId: string;
  deviceSecret: string;
  pinRequired: true;
  account: { id: string; name: string; email: string; role: string };
  /** Only after a recovery code: how many unused ones are left (SPEC 4.5). */
  recoveryCodesLeft?: number;
}

/** Issues the token behind the QR code on /account/app; returns the URL it encodes. */
export async function issueQrLogin(deps: Deps, org: Organization, account: Account, client: RequestContext): Promise<{ url: string; expiresAt: Date }> {
  const token = issueToken(deps.random);
  const now = deps.clock.now();
  const expiresAt = addSeconds(now, qrTokenSeconds);
  await deps.db.transaction(async (tx) => {
    await tx.query('INSERT INTO app_qr_token (tenant_id, id, account_id, secret_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      org.tenantId,
      token.id,
      account.id,
      token.secretHash,
      now,
      expiresAt,
    ]);
    await recordAudit(tx, now, client, { tenantId: org.tenantId, event: 'app_qr_shown', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
  });
  return { url: publicUrl(deps.config, org, `/app/login#${token.token}`), expiresAt };
}

async function addDevice(deps: Deps, org: Organization, account: Account, deviceName: string, client: RequestContext, via: string): Promise<DeviceLogin> {
  return deps.db.transaction(async (tx) => {
    const device = await createDevice(tx, deps, account, deviceName);
    await recordAudit(tx, deps.clock.now(), client, {
      tenantId: org.tenantId,
      event: 'app_device_added',
      outcome: 'success',
      actorAccountId: account.id,
      subjectAccountId: account.id,
      details: { via, deviceId: device.deviceId, deviceName: deviceName.slice(0, 100) },
    });
    await queueEmail(tx, deps, org, account, {
      kind: 'app_device_added',
      name: account.name,
      deviceName: deviceName.slice(0, 100) || 'App',
      devicesLink: publicUrl(deps.config, org, '/account/devices'),
      helpLink: publicUrl(deps.config, org, '/help'),
    });
    return { ...device, pinRequired: true as const, account: { id: account.id, name: account.name, email: account.email, role: account.role } };
  });
}

/** POST /login/qr: unknown, used, expired and other-org tokens all answer the same (SPEC 5). */
export async function loginWithQr(deps: Deps, org: Organization, client: RequestContext, input: { token: string; deviceName: string }): Promise<DeviceLogin | null> {
  const parsed = parseToken(input.token);
  if (!parsed) return null;
  const now = deps.clock.now();
  const [row] = await deps.db.query<{ account_id: string; secret_hash: Uint8Array }>(
    'SELECT account_id, secret_hash FROM app_qr_token WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3',
    [org.tenantId, parsed.id, now],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return null;
  const used = await deps.db.query('UPDATE app_qr_token SET used_at = $3 WHERE tenant_id = $1 AND id = $2 AND used_at IS NULL AND expires_at > $3 RETURNING id', [
    org.tenantId,
    parsed.id,
    now,
  ]);
  if (used.length !== 1) return null;
  const account = await findAccountById(deps.db, org.tenantId, row.account_id);
  if (!account || account.state !== 'active') return null;
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'app_qr_used', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id });
  return addDevice(deps, org, account, input.deviceName, client, 'qr');
}

export type AppPasswordLogin =
  | { kind: 'device'; login: DeviceLogin }
  | { kind: 'second_factor'; challengeId: string; methods: string[] }
  | { kind: 'error'; error: 'invalid_credentials' | 'two_factor_setup_required' }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

/**
 * POST /login/password: the browser's rules hold for the app too, so an account with two-step
 * verification gets a challenge for its code instead of a device (SECURITY: no 2FA bypass).
 */
export async function loginWithPassword(deps: Deps, org: Organization, client: RequestContext, input: { email: string; password: string; deviceName: string }): Promise<AppPasswordLogin> {
  const email = normalizeEmail(input.email);
  const account = email ? await findAccountByEmail(deps.db, org.tenantId, email) : null;
  const attempt = await attemptPassword(deps, org, client, account, email, input.password);
  const now = deps.clock.now();
  if (!attempt.ok) {
    if (attempt.reason === 'rate_limited') return { kind: 'rate_limited', retryAfterSeconds: attempt.retryAfterSeconds };
    await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_failed', outcome: 'failure', subjectAccountId: account?.id ?? null, details: { reason: attempt.reason, via: 'app' } });
    return { kind: 'error', error: 'invalid_credentials' };
  }
  const user = attempt.account;
  const requirement = twoFactorRequirementFor(org.policy, user.role);
  const factor = requirement === 'off' ? null : await findActiveFactor(deps.db, org.tenantId, user.id);
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: user.id, subjectAccountId: user.id, details: { step: 'password', via: 'app' } });
  if (!factor) {
    // The app cannot set up two-step verification; where it is required, that happens in the browser first.
    if (requirement === 'required') return { kind: 'error', error: 'two_factor_setup_required' };
    return { kind: 'device', login: await addDevice(deps, org, user, input.deviceName, client, 'password') };
  }
  const challenge = issueToken(deps.random);
  await deps.db.query(
    'INSERT INTO app_login_challenge (tenant_id, id, account_id, secret_hash, device_name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    [org.tenantId, challenge.id, user.id, challenge.secretHash, input.deviceName.slice(0, 100), now, addSeconds(now, challengeSeconds)],
  );
  // With SMS, the code goes out now, bound to this challenge (the browser sends it when its code
  // page opens). A new login starts a new challenge and, within the SMS limits, a new code.
  if (factor.method === 'sms') {
    const sent = await sendSmsCode(deps, org, user, { sessionId: challenge.id, purpose: 'login', phone: factor.phone!, locale: user.locale ?? org.defaultLocale }, client);
    if (!sent.ok) deps.log.warn({ error: sent.error }, 'app login: the SMS code could not be sent; a recovery code still works');
  }
  return { kind: 'second_factor', challengeId: challenge.token, methods: [factor.method, 'recovery'] };
}

export type AppSecondFactorLogin =
  | { kind: 'device'; login: DeviceLogin }
  | { kind: 'error'; error: 'invalid_code' | 'challenge_expired' }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

/** POST /login/second-factor, with the same failure budget as the browser (SPEC 4.5). */
export async function loginSecondFactor(deps: Deps, org: Organization, client: RequestContext, input: { challengeId: string } & CodeInput): Promise<AppSecondFactorLogin> {
  const parsed = parseToken(input.challengeId);
  if (!parsed) return { kind: 'error', error: 'challenge_expired' };
  const now = deps.clock.now();
  const [row] = await deps.db.query<{ account_id: string; secret_hash: Uint8Array; device_name: string }>(
    'SELECT account_id, secret_hash, device_name FROM app_login_challenge WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL AND expires_at > $3',
    [org.tenantId, parsed.id, now],
  );
  if (!row || !secretMatches(parsed.secret, row.secret_hash)) return { kind: 'error', error: 'challenge_expired' };
  const account = await findAccountById(deps.db, org.tenantId, row.account_id);
  if (!account || account.state !== 'active') return { kind: 'error', error: 'challenge_expired' };
  const code: CodeInput = 'recoveryCode' in input ? { recoveryCode: input.recoveryCode } : { code: input.code };
  const check = await checkSecondFactor(deps, org, account, { kind: 'app', challengeId: parsed.id }, client, code, 'login');
  if (!check.ok) {
    if (check.error === 'locked') return { kind: 'rate_limited', retryAfterSeconds: check.retryAfterSeconds };
    if (check.error === 'blocked') return { kind: 'rate_limited', retryAfterSeconds: codeBudget.lockSeconds };
    if (check.error === 'attempt_ended') {
      await deps.db.query('UPDATE app_login_challenge SET expires_at = $3 WHERE tenant_id = $1 AND id = $2', [org.tenantId, parsed.id, now]);
      return { kind: 'error', error: 'challenge_expired' };
    }
    return { kind: 'error', error: 'invalid_code' };
  }
  const done = await deps.db.query('UPDATE app_login_challenge SET completed_at = $3 WHERE tenant_id = $1 AND id = $2 AND completed_at IS NULL RETURNING id', [
    org.tenantId,
    parsed.id,
    now,
  ]);
  if (done.length !== 1) return { kind: 'error', error: 'challenge_expired' };
  await recordAudit(deps.db, now, client, { tenantId: org.tenantId, event: 'login_succeeded', outcome: 'success', actorAccountId: account.id, subjectAccountId: account.id, details: { step: 'second_factor', method: check.method, via: 'app' } });
  const login = await addDevice(deps, org, account, row.device_name, client, 'password');
  return { kind: 'device', login: check.recoveryCodesLeft === null ? login : { ...login, recoveryCodesLeft: check.recoveryCodesLeft } };
}
