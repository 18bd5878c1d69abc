import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { generateVAPIDKeys } from 'web-push';
import { PUSH_QUEUE } from '../src/push/push.service';
import { RealtimeService, rooms } from '../src/realtime/realtime.service';
import { MatchingService } from '../src/matching/matching.service';
import { PresenceService } from '../src/presence/presence.service';
import { connect } from './utils/socket-client';
import { caller, interpreter, languageId, Person, until } from './utils/matching-fixtures';
import { startPushService, type TestDevice } from './utils/push-service';
import { createStaff, startTestApp, TestApp } from './utils/test-app';
import type { TestSocket } from './utils/socket-client';

/**
 * Offers by Web Push (issue 15, item 1), end to end without the internet: a push service on loopback checks each
 * push's VAPID JWT and decrypts it with the device's keys. Real PostgreSQL, Redis and Bull; each test in its own
 * country, so that one test's interpreters are never another's candidates.
 */
describe('offers by push', () => {
  const vapid = generateVAPIDKeys();
  let push: Awaited<ReturnType<typeof startPushService>>;
  let t: TestApp;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    push = await startPushService(vapid.publicKey);
    t = await startTestApp({
      media: false,
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:operator@puente.example',
      WEB_PUSH_ALLOWED_ORIGINS: `${push.origin},https://fcm.googleapis.com`,
      OFFER_SEEN_SECONDS: '1',
      OFFER_RING_SECONDS: '10',
      OFFER_RING_ONCALL_SECONDS: '30',
    });
  });
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(async () => {
    await t.close();
    await push.close();
  });

  const subscribe = (token: string, body: unknown) =>
    t
      .http()
      .post('/api/v1/interpreters/me/push-subscriptions')
      .set('authorization', `Bearer ${token}`)
      .send(body as object);
  const person = async (country: string, firstName = 'Ana') => {
    const p = await interpreter(t, { country, firstName });
    closers.push(() => p.socket.close());
    return p;
  };
  const subscribed = async (country: string): Promise<Person & { device: TestDevice }> => {
    const p = await person(country);
    const device = push.device();
    await subscribe(p.token, device.subscription).expect(201);
    return { ...p, device };
  };
  const ask = async (country: string, urgency = 'normal'): Promise<{ c: TestSocket; requestId: string }> => {
    const c = await caller(t);
    closers.push(() => c.close());
    const created = await c.call('request:create', {
      languageId: await languageId(t, 'mam'),
      matter: 'violence',
      urgency,
      minor: true,
      country,
    } as never);
    return { c, requestId: created.requestId };
  };
  const pushesTo = (device: TestDevice, n: number) => push.pushesTo(device, n);
  /** The offer-unseen job of this offer has run (Bull removes a completed job). */
  const unseenCheckDone = (offerId: string) =>
    until(async () => (await t.app.get<Queue>(getQueueToken(PUSH_QUEUE)).getJob(`offer-unseen:${offerId}`)) === null);

  it('publishes the VAPID public key to anyone', async () => {
    const res = await t.http().get('/api/v1/push/public-key').expect(200);
    expect(res.body).toEqual({ publicKey: vapid.publicKey });
  });

  it('pushes an offer her console did not show, encrypted and signed, then its withdrawal', async () => {
    const ana = await subscribed('GT');
    const { c, requestId } = await ask('GT', 'emergency');
    const offer = await ana.socket.next('offer:new');
    // Her console is frozen: it never says offer:seen.
    const [pushed] = await pushesTo(ana.device, 1);
    expect(pushed.claims).toMatchObject({ aud: push.origin, sub: 'mailto:operator@puente.example' });
    // The language, the matter and the urgency: nothing about the caller, not even that she is a minor.
    expect(pushed.message).toEqual({
      type: 'offer:new',
      offerId: offer.offerId,
      languageId: offer.languageId,
      matter: 'violence',
      urgency: 'emergency',
      expiresAt: offer.expiresAt,
    });
    expect(JSON.stringify(pushed.message)).not.toContain(requestId);
    expect(pushed.headers.urgency).toBe('high');
    expect(Number(pushed.headers.ttl)).toBeLessThanOrEqual(20);
    expect(pushed.headers.topic).toBe(offer.offerId.replace(/-/g, ''));

    await c.call('request:cancel', { requestId });
    const [, withdrawn] = await pushesTo(ana.device, 2);
    expect(withdrawn.message).toEqual({ type: 'offer:withdrawn', offerId: offer.offerId });
    expect(withdrawn.headers.topic).toBe(pushed.headers.topic);
    expect(push.refused).toEqual([]);
  });

  it('rings the next candidate at once beside an emergency offer her console did not show, not beside a normal one', async () => {
    const people = [await subscribed('GT'), await subscribed('GT'), await subscribed('GT'), await subscribed('GT')];
    const { c, requestId } = await ask('GT', 'emergency');
    const pending = () =>
      t.sql<{ interpreter_id: string; unseen: boolean }>(
        `SELECT interpreter_id, unseen FROM offers WHERE request_id = $1 AND outcome IS NULL`,
        [requestId],
      );
    // Three ring at once; none of their consoles shows the offer, so each is pushed and the fourth rings beside them.
    const all = await until(pending, (o) => o.length === 4);
    expect(new Set(all.map((o) => o.interpreter_id))).toEqual(new Set(people.map((p) => p.interpreterId)));
    expect(all.filter((o) => o.unseen).length).toBeGreaterThanOrEqual(1);

    const [first, second] = [await subscribed('SV'), await subscribed('SV')];
    const normal = await ask('SV');
    const [offer] = await until(
      () => t.sql<{ id: string; unseen: boolean }>(`SELECT id, unseen FROM offers WHERE request_id = $1`, [normal.requestId]),
      (o) => o.length === 1 && o[0].unseen,
    );
    expect(offer.unseen).toBe(true);
    const rung = await t.sql(`SELECT interpreter_id FROM offers WHERE request_id = $1`, [normal.requestId]);
    expect(rung).toHaveLength(1);
    expect([first.interpreterId, second.interpreterId]).toContain((rung[0] as { interpreter_id: string }).interpreter_id);
    // Both end here, so that no later test's interpreter is offered them.
    await c.call('request:cancel', { requestId });
    await normal.c.call('request:cancel', { requestId: normal.requestId });
  });

  it('does not push an offer her console showed, and nobody else can mark hers as shown', async () => {
    const ana = await subscribed('HN');
    await ask('HN');
    const offer = await ana.socket.next('offer:new');
    expect(await ana.socket.call('offer:seen', { offerId: offer.offerId })).toEqual({});
    await unseenCheckDone(offer.offerId);
    expect(push.received.filter((r) => r.device === ana.device.id)).toEqual([]);

    // Another interpreter says she saw Rosa's offer: Rosa's own console did not, so it is pushed to her.
    const rosa = await subscribed('SV');
    const other = await person('DO');
    await ask('SV');
    const rosaOffer = await rosa.socket.next('offer:new');
    expect(await other.socket.call('offer:seen', { offerId: rosaOffer.offerId })).toEqual({});
    const [pushed] = await pushesTo(rosa.device, 1);
    expect(pushed.message.offerId).toBe(rosaOffer.offerId);
  });

  describe('on call: reachable by push only', () => {
    /** An interpreter on call with a device (`specialties` decides her tier for a violence matter), her console closed. */
    const onCall = async (country: string, firstName: string, specialties = 'violence') => {
      const p = await interpreter(t, { country, firstName, specialties, available: false });
      const device = push.device();
      await subscribe(p.token, device.subscription).expect(201);
      expect(await p.socket.call('presence:set', { status: 'on_call' })).toEqual({ status: 'on_call' });
      p.socket.close();
      await until(async () => (await t.app.get(RealtimeService).countIn(rooms.interpreter(p.interpreterId))) === 0);
      return { ...p, device };
    };
    const offersOf = (interpreterId: string) =>
      t.sql<{ id: string; ring: number }>(
        `SELECT id, extract(epoch FROM expires_at - created_at)::float AS ring FROM offers WHERE interpreter_id = $1 AND outcome IS NULL`,
        [interpreterId],
      );

    it('is refused without a device that receives offers by push', async () => {
      const ana = await person('BZ');
      const res = await ana.socket.send('presence:set', { status: 'on_call' });
      expect(res.error.code).toBe('CONFLICT');
      expect(res.error.message).toMatch(/by push/);
    });

    it('rings her phone at once, longer, with her console closed; a device gone is forgotten; the console she opens shows the offer', async () => {
      const ana = await onCall('CA', 'Ana');
      // A second device of hers, which its push service says is gone.
      const phone = push.device();
      await subscribe(ana.token, phone.subscription).expect(201);
      push.answer(phone, 410);
      expect(await t.app.get(PresenceService).status(ana.interpreterId)).toBe('on_call');
      await ask('CA');
      const [pushed] = await pushesTo(ana.device, 1);
      const [offer] = await offersOf(ana.interpreterId);
      expect(pushed.message).toMatchObject({ type: 'offer:new', offerId: offer.id });
      expect(offer.ring).toBeCloseTo(30, 0);
      expect(pushed.headers.urgency).toBe('normal');
      await pushesTo(phone, 1);
      await until(
        () => t.sql<{ endpoint: string }>(`SELECT endpoint FROM push_subscriptions WHERE interpreter_id = $1`, [ana.interpreterId]),
        (left) => left.length === 1 && left[0].endpoint === ana.device.subscription.endpoint,
      );
      // One device is left: she is still on call.
      expect(await t.app.get(PresenceService).status(ana.interpreterId)).toBe('on_call');
      // She taps the notification: her console connects and is shown the offer, which she accepts.
      const console = await connect(t.url, ana.token);
      closers.push(() => console.close());
      expect((await console.next('offer:new')).offerId).toBe(offer.id);
      expect((await console.call('offer:accept', { offerId: offer.id })).sessionId).toEqual(expect.any(String));
      // Answered at her console: her phone's notification of it goes.
      const [, answered] = await pushesTo(ana.device, 2);
      expect(answered.message).toEqual({ type: 'offer:answered', offerId: offer.id });
    });

    it('ends when nothing could reach her: suspended, or her last device removed', async () => {
      const ana = await onCall('CR', 'Tomasa');
      const admin = await createStaff(t, 'roster_admin', { country: 'CR' });
      await t
        .http()
        .patch(`/api/v1/rosters/CR/interpreters/${ana.interpreterId}`)
        .set('authorization', `Bearer ${admin.token}`)
        .send({ status: 'suspended' })
        .expect(200);
      await until(
        () => t.app.get(PresenceService).status(ana.interpreterId),
        (s) => s === 'away',
      );
      expect((await t.app.get(PresenceService).reachableFor([await languageId(t, 'mam')])).ids).not.toContain(ana.interpreterId);

      const rosa = await onCall('CR', 'Rosa');
      const [{ id }] = await t.sql<{ id: string }>(`SELECT id FROM push_subscriptions WHERE interpreter_id = $1`, [rosa.interpreterId]);
      await t.http().delete(`/api/v1/interpreters/me/push-subscriptions/${id}`).set('authorization', `Bearer ${rosa.token}`).expect(200);
      expect(await t.app.get(PresenceService).status(rosa.interpreterId)).toBe('away');
    });

    it('is offered after those available at their console of the same tier, before those of a lower tier', async () => {
      const onCallFirst = await onCall('DO', 'Rosa');
      const lowerTier = await person('DO', 'Elena');
      // Elena has no violence specialty (tier 3); Rosa, on call, has it (tier 1): Rosa first.
      await t.sql(`UPDATE interpreters SET specialties = '{}' WHERE id = $1`, [lowerTier.interpreterId]);
      await ask('DO');
      await until(
        () => offersOf(onCallFirst.interpreterId),
        (o) => o.length === 1,
      );
      expect(await offersOf(lowerTier.interpreterId)).toEqual([]);

      const atConsole = await person('PA', 'Juana');
      const sameTier = await onCall('PA', 'Lucía');
      await ask('PA');
      await until(
        () => offersOf(atConsole.interpreterId),
        (o) => o.length === 1,
      );
      expect(await offersOf(sameTier.interpreterId)).toEqual([]);
    });

    it('sets her away after three offers rung out in a row, and tells her why by push', async () => {
      const ana = await onCall('US', 'Marta');
      const matching = t.app.get(MatchingService);
      for (let i = 1; i <= 3; i++) {
        await ask('US');
        const [offer] = await until(
          () => offersOf(ana.interpreterId),
          (o) => o.length === 1,
        );
        // Its ring time is over (the job the ring time schedules, run now).
        await matching.expireOffer(offer.id);
      }
      expect(await t.app.get(PresenceService).status(ana.interpreterId)).toBe('away');
      const told = await until(
        () => push.received.filter((r) => r.device === ana.device.id && r.message.type === 'presence:update'),
        (r) => r.length === 1,
      );
      expect(told[0].message).toEqual({ type: 'presence:update', status: 'away', reason: 'missed_offers' });
      expect(await offersOf(ana.interpreterId)).toEqual([]);
    });
  });

  describe('subscriptions under attack', () => {
    it('refuses anyone but an interpreter', async () => {
      const device = push.device();
      await t.http().post('/api/v1/interpreters/me/push-subscriptions').send(device.subscription).expect(401);
      const callerToken = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken;
      await subscribe(callerToken, device.subscription).expect(403);
      const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado' });
      await subscribe(official.token, device.subscription).expect(403);
      const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
      await subscribe(admin.token, device.subscription).expect(403);
      expect(await t.sql(`SELECT 1 FROM push_subscriptions WHERE endpoint = $1`, [device.subscription.endpoint])).toEqual([]);
    });

    it('refuses an endpoint that is not a listed push service, naming the field', async () => {
      const ana = await person('CR');
      const { keys } = push.device().subscription;
      for (const endpoint of [
        'http://169.254.169.254/latest/meta-data/',
        'https://fcm.googleapis.com.attacker.example/fcm/send/x',
        'http://127.0.0.1:5432/',
        `${push.origin.replace(/:\d+$/, ':1')}/push/x`,
        'file:///etc/passwd',
      ]) {
        const res = await subscribe(ana.token, { endpoint, keys }).expect(422);
        expect(res.body.message).toMatch(/endpoint/);
      }
      expect(await t.sql(`SELECT 1 FROM push_subscriptions WHERE interpreter_id = $1`, [ana.interpreterId])).toEqual([]);
    });

    it('refuses malformed keys and bodies, naming the field', async () => {
      const ana = await person('CR');
      const { endpoint, keys } = push.device().subscription;
      const cases: [unknown, RegExp, number][] = [
        [{ endpoint, keys: { ...keys, p256dh: 'abc' } }, /keys\.p256dh/, 400],
        [{ endpoint, keys: { ...keys, auth: 'x'.repeat(30) } }, /keys\.auth/, 400],
        [{ endpoint }, /keys/, 400],
        [{ endpoint: 42, keys }, /endpoint/, 400],
        // 65 bytes that begin like a point and are not on the curve.
        [
          { endpoint, keys: { ...keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') } },
          /p256dh/,
          422,
        ],
        [{ endpoint: `${endpoint}/${'a'.repeat(1100)}`, keys }, /endpoint/, 400],
      ];
      for (const [body, field, status] of cases) {
        const res = await subscribe(ana.token, body).expect(status);
        expect(JSON.stringify(res.body.message)).toMatch(field);
      }
      await subscribe(ana.token, { endpoint, keys, extra: 'x'.repeat(2_000_000) }).expect(413);
      expect(await t.sql(`SELECT 1 FROM push_subscriptions WHERE interpreter_id = $1`, [ana.interpreterId])).toEqual([]);
    });

    it('keeps at most ten devices per interpreter, even when they come at once', async () => {
      const ana = await person('PA');
      const answers = await Promise.all(Array.from({ length: 14 }, () => subscribe(ana.token, push.device().subscription)));
      expect(answers.filter((r) => r.status === 201)).toHaveLength(10);
      expect(answers.filter((r) => r.status === 409)).toHaveLength(4);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM push_subscriptions WHERE interpreter_id = $1`, [
        ana.interpreterId,
      ]);
      expect(n).toBe(10);
    });

    it("lets her remove only her own devices; a device another logs in on becomes that one's", async () => {
      const ana = await person('MX');
      const rosa = await person('MX', 'Rosa');
      const device = push.device();
      const { id } = (await subscribe(ana.token, device.subscription).expect(201)).body;
      const del = (token: string, which: string) =>
        t.http().delete(`/api/v1/interpreters/me/push-subscriptions/${which}`).set('authorization', `Bearer ${token}`);
      await del(rosa.token, id).expect(404);
      await del(rosa.token, 'not-a-uuid').expect(400);
      expect(await t.sql(`SELECT interpreter_id FROM push_subscriptions WHERE id = $1`, [id])).toEqual([
        { interpreter_id: ana.interpreterId },
      ]);
      // The same browser, now Rosa's: her offers go there, Ana's no longer do.
      expect((await subscribe(rosa.token, device.subscription).expect(201)).body).toEqual({ id });
      await del(ana.token, id).expect(404);
      await del(rosa.token, id).expect(200);
      expect(await t.sql(`SELECT 1 FROM push_subscriptions WHERE id = $1`, [id])).toEqual([]);
    });

    it('refuses offer:seen from anyone but an interpreter, and a malformed offer id, naming the field', async () => {
      const c = await caller(t);
      closers.push(() => c.close());
      expect((await c.send('offer:seen', { offerId: '00000000-0000-4000-8000-000000000001' })).error.code).toBe('FORBIDDEN');
      const ana = await person('BZ');
      const bad = await ana.socket.send('offer:seen', { offerId: 'x' });
      expect(bad.error.code).toBe('VALIDATION');
      expect(JSON.stringify(bad.error)).toMatch(/offerId/);
    });
  });
});
