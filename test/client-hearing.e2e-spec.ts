import { BOOKING_SELECT } from '../src/bookings/booking-row';
import ical from 'node-ical';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import {
  a11yRecorder,
  byRole,
  deviceTraces,
  eventually,
  hearsRoles,
  seedInterpreter,
  staffLogin,
  startClientBed,
  type ClientBed,
  wallClock,
} from './utils/browser';
import { createStaff, type TestApp } from './utils/test-app';

/** The loudest level heard from `role` over `ms` (sampled every 100 ms): the beeps come about once a second. */
async function loudest(p: Page, role: string, ms: number): Promise<number> {
  let max = 0;
  for (let waited = 0; waited < ms; waited += 100) {
    max = Math.max(max, (await byRole(p))?.[role]?.audioLevel ?? 0);
    await p.waitForTimeout(100);
  }
  return max;
}

/**
 * Hearings in the web client, each party in her own Chromium context: the official books on her console (in
 * Guatemala's time), the interpreter (in New York's) confirms on hers, and in the call's window the official,
 * the interpreter and a woman who opened the caller's page with the join code all hear each other.
 */
describe('web client: a hearing booked, confirmed and held with a remote woman', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    bed = await startClientBed();
    ({ t, url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  it('books on the official console, confirms on the interpreter console, and the three hear each other until the official ends it', async () => {
    const a11y = a11yRecorder();
    const rosa = await seedInterpreter(t, 'Rosa', 'mam:5');
    const official = await createStaff(t, 'official', { country: 'GT', institution: 'Juzgado de Paz, Quetzaltenango' });
    const court = await bed.page('es-GT', undefined, 'America/Guatemala');
    const console = await bed.page('en-US', undefined, 'America/New_York');

    await court.goto(`${url}/official/`);
    await court.locator('input[name=email]').waitFor();
    await a11y.check(court, 'official-login');
    await staffLogin(court, url, '/official/', official.email);
    // Her own time zone is the device's, and the form says so.
    await expect(court.locator('select[name=timeZone]').inputValue()).resolves.toBe('America/Guatemala');
    // Booked without a language: the form says so at the field, until she chooses one.
    await court.locator('form.booking-form button[type=submit]').click();
    await court.locator('#err-languageId').waitFor();
    await court.fill('input[name=language]', 'mam');
    await court.locator('.language-results button[data-iso="mam"][data-variant=""]').click();
    await court.locator('.chosen-language').waitFor();
    await expect(court.locator('#err-languageId').count()).resolves.toBe(0);
    await court.selectOption('select[name=matter]', 'violence');
    // Into her institution's language unless she picks another (a relay language).
    const target = court.locator('select[name=targetLanguageId]');
    await expect(target.inputValue()).resolves.toBe('');
    await expect(target.locator('option:checked').textContent()).resolves.toBe('El idioma de su institución');
    await expect(target.locator('option').allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringMatching(/english/i), expect.stringMatching(/español/i)]),
    );
    // A few minutes ahead, so that the call is open at once (it opens ten minutes before the start).
    const start = new Date(Math.ceil((Date.now() + 5 * 60_000) / 60_000) * 60_000);
    const local = wallClock(start, 'America/Guatemala');
    await court.fill('input[name=date]', local.date);
    await court.fill('input[name=time]', local.time);
    await court.selectOption('select[name=duration]', '30');
    await court.locator('input[name=remote]').check();
    // A name does not fit as a case reference: the server's own message is shown at the field.
    await court.fill('input[name=caseReference]', 'Maria Lopez');
    await court.locator('form.booking-form button[type=submit]').click();
    await court.locator('#err-caseReference').waitFor();
    await expect(court.locator('#err-caseReference').textContent()).resolves.toMatch(/caseReference must be an opaque reference/);
    await expect(court.locator('input[name=caseReference]').getAttribute('aria-invalid')).resolves.toBe('true');
    await a11y.check(court, 'official-book-error');
    await expect(t.sql(`SELECT id FROM bookings`)).resolves.toEqual([]);
    await court.fill('input[name=caseReference]', 'EXP-2026-0042');
    await court.locator('form.booking-form button[type=submit]').click();
    await court.locator('.booking-form [role=status]').waitFor();

    // Stored in UTC: the wall-clock time she typed, read in Guatemala's zone.
    const [stored] = await t.sql<{
      id: string;
      starts_at: Date;
      time_zone: string;
      state: string;
      interpreter_id: string;
      remote_participant: boolean;
      case_reference: string;
    }>(`SELECT id, starts_at, time_zone, state, interpreter_id, remote_participant, case_reference FROM (${BOOKING_SELECT}) b`);
    expect(stored).toMatchObject({
      time_zone: 'America/Guatemala',
      state: 'assigned',
      interpreter_id: rosa.interpreterId,
      remote_participant: true,
      case_reference: 'EXP-2026-0042',
    });
    expect(stored.starts_at.toISOString()).toBe(start.toISOString());
    const mine = court.locator(`li.booking[data-booking="${stored.id}"]`);
    await mine.locator('.booking-state.assigned').waitFor();
    await expect(mine.locator('.booking-interpreter').textContent()).resolves.toBe('Rosa');
    await expect(mine.locator('.booking-target').textContent()).resolves.toMatch(/español/i);
    await a11y.check(court, 'official-booked');

    // The interpreter sees it in her own zone, without the case reference, and confirms.
    await staffLogin(console, url, '/interpreter/', rosa.email);
    const hers = console.locator(`li.booking[data-booking="${stored.id}"][data-state="assigned"]`);
    await hers.waitFor();
    await expect(hers.locator('time').textContent()).resolves.toContain(wallClock(start, 'America/New_York').time);
    await expect(hers.textContent()).resolves.not.toContain('EXP-2026-0042');
    await a11y.check(console, 'interpreter-booking-asked');
    await hers.locator('button[data-action="confirm"]').click();
    await console.locator(`li.booking[data-booking="${stored.id}"][data-state="confirmed"] button[data-action="join"]`).waitFor();
    await a11y.check(console, 'interpreter-booking-confirmed');
    // The official's list follows by itself (booking:update), without a reload.
    await mine.locator('.booking-state.confirmed').waitFor();

    // The calendar file: the hearing's UID, start and zone.
    const [download] = await Promise.all([court.waitForEvent('download'), mine.locator('button[data-action="calendar"]').click()]);
    const event = Object.values(ical.sync.parseICS(readFileSync((await download.path())!, 'utf8'))).find(
      (c) => c?.type === 'VEVENT',
    ) as ical.VEvent;
    expect(event.uid).toBe(`${stored.id}@puente`);
    expect(event.start.toISOString()).toBe(start.toISOString());
    expect((event.start as ical.DateWithTimeZone).tz).toBe('America/Guatemala');

    // The code for the woman, and its link, shown once.
    await mine.locator('button[data-action="join-code"]').click();
    const code = (await mine.locator('.join-code .code').textContent())!;
    expect(code).toMatch(/^\d{4}-\d{4}-\d{2}$/);
    const digits = code.replace(/-/g, '');
    await expect(mine.locator('.join-code .code-link').textContent()).resolves.toBe(`${url}/?join=${digits}`);
    await a11y.check(court, 'official-join-code');
    await mine.locator('.join-code button').click();
    await expect(court.content()).resolves.not.toContain(digits);

    // The woman opens the link: straight into the hearing's call; the code leaves the address bar at once.
    const her = await bed.page('es-GT');
    const opened = await her.goto(`${url}/?join=${digits}`);
    // Not kept in the browser's cache under the address that holds the code.
    expect(opened!.headers()['cache-control']).toBe('no-store');
    await her.locator('[data-phase="connected"]').waitFor();
    expect(her.url()).toBe(`${url}/`);

    await mine.locator('button[data-action="join"]').click();
    await court.locator('[data-view="hearing"][data-joined="true"]').waitFor();
    await console.locator(`li.booking[data-booking="${stored.id}"] button[data-action="join"]`).click();
    await console.locator('[data-view="hearing"][data-joined="true"]').waitFor();

    // Everyone hears both others, by each browser's own receiver statistics.
    await eventually(() => byRole(court), hearsRoles(['interpreter', 'caller']));
    await eventually(() => byRole(console), hearsRoles(['official', 'caller']));
    await eventually(() => byRole(her), hearsRoles(['official', 'interpreter']));
    await court.locator('.participants li[data-role="caller"][data-present="true"]').waitFor();
    await console.locator('.participants li[data-role="official"][data-present="true"]').waitFor();
    await a11y.check(court, 'official-hearing');
    await a11y.check(console, 'interpreter-hearing');
    await a11y.check(her, 'caller-hearing');

    // Muted, the official is not heard (the fake microphone's beeps stop reaching the interpreter); unmuted, she is again.
    await court.locator('.hearing-call button.mute').click();
    await expect(court.locator('.hearing-call button.mute').getAttribute('aria-pressed')).resolves.toBe('true');
    await eventually(
      () => loudest(console, 'official', 3000),
      (level) => level < 0.01,
    );
    await court.locator('.hearing-call button.mute').click();
    await eventually(
      () => byRole(console),
      (v) => (v?.official?.audioLevel ?? 0) > 0.01,
    );

    // Leaving is ending it for everyone: she confirms first.
    await court.locator('.hearing-call button.hang-up').click();
    await court.locator('.confirm-end[role="alertdialog"]').waitFor();
    await a11y.check(court, 'official-end-confirm');
    await court.locator('button[data-action="end-hearing"]').click();
    await court.locator('[data-note="hearing-ended"]').waitFor();
    await expect(console.locator('[data-view="idle"] .note').textContent()).resolves.toBe('The hearing has ended.');
    await her.locator('[data-phase="ended"]').waitFor();
    await expect(her.locator('.status').textContent()).resolves.toBe('La audiencia terminó.');
    await a11y.check(her, 'caller-hearing-ended');
    await eventually(
      () => t.sql<{ state: string }>(`SELECT state FROM bookings WHERE id = $1`, [stored.id]),
      ([b]) => b.state === 'completed',
    );
    const [session] = await t.sql<{ ended: boolean; caller_sub: string | null }>(
      `SELECT ended_at IS NOT NULL AS ended, caller_sub FROM sessions WHERE booking_id = $1`,
      [stored.id],
    );
    expect(session).toEqual({ ended: true, caller_sub: null });

    // Her phone keeps nothing: no storage, database, cache, service worker or cookie, and no history entry with the code.
    await expect(deviceTraces(her)).resolves.toEqual({ local: 0, session: 0, databases: 0, caches: 0, workers: 0, cookie: '' });
    await her.goBack();
    expect(her.url()).toBe('about:blank');

    // The code worked once: opened again, a calm message says what to do (the server answers a used code as any
    // code that does not open the call now, so the page cannot tell which).
    const again = await bed.page('es-GT');
    await again.goto(`${url}/?join=${digits}`);
    await again.locator('[data-join="early"]').waitFor();
    await expect(again.locator('[data-join="early"]').textContent()).resolves.toContain('pida uno nuevo');
    expect(again.url()).toBe(`${url}/`);
    await a11y.check(again, 'caller-join-used');

    // A follow-up asks the same interpreter; the official cancels it.
    await mine.locator('.booking-state.completed').waitFor();
    await mine.locator('button[data-action="rebook"]').click();
    await court.locator(`.follow-up[data-follow-up="${stored.id}"]`).waitFor();
    await expect(court.locator('.chosen-language').getAttribute('data-language')).resolves.toBe(
      (await t.sql<{ language_id: string }>(`SELECT language_id FROM bookings WHERE id = $1`, [stored.id]))[0].language_id,
    );
    const later = wallClock(new Date(Date.now() + 3 * 86_400_000), 'America/Guatemala');
    await court.fill('input[name=date]', later.date);
    await court.fill('input[name=time]', '10:00');
    await court.locator('form.booking-form button[type=submit]').click();
    await court.locator('.booking-form [role=status]').waitFor();
    const [followUp] = await t.sql<{ id: string; interpreter_id: string; case_reference: string }>(
      `SELECT id, interpreter_id, case_reference FROM (${BOOKING_SELECT}) b WHERE follow_up_of = $1`,
      [stored.id],
    );
    expect(followUp).toMatchObject({ interpreter_id: rosa.interpreterId, case_reference: 'EXP-2026-0042' });
    const next = court.locator(`li.booking[data-booking="${followUp.id}"]`);
    await next.locator('button[data-action="cancel"]').click();
    await a11y.check(court, 'official-cancel-confirm');
    await next.locator('button[data-action="confirm-cancel"]').click();
    await next.locator('.booking-state.cancelled').waitFor();
    await expect(t.sql(`SELECT state FROM bookings WHERE id = $1`, [followUp.id])).resolves.toEqual([{ state: 'cancelled' }]);
    // The interpreter's list has it cancelled too, live.
    await console.locator(`li.booking[data-booking="${followUp.id}"][data-state="cancelled"]`).waitFor();

    expect(a11y.found).toEqual(a11y.none());
  }, 240_000);

  it('the interpreter edits her weekly windows for hearings in her time zone; a bad window is refused with the reason', async () => {
    const a11y = a11yRecorder();
    const lucia = await seedInterpreter(t, 'Lucía', 'kek:5');
    const p = await bed.page('es-GT', undefined, 'America/Guatemala');
    await staffLogin(p, url, '/interpreter/', lucia.email);
    const editor = p.locator('.availability-editor');
    await editor.waitFor();
    await expect(editor.locator('select[name=timeZone]').inputValue()).resolves.toBe('America/Guatemala');
    await editor.locator('button[data-action="add-window"]').click();
    await editor.locator('button[data-action="add-window"]').click();
    const rows = editor.locator('li.window');
    await rows.nth(0).locator('select[name=weekday]').selectOption('1');
    await rows.nth(0).locator('input[name=start]').fill('08:00');
    await rows.nth(0).locator('input[name=end]').fill('12:30');
    await rows.nth(1).locator('select[name=weekday]').selectOption('4');
    await rows.nth(1).locator('input[name=start]').fill('14:00');
    await rows.nth(1).locator('input[name=end]').fill('18:00');
    await editor.locator('button[type=submit]').click();
    await editor.locator('[role=status]').waitFor();
    await a11y.check(p, 'interpreter-availability');
    const windows = () =>
      t.sql(
        `SELECT weekday, to_char(starts_at, 'HH24:MI') AS start, to_char(ends_at, 'HH24:MI') AS end, time_zone FROM interpreter_availability WHERE interpreter_id = $1 ORDER BY weekday`,
        [lucia.interpreterId],
      );
    await expect(windows()).resolves.toEqual([
      { weekday: 1, start: '08:00', end: '12:30', time_zone: 'America/Guatemala' },
      { weekday: 4, start: '14:00', end: '18:00', time_zone: 'America/Guatemala' },
    ]);

    // An end before its start: the server's reason is shown, and what was stored stays.
    await rows.nth(1).locator('input[name=end]').fill('13:00');
    await editor.locator('button[type=submit]').click();
    await editor.locator('[role=alert]').waitFor();
    await expect(editor.locator('[role=alert]').textContent()).resolves.toContain('windows.1.end must be after windows.1.start');
    await a11y.check(p, 'interpreter-availability-error');
    await expect(windows()).resolves.toHaveLength(2);

    // After a reload the editor shows what the server holds.
    await p.reload();
    await p.locator('.availability-editor li.window').nth(1).waitFor();
    await expect(p.locator('.availability-editor li.window input[name=end]').nth(1).inputValue()).resolves.toBe('18:00');
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);

  it('a join link opened before the call opens says so calmly and keeps the code usable for a retry', async () => {
    const a11y = a11yRecorder();
    const ixchel = await seedInterpreter(t, 'Ixchel', 'quc:5');
    const official = await createStaff(t, 'official', { country: 'GT', institution: 'Fiscalía de la Mujer, Totonicapán' });
    const as = (token: string, path: string) => t.http().post(path).set('authorization', `Bearer ${token}`).send({});
    const [quc] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'quc' AND variant IS NULL`);
    const booked = await t
      .http()
      .post('/api/v1/bookings')
      .set('authorization', `Bearer ${official.token}`)
      .send({
        languageId: quc.id,
        matter: 'legal_criminal',
        startsAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
        durationMinutes: 60,
        remoteParticipant: true,
      })
      .expect(201);
    await as(ixchel.token, `/api/v1/bookings/${booked.body.id}/confirm`).expect(200);
    const { code } = (await as(official.token, `/api/v1/bookings/${booked.body.id}/join-code`).expect(200)).body;
    const her = await bed.page('en-US');
    await her.goto(`${url}/?join=${code.replace(/-/g, '')}`);
    await her.locator('[data-join="early"]').waitFor();
    expect(her.url()).toBe(`${url}/`);
    await a11y.check(her, 'caller-join-early');
    // Not used up: a retry tries the same code again (still too early here), held only in the page's memory.
    const [retry] = await Promise.all([
      her.waitForRequest((r) => r.url().endsWith('/api/v1/bookings/join')),
      her.locator('.call-screen button.call-button').click(),
    ]);
    expect(retry.postDataJSON()).toEqual({ code: code.replace(/-/g, '') });
    await her.locator('[data-join="early"]').waitFor();
    await expect(t.sql(`SELECT used_at FROM join_codes WHERE booking_id = $1`, [booked.body.id])).resolves.toEqual([{ used_at: null }]);
    await expect(deviceTraces(her)).resolves.toMatchObject({ local: 0, session: 0, caches: 0, workers: 0 });
    expect(a11y.found).toEqual(a11y.none());
  }, 60_000);
});
