import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { EventBus } from '../src/events/event-bus';
import { RealtimeService } from '../src/realtime/realtime.service';
import { SessionsService } from '../src/sessions/sessions.service';
import { auditMoved, caller, interpreter, languageId, Person, within } from './utils/matching-fixtures';
import { connect, TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * A call's life after the acceptance, over two nodes of one deployment: who hears what when someone leaves
 * or the call ends (the caller, the interpreter and an official taking part as the third party), the
 * `connected` state when media starts, and the end of a session announced to every node after it commits.
 */
describe('sessions', () => {
  let a: TestApp;
  let b: TestApp;
  const sockets: TestSocket[] = [];
  const soon = <T>(p: Promise<T>, what: string) => within(p, 15_000, what);
  const track = <T extends TestSocket | Person>(x: T): T => (sockets.push('interpreterId' in x ? x.socket : (x as TestSocket)), x);

  beforeAll(async () => {
    const env = {
      OFFER_RING_SECONDS: '10',
      MATCHING_SWEEP_SECONDS: '0.5',
      CALLER_GRACE_SECONDS: '30',
      INTERPRETER_GRACE_SECONDS: '30',
      HOME_COUNTRY: 'GT',
    };
    a = await startTestApp(env);
    b = await startTestApp({ ...env, DATABASE_URL: a.config.DATABASE_URL, REDIS_PREFIX: a.config.REDIS_PREFIX });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await b?.close();
    await a?.close();
  });

  /** A call: the interpreter on node A, the caller on node B (or `callerOn`), accepted. */
  async function call(iso: string, callerOn = b) {
    const ana = track(await interpreter(a, { languages: `${iso}:5` }));
    const c = track(await caller(callerOn, callerOn.url));
    const { requestId } = await c.call('request:create', {
      languageId: await languageId(a, iso),
      matter: 'violence',
      urgency: 'normal',
      minor: false,
    });
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    return { ana, c, requestId, sessionId, offerId: offer.offerId };
  }

  /** An official of a court taking part as the third party (as a hearing's booking makes her). */
  async function official(sessionId: string) {
    const staff = await createStaff(a, 'official');
    await a.sql(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [sessionId, staff.id]);
    return track(await connect(b.url, staff.token));
  }

  it('tells everyone in the call who left, and every participant, the official too, that it ended', async () => {
    const { ana, c, requestId, sessionId } = await call('mam');
    const judge = await official(sessionId);
    // The official leaves: the others hear it, and the call goes on.
    expect(await judge.call('session:leave', { sessionId })).toEqual({});
    await soon(
      ana.socket.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'official'),
      'the interpreter heard the official left',
    );
    await c.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'official');
    const [live] = await a.sql(`SELECT ended_at FROM sessions WHERE id = $1`, [sessionId]);
    expect(live.ended_at).toBeNull();
    // The caller leaves: the interpreter and the official hear it, and all three that the call ended.
    expect(await c.call('session:leave', { sessionId })).toEqual({});
    for (const s of [ana.socket, judge])
      expect(await s.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller')).toBeTruthy();
    for (const s of [ana.socket, c, judge])
      expect(
        await soon(
          s.next('session:ended', (e) => e.sessionId === sessionId),
          'told the call ended',
        ),
      ).toEqual({ sessionId, reason: 'completed' });
    await c.next('request:update', (u) => u.requestId === requestId && u.state === 'completed');
    // Nobody hears their own leaving, and each hears the end once.
    expect(c.seen('session:participantLeft').filter((e) => e.role === 'caller')).toEqual([]);
    expect(judge.seen('session:participantLeft').filter((e) => e.role === 'official')).toEqual([]);
    for (const s of [ana.socket, c, judge]) expect(s.seen('session:ended').filter((e) => e.sessionId === sessionId)).toHaveLength(1);
  });

  it('tells the caller, the interpreter and the official when the caller cancels during the call', async () => {
    const { ana, c, requestId, sessionId } = await call('quc');
    const judge = await official(sessionId);
    expect(await c.call('request:cancel', { requestId })).toEqual({ state: 'cancelled' });
    for (const s of [ana.socket, c, judge])
      expect(
        await soon(
          s.next('session:ended', (e) => e.sessionId === sessionId),
          'told the call ended',
        ),
      ).toEqual({ sessionId, reason: 'cancelled' });
  });

  it('moves the request to connected when the media of the call starts, and tells the caller', async () => {
    const { ana, c, requestId, sessionId } = await call('kek');
    const joined = await ana.socket.call('session:join', { sessionId });
    expect(joined.routerRtpCapabilities).toBeDefined();
    // The call starts when a second party is in it (media's rule): the interpreter alone is not a call.
    expect((await a.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]))[0].state).toBe('accepted');
    expect((await c.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
    expect(
      await soon(
        c.next('request:update', (u) => u.requestId === requestId && u.state === 'connected'),
        'the caller heard the call is connected',
      ),
    ).toEqual({ requestId, state: 'connected', sessionId });
    const [row] = await a.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
    expect(row.state).toBe('connected');
    // Idempotent, and the call ends from `connected` as from `accepted`.
    expect(await a.app.get(SessionsService).markConnected(sessionId)).toBe(false);
    expect(await ana.socket.call('session:leave', { sessionId })).toEqual({});
    await c.next('request:update', (u) => u.requestId === requestId && u.state === 'completed');
    await auditMoved(a);
    const story = await a.sql<{ type: string }>(`SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [requestId]);
    expect(story.map((e) => e.type)).toEqual(expect.arrayContaining(['offer.accepted', 'request.connected', 'request.completed']));
  });

  it('when the caller and the interpreter hang up at the same moment, both are answered after the end, which happens once', async () => {
    // Both on one node: the second leave there waits for the first one's end instead of ending it again.
    const { ana, c, requestId, sessionId } = await call('tzo', a);
    expect(await Promise.all([c.call('session:leave', { sessionId }), ana.socket.call('session:leave', { sessionId })])).toEqual([{}, {}]);
    // Both answers came after the end had committed.
    const [row] = await a.sql(
      `SELECT r.state, s.ended_at IS NOT NULL AS ended FROM interpretation_requests r JOIN sessions s ON s.request_id = r.id WHERE r.id = $1`,
      [requestId],
    );
    expect(row).toEqual({ state: 'completed', ended: true });
    for (const s of [ana.socket, c])
      expect(
        await soon(
          s.next('session:ended', (e) => e.sessionId === sessionId),
          'told the call ended',
        ),
      ).toEqual({ sessionId, reason: 'completed' });
    await auditMoved(a);
    const story = await a.sql<{ type: string }>(`SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [requestId]);
    expect(story.filter((e) => e.type === 'request.completed')).toHaveLength(1);
    expect(c.seen('session:ended').filter((e) => e.sessionId === sessionId)).toHaveLength(1);
  });

  it("the other side's leave of a call that a leave on this node ended needs no lookup; anyone else is still refused", async () => {
    const { ana, c, sessionId } = await call('tzo', a);
    expect(await c.call('session:leave', { sessionId })).toEqual({});
    const stranger = track(await interpreter(a, { languages: 'tzo:5', available: false }));
    // With the sessions table locked, a lookup would wait: her leave is answered from the first one's end.
    const locker = new Client({ connectionString: a.config.DATABASE_URL });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
      expect(await soon(ana.socket.call('session:leave', { sessionId }), 'her leave, with the sessions table locked')).toEqual({});
      // Someone who was not in the call is looked up (still waiting on the lock after her answer came), and refused.
      let answered = false;
      const refused = stranger.socket.call('session:leave', { sessionId }).finally(() => (answered = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(answered).toBe(false);
      await locker.query('ROLLBACK');
      expect((await soon(refused, 'the stranger refused')).error.code).toBe('NOT_FOUND');
    } finally {
      await locker.end();
    }
  });

  it('announces a session end to every node, after it has committed, wherever it happened', async () => {
    const heard: { node: string; sessionId: string; endedInDb: Promise<boolean> }[] = [];
    const db = a.app.get(DataSource);
    for (const [node, app] of [
      ['A', a],
      ['B', b],
    ] as const) {
      app.app.get(SessionsService).onEnded((sessionId) => {
        // What another connection sees at that moment: the end must be committed already.
        heard.push({
          node,
          sessionId,
          endedInDb: db.query(`SELECT ended_at IS NOT NULL AS ended FROM sessions WHERE id = $1`, [sessionId]).then((r) => r[0].ended),
        });
      });
    }
    const { c, sessionId } = await call('cak');
    // The caller is on B: the call ends there; the interpreter (and her media, when she joins) is on A.
    expect(await c.call('session:leave', { sessionId })).toEqual({});
    await c.next('request:update', (u) => u.state === 'completed');
    // Both nodes hear it (or, if one never does, the check below says which).
    for (let i = 0; i < 200 && heard.filter((h) => h.sessionId === sessionId).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    const mine = heard.filter((h) => h.sessionId === sessionId);
    expect(mine.map((h) => h.node).sort()).toEqual(['A', 'B']);
    expect(await Promise.all(mine.map((h) => h.endedInDb))).toEqual([true, true]);
  });

  // The node that ends a session announces it once it has committed; one that died in between never does. Every node
  // sweeps the sessions that ended a few seconds ago for those it never heard of, and tells their participants.
  it("tells a session's participants it ended when the node that ended it died before announcing it", async () => {
    const { ana, c, requestId, sessionId } = await call('tzh');
    // She joined the call's media (on node B): the call's room knows her even once her request has forgotten her.
    await c.call('session:join', { sessionId });
    const told = [ana.socket, c].map((s) => s.next('session:ended', (e) => e.sessionId === sessionId));
    // Ended, her token subject forgotten with her request, by no node at all: as if its node had died right after.
    await a.sql(`SELECT matching_finish($1, 'completed', '{accepted,connected}', NULL)`, [requestId]);
    for (const t of told) expect(await within(t, 30_000, "told, by her node's sweep")).toEqual({ sessionId, reason: 'completed' });
    // Once: the next sweeps know it was told.
    await new Promise((r) => setTimeout(r, 11_000));
    for (const s of [ana.socket, c]) expect(s.seen('session:ended').filter((e) => e.sessionId === sessionId)).toHaveLength(1);
  }, 60_000);

  it('never announces an end whose transaction rolled back', async () => {
    const { ana, c, sessionId } = await call('mam');
    const heard: string[] = [];
    a.app.get(SessionsService).onEnded((id) => heard.push(id));
    const db = a.app.get(DataSource);
    await expect(
      db.transaction(async (m) => {
        expect(await a.app.get(SessionsService).end(m, sessionId, 'completed')).toMatchObject({ id: sessionId });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    // Then one that commits: heard at once, and the rolled-back one never (by the announcement nor by the sweep).
    await db.transaction((m) => a.app.get(SessionsService).end(m, sessionId, 'completed'));
    expect(
      await soon(
        ana.socket.next('session:ended', (e) => e.sessionId === sessionId),
        'told',
      ),
    ).toEqual({ sessionId, reason: 'completed' });
    expect(
      await soon(
        c.next('session:ended', (e) => e.sessionId === sessionId),
        'told',
      ),
    ).toEqual({ sessionId, reason: 'completed' });
    await new Promise((r) => setTimeout(r, 11_000));
    expect(heard).toEqual([sessionId]);
    expect(ana.socket.seen('session:ended').filter((e) => e.sessionId === sessionId)).toHaveLength(1);
  }, 60_000);

  // Every node hears that a call's media failed and puts her back in line; one may hear it late (its sweep, a delayed
  // message), when she is already in her next call: that call must go on.
  it('a late news of a failed call does not end the call she is in by then', async () => {
    const { ana, requestId, sessionId, offerId } = await call('poh');
    const bea = track(await interpreter(a, { languages: 'poh:5' }));
    const db = a.app.get(DataSource);
    await db.transaction((m) => a.app.get(SessionsService).end(m, sessionId, 'media_failed'));
    // Back in line at once, and offered again: to Ana or to Bea.
    const again = await soon(
      Promise.race(
        [ana, bea].map((who) =>
          who.socket.next('offer:new', (o) => o.requestId === requestId && o.offerId !== offerId).then((o) => ({ who, o })),
        ),
      ),
      'offered again',
    );
    const { sessionId: next } = await again.who.socket.call('offer:accept', { offerId: again.o.offerId });
    expect(next).not.toBe(sessionId);
    // The failed call's news again, on both nodes, as a late sweep or message would bring it.
    for (const node of [a, b]) node.app.get(EventBus).emit('session.ended', sessionId, 'media_failed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await a.sql(`SELECT ended_at FROM sessions WHERE id = $1`, [next])).toEqual([{ ended_at: null }]);
    expect(await a.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId])).toEqual([{ state: 'accepted' }]);
  });

  // What another node sends is input from outside the process: a malformed notice is dropped, and one held back longer
  // than a node remembers what it told (a long Redis outage) is old news, not told again.
  it('ignores malformed and stale notices from another node, and tells a well-formed one', async () => {
    const { ana, sessionId } = await call('kek');
    const from = b.app.get(RealtimeService);
    const notice = {
      sessionId,
      reason: 'completed',
      interpreterId: ana.interpreterId,
      interpreterIds: [ana.interpreterId],
      officialId: null,
      callerSubs: [],
      endedAt: new Date().toISOString(),
    };
    for (const bad of [null, 'x', { ...notice, interpreterIds: 'all' }, { ...notice, wrapups: [{ id: 1 }] }, { ...notice, reason: '<b>' }])
      from.tellNodes('sessions:ended', bad);
    from.tellNodes('sessions:ended', { ...notice, endedAt: new Date(Date.now() - 60 * 60_000).toISOString() });
    await new Promise((r) => setTimeout(r, 1500));
    expect(ana.socket.seen('session:ended').filter((e) => e.sessionId === sessionId)).toEqual([]);
    from.tellNodes('sessions:ended', notice);
    expect(
      await soon(
        ana.socket.next('session:ended', (e) => e.sessionId === sessionId),
        'told',
      ),
    ).toEqual({ sessionId, reason: 'completed' });
  });
});
