import {
  a11yRecorder,
  byRole,
  eventually,
  hearsRoles,
  goAvailable,
  seedInterpreter,
  staffLogin,
  startClientBed,
  wordsSplitAcrossLines,
  type ClientBed,
} from './utils/browser';
import { createStaff, type TestApp } from './utils/test-app';

/**
 * "Interpreter now" in Chromium, with the demo's settings (startClientBed): a police officer in Guatemala, a
 * woman beside her, asks on her console (360×640, in Spanish) for an interpreter of Mam; the interpreter's console
 * rings with "into Spanish" (her institution's language), she accepts, the two hear each other, and the officer
 * adds the woman's own phone with a one-time code (the three hear each other), and ends the call.
 */
describe('web client: interpreter now, from the official console', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    bed = await startClientBed();
    ({ t, url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  it('asks for an interpreter of the woman beside her; the interpreter accepts; they hear each other until she ends it', async () => {
    const a11y = a11yRecorder();
    const rosa = await seedInterpreter(t, 'Rosa', 'mam:5');
    const officer = await createStaff(t, 'official', { country: 'GT', institution: 'Comisaría 41, Huehuetenango' });
    const police = await bed.page('es-GT');
    const console = await bed.page('es-GT');

    await staffLogin(police, url, '/official/', officer.email);
    const panel = police.locator('[data-panel="interpreter-now"]');
    // Closed until she needs it: the booking form below keeps its place.
    await panel.locator('button[data-action="open-now"][aria-expanded="false"]').click();
    // Nothing chosen: the form says what is missing, and nothing is asked.
    await panel.locator('button[data-action="call-now"]').click();
    await panel.locator('#now-err-languageId').waitFor();
    await expect(t.sql(`SELECT id FROM interpretation_requests`)).resolves.toEqual([]);
    await panel.locator('input[name=language]').fill('mam');
    await panel.locator('.language-results button[data-iso="mam"][data-variant=""]').click();
    await panel.locator('.chosen-language').waitFor();
    await expect(panel.locator('#now-err-languageId').count()).resolves.toBe(0);
    await panel.locator('select[name=urgency]').selectOption('urgent');
    await expect(panel.locator('select[name=targetLanguageId]').inputValue()).resolves.toBe('');
    await a11y.check(police, 'official-now-form');
    await expect(wordsSplitAcrossLines(police)).resolves.toEqual([]);

    // Nobody available yet: she waits in line, and sees it.
    await panel.locator('button[data-action="call-now"]').click();
    await panel.locator('.now-waiting[data-phase="waiting"]').waitFor();
    await a11y.check(police, 'official-now-waiting');

    await goAvailable(console, url, rosa.email);
    const offer = console.locator('[data-view="offer"]');
    await offer.waitFor();
    await expect(offer.locator('dd[data-fact="target"]').textContent()).resolves.toMatch(/español/i);
    await expect(offer.locator('dd[data-fact="urgency"]').textContent()).resolves.toBe('Urgente');
    await offer.locator('button.accept').click();

    await police.locator('[data-view="hearing"][data-joined="true"]').waitFor();
    await expect(police.locator('#hearing-title').textContent()).resolves.toBe('Llamada con intérprete');
    await eventually(() => byRole(police), hearsRoles(['interpreter']));
    await eventually(() => byRole(console), hearsRoles(['official']));
    await police.locator('.participants li[data-role="interpreter"][data-present="true"]').waitFor();
    await a11y.check(police, 'official-now-call');
    const [asked] = await t.sql<{ state: string; official_id: string }>(`SELECT state, official_id FROM interpretation_requests`);
    expect(asked).toEqual({ state: 'connected', official_id: officer.id });

    // The woman's own phone, by a code the officer reads to her: she joins the same call, and the three hear each other.
    await police.locator('.hearing-call button[data-action="join-code"]').click();
    const digits = (await police.locator('.join-code .code').textContent())!.replace(/-/g, '');
    await a11y.check(police, 'official-now-code');
    await police.locator('.join-code button').click();
    const her = await bed.page('es-GT');
    await her.goto(`${url}/?join=${digits}`);
    await her.locator('[data-phase="connected"]').waitFor();
    await expect(her.locator('.status.connected').textContent()).resolves.toBe('Está en la llamada. Puede hablar.');
    await eventually(() => byRole(her), hearsRoles(['official', 'interpreter']));
    await eventually(() => byRole(police), hearsRoles(['interpreter', 'caller']));
    await police.locator('.participants li[data-role="caller"][data-present="true"]').waitFor();
    // The interpreter's call screen says who is in the call, by role.
    await console.locator('[data-view="call"] .participants li[data-role="caller"]').waitFor();
    await expect(console.locator('[data-view="call"] .participants li').allTextContents()).resolves.toEqual([
      'La mujer',
      'Funcionaria o funcionario',
    ]);
    await a11y.check(console, 'interpreter-now-call-three');
    // Her phone hangs up: the call goes on between the officer and the interpreter, who is not told to wait for anyone.
    await her.locator('button.hang-up').click();
    await her.locator('[data-phase="ended"]').waitFor();
    await expect(her.locator('.status').textContent()).resolves.toBe('La llamada terminó.');
    await console.locator('[data-view="call"] .participants li[data-role="caller"]').waitFor({ state: 'detached' });
    await police.locator('.participants li[data-role="caller"]').waitFor({ state: 'detached' });
    await expect(console.locator('[data-view="call"] .note').count()).resolves.toBe(0);
    await eventually(() => byRole(console), hearsRoles(['official']));

    // Ending asks first; then the interpreter's call ends too, and the officer is back at her console.
    await police.locator('.hearing-call button.hang-up').click();
    await police.locator('.confirm-end[role="alertdialog"]').waitFor();
    await police.locator('button[data-action="end-call"]').click();
    await expect(police.locator('[data-note="now-ended"]').textContent()).resolves.toBe('La llamada terminó.');
    await console.locator('[data-view="idle"]').waitFor();
    await eventually(
      () => t.sql<{ state: string }>(`SELECT state FROM interpretation_requests`),
      ([r]) => r.state === 'completed',
    );
    await a11y.check(police, 'official-now-ended');
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);
});
