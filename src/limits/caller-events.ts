import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';

const WINDOW_MS = 10_000;

/**
 * Socket events per anonymous caller token, over all her connections on every node (a Redis counter per
 * token and 10-second window): thirty sockets opened with one token share one budget. Staff are limited per
 * connection only; their tokens are personal and revocable.
 */
@Injectable()
export class CallerEventLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async take(p: Principal | undefined): Promise<void> {
    if (p?.role !== 'caller') return;
    const key = `ev:${p.sub}:${Math.floor(Date.now() / WINDOW_MS)}`;
    let count: number;
    try {
      const [[, n]] = (await this.redis.multi().incr(key).pexpire(key, WINDOW_MS).exec()) as [Error | null, number][];
      count = n;
    } catch {
      return; // Redis unreachable: the per-connection limit still holds
    }
    if (count > this.config.CALLER_EVENTS_PER_10_SECONDS)
      throw new HttpException('too many events for this call: slow down', HttpStatus.TOO_MANY_REQUESTS);
  }
}
