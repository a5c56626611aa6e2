/**
 * SECURITY 46 (request smuggling and cache poisoning through an ambiguous host): a request with
 * more than one Host header, or in absolute form (`GET http://other/… HTTP/1.1`) naming another
 * host than its Host header, names two organizations at once. Such a request is refused (RFC 9112
 * §3.2: a server must answer 400 to more than one Host; §3.2.2 lets the absolute form's authority
 * win, which Ingang does not allow to differ). Returns why, or null for an unambiguous request.
 */
export function ambiguousHost(rawHeaders: readonly string[], rawUrl: string): string | null {
  const hosts: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === 'host') hosts.push(rawHeaders[i + 1] ?? '');
  if (hosts.length > 1) return 'the request has more than one Host header';
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(rawUrl);
  if (absolute && normalize(absolute[1]!.replace(/^[^@]*@/, '')) !== normalize(hosts[0] ?? '')) return 'the request URI names another host than the Host header';
  return null;
}

/** Host names compare without case and without a trailing dot; the port stays part of it. */
function normalize(host: string): string {
  return host.trim().toLowerCase().replace(/\.(?=:\d+$|$)/, '');
}
