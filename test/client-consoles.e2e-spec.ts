import type { Page } from 'playwright-core';
import { a11yRecorder, eventually, seedInterpreter, seriousA11yViolations, snapshot, staffLogin, startClientBed, type ClientBed } from './utils/browser';
import { languageId } from './utils/matching-fixtures';
import { seedMarch2026 } from './utils/stats-fixtures';
import { createStaff, type TestApp } from './utils/test-app';

/** The interpreter's greetings (recorded on the console, heard on the caller's page) and the administrators' console. */
describe('web client: greetings and the administrators console', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;
  const a11y: Record<string, unknown[]> = {};
  const check = async (p: Page, name: string) => {
    await snapshot(p, name);
    a11y[name] = await seriousA11yViolations(p);
  };

  beforeAll(async () => {
    bed = await startClientBed();
    ({ t, url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  const login = (p: Page, path: string, email: string) => staffLogin(p, url, path, email);

  it('an interpreter records a greeting with the fake microphone; the caller page offers it and plays it; she deletes it', async () => {
    const ana = await seedInterpreter(t, 'Ana', 'mam:5');
    const [mam] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
    const console = await bed.page('es-GT');
    await login(console, '/interpreter/', ana.email);
    const row = console.locator(`li[data-greeting-language="${mam.id}"]`);
    await row.waitFor();
    // No recording without her consent.
    await expect(row.locator('button.record').isDisabled()).resolves.toBe(true);
    await console.locator('.consent input').check();
    await row.locator('button.record').click();
    await row.locator('button.record.stop').waitFor();
    await console.waitForTimeout(1500);
    await row.locator('button.record.stop').click();
    await console.locator(`li[data-greeting-language="${mam.id}"][data-recorded="true"]`).waitFor();
    await check(console, 'interpreter-greeting');
    const [stored] = await t.sql<{ duration_ms: number; content_type: string; size: number }>(`SELECT duration_ms, content_type, size FROM interpreter_greetings WHERE interpreter_id = $1`, [ana.interpreterId]);
    expect(stored).toMatchObject({ content_type: 'audio/webm' });
    expect(stored.duration_ms).toBeGreaterThan(0);
    expect(stored.size).toBeGreaterThan(0);

    const her = await bed.page('es-GT');
    await her.goto(`${url}/`);
    await her.locator('button[data-country="GT"]').click();
    const play = her.locator(`button.greeting[data-greeting="${mam.id}"]`);
    await play.waitFor();
    await expect(her.locator('button.greeting').count()).resolves.toBe(1);
    await check(her, 'caller-1-language-greeting');
    await play.click();
    // The recording really plays in her browser: the player advances (or reaches the end).
    await eventually(
      () => her.evaluate(() => ({ t: document.querySelector<HTMLAudioElement>('audio.greeting-player')!.currentTime, ended: document.querySelector<HTMLAudioElement>('audio.greeting-player')!.ended })),
      (s) => s.t > 0 || s.ended,
    );
    expect(await her.evaluate(() => window.__puente!.played())).toContain('greeting');

    await row.locator('button.delete-greeting').click();
    await console.locator(`li[data-greeting-language="${mam.id}"][data-recorded="false"]`).waitFor();
    await her.reload();
    await her.locator('button[data-country="GT"]').click();
    await her.locator('button[data-iso="mam"][data-variant=""]').waitFor();
    await expect(her.locator('button.greeting').count()).resolves.toBe(0);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  }, 120_000);

  it('the roster import page reports a bad row; sharing and the interpreter list work; a platform admin sees any country', async () => {
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('en-US');
    await p.goto(`${url}/admin/`);
    await p.locator('input[name=email]').waitFor();
    await check(p, 'admin-login');
    await login(p, '/admin/', admin.email);
    await p.locator('input[type=file]').waitFor();
    await check(p, 'admin-roster');

    const csv = [
      'external_id,first_name,email,languages,relay_languages,specialties,certification_body,certification_number,certification_expires,gender,status',
      'GT-A1,Juana,juana@example.org,mam:5,spa,violence,,,,female,active',
      'GT-A2,Petrona,petrona@example.org,xyz:5,spa,violence,,,,female,active',
    ].join('\n');
    await p.locator('input[type=file]').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await p.locator('form.import button[type=submit]').click();
    const result = p.locator('.import-result');
    await result.waitFor();
    await expect(result.getAttribute('data-created')).resolves.toBe('1');
    const rejected = await p.locator('table.rejected tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent)));
    expect(rejected).toEqual([['3', 'languages', expect.stringContaining('xyz')]]);
    await check(p, 'admin-import-rejected');
    await expect(t.sql(`SELECT external_id FROM interpreters WHERE country = 'GT' AND external_id LIKE 'GT-A%'`)).resolves.toEqual([{ external_id: 'GT-A1' }]);

    // Sharing: let Mexico draw on Guatemala's roster.
    await p.locator('fieldset.sharing input[value="MX"]').check();
    await p.locator('section[aria-labelledby="sharing-title"] button[type=submit]').click();
    await p.locator('section[aria-labelledby="sharing-title"] [role=status]').waitFor();
    await expect(t.sql(`SELECT borrower_country FROM roster_sharing WHERE owner_country = 'GT'`)).resolves.toEqual([{ borrower_country: 'MX' }]);
    await p.locator('table.interpreters td', { hasText: 'Juana' }).waitFor();
    // The statistics section answers for her country: no requests in the last twelve months yet.
    await p.locator('[data-section="stats"] [role=status]').waitFor();

    const platform = await createStaff(t, 'platform_admin');
    const q = await bed.page('es-MX');
    await login(q, '/admin/', platform.email);
    await q.locator('select[name=country]:not([disabled])').selectOption('MX');
    await q.locator('section[aria-labelledby="sharing-title"] fieldset[disabled]').waitFor();
    await expect(q.locator('input[type=file]').count()).resolves.toBe(0);
    await check(q, 'admin-platform');
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  }, 120_000);

  it('statistics: a table with small cells as "<5", charts of wait and unmet demand by language; her country for a roster admin, any for a platform admin', async () => {
    const a11y = a11yRecorder();
    const { interpreterId } = await seedInterpreter(t, 'Estela', 'mam:5');
    const lang = { mam: await languageId(t, 'mam'), kek: await languageId(t, 'kek'), tzo: await languageId(t, 'tzo') };
    await seedMarch2026(t, interpreterId, lang);
    const show = async (p: Page, from: string, to: string) => {
      const stats = p.locator('[data-section="stats"]');
      await stats.locator('input[name=from]').fill(from);
      await stats.locator('input[name=to]').fill(to);
      await stats.locator('button[type=submit]').click();
      return stats;
    };
    const cells = (row: ReturnType<Page['locator']>) => row.locator('td[data-col]').evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-col'), td.textContent])));
    const bars = (p: Page, chart: string, cls: string) => p.locator(`figure[data-chart="${chart}"] rect.${cls}`).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-value')));

    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('en-US');
    await login(p, '/admin/', admin.email);
    const stats = await show(p, '2026-03', '2026-03');
    const mam = stats.locator(`tr[data-key="${lang.mam}"][data-month="2026-03"]`);
    await mam.waitFor();
    // Counts rounded to multiples of 5 by the server (8, 7, 5, 6 and 7).
    expect(await cells(mam)).toMatchObject({ requests: '10', answered: '5', answeredWithin1m: '5', answeredWithin5m: '5', unmet: '<5', medianWaitSeconds: '50', p90WaitSeconds: '280', sessions: '5' });
    // Three requests only: every count hidden, and no median of three people.
    expect(await cells(stats.locator(`tr[data-key="${lang.kek}"]`))).toMatchObject({ requests: '<5', answered: '<5', unmet: '0', medianWaitSeconds: '—', sessions: '<5' });
    // The wait chart: Mam's median and 90th percentile; Q'eqchi' has no bar (too few people).
    expect(await bars(p, 'wait', 'bar-median')).toEqual(expect.arrayContaining(['50', '']));
    expect(await bars(p, 'wait', 'bar-p90')).toEqual(expect.arrayContaining(['280', '']));
    // Unmet demand in Guatemala: Mam's one request is under the minimum; Mexico's Tsotsil is not hers to see.
    await expect(p.locator('figure[data-chart="unmet"] g[data-group]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group')))).resolves.toEqual([expect.stringContaining('Mam')]);
    await expect(p.locator('figure[data-chart="unmet"]').textContent()).resolves.toContain('<5');
    await p.locator('figure[data-chart="wait"]').scrollIntoViewIfNeeded();
    await a11y.check(p, 'admin-stats');
    await stats.locator('select[name=groupBy]').selectOption('matter');
    await stats.locator('button[type=submit]').click();
    await stats.locator('tr[data-key="violence"] th', { hasText: 'Violence' }).waitFor();
    await expect(p.locator('select[name=scope]').count()).resolves.toBe(0);

    const platform = await createStaff(t, 'platform_admin');
    const q = await bed.page('es-MX');
    await login(q, '/admin/', platform.email);
    await q.locator('[data-section="stats"] select[name=scope]').selectOption('');
    await show(q, '2026-03', '2026-03');
    await q.locator(`figure[data-chart="unmet"] g[data-group*="Tsotsil"] rect[data-value="5"]`).waitFor();
    await expect(q.locator(`tr[data-key="${lang.tzo}"] td[data-col="unmet"]`).textContent()).resolves.toBe('5');
    await q.locator('figure[data-chart="unmet"]').scrollIntoViewIfNeeded();
    await a11y.check(q, 'admin-stats-all-countries');
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);
});
