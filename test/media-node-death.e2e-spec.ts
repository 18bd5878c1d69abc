import { callerTokenAt, NodeProcess, rosterAt } from './utils/cluster';
import { startNodePair, type NodePair } from './utils/node-pair';
import { allHearAll } from './utils/media-calls';
import { CallPeer } from './utils/webrtc-peer';

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

  /** Every one of `peers` speaks afresh and hears every other one. */
  async function speakAndHear(peers: CallPeer[]) {
    const voices: string[] = [];
    for (const p of peers) voices.push(await p.speak());
    for (const [i, p] of peers.entries()) for (const [j, v] of voices.entries()) if (i !== j) await p.listen(v);
    await allHearAll(peers, voices);
  }

  it('is claimed again by the next join on a live node: same session, every participant (a relay interpreter too) renegotiates, all hear all', async () => {
    const [interp, relayInterp] = await rosterAt(b.url, sql, 'GT', [{ languages: 'mam:5' }, { languages: 'spa:5' }]);
    const ana = await open(b.url, interp.token);
    const rita = await open(b.url, relayInterp.token);
    await ana.call('presence:set', { status: 'available' });
    const token = await callerTokenAt(a.url);
    const c = await open(a.url, token);
    const [{ id: languageId }] = await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
    await c.call('request:create', { languageId, matter: 'legal_labour', urgency: 'normal', minor: false });
    const offer = await ana.next('offer:new');
    const { sessionId } = await ana.call('offer:accept', { offerId: offer.offerId });
    // A relay leg's interpreter seated in the call (what a relay hearing's booking does).
    await sql(`INSERT INTO session_interpreters (session_id, role, interpreter_id) VALUES ($1, 'relay_interpreter', $2)`, [
      sessionId,
      relayInterp.interpreterId,
    ]);

    // The caller's join claims the session for A; the interpreters' media, signalled through B, lives on A.
    const her = await peer(c, sessionId);
    const them = await peer(ana, sessionId);
    const relay = await peer(rita, sessionId);
    await speakAndHear([her, them, relay]);
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
    // The interpreters, still connected to B, are told to start again.
    for (const s of [ana, rita])
      expect(await s.next('session:mediaRestart', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'node_died' });
    them.close();
    relay.close();
    await speakAndHear([back, await peer(ana, sessionId), await peer(rita, sessionId)]);
    expect(await sql(`SELECT started_at, ended_at, participant_roles FROM sessions WHERE id = $1`, [sessionId])).toEqual([before]);
    expect(before).toEqual({
      started_at: expect.any(Date),
      ended_at: null,
      participant_roles: ['caller', 'interpreter', 'relay_interpreter'],
    });
    expect([ana, rita, c2].flatMap((s) => s.seen('session:ended'))).toEqual([]);
  });
});
