import type { Server, Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import type { ClientToServerEvents, ServerToClientEvents } from './realtime.contract';

/** What the server keeps on a socket: who she is (set at the handshake), and what other modules attach. */
export interface SocketData {
  principal?: Principal;
  /**
   * The handshake said `fresh`: her token was issued for this connection and has asked for nothing yet (the caller's
   * page says so on a new call's first connection). Nothing of hers is looked for then; a client that says so wrongly
   * only loses her own way back into a live request: her place in line is not told again, and her grace job is not
   * dropped (it finds her connected and leaves the request alone; gone again by then, she has less grace left).
   */
  fresh?: boolean;
  [attached: string]: unknown;
}

/**
 * Requests between nodes (serverSideEmit through the Redis adapter), by name: each module names its own, so
 * the map stays open; their payloads are checked by their handlers, as any input from outside the process.
 */
export interface NodeEvents {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- socket.io's own map of server-side events; each handler checks its payload
  [event: string]: (data: any, reply: (answer: unknown) => void) => void;
}

/** socket.io's server and sockets typed with the realtime contract. */
export type PuenteServer = Server<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>;
export type PuenteSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>;
