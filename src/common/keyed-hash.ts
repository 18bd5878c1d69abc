import { createHmac, type BinaryToTextEncoding } from 'node:crypto';

/**
 * A keyed hash (HMAC-SHA-256) under a key derived from the deployment's secret for one purpose, so that a value
 * from a small space (an IPv4 address, an email, a ten-digit code) cannot be tried against a dump of Redis or the
 * database without the secret, and one purpose's hashes say nothing about another's.
 */
export function keyedHasher(secret: string, purpose: string, encoding: BinaryToTextEncoding = 'base64url'): (value: string) => string {
  const key = createHmac('sha256', secret).update(`puente:${purpose}`).digest();
  return (value) => createHmac('sha256', key).update(value).digest(encoding);
}
