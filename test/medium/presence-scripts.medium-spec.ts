import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { presenceKeys as keys } from '../../src/presence/presence.keys';
import { definePresenceScripts, PresenceScripts } from '../../src/presence/presence.scripts';

/**
 * Presence's relisting after a roster import changed her languages (`presenceRelist`), against the real Redis, in
 * every state she can be in: the sets matching reads must follow her languages exactly when she can be rung, and
 * never list her when she cannot.
 */
describe('presence scripts: relisting', () => {
  const prefix = `puente-medium-${randomUUID().slice(0, 8)}:`;
  let redis: Redis & PresenceScripts;
  beforeAll(() => {
    redis = definePresenceScripts(new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix }));
  });
  afterAll(async () => {
    // KEYS matches whole names; DEL gets the client's prefix added again.
    const left = await redis.keys(`${prefix}*`);
    if (left.length) await redis.del(...left.map((k) => k.slice(prefix.length)));
    redis.disconnect();
  });

  const set = (id: string, status: string, languages: string) =>
    redis.presenceSet(keys.interpreter(id), keys.missed(id), prefix, id, status, languages, new Date().toISOString());
  const connect = (id: string, socket: string) =>
    redis.presenceConnect(keys.interpreter(id), keys.sockets(id), keys.connected(), keys.down(), prefix, id, socket);
  const relist = (id: string, languages: string) => redis.presenceRelist(keys.interpreter(id), prefix, id, languages);
  /** The language sets she is in, as `available:<language>` or `oncall:<language>`, and whether she is in the global set. */
  const listing = async (id: string, languages: string[]) => {
    const sets: string[] = [];
    for (const l of languages) {
      if (await redis.sismember(keys.availableFor(l), id)) sets.push(`available:${l}`);
      if (await redis.sismember(keys.onCallFor(l), id)) sets.push(`oncall:${l}`);
    }
    return { sets, anywhere: (await redis.sismember(keys.available(), id)) === 1 };
  };
  const person = async (status: string, languages = 'a,b') => {
    const id = randomUUID();
    await connect(id, `s-${id}`);
    await set(id, status, languages);
    return id;
  };

  it('moves one available at her console to the new languages at once', async () => {
    const id = await person('available');
    expect(await relist(id, 'b,c')).toBe(1);
    expect(await listing(id, ['a', 'b', 'c'])).toEqual({ sets: ['available:b', 'available:c'], anywhere: true });
    expect(await redis.hget(keys.interpreter(id), 'languages')).toBe('b,c');
  });

  it('moves one on call to the new languages, on call still', async () => {
    const id = await person('on_call');
    expect(await relist(id, 'c')).toBe(1);
    expect(await listing(id, ['a', 'b', 'c'])).toEqual({ sets: ['oncall:c'], anywhere: true });
  });

  it('lists nobody in her grace period, and lists her under the new languages when she comes back within it', async () => {
    const id = await person('available');
    const gone = await redis.presenceDisconnect(
      keys.interpreter(id),
      keys.sockets(id),
      keys.connected(),
      keys.down(),
      prefix,
      id,
      `s-${id}`,
      'epoch-1',
      Date.now(),
    );
    expect(gone).toBe(1);
    expect(await relist(id, 'c')).toBe(0);
    expect(await listing(id, ['a', 'b', 'c'])).toEqual({ sets: [], anywhere: false });
    expect(await connect(id, `s2-${id}`)).toEqual(['available', 'epoch-1']);
    expect(await listing(id, ['a', 'b', 'c'])).toEqual({ sets: ['available:c'], anywhere: true });
  });

  it('lists one away or offline nowhere, keeping the new languages for her next listing', async () => {
    for (const status of ['away', 'offline']) {
      const id = await person(status);
      expect(await relist(id, 'c')).toBe(0);
      expect(await listing(id, ['a', 'b', 'c'])).toEqual({ sets: [], anywhere: false });
      expect(await redis.hget(keys.interpreter(id), 'languages')).toBe('c');
    }
  });

  it('writes nothing for one presence never heard of', async () => {
    const id = randomUUID();
    expect(await relist(id, 'c')).toBe(0);
    expect(await redis.exists(keys.interpreter(id))).toBe(0);
    expect(await listing(id, ['c'])).toEqual({ sets: [], anywhere: false });
  });
});
