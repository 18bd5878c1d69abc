import { callParties, interpreter, languageId, until, type Person } from './utils/matching-fixtures';
import { createStaff, startTestApp, type TestApp } from './utils/test-app';
import type { TestSocket } from './utils/socket-client';

/**
 * Issue 16, item 5: after the call, the woman's one answer (three faces, skippable) and the interpreter's wrap-up ticks,
 * kept as metadata of the session and counted in the statistics with the same suppression as the rest.
 */
describe('after the call', () => {
  let t: TestApp;
  // Each test's interpreter goes away after it: a later test's calls would ring her for OFFER_RING_SECONDS.
  const parties = callParties(() => t);

  beforeAll(async () => {
    t = await startTestApp({ HOME_COUNTRY: 'GT', WRAPUP_SECONDS: '0' });
  }, 120_000);
  afterEach(() => parties.afterEach());
  afterAll(async () => {
    parties.afterAll();
    await t?.close();
  });

  /** A woman's request in K'iche' and the offer of it to `ana`, accepted. */
  async function anAcceptedCall(ana: Person) {
    const her = await parties.woman();
    const made = await aRequest(her);
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === made.requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    return { her, requestId: made.requestId, sessionId: sessionId! };
  }
  /** Her request in K'iche' (`say`: what else she asked for). */
  const aRequest = async (her: TestSocket, say: { notFromCountry?: boolean } = {}) =>
    her.call('request:create', { languageId: await languageId(t, 'quc'), matter: 'violence', urgency: 'normal', minor: false, ...say });

  /** A call between a woman and an interpreter that took place (both joined), ended by the woman. */
  async function aCall(ana: Person) {
    const { her, sessionId } = await anAcceptedCall(ana);
    for (const s of [her, ana.socket]) expect((await s.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
    await until(async () => (await t.sql(`SELECT 1 FROM sessions WHERE id = $1 AND started_at IS NOT NULL`, [sessionId])).length === 1);
    expect(await her.call('session:leave', { sessionId })).toEqual({});
    await her.next('session:ended', (e) => e.sessionId === sessionId);
    return { her, sessionId };
  }

  it('takes her one answer, once, from her only; and the interpreter’s ticks, from the call’s interpreters only, never text', async () => {
    const ana = parties.track(await interpreter(t, { languages: 'quc:5' }));
    const { her, sessionId } = await aCall(ana);

    const stranger = await parties.woman();
    expect((await stranger.call('session:feedback', { sessionId, answer: 'not_helped' })).error.code).toBe('NOT_FOUND');
    expect((await ana.socket.call('session:feedback', { sessionId, answer: 'helped' })).error.code).toBe('FORBIDDEN');
    expect((await her.send('session:feedback', { sessionId, answer: 'great' })).error).toEqual({
      code: 'VALIDATION',
      message: expect.any(String),
      fields: ['answer'],
    });
    expect(await her.call('session:feedback', { sessionId, answer: 'helped' })).toEqual({});
    expect((await her.call('session:feedback', { sessionId, answer: 'not_helped' })).error.code).toBe('NOT_FOUND');

    const other = parties.track(await interpreter(t, { languages: 'quc:5', available: false }));
    const ticks = { sessionId, referredTo: ['shelter', 'legal_aid'] as const, signs: ['controlled'] as const };
    expect(
      (await other.socket.call('session:wrapup', { ...ticks, referredTo: [...ticks.referredTo], signs: [...ticks.signs] })).error.code,
    ).toBe('NOT_FOUND');
    expect((await her.call('session:wrapup', { ...ticks, referredTo: [...ticks.referredTo], signs: [...ticks.signs] })).error.code).toBe(
      'FORBIDDEN',
    );
    expect((await ana.socket.send('session:wrapup', { sessionId, referredTo: ['hospital'], signs: [] })).error.fields).toEqual([
      'referredTo',
    ]);
    expect(
      (await ana.socket.send('session:wrapup', { sessionId, referredTo: [], signs: [], note: 'her husband was there' })).error.fields,
    ).toEqual(['note']);
    expect(await ana.socket.call('session:wrapup', { ...ticks, referredTo: [...ticks.referredTo], signs: [...ticks.signs] })).toEqual({});
    expect(await t.sql(`SELECT feedback, referred_to, signs FROM sessions WHERE id = $1`, [sessionId])).toEqual([
      { feedback: 'helped', referred_to: ['shelter', 'legal_aid'], signs: ['controlled'] },
    ]);
  });

  it('counts the answers and ticks in the statistics, suppressed under 5 and rounded to 5 like every count', async () => {
    const ana = parties.track(await interpreter(t, { languages: 'quc:5' }));
    const admin = await createStaff(t, 'platform_admin');
    const totals = async () =>
      (await t.http().get('/api/v1/stats?groupBy=total&period=whole&country=GT').set('authorization', `Bearer ${admin.token}`).expect(200))
        .body.rows[0];
    const stats = async () => (await totals()).afterCall;
    // One call so far (the case above): too few to show.
    expect(await stats()).toMatchObject({ feedbackHelped: null, referredShelter: null, signControlled: null, anotherInterpreter: 0 });
    for (let i = 0; i < 5; i++) {
      const { her, sessionId } = await aCall(ana);
      expect(await her.call('session:feedback', { sessionId, answer: 'helped' })).toEqual({});
      expect(await ana.socket.call('session:wrapup', { sessionId, referredTo: ['shelter'], signs: [] })).toEqual({});
    }
    // Six helped, six referred to a shelter: shown as 5 (rounded); one sign of control: hidden.
    expect(await stats()).toMatchObject({
      feedbackHelped: 5,
      feedbackUnsure: 0,
      referredShelter: 5,
      referredLegalAid: null,
      signControlled: null,
      signQuickExit: 0,
      anotherInterpreter: 0,
    });
    // Five calls where she asked for another interpreter: counted (never with a reason, which nobody gives).
    for (let i = 0; i < 5; i++) {
      const { her, requestId, sessionId } = await anAcceptedCall(ana);
      expect(await her.call('session:another', { sessionId })).toEqual({ requestId, state: 'queued' });
      await ana.socket.next('session:ended', (e) => e.sessionId === sessionId);
      expect(await her.call('request:cancel', { requestId })).toEqual(expect.objectContaining({ state: 'cancelled' }));
    }
    expect(await stats()).toMatchObject({ feedbackHelped: 5, anotherInterpreter: 5 });
    // Her say before the call is counted too: five asked for an interpreter not from their country.
    expect((await totals()).notFromCountry).toBe(0);
    for (let i = 0; i < 5; i++) {
      const her = await parties.woman();
      const made = await aRequest(her, { notFromCountry: true });
      await her.call('request:cancel', { requestId: made.requestId });
    }
    expect((await totals()).notFromCountry).toBe(5);
  });
});
