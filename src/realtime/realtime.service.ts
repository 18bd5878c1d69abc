import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Principal } from '../auth/principal';
import { EventBus } from '../events/event-bus';
import type { PuenteServer, PuenteSocket } from './puente-socket';
import type { ServerEvent, ServerEvents } from './realtime.contract';

export const rooms = {
  caller: (sub: string) => `caller:${sub}`,
  interpreter: (interpreterId: string) => `interpreter:${interpreterId}`,
  user: (userId: string) => `user:${userId}`,
  /** Every official of an institution (bookings are the institution's, not only the one who booked). */
  institution: (id: string) => `institution:${id}`,
  /** The sockets that joined a session's call (session:join). */
  session: (sessionId: string) => `session:${sessionId}`,
};

const DISCONNECT_USER = 'realtime:disconnect-user';

export type ConnectionListener = (principal: Principal, socket: PuenteSocket) => void | Promise<void>;

/**
 * The socket.io server as a service: feature modules push events to rooms (delivered on whichever node the
 * recipient is connected to, through the Redis adapter) and hear about connections coming and going.
 */
@Injectable()
export class RealtimeService implements BeforeApplicationShutdown {
  /** This process's id among the nodes of the deployment. */
  readonly nodeId = randomUUID();
  private server?: PuenteServer;
  private closing = false;

  /**
   * A node shutting down drops its sockets; those people reconnect to another node, and whoever does not is
   * found by the matching sweep. So disconnects during shutdown are not acted on here.
   */
  beforeApplicationShutdown() {
    this.closing = true;
  }

  constructor(private readonly bus: EventBus) {
    this.onNodeRequest(DISCONNECT_USER, (userId, reply) => {
      if (typeof userId === 'string') this.disconnectLocal(userId);
      reply(true);
    });
  }

  attach(server: PuenteServer) {
    this.server = server;
    for (const [event, handler] of this.serverHandlers) server.on(event, handler);
  }

  private readonly serverHandlers: [string, (data: unknown, reply: (answer: unknown) => void) => void][] = [];

  /** Handles a request that another node sent to every node (see `askNodes`). */
  onNodeRequest<T>(event: string, handler: (data: T, reply: (answer: unknown) => void) => void) {
    // The payload is another node's: each handler checks it, as any input from outside the process.
    const h = (data: unknown, reply: (answer: unknown) => void) =>
      handler(data as T, typeof reply === 'function' ? reply : () => undefined);
    this.serverHandlers.push([event, h]);
    this.server?.on(event, h);
  }

  /**
   * Sends a request to every other node through the Redis adapter and collects their answers (within the
   * adapter's request timeout).
   */
  async askNodes(event: string, data: unknown): Promise<unknown[]> {
    if (!this.server) return [];
    return this.server.serverSideEmitWithAck(event, data);
  }

  /** Tells every other node (see `onNodeRequest`), expecting no answer. Best effort, as `emit`. */
  tellNodes(event: string, data: unknown) {
    try {
      // Without an acknowledgement: the other nodes' handlers get a `reply` that goes nowhere.
      (this.server as { serverSideEmit(event: string, data: unknown): boolean } | undefined)?.serverSideEmit(event, data);
    } catch {
      // the adapter's Redis connection is down or closing
    }
  }

  /**
   * Cuts every socket of a staff member (her account was revoked, disabled or removed) on this node and on every
   * other live node, and returns once they have all done it (or the adapter's request timeout passed: a socket
   * left on a node that did not answer is still refused at its next event, see RedisIoAdapter).
   */
  async disconnectUser(userId: string): Promise<void> {
    this.disconnectLocal(userId);
    await this.askNodes(DISCONNECT_USER, userId).catch(() => undefined);
  }

  private disconnectLocal(userId: string) {
    this.server?.local.in(rooms.user(userId)).disconnectSockets(true);
  }

  /**
   * A server event (realtime.contract.ts) to a room. Best effort: a push lost to a Redis outage is repaired by
   * the client's next state query or event.
   */
  emit<E extends ServerEvent>(room: string, event: E, payload: ServerEvents[E]) {
    if (this.closing) return;
    try {
      loose(this.server?.to(room))?.emit(event, payload);
    } catch {
      // the adapter's Redis connection is down or closing
    }
  }

  /**
   * To this node's own sockets in the room only (when every node is told the same thing, each tells its own). Several
   * rooms at once: a socket in more than one of them hears it once.
   */
  emitLocal<E extends ServerEvent>(room: string | string[], event: E, payload: ServerEvents[E]) {
    if (this.closing) return;
    loose(this.server?.local.to(room))?.emit(event, payload);
  }

  toCaller<E extends ServerEvent>(sub: string, event: E, payload: ServerEvents[E]) {
    this.emit(rooms.caller(sub), event, payload);
  }

  toInterpreter<E extends ServerEvent>(interpreterId: string, event: E, payload: ServerEvents[E]) {
    this.emit(rooms.interpreter(interpreterId), event, payload);
  }

  /** The sockets of a room connected to this node. */
  localSocketsIn(room: string): PuenteSocket[] {
    const ns = this.server?.of('/');
    if (!ns) return [];
    return [...(ns.adapter.rooms.get(room) ?? [])].flatMap((id) => ns.sockets.get(id) ?? []);
  }

  /** How many sockets are in a room across every live node (dead nodes do not answer, so do not count). */
  async countIn(room: string): Promise<number> {
    if (!this.server) return 0;
    return (await this.server.in(room).fetchSockets()).length;
  }

  /**
   * Whether this person (a token subject) has a socket in the room on any live node. When a node does not
   * answer, the answer is yes: a seat is never given away on a guess.
   */
  async isIn(room: string, sub: string): Promise<boolean> {
    if (!this.server) return false;
    try {
      return (await this.server.in(room).fetchSockets()).some((s) => s.data.principal?.sub === sub);
    } catch {
      return true;
    }
  }

  /** Every room with a socket in it, across live nodes; null if some node did not answer in time. */
  async allRooms(): Promise<Set<string> | null> {
    if (!this.server) return null;
    try {
      return await (this.server.of('/').adapter as unknown as { allRooms(): Promise<Set<string>> }).allRooms();
    } catch {
      return null;
    }
  }

  /** The bus's `socket.connected`, for the modules that only know this service. */
  onConnect(listener: ConnectionListener) {
    this.bus.on('socket.connected', listener);
  }

  /** The bus's `socket.disconnected`. */
  onDisconnect(listener: ConnectionListener) {
    this.bus.on('socket.disconnected', listener);
  }

  /** Listeners run one after another; a failing listener is reported and does not stop the others. */
  async notify(kind: 'connect' | 'disconnect', principal: Principal, socket: PuenteSocket, onError: (e: unknown) => void) {
    if (this.closing) return;
    await this.bus.publishSettled(kind === 'connect' ? 'socket.connected' : 'socket.disconnected', [principal, socket], onError);
  }
}

/**
 * socket.io's typed `emit` cannot relate a payload to an event name that is still a type parameter; the
 * signatures above do, so the room is addressed through its untyped face.
 */
const loose = (to: object | undefined) => to as { emit(event: string, payload: unknown): boolean } | undefined;
