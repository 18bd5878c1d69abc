import { parse } from 'csv-parse/sync';
import { interpreter, languageId } from './utils/matching-fixtures';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * Interpreters' hours (issue 15, item 5), counted from session metadata against known sessions: a roster admin's CSV
 * export of a month per interpreter, and each interpreter's own month. Real PostgreSQL.
 */
describe('hours', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ media: false });
  });
  afterAll(() => t.close());

  /** A session of hers that started at `start` and lasted `minutes` for her (a hearing's when `hearing`). */
  async function worked(interpreterId: string, start: string, minutes: number | null, opts: { hearing?: boolean; role?: string } = {}) {
    let bookingId: string | null = null;
    if (opts.hearing) {
      const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado' });
      [{ id: bookingId }] = await t.sql<{ id: string }>(
        `INSERT INTO bookings (official_id, institution_id, country, language_id, matter, starts_at, ends_at, duration_minutes, time_zone, state,
           end_reason)
         SELECT u.id, u.institution_id, 'GT', $2, 'legal_criminal', $3, $3::timestamptz + interval '1 hour', 60, 'America/Guatemala', 'completed',
           'completed'
         FROM users u WHERE u.id = $1 RETURNING id`,
        [official.id, await languageId(t, 'mam'), start],
      );
    }
    const end = minutes === null ? null : new Date(Date.parse(start) + minutes * 60_000).toISOString();
    const [{ id }] = await t.sql<{ id: string }>(
      `INSERT INTO sessions (interpreter_id, created_at, started_at, ended_at, booking_id) VALUES ($1, $2, $2, $3, $4) RETURNING id`,
      [interpreterId, start, end, bookingId],
    );
    await t.sql(`INSERT INTO session_interpreters (session_id, role, interpreter_id, ended_at) VALUES ($1, $2, $3, $4)`, [
      id,
      opts.role ?? 'interpreter',
      interpreterId,
      end,
    ]);
  }

  it("exports a month's calls, minutes and hearings per interpreter of her roster, formula-looking cells kept as text", async () => {
    const ana = await interpreter(t, { country: 'SV', firstName: 'Ana', available: false });
    const rosa = await interpreter(t, { country: 'SV', firstName: '=HYPERLINK("http://x.example","pay")', available: false });
    const other = await interpreter(t, { country: 'HN', firstName: 'Elena', available: false });
    // November 2026: two calls for Ana (one as a relay leg), a hearing; one call at 23:50 on 31 October is October's.
    await worked(ana.interpreterId, '2026-11-03T10:00:00Z', 12.5);
    await worked(ana.interpreterId, '2026-11-30T23:50:00Z', 20, { role: 'relay_interpreter' });
    await worked(ana.interpreterId, '2026-11-10T15:00:00Z', 90, { hearing: true });
    await worked(ana.interpreterId, '2026-10-31T23:50:00Z', 30);
    await worked(other.interpreterId, '2026-11-05T10:00:00Z', 15);
    const admin = await createStaff(t, 'roster_admin', { country: 'SV' });
    const res = await t.http().get('/api/v1/rosters/SV/hours?month=2026-11').set('authorization', `Bearer ${admin.token}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    const [anaId, rosaId] = await Promise.all(
      [ana, rosa].map(
        async (p) =>
          (await t.sql<{ external_id: string }>(`SELECT external_id FROM interpreters WHERE id = $1`, [p.interpreterId]))[0].external_id,
      ),
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { external_id: anaId, first_name: 'Ana', calls: '2', call_minutes: '32.5', hearings: '1', hearing_minutes: '90' },
        {
          external_id: rosaId,
          first_name: `'=HYPERLINK("http://x.example","pay")`,
          calls: '0',
          call_minutes: '0',
          hearings: '0',
          hearing_minutes: '0',
        },
      ]),
    );
    // Only her own roster: Honduras's interpreter is not in El Salvador's export.
    expect(rows.map((r) => r.first_name)).not.toContain('Elena');

    // October has the one call.
    const october = parse(
      (await t.http().get('/api/v1/rosters/SV/hours?month=2026-10').set('authorization', `Bearer ${admin.token}`)).text,
      {
        columns: true,
      },
    ) as Record<string, string>[];
    expect(october.find((r) => r.external_id === anaId)).toMatchObject({ calls: '1', call_minutes: '30' });

    // Ana's own month, on her console.
    const mine = await t.http().get('/api/v1/interpreters/me/hours?month=2026-11').set('authorization', `Bearer ${ana.token}`).expect(200);
    expect(mine.body).toEqual({ month: '2026-11', calls: 2, callMinutes: 32.5, hearings: 1, hearingMinutes: 90 });
    ana.socket.close();
    rosa.socket.close();
    other.socket.close();
  });

  it('refuses another country, another role, no token and a malformed month, naming the field', async () => {
    const admin = await createStaff(t, 'roster_admin', { country: 'SV' });
    const get = (path: string, token?: string) => {
      const r = t.http().get(path);
      return token ? r.set('authorization', `Bearer ${token}`) : r;
    };
    await get('/api/v1/rosters/SV/hours?month=2026-11').expect(401);
    await get('/api/v1/rosters/HN/hours?month=2026-11', admin.token).expect(404);
    const platform = await createStaff(t, 'platform_admin');
    await get('/api/v1/rosters/SV/hours?month=2026-11', platform.token).expect(403);
    const official = await createStaff(t, 'official', { country: 'SV', institution: 'Juzgado' });
    await get('/api/v1/rosters/SV/hours?month=2026-11', official.token).expect(403);
    const ana = await interpreter(t, { country: 'SV', available: false });
    await get('/api/v1/rosters/SV/hours?month=2026-11', ana.token).expect(403);
    await get('/api/v1/interpreters/me/hours?month=2026-11', admin.token).expect(403);
    for (const month of ['2026-13', '26-11', '2026-11-01', "2026-11' OR 1=1", '']) {
      const res = await get(`/api/v1/rosters/SV/hours?month=${encodeURIComponent(month)}`, admin.token).expect(400);
      expect(JSON.stringify(res.body)).toMatch(/month/);
    }
    await get('/api/v1/rosters/XX/hours?month=2026-11', admin.token).expect(400);
    ana.socket.close();
  });
});
