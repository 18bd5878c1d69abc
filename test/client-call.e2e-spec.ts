import type { Page } from 'playwright-core';
import {
  deviceTraces,
  eventually,
  hearing,
  inbound,
  goAvailable as available,
  seedInterpreter as seed,
  seriousA11yViolations,
  snapshot,
  startClientBed,
  tapSteps,
  type ClientBed,
} from './utils/browser';
import { MediaInspection } from '../src/media/media-inspection';
import type { TestApp } from './utils/test-app';

/** The web client in Debian's Chromium: a caller and an interpreter, each in her own browser context. */
describe('web client: a call between the caller page and the interpreter console', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    // The caller's grace covers the whole of the test's offline moment (a snapshot and an accessibility scan, which
    // take seconds on a busy machine): with 5 s, her call could end while the test still held her offline, and
    // the page then never came back to "connected". Nothing here waits for a grace period to run out.
    bed = await startClientBed({ OFFER_RING_SECONDS: '60', CALLER_GRACE_SECONDS: '60', INTERPRETER_GRACE_SECONDS: '5' });
    ({ t, url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  const seedInterpreter = (firstName: string, languages: string) => seed(t, firstName, languages);

  const page = (locale: string) => bed.page(locale);

  const goAvailable = (p: Page, email: string, atLogin?: () => Promise<void>) => available(p, url, email, atLogin);

  /** A caller (icons only) and an interpreter on her console in a call, both hearing the other. */
  async function inCall(firstName: string, iso: string, country: string, matter: string, locale: string) {
    const staff = await seedInterpreter(firstName, `${iso}:5`);
    const [her, staffPage] = [await page(locale), await page(locale)];
    await goAvailable(staffPage, staff.email);
    await her.goto(`${url}/`);
    await tapSteps(her, { region: country, iso, matter, here: 'unknown' });
    await her.locator('button.call-button').click();
    await staffPage.locator('[data-view="offer"] button.accept').click();
    await her.locator('[data-phase="connected"]').waitFor();
    await eventually(() => inbound(her), hearing);
    await eventually(() => inbound(staffPage), hearing);
    const [session] = await t.sql<{ id: string; request_id: string }>(
      `SELECT s.id, s.request_id FROM sessions s JOIN interpreters i ON i.id = s.interpreter_id WHERE i.first_name = $1`,
      [firstName],
    );
    return { her, staffPage, session };
  }

  it('icons only on the caller side, accept on the console, audio both ways; quick exit ends the call and leaves nothing', async () => {
    const staff = await seedInterpreter('Rosa', 'mam:5');
    const [her, rosa] = [await page('es-GT'), await page('en-US')];
    const a11y: Record<string, unknown[]> = {};
    const check = async (p: Page, name: string) => {
      await snapshot(p, name);
      a11y[name] = await seriousA11yViolations(p);
    };

    // The interpreter logs in and goes available.
    await goAvailable(rosa, staff.email, () => check(rosa, 'interpreter-login'));
    await check(rosa, 'interpreter-available');
    // A reload keeps her logged in for the tab and shows what the server holds: still available.
    await rosa.reload();
    await rosa.locator('.availability [role=switch]:not([disabled])[aria-checked="true"]').waitFor();
    await expect(rosa.locator('[data-available]').getAttribute('data-available')).resolves.toBe('true');

    // The caller: language, matter, call, three taps on icons (the page was chosen in Spanish from the phone).
    await her.goto(`${url}/`);
    expect(await her.evaluate(() => document.documentElement.lang)).toBe('es');
    const guatemala = her.locator('button[data-country="GT"]');
    await guatemala.waitFor();
    await check(her, 'caller-1-region');
    await guatemala.click();
    const mam = her.locator('button[data-iso="mam"][data-variant=""]');
    await mam.waitFor();
    // Only Guatemala's languages: Tsotsil (Mexico) is not in the list she scrolls.
    await expect(her.locator('button[data-iso="tzo"]').count()).resolves.toBe(0);
    await check(her, 'caller-1-language');
    await mam.click();
    await check(her, 'caller-2-matter');
    await her.locator('button[data-matter="violence"]').click();
    await check(her, 'caller-3-here');
    await her.locator('button[data-here="GT"]').click();
    await check(her, 'caller-4-call');
    await her.locator('button.call-button').click();

    // The console rings with what she chose, and nothing else about her.
    const offer = rosa.locator('[data-view="offer"]');
    await offer.waitFor();
    // Into Spanish: she named no country, and the demo has no home roster (the default, Spanish).
    await expect(offer.locator('dd').allTextContents()).resolves.toEqual([
      expect.stringContaining('Mam'),
      'español (Spanish)',
      'Violence',
      'Normal',
      'Adult',
    ]);
    await check(rosa, 'interpreter-offer');
    expect(await rosa.evaluate(() => window.__puente!.played())).toContain('tone:ring');
    await expect(her.locator('[data-phase="ringing"]').count()).resolves.toBe(1);
    await check(her, 'caller-ringing');
    await offer.locator('button.accept').click();

    // Audio both ways, measured by each browser's own receiver statistics.
    await her.locator('[data-phase="connected"]').waitFor();
    await expect(her.locator('.status.connected').textContent()).resolves.toContain('Rosa');
    await rosa.locator('[data-view="call"]').waitFor();
    const herEar = await eventually(() => inbound(her), hearing);
    const rosaEar = await eventually(() => inbound(rosa), hearing);
    expect(herEar!.bytesReceived).toBeGreaterThan(0);
    expect(rosaEar!.audioLevel).toBeGreaterThan(0);
    await check(her, 'caller-connected');
    await check(rosa, 'interpreter-call');

    // The speaker button turns what she hears down and up again.
    const volumes = () => her.evaluate(() => window.__puente!.outputVolumes());
    await expect(volumes()).resolves.toEqual([1]);
    await her.locator('button.speaker').click();
    await expect(volumes()).resolves.toEqual([0.35]);
    await expect(her.locator('button.speaker').getAttribute('aria-pressed')).resolves.toBe('false');
    await her.locator('button.speaker').click();
    await expect(volumes()).resolves.toEqual([1]);
    const [session] = await t.sql<{ id: string; ended_at: Date | null }>(`SELECT id, ended_at FROM sessions`);
    expect(session.ended_at).toBeNull();

    // Traces a page can leave: the app's own (the interface language she tapped, the service worker and its
    // offline shell cache) and, planted here, the kinds a later version might create (session storage, a
    // database, a cache, a cookie): quick exit must clear them all.
    await her.locator('.ui-lang button.globe').click();
    await her.locator('.ui-lang-menu button[lang="es"]').click();
    await her.evaluate(() => navigator.serviceWorker.ready);
    await eventually(
      () => her.evaluate(() => caches.keys()),
      (keys) => keys.some((k) => k.startsWith('puente-shell-')),
    );
    await her.evaluate(async () => {
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.open('trace', 1);
        req.onupgradeneeded = () => req.result.createObjectStore('s');
        req.onsuccess = () => (req.result.close(), resolve());
        req.onerror = () => reject(req.error);
      });
      await (await caches.open('trace')).put('/trace', new Response('x'));
      document.cookie = 'trace=1; path=/';
      sessionStorage.setItem('trace', '1');
    });
    const traces = () => deviceTraces(her);
    expect(await traces()).toEqual({ local: 1, session: 1, databases: 1, caches: 2, workers: 1, cookie: 'trace=1' });

    await her.locator('button.quick-exit').click();
    await her.waitForURL(`${url}/neutral.html`);
    await check(her, 'caller-after-quick-exit');
    expect(await traces()).toEqual({ local: 0, session: 0, databases: 0, caches: 0, workers: 0, cookie: '' });
    expect(await her.context().cookies(url)).toEqual([]);
    // The call page's history entry was replaced: Back goes to where the tab was before (here a blank tab), not to Puente.
    await her.goBack();
    expect(her.url()).toBe('about:blank');

    // The interpreter's console sees the call end; the session is over on the server.
    await rosa.locator('[data-view="idle"] .note').waitFor();
    await expect(rosa.locator('[data-view="idle"] .note').textContent()).resolves.toBe('The other person hung up.');
    await expect(inbound(rosa)).resolves.toBeNull();
    await check(rosa, 'interpreter-after-call');
    await eventually(
      () => t.sql<{ ended_at: Date | null }>(`SELECT ended_at FROM sessions WHERE id = $1`, [session.id]),
      ([r]) => r.ended_at !== null,
    );

    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
  }, 120_000);

  it('the caller loses her network mid-call: the page says it is reconnecting, and audio comes back in the same session', async () => {
    const { her, staffPage: lucia, session: before } = await inCall('Lucía', 'kek', 'GT', 'violence', 'es-GT');

    await her.context().setOffline(true);
    await her.locator('[data-reconnecting="true"]').waitFor();
    await snapshot(her, 'caller-reconnecting');
    const a11y = await seriousA11yViolations(her);
    await her.context().setOffline(false);

    await her.locator('[data-phase="connected"][data-reconnecting="false"]').waitFor();

    // Audio flows again both ways: what each side receives keeps growing after the drop.
    const growing = async (p: Page) => {
      const first = await eventually(() => inbound(p), hearing);
      await eventually(
        () => inbound(p),
        (v) => hearing(v) && v!.bytesReceived > first!.bytesReceived,
      );
    };
    await growing(her);
    await growing(lucia);
    // The same session, still live, for the same request; no second session was opened.
    const after = await t.sql<{ id: string; ended_at: Date | null }>(`SELECT id, ended_at FROM sessions WHERE request_id = $1`, [
      before.request_id,
    ]);
    expect(after).toEqual([{ id: before.id, ended_at: null }]);
    await expect(lucia.locator('[data-view="call"]').count()).resolves.toBe(1);
    expect(a11y).toEqual([]);
    await her.locator('button.hang-up').click();
    await lucia.locator('[data-view="idle"] .note').waitFor();
  }, 120_000);

  it("the caller's media path fails while her socket stays up: the page restarts ICE on the same transports and audio comes back", async () => {
    const { her, staffPage: elena, session } = await inCall('Elena', 'tzh', 'all', 'legal_civil', 'es-MX');

    // Break her ICE from the server's side: two restarts there retire the credentials her browser holds
    // (mediasoup still accepts the previous pair during a restart), so its connectivity checks now fail as
    // they would on a network that changed under her. Her socket is untouched: no rejoin, only ICE.
    const inspection = t.app.get(MediaInspection);
    const transports = inspection.transportsOf(session.id, 'caller');
    const ids = () => inspection.transportsOf(session.id, 'caller').map((tr) => tr.id);
    const before = [...ids()].sort();
    for (const tr of transports) for (let i = 0; i < 2; i++) await tr.restartIce();

    // Her browser notices (its checks go unanswered), asks for new credentials and restarts ICE; the page
    // may show "reconnecting" only for a moment, so count the restarts instead of racing the screen.
    await eventually(
      () => her.evaluate(() => window.__puente!.iceRestarts()),
      (n) => n > 0,
    );
    await her.locator('[data-phase="connected"][data-reconnecting="false"]').waitFor();
    await eventually(
      () => her.evaluate(() => window.__puente!.connection() as { send: string; recv: string }),
      (c) => c.send === 'connected' && c.recv === 'connected',
    );
    const first = await eventually(() => inbound(her), hearing);
    await eventually(
      () => inbound(her),
      (v) => hearing(v) && v!.bytesReceived > first!.bytesReceived,
    );
    const elenaFirst = await eventually(() => inbound(elena), hearing);
    await eventually(
      () => inbound(elena),
      (v) => hearing(v) && v!.bytesReceived > elenaFirst!.bytesReceived,
    );
    // The same transports and the same session: ICE restarted, nothing was rebuilt.
    expect([...ids()].sort()).toEqual(before);
    const after = await t.sql<{ ended_at: Date | null }>(`SELECT ended_at FROM sessions WHERE id = $1`, [session.id]);
    expect(after).toEqual([{ ended_at: null }]);
    await her.locator('button.hang-up').click();
    await elena.locator('[data-view="idle"] .note').waitFor();
  }, 150_000);

  it('after a violence call her console gives her wrap-up time (in Spanish, on a phone): more time once, a debrief, then ready for the next call', async () => {
    const { her, staffPage: paula, session } = await inCall('Paula', 'tzo', 'all', 'violence', 'es-MX');
    // During the call: where help is, from her roster's directory, by kind and area.
    await t.sql(
      `INSERT INTO services (country, name, kind, area, phone, minors) VALUES
         ('GT', 'Casa de la Mujer', 'shelter', 'Quetzaltenango', '+502 7765 4321', true),
         ('GT', 'Bufete Popular', 'legal_aid', 'Quetzaltenango', '+502 2222 3333', false)`,
    );
    const help = paula.locator('details.where-help');
    await help.locator('summary').click();
    await help.locator('select[name=kind]').selectOption('shelter');
    await help.locator('input[name=area]').fill('quetzal');
    await help.locator('button[type=submit]').click();
    // (The answer comes over the network: waited for, not read once.)
    await help.locator('[data-list="services"] li', { hasText: 'Casa de la Mujer · Albergue · Quetzaltenango' }).waitFor();
    await expect(help.locator('[data-list="services"] li').count()).resolves.toBe(1);
    await expect(seriousA11yViolations(paula)).resolves.toEqual([]);
    await her.locator('button.hang-up').click();
    // Her page asks its one question (three faces, skippable); she answers it.
    const question = her.locator('[data-question="helped"]');
    await expect(question.locator('p').textContent()).resolves.toBe('¿Le sirvió esta llamada?');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    await snapshot(her, 'caller-one-question');
    await question.locator('button[data-answer="helped"]').click();
    await question.waitFor({ state: 'detached' });
    await eventually(
      () => t.sql<{ feedback: string | null }>(`SELECT feedback FROM sessions WHERE id = $1`, [session.id]),
      ([r]) => r.feedback === 'helped',
    );
    const panel = paula.locator('.wrap-up[data-wrapup="on"]');
    await panel.waitFor();
    await expect(panel.locator('h2').textContent()).resolves.toBe('Tómese un momento');
    // The demo's setting (WRAPUP_SECONDS by default): three minutes after a violence call.
    const secondsLeft = async () => {
      const [m, sec] = /(\d+):(\d\d)/
        .exec((await panel.locator('.countdown').textContent()) ?? '')!
        .slice(1)
        .map(Number);
      return m * 60 + sec;
    };
    expect(await secondsLeft()).toBeGreaterThan(120);
    expect(await secondsLeft()).toBeLessThanOrEqual(180);
    await snapshot(paula, 'interpreter-wrap-up');
    await expect(seriousA11yViolations(paula)).resolves.toEqual([]);

    await panel.locator('button[data-action="wrapup-extend"]').click();
    await eventually(secondsLeft, (left) => left > 180);
    await expect(panel.locator('button[data-action="wrapup-extend"]').count()).resolves.toBe(0);
    // Her ticks about the call: referred to a shelter, nothing noticed; never text.
    await panel.locator('.call-ticks input[value="shelter"]').check();
    await panel.locator('.call-ticks button[type=submit]').click();
    await expect(panel.locator('.call-ticks [role=status]').textContent()).resolves.toBe('Guardado.');
    await expect(t.sql(`SELECT referred_to, signs FROM sessions WHERE id = $1`, [session.id])).resolves.toEqual([
      { referred_to: ['shelter'], signs: [] },
    ]);
    await panel.locator('button[data-action="debrief"]').click();
    await expect(panel.locator('.debrief-status').textContent()).resolves.toMatch(/Se avisó a su coordinadora/);
    const [debrief] = await t.sql(
      `SELECT d.matter FROM debrief_requests d JOIN interpreters i ON i.id = d.interpreter_id WHERE i.first_name = 'Paula'`,
    );
    expect(debrief).toEqual({ matter: 'violence' });

    await panel.locator('button[data-action="wrapup-ready"]').click();
    await paula.locator('.wrap-up[data-wrapup="off"]').waitFor();
    await expect(paula.locator('.availability .state').getAttribute('data-available')).resolves.toBe('true');
    const [{ wrapup_until }] = await t.sql(
      `SELECT wrapup_until FROM interpreters i JOIN sessions s ON s.interpreter_id = i.id WHERE s.id = $1`,
      [session.id],
    );
    expect(wrapup_until).toBeNull();
  }, 120_000);

  it('an interpreter declines on the console and the next one gets the offer', async () => {
    const staff = [await seedInterpreter('Ixchel', 'quc:5'), await seedInterpreter('Marta', 'quc:5')];
    const consoles = [await page('es-GT'), await page('es-GT')];
    for (const [i, p] of consoles.entries()) await goAvailable(p, staff[i].email);
    const her = await page('es-GT');
    await her.goto(`${url}/`);
    // "Something else": no specialty covers it, so the exact variant without the specialty (tier 3) serves it.
    await tapSteps(her, { region: 'all', iso: 'quc', matter: 'other', here: 'unknown' });
    await her.locator('button[data-toggle="minor"]').click();
    await her.locator('button.call-button').click();

    const offered = (p: Page) => p.locator('[data-view="offer"]').count();
    const counts = await eventually(
      () => Promise.all(consoles.map(offered)),
      (c) => c.includes(1),
    );
    expect(counts.sort()).toEqual([0, 1]);
    const first = consoles[(await offered(consoles[0])) ? 0 : 1];
    const second = consoles.find((p) => p !== first)!;
    await expect(first.locator('[data-view="offer"] dd[data-fact="age"]').textContent()).resolves.toBe('Menor de 18 años (o no lo sabe)');
    await first.locator('[data-view="offer"] button.decline').click();
    await first.locator('[data-view="idle"]').waitFor();

    await second.locator('[data-view="offer"]').waitFor();
    await snapshot(second, 'interpreter-offer-after-decline');
    await expect(seriousA11yViolations(second)).resolves.toEqual([]);
    await expect(seriousA11yViolations(first)).resolves.toEqual([]);
    await expect(offered(first)).resolves.toBe(0);
    await expect(second.locator('[data-view="offer"] dd[data-fact="matter"]').textContent()).resolves.toBe('Otra cosa');
    const [request] = await t.sql<{ n: string }>(
      `SELECT count(*) AS n FROM offers o JOIN interpretation_requests r ON r.id = o.request_id WHERE o.outcome = 'declined' AND r.minor AND r.matter = 'other' AND o.tier = 3`,
    );
    expect(Number(request.n)).toBe(1);
  }, 120_000);
});
