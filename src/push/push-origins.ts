/**
 * Whether a push subscription's endpoint may be called: its origin is one of `allowed` (WEB_PUSH_ALLOWED_ORIGINS),
 * where `https://*.example.com` admits any subdomain of example.com (not example.com itself). The server calls this
 * address with every offer, so anything else (a private address, another port, userinfo) is refused: never an
 * open relay.
 */
export function endpointAllowed(endpoint: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return false;
  return allowed.some((entry) => {
    const wild = /^(https?):\/\/\*\.(.+)$/.exec(entry);
    if (!wild) return url.origin === new URL(entry).origin;
    const [, scheme, rest] = wild;
    const base = new URL(`${scheme}://${rest}`);
    return url.protocol === base.protocol && url.port === base.port && url.hostname.endsWith(`.${base.hostname}`);
  });
}
