import { callerTokenAt, getJson, NodeProcess, rosterAt, staffAt } from './utils/cluster';
import { until } from './utils/matching-fixtures';
import { matchingViolations } from './utils/matching-invariants';
import { startNodePair, type NodePair } from './utils/node-pair';
import type { TestSocket } from './utils/socket-client';
import { hears } from './utils/webrtc-peer';

/**
 * A node killed with SIGKILL while two calls are live on it, everyone connected to it, and a third caller
 * waits in line there. What people see: one call's caller and interpreter come back (through the other
 * node) within their grace period and carry on in the same session; the other call's people never come
 * back, so that call ends cleanly (abandoned, its metadata closed); the waiting caller comes back and is
 * served. Nothing is lost: every request ends, every session is closed, the invariants hold.
 */
describe('a node killed with live calls', () => {
  let pair: NodePair;
  let a: NodeProcess;
  let b: NodeProcess;
  let sql: NodePair['sql'];
  let open: NodePair['open'];
  let peer: NodePair['peer'];

  beforeAll(async () => {
    pair = await startNodePair({ HOME_COUNTRY: 'GT', CALLER_GRACE_SECONDS: '10', INTERPRETER_GRACE_SECONDS: '10' });
    ({ a, b, sql, open, peer } = pair);
  }, 180_000);

  afterAll(() => pair?.close());

  it('carries the calls whose people come back, ends the others cleanly, and loses no request', async () => {
    const lang = async (iso: string) =>
      (await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]))[0].id;
    const [mam, quc, kek] = [await lang('mam'), await lang('quc'), await lang('kek')];
    const [stays, leaves, later] = await rosterAt(a.url, sql, 'GT', [
      { languages: 'mam:5' },
      { languages: 'quc:5' },
      { languages: 'kek:5' },
    ]);
    const tokens = { stays: await callerTokenAt(a.url), leaves: await callerTokenAt(a.url), waits: await callerTokenAt(a.url) };

    // Two live calls with audio, everyone on A.
    const calls: Record<'stays' | 'leaves', { sessionId: string; requestId: string }> = {} as never;
    for (const [key, person, languageId] of [
      ['stays', stays, mam],
      ['leaves', leaves, quc],
    ] as const) {
      const interp = await open(a.url, person.token);
      await interp.call('presence:set', { status: 'available' });
      const c = await open(a.url, tokens[key]);
      const { requestId } = await c.call('request:create', { languageId, matter: 'violence', urgency: 'normal', minor: false });
      const offer = await interp.next('offer:new', (o) => o.requestId === requestId);
      const { sessionId } = await interp.call('offer:accept', { offerId: offer.offerId });
      const [her, them] = [await peer(c, sessionId), await peer(interp, sessionId)];
      const [x, y] = [await her.speak(), await them.speak()];
      await them.listen(x);
      await her.listen(y);
      await hears(them, x);
      await hears(her, y);
      calls[key] = { sessionId, requestId };
    }
    // A third caller waits on A for a language nobody interprets yet.
    const waiting = await open(a.url, tokens.waits);
    const queued = await waiting.call('request:create', { languageId: kek, matter: 'legal_civil', urgency: 'urgent', minor: false });
    expect(queued.state).toBe('queued');

    await a.stop('SIGKILL');
    pair.closePeers();

    // Those who come back do so at once, through B (as a load balancer would send them).
    const c1 = await open(b.url, tokens.stays);
    const i1 = await open(b.url, stays.token);
    const w2 = await open(b.url, tokens.waits);
    // The first call's people rejoin the same session and hear each other again.
    const rejoin = async (s: TestSocket) => {
      for (;;) {
        const p = await peer(s, calls.stays.sessionId).catch(() => null);
        if (p) return p;
        await new Promise((r) => setTimeout(r, 500)); // A's claim on the session lapses with its heartbeat
      }
    };
    const her = await rejoin(c1);
    const them = await rejoin(i1);
    const [x, y] = [await her.speak(), await them.speak()];
    await them.listen(x);
    await her.listen(y);
    await hears(them, x);
    await hears(her, y);
    // The waiting caller, back too, is served once an interpreter for her language arrives.
    const kekOnB = await open(b.url, later.token);
    await kekOnB.call('presence:set', { status: 'available' });
    const offer = await kekOnB.next('offer:new', (o) => o.requestId === queued.requestId);
    const served = await kekOnB.call('offer:accept', { offerId: offer.offerId });
    await w2.next('request:update', (u) => u.requestId === queued.requestId && u.state === 'accepted');
    expect(await w2.call('session:leave', { sessionId: served.sessionId })).toEqual({});

    // The second call's people never come back: once their grace is over, that call ends, cleanly.
    const [gone] = await until(
      () =>
        sql<{ state: string; ended_at: Date | null; end_reason: string | null; started_at: Date | null }>(
          `SELECT r.state, s.ended_at, s.end_reason, s.started_at FROM interpretation_requests r JOIN sessions s ON s.request_id = r.id WHERE r.id = $1`,
          [calls.leaves.requestId],
        ),
      (rows) => rows[0]?.ended_at !== null && ['abandoned', 'queued', 'offering', 'unmatched'].includes(rows[0]?.state),
    );
    expect(gone.ended_at).toEqual(expect.any(Date));
    expect(gone.started_at).toEqual(expect.any(Date));
    expect(gone.end_reason).toEqual(expect.any(String));
    // The first call goes on in the same session until they hang up.
    const [live] = await sql<{ ended_at: Date | null; state: string }>(
      `SELECT s.ended_at, r.state FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`,
      [calls.stays.sessionId],
    );
    expect(live).toEqual({ ended_at: null, state: 'connected' });
    expect(await c1.call('session:leave', { sessionId: calls.stays.sessionId })).toEqual({});

    // Nothing lost or left open: every request ends (the one whose caller vanished is abandoned at last).
    const all = [calls.stays.requestId, calls.leaves.requestId, queued.requestId];
    await until(
      () => sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = ANY ($1)`, [all]),
      (rows) => rows.every((r) => ['completed', 'abandoned', 'unmatched'].includes(r.state)),
    );
    const states = await sql<{ id: string; state: string }>(`SELECT id, state FROM interpretation_requests WHERE id = ANY ($1)`, [all]);
    expect(Object.fromEntries(states.map((s) => [s.id, s.state]))).toEqual({
      [calls.stays.requestId]: 'completed',
      [calls.leaves.requestId]: 'abandoned',
      [queued.requestId]: 'completed',
    });
    expect(await sql(`SELECT id FROM sessions WHERE ended_at IS NULL`)).toEqual([]);
    const { violations } = await matchingViolations(sql, all, { homeCountry: 'GT' });
    expect(violations).toEqual([]);
    const admin = await staffAt(b.url, sql, 'platform_admin');
    expect((await getJson<{ ok: boolean }>(b.url, '/api/v1/audit/verify', admin.token)).body).toMatchObject({ ok: true });
  }, 150_000);
});
