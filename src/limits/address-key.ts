import { Injectable } from '@nestjs/common';
import { normalizeIp } from '@nestjs/throttler';
import type { IncomingMessage } from 'node:http';
import { keyedHasher } from '../common/keyed-hash';
import { AppConfig } from '../config/config.schema';

/** Express's compiled `trust proxy` setting: whether the hop at distance `i` may tell us who is behind it. */
export type TrustProxy = (address: string, i: number) => boolean;

/**
 * The client address of a raw request (a socket.io handshake), as Express computes `req.ip` for REST: the
 * nearest hop of X-Forwarded-For that `trust proxy` does not vouch for.
 */
export function requestAddress(req: IncomingMessage, trust: TrustProxy | undefined): string {
  const hops = [req.socket?.remoteAddress ?? ''];
  const forwarded = req.headers['x-forwarded-for'];
  if (trust && typeof forwarded === 'string')
    hops.push(
      ...forwarded
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .reverse(),
    );
  for (let i = 0; i < hops.length - 1; i++) if (!trust?.(hops[i], i)) return hops[i];
  return hops[hops.length - 1];
}

/**
 * A client address as it may be kept: a keyed hash (HMAC-SHA-256 under a key derived from JWT_SECRET, so
 * that the 2^32 IPv4 addresses cannot be tried against it without the secret), IPv6 by /64 as one address.
 * Addresses appear nowhere else: not in Redis, the database or the logs.
 */
@Injectable()
export class AddressKeys {
  private readonly hash: (value: string) => string;

  constructor(config: AppConfig) {
    this.hash = keyedHasher(config.JWT_SECRET, 'client-address');
  }

  of(address: string | undefined): string {
    return this.hash(normalizeIp(address ?? '') || 'unknown').slice(0, 22);
  }
}
