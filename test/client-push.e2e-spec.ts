import type { BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { generateVAPIDKeys } from 'web-push';
import { until } from './utils/matching-fixtures';
import {
  eventually,
  goAvailable,
  hearing,
  inbound,
  seedInterpreter,
  seriousA11yViolations,
  snapshot,
  startClientBed,
  tapSteps,
  type ClientBed,
} from './utils/browser';
import { startPushService } from './utils/push-service';

/** A notification shown by her console's registration; `pushed`: by the worker, from a push (it keeps the offer's end). */
type Shown = { title: string; body: string; tag: string; pushed: boolean }[];

/** The page's visibility as the phone would set it: headless Chromium shows every tab, and will not freeze one. */
function phoneScreen() {
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  (window as unknown as { __screen: (h: boolean) => void }).__screen = (h: boolean) => {
    hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((h) => (window as unknown as { __screen: (h: boolean) => void }).__screen(h), hidden);

/**
 * Offers by push in Debian's Chromium (issue 15): her console is in the background (the phone locked, another app in
 * front), an offer rings unseen, the server pushes it (to the loopback push service, which checks and
 * decrypts it), and the browser's push service would hand it to the console's own worker: here DevTools does
 * (`ServiceWorker.deliverPushMessage`, with the message the server sent). The worker shows a notification; tapping it
 * brings her console back on the offer. Subscribing needs a browser vendor's push service, out of reach offline: her
 * device is subscribed through the API instead.
 */
describe('web client: offers by push on the interpreter console', () => {
  const vapid = generateVAPIDKeys();
  let push: Awaited<ReturnType<typeof startPushService>>;
  let bed: ClientBed;

  beforeAll(async () => {
    push = await startPushService(vapid.publicKey);
    bed = await startClientBed({
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      WEB_PUSH_ALLOWED_ORIGINS: push.origin,
      OFFER_SEEN_SECONDS: '1',
      OFFER_RING_SECONDS: '60',
    });
  }, 120_000);
  afterAll(async () => {
    await bed?.close();
    await push?.close();
  });

  /** Her console, available, with its worker registered and her device subscribed; then the phone hides it. */
  async function frozenConsole(firstName: string) {
    const staff = await seedInterpreter(bed.t, firstName, 'mam:5');
    const page = await bed.page('es-GT', phoneScreen);
    const ctx: BrowserContext = page.context();
    await ctx.grantPermissions(['notifications'], { origin: bed.url });
    await goAvailable(page, bed.url, staff.email);
    // The switch is offered where the server can push (VAPID keys set).
    await page.locator('.push-offers [role=switch][aria-checked="false"]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.register('/interpreter/sw.js', { scope: '/interpreter/' }).then(() => undefined));
    const worker: Worker = await eventually(
      async () => ctx.serviceWorkers().find((w) => w.url().endsWith('/interpreter/sw.js')),
      (w) => !!w,
    ).then((w) => w!);
    const device = push.device();
    const res = await bed.t
      .http()
      .post('/api/v1/interpreters/me/push-subscriptions')
      .set('authorization', `Bearer ${staff.token}`)
      .send(device.subscription);
    expect(res.status).toBe(201);
    // DevTools for the worker's registration.
    const devtools: CDPSession = await ctx.newCDPSession(await ctx.newPage());
    const registrations: { registrationId: string; scopeURL: string }[] = [];
    devtools.on('ServiceWorker.workerRegistrationUpdated', (e) => registrations.push(...e.registrations));
    await devtools.send('ServiceWorker.enable');
    const registrationId = (await until(() => registrations.find((r) => r.scopeURL === `${bed.url}/interpreter/`)))!.registrationId;
    await setHidden(page, true);
    return {
      page,
      worker,
      device,
      /** The browser's push service hands a message to the console's worker. */
      deliver: (message: unknown) =>
        devtools.send('ServiceWorker.deliverPushMessage', { origin: bed.url, registrationId, data: JSON.stringify(message) }),
      // The worker's own global scope (typed for pages here, so the code goes as a string).
      shown: () =>
        worker.evaluate<Shown>(
          `self.registration.getNotifications().then((ns) => ns.map((n) => ({ title: n.title, body: n.body, tag: n.tag, pushed: !!(n.data && n.data.expiresAt) })))`,
        ),
      wake: () => setHidden(page, false),
    };
  }

  async function womanCalls() {
    const her = await bed.page('es-GT');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'violence', here: 'GT' });
    await her.locator('button.call-button').click();
    return her;
  }

  it('shows an offer pushed while the console was hidden; tapping it brings the console back, she accepts and they hear each other', async () => {
    const ana = await frozenConsole('Tomasa');
    const her = await womanCalls();
    const [pushed] = await push.pushesTo(ana.device, 1);
    expect(pushed.message).toMatchObject({ type: 'offer:new', matter: 'violence' });
    await ana.deliver(pushed.message);
    // Her hidden console shows a notification of its own too; the pushed one takes its place (the same tag).
    const [note] = await eventually(ana.shown, (n) => n.length === 1 && n[0].pushed);
    // In the phone's language, with the language, the matter and the urgency, never anything about the woman.
    expect(note.title).toMatch(/^Llamada entrante · .*Mam/);
    expect(note.body).toMatch(/^Violencia · /);
    expect(note.tag).toBe(pushed.message.offerId);

    // She taps it: the notification goes and her console comes back on the offer.
    await ana.worker.evaluate(
      `self.registration.getNotifications().then(([n]) => void self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n })))`,
    );
    await eventually(ana.shown, (n) => n.length === 0);
    await ana.wake();
    await ana.page.locator('[data-view="offer"] button.accept').click();
    await her.locator('[data-phase="connected"]').waitFor();
    await eventually(() => inbound(her), hearing);
    await eventually(() => inbound(ana.page), hearing);
    expect(push.refused).toEqual([]);
  });

  it('keeps her logged in on a device that receives her offers by push: a console opened later needs no login; logging out forgets it', async () => {
    const staff = await seedInterpreter(bed.t, 'Juana', 'mam:5');
    const res = await bed.t
      .http()
      .post('/api/v1/interpreters/me/push-subscriptions')
      .set('authorization', `Bearer ${staff.token}`)
      .send(push.device().subscription);
    expect(res.status).toBe(201);
    const first = await bed.page('es-GT');
    await first.goto(`${bed.url}/interpreter/`);
    // (What the switch keeps on the device when she turns push on: Chromium cannot subscribe without its push service.)
    const sub = JSON.parse(Buffer.from(staff.token.split('.')[1], 'base64url').toString()).sub as string;
    await first.evaluate((kept) => localStorage.setItem('puente-push-subscription', kept), JSON.stringify({ id: res.body.id, sub }));
    await goAvailable(first, bed.url, staff.email);
    await first.close();
    // Tapping a notification opens the console in a new window (a new tab's session): she is in, not at a login.
    const again = await first.context().newPage();
    await again.goto(`${bed.url}/interpreter/`);
    await again.locator('.availability [role=switch]').waitFor();
    await expect(again.locator('input[name=email]').count()).resolves.toBe(0);
    await again.locator('header.bar button.link').click();
    await again.locator('input[name=email]').waitFor();
    const later = await again.context().newPage();
    await later.goto(`${bed.url}/interpreter/`);
    await later.locator('input[name=email]').waitFor();
    await expect(
      later.evaluate(() => [localStorage.getItem('puente.staff.kept'), localStorage.getItem('puente-push-subscription')]),
    ).resolves.toEqual([null, null]);
    // Logging out removed this device's subscription from her account too.
    await eventually(
      () => bed.t.sql(`SELECT id FROM push_subscriptions WHERE id = $1`, [res.body.id]),
      (rows) => rows.length === 0,
    );
  });

  it('installs as an app of its own: a manifest for /interpreter/, and its worker shows the offline page without a network', async () => {
    const page = await bed.page('es-GT');
    await page.goto(`${bed.url}/interpreter/`);
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector('link[rel=manifest]') as HTMLLinkElement;
      return (await fetch(link.href)).json();
    });
    expect(manifest).toMatchObject({ start_url: '/interpreter/', scope: '/interpreter/', display: 'standalone' });
    const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await page.request.get(`${bed.url}${icon.src}`)).status()).toBe(200);
    // The console's worker keeps the offline page: with the network gone, a reload shows it, not the browser's error.
    await page.evaluate(() => navigator.serviceWorker.register('/interpreter/sw.js', { scope: '/interpreter/' }).then(() => undefined));
    await eventually(
      () =>
        page.evaluate(async () => {
          const name = (await caches.keys()).find((k) => k.startsWith('interpreter-shell-'));
          return name ? !!(await (await caches.open(name)).match('/offline.html')) : false;
        }),
      (kept) => kept,
    );
    await page.context().setOffline(true);
    await page.reload();
    await page.locator('[data-view="offline"] .offline-icon').waitFor();
    await page.context().setOffline(false);
  });

  it('closes the notification when the offer is withdrawn, and tells her on waking that she missed a call', async () => {
    const ana = await frozenConsole('Catarina');
    const her = await womanCalls();
    const [offer] = await push.pushesTo(ana.device, 1);
    await ana.deliver(offer.message);
    await eventually(ana.shown, (n) => n.length === 1 && n[0].pushed);
    // The push service is faster than her console's socket: the worker hears the withdrawal first (the message the
    // server will push, delivered now), then the console, in the background, hears it and calms down; the "missed"
    // notification the worker showed must outlive the console closing the offer's own.
    const withdrawal = { type: 'offer:withdrawn', offerId: offer.message.offerId };
    await ana.deliver(withdrawal);
    await eventually(ana.shown, (n) => n.length === 1 && !n[0].pushed);
    // She hangs up before anyone answers: the offer is withdrawn, and a second push closes its notification.
    await her.locator('button.hang-up, button.cancel').first().click();
    await ana.page.locator('[data-view="idle"]').waitFor();
    const [, withdrawn] = await push.pushesTo(ana.device, 2);
    expect(withdrawn.message).toEqual(withdrawal);
    // The console's own closing started with the view's change, and takes a few milliseconds: the notice stays.
    for (let i = 0; i < 10; i++) {
      expect(await ana.shown()).toEqual([
        expect.objectContaining({ title: 'Llamada perdida: ya se ofreció a otra intérprete.', tag: offer.message.offerId, pushed: false }),
      ]);
      await new Promise((r) => setTimeout(r, 200));
    }
    await ana.wake();
    await ana.page.locator('[data-view="idle"] .note', { hasText: 'Perdió una llamada' }).waitFor();
    await snapshot(ana.page, 'interpreter-missed-call');
    expect(await seriousA11yViolations(ana.page)).toEqual([]);
  });
});
