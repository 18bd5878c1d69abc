import { randomBytes, randomUUID } from 'node:crypto';
import { RostersService } from '../src/rosters/rosters.service';
import { createTestDatabase } from './utils/db';
import { languageId, until } from './utils/matching-fixtures';
import { TestSmtp } from './utils/smtp';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * The timers of bookings are Bull jobs in Redis: an unanswered request moves on to the next interpreter, and
 * reminders go out at their time even when the application was restarted in between. Short configured
 * delays; the sweep is off (an hour), so what happens is the jobs' doing.
 */
describe('booking timers (Bull on Redis, across a restart)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let smtp: TestSmtp;
  let t: TestApp | undefined;
  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_PREFIX: prefix,
    SMTP_URL: smtp.url,
    BOOKING_SWEEP_SECONDS: '3600',
    BOOKING_CONFIRM_SECONDS: '5',
    BOOKING_REMINDERS_SECONDS: '9,6',
  });
  const prefix = `t${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    smtp = await TestSmtp.start();
    t = await startTestApp({ ...env(), media: false });
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
    await smtp?.close();
  });

  async function interp(app: TestApp, languages: string, firstName: string) {
    const externalId = `bt-${randomUUID().slice(0, 12)}`;
    await app.app.get(RostersService).importRoster(
      'GT',
      [
        {
          external_id: externalId,
          first_name: firstName,
          email: `${externalId}@test.puente.example`,
          languages,
          relay_languages: 'spa',
          // Certified (a body, no end): hearings need it by default.
          certification_body: 'TEST',
          status: 'active',
        },
      ],
      null,
    );
    const [row] = await app.sql<{ id: string }>(`SELECT id FROM interpreters WHERE external_id = $1`, [externalId]);
    return {
      interpreterId: row.id,
      email: `${externalId}@test.puente.example`,
      token: (await createStaff(app, 'interpreter', { country: 'GT', interpreterId: row.id })).token,
    };
  }

  it('asks the next interpreter when the first does not answer in time', async () => {
    const app = t!;
    const lang = await languageId(app, 'acr');
    const silent = await interp(app, 'acr:5', 'Ana');
    const next = await interp(app, 'acr:4', 'Rosa');
    const court = await createStaff(app, 'official', { country: 'GT', institution: 'Juzgado de Rabinal' });
    const res = await app
      .http()
      .post('/api/v1/bookings')
      .set('authorization', `Bearer ${court.token}`)
      .send({ languageId: lang, matter: 'violence', startsAt: new Date(Date.now() + 72 * 3600_000).toISOString(), durationMinutes: 60 })
      .expect(201);
    expect(res.body.interpreter).toEqual({ firstName: 'Ana' });
    const offers = await until(
      () =>
        app.sql<{ interpreter_id: string; outcome: string | null }>(
          `SELECT interpreter_id, outcome FROM booking_offers WHERE booking_id = $1 ORDER BY created_at`,
          [res.body.id],
        ),
      (rows) => rows.length === 2,
    );
    expect(offers).toEqual([
      { interpreter_id: silent.interpreterId, outcome: 'expired' },
      { interpreter_id: next.interpreterId, outcome: null },
    ]);
    // Too late for the first to confirm now.
    await app.http().post(`/api/v1/bookings/${res.body.id}/confirm`).set('authorization', `Bearer ${silent.token}`).send({}).expect(404);
  });

  it('sends each reminder at its time after the application was restarted, to the official and the interpreter', async () => {
    const lang = await languageId(t!, 'kjb');
    const ana = await interp(t!, 'kjb:5', 'Ana');
    const court = await createStaff(t!, 'official', { country: 'GT', institution: 'Juzgado de Santa Eulalia' });
    const startsAt = new Date(Date.now() + 14_000);
    const res = await t!
      .http()
      .post('/api/v1/bookings')
      .set('authorization', `Bearer ${court.token}`)
      .send({ languageId: lang, matter: 'legal_civil', startsAt: startsAt.toISOString(), durationMinutes: 30 })
      .expect(201);
    await t!.http().post(`/api/v1/bookings/${res.body.id}/confirm`).set('authorization', `Bearer ${ana.token}`).send({}).expect(200);
    const queue = t!.app.get<any>('BullQueue_bookings');
    for (const seconds of [9, 6]) {
      const job = await queue.getJob(`booking-reminder:${res.body.id}:${seconds}`);
      expect(job.timestamp + job.opts.delay).toBeCloseTo(startsAt.getTime() - seconds * 1000, -3);
    }

    // The node goes down before either reminder is due, and another starts on the same database and Redis.
    await t!.app.close();
    t = undefined;
    expect(smtp.mails.filter((m) => /reminder/.test(m.subject))).toHaveLength(0);
    t = await startTestApp({ ...env(), media: false });

    const reminders = await until(
      () => smtp.mails.filter((m) => /reminder/.test(m.subject)),
      (m) => m.length === 4,
    );
    for (const seconds of [9, 6]) {
      const sent = reminders.filter((m) => m.raw.includes(`the hearing starts in ${seconds} seconds`));
      expect(sent.flatMap((m) => m.to).sort()).toEqual([court.email, ana.email].sort());
    }
    // None went out early.
    expect(Math.min(...reminders.map((m) => m.receivedAt))).toBeGreaterThanOrEqual(startsAt.getTime() - 9000);
  });
});
