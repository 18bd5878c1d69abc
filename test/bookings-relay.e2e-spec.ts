import ical from 'node-ical';
import { MediaInspection } from '../src/media/media-inspection';
import { Closers, inCall } from './utils/media-calls';
import { interpreter, languageId, Person, until } from './utils/matching-fixtures';
import { TestSmtp } from './utils/smtp';
import { connect, TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * Hearings with more than one interpreter (issue 14): a relay chain when nobody covers the woman's language into the
 * other side's, and a team for a long hearing. Real PostgreSQL, Redis, SMTP and mediasoup; each test in its own
 * country (rosters do not share by default), so one test's interpreters are never another's candidates.
 */
describe('relay and team hearings', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const closers: Closers = [];

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    t = await startTestApp({ SMTP_URL: smtp.url, BOOKING_SWEEP_SECONDS: '3600', HOME_COUNTRY: 'GT' });
  });
  // Each test's peers and sockets go with it (a call left running keeps decoding audio through the next tests).
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const person = async (country: string, languages: string, relay: string, firstName: string) => {
    const p = await interpreter(t, { country, languages, relay, firstName, available: false });
    closers.push(() => p.socket.close());
    const [row] = await t.sql<{ email: string }>(`SELECT email FROM interpreters WHERE id = $1`, [p.interpreterId]);
    return { ...p, email: row.email };
  };
  const official = async (country: string, institution: string) => {
    const staff = await createStaff(t, 'official', { country, institution });
    const socket = await connect(t.url, staff.token);
    closers.push(() => socket.close());
    return { ...staff, socket };
  };
  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: object = {}) => t.http().post(path).set('authorization', `Bearer ${token}`).send(body),
  });
  const book = (token: string, body: object) => as(token).post('/api/v1/bookings', body);
  /** An hour's hearing about violence, `inMinutesFromNow` ahead, into `target`; its view. */
  const hearingInto = async (token: string, languageId: string, target: string, inMinutesFromNow: number) =>
    (
      await book(token, {
        languageId,
        targetLanguageId: target,
        matter: 'violence',
        startsAt: inMinutes(inMinutesFromNow),
        durationMinutes: 60,
      }).expect(201)
    ).body;
  const view = async (token: string, id: string) => (await as(token).get(`/api/v1/bookings/${id}`).expect(200)).body;
  const seats = (b: { interpreters: { firstName: string | null; leg: string; team: boolean; state: string }[] }) =>
    b.interpreters.map((s) => `${s.leg}${s.team ? '+team' : ''}:${s.firstName ?? '-'}:${s.state}`);
  const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
  const confirm = (p: Person, id: string) => as(p.token).post(`/api/v1/bookings/${id}/confirm`);

  it("a US court booking Mam with no Mam–English interpreter gets a Mam–Spanish + Spanish–English chain: each leg asked and confirmed with its own calendar, and the four hear each other in the hearing's call", async () => {
    const [mam, spa] = [await languageId(t, 'mam'), await languageId(t, 'spa')];
    const court = await official('US', 'Immigration Court, Houston');
    const ana = await person('US', 'mam:5', 'spa:5', 'Ana');
    const sam = await person('US', 'spa:5', 'eng:5', 'Sam');
    const made = await book(court.token, {
      languageId: mam,
      matter: 'legal_civil',
      startsAt: inMinutes(5),
      durationMinutes: 60,
      remoteParticipant: true,
    }).expect(201);
    const id = made.body.id;
    expect(made.body).toMatchObject({ targetLanguageId: await languageId(t, 'eng'), relayLanguageId: spa });
    // The source leg (the rarer language) is asked first; the relay leg once she has said yes.
    expect(seats(made.body)).toEqual(['source:Ana:asked', 'relay:-:searching']);
    expect(made.body.interpreter).toEqual({ firstName: 'Ana' });
    await confirm(sam, id).expect(404);
    const afterAna = (await confirm(ana, id).expect(200)).body;
    expect(seats(afterAna)).toEqual(['source:Ana:confirmed', 'relay:Sam:asked']);
    expect(afterAna.state).toBe('assigned');
    expect(await until(() => smtp.to(sam.email).find((m) => /can you interpret/.test(m.subject)))).toBeTruthy();
    const done = (await confirm(sam, id).expect(200)).body;
    expect(seats(done)).toEqual(['source:Ana:confirmed', 'relay:Sam:confirmed']);
    expect(done.state).toBe('confirmed');

    // Each leg has its own confirmation, with the hearing's calendar event, confirmed for her.
    for (const who of [ana, sam]) {
      const mail = (await until(() => smtp.to(who.email).find((m) => /interpreter confirmed/.test(m.subject))))!;
      expect(mail.raw).toContain('BEGIN:VCALENDAR');
      const ics = (await as(who.token).get(`/api/v1/bookings/${id}/calendar.ics`).expect(200)).text;
      const event = Object.values(ical.sync.parseICS(ics)).find((c) => c?.type === 'VEVENT') as ical.VEvent;
      expect(event.status).toBe('CONFIRMED');
    }
    // Both see the hearing in their list; the court sees both by leg.
    for (const who of [ana, sam])
      expect((await as(who.token).get('/api/v1/bookings').expect(200)).body.map((b: { id: string }) => b.id)).toContain(id);

    // The call: the official, both interpreters in their roles, and the woman by her code.
    const { sessionId } = (await as(court.token).post(`/api/v1/bookings/${id}/session`).expect(200)).body;
    for (const who of [ana, sam])
      expect((await as(who.token).post(`/api/v1/bookings/${id}/session`).expect(200)).body).toEqual({ sessionId });
    const code = (await as(court.token).post(`/api/v1/bookings/${id}/join-code`).expect(200)).body.code;
    const woman = (await t.http().post('/api/v1/bookings/join').send({ code }).expect(200)).body;
    const her: TestSocket = await connect(t.url, woman.accessToken);
    closers.push(() => her.close());
    expect(await t.sql(`SELECT role, interpreter_id FROM session_interpreters WHERE session_id = $1 ORDER BY role`, [sessionId])).toEqual([
      { role: 'interpreter', interpreter_id: ana.interpreterId },
      { role: 'relay_interpreter', interpreter_id: sam.interpreterId },
    ]);
    const { peers } = await inCall([her, ana.socket, sam.socket, court.socket], sessionId, closers);
    expect(peers[3].join.participants.map((p: { role: string }) => p.role).sort()).toEqual(['caller', 'interpreter', 'relay_interpreter']);
    expect((await t.sql<{ participant_roles: string[] }>(`SELECT participant_roles FROM sessions WHERE id = $1`, [sessionId]))[0]).toEqual({
      participant_roles: ['caller', 'interpreter', 'relay_interpreter', 'official'],
    });
    // The official ends the hearing: everyone is told, both interpreters are free, and their time is no longer held.
    expect(await court.socket.call('session:leave', { sessionId })).toEqual({});
    for (const s of [her, ana.socket, sam.socket]) await s.next('session:ended', (e) => e.sessionId === sessionId);
    expect(await t.sql(`SELECT count(*)::int AS n FROM booking_interpreters WHERE booking_id = $1 AND blocked IS NOT NULL`, [id])).toEqual([
      { n: 0 },
    ]);
  });

  it('someone who covers the target directly comes before any chain', async () => {
    const quc = await languageId(t, 'quc');
    const court = await official('BZ', 'Magistrate Court, Belize City');
    await person('BZ', 'quc:5', 'spa:5', 'Ana');
    await person('BZ', 'spa:5', 'eng:5', 'Sam');
    await person('BZ', 'quc:3', 'eng:4', 'Emma');
    const made = await book(court.token, { languageId: quc, matter: 'violence', startsAt: inMinutes(48 * 60), durationMinutes: 60 }).expect(
      201,
    );
    expect(made.body.relayLanguageId).toBeNull();
    expect(seats(made.body)).toEqual(['direct:Emma:asked']);
  });

  it('a chain needs two different people; with none, the best single interpreter is asked', async () => {
    const tzo = await languageId(t, 'tzo');
    const court = await official('HN', 'Juzgado de Choluteca');
    // The other side speaks English here, and the only interpreter speaks Tsotsil and Spanish.
    const [{ id: eng }] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'eng' AND variant IS NULL`);
    await person('HN', 'tzo:5', 'spa:5', 'Ana');
    const made = await book(court.token, {
      languageId: tzo,
      targetLanguageId: eng,
      matter: 'violence',
      startsAt: inMinutes(48 * 60),
      durationMinutes: 60,
    }).expect(201);
    expect(made.body.relayLanguageId).toBeNull();
    expect(seats(made.body)).toEqual(['direct:Ana:asked']);
  });

  it('a hearing longer than BOOKING_TEAM_MINUTES gets a team of two different interpreters, both in the call', async () => {
    const ixl = await languageId(t, 'ixl');
    const court = await official('CR', 'Juzgado de Limón');
    const ana = await person('CR', 'ixl:5', 'spa:5', 'Ana');
    const bea = await person('CR', 'ixl:4', 'spa:5', 'Bea');
    const made = await book(court.token, { languageId: ixl, matter: 'violence', startsAt: inMinutes(5), durationMinutes: 180 }).expect(201);
    const id = made.body.id;
    expect(seats(made.body)).toEqual(['direct:Ana:asked', 'direct+team:-:searching']);
    expect(seats((await confirm(ana, id).expect(200)).body)).toEqual(['direct:Ana:confirmed', 'direct+team:Bea:asked']);
    const done = (await confirm(bea, id).expect(200)).body;
    expect([done.state, seats(done)]).toEqual(['confirmed', ['direct:Ana:confirmed', 'direct+team:Bea:confirmed']]);
    const { sessionId } = (await as(bea.token).post(`/api/v1/bookings/${id}/session`).expect(200)).body;
    expect((await as(court.token).post(`/api/v1/bookings/${id}/session`).expect(200)).body).toEqual({ sessionId });
    expect(await t.sql(`SELECT role, interpreter_id FROM session_interpreters WHERE session_id = $1 ORDER BY role`, [sessionId])).toEqual([
      { role: 'interpreter', interpreter_id: ana.interpreterId },
      { role: 'team_interpreter', interpreter_id: bea.interpreterId },
    ]);
    await inCall([ana.socket, bea.socket, court.socket], sessionId, closers);
    // A hearing of BOOKING_TEAM_MINUTES or less has no team.
    const short = await book(court.token, {
      languageId: ixl,
      matter: 'violence',
      startsAt: inMinutes(72 * 60),
      durationMinutes: 120,
    }).expect(201);
    expect(short.body.interpreters).toHaveLength(1);
  });

  it('two officials booking the one relay interpreter for the same hour at the same instant: one gets her, the other is told nobody is free', async () => {
    const kek = await languageId(t, 'kek');
    const [first, second] = [await official('CA', 'Toronto Police Service'), await official('CA', 'Immigration and Refugee Board')];
    const [ana, bea] = [await person('CA', 'kek:5', 'spa:5', 'Ana'), await person('CA', 'kek:5', 'spa:5', 'Bea')];
    const sam = await person('CA', 'spa:5', 'eng:5', 'Sam');
    const startsAt = inMinutes(72 * 60);
    const a = (await book(first.token, { languageId: kek, matter: 'violence', startsAt, durationMinutes: 60 }).expect(201)).body;
    const b = (await book(second.token, { languageId: kek, matter: 'violence', startsAt, durationMinutes: 60 }).expect(201)).body;
    const sources = new Map([
      [a.interpreters[0].firstName, a.id],
      [b.interpreters[0].firstName, b.id],
    ]);
    expect([...sources.keys()].sort()).toEqual(['Ana', 'Bea']);
    // Both source legs confirm at once: each confirmation asks for the relay leg, and only one can hold Sam.
    await Promise.all([confirm(ana, sources.get('Ana')!).expect(200), confirm(bea, sources.get('Bea')!).expect(200)]);
    const after = [await view(first.token, a.id), await view(second.token, b.id)];
    const relays = after.map((x) => x.interpreters.find((s: { leg: string }) => s.leg === 'relay'));
    expect(relays.filter((r) => r.firstName === 'Sam')).toHaveLength(1);
    expect(relays.filter((r) => r.firstName === null)).toHaveLength(1);
    const loser = after.find((x) =>
      x.interpreters.some((s: { leg: string; firstName: string | null }) => s.leg === 'relay' && !s.firstName),
    )!;
    const loserOfficial = loser.id === a.id ? first : second;
    expect(
      await loserOfficial.socket.next('booking:update', (e) => e.bookingId === loser.id && e.notice === 'no_interpreter'),
    ).toBeTruthy();
    // Her time is held once.
    expect(
      await t.sql(`SELECT count(*)::int AS n FROM booking_interpreters WHERE interpreter_id = $1 AND blocked IS NOT NULL`, [
        sam.interpreterId,
      ]),
    ).toEqual([{ n: 1 }]);
  });

  it("a chain's relay interpreter who can no longer come, or is suspended, frees her seat alone: the next one is asked for it, the source leg stays confirmed", async () => {
    const [mam, spa] = [await languageId(t, 'mam'), await languageId(t, 'spa')];
    const court = await official('SV', 'Juzgado de San Salvador');
    const [{ id: eng }] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'eng' AND variant IS NULL`);
    const ana = await person('SV', 'mam:5', 'spa:5', 'Ana');
    const sam = await person('SV', 'spa:5', 'eng:5', 'Sam');
    const made = await hearingInto(court.token, mam, eng, 96 * 60);
    expect(made.relayLanguageId).toBe(spa);
    await confirm(ana, made.id).expect(200);
    await confirm(sam, made.id).expect(200);
    const tom = await person('SV', 'spa:5', 'eng:4', 'Tom');
    // Sam can no longer come: his seat alone is asked again, of Tom.
    await as(sam.token).post(`/api/v1/bookings/${made.id}/decline`).expect(200);
    expect(seats(await view(court.token, made.id))).toEqual(['source:Ana:confirmed', 'relay:Tom:asked']);
    await as(sam.token).get(`/api/v1/bookings/${made.id}`).expect(404);
    await confirm(tom, made.id).expect(200);
    // Tom is suspended by his roster admin: released from it, and nobody else is free for that leg.
    const admin = await createStaff(t, 'roster_admin', { country: 'SV' });
    await t
      .http()
      .patch(`/api/v1/rosters/SV/interpreters/${tom.interpreterId}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ status: 'suspended' })
      .expect(200);
    await until(async () => seats(await view(court.token, made.id)).includes('relay:-:declined'));
    const after = await view(court.token, made.id);
    expect([after.state, seats(after)]).toEqual(['requested', ['source:Ana:confirmed', 'relay:-:declined']]);
    expect(
      await t.sql(`SELECT count(*)::int AS n FROM booking_interpreters WHERE interpreter_id = ANY ($1) AND blocked IS NOT NULL`, [
        [sam.interpreterId, tom.interpreterId],
      ]),
    ).toEqual([{ n: 0 }]);
  });

  it('each leg follows the ladder: the better tier is asked first for the source leg and for the relay leg', async () => {
    const mam = await languageId(t, 'mam');
    const court = await official('NI', 'Juzgado de Bluefields');
    const [{ id: eng }] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'eng' AND variant IS NULL`);
    // The same matter's specialty makes tier 1 (own roster, exact variant, trained); without it, tier 3.
    const untrained = (first: string, languages: string, relay: string) =>
      interpreter(t, { country: 'NI', languages, relay, firstName: first, specialties: 'health', available: false });
    closers.push(
      ...[await untrained('Ana', 'mam:5', 'spa:5'), await untrained('Sam', 'spa:5', 'eng:5')].map((p) => () => p.socket.close()),
    );
    const bea = await person('NI', 'mam:4', 'spa:4', 'Bea');
    await person('NI', 'spa:4', 'eng:4', 'Sue');
    const made = await hearingInto(court.token, mam, eng, 72 * 60);
    expect(seats(made)).toEqual(['source:Bea:asked', 'relay:-:searching']);
    expect(seats((await confirm(bea, made.id).expect(200)).body)).toEqual(['source:Bea:confirmed', 'relay:Sue:asked']);
  });

  it.each([
    ['through Spanish when a Spanish chain can be made, whatever else can', true, 'spa'],
    ['through English when only an English chain can be made', false, 'eng'],
  ])('a chain into French goes %s', async (_what, withSpanish, via) => {
    const quc = await languageId(t, 'quc');
    const country = withSpanish ? 'DO' : 'PA';
    const court = await official(country, 'Tribunal');
    const [{ id: fra }] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'fra' AND variant IS NULL`);
    await person(country, 'quc:5', 'eng:5', 'Emma');
    await person(country, 'eng:5', 'fra:5', 'Eve');
    if (withSpanish) {
      await person(country, 'quc:5', 'spa:5', 'Ana');
      await person(country, 'spa:5', 'fra:5', 'Sol');
    }
    const made = await hearingInto(court.token, quc, fra, 72 * 60);
    expect(made.relayLanguageId).toBe(await languageId(t, via));
    expect(made.interpreters[0]).toMatchObject({ leg: 'source', firstName: withSpanish ? 'Ana' : 'Emma', state: 'asked' });
  });

  /** A Mam hearing into English `inMinutesFromNow` ahead, confirmed by a chain (Ana: Mam → Spanish, Sam: Spanish → English), its call opened by the official. */
  async function chainInCall(country: string, institution: string, inMinutesFromNow: number) {
    const court = await official(country, institution);
    const ana = await person(country, 'mam:5', 'spa:5', 'Ana');
    const sam = await person(country, 'spa:5', 'eng:5', 'Sam');
    const made = await hearingInto(court.token, await languageId(t, 'mam'), await languageId(t, 'eng'), inMinutesFromNow);
    await confirm(ana, made.id).expect(200);
    await confirm(sam, made.id).expect(200);
    const { sessionId } = (await as(court.token).post(`/api/v1/bookings/${made.id}/session`).expect(200)).body;
    return { court, ana, sam, made, sessionId: sessionId as string };
  }

  it("a relay interpreter replaced after the hearing's call opened: the one who took her seat joins that call in her role, she no longer can", async () => {
    const { ana, sam, made, sessionId } = await chainInCall('GT', 'Juzgado de Coatepeque', 5);
    const tom = await person('GT', 'spa:4', 'eng:4', 'Tom');
    // Before the start he may still say he can no longer come; Tom takes the seat.
    await as(sam.token).post(`/api/v1/bookings/${made.id}/decline`).expect(200);
    await confirm(tom, made.id).expect(200);
    expect((await as(tom.token).post(`/api/v1/bookings/${made.id}/session`).expect(200)).body).toEqual({ sessionId });
    // Sam's seating is kept, ended (his hours count to then); Tom's is a seating of its own.
    expect(
      await t.sql(
        `SELECT role, interpreter_id, ended_at IS NULL AS live FROM session_interpreters WHERE session_id = $1 ORDER BY role, id`,
        [sessionId],
      ),
    ).toEqual([
      { role: 'interpreter', interpreter_id: ana.interpreterId, live: true },
      { role: 'relay_interpreter', interpreter_id: sam.interpreterId, live: false },
      { role: 'relay_interpreter', interpreter_id: tom.interpreterId, live: true },
    ]);
    expect((await sam.socket.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    expect(await tom.socket.call('session:join', { sessionId })).toMatchObject({ participants: expect.any(Array) });
    expect(await t.sql(`SELECT matching_free($1) AS free`, [sam.interpreterId])).toEqual([{ free: true }]);
  });

  it('an interpreter who leaves a hearing before it starts while already in its open call is put out of it: told, dropped from the media, free', async () => {
    const { court, ana, sam, made, sessionId } = await chainInCall('MX', 'Juzgado de Tapachula', 6);
    for (const who of [ana, sam]) await as(who.token).post(`/api/v1/bookings/${made.id}/session`).expect(200);
    await inCall([court.socket, ana.socket, sam.socket], sessionId, closers);
    expect(await t.sql(`SELECT matching_free($1) AS free`, [sam.interpreterId])).toEqual([{ free: false }]);

    await as(sam.token).post(`/api/v1/bookings/${made.id}/decline`).expect(200);
    expect(await sam.socket.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'cancelled' });
    for (const s of [court.socket, ana.socket])
      expect(await s.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'relay_interpreter')).toEqual({
        sessionId,
        role: 'relay_interpreter',
      });
    expect((await sam.socket.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    expect(await t.sql(`SELECT matching_free($1) AS free`, [sam.interpreterId])).toEqual([{ free: true }]);
    // The hearing goes on for the others; its relay seat is asked again.
    expect((await t.sql<{ ended_at: Date | null }>(`SELECT ended_at FROM sessions WHERE id = $1`, [sessionId]))[0].ended_at).toBeNull();
    const roles = await t.app.get(MediaInspection).inspect(sessionId);
    expect(roles!.roles.sort()).toEqual(['interpreter', 'official']);
  });

  it('a team partner still in another call does not lock the others out of the hearing: she joins once she is free', async () => {
    const ixl = await languageId(t, 'ixl');
    const court = await official('BZ', 'Family Court, Belmopan');
    const ana = await person('BZ', 'ixl:5', 'eng:5', 'Ana');
    const bea = await person('BZ', 'ixl:4', 'eng:5', 'Bea');
    const made = (
      await book(court.token, { languageId: ixl, matter: 'violence', startsAt: inMinutes(5), durationMinutes: 180 }).expect(201)
    ).body;
    await confirm(ana, made.id).expect(200);
    await confirm(bea, made.id).expect(200);
    // Bea is still in another call (an on-demand one, seated as its lead).
    const [other] = await t.sql<{ id: string }>(
      `WITH s AS (INSERT INTO sessions (interpreter_id) VALUES ($1) RETURNING id)
       INSERT INTO session_interpreters (session_id, role, interpreter_id) SELECT id, 'interpreter', $1 FROM s RETURNING session_id AS id`,
      [bea.interpreterId],
    );
    const { sessionId } = (await as(court.token).post(`/api/v1/bookings/${made.id}/session`).expect(200)).body;
    expect((await as(ana.token).post(`/api/v1/bookings/${made.id}/session`).expect(200)).body).toEqual({ sessionId });
    expect((await as(bea.token).post(`/api/v1/bookings/${made.id}/session`).expect(409)).body.message).toMatch(/another call/);
    await t.sql(`SELECT * FROM session_end($1, NULL, 'completed', false)`, [other.id]);
    expect((await as(bea.token).post(`/api/v1/bookings/${made.id}/session`).expect(200)).body).toEqual({ sessionId });
    expect(await t.sql(`SELECT role, interpreter_id FROM session_interpreters WHERE session_id = $1 ORDER BY role`, [sessionId])).toEqual([
      { role: 'interpreter', interpreter_id: ana.interpreterId },
      { role: 'team_interpreter', interpreter_id: bea.interpreterId },
    ]);
  });
});
