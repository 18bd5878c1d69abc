import { interpreter, languageId } from './utils/matching-fixtures';
import { seedHearing, seedMarch2026 } from './utils/stats-fixtures';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

/**
 * The member states' figures over real PostgreSQL. The requests, offers and sessions are written as the
 * metadata matching leaves behind, with chosen times in a past month, so that every figure is known.
 */
describe('statistics (PostgreSQL)', () => {
  let t: TestApp;
  let interp: string;
  let lang: Record<'mam' | 'kek' | 'tzo', string>;

  beforeAll(async () => {
    t = await startTestApp({ media: false });
    const person = await interpreter(t, { languages: 'mam:5', available: false });
    person.socket.close();
    interp = person.interpreterId;
    lang = { mam: await languageId(t, 'mam'), kek: await languageId(t, 'kek'), tzo: await languageId(t, 'tzo') };
    await seedMarch2026(t, interp, lang);
  });
  afterAll(() => t?.close());

  const get = async (token: string, query: string, status = 200) =>
    (await t.http().get(`/api/v1/stats?${query}`).set('authorization', `Bearer ${token}`).expect(status)).body;

  it('gives requests, answer times, unmet demand and call durations per month and language, suppressing small cells', async () => {
    const admin = await createStaff(t, 'platform_admin');
    const body = await get(admin.token, 'from=2026-03&to=2026-03&groupBy=language');
    expect(body).toMatchObject({
      groupBy: 'language',
      country: null,
      minCell: 5,
      roundedTo: 5,
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-04-01T00:00:00.000Z',
    });
    const mam = body.rows.find((r: { key: string }) => r.key === lang.mam);
    expect(mam).toEqual({
      month: '2026-03',
      key: lang.mam,
      label: expect.stringContaining('Mam'),
      // 8, 7, 5 and 6: rounded to the nearest multiple of 5.
      requests: 10,
      answered: 5,
      answeredWithin1m: 5,
      answeredWithin5m: 5,
      unmet: null,
      notFromCountry: 0,
      medianWaitSeconds: 50,
      p90WaitSeconds: 280,
      sessions: 5,
      medianSessionSeconds: 900,
      p90SessionSeconds: 1140,
      afterCall: {
        feedbackHelped: 0,
        feedbackUnsure: 0,
        feedbackNotHelped: 0,
        referredLegalAid: 0,
        referredShelter: 0,
        referredHealth: 0,
        referredConsulate: 0,
        referredPolice: 0,
        referredChildProtection: 0,
        signControlled: 0,
        signQuickExit: 0,
        anotherInterpreter: 0,
      },
      suppressed: ['unmet'],
    });
    const kek = body.rows.find((r: { key: string }) => r.key === lang.kek);
    expect(kek).toMatchObject({
      requests: null,
      answered: null,
      medianWaitSeconds: null,
      sessions: null,
      medianSessionSeconds: null,
      unmet: 0,
    });
    expect(body.unmetByLanguage).toEqual([
      { languageId: lang.tzo, name: expect.stringContaining('Tsotsil'), unmet: 5 },
      { languageId: lang.mam, name: expect.stringContaining('Mam'), unmet: null },
    ]);
    // Nothing outside the months asked for.
    expect((await get(admin.token, 'from=2026-04&to=2026-05')).rows).toEqual([]);
  });

  it('groups by country and by matter', async () => {
    const admin = await createStaff(t, 'platform_admin');
    const byCountry = await get(admin.token, 'from=2026-03&to=2026-03&groupBy=country');
    expect(byCountry.rows.map((r: { key: string; requests: number }) => [r.key, r.requests])).toEqual([
      ['GT', 10],
      ['MX', 5],
    ]);
    const byMatter = await get(admin.token, 'from=2026-03&to=2026-03&groupBy=matter&country=MX');
    expect(byMatter.rows.map((r: { key: string; unmet: number }) => [r.key, r.unmet])).toEqual([['violence', 5]]);
  });

  it('gives one row for the whole range and a total over everything in scope, still suppressing small cells', async () => {
    const admin = await createStaff(t, 'platform_admin');
    // The whole region over a longer range: one row, named by the range, every figure of March.
    const region = await get(admin.token, 'from=2025-04&to=2026-03&groupBy=total&period=whole');
    expect(region).toMatchObject({ groupBy: 'total', period: 'whole', country: null });
    expect(region.rows).toEqual([
      // 17, 10, 7, 8 and 10, rounded to multiples of 5.
      expect.objectContaining({
        month: '2025-04/2026-03',
        key: 'total',
        requests: 15,
        answered: 10,
        unmet: 5,
        answeredWithin1m: 10,
        sessions: 10,
        suppressed: [],
      }),
    ]);
    // Per language over the whole range: the same rule as per month (Q'eqchi' has three requests).
    const perLanguage = await get(admin.token, 'from=2026-01&to=2026-06&groupBy=language&period=whole');
    const kek = perLanguage.rows.find((r: { key: string }) => r.key === lang.kek);
    expect(kek).toMatchObject({
      month: '2026-01/2026-06',
      requests: null,
      answered: null,
      medianWaitSeconds: null,
      sessions: null,
      medianSessionSeconds: null,
    });
    expect(kek.suppressed.sort()).toEqual(['answered', 'answeredWithin1m', 'answeredWithin5m', 'requests', 'sessions']);
    // A total is no way around suppression: no range shorter than a month (one day held Q'eqchi''s three requests only).
    expect((await get(admin.token, 'from=2026-03-10&to=2026-03-10&groupBy=total&period=whole', 400)).fields).toEqual(['from', 'to']);
    // Guatemala's total per month for its roster admin: Mam's one unmet request stays hidden in the sum too.
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const mine = await get(gt.token, 'from=2026-03&to=2026-03&groupBy=total');
    expect(mine.rows).toEqual([
      expect.objectContaining({ month: '2026-03', key: 'total', requests: 10, answered: 10, unmet: null, suppressed: ['unmet'] }),
    ]);
    // Bad values are refused naming the field.
    expect((await get(admin.token, 'period=year', 400)).fields).toEqual(['period']);
    expect((await get(admin.token, 'groupBy=total&period=', 400)).fields).toEqual(['period']);
  });

  it("counts hearings too (booked, confirmed, unfilled, through a relay, interpreters' minutes), suppressed like the rest", async () => {
    const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Paz' });
    const spa = await languageId(t, 'spa');
    const hearing = (day: number, state: string, endReason: string | null, relay: boolean, minutes: number | null, language = lang.mam) =>
      seedHearing(t, {
        officialId: official.id,
        interpreterId: interp,
        language,
        relayLanguage: relay ? spa : null,
        day,
        state,
        endReason,
        minutes,
      });
    // Six took place (50 minutes each, two through a relay), one is confirmed and to come, three found nobody.
    for (const day of [1, 2, 3, 4, 5, 6]) await hearing(day, 'completed', 'completed', day <= 2, 50);
    await hearing(20, 'confirmed', null, false, null);
    for (const day of [7, 8, 9]) await hearing(day, 'cancelled', 'unfilled', false, null);

    const admin = await createStaff(t, 'platform_admin');
    const body = await get(admin.token, 'from=2026-05&to=2026-05&groupBy=language');
    // Ten bookings, seven confirmed (five after rounding), three unfilled (hidden), two through a relay (hidden), 300 minutes.
    expect(body.hearings).toEqual([
      {
        month: '2026-05',
        key: lang.mam,
        label: expect.stringContaining('Mam'),
        bookings: 10,
        confirmed: 5,
        unfilled: null,
        relay: null,
        relaySharePercent: null,
        interpreterMinutes: 300,
        suppressed: ['unfilled', 'relay'],
      },
    ]);
    // The women's own calls of that month are not mixed in: hearings have their own rows.
    expect(body.rows).toEqual([]);
    // By matter, and for Guatemala's roster admin; another country's admin sees none of them.
    const byMatter = await get(admin.token, 'from=2026-05&to=2026-05&groupBy=matter');
    expect(byMatter.hearings.map((h: { key: string; bookings: number }) => [h.key, h.bookings])).toEqual([['legal_criminal', 10]]);
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    expect((await get(gt.token, 'from=2026-05&to=2026-05&groupBy=total')).hearings).toEqual([
      expect.objectContaining({ key: 'total', bookings: 10, interpreterMinutes: 300 }),
    ]);
    const mx = await createStaff(t, 'roster_admin', { country: 'MX' });
    expect((await get(mx.token, 'from=2026-05&to=2026-05&groupBy=total')).hearings).toEqual([]);
    // A hearing alone in its cell: its counts hidden, and its minutes with them (they would be one interpreter's).
    await hearing(10, 'completed', 'completed', false, 30, lang.kek);
    const kek = (await get(admin.token, 'from=2026-04&to=2026-06&groupBy=language&period=whole')).hearings.find(
      (h: { key: string }) => h.key === lang.kek,
    );
    expect(kek).toMatchObject({ month: '2026-04/2026-06', bookings: null, confirmed: null, interpreterMinutes: null });
    expect(kek.suppressed).toEqual(['bookings', 'confirmed']);
  });

  it("keeps a roster admin to her own country's figures and refuses bad queries naming the field", async () => {
    const gt = await createStaff(t, 'roster_admin', { country: 'GT' });
    const mine = await get(gt.token, 'from=2026-03&to=2026-03&groupBy=country');
    expect(mine.country).toBe('GT');
    expect(mine.rows.map((r: { key: string }) => r.key)).toEqual(['GT']);
    expect((await get(gt.token, 'country=MX', 400)).fields).toEqual(['country']);
    const admin = await createStaff(t, 'platform_admin');
    expect((await get(admin.token, 'from=2026-13', 400)).fields).toEqual(['from']);
    expect((await get(admin.token, 'from=2026-05&to=2026-03', 400)).fields).toEqual(['from']);
    expect((await get(admin.token, 'groupBy=interpreter', 400)).fields).toEqual(['groupBy']);
    const official = await createStaff(t, 'official', { country: 'GT' });
    await get(official.token, '', 403);
  });
});
