import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  a11yRecorder,
  OUTPUT_DIR,
  eventually,
  goAvailable,
  seedInterpreter,
  seriousA11yViolations,
  snapshot,
  staffLogin,
  startClientBed,
  type ClientBed,
} from './utils/browser';
import { caller, languageId } from './utils/matching-fixtures';
import { seedHearing, seedMarch2026, seedRequest } from './utils/stats-fixtures';
import { createStaff, type TestApp } from './utils/test-app';
import { CallPeer } from './utils/webrtc-peer';
import { wordsSplitAt } from './utils/word-breaks';

/** Words split over two lines on the page as it is now, at a phone's width and a desktop's: `{390: [], 1280: []}` when none. */
async function splitWords(p: Page) {
  const found = { 390: await wordsSplitAt(p, 390), 1280: await wordsSplitAt(p, 1280) };
  await p.setViewportSize({ width: 390, height: 640 });
  return found;
}
const NO_SPLIT = { 390: [], 1280: [] };

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
    const [stored] = await t.sql<{ duration_ms: number; content_type: string; size: number }>(
      `SELECT duration_ms, content_type, size FROM interpreter_greetings WHERE interpreter_id = $1`,
      [ana.interpreterId],
    );
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
      () =>
        her.evaluate(() => ({
          t: document.querySelector<HTMLAudioElement>('audio.greeting-player')!.currentTime,
          ended: document.querySelector<HTMLAudioElement>('audio.greeting-player')!.ended,
        })),
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
      `GT-A3,Lucia,lucia@example.org,mam:4,spa:4;eng:2,violence,ALMG,C-9,${new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10)},female,`,
    ].join('\n');
    await p.locator('input[type=file]').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await p.locator('form.import button[type=submit]').click();
    const result = p.locator('.import-result');
    await result.waitFor();
    await expect(result.getAttribute('data-created')).resolves.toBe('2');
    const rejected = await p
      .locator('table.rejected tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent)));
    expect(rejected).toEqual([['3', 'languages', expect.stringContaining('xyz')]]);
    await check(p, 'admin-import-rejected');
    await expect(
      t.sql(`SELECT external_id FROM interpreters WHERE country = 'GT' AND external_id LIKE 'GT-A%' ORDER BY 1`),
    ).resolves.toEqual([{ external_id: 'GT-A1' }, { external_id: 'GT-A3' }]);

    // Certification: Lucia's certificate ends in 10 days, in the list to renew and marked in the roster; the
    // default rules (the legal matters and hearings) are shown, and she changes them.
    const cert = p.locator('section[aria-labelledby="certification-title"]');
    await expect(cert.locator('[data-list="expiring"] li', { hasText: 'GT-A3 Lucia' }).textContent()).resolves.toContain(
      '(ends in 10 days)',
    );
    await expect(p.locator('table.interpreters tr', { hasText: 'Lucia' }).locator('td[data-cert]').getAttribute('data-cert')).resolves.toBe(
      'soon',
    );
    const checked = () => cert.locator('input[name=matter]:checked').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    await expect(checked()).resolves.toEqual(['legal_civil', 'legal_labour', 'legal_criminal']);
    await cert.locator('input[value=legal_labour]').uncheck();
    await cert.locator('input[value=trafficking]').check();
    await cert.locator('button[type=submit]').click();
    await cert.locator('[role=status]').waitFor();
    await expect(t.sql(`SELECT matters::text[] AS matters, hearings FROM certification_rules WHERE country = 'GT'`)).resolves.toEqual([
      { matters: ['legal_civil', 'legal_criminal', 'trafficking'], hearings: true },
    ]);

    // Looking after interpreters: at most 3 violence or trafficking calls per interpreter in any 24 hours; nobody has
    // asked for a debrief yet.
    const care = p.locator('section[aria-labelledby="care-title"]');
    await expect(care.locator('h3 + p').textContent()).resolves.toBe('Nobody has asked for a debrief.');
    await care.locator('input[name=violenceTraffickingPerDay]').fill('3');
    await care.locator('button[type=submit]').click();
    await expect(care.locator('[role=status]').textContent()).resolves.toBe('Saved.');
    await expect(t.sql(`SELECT violence_trafficking_per_day AS n FROM roster_call_limits WHERE country = 'GT'`)).resolves.toEqual([
      { n: 3 },
    ]);
    await care.locator('input[name=violenceTraffickingPerDay]').fill('');
    await care.locator('button[type=submit]').click();
    await eventually(
      () => t.sql(`SELECT 1 FROM roster_call_limits WHERE country = 'GT'`),
      (r) => r.length === 0,
    );

    // She suspends Juana from the list, and reactivates her.
    const juana = p.locator('table.interpreters tr', { hasText: 'Juana' });
    await juana.locator('button[data-action=suspend]').click();
    await juana.locator('td[data-status="suspended"]').waitFor();
    await expect(t.sql(`SELECT status FROM interpreters WHERE external_id = 'GT-A1'`)).resolves.toEqual([{ status: 'suspended' }]);
    await check(p, 'admin-suspended');
    await juana.locator('button[data-action=reactivate]').click();
    await juana.locator('td[data-status="active"]').waitFor();
    await expect(t.sql(`SELECT status FROM interpreters WHERE external_id = 'GT-A1'`)).resolves.toEqual([{ status: 'active' }]);

    // Sharing: the bed shares Guatemala's roster with every member state, as the demo does; she stops sharing with
    // the United States and keeps Mexico.
    expect(await p.locator('fieldset.sharing input[value="MX"]').isChecked()).toBe(true);
    await p.locator('fieldset.sharing input[value="US"]').uncheck();
    await p.locator('section[aria-labelledby="sharing-title"] button[type=submit]').click();
    await p.locator('section[aria-labelledby="sharing-title"] [role=status]').waitFor();
    const shared = (
      await t.sql<{ borrower_country: string }>(`SELECT borrower_country FROM roster_sharing WHERE owner_country = 'GT' ORDER BY 1`)
    ).map((r) => r.borrower_country);
    expect(shared).toEqual(['BZ', 'CA', 'CR', 'DO', 'HN', 'MX', 'NI', 'PA', 'SV']);
    await p.locator('table.interpreters td', { hasText: 'Juana' }).waitFor();
    // The statistics section answers for her country: no requests in the last twelve months yet.
    await p.locator('[data-section="stats"] [role=status]').waitFor();

    const platform = await createStaff(t, 'platform_admin');
    const q = await bed.page('es-MX');
    await login(q, '/admin/', platform.email);
    await q.locator('select[name=country]:not([disabled])').selectOption('MX');
    await q.locator('section[aria-labelledby="sharing-title"] fieldset[disabled]').waitFor();
    await expect(q.locator('input[type=file]').count()).resolves.toBe(0);
    // A platform admin sees the roster but cannot suspend anyone or change its certification rules.
    await q.locator('table.interpreters').waitFor();
    await expect(q.locator('table.interpreters button[data-action]').count()).resolves.toBe(0);
    await q.locator('section[aria-labelledby="certification-title"] fieldset[disabled]').waitFor();
    await q.locator('section[aria-labelledby="care-title"] input[name=violenceTraffickingPerDay][disabled]').waitFor();
    await check(q, 'admin-platform');
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  }, 120_000);

  it('statistics: a table with small cells as "<5", charts of wait and unmet demand by language; her country for a roster admin, any for a platform admin', async () => {
    const a11y = a11yRecorder();
    const { interpreterId } = await seedInterpreter(t, 'Estela', 'mam:5');
    const lang = { mam: await languageId(t, 'mam'), kek: await languageId(t, 'kek'), tzo: await languageId(t, 'tzo') };
    await seedMarch2026(t, interpreterId, lang);
    // What was said after the seven Mam calls: each helped and referred to a shelter; two with signs of control.
    const mamSessions = `SELECT s.id FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id WHERE r.language_id = $1`;
    await t.sql(`UPDATE sessions SET feedback = 'helped', referred_to = '{shelter}' WHERE id IN (${mamSessions})`, [lang.mam]);
    await t.sql(`UPDATE sessions SET signs = '{controlled}' WHERE id IN (${mamSessions} ORDER BY s.id LIMIT 2)`, [lang.mam]);
    const show = async (p: Page, from: string, to: string) => {
      const stats = p.locator('[data-section="stats"]');
      await stats.locator('input[name=from]').fill(from);
      await stats.locator('input[name=to]').fill(to);
      await stats.locator('button[type=submit]').click();
      return stats;
    };
    const cells = (row: ReturnType<Page['locator']>) =>
      row.locator('td[data-col]').evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-col'), td.textContent])));
    const bars = (p: Page, chart: string, cls: string) =>
      p.locator(`figure[data-chart="${chart}"] rect.${cls}`).evaluateAll((rs) => rs.map((r) => r.getAttribute('data-value')));

    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('en-US');
    await login(p, '/admin/', admin.email);
    const stats = await show(p, '2026-03', '2026-03');
    const mam = stats.locator(`table[data-table="requests"] tr[data-key="${lang.mam}"][data-month="2026-03"]`);
    await mam.waitFor();
    // Counts rounded to multiples of 5 by the server (8, 7, 5, 6 and 7).
    expect(await cells(mam)).toMatchObject({
      requests: '10',
      answered: '5',
      answeredWithin1m: '5',
      answeredWithin5m: '5',
      unmet: '<5',
      medianWaitSeconds: '50',
      p90WaitSeconds: '280',
      sessions: '5',
    });
    // Three requests only: every count hidden, and no median of three people.
    // After the call, in its own table, suppressed alike (7 shown as 5, 2 hidden).
    expect(await cells(stats.locator(`table[data-table="afterCall"] tr[data-key="${lang.mam}"][data-month="2026-03"]`))).toMatchObject({
      feedbackHelped: '5',
      feedbackUnsure: '0',
      referredShelter: '5',
      referredPolice: '0',
      signControlled: '<5',
      anotherInterpreter: '0',
    });
    await expect(stats.locator('table[data-table="afterCall"] th', { hasText: 'Referred: A shelter' }).count()).resolves.toBe(1);
    expect(await cells(stats.locator(`table[data-table="requests"] tr[data-key="${lang.kek}"]`))).toMatchObject({
      requests: '<5',
      answered: '<5',
      unmet: '0',
      medianWaitSeconds: '—',
      sessions: '<5',
    });
    // The wait chart: Mam's median and 90th percentile; Q'eqchi' has no bar (too few people).
    expect(await bars(p, 'wait', 'bar-median')).toEqual(expect.arrayContaining(['50', '']));
    expect(await bars(p, 'wait', 'bar-p90')).toEqual(expect.arrayContaining(['280', '']));
    // Unmet demand in Guatemala: Mam's one request is under the minimum; Mexico's Tsotsil is not hers to see.
    await expect(
      p.locator('figure[data-chart="unmet"] g[data-group]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-group'))),
    ).resolves.toEqual([expect.stringContaining('Mam')]);
    await expect(p.locator('figure[data-chart="unmet"]').textContent()).resolves.toContain('<5');
    await p.locator('figure[data-chart="wait"]').scrollIntoViewIfNeeded();
    await a11y.check(p, 'admin-stats');
    await stats.locator('select[name=groupBy]').selectOption('matter');
    await stats.locator('button[type=submit]').click();
    await stats.locator('table[data-table="requests"] tr[data-key="violence"] th', { hasText: 'Violence' }).waitFor();
    await expect(p.locator('select[name=scope]').count()).resolves.toBe(0);
    // Hearings have their own table: five in May, three through a relay (hidden: fewer than five), 200 minutes.
    const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Paz' });
    const spa = await languageId(t, 'spa');
    for (const day of [1, 2, 3, 4, 5])
      await seedHearing(t, {
        officialId: official.id,
        interpreterId,
        language: lang.mam,
        relayLanguage: day <= 3 ? spa : null,
        day,
        state: 'completed',
        endReason: 'completed',
        minutes: 40,
      });
    await stats.locator('select[name=groupBy]').selectOption('language');
    await show(p, '2026-05', '2026-05');
    const hearings = p.locator(`table[data-table="hearings"] tr[data-key="${lang.mam}"]`);
    await hearings.waitFor();
    expect(await cells(hearings)).toEqual({
      bookings: '5',
      confirmed: '5',
      unfilled: '0',
      relay: '<5',
      relaySharePercent: '—',
      interpreterMinutes: '200',
    });
    await a11y.check(p, 'admin-stats-hearings');

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

  it("the interpreter's call screen keeps the language, matter, urgency, age and a running timer in a real call; logging out in it asks first", async () => {
    const a11y = a11yRecorder();
    const carmen = await seedInterpreter(t, 'Carmen', 'mam:5');
    const p = await bed.page('es-GT');
    await p.setViewportSize({ width: 390, height: 640 });
    await login(p, '/interpreter/', carmen.email);
    await p.locator('.availability [role=switch]:not([disabled])').click();
    await p.locator('[data-available="true"]').waitFor();
    // Idle, with her hearings, availability and greetings: no word split at either width.
    await p.locator('.availability-editor').waitFor();
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);

    // A woman calls (a real caller over socket.io and WebRTC): urgent, criminal law, a minor, from Guatemala.
    const her = await caller(t, url);
    const created = await her.call('request:create', {
      languageId: await languageId(t, 'mam'),
      matter: 'legal_criminal',
      urgency: 'urgent',
      minor: true,
      country: 'GT',
    });
    expect(created.error).toBeUndefined();
    await p.locator('[data-view="offer"] button.accept').click();
    const call = p.locator('[data-view="call"]');
    await call.waitFor();
    const { sessionId } = await her.next('request:update', (u) => !!u.sessionId);
    const peer = await new CallPeer(her, sessionId!).start();
    await peer.speak();
    await eventually(
      () => p.evaluate(() => window.__puente!.inboundAudio()),
      (v) => !!v && v.bytesReceived > 0,
    );

    // What the offer said stays on the screen during the call.
    const facts = await call
      .locator('dd[data-fact]')
      .evaluateAll((dds) => Object.fromEntries(dds.map((d) => [d.getAttribute('data-fact'), d.textContent])));
    expect(facts).toEqual({
      language: expect.stringContaining('Mam'),
      // In Guatemala the other side speaks Spanish (no target named): the offer says so.
      target: expect.stringMatching(/español/i),
      matter: 'Legal (penal)',
      urgency: 'Urgente',
      age: 'Menor de 18 años (o no lo sabe)',
    });
    // The timer runs: its count of seconds goes up while she is in the call.
    const timer = call.locator('time[role=timer]');
    const first = Number(await timer.getAttribute('data-seconds'));
    await eventually(
      () => timer.getAttribute('data-seconds'),
      (v) => Number(v) > first,
    );
    await expect(timer.textContent()).resolves.toMatch(/^\d+:\d\d$/);
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);
    await a11y.check(p, 'interpreter-call-facts');

    // "Salir" in a call asks first; "no" keeps her in the call, which goes on.
    await p.locator('header.bar button.link').click();
    const ask = p.locator('.confirm-end[role=alertdialog]');
    await ask.waitFor();
    await expect(call.count()).resolves.toBe(1);
    await a11y.check(p, 'interpreter-call-logout-confirm');
    await ask.locator('button.secondary').click();
    await expect(ask.count()).resolves.toBe(0);
    await expect(call.count()).resolves.toBe(1);
    await expect(t.sql(`SELECT ended_at FROM sessions WHERE id = $1`, [sessionId])).resolves.toEqual([{ ended_at: null }]);
    // "Yes" leaves the call properly and logs her out.
    await p.locator('header.bar button.link').click();
    await p.locator('button[data-action="confirm-logout"]').click();
    await p.locator('input[name=email]').waitFor();
    await eventually(
      () => t.sql<{ ended: boolean }>(`SELECT ended_at IS NOT NULL AS ended FROM sessions WHERE id = $1`, [sessionId]),
      ([r]) => r.ended,
    );
    // Back on her console, her month counts the call (started, so its minutes count).
    await login(p, '/interpreter/', carmen.email);
    await expect(p.locator('.my-month dd[data-fact="calls"]').textContent()).resolves.toMatch(/^1 · \d+ min$/);
    await expect(p.locator('.my-month dd[data-fact="hearings"]').textContent()).resolves.toBe('0 · 0 min');
    await a11y.check(p, 'interpreter-my-month');
    peer.close();
    her.close();
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);

  it("the official's console offers no calendar file and no follow-up on a cancelled hearing; no word split on it", async () => {
    const a11y = a11yRecorder();
    const olga = await seedInterpreter(t, 'Olga', 'kek:5');
    const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Familia, Cobán' });
    const book = async (days: number) =>
      (
        await t
          .http()
          .post('/api/v1/bookings')
          .set('authorization', `Bearer ${official.token}`)
          .send({
            languageId: await languageId(t, 'kek'),
            matter: 'legal_civil',
            startsAt: new Date(Date.now() + days * 86_400_000).toISOString(),
            durationMinutes: 60,
            caseReference: 'EXP-2026-0917',
          })
          .expect(201)
      ).body as { id: string };
    const kept = await book(3);
    const cancelled = await book(4);
    // Confirmed by the interpreter, then cancelled by the official: the booking still names who was to interpret.
    await t.http().post(`/api/v1/bookings/${cancelled.id}/confirm`).set('authorization', `Bearer ${olga.token}`).send({}).expect(200);
    await t.http().post(`/api/v1/bookings/${cancelled.id}/cancel`).set('authorization', `Bearer ${official.token}`).send({}).expect(200);

    const p = await bed.page('es-GT');
    await p.setViewportSize({ width: 390, height: 640 });
    await login(p, '/official/', official.email);
    const open = p.locator(`li.booking[data-booking="${kept.id}"]`);
    const gone = p.locator(`li.booking[data-booking="${cancelled.id}"][data-state="cancelled"]`);
    await gone.waitFor();
    // Both had the same interpreter asked: the open one offers its calendar file and a follow-up, the cancelled one neither.
    await expect(open.locator('.booking-interpreter').textContent()).resolves.toBe('Olga');
    await expect(gone.locator('.booking-interpreter').textContent()).resolves.toBe('Olga');
    await expect(open.locator('button[data-action="calendar"], button[data-action="rebook"]').count()).resolves.toBe(2);
    await expect(
      gone.locator('button[data-action="calendar"], button[data-action="rebook"], button[data-action="cancel"]').count(),
    ).resolves.toBe(0);
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);
    await a11y.check(p, 'official-cancelled');
    expect(a11y.found).toEqual(a11y.none());
  }, 60_000);

  it('an interpreter whose roster admin suspends her is set away and told why, in her language; she cannot go available until reactivated', async () => {
    const her = await seedInterpreter(t, 'Suspendida', 'mam:5');
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('es-GT');
    await goAvailable(p, url, her.email);
    const patch = (status: string) =>
      t
        .http()
        .patch(`/api/v1/rosters/GT/interpreters/${her.interpreterId}`)
        .set('Authorization', `Bearer ${admin.token}`)
        .send({ status })
        .expect(200);
    await patch('suspended');
    await p.locator('[data-available="false"]').waitFor();
    const note = p.locator('[data-view="idle"] .note');
    await expect(note.textContent()).resolves.toContain('la suspendió');
    // Tapping "available" again is refused, and she is told the same.
    await p.locator('.availability [role=switch]:not([disabled])').click();
    await expect(note.textContent()).resolves.toContain('la suspendió');
    await expect(p.locator('[data-available]').getAttribute('data-available')).resolves.toBe('false');
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);
    await patch('active');
    await p.locator('.availability [role=switch]:not([disabled])').click();
    await p.locator('[data-available="true"]').waitFor();
  });

  it("the admin console in Spanish: rejected rows with their reasons and the interpreters' statuses translated", async () => {
    const a11y = a11yRecorder();
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('es-GT');
    await p.setViewportSize({ width: 390, height: 640 });
    await login(p, '/admin/', admin.email);
    const csv = [
      'external_id,first_name,email,languages,relay_languages,specialties,certification_body,certification_number,certification_expires,gender,status',
      'ES-1,Tomasa,tomasa@example.org,mam:5,spa,violence,,,,female,suspended',
      'ES-2,Paulina,paulina@example.org,xyz:5,spa,violence,,,,female,active',
      'ES-1,Otra,otra@example.org,mam:5,spa,violence,,,,female,active',
      'ES 3,,no-es-correo,mam:9;quc,zz1,cocina,,,2026-02-30,x,retired',
      'ES-4,Marta,marta@example.org,mam/nada:4,spa,,,,,,',
      'ES-5,Rosa',
      'ES-6,Eva,eva@example.org,kek:3;kek:2,spa,,,,,,',
    ].join('\n');
    await p.locator('input[type=file]').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await p.locator('form.import button[type=submit]').click();
    await p.locator('.import-result table.rejected').waitFor();
    const rows = await p.locator('table.rejected tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const td = tr.querySelectorAll('td');
        return { line: td[0].textContent, field: td[1].textContent, server: td[2].getAttribute('data-reason')!, shown: td[2].textContent! };
      }),
    );
    // Every reason the server gave is one the console knows: none is left in English.
    expect(rows.length).toBeGreaterThanOrEqual(14);
    expect(rows.filter((r) => r.shown === r.server)).toEqual([]);
    const shown = (field: string, line: string) => rows.filter((r) => r.field === field && r.line === line).map((r) => r.shown);
    expect(shown('languages', '3')).toEqual(['código de idioma desconocido: xyz']);
    expect(shown('external_id', '4')).toEqual(['external_id repetido: ya está en la línea 2']);
    expect(shown('email', '5')).toEqual(['email debe ser una dirección de correo válida']);
    expect(shown('status', '5')).toEqual([
      'status debe ser active o suspended, o vacío (una intérprete nueva queda activa; una ya inscrita conserva el suyo)',
    ]);
    expect(shown('languages', '6')).toEqual(['variante de idioma desconocida: mam/nada']);
    expect(shown('row', '7')).toEqual(['la fila tiene 2 celda(s) y el encabezado 11']);
    expect(shown('languages', '8')).toEqual(['kek aparece dos veces']);
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);
    await a11y.check(p, 'admin-import-rejected-es');

    // The interpreters' statuses, in Spanish.
    const tomasa = p.locator('table.interpreters tr', { hasText: 'Tomasa' });
    await tomasa.waitFor();
    await expect(tomasa.locator('td[data-status] .status-label').textContent()).resolves.toBe('Suspendida');
    await expect(tomasa.locator('td[data-status] button').textContent()).resolves.toBe('Reactivar');
    await expect(p.locator('table.interpreters td[data-status="active"] .status-label').first().textContent()).resolves.toBe('Activa');
    expect(a11y.found).toEqual(a11y.none());
  }, 60_000);

  it('statistics at pilot scale: a few requests, every month under 5, yet the summary over the year shows them; "<5" is explained on the page', async () => {
    const a11y = a11yRecorder();
    const { interpreterId } = await seedInterpreter(t, 'Hortensia', 'mam:5');
    const mam = await languageId(t, 'mam');
    // Six requests in Honduras over three recent months, two a month: four answered, two nobody could take.
    const now = new Date();
    for (let back = 1; back <= 3; back++) {
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 10, 15)).toISOString();
      await seedRequest(t, interpreterId, mam, at, { country: 'HN', wait: 20 + back, call: 600 });
      await seedRequest(t, interpreterId, mam, at, { country: 'HN', ...(back === 1 ? { wait: 40, call: 900 } : {}) });
    }
    const admin = await createStaff(t, 'roster_admin', { country: 'HN' });
    const p = await bed.page('es-GT');
    await p.setViewportSize({ width: 390, height: 640 });
    await login(p, '/admin/', admin.email);
    const stats = p.locator('[data-section="stats"]');
    const summary = (col: string) => stats.locator(`[data-summary] td[data-area="HN"][data-col="${col}"]`);
    await summary('requests').waitFor();
    // The explanation of "<5" is on the page, in words, not only in a tooltip.
    const note = stats.locator('[data-note="suppression"]');
    await expect(note.isVisible()).resolves.toBe(true);
    await expect(note.textContent()).resolves.toContain('menos de 5');
    // Month by month, every count is hidden...
    const monthly = await stats.locator('table[data-table="requests"]').locator('td[data-col="requests"]').allTextContents();
    expect(monthly).toEqual(['<5', '<5', '<5']);
    // ...but over the year, Honduras's six requests are there (rounded to 5, as the page says).
    await expect(note.textContent()).resolves.toContain('múltiplo de 5');
    const cells = await stats
      .locator('[data-summary] td[data-area="HN"]')
      .evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-col'), td.textContent])));
    expect(cells).toMatchObject({ requests: '5', answered: '<5', unmet: '<5', medianWaitSeconds: '—' });
    await expect(splitWords(p)).resolves.toEqual(NO_SPLIT);
    // The whole section, for a person to look at (test-output/), at both widths.
    await stats.screenshot({ path: join(OUTPUT_DIR, 'admin-stats-pilot-390.png') });
    await p.setViewportSize({ width: 1280, height: 800 });
    await stats.screenshot({ path: join(OUTPUT_DIR, 'admin-stats-pilot-1280.png') });
    await p.setViewportSize({ width: 390, height: 640 });
    await stats.scrollIntoViewIfNeeded();
    await a11y.check(p, 'admin-stats-pilot');

    // The whole range per language, on request: one row for the year.
    await stats.locator('select[name=period]').selectOption('whole');
    await stats.locator('button[type=submit]').click();
    await stats.locator(`table.stats-table tr[data-key="${mam}"] td[data-col="requests"]`, { hasText: /^5$/ }).waitFor();

    // A platform admin looking at Honduras sees the whole region beside it.
    const platform = await createStaff(t, 'platform_admin');
    const q = await bed.page('es-MX');
    await q.setViewportSize({ width: 390, height: 640 });
    await login(q, '/admin/', platform.email);
    await q.locator('select[name=country]:not([disabled])').selectOption('HN');
    const qs = q.locator('[data-section="stats"]');
    await qs.locator('[data-summary] td[data-area="HN"][data-col="requests"]', { hasText: /^5$/ }).waitFor();
    // (Five at least: other tests of this file may have added calls elsewhere.)
    const region = Number(await qs.locator('[data-summary] td[data-area="all"][data-col="requests"]').textContent());
    expect(region).toBeGreaterThanOrEqual(5);
    await expect(splitWords(q)).resolves.toEqual(NO_SPLIT);
    await a11y.check(q, 'admin-stats-pilot-region');
    expect(a11y.found).toEqual(a11y.none());
  }, 90_000);
});
