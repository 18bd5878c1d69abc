import { callerTokenAt, NodeProcess, rosterAt } from './utils/cluster';
import { startNodePair, type NodePair } from './utils/node-pair';
import { CallPeer, hears } from './utils/webrtc-peer';

/**
 * The node hosting a call's router is killed with SIGKILL (compiled nodes as separate processes, sharing
 * PostgreSQL and Redis): the next join on a live node claims the session again, the participant still
 * connected there is told to renegotiate, and the same session carries on with audio both ways.
 */
describe('a call whose hosting node dies', () => {
  let pair: NodePair;
  let a: NodeProcess;
  let b: NodeProcess;
  let sql: NodePair['sql'];
  let open: NodePair['open'];
  let peer: NodePair['peer'];

  beforeAll(async () => {
    pair = await startNodePair({ HOME_COUNTRY: 'GT', CALLER_GRACE_SECONDS: '120', INTERPRETER_GRACE_SECONDS: '120' });
    ({ a, b, sql, open, peer } = pair);
  }, 180_000);

  afterAll(() => pair?.close());

  it('is claimed again by the next join on a live node: same session, participants renegotiate, audio flows both ways', async () => {
    const [interp] = await rosterAt(b.url, sql, 'GT', [{ languages: 'mam:5' }]);
    const ana = await open(b.url, interp.token);
    await ana.call('presence:set', { status: 'available' });
    const token = await callerTokenAt(a.url);
    const c = await open(a.url, token);
    const [{ id: languageId }] = await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
    await c.call('request:create', { languageId, matter: 'legal_labour', urgency: 'normal', minor: false });
    const offer = await ana.next('offer:new');
    const { sessionId } = await ana.call('offer:accept', { offerId: offer.offerId });

    // The caller's join claims the session for A; the interpreter's media, signalled through B, lives on A.
    const her = await peer(c, sessionId);
    const them = await peer(ana, sessionId);
    const [x, y] = [await her.speak(), await them.speak()];
    await them.listen(x);
    await her.listen(y);
    await hears(them, x);
    await hears(her, y);
    const [before] = await sql(`SELECT started_at, ended_at, participant_roles FROM sessions WHERE id = $1`, [sessionId]);

    await a.stop('SIGKILL');
    her.close();
    // Her client comes back through B (as a load balancer would send it). Until A's heartbeat expires its
    // claim stands and a join is refused; then B takes the session over.
    const c2 = await open(b.url, token);
    let back: CallPeer | null = null;
    const refusals = new Set<string>();
    while (!back) {
      back = await peer(c2, sessionId).catch((e: Error) => {
        refusals.add(e.message);
        return null;
      });
      if (!back) await new Promise((r) => setTimeout(r, 500));
    }
    expect([...refusals].filter((m) => m !== 'session:join: INTERNAL the node hosting this call did not answer')).toEqual([]);
    expect(back.join.participants).toEqual([]);
    // The interpreter, still connected to B, is told to start again.
    expect(await ana.next('session:mediaRestart', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'node_died' });
    them.close();
    const again = await peer(ana, sessionId);
    const [x2, y2] = [await back.speak(), await again.speak()];
    await again.listen(x2);
    await back.listen(y2);
    expect((await hears(again, x2)).peak).toBeGreaterThan(1000);
    expect((await hears(back, y2)).peak).toBeGreaterThan(1000);
    expect(await sql(`SELECT started_at, ended_at, participant_roles FROM sessions WHERE id = $1`, [sessionId])).toEqual([before]);
    expect(before).toEqual({ started_at: expect.any(Date), ended_at: null, participant_roles: ['caller', 'interpreter'] });
    expect([ana, c2].flatMap((s) => s.seen('session:ended'))).toEqual([]);
  });
});
