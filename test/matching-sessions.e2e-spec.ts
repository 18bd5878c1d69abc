import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { SessionsService } from '../src/sessions/sessions.service';
import { adminQuery, dbUrl } from './utils/db';
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

  /** A call: the interpreter on node A, the caller on node B, accepted. */
  async function call(iso: string) {
    const ana = track(await interpreter(a, { languages: `${iso}:5` }));
    const c = track(await caller(b, b.url));
    const { requestId } = await c.call('request:create', {
      languageId: await languageId(a, iso),
      matter: 'violence',
      urgency: 'normal',
      minor: false,
    });
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    return { ana, c, requestId, sessionId };
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
    const ana = track(await interpreter(a, { languages: 'tzo:5' }));
    const c = track(await caller(a, a.url));
    const { requestId } = await c.call('request:create', {
      languageId: await languageId(a, 'tzo'),
      matter: 'violence',
      urgency: 'normal',
      minor: false,
    });
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
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

  // A node hears ended sessions on a LISTEN connection of its own; a notice sent while that connection is down is
  // lost. When it listens again it replays the sessions that ended meanwhile, to its participants too (their
  // consoles ignore an end they already know: they compare the session id).
  it("tells a session's participants it ended when it ended while their node was not listening", async () => {
    const { ana, sessionId } = await call('tzh');
    const db = a.dbName;
    const own = new Client({ connectionString: dbUrl(db) });
    await own.connect();
    try {
      // No node can listen again until the session has ended.
      await adminQuery(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS false`);
      await own.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'puente-sessions'`,
        [db],
      );
      for (;;) {
        const [{ n }] = (
          await own.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'puente-sessions'`, [
            db,
          ])
        ).rows;
        if (n === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const ended = ana.socket.next('session:ended', (e) => e.sessionId === sessionId);
      await own.query(`SELECT * FROM session_end($1, NULL, 'completed', true)`, [sessionId]);
      await adminQuery(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
      expect(await soon(ended, 'the interpreter was told, once her node listened again')).toEqual({ sessionId, reason: 'completed' });
    } finally {
      await adminQuery(`ALTER DATABASE "${db}" ALLOW_CONNECTIONS true`);
      await own.end();
    }
  });
});
