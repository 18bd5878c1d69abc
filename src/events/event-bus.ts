import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import type { BusEvent, BusEvents, BusListener } from './bus-events';

export type { BusEvent, BusEvents, BusListener } from './bus-events';

/**
 * The one channel between this node's modules, typed by event name (bus-events.ts lists them): a module
 * announces what happened, the modules that care listen, and neither imports the other's internals. In-process
 * only, over node:events; nothing here reaches another node.
 *
 * Three ways to deliver, because listeners differ in what the announcer must wait for:
 * - `emit`: every listener now, synchronously, in the order they subscribed; a promise a listener returns is
 *   not awaited (node's EventEmitter semantics; a listener that throws stops the delivery and the throw
 *   reaches the announcer).
 * - `publish`: listeners one after another, each awaited; the first failure rejects and the later listeners do
 *   not run (the announcer's own work depends on theirs).
 * - `publishSettled`: the same, but each failure goes to `onError` and the next listener still runs.
 */
@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter();

  /** Subscribes; returns the unsubscribe. */
  on<E extends BusEvent>(event: E, listener: BusListener<E>): () => void {
    const l = listener as (...args: unknown[]) => unknown;
    this.emitter.on(event, l);
    return () => void this.emitter.off(event, l);
  }

  emit<E extends BusEvent>(event: E, ...args: BusEvents[E]): void {
    this.emitter.emit(event, ...args);
  }

  async publish<E extends BusEvent>(event: E, ...args: BusEvents[E]): Promise<void> {
    for (const listener of this.listeners(event)) await listener(...args);
  }

  async publishSettled<E extends BusEvent>(event: E, args: BusEvents[E], onError: (e: unknown) => void): Promise<void> {
    for (const listener of this.listeners(event)) {
      await Promise.resolve()
        .then(() => listener(...args))
        .catch(onError);
    }
  }

  /** A copy: a listener that subscribes or unsubscribes during a delivery changes the next one, not this one. */
  private listeners<E extends BusEvent>(event: E): BusListener<E>[] {
    return this.emitter.listeners(event) as BusListener<E>[];
  }
}
