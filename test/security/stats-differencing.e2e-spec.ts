import { interpreter, languageId } from '../utils/matching-fixtures';
import { seedRequest } from '../utils/stats-fixtures';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

type Row = { key: string; month: string; requests: number | null; unmet: number | null };

/**
 * Attack 10 of issue 11: small-cell suppression undone by subtraction. Guatemala's 7 requests of April 2026
 * (one of them trafficking) grouped by country and by matter: 7 − 6 = 1 gave the hidden trafficking request.
 * And ranges of single days subtracted from one another counted one day.
 */
describe('statistics: no hidden cell recovered from a total, whole months only', () => {
  let t: TestApp;
  let gt: { token: string };

  beforeAll(async () => {
    t = await startTestApp({ media: false });
    const person = await interpreter(t, { languages: 'mam:5', available: false });
    person.socket.close();
    const mam = await languageId(t, 'mam');
    for (let day = 1; day <= 6; day++)
      await seedRequest(t, person.interpreterId, mam, `2026-04-0${day}T10:00:00Z`, { wait: 30, call: 600, matter: 'violence' });
    await seedRequest(t, person.interpreterId, mam, '2026-04-07T10:00:00Z', { wait: 30, call: 600, matter: 'trafficking' });
    gt = await createStaff(t, 'roster_admin', { country: 'GT' });
  });
  afterAll(() => t?.close());

  const get = async (query: string, status = 200) =>
    (await t.http().get(`/api/v1/stats?${query}`).set('authorization', `Bearer ${gt.token}`).expect(status)).body;

  it('rounds the total and the other grouping alike, so their difference does not give the hidden cell', async () => {
    const [total] = (await get('from=2026-04&to=2026-04&groupBy=country')).rows as Row[];
    const byMatter = (await get('from=2026-04&to=2026-04&groupBy=matter')).rows as Row[];
    const trafficking = byMatter.find((r) => r.key === 'trafficking')!;
    expect(trafficking.requests).toBeNull();
    const visible = byMatter.reduce((sum, r) => sum + (r.requests ?? 0), 0);
    // Suppression alone showed 7 and 6: 7 − 6 = 1.
    expect(total.requests! - visible).not.toBe(1);
    for (const r of [total, ...byMatter]) expect(r.requests === null || r.requests % 5 === 0).toBe(true);
    const byLanguage = (await get('from=2026-04&to=2026-04&groupBy=language')).rows as Row[];
    expect(byLanguage.map((r) => r.requests)).toEqual([total.requests]);
  });

  it('refuses days: from and to are whole months, named in the 400', async () => {
    expect((await get('from=2026-04-01&to=2026-04', 400)).fields).toEqual(['from']);
    expect((await get('from=2026-04&to=2026-04-06', 400)).fields).toEqual(['to']);
    expect((await get('from=2026-04-02', 400)).message).toEqual(['from must be a whole month written YYYY-MM']);
    // Two overlapping ranges of months subtract to whole months, each rounded.
    const [april] = (await get('from=2026-03&to=2026-04&groupBy=country')).rows as Row[];
    expect(april).toMatchObject({ month: '2026-04', requests: 5 });
  });
});
