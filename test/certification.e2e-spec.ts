import { BOOKING_SELECT } from '../src/bookings/booking-row';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { CERTIFICATES_QUEUE, REMINDER_CRON } from '../src/rosters/certification/certification.processor';
import { CertificationService } from '../src/rosters/certification/certification.service';
import { RostersService } from '../src/rosters/rosters.service';
import { auditMoved, caller, languageId } from './utils/matching-fixtures';
import { TestSmtp } from './utils/smtp';
import { connect } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * Certified interpreters: each country's rules (which matters, and whether hearings, need a valid
 * certification), the ladder keeping an expired certificate from the calls that need one, the list of
 * certificates to renew and its monthly email. Real PostgreSQL, Redis, sockets and SMTP.
 */
describe('certification', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let gtAdmin: { token: string; email: string };
  /** A date `days` from today (UTC), as a roster writes it. */
  const day = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const rules = (token: string | undefined, method: 'get' | 'put', body?: unknown, country = 'GT') => {
    const req = t.http()[method](`/api/v1/rosters/${country}/certification-rules`);
    if (token) req.set('Authorization', `Bearer ${token}`);
    return body === undefined ? req : req.send(body as object);
  };
  const stored = () => t.sql(`SELECT country, matters::text[] AS matters, hearings FROM certification_rules ORDER BY country`);

  /** Roster rows through the real import: [externalId, firstName, expires or '' for none]. */
  async function roster(country: string, rows: [string, string, string][], languages = 'mam:5') {
    const res = await t.app.get(RostersService).importRoster(
      country,
      rows.map(([external_id, first_name, expires]) => ({
        external_id,
        first_name,
        email: `${external_id.toLowerCase()}@test.puente.example`,
        languages,
        specialties: 'legal_criminal;violence',
        certification_body: expires ? 'ALMG' : '',
        certification_expires: expires,
        status: 'active',
      })),
      null,
    );
    expect(res.rejected).toEqual([]);
    return Promise.all(
      rows.map(async ([externalId]) => {
        const [row] = await t.sql<{ id: string }>(`SELECT id FROM interpreters WHERE country = $1 AND external_id = $2`, [
          country,
          externalId,
        ]);
        return row.id;
      }),
    );
  }

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    t = await startTestApp({ media: false, SMTP_URL: smtp.url, OFFER_RING_SECONDS: '60', HOME_COUNTRY: 'GT' });
    gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('a legal matter is not offered to an interpreter whose certification expired, until her country no longer asks it', async () => {
    const lang = await languageId(t, 'poh');
    const [expired] = await roster('GT', [['CERT-X1', 'Ines', day(-1)]], 'poh:5');
    const staff = await createStaff(t, 'interpreter', { country: 'GT', interpreterId: expired });
    const her = await connect(t.url, staff.token);
    const c = await caller(t);
    try {
      await her.call('presence:set', { status: 'available' });
      const legal = await c.call('request:create', { languageId: lang, matter: 'legal_criminal', urgency: 'urgent', minor: false });
      expect(legal.state).toBe('queued');
      expect(await t.sql(`SELECT 1 FROM offers WHERE interpreter_id = $1`, [expired])).toEqual([]);

      await rules(gtAdmin.token, 'put', { matters: ['trafficking'], hearings: true }).expect(200);
      // Serving her the line again (as when she comes back available) now reaches the request.
      await her.call('presence:set', { status: 'away' });
      await her.call('presence:set', { status: 'available' });
      const offer = await her.next('offer:new', (o) => o.requestId === legal.requestId);
      expect(offer.matter).toBe('legal_criminal');
    } finally {
      her.close();
      c.close();
    }
  });

  it('a new roster file that ends her certification before a hearing, or suspends her, releases her from it', async () => {
    const lang = await languageId(t, 'tzj');
    const [lucia] = await roster('GT', [['REL-1', 'Lucía', day(30)]], 'tzj:5');
    const [marta] = await roster('GT', [['REL-2', 'Marta', day(30)]], 'tzj:4');
    const court = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Sololá' });
    const startsAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const booked = await t
      .http()
      .post('/api/v1/bookings')
      .set('Authorization', `Bearer ${court.token}`)
      .send({ languageId: lang, matter: 'violence', startsAt, durationMinutes: 60 })
      .expect(201);
    const holder = async () =>
      (
        await t.sql<{ interpreter_id: string | null; state: string }>(
          `SELECT interpreter_id, state FROM (${BOOKING_SELECT}) b WHERE id = $1`,
          [booked.body.id],
        )
      )[0];
    expect(await holder()).toEqual({ interpreter_id: lucia, state: 'assigned' });

    // Her certificate now ends five days from today, before the hearing: Marta is asked instead.
    await roster('GT', [['REL-1', 'Lucía', day(5)]], 'tzj:5');
    expect(await holder()).toEqual({ interpreter_id: marta, state: 'assigned' });
    // A change that still covers the hearing's day changes nothing.
    await roster('GT', [['REL-2', 'Marta', day(20)]], 'tzj:4');
    expect(await holder()).toEqual({ interpreter_id: marta, state: 'assigned' });
    // Marta suspended by a new file: nobody is left (Lucía's certificate does not reach the hearing).
    const res = await t.app.get(RostersService).importRoster(
      'GT',
      [
        {
          external_id: 'REL-2',
          first_name: 'Marta',
          email: 'rel-2@test.puente.example',
          languages: 'tzj:4',
          specialties: 'legal_criminal;violence',
          certification_body: 'ALMG',
          certification_expires: day(20),
          status: 'suspended',
        },
      ],
      null,
    );
    expect(res.rejected).toEqual([]);
    expect(await holder()).toEqual({ interpreter_id: null, state: 'requested' });
    await auditMoved(t);
    const released = await t.sql<{ actor_role: string }>(
      `SELECT actor_role FROM audit_events WHERE type = 'booking.declined' AND subject_id = $1`,
      [booked.body.id],
    );
    expect(released).toEqual([{ actor_role: 'system' }, { actor_role: 'system' }]);
  });

  it("sets a country's rules for its roster admin only, audited, and names a bad field, changing nothing", async () => {
    await t.sql(`DELETE FROM certification_rules`);
    const audited = async () =>
      t.sql<Record<string, any>>(`SELECT * FROM audit_events WHERE type = 'roster.certification_rules_set' ORDER BY seq`);
    const auditedBefore = (await audited()).length;
    const mxAdmin = await createStaff(t, 'roster_admin', { country: 'MX' });
    const platform = await createStaff(t, 'platform_admin');
    const official = await createStaff(t, 'official', { country: 'GT' });
    const interpreter = await createStaff(t, 'interpreter', { country: 'GT' });

    expect((await rules(gtAdmin.token, 'get').expect(200)).body).toEqual({
      country: 'GT',
      matters: ['legal_civil', 'legal_labour', 'legal_criminal'],
      hearings: true,
      isDefault: true,
    });
    const set = await rules(gtAdmin.token, 'put', { matters: ['violence', 'legal_criminal', 'violence'], hearings: false });
    // A repeated matter is refused rather than silently merged.
    expect(set.status).toBe(400);
    expect(set.body.fields).toEqual(['matters']);
    const ok = await rules(gtAdmin.token, 'put', { matters: ['violence', 'legal_criminal'], hearings: false }).expect(200);
    expect(ok.body).toEqual({ country: 'GT', matters: ['legal_criminal', 'violence'], hearings: false, isDefault: false });
    expect((await rules(platform.token, 'get').expect(200)).body.matters).toEqual(['legal_criminal', 'violence']);
    await auditMoved(t);
    const events = (await audited()).slice(auditedBefore);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_role: 'roster_admin',
      country: 'GT',
      data: { matters: 'legal_criminal,violence', hearings: false },
    });

    const before = await stored();
    const body = { matters: [], hearings: true };
    await rules(undefined, 'put', body).expect(401);
    await rules('forged', 'put', body).expect(401);
    await rules(official.token, 'put', body).expect(403);
    await rules(interpreter.token, 'put', body).expect(403);
    await rules(official.token, 'get').expect(403);
    await rules(platform.token, 'put', body).expect(403);
    await rules(mxAdmin.token, 'put', body).expect(404);
    await rules(mxAdmin.token, 'get').expect(404);
    await rules(gtAdmin.token, 'put', body, 'ZZ').expect(400);
    const bad = async (b: unknown, field: string) =>
      expect((await rules(gtAdmin.token, 'put', b).expect(400)).body.fields).toEqual([field]);
    await bad({ matters: ['asylum'], hearings: true }, 'matters');
    await bad({ matters: 'legal_civil', hearings: true }, 'matters');
    await bad({ matters: [], hearings: 'yes' }, 'hearings');
    await bad({ matters: [] }, 'hearings');
    await bad({ matters: [], hearings: true, country: 'MX' }, 'country');
    await rules(gtAdmin.token, 'put', { matters: [], hearings: true, pad: 'x'.repeat(100_000) }).expect(413);
    expect(await stored()).toEqual(before);
    expect(await audited()).toHaveLength(auditedBefore + 1);
  });

  it('lists the certificates to renew (expired, or ending within 60 days) and emails them to the roster admins once a month', async () => {
    await roster('HN', [
      ['HN-C1', 'Marta', day(10)],
      ['HN-C2', 'Jose', day(-3)],
      ['HN-C3', 'Luisa', day(61)],
      ['HN-C4', 'Ana', ''],
      ['HN-C5', 'Eva', day(60)],
    ]);
    const hnAdmin = await createStaff(t, 'roster_admin', { country: 'HN' });
    const hnGone = await createStaff(t, 'roster_admin', { country: 'HN' });
    await t.sql(`UPDATE users SET disabled = true WHERE id = $1`, [hnGone.id]);
    const ni = await createStaff(t, 'roster_admin', { country: 'NI' });
    const platform = await createStaff(t, 'platform_admin');

    const list = await t.http().get('/api/v1/rosters/HN/certificates/expiring').set('Authorization', `Bearer ${hnAdmin.token}`).expect(200);
    expect(list.body.map((c: { externalId: string; daysLeft: number }) => `${c.externalId}:${c.daysLeft}`)).toEqual([
      'HN-C2:-3',
      'HN-C1:10',
      'HN-C5:60',
    ]);
    expect(list.body[0]).toEqual({
      id: expect.any(String),
      externalId: 'HN-C2',
      firstName: 'Jose',
      status: 'active',
      expires: day(-3),
      daysLeft: -3,
    });
    await t.http().get('/api/v1/rosters/HN/certificates/expiring').set('Authorization', `Bearer ${platform.token}`).expect(200);
    await t.http().get('/api/v1/rosters/HN/certificates/expiring').set('Authorization', `Bearer ${ni.token}`).expect(404);
    await t.http().get('/api/v1/rosters/HN/certificates/expiring').expect(401);

    // One repeating job on the first of the month, for the whole deployment.
    const jobs = await t.app.get<Queue>(getQueueToken(CERTIFICATES_QUEUE)).getRepeatableJobs();
    expect(jobs.map((j) => [j.name, j.cron, j.tz])).toEqual([['reminders', REMINDER_CRON, 'UTC']]);

    const sentBefore = smtp.mails.length;
    const sent = await t.app.get(CertificationService).sendReminders();
    const mails = smtp.mails.slice(sentBefore);
    const hn = mails.filter((m) => m.to.includes(hnAdmin.email));
    expect(hn).toHaveLength(1);
    expect(hn[0].subject).toBe('Puente: certificates to renew in the HN roster');
    expect(hn[0].raw).toContain('HN-C2 Jose');
    expect(hn[0].raw).toContain('HN-C1 Marta');
    expect(hn[0].raw).toContain('HN-C5 Eva');
    expect(hn[0].raw).not.toContain('HN-C3');
    expect(hn[0].raw).not.toContain('HN-C4');
    // A disabled admin gets nothing; nor does a country with nothing to renew.
    expect(mails.filter((m) => m.to.includes(hnGone.email) || m.to.includes(ni.email))).toEqual([]);
    expect(sent).toBe(mails.length);
  });
});
