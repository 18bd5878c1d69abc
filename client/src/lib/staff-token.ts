/** The claims a staff token carries that a console may show (read only for display: the server checks them anyway). */
export function staffClaims(token: string): { country?: string; sub?: string } {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)) as { country?: string; sub?: string };
  } catch {
    return {};
  }
}
