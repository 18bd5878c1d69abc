import type { Server, Socket } from 'socket.io';
import type { Principal } from '../auth/principal';
import type { ClientToServerEvents, ServerToClientEvents } from './realtime.contract';

/** What the server keeps on a socket: who she is (set at the handshake), and what other modules attach. */
export interface SocketData {
  principal?: Principal;
  [attached: string]: unknown;
}

/**
 * Requests between nodes (serverSideEmit through the Redis adapter), by name: each module names its own, so
 * the map stays open; their payloads are checked by their handlers, as any input from outside the process.
 */
export interface NodeEvents {
  [event: string]: (data: any, reply: (answer: unknown) => void) => void;
}

/** socket.io's server and sockets typed with the realtime contract. */
export type PuenteServer = Server<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>;
export type PuenteSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeEvents, SocketData>;
