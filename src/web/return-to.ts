/**
 * Where to go after login (SECURITY 22): only a relative path on this same host. Anything that a
 * browser could read as another origin (`//evil`, `/\evil`, `https:`, `javascript:`) gives `/`.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  // Re-parse as the browser would; it must stay on our origin with the same path.
  const base = 'http://ingang.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  // Dot segments resolve away (`/..//evil` becomes `//evil`): check the result once more.
  const result = `${url.pathname}${url.search}${url.hash}`;
  return result.startsWith('//') || result.startsWith('/\\') ? '/' : result;
}
