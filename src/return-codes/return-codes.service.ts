import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { keyedHasher } from '../common/keyed-hash';
import { badField } from '../common/validation';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';
import { RETURN_CODE_HOURS } from '../realtime/realtime.contract';
import { newReturnCode } from './return-code';

/** Return codes one address may try in an hour (a million codes: a guesser learns nothing at this pace). */
export const RETURN_CODE_TRIES_PER_HOUR = 10;
const HOUR_S = 3600;

/** A code drawn for a call about to open: its digits (for her screen only), their keyed hash and its lifetime. */
export interface ReturnCodeDraw {
  digits: string;
  hash: string;
  hours: number;
}

/** The one answer for a code that is unknown, used or expired: it tells a guesser nothing. */
export const returnCodeRefused = () =>
  badField('returnCode', 'returnCode does not work: it may be mistyped, used already, or older than 24 hours; call without it');

const tooMany = () => new HttpException('too many return codes tried from your network: call without one', HttpStatus.TOO_MANY_REQUESTS);

/**
 * Her way back (issue 16): when an interpreter takes her call she is given six digits; within 24 hours a request
 * made with them rings that interpreter first. Only a keyed hash of the code is kept, with the interpreter, the
 * request it was given for (so a later interpreter's code replaces it) and its expiry: stored by matching_open as the
 * call opens, used up by matching_new_request as the next request is made.
 */
@Injectable()
export class ReturnCodesService {
  readonly hash: (code: string) => string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.hash = keyedHasher(config.JWT_SECRET, 'return-code', 'hex');
  }

  /** A new code for a call that may open now (the acceptance stores it if it does, for a woman's own request). */
  draw(): ReturnCodeDraw {
    const digits = newReturnCode();
    return { digits, hash: this.hash(digits), hours: RETURN_CODE_HOURS };
  }

  /**
   * Every request that carries a code counts against its address, whatever its answer (a code's validity must not be
   * learnt from a request refused for another reason): past RETURN_CODE_TRIES_PER_HOUR, and while the count cannot be
   * kept (Redis unreachable), codes are refused from there; she may call without one.
   */
  async tried(addressKey: string): Promise<void> {
    const key = `rc:tries:${addressKey}`;
    let tries: number;
    try {
      // The hour counts from the first try.
      const [, [, n]] = (await this.redis.multi().set(key, 0, 'EX', HOUR_S, 'NX').incr(key).exec()) as [unknown, [Error | null, number]];
      tries = n;
    } catch {
      throw tooMany();
    }
    if (tries > RETURN_CODE_TRIES_PER_HOUR) throw tooMany();
  }

  /** Codes past their 24 hours (RetentionService's daily purge). */
  async purgeExpired(): Promise<number> {
    const [, n] = (await this.db.query(`DELETE FROM return_codes WHERE expires_at <= now()`)) as [unknown, number];
    return Number(n ?? 0);
  }
}
