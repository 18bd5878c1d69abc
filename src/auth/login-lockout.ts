import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { keyedHasher } from '../common/keyed-hash';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';

/** The first delay once an (email, address) pair has used its free failures; it doubles with each further one. */
export const FIRST_DELAY_SECONDS = 30;
/** Failures of one email from every address, within LOGIN_LOCKOUT_SECONDS, as a multiple of LOGIN_MAX_FAILURES. */
export const EMAIL_CEILING_FACTOR = 4;
/** How long an address that logged in successfully stays known for that email. */
export const KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600;
/** How long a pair's failures are remembered (so its delays keep growing). */
const PAIR_MEMORY_SECONDS = 24 * 3600;

/** Seconds an (email, address) pair must wait after its `failures`-th failure: none within the free ones. */
export function pairDelaySeconds(failures: number, free: number, maxSeconds: number): number {
  if (failures < free) return 0;
  return Math.min(maxSeconds, FIRST_DELAY_SECONDS * 2 ** Math.min(failures - free, 20));
}

/** A login refused before its password is even checked; `seconds` goes in Retry-After. */
export class LoginLocked extends HttpException {
  constructor(
    readonly seconds: number,
    readonly scope: 'address' | 'email',
  ) {
    super(
      {
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many failed logins for this email: try again in ${Math.ceil(seconds / 60)} minutes`,
        retryAfterSeconds: seconds,
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

export interface FailureCount {
  /** This pair's failures, and whether this one started its delays (5th failure by default). */
  pair: number;
  pairLocked: boolean;
  /** Whether this failure took the email to its ceiling. */
  emailLocked: boolean;
}

/**
 * Failed logins, counted so that an attacker cannot turn them against the account's owner:
 * - per (email, address): LOGIN_MAX_FAILURES free, then a delay that doubles with each failure (30 s, 1 min, ...
 *   up to LOGIN_LOCKOUT_SECONDS), during which that pair is refused (429 with Retry-After) even with the
 *   right password;
 * - per email, over all addresses: past EMAIL_CEILING_FACTOR × LOGIN_MAX_FAILURES failures within
 *   LOGIN_LOCKOUT_SECONDS (each failure restarts that window), only addresses that have logged in to this email
 *   before (in the last 90 days) may still try; an attacker spread over many addresses gets one guess per window.
 * Emails and addresses are kept only as keyed hashes (HMAC, key derived from JWT_SECRET), with a TTL.
 */
@Injectable()
export class LoginLockout {
  private readonly hash: (value: string) => string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.hash = keyedHasher(config.JWT_SECRET, 'login-lockout');
  }

  /** Throws LoginLocked if this email may not be tried from this address now. */
  async check(email: string, address: string): Promise<void> {
    const k = this.keys(email, address);
    const [[, lockTtl], [, emailFailures], [, emailTtl], [, known]] = (await this.redis
      .multi()
      .ttl(k.pairLock)
      .get(k.email)
      .ttl(k.email)
      .exists(k.known)
      .exec()) as [null, number][];
    if (lockTtl > 0) throw new LoginLocked(lockTtl, 'address');
    if (Number(emailFailures) >= this.emailCeiling() && !known) throw new LoginLocked(Math.max(1, emailTtl), 'email');
  }

  async failed(email: string, address: string): Promise<FailureCount> {
    const k = this.keys(email, address);
    const [[, pair], , [, emailFailures]] = (await this.redis
      .multi()
      .incr(k.pair)
      .expire(k.pair, PAIR_MEMORY_SECONDS)
      .incr(k.email)
      .expire(k.email, this.config.LOGIN_LOCKOUT_SECONDS)
      .exec()) as [null, number][];
    const delay = pairDelaySeconds(pair, this.config.LOGIN_MAX_FAILURES, this.config.LOGIN_LOCKOUT_SECONDS);
    if (delay > 0) await this.redis.set(k.pairLock, '1', 'EX', delay);
    return { pair, pairLocked: pair === this.config.LOGIN_MAX_FAILURES, emailLocked: emailFailures === this.emailCeiling() };
  }

  /** Her pair starts afresh and her address is known for this email; the email's count is left to expire. */
  async succeeded(email: string, address: string): Promise<void> {
    const k = this.keys(email, address);
    await this.redis.multi().del(k.pair, k.pairLock).set(k.known, '1', 'EX', KNOWN_ADDRESS_SECONDS).exec();
  }

  private emailCeiling() {
    return EMAIL_CEILING_FACTOR * this.config.LOGIN_MAX_FAILURES;
  }

  private keys(email: string, address: string) {
    const e = this.hash(`email:${email.trim().toLowerCase()}`);
    const pair = `${e}:${this.hash(`address:${address}`)}`;
    return { email: `login:email:${e}`, pair: `login:pair:${pair}`, pairLock: `login:lock:${pair}`, known: `login:known:${pair}` };
  }
}
