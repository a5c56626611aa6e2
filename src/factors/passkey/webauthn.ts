import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Config } from '../../config.js';
import type { Organization } from '../../tenants/organizations.js';
import { publicUrl } from '../../tenants/public-url.js';
import { primaryHostname } from '../../tenants/organizations.js';
import type { Passkey } from './store.js';

/**
 * SPEC 11: the relying party is the organization's primary host, so a passkey made at one
 * organization is never valid at another; user verification is required in every ceremony.
 */
export function relyingParty(config: Config, org: Organization): { rpID: string; origin: string } {
  return { rpID: primaryHostname(org, config.baseDomain), origin: publicUrl(config, org, '') };
}

export function registrationOptions(
  config: Config,
  org: Organization,
  account: { id: string; email: string; name: string },
  existing: Passkey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { rpID } = relyingParty(config, org);
  return generateRegistrationOptions({
    rpName: org.name,
    rpID,
    userName: account.email,
    userDisplayName: account.name,
    // The account id as the user handle: opaque, stable, never the address.
    userID: new TextEncoder().encode(account.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
    // Discoverable (a login without typing the address), verified by the device's own lock.
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    timeout: 5 * 60_000,
  });
}

export type VerifiedRegistration = { credentialId: string; publicKey: Uint8Array; counter: number; transports: string[]; deviceType: 'singleDevice' | 'multiDevice'; backedUp: boolean };

/** Null when the answer does not hold: wrong challenge, origin or relying party, no user verification, a broken signature. */
export async function verifyRegistration(config: Config, org: Organization, response: RegistrationResponseJSON, challenge: string): Promise<VerifiedRegistration | null> {
  const { rpID, origin } = relyingParty(config, org);
  const verified = await verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: rpID, requireUserVerification: true }).catch(() => null);
  if (!verified?.verified) return null;
  const info = verified.registrationInfo;
  return {
    credentialId: info.credential.id,
    publicKey: info.credential.publicKey,
    counter: info.credential.counter,
    transports: info.credential.transports ?? [],
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
  };
}

/**
 * Without `only`, no allowCredentials: the browser offers the passkeys it holds for this host
 * (discoverable). With it (a second step or step-up of a known account), only that account's.
 */
export function authenticationOptions(config: Config, org: Organization, only?: Passkey[]): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { rpID } = relyingParty(config, org);
  const allowCredentials = only?.map((p) => ({ id: p.credentialId, transports: p.transports as never }));
  return generateAuthenticationOptions({ rpID, userVerification: 'required', timeout: 5 * 60_000, ...(allowCredentials ? { allowCredentials } : {}) });
}

export type AuthenticationCheck = { ok: true; newCounter: number; backedUp: boolean } | { ok: false; reason: 'counter_not_grown' | 'invalid' };

/**
 * Checks a login answer against the stored passkey. SPEC 11: the counter must grow; an
 * authenticator that counts nothing (0 before and after, as synced passkeys do) counts nothing.
 */
export async function verifyAuthentication(config: Config, org: Organization, response: AuthenticationResponseJSON, challenge: string, passkey: Passkey): Promise<AuthenticationCheck> {
  const { rpID, origin } = relyingParty(config, org);
  const verified = await verifyAuthenticationResponse({
    response,
    expectedChallenge: challenge,
    expectedOrigin: origin,
    expectedRPID: rpID,
    requireUserVerification: true,
    credential: { id: passkey.credentialId, publicKey: passkey.publicKey as Uint8Array<ArrayBuffer>, counter: passkey.counter, transports: passkey.transports as never },
  }).catch((error: unknown) => (error instanceof Error && /counter/i.test(error.message) ? ('counter' as const) : null));
  if (verified === 'counter') return { ok: false, reason: 'counter_not_grown' };
  if (!verified?.verified) return { ok: false, reason: 'invalid' };
  const { newCounter } = verified.authenticationInfo;
  if ((newCounter > 0 || passkey.counter > 0) && newCounter <= passkey.counter) return { ok: false, reason: 'counter_not_grown' };
  return { ok: true, newCounter, backedUp: verified.authenticationInfo.credentialBackedUp };
}
