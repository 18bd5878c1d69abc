/**
 * Staff passwords: at least 12 characters with three of lower case, upper case, digits and symbols, or a
 * passphrase of 16 characters or more. Returns the reason a password is refused, or null.
 */
export function passwordProblem(password: string): string | null {
  if (typeof password !== 'string') return 'password must be a string';
  if (password.length > 256) return 'password must be at most 256 characters';
  if (password.length < 12) return 'password must be at least 12 characters';
  if (/^(.)\1+$/.test(password)) return 'password must not repeat one character';
  if (password.length >= 16) return null;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  return classes >= 3 ? null : 'password must mix three of lower case, upper case, digits and symbols (or be 16+ characters)';
}
