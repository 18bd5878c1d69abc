import { HttpException, HttpStatus, Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io';
import { DataSource } from 'typeorm';
import { isUuid } from '../common/validation';
import { AppConfig } from '../config/config.schema';
import { REDIS } from '../redis/redis.module';
import { withScripts } from '../redis/redis-scripts';
import { AddressKeys, requestAddress, type TrustProxy } from './address-key';

const SOCKET_STALE_MS = 3 * 60_000;
const SOCKET_REFRESH_MS = 60_000;
// A live request (waiting, ringing, in a call) older than this is not counted, whatever became of it.
const REQUEST_STALE_MS = 6 * 3600_000;
const RESERVATION_MS = 30_000;
const LIVE_STATES = ['queued', 'offering', 'accepted', 'connected'];

const keys = {
  sockets: (address: string) => `cap:sockets:${address}`,
  requests: (address: string) => `cap:requests:${address}`,
};

// Drops members older than ARGV[2], then adds ARGV[4] (score ARGV[1]) if fewer than ARGV[3] remain.
const ADMIT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

// Replaces member ARGV[1] by ARGV[3] (score ARGV[2]) in one step, so that no admission in between sees one fewer.
const SWAP = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
return 1`;

interface CapScripts {
  addressCapAdmit(key: string, ...args: (string | number)[]): Promise<number>;
  addressCapSwap(key: string, out: string, score: number, member: string): Promise<number>;
}

export const tooMany = (what: string) =>
  new HttpException(`too many ${what} from your network at once: try again in a moment`, HttpStatus.TOO_MANY_REQUESTS);

/**
 * Caps per client address shared by every node: open sockets, and live interpretation requests (so that many
 * anonymous caller tokens from one address cannot fill the head of the line). Each address is a sorted set in
 * Redis under its keyed hash, expiring when unused; members are socket or request ids, never the address.
 */
@Injectable()
export class AddressCaps implements OnModuleInit, OnModuleDestroy {
  /** This node's sockets and the address each counts against (re-stamped so a dead node's expire). */
  private readonly mine = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private readonly redis: Redis & CapScripts;

  constructor(
    @Inject(REDIS) redis: Redis,
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly addresses: AddressKeys,
    private readonly http: HttpAdapterHost,
  ) {
    this.redis = withScripts<CapScripts>(redis, { addressCapAdmit: { keys: 1, lua: ADMIT }, addressCapSwap: { keys: 1, lua: SWAP } });
  }

  onModuleInit() {
    this.timer = setInterval(() => void this.refresh(), SOCKET_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  /** The keyed hash of a socket's client address (set at its handshake). */
  addressOf(socket: Socket): string {
    return socket.data.addressKey ?? (socket.data.addressKey = this.addresses.of(requestAddress(socket.request, this.trust())));
  }

  /** socket.io middleware: a connection over MAX_SOCKETS_PER_ADDRESS is refused at the handshake. */
  readonly admitSocket = (socket: Socket, next: (err?: Error) => void) => {
    const address = this.addressOf(socket);
    this.admit(keys.sockets(address), socket.id, this.config.MAX_SOCKETS_PER_ADDRESS, SOCKET_STALE_MS, SOCKET_STALE_MS).then(
      (ok) => {
        if (!ok)
          return next(
            Object.assign(new Error('too many connections from your network'), {
              data: { error: { code: 'RATE_LIMITED', message: 'too many connections from your network' } },
            }),
          );
        this.mine.set(socket.id, address);
        socket.once('disconnect', () => {
          this.mine.delete(socket.id);
          void this.redis.zrem(keys.sockets(address), socket.id).catch(() => undefined);
        });
        next();
      },
      // Redis unreachable: the connection is let through (the rest of the node needs Redis anyway).
      () => next(),
    );
  };

  /**
   * Holds a place for one more live request from this address, or refuses (429) when MAX_LIVE_REQUESTS_PER_ADDRESS
   * are live. Give the request id to `created` once it exists, or `release` the place if it was not made.
   */
  async reserveRequest(address: string): Promise<string | null> {
    const reservation = `r:${randomUUID()}`;
    const key = keys.requests(address);
    const cap = this.config.MAX_LIVE_REQUESTS_PER_ADDRESS;
    try {
      if (await this.admit(key, reservation, cap, REQUEST_STALE_MS, REQUEST_STALE_MS)) return reservation;
      // Full: forget the requests that have ended since (and places held but never used), then try once more.
      if ((await this.prune(key)) && (await this.admit(key, reservation, cap, REQUEST_STALE_MS, REQUEST_STALE_MS))) return reservation;
    } catch {
      return null; // Redis unreachable: a woman's request is not refused for it
    }
    throw tooMany('requests');
  }

  async created(address: string, reservation: string | null, requestId: string) {
    if (!reservation) return;
    await this.redis.addressCapSwap(keys.requests(address), reservation, Date.now(), requestId).catch(() => undefined);
  }

  async release(address: string, reservation: string | null) {
    if (reservation) await this.redis.zrem(keys.requests(address), reservation).catch(() => undefined);
  }

  private async admit(key: string, member: string, cap: number, staleMs: number, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return (await this.redis.addressCapAdmit(key, now, now - staleMs, cap, member, ttlMs)) === 1;
  }

  /** Removes ended requests and old reservations; true if any went. */
  private async prune(key: string): Promise<boolean> {
    const flat = await this.redis.zrange(key, 0, -1, 'WITHSCORES');
    const members: [string, number][] = [];
    for (let i = 0; i < flat.length; i += 2) members.push([flat[i], Number(flat[i + 1])]);
    const ids = members.map(([m]) => m).filter(isUuid);
    const live = new Set(
      ids.length
        ? (
            (await this.db.query(`SELECT id FROM interpretation_requests WHERE id = ANY($1::uuid[]) AND state = ANY($2)`, [
              ids,
              LIVE_STATES,
            ])) as { id: string }[]
          ).map((r) => r.id)
        : [],
    );
    const gone = members.filter(([m, at]) => (isUuid(m) ? !live.has(m) : at < Date.now() - RESERVATION_MS)).map(([m]) => m);
    if (gone.length) await this.redis.zrem(key, ...gone);
    return gone.length > 0;
  }

  private async refresh() {
    if (!this.mine.size) return;
    const now = Date.now();
    const batch = this.redis.pipeline();
    for (const [socketId, address] of this.mine)
      batch.zadd(keys.sockets(address), 'XX', now, socketId).pexpire(keys.sockets(address), SOCKET_STALE_MS);
    await batch.exec().catch(() => undefined);
  }

  private trust(): TrustProxy | undefined {
    return this.http.httpAdapter?.getInstance?.()?.get?.('trust proxy fn');
  }
}
