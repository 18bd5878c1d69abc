import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';
import { User } from './entities/user.entity';

/** Never valid: the account is disabled, removed or unknown. */
const NEVER = 'never';

const key = (userId: string) => `valid-after:${userId}`;

/**
 * Whether a staff token is still good, read on every REST request and every socket event: so it is one Redis
 * GET of the user's "valid after" instant (or "never"), filled from PostgreSQL on a miss. Every change to an
 * account overwrites it after writing PostgreSQL; a miss fills it only if nothing was written meanwhile (SET NX),
 * so a stale read can never hide a revocation. Without Redis (command-line contexts) PostgreSQL is read.
 */
@Injectable()
export class TokenValidity {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly config: AppConfig,
    @Optional() @Inject(REDIS) private readonly redis?: Redis,
  ) {}

  async isValid(userId: string, issuedAtMs: number): Promise<boolean> {
    const after = await this.validAfter(userId);
    return after !== null && issuedAtMs > after;
  }

  /** After PostgreSQL has the account's new state: every node sees it from the next request or event on. */
  async changed(userId: string): Promise<void> {
    if (!this.redis) return;
    await this.redis.set(key(userId), await this.fromDatabase(userId), 'EX', this.ttl());
  }

  /** Milliseconds since the epoch after which tokens are good (0: all), or null: none is. */
  private async validAfter(userId: string): Promise<number | null> {
    let value = await this.redis?.get(key(userId)).catch(() => null);
    if (value == null) {
      value = await this.fromDatabase(userId);
      await this.redis?.set(key(userId), value, 'EX', this.ttl(), 'NX').catch(() => undefined);
    }
    return value === NEVER ? null : Number(value);
  }

  private async fromDatabase(userId: string): Promise<string> {
    const user = await this.users.findOne({ where: { id: userId }, select: { id: true, tokensValidAfter: true, disabled: true } });
    if (!user || user.disabled) return NEVER;
    return String(user.tokensValidAfter?.getTime() ?? 0);
  }

  /** Longer than any token lives; after that a miss reads PostgreSQL again. */
  private ttl() {
    return this.config.JWT_TTL_SECONDS + 60;
  }
}
