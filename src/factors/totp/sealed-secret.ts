import { deriveKey, openSecret, sealSecret } from '../../core/secret-box.js';
import type { Config } from '../../config.js';

/** TOTP keys at rest: AES-256-GCM under a key derived from SECRET_KEY, bound to tenant and account. */
function key(config: Config): Buffer {
  return deriveKey(config.secretKey, 'ingang totp secret v1');
}

export function sealTotpSecret(config: Config, tenantId: string, accountId: string, secret: Uint8Array): string {
  return sealSecret(key(config), secret, `${tenantId}:${accountId}`);
}

export function openTotpSecret(config: Config, tenantId: string, accountId: string, sealed: string): Buffer {
  return openSecret(key(config), sealed, `${tenantId}:${accountId}`);
}
