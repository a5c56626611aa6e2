import type { Failure, Ok } from '../../core/outcome.js';
import { recordRightPin, removeDevice, reservePinTry, setFirstPinHash, type AppDevice } from '../../devices/devices.js';
import type { Deps } from '../../deps.js';
import { hashPassword, verifyPassword } from '../password/hashing.js';

/** SPEC 5: 5 wrong PINs in a row remove the device. */
export const pinTries = 5;

/** SPEC 5: a PIN of exactly 5 digits; one digit repeated and straight runs are too weak. */
export function checkPinShape(pin: string): 'invalid_pin_format' | 'weak_pin' | null {
  if (!/^\d{5}$/.test(pin)) return 'invalid_pin_format';
  const digits = [...pin].map(Number);
  const steps = digits.slice(1).map((d, i) => d - digits[i]!);
  if (steps.every((s) => s === 0) || steps.every((s) => s === 1) || steps.every((s) => s === -1)) return 'weak_pin';
  return null;
}

/** Sets the first PIN (argon2id, like a password); false when one was set already (a second concurrent set loses). */
export async function setFirstPin(db: Deps['db'], device: AppDevice, pin: string): Promise<boolean> {
  return setFirstPinHash(db, device, await hashPassword(pin));
}

/** `removedNow`: this very check removed the device (so exactly one audit row says so). */
export type PinCheck = Ok | Failure<'invalid_pin', { attemptsLeft: number }> | Failure<'device_revoked', { removedNow: boolean }>;

/**
 * Checks a PIN (SPEC 5, SECURITY 8): a try is counted BEFORE the PIN is compared, atomically, so
 * parallel guesses never get more than 5 comparisons; the fifth wrong one removes the device. The
 * count lives in the database, so a restart forgets nothing. A right PIN resets the count.
 */
export async function checkDevicePin(deps: Pick<Deps, 'db' | 'clock'>, device: AppDevice, pinHash: string, pin: string): Promise<PinCheck> {
  const failures = await reservePinTry(deps.db, device, pinTries);
  if (failures === null) {
    // Tries used up but the device not yet removed (a crash in between): remove it now.
    const removedNow = await removeDevice(deps.db, device.tenantId, device.id, 'pin_failures', deps.clock.now());
    return { ok: false, error: 'device_revoked', removedNow };
  }
  if (/^\d{5}$/.test(pin) && (await verifyPassword(pinHash, pin))) {
    await recordRightPin(deps.db, device, deps.clock.now());
    return { ok: true };
  }
  if (failures >= pinTries) {
    const removedNow = await removeDevice(deps.db, device.tenantId, device.id, 'pin_failures', deps.clock.now());
    return { ok: false, error: 'device_revoked', removedNow };
  }
  return { ok: false, error: 'invalid_pin', attemptsLeft: pinTries - failures };
}
