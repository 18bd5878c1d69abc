import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { MATCHING_QUEUE, MatchingService } from '../src/matching/matching.service';
import { RealtimeService, rooms } from '../src/realtime/realtime.service';
import { caller, interpreter, languageId, Person, stopSweeps, until, within } from './utils/matching-fixtures';
import { TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * What happens on events and Bull timers alone, with the safety-net sweep turned off: an interpreter who
 * becomes free is served the line at once, offers ring out on their Bull job, and a request goes back to
 * someone already tried when nobody else is left. Each test uses its own language.
 */
describe('serving the line as interpreters become free (no sweep)', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const track = <T extends TestSocket | Person>(x: T): T => (sockets.push('interpreterId' in x ? x.socket : (x as TestSocket)), x);
  const request = (c: TestSocket, languageId: string, extra: Record<string, unknown> = {}) =>
    c.call('request:create', { languageId, matter: 'violence', urgency: 'normal', minor: false, ...extra });
  /** Something that happens on an event: bounded, so that a missing event fails with its name. */
  const soon = <T>(p: Promise<T>, what: string) => within(p, 15_000, what);

  beforeAll(async () => {
    t = await startTestApp({
      media: false,
      OFFER_RING_SECONDS: '3',
      MATCHING_SWEEP_SECONDS: '60',
      INTERPRETER_GRACE_SECONDS: '60',
      CALLER_GRACE_SECONDS: '60',
      HOME_COUNTRY: 'GT',
    });
    await stopSweeps(t);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close();
  });

  it('serves the line emergency first, then urgent, minors first within each, then oldest, as an interpreter becomes free', async () => {
    const lang = await languageId(t, 'tzh');
    const asks = [
      ['normal', false, 'normal-oldest'],
      ['normal', true, 'normal-minor'],
      ['urgent', false, 'urgent'],
      ['normal', false, 'normal-youngest'],
      ['emergency', false, 'emergency'],
      ['urgent', true, 'urgent-minor'],
    ] as const;
    const names = new Map<string, string>();
    for (const [urgency, minor, name] of asks) {
      const { requestId, state } = await request(track(await caller(t)), lang, { urgency, minor });
      expect(state).toBe('queued');
      names.set(requestId, name);
    }
    const late = track(await interpreter(t, { languages: 'tzh:5', available: false }));
    await late.socket.call('presence:set', { status: 'available' });
    const served: string[] = [];
    for (let i = 0; i < asks.length; i++) {
      const offer = await soon(
        late.socket.next('offer:new', (o) => names.has(o.requestId) && !served.includes(names.get(o.requestId)!)),
        `offer #${i + 1}`,
      );
      served.push(names.get(offer.requestId)!);
      const { sessionId } = await late.socket.call('offer:accept', { offerId: offer.offerId });
      // The call ends: she is free, and the next in line rings for her at once.
      expect(await late.socket.call('session:leave', { sessionId })).toEqual({});
    }
    expect(served).toEqual(['emergency', 'urgent-minor', 'urgent', 'normal-minor', 'normal-oldest', 'normal-youngest']);
  });

  it('tops up an emergency that rings fewer than three when another interpreter becomes available', async () => {
    const lang = await languageId(t, 'mam');
    const first = track(await interpreter(t, { languages: 'mam:5' }));
    const c = track(await caller(t));
    const { requestId, state } = await request(c, lang, { urgency: 'emergency' });
    expect(state).toBe('offering');
    await first.socket.next('offer:new', (o) => o.requestId === requestId);
    const second = track(await interpreter(t, { languages: 'mam:5' }));
    const topUp = await soon(second.socket.next('offer:new'), 'the second interpreter was rung for the emergency');
    expect(topUp.requestId).toBe(requestId);
    const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1 AND outcome IS NULL`, [
      requestId,
    ]);
    expect(n).toBe(2);
  });

  it('serves her the next request at once after she declines one, and after one rings out on its Bull job', async () => {
    const lang = await languageId(t, 'quc');
    const ana = track(await interpreter(t, { languages: 'quc:5' }));
    const [c1, c2, c3] = [track(await caller(t)), track(await caller(t)), track(await caller(t))];
    const r1 = await request(c1, lang);
    const r2 = await request(c2, lang);
    const r3 = await request(c3, lang);
    expect([r1.state, r2.state, r3.state]).toEqual(['offering', 'queued', 'queued']);
    const o1 = await ana.socket.next('offer:new', (o) => o.requestId === r1.requestId);
    expect(await ana.socket.call('offer:decline', { offerId: o1.offerId })).toEqual({});
    const o2 = await soon(
      ana.socket.next('offer:new', (o) => o.requestId === r2.requestId),
      'she was offered the next request after declining',
    );
    // She lets it ring: the Bull job (no sweep runs here) expires it, and the next one rings for her.
    const expired = await soon(
      ana.socket.next('offer:withdrawn', (w) => w.offerId === o2.offerId),
      'the ring-time job expired the offer',
    );
    expect(expired.reason).toBe('expired');
    const [row] = await t.sql(`SELECT outcome FROM offers WHERE id = $1`, [o2.offerId]);
    expect(row.outcome).toBe('expired');
    const o3 = await soon(
      ana.socket.next('offer:new', (o) => o.requestId === r3.requestId),
      'she was offered the next request after one rang out',
    );
    expect(await ana.socket.call('offer:accept', { offerId: o3.offerId })).toEqual({ sessionId: expect.any(String) });
  });

  it('serves the loser of an emergency race the next request at once', async () => {
    const lang = await languageId(t, 'kek');
    const team = [track(await interpreter(t, { languages: 'kek:5' })), track(await interpreter(t, { languages: 'kek:5' }))];
    const ce = track(await caller(t));
    const emergency = await request(ce, lang, { urgency: 'emergency' });
    const offers = await Promise.all(team.map((p) => p.socket.next('offer:new', (o) => o.requestId === emergency.requestId)));
    const cn = track(await caller(t));
    const normal = await request(cn, lang);
    expect(normal.state).toBe('queued');
    expect(await team[0].socket.call('offer:accept', { offerId: offers[0].offerId })).toEqual({ sessionId: expect.any(String) });
    await team[1].socket.next('offer:withdrawn', (w) => w.offerId === offers[1].offerId && w.reason === 'taken');
    const next = await soon(
      team[1].socket.next('offer:new', (o) => o.requestId === normal.requestId),
      'the loser of the race was offered the waiting request',
    );
    expect(next.requestId).toBe(normal.requestId);
  });

  it('finds the request she can serve however far down the line it is', async () => {
    const lang = await languageId(t, 'cak');
    // A dozen emergencies from Belize, whose roster nobody shares with, wait ahead; she is in Guatemala's roster.
    for (let i = 0; i < 12; i++)
      expect((await request(track(await caller(t)), lang, { urgency: 'emergency', country: 'BZ' })).state).toBe('queued');
    const c = track(await caller(t));
    const mine = await request(c, lang, { country: 'GT' });
    expect(mine.state).toBe('queued');
    const late = track(await interpreter(t, { country: 'GT', languages: 'cak:5', available: false }));
    await late.socket.call('presence:set', { status: 'available' });
    const offer = await soon(late.socket.next('offer:new'), 'she was offered the one request she can serve');
    expect(offer.requestId).toBe(mine.requestId);
  });

  it('serves her waiting requests in variants linked to hers, whichever way the link was recorded, and none in others', async () => {
    const [towards, from, unrelated, hers] = await Promise.all(['acr', 'caa', 'cac', 'knj'].map((iso) => languageId(t, iso)));
    const link = (a: string, b: string) =>
      t.sql(
        `INSERT INTO language_links (from_language_id, to_language_id, source, created_by) VALUES ($1, $2, 'test', gen_random_uuid())`,
        [a, b],
      );
    await link(towards, hers);
    await link(hers, from);
    const first = await request(track(await caller(t)), towards);
    const second = await request(track(await caller(t)), from);
    const other = await request(track(await caller(t)), unrelated);
    expect([first.state, second.state, other.state]).toEqual(['queued', 'queued', 'queued']);
    const late = track(await interpreter(t, { languages: 'knj:5', available: false }));
    await late.socket.call('presence:set', { status: 'available' });
    for (const expected of [first, second]) {
      const offer = await soon(
        late.socket.next('offer:new', (o) => o.requestId === expected.requestId),
        'she was offered the linked request',
      );
      const { sessionId } = await late.socket.call('offer:accept', { offerId: offer.offerId });
      expect(await late.socket.call('session:leave', { sessionId })).toEqual({});
    }
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1`, [other.requestId]);
    expect(n).toBe(0);
  });

  it('offers a request again to the only interpreter who can take it: after a blip, and after one refusal, never after two', async () => {
    const lang = await languageId(t, 'tzo');
    const only = track(await interpreter(t, { languages: 'tzo:5' }));
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    const first = await only.socket.next('offer:new', (o) => o.requestId === requestId);
    // Her connection blips while it rings: withdrawn, and offered again as soon as she is back.
    only.socket.socket.disconnect();
    await until(
      () => t.sql(`SELECT outcome FROM offers WHERE id = $1`, [first.offerId]),
      (r) => r[0].outcome === 'withdrawn',
    );
    only.socket.socket.connect();
    const second = await soon(
      only.socket.next('offer:new', (o) => o.requestId === requestId && o.offerId !== first.offerId),
      'offered again after a blip',
    );
    // She declines once: nobody else is left, so after a while it rings for her again (on the next offer's
    // occasion: she becomes available again).
    await only.socket.call('offer:decline', { offerId: second.offerId });
    await c.next('request:update', (u) => u.requestId === requestId && u.state === 'queued');
    await until(
      () =>
        t.sql<{ ready: boolean }>(`SELECT decided_at < now() - interval '3 seconds' AS ready FROM offers WHERE id = $1`, [second.offerId]),
      (r) => r[0].ready,
    );
    await only.socket.call('presence:set', { status: 'available' });
    const third = await soon(
      only.socket.next('offer:new', (o) => o.requestId === requestId && ![first.offerId, second.offerId].includes(o.offerId)),
      'offered again after one refusal',
    );
    await only.socket.call('offer:decline', { offerId: third.offerId });
    // Twice refused: never again, however long she waits.
    await t.sql(`UPDATE offers SET decided_at = decided_at - interval '1 hour' WHERE request_id = $1`, [requestId]);
    const matching = t.app.get(MatchingService);
    await matching.serveInterpreter(only.interpreterId);
    await matching.dispatch(requestId);
    const again = await t.sql(`SELECT outcome FROM offers WHERE request_id = $1 ORDER BY created_at`, [requestId]);
    expect(again.map((o) => o.outcome)).toEqual(['withdrawn', 'declined', 'declined']);
    // Never two at once: each offer closed before the next opened.
    const spans = await t.sql<{ ok: boolean }>(
      `SELECT coalesce(bool_and(prev_decided <= created_at), true) AS ok FROM (
         SELECT created_at, lag(decided_at) OVER (ORDER BY created_at) AS prev_decided FROM offers WHERE request_id = $1) x WHERE prev_decided IS NOT NULL`,
      [requestId],
    );
    expect(spans[0].ok).toBe(true);
  });
  it('a caller who asked again on the node that ended her last request still gets her grace period when she goes', async () => {
    const lang = await languageId(t, 'ixl');
    const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
    const c = await caller(t);
    const first = await request(c, lang);
    const [{ caller_sub: sub }] = await t.sql<{ caller_sub: string }>(`SELECT caller_sub FROM interpretation_requests WHERE id = $1`, [
      first.requestId,
    ]);
    expect(await c.call('request:cancel', { requestId: first.requestId })).toEqual({ state: 'cancelled' });
    // She asks again on the same node (its end of her first request is no answer about this one), and goes.
    const again = await request(c, lang);
    c.close();
    // Bounded, and named with what the node saw if it fails: this wait once ran into the test's timeout in a full CI
    // run (stop 44; not reproduced in 14 runs of this file nor 40 of the scenario), with nothing to tell which of
    // callerDisconnected's conditions held.
    const grace = await within(
      until(
        () => queue.getJob(`caller-grace:${sub}`),
        (job) => !!job,
      ),
      30_000,
      'her grace period after she went',
    ).catch(async (e: Error) => {
      const seen = {
        request: await t.sql(`SELECT state, caller_sub IS NOT NULL AS kept FROM interpretation_requests WHERE id = $1`, [again.requestId]),
        socketsInHerRoom: await t.app.get(RealtimeService).countIn(rooms.caller(sub)),
        graceJobs: (await queue.getJobs(['delayed', 'waiting', 'active', 'completed', 'failed']))
          .filter((j) => j?.name === 'caller-grace')
          .map((j) => ({ id: j.id, sub: j.data.sub === sub })),
      };
      throw new Error(`${e.message}; the node saw ${JSON.stringify(seen)}`);
    });
    expect(grace!.data).toEqual({ sub });
    expect(await t.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [again.requestId])).toEqual([{ state: 'queued' }]);
    await grace!.remove();
  });
});
