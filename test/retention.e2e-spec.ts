import { AuditService } from '../src/audit/audit.service';
import { interpreter, languageId } from './utils/matching-fixtures';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/**
 * The retention purge as it runs in production: a Bull job deleting the metadata of ended calls and
 * hearings older than each country's retention, then an audited, chained purge of the oldest audit events,
 * after which the chain still verifies.
 */
describe('retention purge (PostgreSQL, Bull)', () => {
  let t: TestApp;
  let interp: string;
  let official: string;
  let lang: string;

  async function endedRequest(country: string | null, endedDaysAgo: number): Promise<string> {
    const [r] = await t.sql<{ id: string }>(
      `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, country, priority, state, created_at, ended_at, interpreter_id)
       VALUES ($1, 'violence', 'normal', false, $2, 1, 'completed', $3::timestamptz - interval '1 hour', $3::timestamptz, $4) RETURNING id`,
      [lang, country, ago(endedDaysAgo), interp],
    );
    await t.sql(
      `INSERT INTO offers (request_id, interpreter_id, tier, created_at, expires_at, outcome, decided_at, holds) VALUES ($1, $2, 1, $3, $3, 'accepted', $3, false)`,
      [r.id, interp, ago(endedDaysAgo)],
    );
    await t.sql(
      `INSERT INTO sessions (request_id, interpreter_id, started_at, ended_at, end_reason) VALUES ($1, $2, $3, $3, 'completed')`,
      [r.id, interp, ago(endedDaysAgo)],
    );
    return r.id;
  }

  async function endedBooking(country: string, endedDaysAgo: number, followUpOf: string | null = null): Promise<string> {
    const [b] = await t.sql<{ id: string }>(
      `INSERT INTO bookings (institution_id, official_id, country, language_id, matter, starts_at, ends_at, duration_minutes, time_zone, state, end_reason, follow_up_of)
       VALUES ((SELECT institution_id FROM users WHERE id = $1), $1, $2, $3, 'violence', $4::timestamptz - interval '1 hour', $4::timestamptz, 60, 'UTC', 'completed', 'completed', $5) RETURNING id`,
      [official, country, lang, ago(endedDaysAgo), followUpOf],
    );
    await t.sql(
      `WITH seat AS (INSERT INTO booking_interpreters (booking_id, leg, state, interpreter_id) VALUES ($1, 'direct', 'confirmed', $2) RETURNING id)
       INSERT INTO booking_offers (booking_id, seat_id, interpreter_id, tier, expires_at, outcome, decided_at) SELECT $1, id, $2, 1, now(), 'confirmed', now() FROM seat`,
      [b.id, interp],
    );
    return b.id;
  }

  beforeAll(async () => {
    t = await startTestApp({ media: false, RETENTION_DAYS: '365', HOME_COUNTRY: 'GT', RETENTION_PURGE_EVERY_SECONDS: '3600' });
    const person = await interpreter(t, { languages: 'mam:5', available: false });
    person.socket.close();
    interp = person.interpreterId;
    official = (await createStaff(t, 'official', { country: 'MX', institution: 'Juzgado' })).id;
    lang = await languageId(t, 'mam');
  });
  afterAll(() => t?.close());

  it('is a repeatable job, and deletes what each country no longer keeps, the audit log last, with the chain intact', async () => {
    const queue = t.app.get<any>('BullQueue_retention');
    expect((await queue.getRepeatableJobs()).map((j: { every: string }) => Number(j.every))).toEqual([3600_000]);

    // Audit events from long ago (the clock alone is moved while they are written).
    jest.useFakeTimers({
      now: Date.now() - 500 * DAY,
      doNotFake: [
        'setTimeout',
        'setInterval',
        'setImmediate',
        'clearTimeout',
        'clearInterval',
        'nextTick',
        'queueMicrotask',
        'hrtime',
        'performance',
      ],
    });
    const audit = t.app.get(AuditService);
    const old = [await audit.record('test.old'), await audit.record('test.old')];
    jest.useRealTimers();
    const recent = await audit.record('test.recent');

    const admin = await createStaff(t, 'roster_admin', { country: 'MX' });
    const set = await t
      .http()
      .put('/api/v1/rosters/MX/retention')
      .set('authorization', `Bearer ${admin.token}`)
      .send({ days: 30 })
      .expect(200);
    expect(set.body).toEqual({ country: 'MX', days: 30, isDefault: false });
    expect(
      (await t.http().put('/api/v1/rosters/GT/retention').set('authorization', `Bearer ${admin.token}`).send({ days: 30 }).expect(404)).body
        .message,
    ).toMatch(/GT/);
    expect(
      (await t.http().put('/api/v1/rosters/MX/retention').set('authorization', `Bearer ${admin.token}`).send({ days: 0 }).expect(400)).body
        .fields,
    ).toEqual(['days']);

    const gtOld = await endedRequest('GT', 400);
    const gtKept = await endedRequest('GT', 40);
    const homeOld = await endedRequest(null, 400);
    const mxOld = await endedRequest('MX', 40);
    const mxKept = await endedRequest('MX', 10);
    const bookingGone = await endedBooking('MX', 40);
    const followUp = await endedBooking('MX', 10, bookingGone);
    const bookingKept = await endedBooking('GT', 40);
    // An interpreter's debrief notice from 40 days ago in Mexico goes (30 days kept there); Guatemala's stays.
    const [interp] = await t.sql<{ id: string }>(
      `INSERT INTO interpreters (country, external_id, first_name, email) VALUES ('MX', 'ret-1', 'Ana', 'ret-1@test.example') RETURNING id`,
    );
    await t.sql(
      `INSERT INTO debrief_requests (interpreter_id, country, matter, requested_at) VALUES
         ($1, 'MX', 'violence', now() - interval '40 days'), ($1, 'GT', 'violence', now() - interval '40 days')`,
      [interp.id],
    );

    // One run of the job, now, exactly as the repeatable one runs.
    expect(await (await queue.add('purge', {})).finished()).toEqual({
      requests: 3,
      bookings: 1,
      debriefRequests: 1,
      returnCodes: 0,
      auditEvents: expect.any(Number),
    });
    expect(await t.sql(`SELECT country FROM debrief_requests`)).toEqual([{ country: 'GT' }]);

    const requests = (await t.sql<{ id: string }>(`SELECT id FROM interpretation_requests`)).map((r) => r.id).sort();
    expect(requests).toEqual([gtKept, mxKept].sort());
    expect(requests).not.toContain(homeOld);
    expect(requests).not.toContain(mxOld);
    expect(await t.sql(`SELECT 1 FROM sessions WHERE request_id = ANY ($1)`, [[gtOld, homeOld, mxOld]])).toHaveLength(0);
    expect(await t.sql(`SELECT 1 FROM offers WHERE request_id = ANY ($1)`, [[gtOld, homeOld, mxOld]])).toHaveLength(0);
    const bookings = await t.sql<{ id: string; follow_up_of: string | null }>(`SELECT id, follow_up_of FROM bookings ORDER BY id`);
    expect(bookings.map((b) => b.id).sort()).toEqual([followUp, bookingKept].sort());
    expect(bookings.find((b) => b.id === followUp)!.follow_up_of).toBeNull();
    expect(await t.sql(`SELECT 1 FROM booking_offers WHERE booking_id = $1`, [bookingGone])).toHaveLength(0);

    // The audit log lost only its events from before the longest retention, and says so in the chain.
    const ids = (await t.sql<{ id: string }>(`SELECT id FROM audit_events`)).map((e) => e.id);
    for (const e of old) expect(ids).not.toContain(e.id);
    expect(ids).toContain(recent.id);
    const [purged] = await t.sql<{
      data: { requests: number; bookings: number; debriefRequests: number; returnCodes: number; auditEvents: number };
    }>(`SELECT data FROM audit_events WHERE type = 'retention.purged'`);
    expect(purged.data).toEqual({ requests: 3, bookings: 1, debriefRequests: 1, returnCodes: 0, auditEvents: expect.any(Number) });
    expect(purged.data.auditEvents).toBeGreaterThanOrEqual(2);
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'audit.purged'`)).toHaveLength(1);
    const platform = await createStaff(t, 'platform_admin');
    const verify = await t.http().get('/api/v1/audit/verify').set('authorization', `Bearer ${platform.token}`).expect(200);
    expect(verify.body).toMatchObject({ ok: true });

    // Nothing more to delete on the next run: nothing changes, and no empty purge is recorded.
    expect(await (await queue.add('purge', {})).finished()).toEqual({
      requests: 0,
      bookings: 0,
      debriefRequests: 0,
      returnCodes: 0,
      auditEvents: 0,
    });
    expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'retention.purged'`)).toHaveLength(1);
  });
});
