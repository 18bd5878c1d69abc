import { HttpException, Inject, Injectable, InternalServerErrorException, NotFoundException, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { RealtimeService } from '../realtime/realtime.service';
import { SessionsService } from '../sessions/sessions.service';
import { REDIS } from '../redis/redis.module';
import { RoomsService, sessionRoom } from './rooms.service';

const HEARTBEAT_MS = 3000;
const NODE_TTL_MS = 10_000;
const RPC = 'media:rpc';

const keys = {
  host: (sessionId: string) => `media:host:${sessionId}`,
  node: (nodeId: string) => `media:node:${nodeId}`,
};

export type MediaOp = 'join' | 'createTransport' | 'connectTransport' | 'produce' | 'consume' | 'resumeConsumer' | 'restartIce' | 'video' | 'leave';

interface RpcRequest {
  target: string;
  op: MediaOp;
  socketId: string;
  principal: Principal;
  args: any;
}

type RpcAnswer = { ok: unknown } | { error: { status: number; response: string | object } } | null;

/** Which session each id a client was handed belongs to, so its next event can be routed. */
interface SocketMedia {
  sessions: Set<string>;
  owners: Map<string, string>;
}

/**
 * A session's router lives on one node; its participants may be connected to any node. The first join
 * claims the session for the node it arrives on (a Redis key); every later media event for that session is
 * handled there: locally, or forwarded to that node through the socket.io Redis adapter. Events to clients
 * go by socket id, which the adapter delivers on whichever node the socket is. A session whose node died
 * (its heartbeat key expired, NODE_TTL_MS) is claimed again by the next join: its media starts afresh on the
 * claiming node, the participants still connected elsewhere get `session:mediaRestart` (reason
 * `node_died`), and the session and its metadata carry on. Until the key expires, joins fail (INTERNAL).
 */
@Injectable()
export class MediaSignallingService implements OnModuleInit, OnModuleDestroy {
  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly rooms: RoomsService,
    private readonly realtime: RealtimeService,
    private readonly sessions: SessionsService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async onModuleInit() {
    const beat = () => this.redis.set(keys.node(this.realtime.nodeId), '1', 'PX', NODE_TTL_MS).catch(() => undefined);
    await beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.realtime.onNodeRequest(RPC, (req: RpcRequest, reply) => {
      if (req?.target !== this.realtime.nodeId) return reply(null);
      this.local(req.op, req.socketId, req.principal, req.args).then(
        (ok) => reply({ ok }),
        (e) => reply(e instanceof HttpException ? { error: { status: e.getStatus(), response: e.getResponse() } } : { error: { status: 500, response: 'internal error' } }),
      );
    });
    this.realtime.onDisconnect((_p, socket) => this.disconnected(socket));
    this.sessions.onEnded((sessionId) => this.ended(sessionId));
  }

  onModuleDestroy() {
    clearInterval(this.heartbeat);
  }

  async handle(op: MediaOp, socket: Socket, args: any): Promise<unknown> {
    const media: SocketMedia = (socket.data.media ??= { sessions: new Set(), owners: new Map() });
    const sessionId = args.sessionId ?? media.owners.get(args.transportId ?? args.consumerId);
    if (!sessionId) throw new NotFoundException(args.transportId ? 'no such transport' : 'no such consumer');
    const principal = socket.data.principal as Principal;
    // Only a participant may make a node claim a session: anyone else, with any id, leaves nothing in Redis.
    if (op === 'join' && !(await this.sessions.participantRole(sessionId, principal))) throw new NotFoundException('no such session');
    const host = op === 'join' ? await this.claim(sessionId) : await this.redis.get(keys.host(sessionId));
    if (!host) throw new NotFoundException('join the session first');
    const result = host === this.realtime.nodeId ? await this.local(op, socket.id, principal, args) : await this.remote(host, op, socket.id, principal, args);
    if (op === 'join') media.sessions.add(sessionId);
    const handedOut = (result as { id?: string; consumerId?: string } | null) ?? {};
    if (op === 'createTransport' && handedOut.id) media.owners.set(handedOut.id, sessionId);
    if (op === 'consume' && handedOut.consumerId) media.owners.set(handedOut.consumerId, sessionId);
    return result;
  }

  /**
   * A session ended (this runs on every node): its sockets here leave its room and forget the ids they were
   * handed for it, so that a console connected through a whole shift does not keep every call it took.
   */
  private ended(sessionId: string) {
    void this.redis.del(keys.host(sessionId)).catch(() => undefined);
    for (const socket of this.realtime.localSocketsIn(sessionRoom(sessionId))) {
      void socket.leave(sessionRoom(sessionId));
      const media = socket.data.media as SocketMedia | undefined;
      media?.sessions.delete(sessionId);
      for (const [owned, s] of media?.owners ?? []) if (s === sessionId) media!.owners.delete(owned);
    }
  }

  /** Forgets the socket's media everywhere when it disconnects. */
  private async disconnected(socket: Socket) {
    const media = socket.data.media as SocketMedia | undefined;
    for (const sessionId of media?.sessions ?? []) {
      const host = await this.redis.get(keys.host(sessionId));
      if (!host) continue;
      if (host === this.realtime.nodeId) await this.local('leave', socket.id, socket.data.principal, { sessionId });
      else await this.remote(host, 'leave', socket.id, socket.data.principal, { sessionId }).catch(() => undefined);
    }
  }

  private async local(op: MediaOp, socketId: string, p: Principal, a: any): Promise<unknown> {
    switch (op) {
      case 'join':
        return this.rooms.join(p, socketId, a.sessionId);
      case 'createTransport':
        return this.rooms.createTransport(socketId, a.sessionId, a.direction);
      case 'connectTransport':
        return this.rooms.connectTransport(socketId, a.transportId, a.dtlsParameters);
      case 'produce':
        return this.rooms.produce(socketId, a.transportId, a.kind, a.rtpParameters);
      case 'consume':
        return this.rooms.consume(socketId, a.sessionId, a.producerId, a.rtpCapabilities);
      case 'resumeConsumer':
        return this.rooms.resumeConsumer(socketId, a.consumerId);
      case 'restartIce':
        return this.rooms.restartIce(socketId, a.transportId);
      case 'video':
        return this.rooms.setVideo(socketId, a.sessionId, a.on);
      case 'leave':
        this.rooms.leave(socketId, a.sessionId);
        return {};
    }
  }

  private async remote(host: string, op: MediaOp, socketId: string, principal: Principal, args: unknown): Promise<unknown> {
    const answers = (await this.realtime.askNodes(RPC, { target: host, op, socketId, principal, args } satisfies RpcRequest)) as RpcAnswer[];
    const answer = answers.find((a) => a !== null);
    if (!answer) throw new InternalServerErrorException('the node hosting this call did not answer');
    if ('error' in answer) throw new HttpException(answer.error.response, answer.error.status);
    return answer.ok;
  }

  /** The node hosting the session: this one if none is, or if the one that was has stopped beating. */
  private async claim(sessionId: string): Promise<string> {
    const me = this.realtime.nodeId;
    const current = await this.redis.get(keys.host(sessionId));
    if (current && (current === me || (await this.redis.exists(keys.node(current))))) return current;
    // Take it over atomically: only if it is still what we saw (absent, or the dead node).
    const taken = await this.redis.eval(
      `local v = redis.call('GET', KEYS[1]) if (v == false and ARGV[2] == '') or v == ARGV[2] then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3]) return ARGV[1] end return v`,
      1,
      keys.host(sessionId),
      me,
      current ?? '',
      String(24 * 3600 * 1000),
    );
    if (taken === me && current) {
      // Its node died with its router: whoever is still in the call (connected to a live node) starts again.
      this.realtime.emit(sessionRoom(sessionId), 'session:mediaRestart', { sessionId, reason: 'node_died' });
    }
    return String(taken);
  }
}
