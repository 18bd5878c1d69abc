import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';
import { withScripts } from '../redis/redis-scripts';

const WINDOW_MS = 10_000;

/** The window's count, and its expiry set by its first event: one script call (a MULTI of INCR and PEXPIRE was four commands). */
const TAKE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

interface Take {
  callerEventTake(key: string, windowMs: number): Promise<number>;
}

/**
 * Socket events per anonymous caller token, over all her connections on every node (a Redis counter per
 * token and 10-second window): thirty sockets opened with one token share one budget. Staff are limited per
 * connection only; their tokens are personal and revocable.
 */
@Injectable()
export class CallerEventLimiter {
  private readonly redis: Redis & Take;

  constructor(
    @Inject(REDIS) redis: Redis,
    private readonly config: AppConfig,
  ) {
    this.redis = withScripts<Take>(redis, { callerEventTake: { keys: 1, lua: TAKE } });
  }

  async take(p: Principal | undefined): Promise<void> {
    if (p?.role !== 'caller') return;
    const key = `ev:${p.sub}:${Math.floor(Date.now() / WINDOW_MS)}`;
    let count: number;
    try {
      count = await this.redis.callerEventTake(key, WINDOW_MS);
    } catch {
      return; // Redis unreachable: the per-connection limit still holds
    }
    if (count > this.config.CALLER_EVENTS_PER_10_SECONDS)
      throw new HttpException('too many events for this call: slow down', HttpStatus.TOO_MANY_REQUESTS);
  }
}
