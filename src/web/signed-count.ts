import { createHmac, timingSafeEqual } from 'node:crypto';

/** Long enough to follow a redirect and read the page; short enough that a collected link soon says nothing. */
const validSeconds = 10 * 60;

/**
 * A number carried to the next page in its address (after a redirect, where no session holds it),
 * signed for this organization and valid for 10 minutes, so that a crafted or collected link
 * cannot make a page state a false one ("you have 0 recovery codes left").
 */
export function signCount(secretKey: Buffer, tenantId: string, name: string, count: number, now: Date): string {
  const expires = Math.floor(now.getTime() / 1000) + validSeconds;
  return `${count}.${expires}.${mac(secretKey, tenantId, name, count, expires)}`;
}

/** The number, if the value is one that `signCount` made for this organization and name, and still valid. */
export function readSignedCount(secretKey: Buffer, tenantId: string, name: string, value: string | undefined, now: Date): number | null {
  const match = /^(\d{1,3})\.(\d{1,12})\.([\w-]{43})$/.exec(value ?? '');
  if (!match) return null;
  const count = Number(match[1]);
  const expires = Number(match[2]);
  if (expires <= now.getTime() / 1000) return null;
  const expected = Buffer.from(mac(secretKey, tenantId, name, count, expires));
  const given = Buffer.from(match[3]!);
  return given.length === expected.length && timingSafeEqual(given, expected) ? count : null;
}

/** `count:` keeps these apart from the session's CSRF tokens, made with the same key over `csrf:`. */
function mac(secretKey: Buffer, tenantId: string, name: string, count: number, expires: number): string {
  return createHmac('sha256', secretKey).update(`count:${tenantId}:${name}:${count}:${expires}`).digest('base64url');
}
