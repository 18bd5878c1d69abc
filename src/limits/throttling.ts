import { ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerException, ThrottlerGuard, ThrottlerModuleOptions, type ThrottlerOptions } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import type { AppConfig } from '../config/config.schema';
import type { AddressKeys } from './address-key';

type Route = { method: string; path: string };

/** The route Express matched (its pattern, so case and a trailing slash do not dodge a limit). */
function routeOf(ctx: ExecutionContext): Route {
  const req = ctx.switchToHttp().getRequest();
  return { method: String(req.method ?? ''), path: String(req.route?.path ?? '') };
}

/** A named limit that counts only the routes `applies` picks. */
const onlyFor = (name: string, ttl: number, limit: number, applies: (r: Route) => boolean): ThrottlerOptions => ({
  name,
  ttl,
  limit,
  skipIf: (ctx) => !applies(routeOf(ctx)),
});

/**
 * REST limits per client address, counted in Redis so that every node counts the same (one budget however the
 * load balancer spreads the requests) and across routes (a global budget, not one per route): the whole API,
 * then tighter ones on logins and caller tokens (/auth/*), on caller tokens alone, and on join codes.
 */
export function throttlerOptions(config: AppConfig, redis: Redis, keys: AddressKeys): ThrottlerModuleOptions {
  const MINUTE = 60_000;
  return {
    storage: new ThrottlerStorageRedisService(redis),
    getTracker: (req) => keys.of(req.ip),
    // No route in the key: one budget per address and limit, whichever route is asked.
    generateKey: (_ctx, tracker, name) => `rl:${name}:${tracker}`,
    throttlers: [
      { name: 'default', ttl: MINUTE, limit: config.RATE_LIMIT_PER_MINUTE },
      onlyFor('auth', MINUTE, config.RATE_LIMIT_AUTH_PER_MINUTE, (r) => r.path.startsWith('/api/v1/auth/')),
      onlyFor(
        'caller',
        60 * MINUTE,
        config.RATE_LIMIT_CALLER_TOKENS_PER_HOUR,
        (r) => r.method === 'POST' && r.path === '/api/v1/auth/caller',
      ),
      onlyFor('join', MINUTE, config.RATE_LIMIT_JOIN_PER_MINUTE, (r) => r.method === 'POST' && r.path === '/api/v1/bookings/join'),
    ],
  };
}

/**
 * @nestjs/throttler's guard for REST only (socket events have their own limits), failing open: a Redis outage
 * must not take every route down with it (readiness reports the outage).
 */
@Injectable()
export class AddressThrottlerGuard extends ThrottlerGuard {
  private readonly log = new Logger('RateLimit');

  protected async shouldSkip(ctx: ExecutionContext): Promise<boolean> {
    return ctx.getType() !== 'http';
  }

  protected async handleRequest(props: Parameters<ThrottlerGuard['handleRequest']>[0]): Promise<boolean> {
    try {
      return await super.handleRequest(props);
    } catch (e) {
      if (e instanceof ThrottlerException) throw e;
      this.log.warn({ err: (e as Error)?.name }, 'rate-limit storage unavailable: request let through');
      return true;
    }
  }
}
