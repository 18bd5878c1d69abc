import { io, Socket } from 'socket.io-client';

export interface TestSocket {
  socket: Socket;
  /** Emits with an acknowledgement and resolves with it. */
  call: <T = any>(event: string, payload?: unknown) => Promise<T>;
  /** Resolves with the next `event` whose payload satisfies `match` (events seen earlier count too). */
  next: <T = any>(event: string, match?: (payload: T) => boolean) => Promise<T>;
  seen: (event: string) => any[];
  close: () => void;
}

/** `headers`: sent with the handshake (X-Forwarded-For makes the client look like another address behind the trusted proxy). */
export async function connect(url: string, token: string, headers?: Record<string, string>): Promise<TestSocket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 500, extraHeaders: headers });
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
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  const consumed = new Set<number>();
  return {
    socket,
    call: (event, payload) => socket.timeout(15_000).emitWithAck(event, payload),
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
