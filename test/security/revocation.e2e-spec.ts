import { RealtimeService, rooms } from '../../src/realtime/realtime.service';
import { TokenValidity } from '../../src/users/token-validity';
import { caller, interpreter, languageId, Person, within } from '../utils/matching-fixtures';
import { handshakeError, TestSocket } from '../utils/socket-client';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/**
 * Attack 2 of issue 11: after `POST /users/{id}/revoke`, an interpreter's socket opened before it still received
 * `offer:new` for an urgent trafficking request and accepted it (the token was checked only at the handshake).
 * Two nodes of one deployment: the revoke request hits node A, her console is connected to node B.
 */
describe('attack 2: revocation reaches the sockets already open, on every node', () => {
  let a: TestApp;
  let b: TestApp;
  const sockets: TestSocket[] = [];
  const track = (p: Person) => (sockets.push(p.socket), p);

  beforeAll(async () => {
    // Offers ring long, so that an offer sent to the revoked interpreter would hold the request well past the
    // waits below: the next interpreter is offered it only because the revoked one is out.
    const env = { OFFER_RING_SECONDS: '120', MATCHING_SWEEP_SECONDS: '0.5', INTERPRETER_GRACE_SECONDS: '120', HOME_COUNTRY: 'GT' };
    a = await startTestApp({ ...env, media: false });
    b = await startTestApp({ media: false, ...env, DATABASE_URL: a.config.DATABASE_URL, REDIS_PREFIX: a.config.REDIS_PREFIX });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await b?.close();
    await a?.close();
  });

  const userOf = async (p: Person) =>
    (await a.sql<{ id: string }>(`SELECT id FROM users WHERE interpreter_id = $1`, [p.interpreterId]))[0].id;

  it('cuts her socket on node B before node A answers; she gets no offer:new for an urgent trafficking request and cannot come back', async () => {
    const lang = await languageId(a, 'kek');
    // Ana is the best candidate (trafficking is her specialty); Bea speaks the language without it (a later tier).
    const ana = track(await interpreter(a, { languages: 'kek:5', specialties: 'trafficking;violence' }, b.url));
    const bea = track(await interpreter(a, { languages: 'kek:5', specialties: 'legal_civil' }, b.url));
    const anaId = await userOf(ana);
    const admin = await createStaff(a, 'roster_admin', { country: 'GT' });
    expect(await a.app.get(RealtimeService).countIn(rooms.user(anaId))).toBe(1);

    await a.http().post(`/api/v1/users/${anaId}/revoke`).set('authorization', `Bearer ${admin.token}`).send({}).expect(200);
    // Node B cut her socket before node A answered: no node has a socket of hers any more.
    expect(await a.app.get(RealtimeService).countIn(rooms.user(anaId))).toBe(0);
    await b.http().get('/api/v1/bookings').set('authorization', `Bearer ${ana.token}`).expect(401);

    const c = await caller(a);
    sockets.push(c);
    const { requestId } = await c.call('request:create', { languageId: lang, matter: 'trafficking', urgency: 'urgent', minor: false });
    const offer = await within(
      bea.socket.next('offer:new', (o) => o.requestId === requestId),
      20_000,
      'the next interpreter was offered the call',
    );
    expect(ana.socket.seen('offer:new')).toEqual([]);
    expect(ana.socket.socket.connected).toBe(false);

    // Her old token opens no socket again, on either node, so nothing can be accepted through it.
    for (const url of [a.url, b.url]) expect(await handshakeError(url, ana.token)).toMatch(/revoked/);
    expect(await bea.socket.call('offer:accept', { offerId: offer.offerId })).toEqual({ sessionId: expect.any(String) });
    expect(ana.socket.seen('offer:new')).toEqual([]);
  });

  it('refuses every event of a socket whose token was revoked even if the cut never reached its node (UNAUTHORIZED, then cut)', async () => {
    const lang = await languageId(a, 'kjb');
    const cara = track(await interpreter(a, { languages: 'kjb:5', specialties: 'trafficking' }, b.url));
    const c = await caller(a);
    sockets.push(c);
    const { requestId } = await c.call('request:create', { languageId: lang, matter: 'trafficking', urgency: 'urgent', minor: false });
    const offer = await within(
      cara.socket.next('offer:new', (o) => o.requestId === requestId),
      20_000,
      'she was offered the call',
    );

    // What a revocation writes, without the cut of her sockets (as when the node holding them missed it).
    const caraId = await userOf(cara);
    await a.sql(`UPDATE users SET tokens_valid_after = now() WHERE id = $1`, [caraId]);
    await a.app.get(TokenValidity).changed(caraId);

    expect(cara.socket.socket.connected).toBe(true);
    const answer = await cara.socket.call('offer:accept', { offerId: offer.offerId });
    expect(answer).toEqual({ error: { code: 'UNAUTHORIZED', message: 'the token was revoked' } });
    const [row] = await a.sql<{ outcome: string | null }>(`SELECT outcome FROM offers WHERE id = $1`, [offer.offerId]);
    expect(row.outcome).not.toBe('accepted');
    const [req] = await a.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
    expect(['queued', 'offering']).toContain(req.state);
    await within(
      new Promise((r) => (cara.socket.socket.connected ? cara.socket.socket.once('disconnect', r) : r(null))),
      10_000,
      'the socket was cut',
    );
  });
});
