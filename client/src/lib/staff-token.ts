/** The claims a staff token carries that a console may show (read only for display: the server checks them anyway). */
export function staffClaims(token: string): { country?: string; sub?: string; exp?: number } {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)) as { country?: string; sub?: string; exp?: number };
  } catch {
    return {};
  }
}

/** Whether the token's own expiry (exp, seconds) has passed (a stale kept session; a console's login that ran out). */
export function expired(token: string): boolean {
  const { exp } = staffClaims(token);
  return typeof exp !== 'number' || exp * 1000 <= Date.now();
}
