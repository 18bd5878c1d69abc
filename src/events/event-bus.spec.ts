import { EventBus } from './event-bus';

const tick = () => new Promise((r) => setImmediate(r));

describe('EventBus', () => {
  it('emit calls every listener now, in the order they subscribed, with the arguments, and awaits none', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    let settled = false;
    bus.on('session.ended', (id, reason) => void heard.push(`a:${id}:${reason}`));
    bus.on('session.ended', async (id) => {
      await tick();
      settled = true;
      heard.push(`b:${id}`);
    });
    bus.on('session.ended', (id) => void heard.push(`c:${id}`));
    bus.emit('session.ended', 's1', 'completed');
    expect(heard).toEqual(['a:s1:completed', 'c:s1']);
    expect(settled).toBe(false);
  });

  it('keeps events apart: a listener hears only its own event', () => {
    const bus = new EventBus();
    const heard: string[] = [];
    bus.on('presence.available', (id) => void heard.push(`available:${id}`));
    bus.on('presence.lost', (id) => void heard.push(`lost:${id}`));
    bus.emit('presence.lost', 'i1');
    expect(heard).toEqual(['lost:i1']);
  });

  it('emit lets a throwing listener stop the delivery and reach the announcer, as node:events does', () => {
    const bus = new EventBus();
    const later = jest.fn();
    bus.on('session.ended', () => {
      throw new Error('boom');
    });
    bus.on('session.ended', later);
    expect(() => bus.emit('session.ended', 's1')).toThrow('boom');
    expect(later).not.toHaveBeenCalled();
  });

  it('publish awaits each listener before the next, and resolves after the last', async () => {
    const bus = new EventBus();
    const order: string[] = [];
    bus.on('presence.unavailable', async (id) => {
      await tick();
      order.push(`first:${id}`);
    });
    bus.on('presence.unavailable', (id) => void order.push(`second:${id}`));
    await bus.publish('presence.unavailable', 'i1');
    expect(order).toEqual(['first:i1', 'second:i1']);
  });

  it('publish rejects with the first failure and runs no later listener', async () => {
    const bus = new EventBus();
    const later = jest.fn();
    bus.on('presence.lost', async () => {
      await tick();
      throw new Error('db down');
    });
    bus.on('presence.lost', later);
    await expect(bus.publish('presence.lost', 'i1')).rejects.toThrow('db down');
    expect(later).not.toHaveBeenCalled();
  });

  it('publishSettled reports each failure (thrown or rejected) and still runs the next listener', async () => {
    const bus = new EventBus();
    const errors: string[] = [];
    const heard: string[] = [];
    bus.on('presence.disconnected', () => {
      throw new Error('sync');
    });
    bus.on('presence.disconnected', async () => Promise.reject(new Error('async')));
    bus.on('presence.disconnected', (id) => void heard.push(id));
    await bus.publishSettled('presence.disconnected', ['i1'], (e) => errors.push((e as Error).message));
    expect(errors).toEqual(['sync', 'async']);
    expect(heard).toEqual(['i1']);
  });

  it('on returns the unsubscribe; a delivery under way keeps the listeners it started with', async () => {
    const bus = new EventBus();
    const heard: string[] = [];
    let offB = () => {};
    bus.on('presence.available', async (id) => {
      offB();
      heard.push(`a:${id}`);
    });
    offB = bus.on('presence.available', (id) => void heard.push(`b:${id}`));
    await bus.publish('presence.available', 'i1');
    await bus.publish('presence.available', 'i2');
    expect(heard).toEqual(['a:i1', 'b:i1', 'a:i2']);
  });

  it('delivers to no other bus: each application (each node) has its own', () => {
    const one = new EventBus();
    const other = new EventBus();
    const heard = jest.fn();
    other.on('session.ended', heard);
    one.emit('session.ended', 's1');
    expect(heard).not.toHaveBeenCalled();
  });
});
