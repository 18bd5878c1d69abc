import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { MatchingRepository } from '../src/matching/matching.repository';
import { MATCHING_QUEUE, MatchingService } from '../src/matching/matching.service';
import { PRESENCE_QUEUE, PresenceService } from '../src/presence/presence.service';
import { RealtimeService, rooms } from '../src/realtime/realtime.service';
import { RostersService } from '../src/rosters/rosters.service';
import { EventBus } from '../src/events/event-bus';
import { REDIS } from '../src/redis/redis.module';
import { caller, interpreter, languageId, Person, until } from './utils/matching-fixtures';
import { TestRedis } from './utils/redis-server';
import { connect, TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * Presence under the races that matter: a dropped connection during its grace period, a reconnection
 * racing the end of that grace period, and concurrent changes of status. Real sockets, Redis, PostgreSQL.
 * The grace period is long here; where a test needs it to end, it ends it as the Bull job would.
 */
describe('presence', () => {
  let privateRedis: TestRedis;
  let t: TestApp;
  /** A second node of the same deployment. */
  let t2: TestApp;
  let presence: PresenceService;
  let redis: Redis;
  const sockets: TestSocket[] = [];
  const track = <T extends TestSocket | Person>(x: T): T => (sockets.push('interpreterId' in x ? x.socket : (x as TestSocket)), x);
  const request = (c: TestSocket, languageId: string, extra: Record<string, unknown> = {}) =>
    c.call('request:create', { languageId, matter: 'violence', urgency: 'normal', minor: false, ...extra });
  /** Whether matching would find her among the available interpreters (the client adds the key prefix). */
  const listed = async (id: string) => (await redis.sismember('presence:available', id)) === 1;
  /** Her sockets are gone as far as the server knows. */
  const dropped = (p: Person) =>
    until(
      () => t.app.get(RealtimeService).countIn(rooms.interpreter(p.interpreterId)),
      (n) => n === 0,
    );

  beforeAll(async () => {
    // A Redis of its own: one test holds its writes back for a moment, which must not disturb anyone else.
    privateRedis = await TestRedis.start();
    const env = {
      REDIS_URL: privateRedis.url,
      OFFER_RING_SECONDS: '5',
      INTERPRETER_GRACE_SECONDS: '60',
      CALLER_GRACE_SECONDS: '60',
      MATCHING_SWEEP_SECONDS: '0.5',
      HOME_COUNTRY: 'GT',
    };
    t = await startTestApp({ ...env, media: false });
    t2 = await startTestApp({ media: false, ...env, DATABASE_URL: t.config.DATABASE_URL, REDIS_PREFIX: t.config.REDIS_PREFIX });
    presence = t.app.get(PresenceService);
    redis = t.app.get(REDIS);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t2?.close();
    await t?.close();
    await privateRedis?.stop();
  });

  it('offers nothing to an interpreter during her grace period, and serves her as soon as she is back', async () => {
    const lang = await languageId(t, 'mam');
    const flaky = track(await interpreter(t, { languages: 'mam:5' }));
    flaky.socket.socket.disconnect();
    await dropped(flaky);
    // Her sockets leave socket.io's rooms before presence hears of it: a request made in between may still ring her
    // (a CI run under load did). Her grace period starts when presence unlists her.
    await until(
      () => listed(flaky.interpreterId),
      (l) => !l,
    );
    const c = track(await caller(t));
    const { requestId, state } = await request(c, lang);
    expect(state).toBe('queued');
    expect(await t.sql(`SELECT 1 FROM offers WHERE interpreter_id = $1`, [flaky.interpreterId])).toEqual([]);
    // Within her grace period she keeps her status, and coming back lists her again and serves the line.
    expect(await presence.status(flaky.interpreterId)).toBe('available');
    flaky.socket.socket.connect();
    const offer = await flaky.socket.next('offer:new');
    expect(offer.requestId).toBe(requestId);
    expect(await listed(flaky.interpreterId)).toBe(true);
  });

  it('withdraws at once an offer made from what presence said just before her connection dropped', async () => {
    const kek = await languageId(t, 'kek');
    const gone = track(await interpreter(t, { languages: 'kek:5' }));
    const presenceJobs = t.app.get<Queue>(getQueueToken(PRESENCE_QUEUE));
    const graceStarted = async () => (await presenceJobs.getDelayed()).some((j) => j.data?.interpreterId === gone.interpreterId);
    const read = presence.reachableFor.bind(presence);
    // The first dispatch of her request reads who is available; then her connection drops, and presence unlists her and
    // withdraws what rings for her (nothing yet) before that dispatch rings her. Other dispatches on this node read as ever.
    let raced = false;
    const spy = jest.spyOn(presence, 'reachableFor').mockImplementation(async (ids) => {
      const before = await read(ids);
      if (raced || ids[0] !== kek) return before;
      raced = true;
      gone.socket.socket.disconnect();
      await until(graceStarted);
      return before;
    });
    try {
      const c = track(await caller(t));
      const { requestId, state } = await request(c, kek);
      expect(raced).toBe(true);
      expect(await t.sql(`SELECT outcome FROM offers WHERE request_id = $1`, [requestId])).toEqual([{ outcome: 'withdrawn' }]);
      // Nobody else speaks it: back in line, and she is told so.
      expect(state).toBe('queued');
      expect(await t.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId])).toEqual([{ state: 'queued' }]);
    } finally {
      spy.mockRestore();
    }
  });

  it("keeps a waiting request through the caller's grace period, and for good when she comes back within it", async () => {
    const c = track(await caller(t));
    const token = (c.socket.auth as { token: string }).token;
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;
    const { requestId, state } = await request(c, await languageId(t, 'mop'));
    expect(state).toBe('queued');
    c.socket.disconnect();
    const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
    await until(() => queue.getJob(`caller-grace:${sub}`));
    // During her grace period the request waits, as it was.
    const [during] = await t.sql(`SELECT state, caller_sub FROM interpretation_requests WHERE id = $1`, [requestId]);
    expect(during).toEqual({ state: 'queued', caller_sub: sub });
    const updates = c.seen('request:update').length;
    c.socket.connect();
    // Back: she hears her place in line again, and her grace period is over.
    await until(
      () => c.seen('request:update').slice(updates),
      (u) => u.some((x) => x.requestId === requestId && x.queuePosition === 1),
    );
    await until(
      () => queue.getJob(`caller-grace:${sub}`),
      (j) => !j,
    );
    // A grace job that had already started when she came back finds her connected, and leaves the request alone.
    await t.app.get(MatchingService).callerGraceOver(sub);
    const [after] = await t.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
    expect(after.state).toBe('queued');
    expect(await c.call('request:cancel', { requestId })).toEqual({ state: 'cancelled' });
  });

  it("looks for nothing of a new call's first connection (fresh), and finds her request when she comes back", async () => {
    const lookups = jest.spyOn(t.app.get(MatchingRepository), 'languageOfCaller');
    const token = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken as string;
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;
    const hers = () => lookups.mock.calls.filter(([s]) => s === sub).length;
    try {
      const c = track(await connect(t.url, token, undefined, { fresh: true }));
      const { requestId, state } = await request(c, await languageId(t, 'ttc'));
      expect(state).toBe('queued');
      expect(hers()).toBe(0);
      // Her connection drops: her request is looked for (her grace period starts), and found again when she is back.
      const updates = c.seen('request:update').length;
      c.socket.disconnect();
      await until(() => t.app.get<Queue>(getQueueToken(MATCHING_QUEUE)).getJob(`caller-grace:${sub}`));
      c.socket.connect();
      await until(
        () => c.seen('request:update').slice(updates),
        (u) => u.some((x) => x.requestId === requestId && x.queuePosition === 1),
      );
      expect(hers()).toBe(2);
      expect(await c.call('request:cancel', { requestId })).toEqual({ state: 'cancelled' });
    } finally {
      lookups.mockRestore();
    }
  });

  it('decides a reconnection racing the end of her grace period one way: kept, or offline with the call handed on, never told both', async () => {
    const langs = ['quc', 'kek', 'cak', 'tzo', 'tzh', 'ixl', 'poh', 'acr', 'tzj', 'mop', 'poc', 'kjb', 'itz', 'jac', 'caa', 'knj'];
    const outcomes = { kept: 0, lost: 0 };
    for (const [i, iso] of langs.entries()) {
      const lang = await languageId(t, iso);
      const p = track(await interpreter(t, { languages: `${iso}:5` }));
      const c = track(await caller(t));
      const { requestId } = await request(c, lang);
      const offer = await p.socket.next('offer:new', (o) => o.requestId === requestId);
      const { sessionId } = await p.socket.call('offer:accept', { offerId: offer.offerId });
      p.socket.socket.disconnect();
      await dropped(p);
      const seenBefore = p.socket.seen('presence:update').length;
      // She comes back just as her grace period ends (the job that ends it runs a little later each round).
      p.socket.socket.connect();
      await new Promise((r) => setTimeout(r, i % 8));
      await presence.graceOver(p.interpreterId);
      const back = await until(
        () => p.socket.seen('presence:update').slice(seenBefore),
        (u) => u.some((x) => x.reason === undefined),
      );
      const toldOnReturn = back.find((x) => x.reason === undefined)!;
      const [session] = await t.sql<{ ended: boolean }>(`SELECT ended_at IS NOT NULL AS ended FROM sessions WHERE id = $1`, [sessionId]);
      if (toldOnReturn.status === 'available') {
        // Back in time: her call goes on and she stays available.
        expect(session.ended).toBe(false);
        expect(back.filter((x) => x.status === 'offline')).toEqual([]);
        expect(await presence.status(p.interpreterId)).toBe('available');
        outcomes.kept++;
      } else {
        // Too late: she is offline, and her caller is back in line for someone else.
        expect(toldOnReturn.status).toBe('offline');
        await c.next('session:ended', (e) => e.sessionId === sessionId && e.reason === 'interpreter_lost');
        outcomes.lost++;
      }
      await c.call('request:cancel', { requestId });
    }
    console.log(`reconnection racing the end of the grace period: ${JSON.stringify(outcomes)}`);
  });

  it('keeps the language sets in step with her languages when two nodes change her status as her roster entry changes', async () => {
    const [mam, quc] = [await languageId(t, 'mam'), await languageId(t, 'quc')];
    const p = track(await interpreter(t, { languages: 'mam:5' }));
    const db = t.app.get(DataSource);
    const admin = new Redis(privateRedis.url);
    try {
      // An import gives her a second language. While Redis holds writes back (as a busy moment would), node A
      // changes her status with that profile; the import is undone and node B changes her status again.
      await db.query(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 4)`, [p.interpreterId, quc]);
      await admin.call('CLIENT', 'PAUSE', '10000', 'WRITE');
      const onA = presence.set(p.interpreterId, 'available');
      await new Promise((r) => setTimeout(r, 200));
      await db.query(`DELETE FROM interpreter_languages WHERE interpreter_id = $1 AND language_id = $2`, [p.interpreterId, quc]);
      const onB = t2.app.get(PresenceService).set(p.interpreterId, 'available');
      await new Promise((r) => setTimeout(r, 200));
      await admin.call('CLIENT', 'UNPAUSE');
      await Promise.all([onA, onB]);
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      admin.disconnect();
    }
    // She goes offline: she must then be listed for no language at all.
    await presence.set(p.interpreterId, 'offline');
    expect((await presence.reachableFor([mam])).ids).not.toContain(p.interpreterId);
    expect((await presence.reachableFor([quc])).ids).not.toContain(p.interpreterId);
    expect(await listed(p.interpreterId)).toBe(false);
  });

  it('lists her at once under the languages a roster import gives her, and no longer under those it takes away', async () => {
    const [cac, usp] = [await languageId(t, 'cac'), await languageId(t, 'usp')];
    const p = track(await interpreter(t, { languages: 'cac:5' }));
    // Chuj, which nobody in this file waits for: she is offered nothing before the import. Someone waits for a language nobody available speaks.
    const c = track(await caller(t));
    const { requestId, state } = await request(c, usp);
    expect(state).toBe('queued');
    // Her roster admin imports her entry again: Uspanteko instead of Chuj. She does not touch her status.
    const [row] = await t.sql<{ external_id: string; email: string }>(`SELECT external_id, email FROM interpreters WHERE id = $1`, [
      p.interpreterId,
    ]);
    // She is served the line as when she becomes available (the sweep, every half second here, would ring her too, but
    // only through the request's own dispatch).
    const serve = jest.spyOn(t.app.get(MatchingService), 'serveInterpreter');
    const res = await t.app
      .get(RostersService)
      .importRoster('GT', [{ external_id: row.external_id, first_name: 'Ana', email: row.email, languages: 'usp:4' }], null);
    expect(res).toMatchObject({ updated: 1, rejected: [] });
    const offer = await p.socket.next('offer:new', (o) => o.requestId === requestId);
    expect(offer.requestId).toBe(requestId);
    expect(serve).toHaveBeenCalledWith(p.interpreterId);
    serve.mockRestore();
    // Listed under her new languages only, as either node reads it.
    const onB = t2.app.get(PresenceService);
    expect((await onB.reachableFor([usp])).ids).toContain(p.interpreterId);
    expect((await onB.reachableFor([cac])).ids).not.toContain(p.interpreterId);
    expect(await presence.status(p.interpreterId)).toBe('available');
    await p.socket.call('offer:decline', { offerId: offer.offerId });
    // Away, and then available again: listed under what the roster says now, still.
    await p.socket.call('presence:set', { status: 'away' });
    expect((await presence.reachableFor([usp])).ids).not.toContain(p.interpreterId);
    await p.socket.call('presence:set', { status: 'available' });
    expect((await presence.reachableFor([usp])).ids).toContain(p.interpreterId);
    expect((await presence.reachableFor([cac])).ids).not.toContain(p.interpreterId);
    await p.socket.call('presence:set', { status: 'offline' });
    await c.call('request:cancel', { requestId });
  });

  it('withdraws what rings for her in a language an import takes away and rings the next; what she still speaks keeps ringing', async () => {
    const ixl = await languageId(t, 'ixl');
    // Her offer must not ring out meanwhile: neither node runs the matching queue's timers during this test.
    const queues = [t, t2].map((app) => app.app.get<Queue>(getQueueToken(MATCHING_QUEUE)));
    await Promise.all(queues.map((q) => q.pause(true)));
    try {
      const ana = track(await interpreter(t, { languages: 'ixl:5;poh:5' }));
      const c = track(await caller(t));
      const { requestId } = await request(c, ixl);
      const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
      // Someone else who speaks it, free once Ana's offer rings (normal urgency: one rings at a time).
      const bea = track(await interpreter(t, { languages: 'ixl:3' }));
      const [row] = await t.sql<{ external_id: string; email: string }>(`SELECT external_id, email FROM interpreters WHERE id = $1`, [
        ana.interpreterId,
      ]);
      const rosters = t.app.get(RostersService);
      const reimport = (languages: string) =>
        rosters.importRoster('GT', [{ external_id: row.external_id, first_name: 'Ana', email: row.email, languages }], null);
      const outcome = async () =>
        (await t.sql<{ outcome: string | null }>(`SELECT outcome FROM offers WHERE id = $1`, [offer.offerId]))[0].outcome;
      // Her languages change, Ixil kept: her offer keeps ringing (the import returns once its listeners are done).
      expect(await reimport('ixl:5')).toMatchObject({ updated: 1, rejected: [] });
      expect(await outcome()).toBeNull();
      // Ixil taken away: her offer goes, as it would if she went away, and the request rings Bea.
      expect(await reimport('poh:5')).toMatchObject({ updated: 1, rejected: [] });
      expect(await ana.socket.next('offer:withdrawn', (w) => w.offerId === offer.offerId)).toEqual({
        offerId: offer.offerId,
        reason: 'unavailable',
      });
      expect(await outcome()).toBe('withdrawn');
      expect((await bea.socket.next('offer:new', (o) => o.requestId === requestId)).requestId).toBe(requestId);
      await c.call('request:cancel', { requestId });
      for (const p of [ana, bea]) await p.socket.call('presence:set', { status: 'offline' });
    } finally {
      await Promise.all(queues.map((q) => q.resume(true)));
    }
  });

  it('counts a change of her relay languages alone as a change of her languages (what she covers decides a chain leg)', async () => {
    const p = track(await interpreter(t, { languages: 'ixl:5', relay: 'spa' }));
    const [row] = await t.sql<{ external_id: string; email: string }>(`SELECT external_id, email FROM interpreters WHERE id = $1`, [
      p.interpreterId,
    ]);
    const heard: string[] = [];
    const off = t.app.get(EventBus).on('interpreter.languages_changed', (id) => void heard.push(id));
    try {
      const entry = (relay_languages: string) => [
        { external_id: row.external_id, first_name: 'Ana', email: row.email, languages: 'ixl:5', relay_languages },
      ];
      const rosters = t.app.get(RostersService);
      // The fixture's relay language is Spanish at level 5: a level alone changes nothing she is rung for.
      expect(await rosters.importRoster('GT', entry('spa:4'), null)).toMatchObject({ updated: 1, rejected: [] });
      expect(heard).toEqual([]);
      expect(await rosters.importRoster('GT', entry('spa:4;eng:3'), null)).toMatchObject({ updated: 1, rejected: [] });
      expect(heard).toEqual([p.interpreterId]);
    } finally {
      off();
    }
    await p.socket.call('presence:set', { status: 'offline' });
  });

  it('lists her under the newer languages, or sets her away if suspended, when an import commits between her entry read and her listing', async () => {
    const [cac, usp] = [await languageId(t, 'cac'), await languageId(t, 'usp')];
    const rosters = t.app.get(RostersService);
    const p = track(await interpreter(t, { languages: 'cac:5' }));
    const [row] = await t.sql<{ external_id: string; email: string }>(`SELECT external_id, email FROM interpreters WHERE id = $1`, [
      p.interpreterId,
    ]);
    const entry = (languages: string) => [{ external_id: row.external_id, first_name: 'Ana', email: row.email, languages }];
    const listedUnder = async (id: string) => (await presence.reachableFor([id])).ids.includes(p.interpreterId);
    // Her next read of her roster entry answers what it said before the latest commit; every other read is PostgreSQL's.
    const read = rosters.presenceProfile.bind(rosters);
    let stale: string[] | null = null;
    const profile = jest.spyOn(rosters, 'presenceProfile').mockImplementation(async (id) => {
      if (id !== p.interpreterId || !stale) return read(id);
      const languageIds = stale;
      stale = null;
      return { status: 'active', languageIds };
    });
    try {
      // Two imports moments apart: the first one's news (Chuj) is read before the second (Uspanteko) commits, and
      // listed after the second one's news was: the read that follows the listing finds Uspanteko, and lists it. (The
      // import returns once its news has been handled.)
      stale = [cac];
      await rosters.importRoster('GT', entry('usp:4'), null);
      expect(stale).toBeNull();
      expect(await listedUnder(usp)).toBe(true);
      expect(await listedUnder(cac)).toBe(false);
      // Her own "available" read her languages (Uspanteko, before an import to Chuj committed) and listed them after
      // that import's news found her away: the read after her listing finds what the roster says now.
      await p.socket.call('presence:set', { status: 'away' });
      await rosters.importRoster('GT', entry('cac:4'), null);
      stale = [usp];
      await p.socket.call('presence:set', { status: 'available' });
      expect(stale).toBeNull();
      expect(await listedUnder(cac)).toBe(true);
      expect(await listedUnder(usp)).toBe(false);
      // Her "available" read her entry active before a suspension committed, which found her away: she is set away.
      await p.socket.call('presence:set', { status: 'away' });
      await t.sql(`UPDATE interpreters SET status = 'suspended' WHERE id = $1`, [p.interpreterId]);
      stale = [cac];
      expect(await p.socket.call('presence:set', { status: 'available' })).toEqual({ status: 'away' });
      expect(await presence.status(p.interpreterId)).toBe('away');
      expect(await listedUnder(cac)).toBe(false);
    } finally {
      profile.mockRestore();
    }
    await p.socket.call('presence:set', { status: 'offline' });
  });

  it('never sets away an interpreter who made herself available as her second missed offer rang out', async () => {
    const p = track(await interpreter(t, { languages: 'mam:5' }));
    for (let i = 0; i < 30; i++) {
      await presence.offerMissed(p.interpreterId);
      // Her second miss, and her own "available", at the same moment: whichever comes first, she ends available.
      await Promise.all([presence.offerMissed(p.interpreterId), presence.set(p.interpreterId, 'available')]);
      expect(await presence.status(p.interpreterId)).toBe('available');
      expect(await listed(p.interpreterId)).toBe(true);
    }
  });
});
