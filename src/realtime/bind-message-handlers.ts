import { Logger } from '@nestjs/common';
import type { MessageMappingProperties } from '@nestjs/websockets';
import { isObservable } from 'rxjs';
import type { Socket } from 'socket.io';

type Ack = (response: unknown) => void;

const logger = new Logger('Realtime');
/** What escaped a handler and Nest's exception filter (or an acknowledgement that could not be sent): logged, never thrown. */
const escaped = (message: string) => (e: unknown) =>
  logger.error({ err: (e as Error)?.name, event: message }, 'a socket event failed outside its handler');

/** A socket.io event's arguments as Nest hands them to a handler: its data, and the acknowledgement if it asked for one. */
function mapPayload(args: unknown[]): { data: unknown; ack?: Ack } {
  const last = args.at(-1);
  if (typeof last !== 'function') return { data: args.length > 1 ? args : args[0] };
  const data = args.slice(0, -1);
  return { data: data.length > 1 ? data : data[0], ack: last as Ack };
}

/**
 * What `IoAdapter.bindMessageHandlers` does, with one listener per event instead of an rxjs pipeline per event and
 * socket. Nest's builds about 80 subscribers and 440 closures for each socket (our 20 events), some 100 KB that every
 * caller's short-lived connection allocates and that outlives the young generation: at 100 calls per second, much of
 * what old space took in, and of what each major collection had to mark (BENCHMARKS.md, "Stop 36").
 *
 * Kept as Nest has it: a handler's value (or its promise's, or each of its Observable's) is the acknowledgement, or an
 * emitted event when it is `{ event, data }`; nothing for a nil value or after the socket is gone; no order between
 * events; an Observable's subscription ends with the socket. A handler's own errors are answered by Nest's exception
 * filter inside `callback`; one that escapes it is logged, and never becomes an unhandled rejection that stops the node.
 */
export function bindMessageHandlers(socket: Socket, handlers: MessageMappingProperties[]) {
  for (const { message, callback, isAckHandledManually } of handlers) {
    socket.on(message, (...args: unknown[]) => {
      const { data, ack } = mapPayload(args);
      const reply = (response: unknown) => {
        if (response === null || response === undefined || !socket.connected) return;
        const r = response as { event?: string; data?: unknown };
        if (r.event) socket.emit(r.event, r.data);
        else if (!isAckHandledManually && ack) ack(response);
      };
      let result: unknown;
      try {
        result = callback(data, ack);
      } catch (e) {
        return escaped(message)(e);
      }
      Promise.resolve(result)
        .then((value: unknown) => {
          if (!isObservable(value)) return reply(value);
          // None of our handlers answers with an Observable; one that did would stop with her socket, as with Nest's takeUntil.
          const subscription = value.subscribe({ next: reply, error: escaped(message) });
          socket.once('disconnect', () => subscription.unsubscribe());
        })
        .catch(escaped(message));
    });
  }
}
