import { io, type Socket } from 'socket.io-client';
import type {
  AckError as AckErrorBody,
  AckErrorCode,
  ClientEvent,
  ClientRequests,
  ClientResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../../src/realtime/realtime.contract';

export type {
  ClientResults,
  CreateRequestPayload,
  FeedbackAnswer,
  Matter,
  ParticipantRole,
  ReferredTo,
  ServerEvents,
  WrapupSign,
} from '../../../src/realtime/realtime.contract';

/** The fixed lists of an interpreter's wrap-up ticks, as the server checks them. */
export { REFERRED_TO, WRAPUP_SIGNS } from '../../../src/realtime/realtime.contract';

/** An interpreter's presence, as `presence:set` answers it. */
export type PresenceStatus = ClientResults['presence:set']['status'];

export class AckError extends Error {
  constructor(
    readonly code: AckErrorCode,
    message: string,
    /** The fields a VALIDATION error names. */
    readonly fields: string[] = [],
  ) {
    super(message);
  }
}

/** A socket typed with the server's realtime contract. */
export type SignalSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A socket.io connection with `ask`: an emit whose acknowledgement is the result, or an AckError. */
export interface Signal {
  socket: SignalSocket;
  ask: <E extends ClientEvent>(event: E, payload: ClientRequests[E]) => Promise<ClientResults[E]>;
  close: () => void;
}

/** socket.io's typed emit cannot relate a payload to an event name that is still a type parameter; `ask`'s signature does. */
interface LooseEmitter {
  emitWithAck(event: string, payload: unknown): Promise<unknown>;
}

/**
 * `fresh`: the token was issued for this call and has asked for nothing yet, so its first connection says so and the
 * server looks for nothing of hers (SocketData.fresh); a reconnection may find her request, and says nothing.
 */
export function connectSignal(token: string, fresh = false): Signal {
  let first = fresh;
  const auth = (send: (data: object) => void) => {
    send(first ? { token, fresh: true } : { token });
    first = false;
  };
  const socket: SignalSocket = io({ auth, transports: ['websocket'], reconnectionDelayMax: 3000 });
  return {
    socket,
    ask: async <E extends ClientEvent>(event: E, payload: ClientRequests[E]) => {
      const res = (await (socket.timeout(15_000) as unknown as LooseEmitter).emitWithAck(event, payload)) as Partial<AckErrorBody>;
      if (res && typeof res === 'object' && res.error) throw new AckError(res.error.code, res.error.message, res.error.fields);
      return res as ClientResults[E];
    },
    close: () => socket.disconnect(),
  };
}
