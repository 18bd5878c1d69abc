import { callParties, interpreter, languageId, until, within } from './utils/matching-fixtures';
import { startTestApp, type TestApp } from './utils/test-app';

/**
 * Issue 16, items 1 and 2: a woman interpreter as a rule when she asks for one (and her choice when none is free), "not
 * from my country", and "another interpreter" in the call.
 */
describe('her say in who interprets', () => {
  let t: TestApp;
  const { track, woman, ...tidy } = callParties(() => t);

  beforeAll(async () => {
    // No wrap-up: an interpreter replaced is free at once, so only the exclusion keeps her from the call.
    t = await startTestApp({ HOME_COUNTRY: 'GT', WRAPUP_SECONDS: '0', MATCHING_SWEEP_SECONDS: '0.5' });
  }, 120_000);
  afterAll(async () => {
    tidy.afterAll();
    await t?.close();
  });
  afterEach(tidy.afterEach);

  it('offers only women when she asks for a woman; with none free she is told, keeps waiting, and a woman who comes is offered', async () => {
    const ixl = await languageId(t, 'ixl');
    const man = track(await interpreter(t, { languages: 'ixl:5', gender: 'male' }));
    const her = await woman();
    const made = await her.call('request:create', {
      languageId: ixl,
      matter: 'violence',
      urgency: 'normal',
      minor: false,
      preferFemale: true,
    });
    expect(made.state).toBe('queued');
    expect(
      await within(
        her.next('request:update', (u) => !!u.noWomanFree),
        10_000,
        'told no woman is free',
      ),
    ).toMatchObject({
      requestId: made.requestId,
      state: 'queued',
      noWomanFree: true,
    });
    // The sweep dispatches it again and again: never to him.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await t.sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1`, [made.requestId])).toEqual([{ n: 0 }]);
    expect(man.socket.seen('offer:new')).toEqual([]);
    // She keeps waiting for a woman; one comes.
    const ana = track(await interpreter(t, { languages: 'ixl:5', gender: 'female' }));
    const offer = await within(
      ana.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'the woman offered',
    );
    expect(offer.matter).toBe('violence');
    expect(man.socket.seen('offer:new')).toEqual([]);
    await her.call('request:cancel', { requestId: made.requestId });
  });

  it('lets her take whoever is free first, once she chose it; only she can choose, and only for a request that asked for a woman', async () => {
    const agu = await languageId(t, 'agu');
    const man = track(await interpreter(t, { languages: 'agu:5', gender: 'male' }));
    const her = await woman();
    const made = await her.call('request:create', {
      languageId: agu,
      matter: 'legal_civil',
      urgency: 'normal',
      minor: false,
      preferFemale: true,
    });
    await within(
      her.next('request:update', (u) => !!u.noWomanFree),
      10_000,
      'told no woman is free',
    );

    const other = await woman();
    expect((await other.call('request:choose', { requestId: made.requestId, anyInterpreter: true })).error.code).toBe('NOT_FOUND');
    expect((await man.socket.call('request:choose', { requestId: made.requestId, anyInterpreter: true })).error.code).toBe('FORBIDDEN');
    const refused = await her.send('request:choose', { requestId: made.requestId, anyInterpreter: false });
    expect(refused.error).toEqual({ code: 'VALIDATION', message: expect.stringContaining('anyInterpreter'), fields: ['anyInterpreter'] });
    expect(man.socket.seen('offer:new')).toEqual([]);

    expect(await her.call('request:choose', { requestId: made.requestId, anyInterpreter: true })).toEqual({ state: 'offering' });
    const offer = await within(
      man.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'offered to him',
    );
    expect(offer.requestId).toBe(made.requestId);
    // Chosen already: nothing left to choose.
    expect((await her.call('request:choose', { requestId: made.requestId, anyInterpreter: true })).error.code).toBe('CONFLICT');
    await her.call('request:cancel', { requestId: made.requestId });

    // A request that did not ask for a woman has no such choice.
    const plain = await other.call('request:create', { languageId: agu, matter: 'legal_civil', urgency: 'normal', minor: false });
    expect((await other.call('request:choose', { requestId: plain.requestId, anyInterpreter: true })).error.code).toBe('CONFLICT');
    await other.call('request:cancel', { requestId: plain.requestId });
  });

  it('"not from my country": nobody from a roster of the countries where her language is spoken', async () => {
    const mam = await languageId(t, 'mam');
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('US', 'MX') ON CONFLICT DO NOTHING`);
    // Mam is spoken in Guatemala and Mexico: the Mexican roster's interpreter (her own roster, tier 1) is left out.
    const mx = track(await interpreter(t, { country: 'MX', languages: 'mam:5' }));
    const us = track(await interpreter(t, { country: 'US', languages: 'mam:5' }));
    const her = await woman();
    const made = await her.call('request:create', {
      languageId: mam,
      matter: 'violence',
      urgency: 'normal',
      minor: false,
      country: 'MX',
      notFromCountry: true,
    });
    const offer = await within(
      us.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'the US interpreter',
    );
    await us.socket.call('offer:decline', { offerId: offer.offerId });
    await new Promise((r) => setTimeout(r, 1000));
    expect(mx.socket.seen('offer:new').filter((o) => o.requestId === made.requestId)).toEqual([]);
    expect(await t.sql(`SELECT DISTINCT interpreter_id FROM offers WHERE request_id = $1`, [made.requestId])).toEqual([
      { interpreter_id: us.interpreterId },
    ]);
    await her.call('request:cancel', { requestId: made.requestId });
    expect(
      (await her.send('request:create', { languageId: mam, matter: 'violence', urgency: 'normal', minor: false, notFromCountry: 'yes' }))
        .error,
    ).toEqual({ code: 'VALIDATION', message: expect.any(String), fields: ['notFromCountry'] });
  });

  it('another interpreter: the call ends for her (told only that), the woman is back at the front of the line, and never offered to her again', async () => {
    const kek = await languageId(t, 'kek');
    const first = track(await interpreter(t, { languages: 'kek:5' }));
    const her = await woman();
    const made = await her.call('request:create', { languageId: kek, matter: 'violence', urgency: 'normal', minor: false });
    const offer = await within(first.socket.next('offer:new'), 10_000, 'the first offer');
    const { sessionId } = await first.socket.call('offer:accept', { offerId: offer.offerId });
    // Only she may ask: not the interpreter, not another woman, not for a call that is not hers.
    expect((await first.socket.call('session:another', { sessionId: sessionId! })).error.code).toBe('FORBIDDEN');
    const other = await woman();
    expect((await other.call('session:another', { sessionId: sessionId! })).error.code).toBe('NOT_FOUND');

    // Someone else waits ahead of nobody: she goes back to the front, ahead of a newer request.
    const later = await other.call('request:create', { languageId: kek, matter: 'violence', urgency: 'normal', minor: false });
    expect(await her.call('session:another', { sessionId: sessionId! })).toEqual({ requestId: made.requestId, state: 'queued' });
    expect(await first.socket.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({
      sessionId,
      reason: 'another_interpreter',
    });
    expect(await her.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'another_interpreter' });
    // She is free and available: the newer request rings for her, never the one that asked for someone else.
    const next = await within(
      first.socket.next('offer:new', (o) => o.requestId !== made.requestId),
      10_000,
      'the other request',
    );
    expect(next.requestId).toBe(later.requestId);
    await first.socket.call('offer:decline', { offerId: next.offerId });
    const second = track(await interpreter(t, { languages: 'kek:5' }));
    const hers = await within(
      second.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'another interpreter',
    );
    expect(hers.requestId).toBe(made.requestId);
    // Back at the front: the newer request waits too, yet hers is the one offered to the next interpreter.
    expect(second.socket.seen('offer:new').map((o) => o.requestId)).toEqual([made.requestId]);
    await expect(t.sql(`SELECT state FROM interpretation_requests WHERE id = $1`, [later.requestId])).resolves.toEqual([
      { state: 'queued' },
    ]);
    expect(first.socket.seen('offer:new').filter((o) => o.requestId === made.requestId)).toHaveLength(1);
    // Counted, never with a reason: the event of the requeue says which kind, nothing else of hers.
    const [ev] = await until(
      () =>
        t.sql<{ data: Record<string, unknown> }>(
          `SELECT data FROM matching_audit_outbox WHERE subject_id = $1 AND type = 'request.requeued'
         UNION ALL SELECT data FROM audit_events WHERE subject_id = $1 AND type = 'request.requeued'`,
          [made.requestId],
        ),
      (r) => r.length > 0,
    );
    expect(ev.data.reason).toBe('another_interpreter');
    await other.call('request:cancel', { requestId: later.requestId });
    await her.call('request:cancel', { requestId: made.requestId });
  });
});
