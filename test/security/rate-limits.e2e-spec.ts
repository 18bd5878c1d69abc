import Redis from 'ioredis';
import { randomBytes, randomUUID } from 'node:crypto';
import { languageId, until } from '../utils/matching-fixtures';
import { connect, TestSocket } from '../utils/socket-client';
import { startTestApp, TestApp } from '../utils/test-app';

/** A client address of its own for each test, through the trusted local proxy (TRUST_PROXY=loopback). */
let addresses = 0;
const newAddress = () => `198.51.100.${++addresses}`;

/**
 * Attacks 6 and 11 of issue 11, against two nodes of one deployment (one database, one Redis): limits counted
 * per node or per route, and anonymous callers filling the line. The limits are the defaults, except where a
 * test needs fewer sockets than thirty.
 */
describe('rate limits shared by every node', () => {
  let a: TestApp;
  let b: TestApp;
  const sockets: TestSocket[] = [];
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  /** Every Redis key of this deployment. */
  const keys = async () => redis.keys(`${a.config.REDIS_PREFIX}:*`);

  beforeAll(async () => {
    const shared = {
      REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
      RATE_LIMIT_PER_MINUTE: '600',
      RATE_LIMIT_AUTH_PER_MINUTE: '20',
      RATE_LIMIT_JOIN_PER_MINUTE: '10',
      RATE_LIMIT_CALLER_TOKENS_PER_HOUR: '30',
      MAX_SOCKETS_PER_ADDRESS: '40',
      MAX_LIVE_REQUESTS_PER_ADDRESS: '3',
      CALLER_EVENTS_PER_10_SECONDS: '150',
    };
    a = await startTestApp({ ...shared, media: false });
    b = await startTestApp({ media: false, ...shared, DATABASE_URL: a.config.DATABASE_URL });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await b?.close();
    await a?.close();
    redis.disconnect();
  });

  const open = async (url: string, token: string, address: string) => {
    const s = await connect(url, token, { 'x-forwarded-for': address });
    sockets.push(s);
    return s;
  };
  const callerToken = async (t: TestApp, address: string) =>
    (await t.http().post('/api/v1/auth/caller').set('x-forwarded-for', address).send({}).expect(200)).body.accessToken as string;

  it('counts wrong join codes from one address once over both nodes: the eleventh is refused, whichever node', async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      const node = i % 2 ? b : a;
      const code = String(1_000_000_000 + i);
      statuses.push((await node.http().post('/api/v1/bookings/join').set('x-forwarded-for', address).send({ code })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(404));
    expect(statuses.slice(10)).toEqual(Array(6).fill(429));
    // Another address is not held back by this one.
    await a.http().post('/api/v1/bookings/join').set('x-forwarded-for', newAddress()).send({ code: '1234567890' }).expect(404);
  });

  it('counts one budget per address across routes and nodes, and a tight one on /auth', async () => {
    const address = newAddress();
    const remaining = async (t: TestApp, path: string) =>
      Number((await t.http().get(path).set('x-forwarded-for', address)).headers['x-ratelimit-remaining']);
    const first = await remaining(a, '/api/v1/matters');
    expect(await remaining(b, '/api/v1/countries')).toBe(first - 1);
    expect(await remaining(a, '/api/v1/languages')).toBe(first - 2);
    // Counted before authentication: requests with a bad token spend the budget too.
    const refused = await b.http().get('/api/v1/bookings').set('x-forwarded-for', address).set('authorization', 'Bearer forged');
    expect(refused.status).toBe(401);
    expect(Number(refused.headers['x-ratelimit-remaining'])).toBe(first - 3);

    const login = (t: TestApp) =>
      t
        .http()
        .post('/api/v1/auth/login')
        .set('x-forwarded-for', address)
        .send({ email: `nobody-${randomUUID()}@example.org`, password: 'Wrong-password-123' });
    const answers: number[] = [];
    for (let i = 0; i < 24; i++) answers.push((await login(i % 2 ? a : b)).status);
    expect(answers.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(answers.slice(20)).toEqual([429, 429, 429, 429]);
    // Caller tokens are under /auth too: that address has none left this minute, on either node.
    await a.http().post('/api/v1/auth/caller').set('x-forwarded-for', address).send({}).expect(429);
  });

  it('lets one address hold a few caller tokens an hour, not an endless supply', async () => {
    const address = newAddress();
    const got: number[] = [];
    // 20 a minute under /auth: the 31st token within the hour is refused by the hourly budget, not the minute's.
    for (let i = 0; i < 31; i++) {
      const t = i % 2 ? a : b;
      // The minute's /auth budget is spent: start a new minute (its counters only) instead of waiting for one.
      if (i === 20) for (const key of (await keys()).filter((k) => k.includes('{rl:auth:'))) await redis.del(key);
      got.push((await t.http().post('/api/v1/auth/caller').set('x-forwarded-for', address).send({})).status);
    }
    expect(got.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(got[30]).toBe(429);
  });

  it('puts at most MAX_LIVE_REQUESTS_PER_ADDRESS requests from one address in line, however many caller tokens it holds', async () => {
    const lang = await languageId(a, 'mam');
    const address = newAddress();
    const callers = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => open(i % 2 ? b.url : a.url, await callerToken(i % 2 ? b : a, address), address)),
    );
    const asked = await Promise.all(
      callers.map((c) =>
        c.call('request:create', { languageId: lang, matter: 'trafficking', urgency: 'emergency', minor: true, country: 'GT' }),
      ),
    );
    const queued = asked.filter((r) => r.requestId);
    expect(queued).toHaveLength(3);
    expect(asked.filter((r) => r.error?.code === 'RATE_LIMITED')).toHaveLength(7);
    expect(await a.sql(`SELECT count(*)::int AS n FROM interpretation_requests WHERE state = 'queued'`)).toEqual([{ n: 3 }]);

    // A woman at another address is not refused for it.
    const other = newAddress();
    const elsewhere = await open(b.url, await callerToken(b, other), other);
    expect(
      (await elsewhere.call('request:create', { languageId: lang, matter: 'violence', urgency: 'urgent', minor: false, country: 'GT' }))
        .requestId,
    ).toEqual(expect.any(String));

    // One of the three ends: one more from that address is taken.
    const first = callers[asked.indexOf(queued[0])];
    expect(await first.call('request:cancel', { requestId: queued[0].requestId })).toEqual({ state: 'cancelled' });
    const refused = callers.filter((_, i) => asked[i].error);
    expect(
      (await refused[0].call('request:create', { languageId: lang, matter: 'violence', urgency: 'normal', minor: false, country: 'GT' }))
        .requestId,
    ).toEqual(expect.any(String));
    expect(
      (await refused[1].call('request:create', { languageId: lang, matter: 'violence', urgency: 'normal', minor: false })).error.code,
    ).toBe('RATE_LIMITED');
    // Nothing in Redis names the address.
    const stored = await keys();
    expect(stored.some((k) => k.includes(':cap:requests:'))).toBe(true);
    for (const key of stored.filter((k) => k.includes(':cap:') || k.includes('{rl:'))) {
      expect(key).not.toMatch(/198\.51\.100|127\.0\.0\.1|::1/);
      if (key.includes(':cap:')) expect(JSON.stringify(await redis.zrange(key, 0, -1))).not.toMatch(/198\.51\.100/);
    }
  });

  it('serves 30 sockets on one caller token as one caller: far fewer than 600 events', async () => {
    const address = newAddress();
    const token = await callerToken(a, address);
    const many = await Promise.all(Array.from({ length: 30 }, (_, i) => open(i % 2 ? b.url : a.url, token, address)));
    // 20 each: within every connection's own burst, so only the per-token budget can refuse them.
    const answers = (
      await Promise.all(
        many.map((s) => Promise.all(Array.from({ length: 20 }, () => s.call('request:cancel', { requestId: randomUUID() })))),
      )
    ).flat();
    const served = answers.filter((r) => r.error?.code === 'NOT_FOUND').length;
    expect(answers.filter((r) => r.error?.code === 'RATE_LIMITED').length + served).toBe(600);
    // 150 per 10-second window; a burst can straddle two windows.
    expect(served).toBeLessThanOrEqual(300);
    // Another caller is served meanwhile.
    const other = await open(b.url, await callerToken(b, address), address);
    expect((await other.call('request:cancel', { requestId: randomUUID() })).error.code).toBe('NOT_FOUND');
  });

  it('refuses sockets over MAX_SOCKETS_PER_ADDRESS at the handshake, counted over both nodes', async () => {
    const address = newAddress();
    const token = await callerToken(a, address);
    const held = await Promise.all(Array.from({ length: 40 }, (_, i) => open(i % 2 ? b.url : a.url, token, address)));
    const refused = await connect(a.url, token, { 'x-forwarded-for': address }).then(
      (s) => (sockets.push(s), null),
      (e: Error & { data?: { error?: { code?: string } } }) => e.data?.error?.code,
    );
    expect(refused).toBe('RATE_LIMITED');
    await open(b.url, token, newAddress());
    held[0].close();
    await until(async () =>
      connect(b.url, token, { 'x-forwarded-for': address }).then(
        (s) => (sockets.push(s), true),
        () => false,
      ),
    );
  });
});
