import { caller, interpreter, languageId, until } from './utils/matching-fixtures';
import { matchingViolations, type Sql } from './utils/matching-invariants';
import { TestPostgres } from './utils/pg-server';
import { TestRedis } from './utils/redis-server';
import type { TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * Faults of the services under a running flow: a ringing offer and a waiting request when Redis, then
 * PostgreSQL, goes down and comes back. Each runs on a private server that the test may kill (the shared
 * ones are never touched). Each states what people see and checks that nothing stored was lost or left
 * half-written (the matching invariants, from the database).
 */
const request = (c: TestSocket, languageId: string) =>
  c.call('request:create', { languageId, matter: 'violence', urgency: 'normal', minor: false });
const ready = async (t: TestApp) => (await t.http().get('/health/ready')).status;
const timers = {
  OFFER_RING_SECONDS: '10',
  MATCHING_SWEEP_SECONDS: '0.5',
  HOME_COUNTRY: 'GT',
  INTERPRETER_GRACE_SECONDS: '120',
  CALLER_GRACE_SECONDS: '120',
};

describe('Redis restarted mid-flow (persistent, as deployed)', () => {
  let redis: TestRedis;
  let t: TestApp;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    redis = await TestRedis.start({ persistent: true });
    t = await startTestApp({ REDIS_URL: redis.url, ...timers });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.close();
    await redis?.dispose();
  });

  it('keeps the ringing offer and the waiting request: after the restart she accepts, and the waiting caller is served', async () => {
    const [mam, quc] = [await languageId(t, 'mam'), await languageId(t, 'quc')];
    const ana = await interpreter(t, { languages: 'mam:5' });
    const [c1, c2] = [await caller(t), await caller(t)];
    sockets.push(ana.socket, c1, c2);
    const r1 = await request(c1, mam);
    const r2 = await request(c2, quc);
    expect([r1.state, r2.state]).toEqual(['offering', 'queued']);
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === r1.requestId);

    await redis.stop();
    // What operators see: not ready while Redis is down. What people see: their pages stay connected.
    await until(
      () => ready(t),
      (s) => s === 503,
    );
    await redis.start();
    await until(
      () => ready(t),
      (s) => s === 200,
    );

    // The offer still rings (its state is in PostgreSQL, its timer in Redis's append-only file).
    const accepted = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    expect(accepted).toEqual({ sessionId: expect.any(String) });
    await c1.next('request:update', (u) => u.state === 'accepted' && u.sessionId === accepted.sessionId);
    // Presence survived: an interpreter for the waiting caller's language arrives and is offered her request.
    const rosa = await interpreter(t, { languages: 'quc:5' });
    sockets.push(rosa.socket);
    const second = await rosa.socket.next('offer:new', (o) => o.requestId === r2.requestId);
    const { sessionId } = await rosa.socket.call('offer:accept', { offerId: second.offerId });
    await c2.next('request:update', (u) => u.state === 'accepted' && u.sessionId === sessionId);
    for (const [c, s] of [
      [c1, accepted.sessionId],
      [c2, sessionId],
    ] as const)
      expect(await c.call('session:leave', { sessionId: s })).toEqual({});

    await until(
      () => t.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = ANY ($1)`, [[r1.requestId, r2.requestId]]),
      (rows) => rows.every((r) => r.state === 'completed'),
    );
    const { violations } = await matchingViolations(t.sql as Sql, [r1.requestId, r2.requestId], { homeCountry: 'GT' });
    expect(violations).toEqual([]);
  });
});

describe('PostgreSQL restarted mid-flow', () => {
  let pg: TestPostgres;
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const sql: Sql = (q, params = []) => pg.query(q, 'puente', params);

  beforeAll(async () => {
    pg = await TestPostgres.start();
    t = await startTestApp({ DATABASE_URL: pg.url, ...timers });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.app.close();
    await pg?.dispose();
  });

  it('refuses new requests while it is down with an error the page can retry, loses nothing, and carries on when it is back', async () => {
    const lang = async (iso: string) =>
      (await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]))[0].id;
    const [mam, quc] = [await lang('mam'), await lang('quc')];
    const ana = await interpreter({ ...t, sql } as TestApp, { languages: 'mam:5' });
    const [c1, c2] = [await caller(t), await caller(t)];
    sockets.push(ana.socket, c1, c2);
    const r1 = await request(c1, mam);
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === r1.requestId);

    await pg.kill();
    await until(
      () => ready(t),
      (s) => s === 503,
    );
    // What she sees while the database is down: an error she (or her page) can retry; the node stays up.
    const refused = await request(c2, quc);
    expect(refused.error.code).toBe('INTERNAL');
    await pg.start();
    await until(
      () => ready(t),
      (s) => s === 200,
    );

    // Her retry goes through; the ringing offer can still be accepted.
    const r2 = await until(
      () => request(c2, quc),
      (r) => !r.error,
    );
    expect(r2.state).toBe('queued');
    const accepted = await until(
      () => ana.socket.call('offer:accept', { offerId: offer.offerId }),
      (a) => !a.error || a.error.code === 'CONFLICT',
    );
    expect(accepted).toEqual({ sessionId: expect.any(String) });
    await c1.next('request:update', (u) => u.state === 'accepted');
    expect(await c1.call('session:leave', { sessionId: accepted.sessionId })).toEqual({});
    expect(await c2.call('request:cancel', { requestId: r2.requestId })).toEqual({ state: 'cancelled' });

    // Nothing half-written: exactly the two requests that were acknowledged, each consistent and ended.
    const all = await sql<{ id: string; state: string }>(`SELECT id, state FROM interpretation_requests ORDER BY created_at`);
    expect(all.map((r) => [r.id, r.state])).toEqual([
      [r1.requestId, 'completed'],
      [r2.requestId, 'cancelled'],
    ]);
    const { violations } = await matchingViolations(sql, [r1.requestId, r2.requestId], { homeCountry: 'GT' });
    expect(violations).toEqual([]);
    // The audit chain written across the outage is whole.
    const admin = await createStaff({ ...t, sql } as TestApp, 'platform_admin');
    const verified = await t.http().get('/api/v1/audit/verify').set('authorization', `Bearer ${admin.token}`).expect(200);
    expect(verified.body).toMatchObject({ ok: true });
  });
});
