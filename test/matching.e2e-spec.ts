import { getQueueToken } from '@nestjs/bull';
import type { Job, Queue } from 'bull';
import { COUNTRY_CODES } from '../src/common/countries';
import { MatchingProcessor } from '../src/matching/matching.processor';
import { MATCHING_QUEUE, MatchingService, OFFER_EXPIRE } from '../src/matching/matching.service';
import { PresenceService } from '../src/presence/presence.service';
import { auditMoved, caller, interpreter, languageId, Person, until } from './utils/matching-fixtures';
import { TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * Matching over real sockets, PostgreSQL, Redis and Bull, with short timers. Each test uses its own
 * language so that interpreters of one test never serve another's caller.
 */
describe('matching and dispatch', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const track = <T extends TestSocket | Person>(x: T): T => (sockets.push('interpreterId' in x ? x.socket : (x as TestSocket)), x);

  beforeAll(async () => {
    t = await startTestApp({
      media: false,
      OFFER_RING_SECONDS: '3',
      REQUEST_WAIT_LIMIT_SECONDS: '300',
      CALLER_GRACE_SECONDS: '1',
      INTERPRETER_GRACE_SECONDS: '1',
      MATCHING_SWEEP_SECONDS: '0.5',
      HOME_COUNTRY: 'GT',
    });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t.close();
  });

  const request = (c: TestSocket, languageId: string, extra: Record<string, unknown> = {}) =>
    c.call('request:create', { languageId, matter: 'legal_criminal', urgency: 'normal', minor: false, ...extra });

  it('offers a request to an interpreter who accepts: both sides learn the session id, nothing else about the caller', async () => {
    const lang = await languageId(t, 'mam');
    const ana = track(await interpreter(t, { languages: 'mam:5', firstName: 'Ana' }));
    const c = track(await caller(t));
    const created = await request(c, lang);
    expect(created).toEqual({ requestId: expect.any(String), state: 'offering' });
    const offer = await ana.socket.next('offer:new');
    expect(Object.keys(offer).sort()).toEqual([
      'expiresAt',
      'languageId',
      'leg',
      'matter',
      'minor',
      'offerId',
      'requestId',
      'targetLanguageId',
      'urgency',
    ]);
    const accepted = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    expect(accepted).toEqual({ sessionId: expect.any(String) });
    const update = await c.next('request:update', (u) => u.state === 'accepted');
    expect(update).toEqual({
      requestId: created.requestId,
      state: 'accepted',
      interpreter: { firstName: 'Ana' },
      interpreters: [{ firstName: 'Ana', role: 'interpreter' }],
      sessionId: accepted.sessionId,
      // Her way back to the lead interpreter (issue 16).
      returnCode: expect.stringMatching(/^\d{6}$/),
    });
    const [row] = await t.sql(`SELECT state, interpreter_id, tier FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    expect(row).toEqual({ state: 'accepted', interpreter_id: ana.interpreterId, tier: 1 });
    // Leaving completes the request, frees her, and forgets the caller's token subject.
    expect(await c.call('session:leave', { sessionId: accepted.sessionId })).toEqual({});
    await ana.socket.next('session:ended', (e) => e.sessionId === accepted.sessionId);
    const [done] = await t.sql(`SELECT state, caller_sub FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    expect(done).toEqual({ state: 'completed', caller_sub: null });
  });

  it('moves on to the next interpreter when one declines', async () => {
    const lang = await languageId(t, 'quc');
    const first = track(await interpreter(t, { languages: 'quc:5' }));
    const second = track(await interpreter(t, { languages: 'quc:5' }));
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    const [pending] = await until(
      () => t.sql(`SELECT interpreter_id FROM offers WHERE request_id = $1`, [requestId]),
      (r) => r.length === 1,
    );
    const who = pending.interpreter_id === first.interpreterId ? first : second;
    const other = who === first ? second : first;
    const offered = { who, o: await who.socket.next('offer:new', (o) => o.requestId === requestId) };
    expect(await offered.who.socket.call('offer:decline', { offerId: offered.o.offerId })).toEqual({});
    const next = await other.socket.next('offer:new', (o) => o.requestId === requestId);
    expect(next.offerId).not.toBe(offered.o.offerId);
    const again = await offered.who.socket.call('offer:accept', { offerId: offered.o.offerId });
    expect(again.error.code).toBe('CONFLICT');
  });

  it('climbs the ladder: own roster with the specialty first, then sharing rosters, never a roster that does not share', async () => {
    const lang = await languageId(t, 'kek');
    const notSharing = track(await interpreter(t, { country: 'BZ', languages: 'kek:5', specialties: 'legal_criminal' }));
    const noSpecialty = track(await interpreter(t, { country: 'GT', languages: 'kek:5', specialties: 'health' }));
    const sharing = track(await interpreter(t, { country: 'HN', languages: 'kek:5', specialties: 'legal_criminal' }));
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('HN', 'GT')`);
    const c = track(await caller(t));
    const { requestId } = await request(c, lang, { country: 'GT' });
    const first = await sharing.socket.next('offer:new', (o) => o.requestId === requestId);
    await sharing.socket.call('offer:decline', { offerId: first.offerId });
    const second = await noSpecialty.socket.next('offer:new', (o) => o.requestId === requestId);
    await noSpecialty.socket.call('offer:decline', { offerId: second.offerId });
    await c.next('request:update', (u) => u.requestId === requestId && u.state === 'queued');
    // (Later offers, if the test runs long, are second chances for the same two.)
    const tiers = (await t.sql(`SELECT interpreter_id, tier FROM offers WHERE request_id = $1 ORDER BY created_at`, [requestId])).slice(
      0,
      2,
    );
    expect(tiers).toEqual([
      { interpreter_id: sharing.interpreterId, tier: 2 },
      { interpreter_id: noSpecialty.interpreterId, tier: 3 },
    ]);
    expect(notSharing.socket.seen('offer:new').filter((o) => o.requestId === requestId)).toHaveLength(0);
  });

  it('falls back to a mutually intelligible variant only when no one covers the exact one (tier 4)', async () => {
    const exact = await languageId(t, 'ttc');
    const linked = await languageId(t, 'usp');
    await t.sql(
      `INSERT INTO language_links (from_language_id, to_language_id, source, created_by) VALUES ($1, $2, 'test', gen_random_uuid())`,
      [exact, linked],
    );
    const neighbour = track(await interpreter(t, { languages: 'usp:5' }));
    const c = track(await caller(t));
    const { requestId } = await request(c, exact);
    await neighbour.socket.next('offer:new', (o) => o.requestId === requestId);
    const [offer] = await t.sql(`SELECT tier FROM offers WHERE request_id = $1`, [requestId]);
    expect(offer.tier).toBe(4);
  });

  it('rings three at once for an emergency: the first acceptance wins, the others are withdrawn', async () => {
    const lang = await languageId(t, 'tzo');
    const team = [];
    for (let i = 0; i < 4; i++) team.push(track(await interpreter(t, { languages: 'tzo:4' })));
    const c = track(await caller(t));
    const { requestId } = await request(c, lang, { urgency: 'emergency' });
    const offers = await until(
      () => t.sql(`SELECT id, interpreter_id FROM offers WHERE request_id = $1`, [requestId]),
      (r) => r.length === 3,
    );
    const ringing = team.filter((p) => offers.some((o) => o.interpreter_id === p.interpreterId));
    const results = await Promise.all(
      ringing.map(async (p) =>
        p.socket.call('offer:accept', { offerId: (await p.socket.next('offer:new', (o) => o.requestId === requestId)).offerId }),
      ),
    );
    expect(results.filter((r) => r.sessionId)).toHaveLength(1);
    expect(results.filter((r) => r.error?.code === 'CONFLICT')).toHaveLength(2);
    const losers = ringing.filter((_, i) => !results[i].sessionId);
    for (const l of losers) await l.socket.next('offer:withdrawn', (w) => w.reason === 'taken');
    const [{ n }] = await t.sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1 AND outcome = 'accepted'`, [requestId]);
    expect(n).toBe(1);
  });

  it('rings out offers ending in one second with one shared job, and none of their own to remove when answered', async () => {
    const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
    // Nothing of this node's queue runs meanwhile (neither the job nor the sweep): the test runs the job's work itself.
    await queue.pause(true);
    try {
      const lang = await languageId(t, 'cab');
      const team = [];
      for (let i = 0; i < 3; i++) team.push(track(await interpreter(t, { languages: 'cab:4' })));
      const c = track(await caller(t));
      const { requestId } = await request(c, lang, { urgency: 'emergency' });
      // The whole second after each one's ring time (PostgreSQL's time has microseconds).
      const offers = await until(
        () =>
          t.sql<{ id: string; due: number }>(
            `SELECT id, floor(extract(epoch FROM expires_at))::int + 1 AS due FROM offers WHERE request_id = $1`,
            [requestId],
          ),
        (r) => r.length === 3,
      );
      // One job per second (rung in one statement, the three almost always share one), none of their own.
      const dues = [...new Set(offers.map((o) => o.due))];
      for (const due of dues) expect((await queue.getJob(`${OFFER_EXPIRE}:${due}`))?.data).toEqual({ due });
      for (const o of offers) expect(await queue.getJob(`${OFFER_EXPIRE}:${o.id}`)).toBeNull();
      // The jobs' work, before their ring time: the three expire.
      const processor = t.app.get(MatchingProcessor);
      for (const due of dues) await processor.expire({ data: { due } } as Job);
      const rows = await t.sql(`SELECT outcome, decided_at < expires_at AS early FROM offers WHERE request_id = $1`, [requestId]);
      expect(rows.filter((r) => r.outcome === 'expired' && r.early)).toHaveLength(3);
      // A payload that is no second does nothing (Redis is another process's input).
      await expect(processor.expire({ data: { due: 'soon' } } as unknown as Job)).resolves.toBeUndefined();
      await c.call('request:cancel', { requestId });
    } finally {
      await queue.resume(true);
    }
  });

  it('expires one offer by its own job, as a node of the previous release adds it during a rolling upgrade', async () => {
    const queue = t.app.get<Queue>(getQueueToken(MATCHING_QUEUE));
    const lang = await languageId(t, 'caa');
    const ana = track(await interpreter(t, { languages: 'caa:5' }));
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
    await queue.add(OFFER_EXPIRE, { offerId: offer.offerId }, { jobId: `${OFFER_EXPIRE}:${offer.offerId}` });
    await ana.socket.next('offer:withdrawn', (w) => w.offerId === offer.offerId && w.reason === 'expired');
    const [row] = await t.sql(`SELECT outcome, decided_at < expires_at AS early FROM offers WHERE id = $1`, [offer.offerId]);
    expect(row).toEqual({ outcome: 'expired', early: true });
    await c.call('request:cancel', { requestId });
  });

  it('serves the waiting line by urgency, then minors, then age, when an interpreter becomes available', async () => {
    const lang = await languageId(t, 'cak');
    const callers = [];
    for (const [urgency, minor] of [
      ['normal', false],
      ['normal', true],
      ['urgent', false],
    ] as const) {
      const c = track(await caller(t));
      callers.push({ c, res: await request(c, lang, { urgency, minor }) });
      expect(callers.at(-1)!.res.state).toBe('queued');
    }
    const positions = await callers[0].c.next('request:update', (u) => u.queuePosition === 3);
    expect(positions.state).toBe('queued');
    const late = track(await interpreter(t, { languages: 'cak:5', available: false }));
    await late.socket.call('presence:set', { status: 'available' });
    const offer = await late.socket.next('offer:new');
    expect(offer.requestId).toBe(callers[2].res.requestId);
    expect(offer.urgency).toBe('urgent');
  });

  it('expires an unanswered offer, tries the next, and sets away an interpreter who missed two in a row', async () => {
    const lang = await languageId(t, 'ixl');
    const sleepy = track(await interpreter(t, { languages: 'ixl:5' }));
    const c1 = track(await caller(t));
    const r1 = await request(c1, lang);
    await sleepy.socket.next('offer:withdrawn', (w) => w.reason === 'expired');
    await c1.call('request:cancel', { requestId: r1.requestId });
    const c2 = track(await caller(t));
    const r2 = await request(c2, lang);
    await sleepy.socket.next('offer:withdrawn', (w) => w.reason === 'expired' && w.offerId !== undefined);
    const away = await sleepy.socket.next('presence:update', (p) => p.status === 'away');
    expect(away.reason).toBe('missed_offers');
    const outcomes = await t.sql(`SELECT o.outcome FROM offers o WHERE o.interpreter_id = $1 ORDER BY created_at`, [sleepy.interpreterId]);
    expect(outcomes).toEqual([{ outcome: 'expired' }, { outcome: 'expired' }]);
    await c2.call('request:cancel', { requestId: r2.requestId });
  });

  it('withdraws a ringing offer when the interpreter disconnects, and offers the next', async () => {
    const lang = await languageId(t, 'poh');
    const leaving = track(await interpreter(t, { languages: 'poh:5', gender: 'female' }));
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    await leaving.socket.next('offer:new');
    const staying = track(await interpreter(t, { languages: 'poh:5', gender: 'male' }));
    leaving.socket.close();
    const offer = await staying.socket.next('offer:new', (o) => o.requestId === requestId);
    expect(offer.requestId).toBe(requestId);
    const [first] = await t.sql(`SELECT outcome FROM offers WHERE interpreter_id = $1`, [leaving.interpreterId]);
    expect(first.outcome).toBe('withdrawn');
    // Past her grace period she is offline.
    await until(
      () => t.app.get(PresenceService).status(leaving.interpreterId),
      (s) => s === 'offline',
    );
    expect(await staying.socket.call('offer:decline', { offerId: offer.offerId })).toEqual({});
  });

  it('ends a waiting request abandoned when the caller does not come back within the grace period', async () => {
    const lang = await languageId(t, 'acr');
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    c.close();
    const [row] = await until(
      () => t.sql(`SELECT state, caller_sub FROM interpretation_requests WHERE id = $1`, [requestId]),
      (r) => r[0].state !== 'queued',
    );
    expect(row).toEqual({ state: 'abandoned', caller_sub: null });
  });

  it('says what the other side speaks: where she is by default, or as asked; one who covers it rings before a better tier', async () => {
    const lang = await languageId(t, 'itz');
    const [eng, spa] = [await languageId(t, 'eng'), await languageId(t, 'spa')];
    // In her own roster: the Spanish one has the specialty (tier 1), the English one not (tier 3).
    const spanish = track(await interpreter(t, { country: 'US', languages: 'itz:5', relay: 'spa', specialties: 'legal_criminal' }));
    const english = track(await interpreter(t, { country: 'US', languages: 'itz:5', relay: 'eng:4', specialties: 'health' }));
    const c = track(await caller(t));
    const inUs = await request(c, lang, { country: 'US' });
    const offer = await english.socket.next('offer:new', (o) => o.requestId === inUs.requestId);
    expect(offer).toMatchObject({ languageId: lang, targetLanguageId: eng, leg: 'direct' });
    const [row] = await t.sql(`SELECT target_language_id FROM interpretation_requests WHERE id = $1`, [inUs.requestId]);
    expect(row.target_language_id).toBe(eng);
    expect(await c.call('request:cancel', { requestId: inUs.requestId })).toEqual({ state: 'cancelled' });
    // Asked for Spanish (a Spanish-speaking official beside her in the United States): the Spanish one rings.
    const asked = await request(c, lang, { country: 'US', targetLanguageId: spa });
    const second = await spanish.socket.next('offer:new', (o) => o.requestId === asked.requestId);
    expect(second.targetLanguageId).toBe(spa);
    expect(await c.call('request:cancel', { requestId: asked.requestId })).toEqual({ state: 'cancelled' });
    for (const [targetLanguageId, why] of [
      ['nope', 'not a UUID'],
      ['00000000-0000-4000-8000-000000000000', 'not in the catalogue'],
    ]) {
      const bad = await c.send('request:create', {
        languageId: lang,
        matter: 'violence',
        urgency: 'normal',
        minor: false,
        targetLanguageId,
      });
      expect({ why, code: bad.error.code, fields: bad.error.fields }).toEqual({ why, code: 'VALIDATION', fields: ['targetLanguageId'] });
    }
  });

  it('refuses bad payloads with VALIDATION naming the field, wrong roles with FORBIDDEN, and floods with RATE_LIMITED', async () => {
    const c = track(await caller(t));
    const bad = await c.send('request:create', { languageId: 'nope', matter: 'gossip', urgency: 'normal', minor: 'yes', extra: 1 });
    expect(bad.error.code).toBe('VALIDATION');
    expect(bad.error.fields).toEqual(expect.arrayContaining(['languageId', 'matter', 'minor', 'extra']));
    expect((await c.send('request:create', 'a string')).error.code).toBe('VALIDATION');
    expect((await c.send('request:create', null)).error.code).toBe('VALIDATION');
    expect((await c.call('presence:set', { status: 'available' })).error.code).toBe('FORBIDDEN');
    expect((await c.call('offer:accept', { offerId: '00000000-0000-4000-8000-000000000000' })).error.code).toBe('FORBIDDEN');
    const flood = await Promise.all(
      Array.from({ length: 60 }, () => c.call('request:cancel', { requestId: '00000000-0000-4000-8000-000000000000' })),
    );
    expect(flood.filter((r) => r.error?.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(flood.filter((r) => r.error?.code === 'NOT_FOUND').length).toBeGreaterThan(0);
    expect(c.socket.connected).toBe(true);
  });

  it('rate-limits events no gateway handles like any other, from the same budget', async () => {
    const c = track(await caller(t));
    // Unknown and known events interleaved in one burst, so the bucket cannot refill between them however
    // slowly the test machine runs (a separate round trip afterwards could take longer than one token's 100 ms).
    const known = { requestId: '00000000-0000-4000-8000-000000000000' };
    const flood = await Promise.all(
      Array.from({ length: 60 }, (_, i) => (i % 2 ? c.send('request:cancel', known) : c.send(`no:such-event-${i % 3}`, {}))),
    );
    const unknown = flood.filter((_, i) => i % 2 === 0);
    const cancels = flood.filter((_, i) => i % 2 === 1);
    expect(unknown.filter((r) => r.error?.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    expect(unknown.filter((r) => r.error?.code === 'NOT_FOUND').length).toBeGreaterThan(0);
    expect(unknown.every((r) => ['RATE_LIMITED', 'NOT_FOUND'].includes(r.error?.code))).toBe(true);
    // The same bucket: the known event is limited too.
    expect(cancels.filter((r) => r.error?.code === 'RATE_LIMITED').length).toBeGreaterThan(0);
    // Another connection is untouched.
    const other = track(await caller(t));
    expect((await other.send('no:such-event', {})).error.code).toBe('NOT_FOUND');
    expect(c.socket.connected).toBe(true);
  });

  /** The interpreter offered a fresh request first (the request is then cancelled). */
  const firstOffer = async (lang: string, extra: Record<string, unknown>) => {
    const c = track(await caller(t));
    const { requestId } = await request(c, lang, extra);
    const [o] = await until(
      () => t.sql(`SELECT interpreter_id FROM offers WHERE request_id = $1`, [requestId]),
      (r) => r.length === 1,
    );
    await c.call('request:cancel', { requestId });
    return o.interpreter_id;
  };

  it('orders within a tier: a woman when asked, then children-trained for a minor, then longest idle, then level; each rule over all later ones', async () => {
    const lang = await languageId(t, 'tzj');
    // The same level: only the rules tell them apart.
    const man = track(await interpreter(t, { languages: 'tzj:4', gender: 'male', specialties: 'legal_criminal;children' }));
    const woman = track(await interpreter(t, { languages: 'tzj:4', gender: 'female', specialties: 'legal_criminal' }));
    const idleLonger = async (longer: Person, shorter: Person) => {
      await t.sql(`UPDATE interpreters SET last_session_ended_at = now() - interval '2 hours' WHERE id = $1`, [longer.interpreterId]);
      await t.sql(`UPDATE interpreters SET last_session_ended_at = now() - interval '1 hour' WHERE id = $1`, [shorter.interpreterId]);
    };
    // A woman when asked, although the man has waited longer.
    await idleLonger(man, woman);
    expect(await firstOffer(lang, { preferFemale: true })).toBe(woman.interpreterId);
    // Children-trained for a minor, although the woman has waited longer.
    await idleLonger(woman, man);
    expect(await firstOffer(lang, { minor: true })).toBe(man.interpreterId);
    // Fairness: whoever has waited longest since her last call.
    expect(await firstOffer(lang, {})).toBe(woman.interpreterId);
    await idleLonger(man, woman);
    expect(await firstOffer(lang, {})).toBe(man.interpreterId);
    // Equal idle time: the higher level.
    await t.sql(`UPDATE interpreters SET last_session_ended_at = '2026-01-01' WHERE id = ANY($1)`, [
      [man.interpreterId, woman.interpreterId],
    ]);
    await t.sql(`UPDATE interpreter_languages SET level = 5 WHERE interpreter_id = $1`, [woman.interpreterId]);
    expect(await firstOffer(lang, {})).toBe(woman.interpreterId);
  });

  it('prefers tier 1 to tier 2, and tier 3 to tier 4, with both present and every other rule favouring the lower tier', async () => {
    const lang = await languageId(t, 'poc');
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('HN', 'GT') ON CONFLICT DO NOTHING`);
    // Tier 2 is trained for children (she is a minor), idle forever, at the top level; tier 1 is a man, just out of a
    // call, at level 2. (Asking for a woman is not a preference but a rule: test/matching-her-say.e2e-spec.ts.)
    const own = track(await interpreter(t, { country: 'GT', languages: 'poc:2', specialties: 'legal_criminal', gender: 'male' }));
    const shared = track(
      await interpreter(t, { country: 'HN', languages: 'poc:5', specialties: 'legal_criminal;children', gender: 'female' }),
    );
    await t.sql(`UPDATE interpreters SET last_session_ended_at = now() WHERE id = $1`, [own.interpreterId]);
    expect(await firstOffer(lang, { country: 'GT', minor: true })).toBe(own.interpreterId);
    // Tier 3 (the exact variant, without the training) over tier 4 (a mutually intelligible one, with it).
    const linked = await languageId(t, 'kjb');
    await t.sql(
      `INSERT INTO language_links (from_language_id, to_language_id, source, created_by) VALUES ($1, $2, 'test', gen_random_uuid())`,
      [lang, linked],
    );
    for (const p of [own, shared]) await p.socket.call('presence:set', { status: 'away' });
    const exact = track(await interpreter(t, { country: 'GT', languages: 'poc:1', specialties: 'health', gender: 'male' }));
    const neighbour = track(
      await interpreter(t, { country: 'GT', languages: 'kjb:5', specialties: 'legal_criminal;children', gender: 'female' }),
    );
    await t.sql(`UPDATE interpreters SET last_session_ended_at = now() WHERE id = $1`, [exact.interpreterId]);
    expect(await firstOffer(lang, { country: 'GT', minor: true })).toBe(exact.interpreterId);
    const [{ tier }] = await t.sql<{ tier: number }>(`SELECT tier FROM offers WHERE interpreter_id = $1`, [exact.interpreterId]);
    expect(tier).toBe(3);
    expect(neighbour.socket.seen('offer:new')).toEqual([]);
  });

  it('keeps an interpreter available when she reconnects within her grace period', async () => {
    const lang = await languageId(t, 'tzh');
    const flaky = track(await interpreter(t, { languages: 'tzh:5' }));
    flaky.socket.socket.disconnect();
    flaky.socket.socket.connect();
    await flaky.socket.next('presence:update', (p) => p.status === 'available');
    await new Promise((r) => setTimeout(r, 1500)); // longer than INTERPRETER_GRACE_SECONDS
    expect(await t.app.get(PresenceService).status(flaky.interpreterId)).toBe('available');
    const c = track(await caller(t));
    const { requestId } = await request(c, lang);
    expect((await flaky.socket.next('offer:new', (o) => o.requestId === requestId)).requestId).toBe(requestId);
  });

  it('keeps a request whose first dispatch failed, gives the caller its id, and dispatches it later', async () => {
    const lang = await languageId(t, 'chf');
    const ana = track(await interpreter(t, { languages: 'chf:5' }));
    // PostgreSQL refuses every new offer for a moment (after the request itself was stored).
    await t.sql(`CREATE FUNCTION refuse_offers() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no offers now'; END $$`);
    await t.sql(`CREATE TRIGGER refuse_offers BEFORE INSERT ON offers FOR EACH ROW EXECUTE FUNCTION refuse_offers()`);
    const c = track(await caller(t));
    let created: { requestId?: string; state?: string; error?: unknown };
    let stored: { state: string }[];
    try {
      created = await request(c, lang);
      // Read while offers are still refused: once they are allowed, the sweep may dispatch it at any moment.
      stored = await t.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    } finally {
      await t.sql(`DROP TRIGGER refuse_offers ON offers`);
      await t.sql(`DROP FUNCTION refuse_offers()`);
    }
    expect(created).toEqual({ requestId: expect.any(String), state: 'queued' });
    expect(stored.map((r) => r.state)).toEqual(['queued']);
    // The sweep dispatches it; she does not have to ask again (and could not: it is her live request).
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === created.requestId);
    expect(offer.requestId).toBe(created.requestId);
    expect((await request(c, lang)).error.code).toBe('CONFLICT');
  });

  it('audits every step with pseudonymous ids, language, matter, country and times, and nothing about the caller', async () => {
    const lang = await languageId(t, 'jac');
    const [first, second] = [track(await interpreter(t, { languages: 'jac:5' })), track(await interpreter(t, { languages: 'jac:5' }))];
    const c = track(await caller(t));
    const { requestId } = await request(c, lang, { country: 'GT', minor: true });
    const o1 = await until(
      () => t.sql<{ id: string; interpreter_id: string }>(`SELECT id, interpreter_id FROM offers WHERE request_id = $1`, [requestId]),
      (r) => r.length === 1,
    );
    const [declines, accepts] = o1[0].interpreter_id === first.interpreterId ? [first, second] : [second, first];
    await declines.socket.call('offer:decline', { offerId: o1[0].id });
    const o2 = await accepts.socket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await accepts.socket.call('offer:accept', { offerId: o2.offerId });
    await c.call('session:leave', { sessionId });
    await c.next('request:update', (u) => u.requestId === requestId && u.state === 'completed');
    await auditMoved(t);
    const events = await t.sql<{ type: string; country: string; actor_id: string | null; data: Record<string, unknown> }>(
      `SELECT type, country, actor_id, data FROM audit_events WHERE subject_id = ANY ($1::uuid[]) ORDER BY seq`,
      [[requestId, sessionId]],
    );
    const types = events.map((e) => e.type);
    // (The session's end is recorded in the request's own last event.)
    expect(types).toEqual(['request.created', 'offer.created', 'offer.declined', 'offer.created', 'offer.accepted', 'request.completed']);
    for (const e of events.filter((x) => x.type.startsWith('offer.') || x.type.startsWith('request.'))) {
      expect({ type: e.type, country: e.country, ...e.data }).toMatchObject({
        type: e.type,
        country: 'GT',
        languageId: lang,
        matter: 'legal_criminal',
        urgency: 'normal',
        minor: true,
      });
      expect(e.data.requestedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    }
    const offerEvents = events.filter((e) => e.type.startsWith('offer.'));
    expect(
      offerEvents.every(
        (e) => typeof e.data.offerId === 'string' && typeof e.data.interpreterId === 'string' && typeof e.data.tier === 'number',
      ),
    ).toBe(true);
    expect(events.find((e) => e.type === 'offer.accepted')?.actor_id).toBe(accepts.interpreterId);
    expect(events.find((e) => e.type === 'request.completed')?.data).toMatchObject({
      from: 'accepted',
      sessionId,
      acceptedAt: expect.any(String),
    });
    // Nothing that could find her: not her token, not its subject, not a socket id.
    const token = (c.socket.auth as { token: string }).token;
    const sub = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;
    const everything = JSON.stringify([await t.sql(`SELECT * FROM audit_events`), await t.sql(`SELECT * FROM matching_audit_outbox`)]);
    for (const secret of [token, sub, c.socket.id!, first.socket.socket.id!, second.socket.socket.id!])
      expect(everything).not.toContain(secret);
  });

  it('refuses a socket without a valid token', async () => {
    const { connect } = await import('./utils/socket-client');
    await expect(connect(t.url, 'forged')).rejects.toThrow(/invalid/);
  });

  describe('without a home roster (HOME_COUNTRY unset)', () => {
    let open: TestApp;
    beforeAll(async () => {
      open = await startTestApp({ media: false, OFFER_RING_SECONDS: '3', MATCHING_SWEEP_SECONDS: '0.5' });
    });
    afterAll(() => open.close());

    it('matches a caller who gives no country from the rosters that share with every member state, and only those', async () => {
      const lang = await languageId(open, 'mam');
      const others = (owner: string) => COUNTRY_CODES.filter((c) => c !== owner);
      for (const borrower of others('MX'))
        await open.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('MX', $1)`, [borrower]);
      // GT shares with every member state but one: which country's rules would apply to her is unknown.
      for (const borrower of others('GT').filter((c) => c !== 'US'))
        await open.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('GT', $1)`, [borrower]);
      const closed = track(await interpreter(open, { country: 'GT', languages: 'mam:5', specialties: 'legal_criminal' }));
      const shared = track(await interpreter(open, { country: 'MX', languages: 'mam:3', specialties: 'health' }));
      const c = track(await caller(open));
      const { requestId, state } = await request(c, lang);
      expect(state).toBe('offering');
      const offer = await shared.socket.next('offer:new', (o) => o.requestId === requestId);
      await shared.socket.call('offer:decline', { offerId: offer.offerId });
      await c.next('request:update', (u) => u.requestId === requestId && u.state === 'queued');
      const offers = await open.sql(`SELECT interpreter_id, tier FROM offers WHERE request_id = $1 ORDER BY created_at`, [requestId]);
      expect(offers[0]).toEqual({ interpreter_id: shared.interpreterId, tier: 3 });
      expect(offers.filter((o) => o.interpreter_id === closed.interpreterId)).toEqual([]);
      expect(closed.socket.seen('offer:new').filter((o) => o.requestId === requestId)).toHaveLength(0);
      // A caller who says where she is draws on her own roster as usual.
      const inGt = track(await caller(open));
      const own = await request(inGt, lang, { country: 'GT' });
      expect((await closed.socket.next('offer:new', (o) => o.requestId === own.requestId)).requestId).toBe(own.requestId);
    });
  });

  describe('the wait limit', () => {
    let short: TestApp;
    beforeAll(async () => {
      short = await startTestApp({
        media: false,
        REQUEST_WAIT_LIMIT_SECONDS: '5',
        MATCHING_SWEEP_SECONDS: '0.5',
        INTERPRETER_GRACE_SECONDS: '1',
        HOME_COUNTRY: 'GT',
      });
    });
    afterAll(() => short.close());

    it('ends a request nobody could take as unmatched, and tells the caller', async () => {
      const c = track(await caller(short));
      const { requestId, state } = await request(c, await languageId(short, 'mop'));
      expect(state).toBe('queued');
      expect((await c.next('request:update', (u) => u.state === 'unmatched')).requestId).toBe(requestId);
      const [row] = await short.sql(`SELECT state, caller_sub, ended_at IS NOT NULL AS ended FROM interpretation_requests WHERE id = $1`, [
        requestId,
      ]);
      expect(row).toEqual({ state: 'unmatched', caller_sub: null, ended: true });
      await auditMoved(short);
      const audit = await short.sql(`SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [requestId]);
      expect(audit.map((a) => a.type)).toEqual(['request.created', 'request.unmatched']);
    });

    it('gives a caller whose interpreter was lost mid-call a fresh wait, at the front of the line', async () => {
      const lang = await languageId(short, 'lac');
      const lost = track(await interpreter(short, { languages: 'lac:5' }));
      const c = track(await caller(short));
      const { requestId } = await request(c, lang);
      const offer = await lost.socket.next('offer:new', (o) => o.requestId === requestId);
      const { sessionId } = await lost.socket.call('offer:accept', { offerId: offer.offerId });
      // The call goes on for longer than the wait limit.
      await until(
        () =>
          short.sql<{ long: boolean }>(
            `SELECT now() - created_at > interval '6 seconds' AS long FROM interpretation_requests WHERE id = $1`,
            [requestId],
          ),
        (r) => r[0].long,
      );
      // Someone else asks, in an emergency, while the call goes on: nobody is free, she waits.
      const other = track(await caller(short));
      const emergency = await request(other, lang, { urgency: 'emergency' });
      expect(emergency.state).toBe('queued');
      // The interpreter vanishes past her grace period: the caller is back in line, with the same request.
      lost.socket.close();
      await c.next('session:ended', (e) => e.sessionId === sessionId && e.reason === 'interpreter_lost');
      await c.next('request:update', (u) => u.requestId === requestId && u.state === 'queued');
      // Neither the sweep nor the wait-limit job of her first time in line ends it: her wait starts again now.
      await short.app.get(MatchingProcessor).sweep();
      await short.app.get(MatchingService).timeoutRequest(requestId);
      const [row] = await short.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
      expect(row.state).toBe('queued');
      // She goes first, before the emergency that was waiting before her.
      const next = track(await interpreter(short, { languages: 'lac:5' }));
      const first = await next.socket.next('offer:new');
      expect(first.requestId).toBe(requestId);
      // The wait limit still holds, counted from her return to the line.
      await next.socket.call('offer:decline', { offerId: first.offerId });
      await c.next('request:update', (u) => u.requestId === requestId && u.state === 'unmatched');
      await auditMoved(short);
      const story = await short.sql<{ type: string }>(`SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [requestId]);
      expect(story.map((e) => e.type)).toEqual(expect.arrayContaining(['request.requeued', 'request.unmatched']));
    });
  });
});
