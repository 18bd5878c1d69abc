import {
  HttpException,
  Inject,
  Injectable,
  InternalServerErrorException,
  NotFoundException,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import type { Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import { strictValidationPipe } from '../common/validation';
import { RealtimeService, rooms } from '../realtime/realtime.service';
import { REDIS } from '../redis/redis.module';
import { SessionsService } from '../sessions/sessions.service';
import { EventBus } from '../events/event-bus';
import type { InterpreterRole } from '../common/domain';
import { asHttpException, MediaError } from './media-errors';
import {
  ConsumeAnswer,
  isMediaOp,
  MEDIA_RPC,
  MediaArgs,
  MediaCall,
  MediaOp,
  MediaOperation,
  MediaResult,
  TransportAnswer,
} from './media-rpc';
import { RoomsService } from './rooms.service';

const HEARTBEAT_MS = 3000;
const NODE_TTL_MS = 10_000;
const RPC = 'media:rpc';
const validation = strictValidationPipe();
/** Who asks when a node, not a participant, asks the host for an operation (`evict`). */
const NODE: Principal = { sub: 'node', role: 'platform_admin' };

const keys = {
  host: (sessionId: string) => `media:host:${sessionId}`,
  node: (nodeId: string) => `media:node:${nodeId}`,
};

interface RpcRequest {
  target: string;
  op: MediaOp;
  call: MediaCall;
  args: unknown;
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
    private readonly bus: EventBus,
  ) {}

  async onModuleInit() {
    const beat = () => this.redis.set(keys.node(this.realtime.nodeId), '1', 'PX', NODE_TTL_MS).catch(() => undefined);
    await beat();
    this.heartbeat = setInterval(beat, HEARTBEAT_MS);
    this.realtime.onNodeRequest(RPC, (req: RpcRequest, reply) => {
      if (req?.target !== this.realtime.nodeId) return reply(null);
      this.answer(req).then(
        (ok) => reply({ ok }),
        (e) =>
          reply(
            e instanceof HttpException
              ? { error: { status: e.getStatus(), response: e.getResponse() } }
              : { error: { status: 500, response: 'internal error' } },
          ),
      );
    });
    this.realtime.onDisconnect((_p, socket) => this.disconnected(socket));
    this.sessions.onEnded((sessionId) => this.ended(sessionId));
    this.bus.on('session.unseated', (sessionId, role) => this.evict(sessionId, role));
  }

  /** An interpreter released from a call: the node hosting it drops her peer (if the call has media anywhere). */
  private async evict(sessionId: string, role: InterpreterRole) {
    await this.onHost('evict', { socketId: '', principal: NODE, sessionId }, { sessionId, role }).catch(() => undefined);
  }

  /** Runs an operation where the session's media is hosted, if it is anywhere (nothing to do otherwise). */
  private async onHost<Op extends MediaOp>(op: Op, call: MediaCall, args: MediaArgs<Op>): Promise<void> {
    const host = await this.redis.get(keys.host(call.sessionId));
    if (!host) return;
    if (host === this.realtime.nodeId) await this.local(op, call, args);
    else await this.remote(host, op, call, args).catch(() => undefined);
  }

  onModuleDestroy() {
    clearInterval(this.heartbeat);
  }

  async handle<Op extends MediaOp>(op: Op, socket: Socket, args: MediaArgs<Op>): Promise<MediaResult<Op>> {
    const media: SocketMedia = (socket.data.media ??= { sessions: new Set(), owners: new Map() });
    const sessionId = sessionOf(media, args);
    const principal = socket.data.principal as Principal;
    // Only a participant may make a node claim a session: anyone else, with any id, leaves nothing in Redis.
    if (op === 'join' && !(await this.sessions.participantRole(sessionId, principal))) throw new NotFoundException('no such session');
    const host = op === 'join' ? await this.claim(sessionId) : await this.redis.get(keys.host(sessionId));
    if (!host) throw new NotFoundException('join the session first');
    const call: MediaCall = { socketId: socket.id, principal, sessionId };
    const result = host === this.realtime.nodeId ? await this.local(op, call, args) : await this.remote(host, op, call, args);
    if (op === 'join') media.sessions.add(sessionId);
    const handedOut = result as Partial<TransportAnswer & ConsumeAnswer> | null;
    if (op === 'createTransport' && handedOut?.id) media.owners.set(handedOut.id, sessionId);
    if (op === 'consume' && handedOut?.consumerId) media.owners.set(handedOut.consumerId, sessionId);
    return result;
  }

  /**
   * A session ended (this runs on every node): its sockets here leave its room and forget the ids they were
   * handed for it, so that a console connected through a whole shift does not keep every call it took.
   */
  private ended(sessionId: string) {
    void this.redis.del(keys.host(sessionId)).catch(() => undefined);
    for (const socket of this.realtime.localSocketsIn(rooms.session(sessionId))) {
      void socket.leave(rooms.session(sessionId));
      const media = socket.data.media as SocketMedia | undefined;
      media?.sessions.delete(sessionId);
      for (const [owned, s] of media?.owners ?? []) if (s === sessionId) media!.owners.delete(owned);
    }
  }

  /** Forgets the socket's media everywhere when it disconnects. */
  private async disconnected(socket: Socket) {
    const media = socket.data.media as SocketMedia | undefined;
    for (const sessionId of media?.sessions ?? [])
      await this.onHost('leave', { socketId: socket.id, principal: socket.data.principal as Principal, sessionId }, { sessionId });
  }

  /** Runs an operation on a session hosted here; a refused media rule becomes its acknowledgement code. */
  private async local<Op extends MediaOp>(op: Op, call: MediaCall, args: MediaArgs<Op>): Promise<MediaResult<Op>> {
    const operation = MEDIA_RPC[op] as MediaOperation<MediaArgs<Op>, MediaResult<Op>>;
    try {
      return await operation.run(this.rooms, call, args);
    } catch (e) {
      throw e instanceof MediaError ? asHttpException(e) : e;
    }
  }

  /**
   * Another node's request for a session hosted here. Its payload passed that node's gateway, and is checked
   * again with the operation's DTO: nothing a node acts on arrives unchecked.
   */
  private async answer(req: RpcRequest): Promise<unknown> {
    if (!isMediaOp(req.op)) throw new Error('unknown media operation');
    const args = await validation.transform(req.args, { type: 'body', metatype: MEDIA_RPC[req.op].dto });
    return this.local(req.op, req.call, args as MediaArgs<typeof req.op>);
  }

  private async remote<Op extends MediaOp>(host: string, op: Op, call: MediaCall, args: MediaArgs<Op>): Promise<MediaResult<Op>> {
    const answers = (await this.realtime.askNodes(RPC, { target: host, op, call, args } satisfies RpcRequest)) as RpcAnswer[];
    const answer = answers.find((a) => a !== null);
    if (!answer) throw new InternalServerErrorException('the node hosting this call did not answer');
    if ('error' in answer) throw new HttpException(answer.error.response, answer.error.status);
    return answer.ok as MediaResult<Op>;
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
      this.realtime.emit(rooms.session(sessionId), 'session:mediaRestart', { sessionId, reason: 'node_died' });
    }
    return String(taken);
  }
}

/** The session an event is about: named in it, or found from the transport or consumer id she was handed. */
function sessionOf(media: SocketMedia, args: object): string {
  const named = args as { sessionId?: unknown; transportId?: unknown; consumerId?: unknown };
  if (typeof named.sessionId === 'string') return named.sessionId;
  const id = named.transportId ?? named.consumerId;
  const sessionId = typeof id === 'string' ? media.owners.get(id) : undefined;
  if (!sessionId) throw new NotFoundException(named.transportId ? 'no such transport' : 'no such consumer');
  return sessionId;
}
