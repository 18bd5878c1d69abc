import { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { createAdapter } from '@socket.io/redis-adapter';
import Redis from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { AddressCaps } from '../limits/address-caps.service';
import { closeRedis } from '../redis/close-redis';
import { toWsError, type WsErrorBody } from './ws-errors';
import { bindMessageHandlers } from './bind-message-handlers';

const revoked: WsErrorBody = { error: { code: 'UNAUTHORIZED', message: 'the token was revoked' } };
const unavailable: WsErrorBody = { error: { code: 'INTERNAL', message: 'internal error' } };

/** Answers an event that is not dispatched, if it asked for an acknowledgement. */
function answer(packet: unknown[], body: WsErrorBody) {
  const ack = packet.at(-1);
  if (typeof ack === 'function') ack(body);
}

/** The host of an Origin header, or null for one that is no URL (`null`, sent by sandboxed and file pages): never throws. */
export function originHost(origin: string): string | null {
  try {
    return new URL(origin).host || null;
  } catch {
    return null;
  }
}

/**
 * socket.io over the Redis adapter, so that a caller on node A and an interpreter on node B are in one
 * room space; every connection is authenticated at the handshake (`auth: { token }`).
 */
export class RedisIoAdapter extends IoAdapter {
  private pub?: Redis;
  private sub?: Redis;

  constructor(private readonly appContext: INestApplicationContext) {
    super(appContext);
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    const config = this.appContext.get(AppConfig);
    const auth = this.appContext.get(AuthService);
    const server: Server = super.createIOServer(port, {
      ...options,
      cors: { origin: config.PUBLIC_ORIGINS },
      // Browsers send Origin; reject other origins at the handshake. Non-browser clients send none.
      allowRequest: (req: IncomingMessage, callback: (err: string | null | undefined, ok: boolean) => void) => {
        const origin = req.headers.origin;
        // The application's own pages (same host) and the configured public origins.
        const sameHost = !!origin && !!req.headers.host && originHost(origin) === req.headers.host;
        callback(null, !origin || sameHost || config.PUBLIC_ORIGINS.includes(origin));
      },
      maxHttpBufferSize: 64 * 1024,
      pingInterval: 10_000,
      pingTimeout: 8_000,
      connectionStateRecovery: undefined,
    });
    this.pub = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
    this.sub = this.pub.duplicate();
    // ioredis reconnects by itself; without a listener an outage would be an uncaught 'error' event.
    for (const client of [this.pub, this.sub]) client.on('error', () => undefined);
    handleDropped(this.pub, ['publish']);
    handleDropped(this.sub, ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
    server.adapter(createAdapter(this.pub, this.sub, { key: `${config.REDIS_PREFIX}:socket.io`, requestsTimeout: 3000 }));
    server.use((socket, next) => {
      const { token, fresh } = (socket.handshake.auth ?? {}) as { token?: unknown; fresh?: unknown };
      socket.data.fresh = fresh === true;
      auth
        .verify(typeof token === 'string' ? token : undefined)
        .then((principal) => {
          socket.data.principal = principal;
          next();
        })
        .catch((e) => {
          const err = new Error(toWsError(e).error.message) as Error & { data: unknown };
          err.data = toWsError(e);
          next(err);
        });
    });
    // After authentication: a connection over the per-address cap is refused at the handshake.
    server.use(this.appContext.get(AddressCaps).admitSocket);
    // The handshake is not enough: an account revoked, disabled or removed since must not act through a socket
    // that was open before. Each event of a staff socket re-checks its token (one Redis read); a refused one is
    // answered UNAUTHORIZED and the socket is cut. Caller tokens cannot be revoked: nothing to check.
    server.on('connection', (socket: Socket) => {
      const principal = socket.data.principal as Principal | undefined;
      if (!principal || principal.role === 'caller') return;
      socket.use((packet, next) => {
        auth.stillValid(principal).then(
          (ok) => {
            if (ok) return next();
            answer(packet, revoked);
            socket.disconnect(true);
          },
          () => answer(packet, unavailable),
        );
      });
      // A revocation between her handshake and her joining her rooms would not find this socket to cut: look again
      // once she is in them (the gateway joins them as this event is handled, before this read returns).
      auth.stillValid(principal).then(
        (ok) => ok || socket.disconnect(true),
        () => undefined,
      );
    });
    return server;
  }

  /** Nest's own binding builds an rxjs pipeline per socket and event: about 100 KB per caller's connection. */
  bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[]) {
    bindMessageHandlers(socket, handlers);
  }

  async close(server: Server) {
    await super.close(server);
    // Stop hearing other nodes first, so that no request from them is answered on a closed connection; then
    // let what this node is still publishing go out.
    await closeRedis(this.sub);
    await closeRedis(this.pub);
  }
}

/**
 * The adapter sends these without waiting for their answers (a publish, its subscriptions at start); one Redis drops
 * (an outage, a node closing while its commands wait in the offline queue) would be an unhandled rejection. Best
 * effort as they are meant to be: the rejection is handled here, and the caller still gets the same promise.
 */
function handleDropped(client: Redis, commands: ('publish' | 'subscribe' | 'psubscribe' | 'unsubscribe' | 'punsubscribe')[]) {
  const loose = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const command of commands) {
    const send = loose[command].bind(client);
    loose[command] = (...args: unknown[]) => {
      const sent = send(...args);
      if (sent instanceof Promise) sent.catch(() => undefined);
      return sent;
    };
  }
}
