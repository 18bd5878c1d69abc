import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { randomInt } from 'node:crypto';
import { keyedHasher } from '../common/keyed-hash';
import type { EntityManager } from 'typeorm';
import { rows } from '../database/sql';

/**
 * A join code is ten digits: a locator (the first four: not secret, unique among live codes, naming the booking
 * whose failure budget a wrong guess spends) and a secret (the other six). Only a keyed hash of all ten is kept.
 */
export const LOCATOR_DIGITS = 4;
const FAILURE_WINDOW = `interval '1 hour'`;
// Serialises issuing (rare), so that two bookings never draw the same free locator at once.
const ISSUE_LOCK = 0x4a6f696e; // "Join"

/** Every refusal, whatever its reason, is this one answer, so that it tells a guesser nothing. */
export const codeRefused = () => new NotFoundException('this code does not open a call now: check it, or ask for a new one');

export type RefusalReason = 'wrong' | 'used' | 'expired' | 'not_open';

/** Hashes a code under a key derived from the deployment's secret (a database dump alone cannot try 10^6 secrets). */
export function joinCodeHasher(secret: string) {
  return {
    hash: keyedHasher(secret, 'join-code', 'hex'),
  };
}

/** Stores a new code for a booking (replacing its previous one, and its failure count) and returns its digits. */
export async function storeJoinCode(
  m: EntityManager,
  hash: (digits: string) => string,
  bookingId: string,
  expiresAt: Date,
): Promise<string> {
  await m.query(`SELECT pg_advisory_xact_lock($1)`, [ISSUE_LOCK]);
  const candidates = Array.from({ length: 30 }, () => String(randomInt(10 ** LOCATOR_DIGITS)).padStart(LOCATOR_DIGITS, '0'));
  const taken = new Set(
    (
      await rows<{ locator: string }>(
        m,
        `SELECT locator FROM booking_join_codes WHERE locator = ANY($1) AND booking_id <> $2 AND used_at IS NULL AND expires_at > now()`,
        [candidates, bookingId],
      )
    ).map((r) => r.locator),
  );
  const locator = candidates.find((c) => !taken.has(c));
  if (!locator) throw new ServiceUnavailableException('too many join codes are live: try again in a moment');
  // A dead code may still hold it.
  await m.query(`UPDATE booking_join_codes SET locator = NULL WHERE locator = $1 AND booking_id <> $2`, [locator, bookingId]);
  const digits = locator + String(randomInt(10 ** (10 - LOCATOR_DIGITS))).padStart(10 - LOCATOR_DIGITS, '0');
  await m.query(
    `INSERT INTO booking_join_codes (booking_id, code_hash, expires_at, locator) VALUES ($1, $2, $3, $4)
     ON CONFLICT (booking_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, locator = EXCLUDED.locator,
       created_at = now(), used_at = NULL, failures = 0, failures_since = NULL`,
    [bookingId, hash(digits), expiresAt, locator],
  );
  return digits;
}

/**
 * A wrong code: counts it against the live code with the same locator, if any (failures within the hour), and
 * voids that code when `max` is reached. Returns the booking it counted against and whether its code is void.
 */
export async function countFailure(m: EntityManager, digits: string, max: number): Promise<{ bookingId: string; voided: boolean } | null> {
  const [hit] = await rows<{ booking_id: string; failures: number }>(
    m,
    `UPDATE booking_join_codes
        SET failures = CASE WHEN failures_since > now() - ${FAILURE_WINDOW} THEN failures + 1 ELSE 1 END,
            failures_since = CASE WHEN failures_since > now() - ${FAILURE_WINDOW} THEN failures_since ELSE now() END
      WHERE locator = $1 AND used_at IS NULL AND expires_at > now()
      RETURNING booking_id, failures`,
    [digits.slice(0, LOCATOR_DIGITS)],
  );
  if (!hit) return null;
  const voided = hit.failures >= max;
  if (voided) await m.query(`DELETE FROM booking_join_codes WHERE booking_id = $1`, [hit.booking_id]);
  return { bookingId: hit.booking_id, voided };
}
