import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../src/config/config.schema';
import { ReturnCodesService, RETURN_CODE_TRIES_PER_HOUR } from '../src/return-codes/return-codes.service';
import { callParties, interpreter, languageId, until, within, type Person } from './utils/matching-fixtures';
import type { TestSocket } from './utils/socket-client';
import { startTestApp, type TestApp } from './utils/test-app';

/**
 * Issue 16, item 4: her way back. When an interpreter takes her call she gets six digits; within 24 hours, once, they
 * ring the same interpreter first. Only a keyed hash is kept, with the interpreter.
 */
describe('return codes', () => {
  let t: TestApp;
  const { track, woman, ...tidy } = callParties(() => t);
  const ask = (languageId: string, returnCode?: string) => ({
    languageId,
    matter: 'violence' as const,
    urgency: 'normal' as const,
    minor: false,
    ...(returnCode !== undefined && { returnCode }),
  });

  /** A call taken by `by`: the woman's socket, her request, the session and the code she was given. */
  async function takenCall(her: TestSocket, by: Person, lang: string) {
    const made = await her.call('request:create', ask(lang));
    const offer = await within(
      by.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'the offer',
    );
    const { sessionId } = await by.socket.call('offer:accept', { offerId: offer.offerId });
    const update = await within(
      her.next('request:update', (u) => u.requestId === made.requestId && u.state === 'accepted'),
      10_000,
      'told who interprets',
    );
    return { requestId: made.requestId, sessionId: sessionId!, code: update.returnCode! };
  }

  beforeAll(async () => {
    // No wrap-up: the interpreter is free again at once. A dropped caller's grace period of one second.
    t = await startTestApp({ HOME_COUNTRY: 'GT', WRAPUP_SECONDS: '0', CALLER_GRACE_SECONDS: '1', MATCHING_SWEEP_SECONDS: '0.5' });
  }, 120_000);
  afterAll(async () => {
    tidy.afterAll();
    await t?.close();
  });
  afterEach(tidy.afterEach);

  it('after a dropped call, her code rings the same interpreter first (told it is a return), once; only its hash is kept', async () => {
    const ixl = await languageId(t, 'ixl');
    const ana = track(await interpreter(t, { languages: 'ixl:5', firstName: 'Ana' }));
    const first = await woman();
    const call = await takenCall(first, ana, ixl);
    expect(call.code).toMatch(/^\d{6}$/);

    // Kept: a keyed hash, the interpreter, the request, 24 hours; never the digits.
    const [kept] = await t.sql<{ code_hash: string; interpreter_id: string; hours: number }>(
      `SELECT code_hash, interpreter_id, round(extract(epoch FROM expires_at - now()) / 3600)::int AS hours FROM return_codes WHERE request_id = $1`,
      [call.requestId],
    );
    expect(kept).toEqual({ code_hash: expect.stringMatching(/^[0-9a-f]{64}$/), interpreter_id: ana.interpreterId, hours: 24 });
    expect(kept.code_hash).not.toContain(call.code);

    // Her network drops for longer than her grace period: her request ends.
    first.close();
    await until(
      () => t.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = $1`, [call.requestId]),
      (r) => r[0]?.state === 'abandoned',
    );
    // Someone who never had a call is free too: by the ladder (the one idle longest) she would ring first.
    const bea = track(await interpreter(t, { languages: 'ixl:5', firstName: 'Bea' }));

    const back = await woman();
    const made = await back.call('request:create', ask(ixl, call.code));
    expect(made.state).toBe('offering');
    const offer = await within(
      ana.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'the same interpreter rung',
    );
    expect(offer).toMatchObject({ requestId: made.requestId, matter: 'violence', returning: true });
    expect(bea.socket.seen('offer:new')).toEqual([]);
    // Used: gone.
    expect(await t.sql(`SELECT 1 FROM return_codes WHERE request_id = $1`, [call.requestId])).toEqual([]);

    // She declines (busy, or not now): the ladder goes on as usual, and the next is not told it is a return.
    await ana.socket.call('offer:decline', { offerId: offer.offerId });
    const next = await within(
      bea.socket.next('offer:new', (o) => o.requestId === made.requestId),
      10_000,
      'then the ladder',
    );
    expect(next.returning).toBeUndefined();
    await back.call('request:cancel', { requestId: made.requestId });

    // Used twice: refused, naming the field, and nothing is made.
    const again = await woman();
    const before = await t.sql(`SELECT count(*)::int AS n FROM interpretation_requests`);
    expect((await again.send('request:create', ask(ixl, call.code))).error).toEqual({
      code: 'VALIDATION',
      message: expect.stringContaining('returnCode'),
      fields: ['returnCode'],
    });
    expect(await t.sql(`SELECT count(*)::int AS n FROM interpretation_requests`)).toEqual(before);
  });

  it('refuses a code after its 24 hours, and the purge removes it', async () => {
    const kek = await languageId(t, 'kek');
    const ana = track(await interpreter(t, { languages: 'kek:5' }));
    const her = await woman();
    const call = await takenCall(her, ana, kek);
    await her.call('session:leave', { sessionId: call.sessionId });
    // A day later (the clock moved on by the row: the code's own expiry, as 24 hours would leave it).
    await t.sql(`UPDATE return_codes SET expires_at = now() - interval '1 second' WHERE request_id = $1`, [call.requestId]);
    const later = await woman();
    expect((await later.send('request:create', ask(kek, call.code))).error).toMatchObject({ code: 'VALIDATION', fields: ['returnCode'] });
    expect(await t.app.get(ReturnCodesService).purgeExpired()).toBeGreaterThanOrEqual(1);
    expect(await t.sql(`SELECT 1 FROM return_codes WHERE request_id = $1`, [call.requestId])).toEqual([]);
  });

  it('"another interpreter" voids the replaced interpreter\'s code; the next interpreter gives her a new one', async () => {
    const agu = await languageId(t, 'agu');
    const ana = track(await interpreter(t, { languages: 'agu:5' }));
    const her = await woman();
    const call = await takenCall(her, ana, agu);
    expect(await her.call('session:another', { sessionId: call.sessionId })).toMatchObject({ requestId: call.requestId });
    expect(await t.sql(`SELECT 1 FROM return_codes WHERE request_id = $1`, [call.requestId])).toEqual([]);

    const bea = track(await interpreter(t, { languages: 'agu:5' }));
    const offer = await within(
      bea.socket.next('offer:new', (o) => o.requestId === call.requestId),
      10_000,
      'the next interpreter',
    );
    await bea.socket.call('offer:accept', { offerId: offer.offerId });
    const update = await within(
      her.next(
        'request:update',
        (u) => u.requestId === call.requestId && u.state === 'accepted' && !!u.returnCode && u.returnCode !== call.code,
      ),
      10_000,
      'a new code',
    );
    expect(await t.sql(`SELECT interpreter_id FROM return_codes WHERE request_id = $1`, [call.requestId])).toEqual([
      { interpreter_id: bea.interpreterId },
    ]);
    // The old code rings nobody.
    const other = await woman();
    expect((await other.send('request:create', ask(agu, call.code))).error).toMatchObject({ fields: ['returnCode'] });
    expect(update.returnCode).toMatch(/^\d{6}$/);
    await her.call('request:cancel', { requestId: call.requestId });
  });

  it('refuses what is not six digits, naming the field; an interpreter cannot use one', async () => {
    const mam = await languageId(t, 'mam');
    const her = await woman();
    for (const bad of ['12345', '1234567', 'abcdef', 123456, '12 456', '１２３４５６']) {
      expect((await her.send('request:create', { ...ask(mam), returnCode: bad })).error).toEqual({
        code: 'VALIDATION',
        message: expect.stringContaining('returnCode'),
        fields: ['returnCode'],
      });
    }
    const ana = track(await interpreter(t, { languages: 'mam:5' }));
    expect((await ana.socket.send('request:create', ask(mam, '123456'))).error.code).toBe('FORBIDDEN');
  });

  it("puts a return first among equals in her interpreter's line while she is busy: when free, she is offered it first", async () => {
    const quc = await languageId(t, 'quc');
    const ana = track(await interpreter(t, { languages: 'quc:5', firstName: 'Ana' }));
    const earlier = await woman();
    const first = await takenCall(earlier, ana, quc);
    await earlier.call('session:leave', { sessionId: first.sessionId });
    // Ana takes someone else's call: whoever asks now waits.
    const busy = await takenCall(await woman(), ana, quc);
    const plain = await woman();
    const waiting = await plain.call('request:create', ask(quc));
    await within(
      plain.next('request:update', (u) => u.requestId === waiting.requestId && u.queuePosition === 1),
      10_000,
      'first in line',
    );
    // She comes back with her code after the other woman began to wait (both wait for Ana, the only one of quc).
    const back = await woman();
    const returning = await back.call('request:create', ask(quc, first.code));
    expect(returning.state).toBe('queued');
    // Ana is free again: of the two, she is offered the return first (matching_line_of), told it is one.
    await ana.socket.call('session:leave', { sessionId: busy.sessionId });
    const offer = await within(
      ana.socket.next('offer:new', (o) => o.requestId !== busy.requestId && o.requestId !== first.requestId),
      10_000,
      'the next offer',
    );
    expect(offer).toMatchObject({ requestId: returning.requestId, returning: true });
    await back.call('request:cancel', { requestId: returning.requestId });
    await plain.call('request:cancel', { requestId: waiting.requestId });
  });

  it('refuses every code while Redis cannot count the tries (an outage never lets a guesser through)', async () => {
    // A real client of an address where no Redis answers: the count cannot be kept.
    const dead = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const codes = new ReturnCodesService(t.app.get(DataSource), dead, t.app.get(AppConfig));
    await expect(codes.tried('203.0.113.7')).rejects.toMatchObject({ status: 429 });
    dead.disconnect();
    // With Redis, the same address may try.
    await expect(t.app.get(ReturnCodesService).tried('203.0.113.7')).resolves.toBeUndefined();
  });

  // Last: it spends this address's budget of wrong codes.
  it('stops a guesser: after ten codes tried in an hour from one address, even a right one is refused from there', async () => {
    const mam = await languageId(t, 'mam');
    const ana = track(await interpreter(t, { languages: 'mam:5' }));
    const her = await woman();
    const call = await takenCall(her, ana, mam);
    await her.call('session:leave', { sessionId: call.sessionId });
    const guesser = await woman();
    const wrong = call.code === '000000' ? '000001' : '000000';
    // (The tests before spent a few of this address's ten.)
    let tried = 0;
    for (;;) {
      const { error } = await guesser.send('request:create', ask(mam, wrong));
      if (error.code === 'RATE_LIMITED') break;
      expect(error).toMatchObject({ code: 'VALIDATION', fields: ['returnCode'] });
      expect(++tried).toBeLessThanOrEqual(RETURN_CODE_TRIES_PER_HOUR);
    }
    expect((await guesser.send('request:create', ask(mam, call.code))).error.code).toBe('RATE_LIMITED');
    // Not spent by the refusals: her code still works (from another address, or within the hour's end).
    expect(await t.sql(`SELECT 1 AS kept FROM return_codes WHERE request_id = $1`, [call.requestId])).toEqual([{ kept: 1 }]);
    // Without a code she is served as anyone.
    const plain = await guesser.call('request:create', ask(mam));
    expect(plain.requestId).toEqual(expect.any(String));
    await guesser.call('request:cancel', { requestId: plain.requestId });
  });
});
