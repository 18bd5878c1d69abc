import type { Locator, Page } from 'playwright-core';
import { eventually, seedInterpreter, seriousA11yViolations, snapshot, staffLogin, startClientBed, type ClientBed } from './utils/browser';
import { createStaff, type TestApp } from './utils/test-app';
import { recordingRows } from './utils/language-recordings';

/**
 * Issue 16, item 3 in the staff consoles, in Chromium with a fake microphone at 360×640: an interpreter reads the
 * notice of the service in her language (the script on her screen, her consent asked first), a woman's and then a
 * girl's, each uploaded on its own; Guatemala's roster admin finds both waiting, listens to each, publishes the
 * woman's and rejects the girl's; callers can then fetch the woman's notice and not the girl's. The interpreter's
 * console is in English, the admin's in Spanish (test/client-spoken-names.e2e-spec.ts has them the other way round).
 */
describe('web client: recording the spoken notices of the service', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;
  let mam: string;

  beforeAll(async () => {
    bed = await startClientBed({ media: false });
    ({ t, url } = bed);
    [{ id: mam }] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE variant IS NULL AND iso6393 = 'mam'`);
  }, 120_000);
  afterAll(() => bed?.close());

  const rows = () => recordingRows(t);
  // Each kind has a section of its own, in both consoles (KINDS[kind].collection).
  const notices = (p: Page) => p.locator('[data-section="notices"]');
  const girls = (p: Page) => p.locator('[data-section="child-notices"]');
  const todo = (section: Locator) => section.locator('p.todo');
  const publicList = async (collection: string) => (await t.http().get(`/api/v1/languages/${collection}`).expect(200)).body;

  /**
   * Records what the page plays (media elements whose play() was allowed) and plays to its end: the admin's
   * "listen" plays the fetched recording from a blob: URL.
   */
  function notePlayback() {
    const w = window as unknown as { playback: { played: string[]; ended: string[] } };
    w.playback = { played: [], ended: [] };
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      const src = this.currentSrc || this.src;
      this.addEventListener('ended', () => w.playback.ended.push(src), { once: true });
      const started = play.call(this);
      started.then(
        () => w.playback.played.push(src),
        () => undefined,
      );
      return started;
    };
  }
  const playback = (p: Page) => p.evaluate(() => (window as unknown as { playback: { played: string[]; ended: string[] } }).playback);

  /** What a person sees at the phone's size, from `top` down, and axe's serious or critical findings on the page. */
  async function checkScreen(p: Page, top: Locator, name: string) {
    // Just below the console's sticky bar (the page's scroll-padding), not under it.
    await top.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    expect(
      await top.evaluate((el) => el.getBoundingClientRect().top - document.querySelector('.bar')!.getBoundingClientRect().bottom),
    ).toBeGreaterThanOrEqual(0);
    await snapshot(p, name);
    await expect(seriousA11yViolations(p)).resolves.toEqual([]);
  }

  /** With her consent given in that section: record, let the microphone run a moment, stop; it uploads. */
  async function recordIn(p: Page, section: Locator) {
    const item = section.locator(`li[data-language="${mam}"]`);
    await item.locator('button.record').click();
    const stop = item.locator('button.stop');
    await stop.waitFor();
    // A couple of seconds of Chromium's fake microphone (a notice stops by itself only after 40 s).
    await p.waitForTimeout(2_000);
    await stop.click();
    await section.locator(`li[data-language="${mam}"][data-state="pending"]`).waitFor({ timeout: 30_000 });
  }

  it("an interpreter records a woman's and a girl's notice; the roster admin listens, publishes the woman's and rejects the girl's", async () => {
    const ana = await seedInterpreter(t, 'Ana', 'mam:5');
    const her = await bed.page('en-US');
    await staffLogin(her, url, '/interpreter/', ana.email);
    const woman = notices(her);
    await woman.locator(`li[data-language="${mam}"][data-state="none"]`).waitFor({ timeout: 30_000 });
    // Guatemala's 24 languages a caller can choose, none with a spoken notice yet.
    await expect(todo(woman).getAttribute('data-missing')).resolves.toBe('24');
    await expect(todo(woman).textContent()).resolves.toBe('24 languages of Guatemala have no spoken notice.');
    // The script she reads, with the longest a notice may be (recording-kinds.ts: 40 s).
    await expect(
      woman.locator('p', { hasText: 'Say in your language, in 40 seconds at most: the service is free and confidential' }).count(),
    ).resolves.toBe(1);
    await expect(woman.locator('.recording-consent').textContent()).resolves.toBe(
      'I agree that callers hear my voice reading this notice.',
    );
    // No recording without her consent, and consent to one notice is not consent to the other.
    const record = woman.locator(`li[data-language="${mam}"] button.record`);
    const recordGirls = girls(her).locator(`li[data-language="${mam}"] button.record`);
    await expect(record.isDisabled()).resolves.toBe(true);
    await checkScreen(her, woman.locator('h2'), 'interpreter-notice-script');
    await woman.locator('.recording-consent input').check();
    await woman.locator(`li[data-language="${mam}"] button.record:enabled`).waitFor();
    await expect(recordGirls.isDisabled()).resolves.toBe(true);

    await recordIn(her, woman);
    await expect(woman.locator(`li[data-language="${mam}"]`).textContent()).resolves.toContain('Recorded, waiting for a check');
    await checkScreen(her, woman.locator('h2'), 'interpreter-notice-pending');
    const [adult] = await rows();
    expect(adult).toMatchObject({
      kind: 'notice',
      language_id: mam,
      state: 'pending',
      recorder_role: 'interpreter',
      content_type: 'audio/webm',
    });
    expect(adult.duration_ms).toBeGreaterThan(0);
    expect(adult.duration_ms).toBeLessThanOrEqual(40_500);
    // Unheard by callers until checked.
    await expect(publicList('notices')).resolves.toEqual([]);
    await t.http().get(`/api/v1/languages/${mam}/notice`).expect(404);

    // The girl's notice: its own script, its own consent, its own recording.
    const girl = girls(her);
    await expect(todo(girl).textContent()).resolves.toBe('24 languages of Guatemala have no notice for girls.');
    await expect(girl.locator('p', { hasText: 'The same, in simple words for a girl' }).count()).resolves.toBe(1);
    await expect(girl.locator(`li[data-language="${mam}"]`).getAttribute('data-state')).resolves.toBe('none');
    await girl.locator('.recording-consent input').check();
    await recordIn(her, girl);
    await checkScreen(her, girl.locator('h2'), 'interpreter-child-notice-pending');
    const recorded = await rows();
    expect(recorded.map((r) => `${r.kind}:${r.state}`)).toEqual(['notice:pending', 'child_notice:pending']);
    const child = recorded[1];
    expect(child).toMatchObject({ language_id: mam, recorder_role: 'interpreter', content_type: 'audio/webm' });
    expect(child.duration_ms).toBeGreaterThan(0);
    await expect(woman.locator(`li[data-language="${mam}"]`).getAttribute('data-state')).resolves.toBe('pending');
    await expect(publicList('child-notices')).resolves.toEqual([]);

    // Guatemala's roster admin, in Spanish: each recording waits in its own kind's list.
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('es-GT', notePlayback);
    await staffLogin(p, url, '/admin/', admin.email);
    const adminWoman = notices(p);
    const adminGirl = girls(p);
    const waiting = adminWoman.locator(`ul.to-check li[data-recording="${adult.id}"]`);
    const waitingGirl = adminGirl.locator(`ul.to-check li[data-recording="${child.id}"]`);
    await waiting.waitFor({ timeout: 30_000 });
    await waitingGirl.waitFor();
    await expect(adminWoman.locator('ul.to-check li').count()).resolves.toBe(1);
    await expect(adminGirl.locator('ul.to-check li').count()).resolves.toBe(1);
    await expect(waiting.textContent()).resolves.toContain('Grabado por una intérprete');
    await expect(todo(adminWoman).textContent()).resolves.toBe('24 idiomas de Guatemala no tienen aviso grabado.');
    await expect(todo(adminGirl).textContent()).resolves.toBe('24 idiomas de Guatemala no tienen aviso para niñas.');
    await expect(adminWoman.locator(`ul.to-record li[data-language="${mam}"]`).getAttribute('data-state')).resolves.toBe('pending');
    await checkScreen(p, adminWoman.locator('h2'), 'admin-notices-to-check');

    // She listens to each first: the page fetches the recording with her token and plays it to its end.
    const heard = p.waitForResponse((r) => r.url().endsWith(`/${mam}/notice/recordings/${adult.id}`));
    await waiting.locator('button.listen').click();
    const res = await heard;
    expect(res.status()).toBe(200);
    const headers = await res.allHeaders();
    expect(headers['content-type']).toBe('audio/webm');
    expect(headers['content-length']).toBe(String(adult.size));
    const played = await eventually(
      () => playback(p),
      (b) => b.ended.length === 1,
    );
    expect(played.played).toEqual([expect.stringMatching(/^blob:/)]);
    const heardGirl = p.waitForResponse((r) => r.url().endsWith(`/${mam}/child-notice/recordings/${child.id}`));
    await waitingGirl.locator('button.listen').click();
    const resGirl = await heardGirl;
    expect(resGirl.status()).toBe(200);
    expect((await resGirl.allHeaders())['content-length']).toBe(String(child.size));
    await eventually(
      () => playback(p),
      (b) => b.ended.length === 2,
    );
    await expect(p.locator('[role=alert]').count()).resolves.toBe(0);

    // The woman's is published; the girl's is rejected (deleted), and Mam still has no notice for girls.
    await waiting.locator('button.publish').click();
    await adminWoman.locator(`ul.published li[data-language="${mam}"]`).waitFor();
    await expect(todo(adminWoman).getAttribute('data-missing')).resolves.toBe('23');
    await expect(todo(adminWoman).textContent()).resolves.toBe('23 idiomas de Guatemala no tienen aviso grabado.');
    await expect(adminWoman.locator('ul.to-check').count()).resolves.toBe(0);
    await expect(adminWoman.textContent()).resolves.toContain('Ninguna grabación espera revisión.');
    await waitingGirl.locator('button.reject').click();
    await adminGirl.locator(`ul.to-record li[data-language="${mam}"][data-state="none"]`).waitFor();
    await expect(adminGirl.locator('ul.to-check').count()).resolves.toBe(0);
    await expect(adminGirl.locator('ul.published').count()).resolves.toBe(0);
    await expect(todo(adminGirl).getAttribute('data-missing')).resolves.toBe('24');
    await checkScreen(p, adminWoman.locator('h2'), 'admin-notice-published');
    await checkScreen(p, adminWoman.locator('h3', { hasText: 'Publicados' }), 'admin-notice-published-list');
    await checkScreen(p, adminGirl.locator('h2'), 'admin-child-notice-rejected');
    await eventually(rows, (r) => r.length === 1);
    await expect(rows()).resolves.toEqual([expect.objectContaining({ id: adult.id, kind: 'notice', state: 'published' })]);
    const events = await t.sql<{ type: string }>(`SELECT type FROM audit_events WHERE type LIKE '%notice.%' ORDER BY seq`);
    expect(events.map((e) => e.type)).toEqual(['notice.recorded', 'child_notice.recorded', 'notice.published', 'child_notice.rejected']);

    // Callers: the woman's notice is served, the girl's is not.
    await expect(publicList('notices')).resolves.toEqual([{ languageId: mam }]);
    await expect(publicList('child-notices')).resolves.toEqual([]);
    const audio = await t.http().get(`/api/v1/languages/${mam}/notice`).expect(200);
    expect(audio.headers['content-type']).toBe('audio/webm');
    expect(Number(audio.headers['content-length'])).toBe(adult.size);
    await t.http().get(`/api/v1/languages/${mam}/child-notice`).expect(404);

    // Her console says so too.
    await her.reload();
    await woman.locator(`li[data-language="${mam}"][data-state="published"]`).waitFor({ timeout: 30_000 });
    await girl.locator(`li[data-language="${mam}"][data-state="none"]`).waitFor();
    await expect(todo(woman).textContent()).resolves.toBe('23 languages of Guatemala have no spoken notice.');
    await expect(todo(girl).textContent()).resolves.toBe('24 languages of Guatemala have no notice for girls.');
    await expect(woman.locator(`li[data-language="${mam}"]`).textContent()).resolves.toContain('Published: callers hear it');
    await checkScreen(her, woman.locator('h2'), 'interpreter-notice-published');
  }, 180_000);
});
