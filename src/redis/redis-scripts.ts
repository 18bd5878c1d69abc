import type Redis from 'ioredis';

/** A Lua script and how many of its arguments are keys (the rest are ARGV). */
export interface RedisScript {
  keys: number;
  lua: string;
}

/**
 * Adds each script to the connection as a command of its name, sent as EVALSHA (its text only when Redis does not know
 * it yet): Redis hashes no text per call, and a script does in one command what a MULTI did in several. The connection
 * is shared (REDIS), so a script already added by another service is left as it is. T: the commands' typed signatures.
 */
export function withScripts<T extends object>(redis: Redis, scripts: Record<keyof T & string, RedisScript>): Redis & T {
  for (const [name, { keys, lua }] of Object.entries<RedisScript>(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: keys, lua });
  }
  return redis as Redis & T;
}
