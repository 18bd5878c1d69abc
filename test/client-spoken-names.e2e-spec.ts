import type { Page } from 'playwright-core';
import { a11yRecorder, eventually, seedInterpreter, staffLogin, startClientBed, type ClientBed } from './utils/browser';
import { createStaff, type TestApp } from './utils/test-app';
import { recordingRows } from './utils/language-recordings';

/**
 * Spoken names in the consoles, in Chromium with a fake microphone: an interpreter records the name of her
 * language (it stops by itself after five seconds), Guatemala's roster admin listens to it and publishes it,
 * callers can then hear it; the admin records another name herself and rejects it.
 */
describe('web client: spoken names of languages', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;
  const lang: Record<string, string> = {};

  beforeAll(async () => {
    bed = await startClientBed({ media: false });
    ({ t, url } = bed);
    for (const r of await t.sql<{ id: string; iso6393: string }>(
      `SELECT id, iso6393 FROM languages WHERE variant IS NULL AND iso6393 IN ('mam', 'acr')`,
    ))
      lang[r.iso6393] = r.id;
  }, 120_000);
  afterAll(() => bed?.close());

  const rows = () => recordingRows(t);
  const names = (p: Page) => p.locator('[data-section="spoken-names"]');
  const todo = (p: Page) => names(p).locator('p.todo');

  it('an interpreter records her language’s name; the roster admin listens, publishes it, and rejects another', async () => {
    const a11y = a11yRecorder();
    const ana = await seedInterpreter(t, 'Ana', 'mam:5');
    const console = await bed.page('es-GT');
    await staffLogin(console, url, '/interpreter/', ana.email);
    const mam = console.locator(`[data-section="spoken-names"] li[data-language="${lang.mam}"]`);
    await mam.locator('xpath=self::*[@data-state="none"]').waitFor();
    // Guatemala's 24 languages a caller can choose, none with a spoken name yet.
    await expect(todo(console).getAttribute('data-missing')).resolves.toBe('24');
    await expect(todo(console).textContent()).resolves.toBe('24 idiomas de Guatemala no tienen nombre grabado.');
    // No recording without her consent; then it records until it stops by itself, and uploads.
    await expect(mam.locator('button.record').isDisabled()).resolves.toBe(true);
    await console.locator('[data-section="spoken-names"] .recording-consent input').check();
    await mam.locator('button.record').click();
    await mam.locator('button.stop').waitFor();
    await names(console).locator(`li[data-language="${lang.mam}"][data-state="pending"]`).waitFor({ timeout: 20_000 });
    await a11y.check(console, 'interpreter-spoken-name-pending');
    const [recorded] = await rows();
    expect(recorded).toMatchObject({ language_id: lang.mam, state: 'pending', recorder_role: 'interpreter', content_type: 'audio/webm' });
    expect(recorded.duration_ms).toBeGreaterThan(0);
    expect(recorded.duration_ms).toBeLessThanOrEqual(5500);
    // Unheard by callers until checked.
    await expect(
      t
        .http()
        .get('/api/v1/languages/spoken-names')
        .then((r) => r.body),
    ).resolves.toEqual([]);

    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('en-US');
    await staffLogin(p, url, '/admin/', admin.email);
    const waiting = p.locator(`[data-section="spoken-names"] li[data-recording="${recorded.id}"]`);
    await waiting.waitFor();
    await expect(todo(p).textContent()).resolves.toBe('24 languages of Guatemala have no spoken name.');
    await a11y.check(p, 'admin-spoken-names-to-check');
    // She listens first: the page fetches the recording with her token and plays it.
    const heard = p.waitForResponse((r) => r.url().endsWith(`/spoken-name/recordings/${recorded.id}`));
    await waiting.locator('button.listen').click();
    const res = await heard;
    expect(res.status()).toBe(200);
    expect((await res.allHeaders())['content-length']).toBe(String(recorded.size));

    await waiting.locator('button.publish').click();
    await names(p).locator(`ul.published li[data-language="${lang.mam}"]`).waitFor();
    await expect(todo(p).getAttribute('data-missing')).resolves.toBe('23');
    await expect(
      t
        .http()
        .get('/api/v1/languages/spoken-names')
        .then((r) => r.body),
    ).resolves.toEqual([{ languageId: lang.mam }]);
    const audio = await t.http().get(`/api/v1/languages/${lang.mam}/spoken-name`).expect(200);
    expect(audio.headers['content-type']).toBe('audio/webm');
    await console.reload();
    await names(console).locator(`li[data-language="${lang.mam}"][data-state="published"]`).waitFor();
    await expect(todo(console).textContent()).resolves.toBe('23 idiomas de Guatemala no tienen nombre grabado.');

    // The admin records Achi's name herself, then rejects it: it is deleted, and Achi is still to do.
    await names(p).locator('.recording-consent input').check();
    const achi = names(p).locator(`ul.to-record li[data-language="${lang.acr}"]`);
    await achi.locator('button.record').click();
    await names(p).locator(`ul.to-record li[data-language="${lang.acr}"][data-state="pending"]`).waitFor({ timeout: 20_000 });
    const mine = names(p).locator(`ul.to-check li[data-language="${lang.acr}"]`);
    await expect(mine.textContent()).resolves.toContain('Recorded by a roster administrator');
    await a11y.check(p, 'admin-spoken-names-own-recording');
    await mine.locator('button.reject').click();
    await names(p).locator(`ul.to-record li[data-language="${lang.acr}"][data-state="none"]`).waitFor();
    await eventually(rows, (r) => r.length === 1);
    await expect(rows()).resolves.toEqual([expect.objectContaining({ language_id: lang.mam, state: 'published' })]);
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);
});
