import type { Page } from 'playwright-core';
import { eventually, seedInterpreter, seriousA11yViolations, snapshot, startClientBed, type ClientBed } from './utils/browser';
import { createStaff, TEST_PASSWORD, type TestApp } from './utils/test-app';

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

  async function login(p: Page, path: string, email: string) {
    await p.goto(`${url}${path}`);
    await p.fill('input[name=email]', email);
    await p.fill('input[name=password]', TEST_PASSWORD);
    await p.click('button[type=submit]');
  }

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
    // GET /api/v1/stats answers for a roster admin: the statistics section appears.
    await p.locator('[data-section="stats"]').waitFor();

    const platform = await createStaff(t, 'platform_admin');
    const q = await bed.page('es-MX');
    await login(q, '/admin/', platform.email);
    await q.locator('select[name=country]:not([disabled])').selectOption('MX');
    await q.locator('section[aria-labelledby="sharing-title"] fieldset[disabled]').waitFor();
    await expect(q.locator('input[type=file]').count()).resolves.toBe(0);
    await check(q, 'admin-platform');
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  }, 120_000);
});
