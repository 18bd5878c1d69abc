import { inCall, Closers, sessionRow } from './utils/media-calls';
import { auditMoved, caller, interpreter, languageId, Person, until, within } from './utils/matching-fixtures';
import { RostersService } from '../src/rosters/rosters.service';
import { connect, type TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * Relay chains on demand (issue 14): when nobody free covers her language into the other side's, two interpreters
 * ring at once, one per leg, and the call opens when both have accepted; a chain not filled within
 * RELAY_WAIT_SECONDS is served by one interpreter. Real PostgreSQL, Redis, mediasoup and WebRTC clients; each test in
 * its own country (rosters do not share by default), so one test's interpreters are never another's candidates.
 */
describe('relay chains on demand', () => {
  let t: TestApp;
  const closers: Closers = [];
  // The sweep often, so that a chain past its wait limit is served within a second of it; the limit itself long, so
  // that only the tests that move a chain's planning back in time meet it.
  beforeAll(async () => {
    // WRAPUP_SECONDS 0: the interpreters of a call that ended are free at once (wrap-up is test/wrapup.e2e-spec.ts's).
    t = await startTestApp({ MATCHING_SWEEP_SECONDS: '0.5', RELAY_WAIT_SECONDS: '3600', CALLER_GRACE_SECONDS: '60', WRAPUP_SECONDS: '0' });
  });
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(() => t.close());

  const person = async (country: string, languages: string, relay: string, firstName: string) => {
    const p = await interpreter(t, { country, languages, relay, firstName, specialties: 'violence' });
    closers.push(() => p.socket.close());
    return p;
  };
  const woman = async () => {
    const c = await caller(t);
    closers.push(() => c.close());
    return c;
  };
  /** A Mam request from `country`, into `into` when named (as an official of an English-speaking consulate would). */
  const ask = async (c: TestSocket, country: string, urgency: 'normal' | 'emergency' = 'normal', into?: string) =>
    c.call('request:create', {
      languageId: await languageId(t, 'mam'),
      matter: 'violence',
      urgency,
      minor: false,
      country,
      ...(into && { targetLanguageId: await languageId(t, into) }),
    });
  /** The request's offers still ringing, once there are `n` of them. */
  const ringing = (requestId: string, n: number) =>
    until(
      () =>
        t.sql<{ id: string; interpreter_id: string; leg: string }>(
          `SELECT id, interpreter_id, leg FROM offers WHERE request_id = $1 AND outcome IS NULL ORDER BY leg, created_at`,
          [requestId],
        ),
      (rows) => rows.length === n,
    );
  /**
   * A chain in `country`: a Mam–Spanish source interpreter, a Spanish–English relay interpreter (`legs` for others), a
   * woman asking for Mam (into `into` when named), and the two offers ringing, one per leg.
   */
  const aChain = async (
    country: string,
    [sourceName, relayName]: [string, string],
    into?: string,
    legs = [
      ['mam:5', 'spa:5'],
      ['spa:5', 'eng:5'],
    ],
  ) => {
    const source = await person(country, legs[0][0], legs[0][1], sourceName);
    const relay = await person(country, legs[1][0], legs[1][1], relayName);
    const c = await woman();
    const created = await ask(c, country, 'normal', into);
    const offers = await ringing(created.requestId, 2);
    return {
      source,
      relay,
      c,
      created,
      sourceOffer: offers.find((o) => o.leg === 'source')!,
      relayOffer: offers.find((o) => o.leg === 'relay')!,
    };
  };
  const byId = (people: Person[], id: string) => people.find((p) => p.interpreterId === id)!;
  const free = async (people: Person[]) =>
    (
      await t.sql<{ free: boolean }>(`SELECT matching_free(id) AS free FROM unnest($1::uuid[]) AS id`, [people.map((p) => p.interpreterId)])
    ).map((r) => r.free);
  /** Her roster entry imported again into `country`'s roster with these languages and relay languages (a roster admin's CSV). */
  const reimport = async (country: string, p: Person, languages: string, relay_languages: string) => {
    const [row] = await t.sql<{ external_id: string; email: string; first_name: string }>(
      `SELECT external_id, email, first_name FROM interpreters WHERE id = $1`,
      [p.interpreterId],
    );
    return t.app.get(RostersService).importRoster(country, [{ ...row, languages, relay_languages }], null);
  };
  /** Her offer's withdrawal, as she is told it, within 10 seconds (`what`: named if it does not come). */
  const withdrawn = (p: Person, offerId: string, what: string) =>
    within(
      p.socket.next('offer:withdrawn', (e) => e.offerId === offerId),
      10_000,
      what,
    );
  /** Moves the chain's planning back past its wait limit: the sweep then serves her with one interpreter. */
  const pastRelayWait = (requestId: string) =>
    t.sql(`UPDATE interpretation_requests SET relay_since = relay_since - interval '2 hours' WHERE id = $1`, [requestId]);

  it('an emergency rings three on each leg at once; one accepts and waits, a declined relay leg rings the next, whose acceptance opens a call where all three hear each other', async () => {
    const [mam, spa, eng] = [await languageId(t, 'mam'), await languageId(t, 'spa'), await languageId(t, 'eng')];
    const sources: Person[] = [];
    for (const n of ['S1', 'S2', 'S3', 'S4']) sources.push(await person('US', 'mam:5', 'spa:5', n));
    const relays: Person[] = [];
    for (const n of ['R1', 'R2', 'R3', 'R4']) relays.push(await person('US', 'spa:5', 'eng:5', n));
    const c = await woman();
    const created = await ask(c, 'US', 'emergency');
    expect(created.state).toBe('offering');

    const offers = await ringing(created.requestId, 6);
    expect(offers.map((o) => o.leg)).toEqual(['relay', 'relay', 'relay', 'source', 'source', 'source']);
    // Each rung on her own leg, told which (and nothing about the caller).
    for (const o of offers) {
      const p = byId([...sources, ...relays], o.interpreter_id);
      expect(await p.socket.next('offer:new', (e) => e.offerId === o.id)).toEqual({
        offerId: o.id,
        requestId: created.requestId,
        languageId: mam,
        targetLanguageId: eng,
        leg: o.leg,
        relayLanguageId: spa,
        matter: 'violence',
        urgency: 'emergency',
        minor: false,
        expiresAt: expect.any(String),
      });
    }
    const [sourceOffers, relayOffers] = [offers.filter((o) => o.leg === 'source'), offers.filter((o) => o.leg === 'relay')];

    // The first source interpreter to accept waits for the relay leg; the two others of her leg are withdrawn.
    const lead = byId(sources, sourceOffers[0].interpreter_id);
    expect(await lead.socket.call('offer:accept', { offerId: sourceOffers[0].id })).toEqual({
      waiting: 'other_leg',
      until: expect.any(String),
    });
    for (const o of sourceOffers.slice(1))
      expect(await byId(sources, o.interpreter_id).socket.next('offer:withdrawn', (e) => e.offerId === o.id)).toEqual({
        offerId: o.id,
        reason: 'taken',
      });
    // Accepting twice, or another's offer, is refused.
    expect((await lead.socket.call('offer:accept', { offerId: sourceOffers[0].id })).error.code).toBe('CONFLICT');
    const outsider = byId(sources, sourceOffers[1].interpreter_id);
    expect((await outsider.socket.call('offer:accept', { offerId: relayOffers[0].id })).error.code).toBe('NOT_FOUND');

    // A relay interpreter declines: the next one rings on that leg (nobody new on the source leg).
    const decliner = byId(relays, relayOffers[0].interpreter_id);
    expect(await decliner.socket.call('offer:decline', { offerId: relayOffers[0].id })).toEqual({});
    const fourth = relays.find((p) => !relayOffers.some((o) => o.interpreter_id === p.interpreterId))!;
    const next = await within(
      fourth.socket.next('offer:new', (e) => e.requestId === created.requestId),
      10_000,
      'the next relay interpreter rung',
    );
    expect(next.leg).toBe('relay');
    expect((await ringing(created.requestId, 3)).map((o) => o.leg)).toEqual(['relay', 'relay', 'relay']);

    // Her acceptance opens the call: the waiting lead is told, the other relay offers withdrawn, the woman told both.
    const opened = await fourth.socket.call('offer:accept', { offerId: next.offerId });
    expect(opened).toEqual({ sessionId: expect.any(String) });
    const sessionId = opened.sessionId;
    expect(await lead.socket.next('offer:session', (e) => e.offerId === sourceOffers[0].id)).toEqual({
      offerId: sourceOffers[0].id,
      sessionId,
    });
    for (const o of relayOffers.slice(1))
      expect(await byId(relays, o.interpreter_id).socket.next('offer:withdrawn', (e) => e.offerId === o.id)).toEqual({
        offerId: o.id,
        reason: 'taken',
      });
    const nameOf = (p: Person) => `${sources.includes(p) ? 'S' : 'R'}${([...sources, ...relays].indexOf(p) % 4) + 1}`;
    expect(await c.next('request:update', (u) => u.state === 'accepted')).toEqual({
      requestId: created.requestId,
      state: 'accepted',
      interpreter: { firstName: nameOf(lead) },
      interpreters: [
        { firstName: nameOf(lead), role: 'interpreter' },
        { firstName: nameOf(fourth), role: 'relay_interpreter' },
      ],
      sessionId,
      // Her way back to the lead interpreter (issue 16).
      returnCode: expect.stringMatching(/^\d{6}$/),
    });
    const seats = await t.sql(`SELECT role, interpreter_id FROM session_interpreters WHERE session_id = $1 ORDER BY role`, [sessionId]);
    expect(seats).toEqual([
      { role: 'interpreter', interpreter_id: lead.interpreterId },
      { role: 'relay_interpreter', interpreter_id: fourth.interpreterId },
    ]);

    // Three real WebRTC clients: the woman, the Mam–Spanish and the Spanish–English interpreter each hear the others.
    await inCall([c, lead.socket, fourth.socket], sessionId, closers);
    expect(await c.call('session:leave', { sessionId })).toEqual({});
    await until(async () => (await sessionRow(t, sessionId)).ended_at !== null);
    expect(
      await until(
        () => free([lead, fourth]),
        (f) => f.every(Boolean),
      ),
    ).toEqual([true, true]);
  });

  it('a leg that accepted first holds its interpreter until the other accepts; the woman cancelling releases her', async () => {
    const { source, relay, c, created, sourceOffer, relayOffer } = await aChain('BZ', ['Bea', 'Rosa']);
    await relay.socket.next('offer:new', (e) => e.offerId === relayOffer.id);
    expect(await relay.socket.call('offer:accept', { offerId: relayOffer.id })).toEqual({
      waiting: 'other_leg',
      until: expect.any(String),
    });
    // No call yet: nothing to join; she is not free for another request meanwhile.
    expect(await t.sql(`SELECT count(*)::int AS n FROM sessions WHERE request_id = $1`, [created.requestId])).toEqual([{ n: 0 }]);
    expect(await free([relay])).toEqual([false]);
    expect(await c.call('request:cancel', { requestId: created.requestId })).toEqual({ state: 'cancelled' });
    expect(await relay.socket.next('offer:withdrawn', (e) => e.offerId === relayOffer.id)).toEqual({
      offerId: relayOffer.id,
      reason: 'cancelled',
    });
    expect(await source.socket.next('offer:withdrawn', (e) => e.offerId === sourceOffer.id)).toEqual({
      offerId: sourceOffer.id,
      reason: 'cancelled',
    });
    expect(await free([relay, source])).toEqual([true, true]);
    // Her acceptance was superseded: the request was never accepted, and nothing holds her.
    const [row] = await t.sql(`SELECT outcome, holds, superseded_at IS NOT NULL AS superseded FROM offers WHERE id = $1`, [relayOffer.id]);
    expect(row).toEqual({ outcome: 'accepted', holds: false, superseded: true });
  });

  it("an interpreter whose console was gone when her chain's call opened is told it when she connects again", async () => {
    // The other side speaks English here: named, as an official of an English-speaking consulate would.
    const { source, relay, sourceOffer, relayOffer } = await aChain('DO', ['Dora', 'Rut'], 'eng');
    await source.socket.next('offer:new', (e) => e.offerId === sourceOffer.id);
    expect(await source.socket.call('offer:accept', { offerId: sourceOffer.id })).toEqual({
      waiting: 'other_leg',
      until: expect.any(String),
    });
    source.socket.close();
    const { sessionId } = await relay.socket.call('offer:accept', { offerId: relayOffer.id });
    expect(sessionId).toEqual(expect.any(String));
    const back = await connect(t.url, source.token);
    closers.push(() => back.close());
    expect(await within(back.next('offer:session'), 10_000, 'told of her call on connecting')).toEqual({
      offerId: sourceOffer.id,
      sessionId,
    });
    expect(await back.call('session:join', { sessionId })).toMatchObject({ participants: expect.any(Array) });
  });

  it('a leg accepted and then left (she sets herself away) is released and rings the next; a reload within her grace period keeps it', async () => {
    const { source: first, relay, created, sourceOffer, relayOffer } = await aChain('SV', ['Sara', 'Rebeca'], 'eng');
    await first.socket.next('offer:new', (e) => e.offerId === sourceOffer.id);
    const accepted = await first.socket.call('offer:accept', { offerId: sourceOffer.id });
    expect(accepted).toEqual({ waiting: 'other_leg', until: expect.any(String) });
    // Her wait ends RELAY_WAIT_SECONDS after the chain was planned (an hour here).
    expect(Date.parse(accepted.until) - Date.now()).toBeGreaterThan(3000 * 1000);
    // Her connection drops and comes back at once (a reload): still hers.
    first.socket.close();
    const back = await connect(t.url, first.token);
    closers.push(() => back.close());
    expect(await back.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    expect(await free([first])).toEqual([false]);
    // She sets herself away: released, told, and the source leg rings someone else.
    const second = await person('SV', 'mam:5', 'spa:5', 'Sonia');
    expect(await back.call('presence:set', { status: 'away' })).toEqual({ status: 'away' });
    expect(await back.next('offer:withdrawn', (e) => e.offerId === sourceOffer.id)).toEqual({
      offerId: sourceOffer.id,
      reason: 'unavailable',
    });
    const next = await within(
      second.socket.next('offer:new', (e) => e.requestId === created.requestId),
      10_000,
      'the source leg rung again',
    );
    expect(next.leg).toBe('source');
    expect(await free([first])).toEqual([true]);
    const [row] = await t.sql(`SELECT outcome, holds, superseded_at IS NOT NULL AS superseded FROM offers WHERE id = $1`, [sourceOffer.id]);
    expect(row).toEqual({ outcome: 'accepted', holds: false, superseded: true });
    // The next source interpreter's acceptance and the relay's open the call with her.
    expect(await second.socket.call('offer:accept', { offerId: next.offerId })).toMatchObject({ waiting: 'other_leg' });
    const { sessionId } = await relay.socket.call('offer:accept', { offerId: relayOffer.id });
    expect(await second.socket.next('offer:session', (e) => e.offerId === next.offerId)).toEqual({ offerId: next.offerId, sessionId });
  });

  it('both legs accepting at the same moment open one call with both of them, whichever commits second', async () => {
    for (let round = 0; round < 3; round++) {
      const { source, relay, c, created, sourceOffer: s, relayOffer: r } = await aChain('HN', [`Hilda${round}`, `Rosa${round}`], 'eng');
      const acks = await Promise.all([
        source.socket.call('offer:accept', { offerId: s.id }),
        relay.socket.call('offer:accept', { offerId: r.id }),
      ]);
      const opened = acks.find((x) => x.sessionId)!;
      expect(acks.filter((x) => x.waiting === 'other_leg')).toHaveLength(1);
      const waiter = acks[0].waiting ? { p: source, offerId: s.id } : { p: relay, offerId: r.id };
      expect(await waiter.p.socket.next('offer:session', (e) => e.offerId === waiter.offerId)).toEqual({
        offerId: waiter.offerId,
        sessionId: opened.sessionId,
      });
      const seats = await t.sql(
        `SELECT si.role, si.interpreter_id FROM session_interpreters si JOIN sessions x ON x.id = si.session_id
         WHERE x.request_id = $1 ORDER BY si.role`,
        [created.requestId],
      );
      expect(seats).toEqual([
        { role: 'interpreter', interpreter_id: source.interpreterId },
        { role: 'relay_interpreter', interpreter_id: relay.interpreterId },
      ]);
      expect(await c.call('session:leave', { sessionId: opened.sessionId })).toEqual({});
      expect(
        await until(
          () => free([source, relay]),
          (f) => f.every(Boolean),
        ),
      ).toEqual([true, true]);
      // Each round's people leave, so that the next round's are the only candidates.
      for (const p of [source, relay]) await p.socket.call('presence:set', { status: 'away' });
    }
  });

  it('a chain whose relay leg is not filled in time is served by its accepted source interpreter alone, and the one who asked is told', async () => {
    const { source, relay, c, created, sourceOffer, relayOffer } = await aChain('CA', ['Carmen', 'Rita']);
    await source.socket.next('offer:new', (e) => e.offerId === sourceOffer.id);
    expect(await source.socket.call('offer:accept', { offerId: sourceOffer.id })).toEqual({
      waiting: 'other_leg',
      until: expect.any(String),
    });
    await pastRelayWait(created.requestId);
    const { sessionId } = await within(
      source.socket.next('offer:session', (e) => e.offerId === sourceOffer.id),
      10_000,
      'the source interpreter given the call',
    );
    expect(await relay.socket.next('offer:withdrawn', (e) => e.offerId === relayOffer.id)).toEqual({
      offerId: relayOffer.id,
      reason: 'relay_unfilled',
    });
    expect(await c.next('request:update', (u) => u.state === 'accepted')).toEqual({
      requestId: created.requestId,
      state: 'accepted',
      interpreter: { firstName: 'Carmen' },
      interpreters: [{ firstName: 'Carmen', role: 'interpreter' }],
      sessionId,
      notice: 'relay_unfilled',
      // Her way back to the lead interpreter (issue 16).
      returnCode: expect.stringMatching(/^\d{6}$/),
    });
    expect(await t.sql(`SELECT role FROM session_interpreters WHERE session_id = $1`, [sessionId])).toEqual([{ role: 'interpreter' }]);
    const [r] = await t.sql(`SELECT relay_off, state FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    expect(r).toEqual({ relay_off: true, state: 'accepted' });
    expect(await free([relay])).toEqual([true]);
    // Audited as metadata: the chain planned, each leg's offer and acceptance, its end; nothing about her.
    await auditMoved(t);
    const events = await t.sql<{ type: string; data: Record<string, unknown> }>(
      `SELECT type, data FROM audit_events WHERE subject_id = $1 ORDER BY seq`,
      [created.requestId],
    );
    expect(events.map((e) => `${e.type}${e.data.leg ? `:${e.data.leg}` : ''}`)).toEqual([
      'request.created',
      'request.relayed',
      'offer.created:source',
      'offer.created:relay',
      'offer.accepted:source',
      'request.relay_unfilled',
    ]);
    expect(JSON.stringify(events)).not.toMatch(/caller/i);
    await inCall([c, source.socket], sessionId, closers);
  });

  it('a chain whose source leg is not filled in time releases its relay interpreter and rings the best single interpreter instead', async () => {
    // In Mexico the other side speaks Spanish: the chain goes through English.
    const { source, relay, c, created, sourceOffer, relayOffer } = await aChain('MX', ['Marta', 'Emma'], undefined, [
      ['mam:5', 'eng:5'],
      ['eng:5', 'spa:5'],
    ]);
    expect(await source.socket.next('offer:new', (e) => e.offerId === sourceOffer.id)).toMatchObject({
      leg: 'source',
      relayLanguageId: await languageId(t, 'eng'),
      targetLanguageId: await languageId(t, 'spa'),
    });
    await relay.socket.next('offer:new', (e) => e.offerId === relayOffer.id);
    expect(await relay.socket.call('offer:accept', { offerId: relayOffer.id })).toEqual({
      waiting: 'other_leg',
      until: expect.any(String),
    });
    await pastRelayWait(created.requestId);
    expect(await withdrawn(relay, relayOffer.id, 'the relay leg released')).toEqual({
      offerId: relayOffer.id,
      reason: 'relay_unfilled',
    });
    expect(await source.socket.next('offer:withdrawn', (e) => e.offerId === sourceOffer.id)).toEqual({
      offerId: sourceOffer.id,
      reason: 'relay_unfilled',
    });
    expect(await c.next('request:update', (u) => u.notice === 'relay_unfilled')).toMatchObject({
      requestId: created.requestId,
      notice: 'relay_unfilled',
    });
    // The best single interpreter (the Mam one) rings for the whole call; never a chain again for this request.
    const direct = await within(
      source.socket.next('offer:new', (e) => e.requestId === created.requestId && e.offerId !== sourceOffer.id),
      10_000,
      'the single interpreter rung',
    );
    expect(direct.leg).toBe('direct');
    expect(await free([relay])).toEqual([true]);
    const { sessionId } = await source.socket.call('offer:accept', { offerId: direct.offerId });
    expect(sessionId).toEqual(expect.any(String));
    expect(await t.sql(`SELECT role FROM session_interpreters WHERE session_id = $1`, [sessionId])).toEqual([{ role: 'interpreter' }]);
    expect(relay.socket.seen('offer:new').filter((o) => o.requestId === created.requestId)).toHaveLength(1);
  });

  it("an import that takes away what a leg is interpreted into withdraws that leg's offer; one that keeps it leaves hers ringing", async () => {
    const { source, relay, sourceOffer, relayOffer } = await aChain('PA', ['Sofía', 'Rut'], 'eng');
    const outcome = async (offerId: string) =>
      (await t.sql<{ outcome: string | null }>(`SELECT outcome FROM offers WHERE id = $1`, [offerId]))[0].outcome;
    // The source interpreter still covers Spanish, what her leg is interpreted into (French added): hers keeps ringing.
    expect(await reimport('PA', source, 'mam:5', 'spa:5;fra:3')).toMatchObject({ updated: 1, rejected: [] });
    expect(await outcome(sourceOffer.id)).toBeNull();
    // The relay interpreter no longer covers English (French instead), though she still interprets from Spanish.
    expect(await reimport('PA', relay, 'spa:5', 'fra:5')).toMatchObject({ updated: 1, rejected: [] });
    expect(await relay.socket.next('offer:withdrawn', (e) => e.offerId === relayOffer.id)).toEqual({
      offerId: relayOffer.id,
      reason: 'unavailable',
    });
    expect(await outcome(relayOffer.id)).toBe('withdrawn');
    expect(await outcome(sourceOffer.id)).toBeNull();
  });

  it('an import that takes away the language of a leg she accepted releases her, and the leg rings someone who speaks it', async () => {
    const { source, relay, created, sourceOffer, relayOffer } = await aChain('CR', ['Olga', 'Rita'], 'eng');
    await source.socket.next('offer:new', (e) => e.offerId === sourceOffer.id);
    expect(await source.socket.call('offer:accept', { offerId: sourceOffer.id })).toMatchObject({ waiting: 'other_leg' });
    const other = await person('CR', 'mam:5', 'spa:5', 'Marta');
    // Her roster no longer lists Mam: she cannot interpret the source leg she is waiting on.
    expect(await reimport('CR', source, 'quc:5', 'spa:5')).toMatchObject({ updated: 1, rejected: [] });
    expect(await withdrawn(source, sourceOffer.id, 'her release')).toEqual({
      offerId: sourceOffer.id,
      reason: 'unavailable',
    });
    const [released] = await t.sql(`SELECT outcome, holds, superseded_at IS NOT NULL AS superseded FROM offers WHERE id = $1`, [
      sourceOffer.id,
    ]);
    expect(released).toEqual({ outcome: 'accepted', holds: false, superseded: true });
    expect(await free([source])).toEqual([true]);
    const next = await within(
      other.socket.next('offer:new', (e) => e.requestId === created.requestId),
      10_000,
      'the source leg rung again',
    );
    expect(next.leg).toBe('source');
    // The relay leg rings on; the two acceptances open the call with the one who speaks Mam.
    expect(await other.socket.call('offer:accept', { offerId: next.offerId })).toMatchObject({ waiting: 'other_leg' });
    const { sessionId } = await relay.socket.call('offer:accept', { offerId: relayOffer.id });
    const seats = await t.sql<{ role: string; interpreter_id: string }>(
      `SELECT role, interpreter_id FROM session_interpreters WHERE session_id = $1 ORDER BY role`,
      [sessionId],
    );
    expect(seats).toEqual([
      { role: 'interpreter', interpreter_id: other.interpreterId },
      { role: 'relay_interpreter', interpreter_id: relay.interpreterId },
    ]);
  });
});
