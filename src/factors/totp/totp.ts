import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HOTP (RFC 4226) and TOTP (RFC 6238), written out so that every step can be read against the
 * RFCs and checked against their test vectors. No hidden defaults: callers pass period, digits and
 * algorithm; `totpDefaults` names the values SPEC 4.5 fixes.
 */

export type OtpHashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-512';

const nodeHashNames: Record<OtpHashAlgorithm, string> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-512': 'sha512',
};

/** SPEC 4.5: SHA-1, 6 digits, 30 s, one step either side (RFC 6238 §5.2 recommends at most one). */
export const totpDefaults = {
  periodSeconds: 30,
  digits: 6,
  algorithm: 'SHA-1',
  windowSteps: 1,
} as const;

export interface TotpVerificationOptions {
  periodSeconds: number;
  digits: number;
  algorithm: OtpHashAlgorithm;
  windowSteps: number;
}

const maxCounter = (1n << 64n) - 1n;

/**
 * RFC 4226 §5.3. The truncated value has 31 bits, so more than 10 digits would only add leading
 * zeros; fewer than 6 is forbidden by RFC 4226 R4.
 */
export function generateHotp(key: Uint8Array, counter: bigint, digits: number, algorithm: OtpHashAlgorithm): string {
  assertDigits(digits);
  if (counter < 0n || counter > maxCounter) {
    throw new RangeError('HOTP counter must fit in 8 unsigned bytes');
  }
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(counter);
  const mac = createHmac(nodeHashNames[algorithm], key).update(message).digest();
  // Dynamic truncation: the low 4 bits of the last byte pick the offset of a 31-bit big-endian value.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** RFC 6238 §4.2: T = floor((unix time − T0) / X) with T0 = 0. */
export function totpStepAt(unixSeconds: number, periodSeconds: number): bigint {
  if (!Number.isInteger(periodSeconds) || periodSeconds <= 0) {
    throw new RangeError('TOTP period must be a positive whole number of seconds');
  }
  if (!Number.isFinite(unixSeconds) || unixSeconds < 0) {
    throw new RangeError('TOTP time must be a non-negative number of seconds since the epoch');
  }
  return BigInt(Math.floor(unixSeconds / periodSeconds));
}

export function generateTotp(
  key: Uint8Array,
  unixSeconds: number,
  periodSeconds: number,
  digits: number,
  algorithm: OtpHashAlgorithm,
): string {
  return generateHotp(key, totpStepAt(unixSeconds, periodSeconds), digits, algorithm);
}

/**
 * Returns the time step in [now − windowSteps, now + windowSteps] whose code equals `code`, or null.
 * The caller must still refuse a step at or below the last one it accepted (replay, RFC 6238 §5.2).
 *
 * Every step in the window is computed and compared, without stopping at a match, so the
 * response time does not tell which step (if any) matched. Should two steps share a code (about
 * one chance in a million per pair), the one nearest to now wins.
 */
export function findTotpStep(
  key: Uint8Array,
  code: string,
  unixSeconds: number,
  options: TotpVerificationOptions,
): bigint | null {
  const { periodSeconds, digits, algorithm, windowSteps } = options;
  assertDigits(digits);
  if (!Number.isInteger(windowSteps) || windowSteps < 0) {
    throw new RangeError('TOTP window must be a non-negative whole number of steps');
  }
  const nowStep = totpStepAt(unixSeconds, periodSeconds);
  // Authenticator apps show "123 456"; a pasted code may carry those spaces.
  const candidate = code.replace(/\s+/g, '');
  if (candidate.length !== digits || !/^[0-9]+$/.test(candidate)) {
    return null;
  }
  const candidateBytes = Buffer.from(candidate, 'ascii');

  let matched: bigint | null = null;
  let matchedDistance = Infinity;
  const window = BigInt(windowSteps);
  for (let step = nowStep - window; step <= nowStep + window; step++) {
    if (step < 0n) {
      continue;
    }
    const expected = Buffer.from(generateHotp(key, step, digits, algorithm), 'ascii');
    const distance = Number(step >= nowStep ? step - nowStep : nowStep - step);
    if (timingSafeEqual(expected, candidateBytes) && distance < matchedDistance) {
      matched = step;
      matchedDistance = distance;
    }
  }
  return matched;
}

function assertDigits(digits: number): void {
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) {
    throw new RangeError('OTP digits must be a whole number from 6 to 10 (RFC 4226 R4)');
  }
}
