import { io, Socket } from 'socket.io-client';
import type {
  AckError,
  ClientEvent,
  ClientRequests,
  ClientResults,
  ClientToServerEvents,
  ServerEvent,
  ServerEvents,
  ServerToClientEvents,
} from '../../src/realtime/realtime.contract';

/**
 * An acknowledgement as a test reads it: the result's fields, or `error` when the event failed (a test knows
 * which it expects, so it reads either without narrowing first).
 */
export type Answer<E extends ClientEvent> = Loose<ClientResults[E]> & AckError;

/** A result that is one of several shapes (offer:accept's) as one object with all their fields, each as present. */
type AllKeys<T> = T extends unknown ? keyof T : never;
type Loose<T> = { [K in AllKeys<T>]: NonNullable<T extends unknown ? (K extends keyof T ? T[K] : never) : never> };

export interface TestSocket {
  /** The socket itself, untyped: tests also send through it what no client should. */
  socket: Socket;
  /** Emits a client event of the realtime contract with an acknowledgement and resolves with it. */
  call: <E extends ClientEvent>(event: E, payload: ClientRequests[E]) => Promise<Answer<E>>;
  /** The same for what no client should send (unknown events, malformed payloads): nothing is checked. */
  send: (event: string, payload?: unknown) => Promise<any>;
  /** Resolves with the next `event` whose payload satisfies `match` (events seen earlier count too). */
  next: <E extends ServerEvent>(event: E, match?: (payload: ServerEvents[E]) => boolean) => Promise<ServerEvents[E]>;
  seen: <E extends ServerEvent>(event: E) => ServerEvents[E][];
  close: () => void;
}

/** socket.io's typed emit cannot relate a payload to an event name that is still a type parameter; `call`'s signature does. */
interface LooseEmitter {
  emitWithAck(event: string, payload: unknown): Promise<any>;
}

/**
 * `headers`: sent with the handshake (X-Forwarded-For makes the client look like another address behind the trusted
 * proxy). `firstAuth`: more of the handshake's `auth`, on the first connection only (as the caller's page says `fresh`).
 */
export async function connect(url: string, token: string, headers?: Record<string, string>, firstAuth?: object): Promise<TestSocket> {
  let first = firstAuth;
  const auth = (send: (data: object) => void) => {
    send({ token, ...first });
    first = undefined;
  };
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, {
    auth: firstAuth ? auth : { token },
    transports: ['websocket'],
    reconnection: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    extraHeaders: headers,
  });
  const send = (event: string, payload?: unknown) => (socket.timeout(15_000) as unknown as LooseEmitter).emitWithAck(event, payload);
  const log: { event: string; payload: any }[] = [];
  const waiters: { event: string; match: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  socket.onAny((event, payload) => {
    log.push({ event, payload });
    for (const w of [...waiters]) {
      if (w.event === event && w.match(payload)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(payload);
      }
    }
  });
  // A refusal fails at once: the server's (its middleware's error: a bad token, a cap) and the transport's (a handshake
  // refused, e.g. for its Origin). A handshake that timed out (a saturated two-core machine) is retried by socket.io's
  // own reconnection, as a real client's would be; only a minute of those fails.
  // (Only the first connection's: later errors belong to the tests, which drop networks and kill nodes on purpose.)
  await new Promise<void>((resolve, reject) => {
    const settle = (e?: Error) => {
      clearTimeout(giveUp);
      socket.off('connect', onConnect);
      socket.off('connect_error', onError);
      if (!e) return resolve();
      socket.disconnect();
      reject(e);
    };
    const onConnect = () => settle();
    const onError = (e: Error) => {
      if (e.message !== 'timeout') settle(e);
    };
    const giveUp = setTimeout(() => settle(new Error(`no connection to ${url} within 60 s`)), 60_000);
    socket.on('connect', onConnect);
    socket.on('connect_error', onError);
  });
  const consumed = new Set<number>();
  return {
    socket,
    call: send,
    send,
    next: (event, match = () => true) => {
      const i = log.findIndex((l, idx) => !consumed.has(idx) && l.event === event && match(l.payload));
      if (i >= 0) {
        consumed.add(i);
        return Promise.resolve(log[i].payload);
      }
      return new Promise((resolve) =>
        waiters.push({
          event,
          match,
          resolve: (p) => {
            consumed.add(log.length - 1);
            resolve(p);
          },
        }),
      );
    },
    seen: (event) => log.filter((l) => l.event === event).map((l) => l.payload),
    close: () => socket.disconnect(),
  };
}

/** Why the handshake with this token was refused, or null if the socket connected (then closed). */
export function handshakeError(url: string, token: string): Promise<string | null> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  return new Promise<string | null>((resolve) => {
    socket.once('connect', () => resolve(null));
    socket.once('connect_error', (e) => resolve(e.message));
  }).finally(() => socket.disconnect());
}
