/**
 * The otpauth URI of SPEC 4.5 (Google Authenticator "Key Uri Format"), shown as a QR code at
 * TOTP setup. The label and issuer are percent-encoded, so an org name with `&`, `#` or a space
 * cannot break the label or add query parameters; only the separator `:` stays literal.
 *
 * A colon is the one character percent-encoding does not make safe in the label: the Key Uri
 * Format says neither part may contain `:` "or %3A", and parsers (the otpauth library among them)
 * split the label at the first `:` or `%3A`. So in the label's issuer prefix a colon becomes a
 * space; the `issuer` parameter, which apps prefer for the name they show, keeps the exact name.
 */
export function otpauthUri(input: { orgName: string; email: string; secretBase32: string }): string {
  if (!/^[A-Z2-7]+$/.test(input.secretBase32)) {
    throw new Error('otpauth secret must be upper-case base32 without padding');
  }
  const labelIssuer = encodeURIComponent(input.orgName.replace(/\s*:\s*/g, ' ').trim());
  const account = encodeURIComponent(input.email);
  const issuer = encodeURIComponent(input.orgName);
  return (
    `otpauth://totp/${labelIssuer}:${account}` +
    `?secret=${input.secretBase32}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`
  );
}

/** SPEC 4.5: 160 random bits, the HMAC-SHA-1 output length that RFC 4226 §4 R6 recommends. */
export const totpSecretBytes = 20;

export function newTotpSecret(random: { bytes(n: number): Buffer }): Buffer {
  const secret = random.bytes(totpSecretBytes);
  if (secret.length !== totpSecretBytes) {
    throw new Error('random source returned the wrong number of bytes');
  }
  return secret;
}
