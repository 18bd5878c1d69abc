import { BOOKING_SELECT } from '../src/bookings/booking-row';
import ical from 'node-ical';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { MEDIA_FAILED } from '../src/sessions/end-reasons';
import { SessionsService } from '../src/sessions/sessions.service';
import { interpreter, languageId, until } from './utils/matching-fixtures';
import { TestSmtp } from './utils/smtp';
import { connect, TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * Hearings booked ahead, against the real PostgreSQL, Redis (Bull timers), mediasoup workers and a real SMTP
 * server. Each test uses its own language so that one test's interpreters are never another's candidates.
 */

interface Official {
  id: string;
  email: string;
  token: string;
  socket: TestSocket;
}

async function official(t: TestApp, institution: string, country = 'GT'): Promise<Official> {
  const staff = await createStaff(t, 'official', { country, institution });
  return { ...staff, socket: await connect(t.url, staff.token) };
}

interface Interp {
  interpreterId: string;
  email: string;
  token: string;
  socket: TestSocket;
}

/** An interpreter with an account and a connected console (presence does not matter to bookings). */
async function interp(
  t: TestApp,
  spec: { languages: string; country?: string; specialties?: string; gender?: string; firstName?: string },
): Promise<Interp> {
  const person = await interpreter(t, { ...spec, available: false });
  const [row] = await t.sql<{ email: string }>(`SELECT email FROM interpreters WHERE id = $1`, [person.interpreterId]);
  return { ...person, email: row.email };
}

const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

describe('hearings booked ahead', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  const sockets: TestSocket[] = [];
  const track = <T extends { socket: TestSocket }>(x: T): T => (sockets.push(x.socket), x);

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    t = await startTestApp({ SMTP_URL: smtp.url, BOOKING_SWEEP_SECONDS: '3600', BOOKING_BUFFER_MINUTES: '15', HOME_COUNTRY: 'GT' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await t?.close();
    await smtp?.close();
  });

  const book = (o: Official, body: Record<string, unknown>) =>
    t.http().post('/api/v1/bookings').set('authorization', `Bearer ${o.token}`).send(body);
  const as = (token: string) => ({
    get: (path: string) => t.http().get(path).set('authorization', `Bearer ${token}`),
    post: (path: string, body: object = {}) => t.http().post(path).set('authorization', `Bearer ${token}`).send(body),
    put: (path: string) => t.http().put(path).set('authorization', `Bearer ${token}`),
  });
  const state = async (id: string) =>
    (
      await t.sql<{ state: string; interpreter_id: string | null }>(
        `SELECT state, interpreter_id FROM (${BOOKING_SELECT}) b WHERE id = $1`,
        [id],
      )
    )[0];

  it('a suspended interpreter is released from the hearings she confirmed or was asked for: the official is told, the next one asked', async () => {
    const lang = await languageId(t, 'ixl');
    const court = track(await official(t, 'Juzgado de Nebaj'));
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const ana = track(await interp(t, { languages: 'ixl:5', firstName: 'Ana' }));
    const rosa = track(await interp(t, { languages: 'ixl:4', firstName: 'Rosa' }));
    // Both asked of Ana (the better level) before she confirms one (a confirmed hearing would put Rosa first, by fairness).
    const confirmed = await book(court, { languageId: lang, matter: 'violence', startsAt: inHours(50), durationMinutes: 60 }).expect(201);
    const asked = await book(court, { languageId: lang, matter: 'violence', startsAt: inHours(80), durationMinutes: 60 }).expect(201);
    expect([confirmed.body.interpreter, asked.body.interpreter]).toEqual([{ firstName: 'Ana' }, { firstName: 'Ana' }]);
    await as(ana.token).post(`/api/v1/bookings/${confirmed.body.id}/confirm`).expect(200);

    await t
      .http()
      .patch(`/api/v1/rosters/GT/interpreters/${ana.interpreterId}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ status: 'suspended' })
      .expect(200);
    // Both hearings went to the next candidate; the official hears that the confirmed one lost its interpreter.
    expect(await state(confirmed.body.id)).toEqual({ state: 'assigned', interpreter_id: rosa.interpreterId });
    expect(await state(asked.body.id)).toEqual({ state: 'assigned', interpreter_id: rosa.interpreterId });
    await court.socket.next('booking:update', (u) => u.bookingId === confirmed.body.id && u.notice === 'declined');
    await as(ana.token).get(`/api/v1/bookings/${confirmed.body.id}`).expect(404);
    const released = await t.sql<{ actor_role: string }>(
      `SELECT actor_role FROM audit_events WHERE type = 'booking.declined' AND subject_id = ANY ($1::uuid[])`,
      [[confirmed.body.id, asked.body.id]],
    );
    expect(released).toEqual([{ actor_role: 'system' }, { actor_role: 'system' }]);
  });

  it("interprets into what the other side speaks: her institution's language, or the one she names; who covers it is asked first", async () => {
    const lang = await languageId(t, 'poh');
    const [eng, spa, fra] = [await languageId(t, 'eng'), await languageId(t, 'spa'), await languageId(t, 'fra')];
    const court = track(await official(t, 'Immigration Court, Dallas', 'US'));
    // The Spanish one has the better level: she comes second all the same when English is asked.
    track(await interp(t, { languages: 'poh:5', country: 'US', firstName: 'Sofía' }));
    const emma = track(await interp(t, { languages: 'poh:3', country: 'US', firstName: 'Emma' }));
    await t.sql(`INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) VALUES ($1, $2, 4)`, [
      emma.interpreterId,
      eng,
    ]);
    await t.sql(`DELETE FROM interpreter_relay_languages WHERE interpreter_id = $1 AND language_id = $2`, [emma.interpreterId, spa]);

    const byDefault = await book(court, { languageId: lang, matter: 'violence', startsAt: inHours(30), durationMinutes: 60 }).expect(201);
    expect(byDefault.body).toMatchObject({ targetLanguageId: eng, interpreter: { firstName: 'Emma' } });
    const named = await book(court, {
      languageId: lang,
      targetLanguageId: spa,
      matter: 'violence',
      startsAt: inHours(60),
      durationMinutes: 60,
    }).expect(201);
    expect(named.body).toMatchObject({ targetLanguageId: spa, interpreter: { firstName: 'Sofía' } });
    const [audited] = await t.sql<{ data: { targetLanguageId: string } }>(
      `SELECT data FROM audit_events WHERE type = 'booking.created' AND subject_id = $1`,
      [byDefault.body.id],
    );
    expect(audited.data.targetLanguageId).toBe(eng);

    // An institution whose officials speak French (Canada): its bookings go into French unless she says otherwise.
    const quebec = track(await official(t, 'Tribunal administratif, Montréal', 'CA'));
    await t.sql(`UPDATE institutions SET language_id = $1 WHERE name = 'Tribunal administratif, Montréal'`, [fra]);
    const french = await book(quebec, { languageId: lang, matter: 'violence', startsAt: inHours(90), durationMinutes: 60 }).expect(201);
    expect(french.body.targetLanguageId).toBe(fra);

    for (const targetLanguageId of ['nope', '00000000-0000-4000-8000-000000000000']) {
      const bad = await book(court, { languageId: lang, targetLanguageId, matter: 'violence', startsAt: inHours(40), durationMinutes: 60 });
      expect({ status: bad.status, fields: bad.body.fields }).toEqual({ status: 400, fields: ['targetLanguageId'] });
    }
  });

  it('stores UTC, shows each hearing in its time zone, and applies her windows in hers across a daylight-saving change', async () => {
    const lang = await languageId(t, 'kek');
    const court = track(await official(t, 'Immigration Court, Houston', 'US'));
    const ana = track(await interp(t, { languages: 'kek:5', country: 'US' }));
    // Mondays 07:30-12:00 where she lives (Guatemala keeps no daylight time).
    await as(ana.token)
      .put('/api/v1/interpreters/me/availability')
      .send({ timeZone: 'America/Guatemala', windows: [{ weekday: 1, start: '07:30', end: '12:00' }] })
      .expect(200);

    // 09:00 in New York the Monday before daylight time (08:00 for her) and the Monday after (07:00 for her).
    const before = await book(court, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: '2027-03-08T09:00',
      timeZone: 'America/New_York',
      durationMinutes: 60,
    }).expect(201);
    const after = await book(court, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: '2027-03-15T09:00',
      timeZone: 'America/New_York',
      durationMinutes: 60,
    }).expect(201);
    expect(before.body).toMatchObject({
      startsAt: '2027-03-08T14:00:00.000Z',
      localStartsAt: '2027-03-08T09:00:00-05:00',
      timeZone: 'America/New_York',
      state: 'assigned',
    });
    expect(after.body).toMatchObject({
      startsAt: '2027-03-15T13:00:00.000Z',
      localStartsAt: '2027-03-15T09:00:00-04:00',
      localEndsAt: '2027-03-15T10:00:00-04:00',
    });
    const [stored] = await t.sql<{ starts_at: Date }>(`SELECT starts_at FROM bookings WHERE id = $1`, [after.body.id]);
    expect(stored.starts_at.toISOString()).toBe('2027-03-15T13:00:00.000Z');
    expect((await state(before.body.id)).interpreter_id).toBe(ana.interpreterId);
    // The second falls before her window opens: she is not asked, and the official hears nobody is free.
    expect(await state(after.body.id)).toEqual({ state: 'requested', interpreter_id: null });
    await court.socket.next('booking:update', (u) => u.bookingId === after.body.id && u.notice === 'no_interpreter');
    const offers = await t.sql(`SELECT 1 FROM booking_offers WHERE booking_id = $1`, [after.body.id]);
    expect(offers).toHaveLength(0);
    // An instant with an offset is taken as given; a wall-clock time skipped by the change is refused.
    const offset = await book(court, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: '2027-03-22T09:00:00-04:00',
      durationMinutes: 30,
    }).expect(201);
    expect(offset.body).toMatchObject({ startsAt: '2027-03-22T13:00:00.000Z', timeZone: 'America/New_York' });
    const gap = await book(court, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: '2027-03-14T02:30',
      timeZone: 'America/New_York',
      durationMinutes: 30,
    }).expect(400);
    expect(gap.body.fields).toEqual(['startsAt']);
  });

  it('never double-books: two officials booking the one interpreter for overlapping hours at the same instant', async () => {
    const lang = await languageId(t, 'cak');
    const a = track(await official(t, 'Juzgado A'));
    const b = track(await official(t, 'Juzgado B'));
    const only = track(await interp(t, { languages: 'cak:4' }));
    for (let round = 0; round < 6; round++) {
      const start = new Date(Date.now() + (72 + round * 5) * 3600_000);
      const body = (shiftMinutes: number) => ({
        languageId: lang,
        matter: 'violence',
        startsAt: new Date(start.getTime() + shiftMinutes * 60_000).toISOString(),
        durationMinutes: 60,
      });
      // Overlapping, or within the 15-minute buffer of each other.
      const [x, y] = await Promise.all([book(a, body(0)), book(b, body(round % 2 ? 70 : 30))]);
      expect([x.status, y.status]).toEqual([201, 201]);
      const holders = [await state(x.body.id), await state(y.body.id)].filter((s) => s.interpreter_id === only.interpreterId);
      expect(holders).toHaveLength(1);
    }
    // Ten institutions at once for one hour, three interpreters free: three get one each, nobody gets two.
    const more = [track(await interp(t, { languages: 'cak:3' })), track(await interp(t, { languages: 'cak:2' }))];
    const hour = new Date(Date.now() + 150 * 3600_000).toISOString();
    const courts = await Promise.all(Array.from({ length: 10 }, (_, i) => official(t, `Juzgado ${i}`)));
    courts.forEach((c) => track(c));
    const made = await Promise.all(
      courts.map((c) => book(c, { languageId: lang, matter: 'violence', startsAt: hour, durationMinutes: 60 })),
    );
    expect(made.map((r) => r.status)).toEqual(Array(10).fill(201));
    const held = (await Promise.all(made.map((r) => state(r.body.id)))).map((s) => s.interpreter_id).filter(Boolean);
    expect(held.sort()).toEqual([only, ...more].map((x) => x.interpreterId).sort());

    // Far enough apart (beyond the buffer), she holds both.
    const start = new Date(Date.now() + 200 * 3600_000);
    const p = await book(a, { languageId: lang, matter: 'violence', startsAt: start.toISOString(), durationMinutes: 60 }).expect(201);
    const q = await book(b, {
      languageId: lang,
      matter: 'violence',
      startsAt: new Date(start.getTime() + 80 * 60_000).toISOString(),
      durationMinutes: 60,
    }).expect(201);
    expect([(await state(p.body.id)).interpreter_id, (await state(q.body.id)).interpreter_id]).toEqual([
      only.interpreterId,
      only.interpreterId,
    ]);
    const overlaps = await t.sql(
      `SELECT 1 FROM booking_interpreters x JOIN booking_interpreters y ON x.id < y.id AND x.interpreter_id = y.interpreter_id AND x.blocked && y.blocked`,
    );
    expect(overlaps).toHaveLength(0);
  });

  it('asks the best candidate, moves to the next on a decline, and confirms by email with a calendar invitation', async () => {
    const lang = await languageId(t, 'tzo');
    const court = track(await official(t, 'Juzgado de Paz, San Cristóbal', 'MX'));
    const first = track(await interp(t, { languages: 'tzo:5', country: 'MX', specialties: 'violence' }));
    const second = track(await interp(t, { languages: 'tzo:3', country: 'MX', specialties: 'violence', firstName: 'Rosa' }));
    const { body } = await book(court, {
      languageId: lang,
      matter: 'violence',
      startsAt: inHours(100),
      durationMinutes: 90,
      caseReference: 'EXP-2027-0042',
    }).expect(201);
    expect(body).toMatchObject({
      state: 'assigned',
      interpreter: { firstName: 'Ana' },
      caseReference: 'EXP-2027-0042',
      confirmBy: expect.any(String),
    });
    await first.socket.next('booking:update', (u) => u.bookingId === body.id && u.state === 'assigned' && u.notice === 'asked');
    // She sees it without the case reference; the other interpreter does not see it at all.
    const hers = await as(first.token).get(`/api/v1/bookings/${body.id}`).expect(200);
    expect(hers.body).not.toHaveProperty('caseReference');
    await as(second.token).get(`/api/v1/bookings/${body.id}`).expect(404);

    expect((await as(first.token).post(`/api/v1/bookings/${body.id}/decline`).expect(200)).body).toEqual({
      bookingId: body.id,
      state: 'declined',
    });
    await second.socket.next('booking:update', (u) => u.bookingId === body.id && u.notice === 'asked');
    await as(first.token).get(`/api/v1/bookings/${body.id}`).expect(404);
    const confirmed = await as(second.token).post(`/api/v1/bookings/${body.id}/confirm`).expect(200);
    expect(confirmed.body).toMatchObject({ state: 'confirmed', interpreter: { firstName: 'Rosa' }, sequence: 1 });
    await court.socket.next('booking:update', (u) => u.bookingId === body.id && u.state === 'confirmed');
    // A second answer is refused.
    await as(second.token).post(`/api/v1/bookings/${body.id}/confirm`).expect(409);

    const mail = (await until(() => smtp.to(court.email).find((m) => /confirmed/.test(m.subject))))!;
    expect(mail.raw).toMatch(/BEGIN:VCALENDAR/);
    expect(mail.raw).not.toContain('EXP-2027-0042');
    expect(await until(() => smtp.to(second.email).find((m) => /confirmed/.test(m.subject)))).toBeTruthy();
    expect(smtp.to(first.email).some((m) => /can you interpret/.test(m.subject))).toBe(true);
    const audit = await t.sql<{ type: string; data: string }>(
      `SELECT type, data::text FROM audit_events WHERE subject_id = $1 ORDER BY seq`,
      [body.id],
    );
    expect(audit.map((a) => a.type)).toEqual([
      'booking.created',
      'booking.assigned',
      'booking.declined',
      'booking.assigned',
      'booking.confirmed',
    ]);
    expect(audit.map((a) => a.data).join(' ')).not.toContain('EXP-2027-0042');
  });

  it('searches her own roster first and widens to rosters that share once it has nobody left, never to one that does not share', async () => {
    const lang = await languageId(t, 'gym');
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('CR', 'PA') ON CONFLICT DO NOTHING`);
    const court = track(await official(t, 'Juzgado de Changuinola', 'PA'));
    const own = track(await interp(t, { languages: 'gym:4', country: 'PA', specialties: 'health' }));
    const shared = track(await interp(t, { languages: 'gym:5', country: 'CR', specialties: 'legal_labour' }));
    const notShared = track(await interp(t, { languages: 'gym:5', country: 'NI', specialties: 'legal_labour' }));
    const { body } = await book(court, { languageId: lang, matter: 'legal_labour', startsAt: inHours(120), durationMinutes: 60 }).expect(
      201,
    );
    // Her own roster's interpreter first (exact variant, without the specialty), though the other roster's has it.
    expect((await state(body.id)).interpreter_id).toBe(own.interpreterId);
    expect(body.widened).toBe(false);
    await as(own.token).post(`/api/v1/bookings/${body.id}/decline`).expect(200);
    await until(async () => (await state(body.id)).interpreter_id === shared.interpreterId);
    await court.socket.next('booking:update', (u) => u.bookingId === body.id && u.notice === 'widened');
    await as(shared.token).post(`/api/v1/bookings/${body.id}/decline`).expect(200);
    await until(async () => (await state(body.id)).state === 'requested');
    const asked = await t.sql<{ interpreter_id: string }>(
      `SELECT interpreter_id FROM booking_offers WHERE booking_id = $1 ORDER BY created_at`,
      [body.id],
    );
    expect(asked.map((a) => a.interpreter_id)).toEqual([own.interpreterId, shared.interpreterId]);
    expect(asked.map((a) => a.interpreter_id)).not.toContain(notShared.interpreterId);
  });

  it('tells the official when nobody has confirmed close to the hearing, and widens the search then', async () => {
    const lang = await languageId(t, 'cab');
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('BZ', 'HN') ON CONFLICT DO NOTHING`);
    const court = track(await official(t, 'Juzgado de La Ceiba', 'HN'));
    const slow = track(await interp(t, { languages: 'cab:5', country: 'HN' }));
    // Within the 48-hour widening deadline already: the widening job is due at once.
    const { body } = await book(court, { languageId: lang, matter: 'trafficking', startsAt: inHours(30), durationMinutes: 60 }).expect(201);
    await court.socket.next('booking:update', (u) => u.bookingId === body.id && u.notice === 'unconfirmed');
    const [row] = await t.sql<{ widened: boolean; interpreter_id: string }>(
      `SELECT widened, interpreter_id FROM (${BOOKING_SELECT}) b WHERE id = $1`,
      [body.id],
    );
    // Widening does not take the booking from the one already asked.
    expect(row).toEqual({ widened: true, interpreter_id: slow.interpreterId });
    expect(await until(() => smtp.to(court.email).find((m) => /no interpreter has confirmed/.test(m.subject)))).toBeTruthy();
    const events = await t.sql<{ type: string; data: { reason: string } }>(
      `SELECT type, data FROM audit_events WHERE subject_id = $1 AND type = 'booking.widened'`,
      [body.id],
    );
    expect(events.map((e) => e.data.reason)).toEqual(['unconfirmed']);
  });

  it('serves the calendar file: time zone, stable UID, SEQUENCE bumped on change, METHOD:CANCEL once cancelled', async () => {
    const lang = await languageId(t, 'tzh');
    const court = track(await official(t, 'Juzgado de Ocosingo', 'MX'));
    const other = track(await official(t, 'Fiscalía de Tapachula', 'MX'));
    const ana = track(await interp(t, { languages: 'tzh:5', country: 'MX' }));
    const { body } = await book(court, {
      languageId: lang,
      matter: 'legal_criminal',
      startsAt: '2027-06-01T10:00',
      timeZone: 'America/Mexico_City',
      durationMinutes: 120,
    }).expect(201);
    const parse = (text: string) => Object.values(ical.sync.parseICS(text)).find((c) => c?.type === 'VEVENT') as ical.VEvent;

    const first = await as(court.token)
      .get(`/api/v1/bookings/${body.id}/calendar.ics`)
      .expect(200)
      .expect('content-type', /text\/calendar/);
    const e1 = parse(first.text);
    expect(e1.uid).toBe(`${body.id}@puente`);
    expect(e1.start.toISOString()).toBe('2027-06-01T16:00:00.000Z');
    expect(e1.end?.toISOString()).toBe('2027-06-01T18:00:00.000Z');
    expect((e1.start as ical.DateWithTimeZone).tz).toBe('America/Mexico_City');
    expect(Number(e1.sequence)).toBe(0);
    expect(first.text).toMatch(/METHOD:REQUEST/);
    expect(first.text).toMatch(/BEGIN:VTIMEZONE\r?\nTZID:America\/Mexico_City/);

    await as(ana.token).post(`/api/v1/bookings/${body.id}/confirm`).expect(200);
    const forHer = (await as(ana.token).get(`/api/v1/bookings/${body.id}/calendar.ics`).expect(200)).text;
    expect(forHer).toMatch(/\/interpreter\//);
    expect(first.text).toMatch(/\/official\//);
    const second = parse(forHer);
    expect(second.uid).toBe(e1.uid);
    expect(Number(second.sequence)).toBe(1);

    await as(other.token).get(`/api/v1/bookings/${body.id}/calendar.ics`).expect(404);
    await as(court.token).post(`/api/v1/bookings/${body.id}/cancel`).expect(200);
    const cancelled = await as(court.token).get(`/api/v1/bookings/${body.id}/calendar.ics`).expect(200);
    const e3 = parse(cancelled.text);
    expect(cancelled.text).toMatch(/METHOD:CANCEL/);
    expect(e3.status).toBe('CANCELLED');
    expect(e3.uid).toBe(e1.uid);
    expect(Number(e3.sequence)).toBe(2);
  });

  it('cancels: the interpreter is told and emailed a cancellation, and every pending reminder is removed', async () => {
    const lang = await languageId(t, 'miq');
    const court = track(await official(t, 'Juzgado de Bilwi', 'NI'));
    const ana = track(await interp(t, { languages: 'miq:5', country: 'NI' }));
    const { body } = await book(court, { languageId: lang, matter: 'violence', startsAt: inHours(300), durationMinutes: 60 }).expect(201);
    await as(ana.token).post(`/api/v1/bookings/${body.id}/confirm`).expect(200);
    const queue = t.app.get<any>('BullQueue_bookings');
    const reminders = async () =>
      (await Promise.all([86400, 900].map((s) => queue.getJob(`booking-reminder:${body.id}:${s}`)))).filter(Boolean);
    expect(await reminders()).toHaveLength(2);
    const job = (await reminders())[0];
    expect(job.timestamp + job.opts.delay).toBeCloseTo(new Date(body.startsAt).getTime() - 86400_000, -4);

    const res = await as(court.token).post(`/api/v1/bookings/${body.id}/cancel`).expect(200);
    expect(res.body).toMatchObject({ state: 'cancelled', endReason: 'cancelled' });
    await ana.socket.next('booking:update', (u) => u.bookingId === body.id && u.state === 'cancelled');
    expect(await reminders()).toHaveLength(0);
    expect(await queue.getJob(`booking-end:${body.id}`)).toBeNull();
    const mail = (await until(() => smtp.to(ana.email).find((m) => /cancelled/.test(m.subject))))!;
    expect(mail.raw).toMatch(/METHOD:CANCEL/);
    await as(court.token).post(`/api/v1/bookings/${body.id}/cancel`).expect(409);
  });

  it('re-books a follow-up hearing with the same interpreter, though another would come first', async () => {
    const lang = await languageId(t, 'quc');
    const court = track(await official(t, 'Juzgado de Totonicapán'));
    const rosa = track(await interp(t, { languages: 'quc:5', firstName: 'Rosa' }));
    const ana = track(await interp(t, { languages: 'quc:3', firstName: 'Ana' }));
    const first = await book(court, { languageId: lang, matter: 'legal_civil', startsAt: inHours(400), durationMinutes: 60 }).expect(201);
    expect(first.body.interpreter).toEqual({ firstName: 'Rosa' });
    await as(rosa.token).post(`/api/v1/bookings/${first.body.id}/decline`).expect(200);
    await until(async () => (await state(first.body.id)).interpreter_id === ana.interpreterId);
    await as(ana.token).post(`/api/v1/bookings/${first.body.id}/confirm`).expect(200);
    // Rosa has waited longer and has the higher level, but the woman already told her story to Ana.
    const again = await book(court, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: inHours(500),
      durationMinutes: 60,
      followUpOf: first.body.id,
    }).expect(201);
    expect(again.body).toMatchObject({ followUpOf: first.body.id, interpreter: { firstName: 'Ana' } });
    const [offer] = await t.sql<{ tier: number }>(`SELECT tier FROM booking_offers WHERE booking_id = $1`, [again.body.id]);
    expect(offer.tier).toBe(0);
    // A follow-up of another institution's booking does not exist for her.
    const stranger = track(await official(t, 'Otro Juzgado'));
    await book(stranger, {
      languageId: lang,
      matter: 'legal_civil',
      startsAt: inHours(600),
      durationMinutes: 60,
      followUpOf: first.body.id,
    }).expect(404);
  });

  it("keeps each official to her institution's bookings and each interpreter to hers", async () => {
    const lang = await languageId(t, 'mam');
    const mine = track(await official(t, 'Juzgado de Quetzaltenango'));
    const colleagueStaff = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Quetzaltenango' });
    const colleague = { ...colleagueStaff, socket: await connect(t.url, colleagueStaff.token) };
    sockets.push(colleague.socket);
    const stranger = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Huehuetenango' });
    const strangerSocket = await connect(t.url, stranger.token);
    sockets.push(strangerSocket);
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const ana = track(await interp(t, { languages: 'mam:5' }));
    const otherInterp = track(await interp(t, { languages: 'kek:5' }));
    const { body } = await book(mine, { languageId: lang, matter: 'violence', startsAt: inHours(700), durationMinutes: 60 }).expect(201);
    await as(colleague.token).get(`/api/v1/bookings/${body.id}`).expect(200);
    // Her colleagues hear of its changes live too (one of them may run the hearing); another institution does not.
    await colleague.socket.next('booking:update', (u) => u.bookingId === body.id);
    expect(strangerSocket.seen('booking:update').filter((u) => u.bookingId === body.id)).toEqual([]);
    expect((await as(colleague.token).get('/api/v1/bookings').expect(200)).body.map((b: { id: string }) => b.id)).toContain(body.id);
    await as(stranger.token).get(`/api/v1/bookings/${body.id}`).expect(404);
    await as(stranger.token).post(`/api/v1/bookings/${body.id}/cancel`).expect(404);
    expect((await as(stranger.token).get('/api/v1/bookings').expect(200)).body.map((b: { id: string }) => b.id)).not.toContain(body.id);
    expect((await as(ana.token).get('/api/v1/bookings').expect(200)).body.map((b: { id: string }) => b.id)).toContain(body.id);
    await as(otherInterp.token).get(`/api/v1/bookings/${body.id}`).expect(404);
    await as(otherInterp.token).post(`/api/v1/bookings/${body.id}/confirm`).expect(404);
    await as(admin.token).get('/api/v1/bookings').expect(403);
    await as(ana.token).post('/api/v1/bookings').send({}).expect(403);
    // Bad input names the field and stores nothing.
    const count = async () => (await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM bookings`))[0].n;
    const before = await count();
    const bad = await book(mine, {
      languageId: lang,
      matter: 'violence',
      startsAt: inHours(10),
      durationMinutes: 60,
      caseReference: 'Maria Lopez told me',
    }).expect(400);
    expect(bad.body.fields).toEqual(['caseReference']);
    expect(
      (await book(mine, { languageId: lang, matter: 'gossip', startsAt: 'tomorrow', durationMinutes: 5 }).expect(400)).body.fields.sort(),
    ).toEqual(['durationMinutes', 'matter', 'startsAt']);
    expect(
      (await book(mine, { languageId: lang, matter: 'violence', startsAt: '2020-01-01T10:00:00Z', durationMinutes: 60 }).expect(400)).body
        .fields,
    ).toEqual(['startsAt']);
    expect(
      (await book(mine, { languageId: randomUUID(), matter: 'violence', startsAt: inHours(10), durationMinutes: 60 }).expect(400)).body
        .fields,
    ).toEqual(['languageId']);
    expect(
      (await book(mine, { languageId: lang, matter: 'violence', startsAt: inHours(10), durationMinutes: 60, name: 'x' }).expect(400)).body
        .fields,
    ).toEqual(['name']);
    expect(await count()).toBe(before);
  });

  it('opens the hearing call a few minutes before; a join code works once, for the woman, and not after it expires', async () => {
    const lang = await languageId(t, 'ixl');
    const court = track(await official(t, 'Juzgado de Bocas del Toro', 'PA'));
    const ana = track(await interp(t, { languages: 'ixl:5', country: 'PA' }));
    const later = await book(court, {
      languageId: lang,
      matter: 'violence',
      startsAt: inHours(48),
      durationMinutes: 60,
      remoteParticipant: true,
    }).expect(201);
    await as(ana.token).post(`/api/v1/bookings/${later.body.id}/confirm`).expect(200);
    // The call opens ten minutes before the start and closes an hour after the end (the defaults).
    expect(Date.parse(later.body.callOpensAt)).toBe(Date.parse(later.body.startsAt) - 600_000);
    expect(Date.parse(later.body.callClosesAt)).toBe(Date.parse(later.body.endsAt) + 3600_000);
    const early = await as(court.token).post(`/api/v1/bookings/${later.body.id}/session`).expect(409);
    expect(early.body.message).toMatch(/opens at/);

    // In five minutes: within the ten minutes before the start.
    const soon = await book(court, {
      languageId: lang,
      matter: 'violence',
      startsAt: new Date(Date.now() + 5 * 60_000).toISOString(),
      durationMinutes: 30,
      remoteParticipant: true,
    });
    expect(soon.status).toBe(201);
    const soonAna = await until(async () => (await state(soon.body.id)).interpreter_id);
    expect(soonAna).toBe(ana.interpreterId);
    await as(ana.token).post(`/api/v1/bookings/${soon.body.id}/confirm`).expect(200);
    // Kept for her hearing: though she is available, an on-demand caller of her language is not offered to her.
    expect(await ana.socket.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    const onDemand = await connect(t.url, (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken);
    sockets.push(onDemand);
    const waiting = await onDemand.call('request:create', {
      languageId: lang,
      matter: 'violence',
      urgency: 'emergency',
      minor: false,
      country: 'PA',
    });
    expect(waiting.state).toBe('queued');
    expect(await t.sql(`SELECT 1 FROM offers WHERE interpreter_id = $1`, [ana.interpreterId])).toEqual([]);
    expect(await onDemand.call('request:cancel', { requestId: waiting.requestId })).toEqual({ state: 'cancelled' });
    const { sessionId } = (await as(court.token).post(`/api/v1/bookings/${soon.body.id}/session`).expect(200)).body;
    expect((await as(ana.token).post(`/api/v1/bookings/${soon.body.id}/session`).expect(200)).body).toEqual({ sessionId });

    const issued = await as(court.token).post(`/api/v1/bookings/${soon.body.id}/join-code`).expect(200);
    expect(issued.body).toEqual({
      code: expect.stringMatching(/^\d{4}-\d{4}-\d{2}$/),
      expiresAt: expect.any(String),
      joinPath: expect.stringMatching(/^\/\?join=\d{10}$/),
    });
    const [stored] = await t.sql<{ code_hash: string }>(`SELECT code_hash FROM join_codes WHERE booking_id = $1`, [soon.body.id]);
    expect(stored.code_hash).not.toContain(issued.body.code.replace(/-/g, ''));
    const woman = await t.http().post('/api/v1/bookings/join').send({ code: issued.body.code }).expect(200);
    expect(woman.body).toEqual({ accessToken: expect.any(String), sessionId, call: 'hearing' });
    await t.http().post('/api/v1/bookings/join').send({ code: issued.body.code }).expect(404);

    // Her token joins that call (real mediasoup router) as the caller; it joins no other.
    const her = await connect(t.url, woman.body.accessToken);
    sockets.push(her);
    const joined = await her.call('session:join', { sessionId });
    expect((joined.routerRtpCapabilities as { codecs: unknown[] }).codecs.length).toBeGreaterThan(0);
    expect((await her.call('session:join', { sessionId: randomUUID() })).error.code).toBe('NOT_FOUND');
    // Only the official's leaving ends the hearing.
    const host = court.socket;
    expect(await her.call('session:leave', { sessionId })).toEqual({});
    await host.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller');
    expect((await state(soon.body.id)).state).toBe('confirmed');

    // A fresh code that has expired is refused; the official may issue codes only for remote participation.
    const next = await as(court.token).post(`/api/v1/bookings/${soon.body.id}/join-code`).expect(200);
    await t.sql(`UPDATE join_codes SET expires_at = now() - interval '1 second' WHERE booking_id = $1`, [soon.body.id]);
    await t.http().post('/api/v1/bookings/join').send({ code: next.body.code }).expect(404);
    expect((await t.http().post('/api/v1/bookings/join').send({ code: 'letters' }).expect(400)).body.fields).toEqual(['code']);

    // Media that could not be rebuilt on any worker ends the call (media_failed), not the hearing: joining
    // again opens a new session for it (the woman needs a new code: the ended session forgot who she was).
    // (What the media module does when no worker can take the call: RoomsService ends it so.)
    expect(await t.app.get(DataSource).transaction((m) => t.app.get(SessionsService).end(m, sessionId, MEDIA_FAILED))).not.toBeNull();
    const [first] = await t.sql(`SELECT ended_at IS NOT NULL AS ended, end_reason, caller_sub FROM sessions WHERE id = $1`, [sessionId]);
    expect(first).toEqual({ ended: true, end_reason: 'media_failed', caller_sub: null });
    expect((await state(soon.body.id)).state).toBe('confirmed');
    const reopened = (await as(ana.token).post(`/api/v1/bookings/${soon.body.id}/session`).expect(200)).body.sessionId;
    expect(reopened).toEqual(expect.any(String));
    expect(reopened).not.toBe(sessionId);
    expect((await as(court.token).post(`/api/v1/bookings/${soon.body.id}/session`).expect(200)).body).toEqual({ sessionId: reopened });
    const again = (await as(court.token).post(`/api/v1/bookings/${soon.body.id}/join-code`).expect(200)).body.code;
    const back = (await t.http().post('/api/v1/bookings/join').send({ code: again }).expect(200)).body;
    expect(back.sessionId).toBe(reopened);
    const herAgain = await connect(t.url, back.accessToken);
    sockets.push(herAgain);
    expect((await herAgain.call('session:join', { sessionId: reopened })).routerRtpCapabilities).toBeDefined();

    expect(await host.call('session:leave', { sessionId: reopened })).toEqual({});
    await ana.socket.next('session:ended', (e) => e.sessionId === reopened);
    // The woman is told too, though ending the session forgets who she was.
    await herAgain.next('session:ended', (e) => e.sessionId === reopened);
    expect(await state(soon.body.id)).toMatchObject({ state: 'completed' });
    expect(await t.sql(`SELECT end_reason, caller_sub FROM sessions WHERE booking_id = $1 ORDER BY created_at`, [soon.body.id])).toEqual([
      { end_reason: 'media_failed', caller_sub: null },
      { end_reason: 'completed', caller_sub: null },
    ]);
    // A hearing that is over is not reopened.
    await as(ana.token).post(`/api/v1/bookings/${soon.body.id}/session`).expect(409);
  });
});
