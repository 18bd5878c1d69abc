import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { keyedHasher } from '../common/keyed-hash';
import type { EntityManager } from 'typeorm';
import { rows } from '../database/sql';

/**
 * A join code is ten digits: a locator (the first four: not secret, unique among live codes, naming the call
 * whose failure budget a wrong guess spends) and a secret (the other six). Only a keyed hash of all ten is kept.
 */
export const LOCATOR_DIGITS = 4;
const FAILURE_WINDOW = `interval '1 hour'`;
// Serialises issuing (rare), so that two bookings never draw the same free locator at once.
const ISSUE_LOCK = 0x4a6f696e; // "Join"

/** The call a join code opens: a hearing's (its booking) or an official's "interpreter now" (her request). */
export type JoinCall = { bookingId: string; requestId?: undefined } | { requestId: string; bookingId?: undefined };

/** The column that names a code's call, and its id. */
export function codeOwner(call: JoinCall): { column: 'booking_id' | 'request_id'; id: string } {
  return call.bookingId ? { column: 'booking_id', id: call.bookingId } : { column: 'request_id', id: call.requestId! };
}

/** A code as the official is shown it once: `1234-5678-90`, when it expires, and the caller's page link. */
export function shownCode(digits: string, expiresAt: Date): { code: string; expiresAt: string; joinPath: string } {
  return {
    code: `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8)}`,
    expiresAt: expiresAt.toISOString(),
    joinPath: `/?join=${digits}`,
  };
}

/** Every refusal, whatever its reason, is this one answer, so that it tells a guesser nothing. */
export const codeRefused = () => new NotFoundException('this code does not open a call now: check it, or ask for a new one');

export type RefusalReason = 'wrong' | 'used' | 'expired' | 'not_open';

/** Hashes a code under a key derived from the deployment's secret (a database dump alone cannot try 10^6 secrets). */
export function joinCodeHasher(secret: string) {
  return {
    hash: keyedHasher(secret, 'join-code', 'hex'),
  };
}

/** Stores a new code for a call (replacing its previous one, and its failure count) and returns its digits. */
export async function storeJoinCode(m: EntityManager, hash: (digits: string) => string, call: JoinCall, expiresAt: Date): Promise<string> {
  const { column, id } = codeOwner(call);
  await m.query(`SELECT pg_advisory_xact_lock($1)`, [ISSUE_LOCK]);
  const candidates = Array.from({ length: 30 }, () => String(randomInt(10 ** LOCATOR_DIGITS)).padStart(LOCATOR_DIGITS, '0'));
  const taken = new Set(
    (
      await rows<{ locator: string }>(
        m,
        `SELECT locator FROM join_codes WHERE locator = ANY($1) AND ${column} IS DISTINCT FROM $2 AND used_at IS NULL AND expires_at > now()`,
        [candidates, id],
      )
    ).map((r) => r.locator),
  );
  const locator = candidates.find((c) => !taken.has(c));
  if (!locator) throw new ServiceUnavailableException('too many join codes are live: try again in a moment');
  // A dead code may still hold it.
  await m.query(`UPDATE join_codes SET locator = NULL WHERE locator = $1 AND ${column} IS DISTINCT FROM $2`, [locator, id]);
  const digits = locator + String(randomInt(10 ** (10 - LOCATOR_DIGITS))).padStart(10 - LOCATOR_DIGITS, '0');
  await m.query(
    `INSERT INTO join_codes (${column}, code_hash, expires_at, locator) VALUES ($1, $2, $3, $4)
     ON CONFLICT (${column}) WHERE ${column} IS NOT NULL DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, locator = EXCLUDED.locator,
       created_at = now(), used_at = NULL, failures = 0, failures_since = NULL`,
    [id, hash(digits), expiresAt, locator],
  );
  return digits;
}

/**
 * A wrong code: counts it against the live code with the same locator, if any (failures within the hour), and
 * voids that code when `max` is reached. Returns the call it counted against and whether its code is void.
 */
export async function countFailure(
  m: EntityManager,
  digits: string,
  max: number,
): Promise<{ bookingId: string | null; requestId: string | null; voided: boolean } | null> {
  const [hit] = await rows<{ id: string; booking_id: string | null; request_id: string | null; failures: number }>(
    m,
    `UPDATE join_codes
        SET failures = CASE WHEN failures_since > now() - ${FAILURE_WINDOW} THEN failures + 1 ELSE 1 END,
            failures_since = CASE WHEN failures_since > now() - ${FAILURE_WINDOW} THEN failures_since ELSE now() END
      WHERE locator = $1 AND used_at IS NULL AND expires_at > now()
      RETURNING code_hash AS id, booking_id, request_id, failures`,
    [digits.slice(0, LOCATOR_DIGITS)],
  );
  if (!hit) return null;
  const voided = hit.failures >= max;
  if (voided) await m.query(`DELETE FROM join_codes WHERE code_hash = $1`, [hit.id]);
  return { bookingId: hit.booking_id, requestId: hit.request_id, voided };
}
