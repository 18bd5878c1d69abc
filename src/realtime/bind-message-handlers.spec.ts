import { EventEmitter } from 'node:events';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { from, isObservable, mergeAll, of, Subject, throwError, type Observable } from 'rxjs';
import type { Socket } from 'socket.io';
import { bindMessageHandlers } from './bind-message-handlers';

/** What bindMessageHandlers uses of a socket.io socket: its events, `emit` to the client, and `connected`. */
class FakeSocket extends EventEmitter {
  connected = true;
  readonly sent: [string, unknown][] = [];
  override emit(event: string, ...args: unknown[]): boolean {
    // Events from the client come in through `receive`; `emit` is the server sending to it.
    this.sent.push([event, args[0]]);
    return true;
  }
  receive(event: string, ...args: unknown[]) {
    return super.emit(event, ...args);
  }
}

const settle = () => new Promise((r) => setImmediate(r));

type Binder = (socket: Socket, handlers: Parameters<typeof bindMessageHandlers>[1]) => void;

/** Nest's own binding, with the transform its WebSocketsController hands it (pickResult, then mergeAll). */
const nests: Binder = (socket, handlers) =>
  new IoAdapter().bindMessageHandlers(
    socket,
    handlers,
    (data: unknown) =>
      from(
        (async () => {
          const r = await data;
          return isObservable(r) ? r : of(r);
        })(),
      ).pipe(mergeAll()) as Observable<unknown>,
  );

function bind(callback: (data: unknown, ack?: unknown) => unknown, isAckHandledManually = false, binder: Binder = bindMessageHandlers) {
  const socket = new FakeSocket();
  const calls: unknown[][] = [];
  binder(socket as unknown as Socket, [
    {
      message: 'thing:do',
      methodName: 'do',
      isAckHandledManually,
      callback: ((data: unknown, ack?: unknown) => {
        calls.push([data, ack]);
        return callback(data, ack);
      }) as never,
    },
  ]);
  return { socket, calls };
}

describe('bindMessageHandlers (Nest handlers on plain socket.io listeners)', () => {
  it('hands the handler its data and answers the acknowledgement with what it resolves to', async () => {
    const { socket, calls } = bind(async (data) => ({ got: data }));
    const ack = jest.fn();
    socket.receive('thing:do', { a: 1 }, ack);
    await settle();
    expect(calls[0][0]).toEqual({ a: 1 });
    expect(ack).toHaveBeenCalledWith({ got: { a: 1 } });
  });

  it('maps arguments as Nest does: none, ack only, several', async () => {
    const { socket, calls } = bind(() => 'ok');
    const ack = jest.fn();
    socket.receive('thing:do');
    socket.receive('thing:do', ack);
    socket.receive('thing:do', 1, 2, ack);
    socket.receive('thing:do', 1, 2);
    await settle();
    expect(calls.map((c) => c[0])).toEqual([undefined, undefined, [1, 2], [1, 2]]);
    expect(ack).toHaveBeenCalledTimes(2);
  });

  it('answers a plain value, and each value of an Observable', async () => {
    const { socket } = bind((data) => (data === 'many' ? of('x', 'y') : 'one'));
    const ack = jest.fn();
    socket.receive('thing:do', 'one', ack);
    socket.receive('thing:do', 'many', ack);
    await settle();
    expect(ack.mock.calls).toEqual([['one'], ['x'], ['y']]);
  });

  it('emits `{ event, data }` as an event instead of acknowledging it', async () => {
    const { socket } = bind(() => ({ event: 'thing:done', data: { n: 2 } }));
    const ack = jest.fn();
    socket.receive('thing:do', {}, ack);
    await settle();
    expect(socket.sent).toEqual([['thing:done', { n: 2 }]]);
    expect(ack).not.toHaveBeenCalled();
  });

  it('sends nothing for a nil answer, for a handler that acknowledges by itself, or once the socket is gone', async () => {
    const ack = jest.fn();
    const nil = bind(() => undefined);
    nil.socket.receive('thing:do', {}, ack);
    const manual = bind(() => 'mine', true);
    manual.socket.receive('thing:do', {}, ack);
    let finish!: (v: string) => void;
    const gone = bind(() => new Promise<string>((r) => (finish = r)));
    gone.socket.receive('thing:do', {}, ack);
    gone.socket.connected = false;
    finish('late');
    await settle();
    expect(ack).not.toHaveBeenCalled();
    expect([...nil.socket.sent, ...manual.socket.sent, ...gone.socket.sent]).toEqual([]);
  });

  it('calls the handler at once, in the order events arrive', () => {
    const { socket, calls } = bind(() => undefined);
    socket.receive('thing:do', 1);
    socket.receive('thing:do', 2);
    // Synchronously, as Nest's own binding does: guards and rate limits see events in their order.
    expect(calls.map((c) => c[0])).toEqual([1, 2]);
  });

  it("does as Nest's own binding does, case by case", async () => {
    const ack = () => undefined;
    const cases: [unknown[], (data: unknown) => unknown, boolean][] = [
      [[{ a: 1 }, ack], async (d) => ({ got: d }), false],
      [[], () => 'x', false],
      [[ack], () => 'x', false],
      [[1, 2, ack], (d) => d, false],
      [[[1, 2], ack], (d) => d, false],
      [[1, 2], () => 'nobody asked', false],
      [[{}, ack], () => ({ event: 'thing:done', data: 3 }), false],
      [[{}, ack], () => of('x', 'y'), false],
      [[{}, ack], () => null, false],
      [[{}, ack], () => 'mine', true],
    ];
    const run = async (binder: Binder, [args, handler, manual]: (typeof cases)[number]) => {
      const answers: unknown[] = [];
      const { socket, calls } = bind(handler, manual, binder);
      socket.receive('thing:do', ...args.map((a) => (a === ack ? (r: unknown) => answers.push(r) : a)));
      await settle();
      return { data: calls.map((c) => c[0]), askedAck: calls.map((c) => typeof c[1]), answers, sent: socket.sent };
    };
    for (const c of cases) expect(await run(bindMessageHandlers, c)).toEqual(await run(nests, c));
  });

  it('stops answering from an Observable when the socket disconnects', async () => {
    const answers = new Subject<string>();
    const { socket } = bind(() => answers);
    const ack = jest.fn();
    socket.receive('thing:do', {}, ack);
    await settle();
    answers.next('before');
    socket.connected = false;
    socket.receive('disconnect');
    answers.next('after');
    expect(ack.mock.calls).toEqual([['before']]);
    expect(answers.observed).toBe(false);
  });

  it('survives a handler that throws, rejects or errors its Observable: no answer, no unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const ack = jest.fn();
      for (const handler of [
        () => {
          throw new Error('sync');
        },
        () => Promise.reject(new Error('async')),
        () => throwError(() => new Error('observable')),
      ]) {
        bind(handler).socket.receive('thing:do', {}, ack);
      }
      await settle();
      await settle();
      expect(ack).not.toHaveBeenCalled();
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});
