import { BOOKING_SELECT } from '../../src/bookings/booking-row';
import { interpreter, languageId, until } from '../utils/matching-fixtures';
import { connect, TestSocket } from '../utils/socket-client';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/**
 * Issue 11, attack 1: a roster admin of one country took over another country's hearing by creating an
 * official whose free-text institution was the other court's name, and a later join replaced the seats of the
 * people in the call. Institutions are records now, bookings are scoped by id, and a live seat is owned.
 */
describe('security: institutions and the seats of a hearing', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const as = (token?: string) => {
    const auth = (r: ReturnType<ReturnType<TestApp['http']>['get']>) => (token ? r.set('authorization', `Bearer ${token}`) : r);
    return {
      get: (path: string) => auth(t.http().get(path)),
      post: (path: string, body: object = {}) => auth(t.http().post(path)).send(body),
      patch: (path: string, body: object = {}) => auth(t.http().patch(path)).send(body),
    };
  };
  const socketOf = async (token: string) => {
    const s = await connect(t.url, token);
    sockets.push(s);
    return s;
  };

  let gtAdmin: { token: string };
  let mxAdmin: { token: string };
  let platform: { token: string };
  beforeAll(async () => {
    t = await startTestApp();
    [gtAdmin, mxAdmin, platform] = [
      await createStaff(t, 'roster_admin', { country: 'GT' }),
      await createStaff(t, 'roster_admin', { country: 'MX' }),
      await createStaff(t, 'platform_admin'),
    ];
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.close();
  });

  /** An official placed through the API by the given admin. */
  async function officialIn(admin: { token: string }, institutionId: string) {
    const email = `official-${Math.random().toString(36).slice(2, 10)}@test.puente.example`;
    await as(admin.token).post('/api/v1/users', { role: 'official', email, password: 'Strong-Password-1', institutionId }).expect(201);
    const login = await t.http().post('/api/v1/auth/login').send({ email, password: 'Strong-Password-1' }).expect(200);
    return { token: login.body.accessToken as string };
  }

  describe('institutions as records', () => {
    it("are created by their country's roster admin, with the country's main language by default, and listed for her only", async () => {
      const res = await as(gtAdmin.token)
        .post('/api/v1/institutions', { country: 'GT', name: 'Juzgado de Paz, Sololá', kind: 'court' })
        .expect(201);
      const [spa] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'spa' AND variant IS NULL`);
      expect(res.body).toEqual({
        id: expect.any(String),
        country: 'GT',
        name: 'Juzgado de Paz, Sololá',
        kind: 'court',
        languageId: spa.id,
      });
      const [us] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'eng' AND variant IS NULL`);
      const houston = await as(platform.token)
        .post('/api/v1/institutions', { country: 'US', name: 'Immigration Court, Dallas', kind: 'court' })
        .expect(201);
      expect(houston.body.languageId).toBe(us.id);
      const mine = (await as(gtAdmin.token).get('/api/v1/institutions').expect(200)).body as { country: string }[];
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((i) => i.country === 'GT')).toBe(true);
      await as(gtAdmin.token).get('/api/v1/institutions?country=US').expect(404);
      expect(
        ((await as(platform.token).get('/api/v1/institutions?country=US').expect(200)).body as { id: string }[]).map((i) => i.id),
      ).toContain(houston.body.id);
      const renamed = await as(gtAdmin.token)
        .patch(`/api/v1/institutions/${res.body.id}`, { name: 'Juzgado de Paz de Sololá', kind: 'court' })
        .expect(200);
      expect(renamed.body.name).toBe('Juzgado de Paz de Sololá');
      const audit = await t.sql<{ type: string }>(`SELECT type FROM audit_events WHERE subject_id = $1 ORDER BY seq`, [res.body.id]);
      expect(audit.map((a) => a.type)).toEqual(['institution.created', 'institution.updated']);
    });

    it.each([
      ['another country (404)', () => mxAdmin, { country: 'GT', name: 'Fiscalía de la Mujer', kind: 'prosecutor' }, 404, null],
      ['an unknown kind (400 naming kind)', () => gtAdmin, { country: 'GT', name: 'Fiscalía', kind: 'church' }, 400, 'kind'],
      [
        'a name with a bidi override (400 naming name)',
        () => gtAdmin,
        { country: 'GT', name: 'Juzgado \u202Eevil', kind: 'court' },
        400,
        'name',
      ],
      [
        'a name with a zero-width space (400 naming name)',
        () => gtAdmin,
        { country: 'GT', name: 'Juz\u200Bgado', kind: 'court' },
        400,
        'name',
      ],
      ['an unknown field (400)', () => gtAdmin, { country: 'GT', name: 'Juzgado X', kind: 'court', owner: 'me' }, 400, 'owner'],
      [
        'a language not in the catalogue (400 naming languageId)',
        () => gtAdmin,
        { country: 'GT', name: 'Juzgado Y', kind: 'court', languageId: '00000000-0000-4000-8000-000000000000' },
        400,
        'languageId',
      ],
    ])('refuses %s', async (_what, who, body, status, field) => {
      const res = await as(who().token).post('/api/v1/institutions', body).expect(status);
      if (field) expect(res.body.fields).toContain(field);
    });

    it('refuses a duplicate name in one country (409 naming name), anonymous callers (401) and staff who are not admins (403)', async () => {
      await as(gtAdmin.token).post('/api/v1/institutions', { country: 'GT', name: 'Albergue Casa Refugio', kind: 'shelter' }).expect(201);
      const dup = await as(gtAdmin.token)
        .post('/api/v1/institutions', { country: 'GT', name: 'Albergue Casa Refugio', kind: 'shelter' })
        .expect(409);
      expect(dup.body.fields).toEqual(['name']);
      await as().post('/api/v1/institutions', { country: 'GT', name: 'X Court', kind: 'court' }).expect(401);
      const official = await createStaff(t, 'official', { country: 'GT' });
      await as(official.token).post('/api/v1/institutions', { country: 'GT', name: 'X Court', kind: 'court' }).expect(403);
      await as(official.token).get('/api/v1/institutions').expect(403);
    });
  });

  describe("attack 1: another country's admin and the GT court's hearing", () => {
    let court: { id: string };
    let gtOfficial: { token: string };
    let bookingId: string;
    beforeAll(async () => {
      court = (
        await as(gtAdmin.token)
          .post('/api/v1/institutions', { country: 'GT', name: 'Juzgado de Paz, Quetzaltenango', kind: 'court' })
          .expect(201)
      ).body;
      gtOfficial = await officialIn(gtAdmin, court.id);
      const lang = await languageId(t, 'mam');
      const res = await as(gtOfficial.token)
        .post('/api/v1/bookings', {
          languageId: lang,
          matter: 'violence',
          startsAt: new Date(Date.now() + 72 * 3600_000).toISOString(),
          durationMinutes: 60,
          caseReference: 'EXP-GT-1',
          remoteParticipant: true,
        })
        .expect(201);
      bookingId = res.body.id;
      expect(res.body.institutionId).toBe(court.id);
    });

    it('cannot place an official in the GT court (404 naming institutionId) nor edit it (404)', async () => {
      const res = await as(mxAdmin.token)
        .post('/api/v1/users', { role: 'official', email: 'intruder@mx.example', password: 'Strong-Password-1', institutionId: court.id })
        .expect(404);
      expect(res.body.fields).toEqual(['institutionId']);
      await as(mxAdmin.token).patch(`/api/v1/institutions/${court.id}`, { name: 'Mine now' }).expect(404);
      expect(await t.sql(`SELECT 1 FROM users WHERE email = 'intruder@mx.example'`)).toEqual([]);
    });

    it('an MX institution with the very same name sees nothing of the GT booking', async () => {
      const twin = (
        await as(mxAdmin.token)
          .post('/api/v1/institutions', { country: 'MX', name: 'Juzgado de Paz, Quetzaltenango', kind: 'court' })
          .expect(201)
      ).body;
      const intruder = await officialIn(mxAdmin, twin.id);
      const listed = (await as(intruder.token).get('/api/v1/bookings').expect(200)).body as { id: string }[];
      expect(listed.map((b) => b.id)).not.toContain(bookingId);
      await as(intruder.token).get(`/api/v1/bookings/${bookingId}`).expect(404);
      await as(intruder.token).get(`/api/v1/bookings/${bookingId}/calendar.ics`).expect(404);
      await as(intruder.token).post(`/api/v1/bookings/${bookingId}/join-code`).expect(404);
      await as(intruder.token).post(`/api/v1/bookings/${bookingId}/session`).expect(404);
      await as(intruder.token).post(`/api/v1/bookings/${bookingId}/cancel`).expect(404);
      expect((await t.sql<{ state: string }>(`SELECT state FROM bookings WHERE id = $1`, [bookingId]))[0].state).not.toBe('cancelled');
      // The GT official's own view is untouched.
      expect((await as(gtOfficial.token).get(`/api/v1/bookings/${bookingId}`).expect(200)).body.caseReference).toBe('EXP-GT-1');
    });
  });

  describe("the seats of a live hearing's call", () => {
    let officialA: { token: string };
    let officialB: { token: string };
    let bookingId: string;
    let sessionId: string;
    let interpreterSocket: TestSocket;
    beforeAll(async () => {
      const court = (
        await as(gtAdmin.token).post('/api/v1/institutions', { country: 'GT', name: 'Juzgado de Rabinal', kind: 'court' }).expect(201)
      ).body;
      [officialA, officialB] = [await officialIn(gtAdmin, court.id), await officialIn(gtAdmin, court.id)];
      const lang = await languageId(t, 'acr');
      const ana = await interpreter(t, { languages: 'acr:5', specialties: 'violence', available: false });
      interpreterSocket = ana.socket;
      sockets.push(ana.socket);
      const res = await as(officialA.token)
        .post('/api/v1/bookings', {
          languageId: lang,
          matter: 'violence',
          startsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
          durationMinutes: 30,
          remoteParticipant: true,
        })
        .expect(201);
      bookingId = res.body.id;
      await until(
        async () =>
          (await t.sql<{ interpreter_id: string | null }>(`SELECT interpreter_id FROM (${BOOKING_SELECT}) b WHERE id = $1`, [bookingId]))[0]
            .interpreter_id,
      );
      await as(ana.token).post(`/api/v1/bookings/${bookingId}/confirm`).expect(200);
      sessionId = (await as(officialA.token).post(`/api/v1/bookings/${bookingId}/session`).expect(200)).body.sessionId;
      const a = await socketOf(officialA.token);
      expect((await a.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
    });

    it("a colleague cannot take the official's seat while she is in the call; her own second device can", async () => {
      const refused = await as(officialB.token).post(`/api/v1/bookings/${bookingId}/session`).expect(409);
      expect(refused.body.message).toMatch(/seat/);
      const b = await socketOf(officialB.token);
      expect((await b.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
      // Her second device (same account): the same seat.
      expect((await as(officialA.token).post(`/api/v1/bookings/${bookingId}/session`).expect(200)).body).toEqual({ sessionId });
      const a2 = await socketOf(officialA.token);
      expect((await a2.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
      expect(interpreterSocket.socket.connected).toBe(true);
    });

    it('a second code does not replace the woman while she is in the call, and works once she has left; each code once', async () => {
      const first = (await as(officialA.token).post(`/api/v1/bookings/${bookingId}/join-code`).expect(200)).body.code;
      const woman = (await t.http().post('/api/v1/bookings/join').send({ code: first }).expect(200)).body;
      const her = await socketOf(woman.accessToken);
      expect((await her.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
      await t.http().post('/api/v1/bookings/join').send({ code: first }).expect(404);

      const second = (await as(officialA.token).post(`/api/v1/bookings/${bookingId}/join-code`).expect(200)).body.code;
      const taken = await t.http().post('/api/v1/bookings/join').send({ code: second }).expect(409);
      expect(taken.body.message).toMatch(/seat/);
      const [{ caller_sub }] = await t.sql<{ caller_sub: string }>(`SELECT caller_sub FROM sessions WHERE id = $1`, [sessionId]);
      const subOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub;
      expect(caller_sub).toBe(subOf(woman.accessToken));
      // She is still in the call and still hears the others leave and come.
      expect(her.socket.connected).toBe(true);

      expect(await her.call('session:leave', { sessionId })).toEqual({});
      const back = (await t.http().post('/api/v1/bookings/join').send({ code: second }).expect(200)).body;
      expect(back.sessionId).toBe(sessionId);
      await t.http().post('/api/v1/bookings/join').send({ code: second }).expect(404);
    });
  });
});
