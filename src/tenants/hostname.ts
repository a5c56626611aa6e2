/**
 * The host name of a request, from the Host header only (SPEC 1, SECURITY 27): never from
 * X-Forwarded-Host or an absolute request URI. Lower case, port and one trailing dot removed.
 */
export function hostnameFromHostHeader(hostHeader: string | undefined): string | null {
  if (!hostHeader) return null;
  let host = hostHeader.trim().toLowerCase();
  if (host.startsWith('[')) return null; // IP literals are no organization's address
  const colon = host.lastIndexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
    host = host.slice(0, colon);
  }
  if (host.endsWith('.')) host = host.slice(0, -1);
  // A name whose last label is all digits is an IPv4 address, never an organization's host.
  if (/(^|\.)\d+$/.test(host)) return null;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host) || host.length > 253) return null;
  return host;
}
