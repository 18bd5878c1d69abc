import { BOOKING_SELECT } from '../../src/bookings/booking-row';
import { interpreter, languageId } from '../utils/matching-fixtures';
import { connect, TestSocket } from '../utils/socket-client';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/**
 * Attack 5 of issue 11: a code for a hearing whose call was not open yet answered 409 with the opening time (an
 * unknown one 404), so guessing could start days ahead; and no booking counted wrong guesses.
 */
describe('join codes: one answer for every refusal, and a failure budget per booking', () => {
  let t: TestApp;
  let lang: string;
  let official: { token: string; socket: TestSocket };
  /** Interpreters by id: a hearing at the same time as another needs another interpreter. */
  const interps = new Map<string, { token: string; socket: TestSocket }>();

  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT', JOIN_CODE_MAX_FAILURES: '5' });
    lang = await languageId(t, 'quc');
    const staff = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Paz, Totonicapán' });
    official = { token: staff.token, socket: await connect(t.url, staff.token) };
  });
  afterAll(async () => {
    official?.socket.close();
    interps.forEach((i) => i.socket.close());
    await t?.close();
  });

  const as = (token: string, path: string) => t.http().post(path).set('authorization', `Bearer ${token}`).send({});
  const redeem = (code: string) => t.http().post('/api/v1/bookings/join').send({ code });
  /** A confirmed remote hearing starting in `minutes` (its call opens ten minutes before). */
  const hearing = async (minutes: number) => {
    const person = await interpreter(t, { languages: 'quc:5', available: false });
    interps.set(person.interpreterId, person);
    const booked = await t
      .http()
      .post('/api/v1/bookings')
      .set('authorization', `Bearer ${official.token}`)
      .send({
        languageId: lang,
        matter: 'trafficking',
        startsAt: new Date(Date.now() + minutes * 60_000).toISOString(),
        durationMinutes: 30,
        remoteParticipant: true,
      })
      .expect(201);
    const [{ interpreter_id }] = await t.sql<{ interpreter_id: string }>(`SELECT interpreter_id FROM (${BOOKING_SELECT}) b WHERE id = $1`, [
      booked.body.id,
    ]);
    await as(interps.get(interpreter_id)!.token, `/api/v1/bookings/${booked.body.id}/confirm`).expect(200);
    return booked.body.id as string;
  };
  const codeFor = async (bookingId: string) =>
    (await as(official.token, `/api/v1/bookings/${bookingId}/join-code`).expect(200)).body.code.replace(/-/g, '') as string;
  /** The same locator (first four digits), another secret. */
  const near = (code: string, n: number) => code.slice(0, 4) + String((Number(code.slice(4)) + n) % 1_000_000).padStart(6, '0');
  const refusals = async () =>
    t.sql<{ subject_id: string | null; data: { reason: string } }>(
      `SELECT subject_id, data FROM audit_events WHERE type = 'booking.join_code_refused' ORDER BY seq`,
    );

  it('answers a wrong, used, expired and not-yet-open code alike, and audits each without the code', async () => {
    const open = await hearing(5);
    const later = await hearing(48 * 60);
    const used = await codeFor(open);
    await redeem(used).expect(200);
    const early = await codeFor(later);
    const expiring = await hearing(6);
    const expired = await codeFor(expiring);
    await t.sql(`UPDATE join_codes SET expires_at = now() - interval '1 second' WHERE booking_id = $1`, [expiring]);

    const answers = await Promise.all(['1234567890', used, expired, early].map((c) => redeem(c)));
    for (const res of answers) {
      expect(res.status).toBe(404);
      expect(res.text).toBe(answers[0].text);
      expect(res.headers['content-type']).toBe(answers[0].headers['content-type']);
    }
    expect(answers[0].text).not.toMatch(/opens at|\d{4}-\d\d-\d\d|used|expired/);
    expect((await refusals()).map((r) => r.data.reason).sort()).toEqual(['expired', 'not_open', 'used', 'wrong']);
    const audit = JSON.stringify(await t.sql(`SELECT * FROM audit_events`));
    for (const code of [used, expired, early]) expect(audit).not.toContain(code);

    // Trying the hearing's own code early did not use it up: once the call opens, it works.
    await t.sql(`UPDATE bookings SET starts_at = now() + interval '5 minutes', ends_at = now() + interval '35 minutes' WHERE id = $1`, [
      later,
    ]);
    expect((await redeem(early).expect(200)).body.sessionId).toEqual(expect.any(String));
  });

  it('voids a booking’s code after JOIN_CODE_MAX_FAILURES wrong ones within the hour, tells the official, and audits it', async () => {
    const id = await hearing(5);
    const code = await codeFor(id);
    // Four wrong guesses at its locator: counted, under the budget.
    for (let i = 1; i <= 4; i++) await redeem(near(code, i)).expect(404);
    expect(await t.sql(`SELECT failures FROM join_codes WHERE booking_id = $1`, [id])).toEqual([{ failures: 4 }]);
    // The fifth voids it: the right code no longer opens the call.
    await redeem(near(code, 5)).expect(404);
    await redeem(code).expect(404);
    expect(await t.sql(`SELECT 1 FROM join_codes WHERE booking_id = $1`, [id])).toEqual([]);
    await official.socket.next(
      'booking:update',
      (e: { bookingId: string; notice?: string }) => e.bookingId === id && e.notice === 'join_code_voided',
    );
    expect(await t.sql(`SELECT data FROM audit_events WHERE type = 'booking.join_code_voided' AND subject_id = $1`, [id])).toEqual([
      { data: { max: 5 } },
    ]);
    // The void code's own digits afterwards are just a wrong code, of no booking.
    expect((await refusals()).filter((r) => r.subject_id === id).map((r) => r.data.reason)).toEqual([
      'wrong',
      'wrong',
      'wrong',
      'wrong',
      'wrong',
    ]);

    // The official gives her a new code: the budget starts again, and four wrong ones leave it working.
    const fresh = await codeFor(id);
    for (let i = 1; i <= 4; i++) await redeem(near(fresh, i)).expect(404);
    await redeem(fresh).expect(200);
  });

  it('counts wrong guesses against the booking they aim at only', async () => {
    const mine = await hearing(5);
    const code = await codeFor(mine);
    const other = await hearing(5);
    const otherCode = await codeFor(other);
    for (let i = 1; i <= 6; i++) await redeem(near(otherCode, i)).expect(404);
    await redeem(code).expect(200);
    expect(await t.sql(`SELECT failures FROM join_codes WHERE booking_id = $1`, [mine])).toEqual([{ failures: 0 }]);
  });
});
