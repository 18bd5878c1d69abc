import { io, type Socket } from 'socket.io-client';

export class AckError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** A socket.io connection with `ask`: an emit whose acknowledgement is the result, or an AckError. */
export interface Signal {
  socket: Socket;
  ask: <T = unknown>(event: string, payload?: unknown) => Promise<T>;
  close: () => void;
}

export function connectSignal(token: string): Signal {
  const socket = io({ auth: { token }, transports: ['websocket'], reconnectionDelayMax: 3000 });
  return {
    socket,
    ask: async <T,>(event: string, payload?: unknown) => {
      const res = (await socket.timeout(15_000).emitWithAck(event, payload)) as { error?: { code: string; message: string } };
      if (res && typeof res === 'object' && res.error) throw new AckError(res.error.code, res.error.message);
      return res as T;
    },
    close: () => socket.disconnect(),
  };
}
