import { auditMoved, interpreter, languageId, type Person } from './utils/matching-fixtures';
import { type Closers, inCall, sessionRow } from './utils/media-calls';
import { connect, type TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, type TestApp } from './utils/test-app';

/**
 * "Interpreter now" (issue 14, item 5): an official with a woman beside her (a police station, a shelter) asks for
 * an interpreter over her console's socket. The same matching, line and ladder as a woman's own request; the
 * official is the call's `official` participant and ends it as the caller would; the target is her institution's
 * language; statistics count these apart. Real PostgreSQL, Redis, mediasoup and WebRTC peers.
 */
describe('interpreter now, for an official with a woman beside her', () => {
  let t: TestApp;
  const closers: Closers = [];
  const track = <T extends TestSocket | Person>(x: T): T => {
    const s = 'interpreterId' in x ? x.socket : (x as TestSocket);
    closers.push(() => s.close());
    return x;
  };

  beforeAll(async () => {
    t = await startTestApp({ OFFER_RING_SECONDS: '20', CALLER_GRACE_SECONDS: '1' });
  });
  // Each test's sockets and WebRTC peers go with it (left running, their media would load the server's process).
  afterEach(() => closers.splice(0).forEach((close) => close()));
  afterAll(() => t?.close());

  const officialSocket = async (institution: string, country = 'GT') => {
    const staff = await createStaff(t, 'official', { country, institution });
    return { ...staff, socket: track(await connect(t.url, staff.token)) };
  };
  const ask = (s: TestSocket, languageId: string, extra: Record<string, unknown> = {}) =>
    s.call('request:create', { languageId, matter: 'violence', urgency: 'urgent', minor: false, ...extra });

  it('rings an interpreter into her institution language; she and the interpreter hear each other; her leaving ends it', async () => {
    const lang = await languageId(t, 'mam');
    const spa = await languageId(t, 'spa');
    const ana = track(await interpreter(t, { languages: 'mam:5', firstName: 'Ana' }));
    const police = await officialSocket('Comisaría de Huehuetenango');

    const created = await ask(police.socket, lang);
    expect(created).toEqual({ requestId: expect.any(String), state: 'offering' });
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === created.requestId);
    // Her institution names no language of its own: the target is Guatemala's main one, Spanish, where she and her institution are.
    expect(offer).toMatchObject({ languageId: lang, targetLanguageId: spa, leg: 'direct', urgency: 'urgent' });
    const [row] = await t.sql(`SELECT official_id, caller_sub, country FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    expect(row).toEqual({ official_id: police.id, caller_sub: police.id, country: 'GT' });

    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    const accepted = await police.socket.next('request:update', (u) => u.state === 'accepted');
    expect(accepted).toEqual({
      requestId: created.requestId,
      state: 'accepted',
      interpreter: { firstName: 'Ana' },
      interpreters: [{ firstName: 'Ana', role: 'interpreter' }],
      sessionId,
    });

    // Another official (of another institution) can neither join her call nor cancel her request.
    const other = await officialSocket('Juzgado de Paz, Cobán');
    expect((await other.socket.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    expect((await other.socket.call('request:cancel', { requestId: created.requestId })).error.code).toBe('NOT_FOUND');

    await inCall([police.socket, ana.socket], sessionId, closers);
    await police.socket.next('request:update', (u) => u.state === 'connected');
    expect((await sessionRow(t, sessionId)).participant_roles.sort()).toEqual(['interpreter', 'official']);

    expect(await police.socket.call('session:leave', { sessionId })).toEqual({});
    await ana.socket.next('session:ended', (e) => e.sessionId === sessionId);
    const [done] = await t.sql(`SELECT state, caller_sub, official_id FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    expect(done).toEqual({ state: 'completed', caller_sub: null, official_id: police.id });

    // Audited as hers, and marked as an official's request.
    await auditMoved(t);
    const [event] = await t.sql<{ actor_id: string; actor_role: string; data: { byOfficial: boolean } }>(
      `SELECT actor_id, actor_role, data FROM audit_events WHERE type = 'request.created' AND subject_id = $1`,
      [created.requestId],
    );
    expect({ actor: event.actor_id, role: event.actor_role, byOfficial: event.data.byOfficial }).toEqual({
      actor: police.id,
      role: 'official',
      byOfficial: true,
    });
  });

  it("takes her institution's own language as the target when it has one and she names none", async () => {
    const lang = await languageId(t, 'quc');
    const eng = await languageId(t, 'eng');
    const clinic = await officialSocket('Clínica de la Mujer, Quetzaltenango');
    await t.sql(`UPDATE institutions SET language_id = $1 WHERE id = (SELECT institution_id FROM users WHERE id = $2)`, [eng, clinic.id]);
    const created = await ask(clinic.socket, lang);
    const [row] = await t.sql(`SELECT target_language_id FROM interpretation_requests WHERE id = $1`, [created.requestId]);
    // Not Spanish, Guatemala's main language.
    expect(row).toEqual({ target_language_id: eng });
    expect(await clinic.socket.call('request:cancel', { requestId: created.requestId })).toEqual({ state: 'cancelled' });
  });

  it('says another target when asked, one live request at a time, and only for officials', async () => {
    const lang = await languageId(t, 'quc');
    const eng = await languageId(t, 'eng');
    const shelter = await officialSocket('Albergue Casa Nuestras Raíces');
    const first = await ask(shelter.socket, lang, { targetLanguageId: eng });
    const [row] = await t.sql(`SELECT target_language_id, state FROM interpretation_requests WHERE id = $1`, [first.requestId]);
    expect(row).toEqual({ target_language_id: eng, state: 'queued' });
    expect((await ask(shelter.socket, lang)).error.code).toBe('CONFLICT');
    expect(await shelter.socket.call('request:cancel', { requestId: first.requestId })).toEqual({ state: 'cancelled' });

    // Admins and interpreters may not ask (every official belongs to an institution: a database check).
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const platform = await createStaff(t, 'platform_admin');
    const interp = await createStaff(t, 'interpreter');
    for (const token of [platform.token, admin.token, interp.token]) {
      const s = track(await connect(t.url, token));
      expect((await ask(s, lang)).error.code).toBe('FORBIDDEN');
    }
  });

  it('her request is abandoned when her console is gone past the grace period, as a caller gone', async () => {
    const lang = await languageId(t, 'kek');
    const police = await officialSocket('Policía Nacional Civil, Cobán');
    const { requestId } = await ask(police.socket, lang);
    police.socket.close();
    for (;;) {
      const [r] = await t.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]);
      if (r.state === 'abandoned') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  it("statistics count officials' calls apart from the women's own", async () => {
    const lang = await languageId(t, 'cak');
    const court = await officialSocket('Juzgado de Familia, Chimaltenango');
    for (let i = 0; i < 5; i++) {
      const { requestId } = await ask(court.socket, lang);
      await court.socket.call('request:cancel', { requestId });
    }
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const stats = async (origin?: string) =>
      (
        await t
          .http()
          .get('/api/v1/stats')
          .query({ groupBy: 'language', period: 'whole', ...(origin ? { origin } : {}) })
          .set('authorization', `Bearer ${admin.token}`)
          .expect(200)
      ).body as { origin: string; rows: { key: string; requests: number | string }[] };
    const byOfficials = await stats('officials');
    expect(byOfficials.origin).toBe('officials');
    expect(byOfficials.rows.find((r) => r.key === lang)?.requests).toBe(5);
    const women = await stats();
    expect(women.origin).toBe('women');
    expect(women.rows.find((r) => r.key === lang)).toBeUndefined();
    const bad = await t.http().get('/api/v1/stats').query({ origin: 'everyone' }).set('authorization', `Bearer ${admin.token}`);
    expect({ status: bad.status, fields: bad.body.fields }).toEqual({ status: 400, fields: ['origin'] });
  });

  it("adds the woman's own phone by a one-time code: only the official who asked, while the call is on; once; her leaving does not end it", async () => {
    const lang = await languageId(t, 'ixl');
    const ana = track(await interpreter(t, { languages: 'ixl:5', firstName: 'Ana' }));
    const police = await officialSocket('Comisaría de Nebaj');
    const http = (token: string | null, path: string, body: object = {}) => {
      const req = t.http().post(path).send(body);
      return token ? req.set('authorization', `Bearer ${token}`) : req;
    };
    const created = await ask(police.socket, lang);
    // Not before the call is on: nothing to join yet.
    await http(police.token, `/api/v1/requests/${created.requestId}/join-code`).expect(404);
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === created.requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });

    // Nobody else may issue one: another official, an interpreter, the woman's token, no token at all.
    const colleague = await officialSocket('Comisaría de Nebaj');
    await http(colleague.token, `/api/v1/requests/${created.requestId}/join-code`).expect(404);
    await http(ana.token, `/api/v1/requests/${created.requestId}/join-code`).expect(403);
    await http(null, `/api/v1/requests/${created.requestId}/join-code`).expect(401);
    await http(police.token, `/api/v1/requests/not-a-uuid/join-code`).expect(400);

    const issued = (await http(police.token, `/api/v1/requests/${created.requestId}/join-code`).expect(200)).body;
    expect(issued).toEqual({
      code: expect.stringMatching(/^\d{4}-\d{4}-\d{2}$/),
      expiresAt: expect.any(String),
      joinPath: expect.stringMatching(/^\/\?join=\d{10}$/),
    });
    // Only its keyed hash is stored.
    const [stored] = await t.sql<{ code_hash: string }>(`SELECT code_hash FROM join_codes WHERE request_id = $1`, [created.requestId]);
    expect(stored.code_hash).not.toContain(issued.code.replace(/-/g, ''));

    const woman = (await http(null, '/api/v1/bookings/join', { code: issued.code }).expect(200)).body;
    expect(woman).toEqual({ accessToken: expect.any(String), sessionId, call: 'interpreter_now' });
    await http(null, '/api/v1/bookings/join', { code: issued.code }).expect(404);
    const her = track(await connect(t.url, woman.accessToken));
    await inCall([police.socket, ana.socket, her], sessionId, closers);
    expect((await sessionRow(t, sessionId)).participant_roles.sort()).toEqual(['caller', 'interpreter', 'official']);
    // Her phone is the call's caller, nothing more: she cannot cancel the official's request.
    expect((await her.call('request:cancel', { requestId: created.requestId })).error.code).toBe('NOT_FOUND');

    // A second code does not take her seat while she is in the call.
    const second = (await http(police.token, `/api/v1/requests/${created.requestId}/join-code`).expect(200)).body;
    await http(null, '/api/v1/bookings/join', { code: second.code }).expect(409);

    // Her phone leaving tells the others and does not end the official's call.
    expect(await her.call('session:leave', { sessionId })).toEqual({});
    for (const s of [police.socket, ana.socket])
      expect(await s.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller')).toEqual({
        sessionId,
        role: 'caller',
      });
    expect((await sessionRow(t, sessionId)).ended_at).toBeNull();

    // The official ends it: the woman's phone is told too, and her subject is forgotten with the session.
    const again = (await http(police.token, `/api/v1/requests/${created.requestId}/join-code`).expect(200)).body;
    const back = (await http(null, '/api/v1/bookings/join', { code: again.code }).expect(200)).body;
    const herAgain = track(await connect(t.url, back.accessToken));
    expect(await police.socket.call('session:leave', { sessionId })).toEqual({});
    expect(await herAgain.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'completed' });
    expect(await t.sql(`SELECT caller_sub FROM sessions WHERE id = $1`, [sessionId])).toEqual([{ caller_sub: null }]);
    // Its code goes with the call (only its hash was ever kept).
    expect(await t.sql(`SELECT 1 FROM join_codes WHERE request_id = $1`, [created.requestId])).toEqual([]);
    // And no code opens the ended call.
    const late = await http(police.token, `/api/v1/requests/${created.requestId}/join-code`);
    expect(late.status).toBe(404);
    await auditMoved(t);
    const types = await t.sql<{ type: string }>(
      `SELECT type FROM audit_events WHERE subject_id = $1 AND type LIKE 'request.join_code%' ORDER BY seq`,
      [created.requestId],
    );
    expect(types.map((e) => e.type)).toEqual([
      'request.join_code_issued',
      'request.join_code_used',
      'request.join_code_refused',
      'request.join_code_issued',
      'request.join_code_issued',
      'request.join_code_used',
    ]);
  });
});
