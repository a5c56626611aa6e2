import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * A number carried to the next page in its address (after a redirect, where no session holds it),
 * signed for this organization, so that a crafted link cannot make a page state a false one
 * ("you have 0 recovery codes left").
 */
export function signCount(secretKey: Buffer, tenantId: string, name: string, count: number): string {
  return `${count}.${mac(secretKey, tenantId, name, count)}`;
}

/** The number, if the value is one that `signCount` made for this organization and name. */
export function readSignedCount(secretKey: Buffer, tenantId: string, name: string, value: string | undefined): number | null {
  const match = /^(\d{1,3})\.([\w-]{43})$/.exec(value ?? '');
  if (!match) return null;
  const count = Number(match[1]);
  const expected = Buffer.from(mac(secretKey, tenantId, name, count));
  const given = Buffer.from(match[2]!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? count : null;
}

function mac(secretKey: Buffer, tenantId: string, name: string, count: number): string {
  return createHmac('sha256', secretKey).update(`count:${tenantId}:${name}:${count}`).digest('base64url');
}
