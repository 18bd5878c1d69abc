import { randomBytes } from 'node:crypto';
import { callerTokenAt, getJson, rosterAt, RosterInterpreter, RosterRow, staffAt } from './utils/cluster';
import { createTestDatabase } from './utils/db';
import { matchingViolations, untilAllTerminal } from './utils/matching-invariants';
import { runSeed, SeededRandom } from './utils/seeded-random';
import { connect, TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

const LANGUAGES = ['mam', 'quc', 'kek', 'cak', 'tzo'] as const;
const MATTERS = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking'] as const;
const SPECIALTIES = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'children', 'asylum', 'health'] as const;
/** Country rosters and how many interpreters each has; BZ shares with nobody. */
const ROSTERS = { GT: 34, HN: 10, MX: 8, BZ: 4 } as const;
/** Suspended interpreters in some rosters: they may connect, but must never be offered anything. */
const SUSPENDED = { GT: 3, HN: 2 } as const;
const SHARING = [
  ['HN', 'GT'],
  ['MX', 'GT'],
  ['GT', 'HN'],
  ['MX', 'HN'],
] as const;
const CALLERS = 210;
/** Callers arrive in waves that hit both nodes at once (simultaneity, not rate, is what finds races). */
const WAVE = 50;
const WAVE_MS = 6000;

/** Acknowledgement errors a well-behaved client can meet in a race (someone else got there first). */
const EXPECTED_ERRORS: Record<string, string[]> = {
  'offer:accept': ['CONFLICT'],
  'offer:decline': ['CONFLICT'],
  // A request that has ended no longer knows its caller (her token subject is forgotten): NOT_FOUND.
  'request:cancel': ['CONFLICT', 'NOT_FOUND'],
  'session:leave': ['NOT_FOUND'],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two application nodes on one PostgreSQL database and one Redis prefix, a crowd of interpreters and
 * callers spread over both, acting at random (seeded: MATCHING_SEED=<n> replays a run's choices), and then
 * the guarantees of matching checked from the database and the audit chain.
 */
describe('matching under concurrency, across two nodes', () => {
  const seed = runSeed();
  const rng = new SeededRandom(seed);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  const nodes: TestApp[] = [];
  const sockets: TestSocket[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const errors: { event: string; code: string }[] = [];
  let running = true;
  const requestIds: string[] = [];

  const later = (ms: number, fn: () => unknown) => {
    const h = setTimeout(() => {
      timers.delete(h);
      if (running) Promise.resolve(fn()).catch((e) => errors.push({ event: 'client', code: String(e?.message ?? e) }));
    }, ms);
    timers.add(h);
  };
  /** Emits and records an error acknowledgement (or a timeout) instead of throwing. */
  const call = async (s: TestSocket, event: string, payload: unknown): Promise<any> => {
    const ack = await s.send(event, payload).catch((e) => ({ error: { code: `NO_ACK (${e?.message})` } }));
    if (ack?.error) errors.push({ event, code: ack.error.code });
    return ack;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = {
      DATABASE_URL: db.url,
      REDIS_PREFIX: `t${randomBytes(5).toString('hex')}`,
      OFFER_RING_SECONDS: '3',
      REQUEST_WAIT_LIMIT_SECONDS: '25',
      CALLER_GRACE_SECONDS: '1',
      INTERPRETER_GRACE_SECONDS: '2',
      MATCHING_SWEEP_SECONDS: '0.5',
      HOME_COUNTRY: 'GT',
    };
    nodes.push(await startTestApp({ ...shared, media: false }), await startTestApp({ ...shared, media: false }));
  }, 120_000);

  afterAll(async () => {
    running = false;
    timers.forEach(clearTimeout);
    sockets.forEach((s) => s.close());
    for (const n of nodes) await n.close();
    await db?.drop();
  });

  it('never double-books an interpreter, never accepts a request twice, and ends every request', async () => {
    console.log(`matching-concurrency seed ${seed} (MATCHING_SEED=${seed} replays its choices)`);
    const [a] = nodes;
    const langs = Object.fromEntries(
      await Promise.all(
        LANGUAGES.map(async (iso) => [
          iso,
          (await a.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NULL`, [iso]))[0].id,
        ]),
      ),
    ) as Record<(typeof LANGUAGES)[number], string>;
    for (const [owner, borrower] of SHARING)
      await a.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ($1, $2)`, [owner, borrower]);

    // ---- the interpreters: each on a node, with her own stream of choices ------------------------------
    const team: (RosterInterpreter & { node: number; suspended: boolean })[] = [];
    const setup = rng.fork(0);
    for (const [country, n] of Object.entries(ROSTERS)) {
      const suspended = SUSPENDED[country as keyof typeof SUSPENDED] ?? 0;
      const rows: RosterRow[] = Array.from({ length: n + suspended }, (_, i) => {
        const mine = [...LANGUAGES].filter(() => setup.chance(0.35));
        if (!mine.length) mine.push(setup.pick(LANGUAGES));
        return {
          languages: mine.map((l) => `${l}:${setup.int(2, 5)}`).join(';'),
          specialties: SPECIALTIES.filter(() => setup.chance(0.4)).join(';') || 'health',
          gender: setup.pick(['female', 'female', 'male', 'other', '']),
          status: i < n ? 'active' : 'suspended',
        };
      });
      for (const p of await rosterAt(a.url, a.sql, country, rows))
        team.push({ ...p, node: team.length % 2, suspended: team.filter((x) => x.country === country).length >= n });
    }
    expect(team.filter((p) => !p.suspended).length).toBeGreaterThanOrEqual(50);
    /** Offers that reached someone who had never been available (suspended, never asked, or not yet). */
    const offeredUnavailable: string[] = [];

    const requestNode = new Map<string, number>();
    await Promise.all(
      team.map(async (p, i) => {
        const me = rng.fork(1000 + i);
        const s = await connect(nodes[p.node].url, p.token);
        sockets.push(s);
        // Some never make themselves available (they stay away); some only after a while.
        const fate = p.suspended ? 'suspended' : me.chance(0.08) ? 'never' : me.chance(0.15) ? 'later' : 'now';
        let askedAvailable = false;
        const becomeAvailable = () => ((askedAvailable = true), call(s, 'presence:set', { status: 'available' }));
        s.socket.on('offer:new', (offer: { offerId: string; requestId: string }) => {
          if (!askedAvailable) offeredUnavailable.push(`${fate} interpreter ${p.interpreterId} was offered ${offer.offerId}`);
          const r = me.next();
          later(me.int(100, 1500), async () => {
            if (r < 0.55) {
              const ack = await call(s, 'offer:accept', { offerId: offer.offerId });
              if (ack.sessionId) later(me.int(400, 3000), () => call(s, 'session:leave', { sessionId: ack.sessionId }));
            } else if (r < 0.8) {
              await call(s, 'offer:decline', { offerId: offer.offerId });
            } // else she lets it ring out
          });
        });
        // Two missed offers set her away; she comes back after a while.
        s.socket.on('presence:update', (u: { status: string; reason?: string }) => {
          if (u.status === 'away' && u.reason === 'missed_offers')
            later(me.int(500, 3000), () => call(s, 'presence:set', { status: 'available' }));
        });
        if (fate === 'suspended') expect((await s.call('presence:set', { status: 'available' })).error.code).toBe('FORBIDDEN');
        else if (fate === 'never') await call(s, 'presence:set', { status: 'away' });
        else if (fate === 'now') await becomeAvailable();
        else later(me.int(2000, 15000), becomeAvailable);
      }),
    );

    // ---- the callers: arriving over time on either node ------------------------------------------------
    const fates = { patient: 0, cancels: 0, vanishes: 0 };
    const arrivals: Promise<void>[] = [];
    // A wave's callers connect first, then all ask at the same moment.
    const waves = new Map<number, { ready: number; go: Promise<void>; release: () => void }>();
    const wave = (n: number) => {
      if (!waves.has(n)) {
        let release!: () => void;
        waves.set(n, { ready: 0, go: new Promise<void>((r) => (release = r)), release });
      }
      const w = waves.get(n)!;
      if (++w.ready === Math.min(WAVE, CALLERS - n * WAVE)) w.release();
      return w.go;
    };
    for (let i = 0; i < CALLERS; i++) {
      const me = rng.fork(5000 + i);
      const node = me.int(0, 1);
      const payload = {
        languageId: langs[me.pick(LANGUAGES)],
        matter: me.pick(MATTERS),
        urgency: me.chance(0.1) ? 'emergency' : me.chance(0.25) ? 'urgent' : 'normal',
        minor: me.chance(0.2),
        ...(me.chance(0.2) ? { preferFemale: true } : {}),
        ...(me.chance(0.8) ? { country: me.pick(['GT', 'GT', 'HN', 'MX', 'BZ']) } : {}),
      };
      const fate = me.chance(0.1) ? 'cancels' : me.chance(0.05) ? 'vanishes' : 'patient';
      fates[fate]++;
      arrivals.push(
        (async () => {
          await sleep(Math.floor(i / WAVE) * WAVE_MS);
          const c = await connect(nodes[node].url, await callerTokenAt(nodes[node].url));
          sockets.push(c);
          await wave(Math.floor(i / WAVE));
          c.socket.on('request:update', (u: { state: string; sessionId?: string }) => {
            if (u.state === 'accepted' && u.sessionId && fate === 'patient')
              later(me.int(400, 3000), () => call(c, 'session:leave', { sessionId: u.sessionId }));
          });
          const ack = await call(c, 'request:create', payload);
          if (!ack.requestId) return;
          requestIds.push(ack.requestId);
          requestNode.set(ack.requestId, node);
          if (fate === 'cancels') later(me.int(200, 6000), () => call(c, 'request:cancel', { requestId: ack.requestId }));
          if (fate === 'vanishes') later(me.int(200, 4000), () => c.close());
        })(),
      );
    }
    await Promise.all(arrivals);
    expect(errors.filter((e) => e.event === 'request:create')).toEqual([]);
    expect(requestIds).toHaveLength(CALLERS);

    // The wait limit bounds every request; a generous margin on top of it for a loaded machine.
    await untilAllTerminal(a.sql, CALLERS, 90_000);
    // Let leave calls still in flight settle before reading the ledger.
    await sleep(3500);
    running = false;

    const { violations, summary } = await matchingViolations(a.sql, requestIds, { homeCountry: 'GT' });
    expect(offeredUnavailable).toEqual([]);
    const nodeOf = new Map(team.map((p) => [p.interpreterId, p.node]));
    const sessions = await a.sql<{ request_id: string; interpreter_id: string }>(`SELECT request_id, interpreter_id FROM sessions`);
    const crossNodeSessions = sessions.filter((s) => requestNode.get(s.request_id) !== nodeOf.get(s.interpreter_id)).length;
    const sessionsStarted = sessions.length;
    console.log(
      `matching-concurrency: ${team.length} interpreters, ${JSON.stringify(fates)}, ${crossNodeSessions}/${sessionsStarted} sessions across nodes, ${JSON.stringify(summary)}`,
    );
    expect(violations).toEqual([]);
    // The run exercised what it claims to: acceptance, declines, ring-outs, cancellations, both nodes.
    expect(summary.byState.completed).toBeGreaterThan(0);
    expect(summary.byState.cancelled).toBeGreaterThan(0);
    expect(summary.byOutcome.declined).toBeGreaterThan(0);
    expect(summary.byOutcome.expired).toBeGreaterThan(0);
    expect(crossNodeSessions).toBeGreaterThan(0);
    expect(crossNodeSessions).toBeLessThan(sessionsStarted);
    // Only the races a client can lose (someone else was first); never INTERNAL, VALIDATION or a lost ack.
    const unexpected = errors.filter((e) => !(EXPECTED_ERRORS[e.event] ?? []).includes(e.code));
    expect(unexpected).toEqual([]);

    const admin = await staffAt(nodes[1].url, nodes[1].sql, 'platform_admin');
    const verify = await getJson<{ ok: boolean; events: number }>(nodes[1].url, '/api/v1/audit/verify', admin.token);
    expect(verify).toEqual({ status: 200, body: expect.objectContaining({ ok: true }) });
    const [{ subs }] = await a.sql<{ subs: number }>(`SELECT count(caller_sub)::int AS subs FROM interpretation_requests`);
    expect(subs).toBe(0);
  }, 240_000);

  // The checks above must be able to fail: break the ledger the way a faulty implementation would.
  it('reports a double acceptance, overlapping offers and sessions, a lost request and a broken audit story', async () => {
    const [a] = nodes;
    expect(requestIds.length).toBeGreaterThan(0);
    const admin = await staffAt(a.url, a.sql, 'platform_admin');
    const [twice] = await a.sql<{ request_id: string; id: string }>(
      `SELECT o.request_id, o.id FROM offers o WHERE o.outcome IN ('declined', 'expired')
       AND EXISTS (SELECT 1 FROM offers x WHERE x.request_id = o.request_id AND x.outcome = 'accepted') LIMIT 1`,
    );
    await a.sql(`DROP INDEX offers_one_acceptance_per_leg`);
    await a.sql(`UPDATE offers SET outcome = 'accepted' WHERE id = $1`, [twice.id]);
    const [busy] = await a.sql<{ id: string; interpreter_id: string }>(
      `SELECT DISTINCT ON (interpreter_id) id, interpreter_id FROM offers
       WHERE interpreter_id IN (SELECT interpreter_id FROM offers GROUP BY 1 HAVING count(*) > 1) ORDER BY interpreter_id, created_at`,
    );
    await a.sql(`UPDATE offers SET decided_at = now() WHERE id = $1`, [busy.id]);
    const [long] = await a.sql<{ id: string; interpreter_id: string }>(
      `SELECT DISTINCT ON (interpreter_id) id, interpreter_id FROM sessions
       WHERE interpreter_id IN (SELECT interpreter_id FROM sessions GROUP BY 1 HAVING count(*) > 1) ORDER BY interpreter_id, created_at`,
    );
    await a.sql(`UPDATE sessions SET ended_at = now() WHERE id = $1`, [long.id]);
    const [ending] = await a.sql<{ id: string; subject_id: string }>(
      `SELECT id, subject_id FROM audit_events WHERE type = 'request.completed' LIMIT 1`,
    );
    await a.sql(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`);
    await a.sql(`DELETE FROM audit_events WHERE id = $1`, [ending.id]);
    const lost = '00000000-0000-4000-8000-000000000000';

    // An offer from a roster that does not share (BZ shares with nobody), and one to a suspended interpreter.
    const [bz] = await a.sql<{ id: string }>(`SELECT id FROM interpreters WHERE country = 'BZ' LIMIT 1`);
    const [foreign] = await a.sql<{ id: string; request_id: string }>(
      `SELECT o.id, o.request_id FROM offers o JOIN interpretation_requests r ON r.id = o.request_id WHERE coalesce(r.country, 'GT') <> 'BZ' AND o.outcome = 'declined' LIMIT 1`,
    );
    await a.sql(`UPDATE offers SET interpreter_id = $2 WHERE id = $1`, [foreign.id, bz.id]);
    const [active] = await a.sql<{ interpreter_id: string }>(
      `SELECT interpreter_id FROM offers WHERE outcome = 'expired' AND id <> $1 LIMIT 1`,
      [foreign.id],
    );
    await a.sql(`UPDATE interpreters SET status = 'suspended' WHERE id = $1`, [active.interpreter_id]);

    const { violations } = await matchingViolations(a.sql, [...requestIds, lost], { homeCountry: 'GT' });
    expect(violations).toEqual(
      expect.arrayContaining([
        `request ${twice.request_id} was accepted 2 times`,
        expect.stringMatching(new RegExp(`^interpreter ${busy.interpreter_id} held offers .* at the same time \\(offers table\\)$`)),
        expect.stringMatching(new RegExp(`^interpreter ${long.interpreter_id} was in sessions .* at the same time \\(sessions table\\)$`)),
        expect.stringMatching(new RegExp(`^request ${ending.subject_id} is completed but its audit story ends`)),
        `request ${lost} was acknowledged but is not in the database`,
        expect.stringMatching(
          new RegExp(`^offer ${foreign.id} of request ${foreign.request_id} went to ${bz.id} of roster BZ, which does not share with `),
        ),
        expect.stringMatching(new RegExp(` went to ${active.interpreter_id}, who is not active`)),
      ]),
    );
    const verify = await getJson<{ ok: boolean }>(a.url, '/api/v1/audit/verify', admin.token);
    expect(verify.body.ok).toBe(false);
  });
});
