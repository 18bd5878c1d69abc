import { CanActivate, ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { CallerEventLimiter } from '../limits/caller-events';

const CAPACITY = 20;
const REFILL_PER_SECOND = 10;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Takes one event's token from this connection's bucket: false when it is empty. A token bucket per
 * connection, in the connection's own memory (a socket lives on one node): a burst of 20 events, then 10 a
 * second. Every event counts, those no gateway handles too.
 */
export function takeEventToken(socket: Socket): boolean {
  const now = Date.now();
  const bucket: Bucket = (socket.data.rateBucket ??= { tokens: CAPACITY, at: now });
  bucket.tokens = Math.min(CAPACITY, bucket.tokens + ((now - bucket.at) / 1000) * REFILL_PER_SECOND);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/**
 * The rate limit on every gateway event: per connection, then per caller token over all her connections. An
 * abusive client gets RATE_LIMITED; nobody else is affected.
 */
@Injectable()
export class WsRateLimitGuard implements CanActivate {
  constructor(private readonly callers: CallerEventLimiter) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const socket = ctx.switchToWs().getClient<Socket>();
    if (!takeEventToken(socket)) throw new HttpException('too many events: slow down', HttpStatus.TOO_MANY_REQUESTS);
    await this.callers.take(socket.data.principal);
    return true;
  }
}
