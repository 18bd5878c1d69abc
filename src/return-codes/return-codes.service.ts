import { HttpException, HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { keyedHasher } from '../common/keyed-hash';
import { badField } from '../common/validation';
import { AppConfig } from '../config/config.schema';
import { PG, pgCode } from '../database/pg-errors';
import { REDIS } from '../redis/redis.module';
import { newReturnCode, RETURN_CODE_HOURS } from './return-code';

/** Wrong return codes one address may try in an hour (a million codes: a guesser learns nothing at this pace). */
export const RETURN_CODE_TRIES_PER_HOUR = 10;
const HOUR_S = 3600;
const ISSUE_ATTEMPTS = 5;

/** The one answer for a code that is unknown, used or expired: it tells a guesser nothing. */
export const returnCodeRefused = () =>
  badField('returnCode', 'returnCode does not work: it may be mistyped, used already, or older than 24 hours; call without it');

/**
 * Her way back (issue 16): when an interpreter takes her call she is given six digits; within 24 hours a request
 * made with them rings that interpreter first. Only a keyed hash of the code is kept, with the interpreter, the
 * request it was given for (so a later interpreter's code replaces it) and its expiry; the request that uses it
 * deletes it (matching_new_request, in the transaction that makes the request).
 */
@Injectable()
export class ReturnCodesService {
  private readonly logger = new Logger('ReturnCodes');
  readonly hash: (code: string) => string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.hash = keyedHasher(config.JWT_SECRET, 'return-code', 'hex');
  }

  /**
   * A new code for the request's lead interpreter, replacing the request's earlier one; its digits, for her screen
   * only (never stored, never logged). Null if none could be stored: she is served all the same.
   */
  async issue(requestId: string, interpreterId: string): Promise<string | null> {
    for (let i = 0; i < ISSUE_ATTEMPTS; i++) {
      const code = newReturnCode();
      try {
        // An expired code may still hold these digits until the purge: it goes (it would be refused anyway).
        await this.db.query(`DELETE FROM return_codes WHERE code_hash = $1 AND expires_at <= now()`, [this.hash(code)]);
        await this.db.query(
          `INSERT INTO return_codes (code_hash, interpreter_id, request_id, expires_at)
           VALUES ($1, $2, $3, now() + make_interval(hours => $4))
           ON CONFLICT (request_id) DO UPDATE SET code_hash = EXCLUDED.code_hash, interpreter_id = EXCLUDED.interpreter_id,
             expires_at = EXCLUDED.expires_at`,
          [this.hash(code), interpreterId, requestId, RETURN_CODE_HOURS],
        );
        return code;
      } catch (e) {
        // Another live code has these digits (one in a million per live code): draw again.
        if (pgCode(e) !== PG.UNIQUE_VIOLATION) {
          this.logger.error({ err: (e as Error)?.name, code: pgCode(e) }, 'no return code given');
          return null;
        }
      }
    }
    return null;
  }

  /** Before a request with a code: refused once an address has tried RETURN_CODE_TRIES_PER_HOUR wrong ones this hour. */
  async mayTry(addressKey: string): Promise<void> {
    const tried = Number((await this.redis.get(this.triesKey(addressKey)).catch(() => null)) ?? 0);
    if (tried >= RETURN_CODE_TRIES_PER_HOUR)
      throw new HttpException('too many wrong return codes from your network: call without one', HttpStatus.TOO_MANY_REQUESTS);
  }

  /** A wrong code tried from this address. */
  async failed(addressKey: string): Promise<void> {
    const key = this.triesKey(addressKey);
    await this.redis
      .multi()
      // The hour counts from the first wrong code.
      .set(key, 0, 'EX', HOUR_S, 'NX')
      .incr(key)
      .exec()
      .catch(() => undefined);
  }

  /** Codes past their 24 hours (RetentionService's daily purge). */
  async purgeExpired(): Promise<number> {
    const [, n] = (await this.db.query(`DELETE FROM return_codes WHERE expires_at <= now()`)) as [unknown, number];
    return Number(n ?? 0);
  }

  private triesKey(addressKey: string) {
    return `rc:tries:${addressKey}`;
  }
}
