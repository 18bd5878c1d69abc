import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import request from 'supertest';
import { beforeStep1, loadCallerPage, sumBytes } from '../bench/lib/page-load';
import { eventually, startClientBed, type ClientBed } from './utils/browser';
import { createStaff } from './utils/test-app';

/** Issue 10's budget for what step 1 of the caller's page costs on the wire (compressed, headers included). */
const STEP1_BUDGET = 120 * 1024;
/** Strings only the bundled libraries hold: mediasoup-client's logger name, the default paths of socket.io-client. */
const CALL_LIBRARIES = {
  'mediasoup-client': /mediasoup-client/,
  'socket.io-client': /`\/(socket|engine)\.io`|["']\/(socket|engine)\.io["']/,
};
const DIST = join(__dirname, '..', 'client', 'dist');

/** Which call libraries are in the scripts the context has received so far (pages and service worker alike). */
function scriptsSeen(context: BrowserContext) {
  const bodies: Promise<string>[] = [];
  context.on('response', (res) => {
    if (/javascript/.test(res.headers()['content-type'] ?? '')) bodies.push(res.text().catch(() => ''));
  });
  return async () => {
    const code = (await Promise.all(bodies)).join('\n');
    return Object.entries(CALL_LIBRARIES)
      .filter(([, marker]) => marker.test(code))
      .map(([name]) => name);
  };
}

/**
 * The caller's page on a first visit (issue 10, item 4): what she downloads before she can tap her region, and
 * that the call's heavy libraries wait until she taps call. Sizes and headers only: nothing here measures time.
 */
describe('web client: first load of the caller page', () => {
  let bed: ClientBed;
  let url: string;
  beforeAll(async () => {
    // What a phone gets: the production build, without the test hooks.
    bed = await startClientBed({ media: false }, { hooks: false });
    ({ url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  it('step 1 costs under 120 kB on the wire, compressed, with no call library; the libraries come once she goes on', async () => {
    const context = await bed.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'es-GT' });
    try {
      const libraries = scriptsSeen(context);
      const load = await loadCallerPage(context, `${url}/`, { conditions: null, waitForWorker: true });
      const step1 = beforeStep1(load);
      const paths = step1.map((r) => new URL(r.url).pathname);
      // What was counted really is the page: its HTML, its entry script, its style and the language list.
      expect(paths).toEqual(expect.arrayContaining(['/', '/api/v1/languages']));
      expect(paths.some((p) => /^\/assets\/caller-.*\.js$/.test(p))).toBe(true);
      expect(paths.some((p) => /^\/assets\/.*\.css$/.test(p))).toBe(true);
      // Every response whose body is 1 KB or more came compressed (brotli or gzip), except audio (Ogg/Opus is
      // compressed already: the step's spoken cue may have come by then); smaller ones are not worth it.
      const uncompressed = step1
        .filter((r) => r.bodyBytes >= 1024 && !r.mimeType.startsWith('audio/') && !['br', 'gzip'].includes(r.contentEncoding))
        .map((r) => r.url);
      expect(step1.filter((r) => r.contentEncoding).length).toBeGreaterThan(3);
      expect(uncompressed).toEqual([]);
      expect(sumBytes(step1)).toBeGreaterThan(10 * 1024);
      expect(sumBytes(step1)).toBeLessThan(STEP1_BUDGET);

      // Not with step 1, nor afterwards while she looks at it (the page is quiet, its service worker installed).
      expect(await libraries()).toEqual([]);
      // They come in the background once she has chosen her language (client/src/caller/call-libs.ts).
      await load.page.locator('button[data-country="GT"]').click();
      await load.page.locator('button[data-iso="mam"][data-variant=""]').click();
      await eventually(libraries, (names) => names.length === 2);
    } finally {
      await context.close();
    }
  }, 90_000);

  it("the offline shell's precache takes the page's own scripts from the HTTP cache and one spoken sentence", async () => {
    const context = await bed.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'fr-CA' });
    try {
      const fetched: Promise<[string, number]>[] = [];
      context.on('requestfinished', (req) => {
        if (req.serviceWorker()) fetched.push(req.sizes().then((s) => [new URL(req.url()).pathname, s.responseBodySize]));
      });
      const load = await loadCallerPage(context, `${url}/`, { conditions: null, waitForWorker: true });
      const shell = await eventually(
        () =>
          load.page.evaluate(
            async () =>
              (await caches.keys()).length &&
              (await (await caches.open((await caches.keys())[0])).keys()).map((r) => new URL(r.url).pathname),
          ),
        (keys) => Array.isArray(keys) && keys.includes('/offline.html'),
      );
      expect(shell).toEqual(expect.arrayContaining(['/offline.html', '/cues/fr/offline.ogg', '/icon.svg']));
      expect((shell as string[]).filter((k) => k.startsWith('/cues/'))).toEqual(['/cues/fr/offline.ogg']);
      const byPath = await eventually(
        async () => Object.fromEntries(await Promise.all(fetched)),
        (seen) => '/offline.html' in seen && '/cues/fr/offline.ogg' in seen,
      );
      // The page loaded these; the worker got them from the HTTP cache, not over the network again.
      const pageScripts = load.requests.map((r) => new URL(r.url).pathname).filter((p) => p.startsWith('/assets/'));
      const shared = pageScripts.filter((p) => p in byPath);
      expect(shared.length).toBeGreaterThan(0);
      expect(shared.filter((p) => byPath[p] > 0)).toEqual([]);
      expect(byPath['/cues/fr/offline.ogg']).toBeGreaterThan(1000);

      // She switches the page to English and hears a cue: the English offline sentence is kept from then on.
      const cached = () =>
        load.page.evaluate(async () => (await (await caches.open((await caches.keys())[0])).keys()).map((r) => new URL(r.url).pathname));
      await eventually(() => load.page.evaluate(() => navigator.serviceWorker.controller !== null), Boolean);
      await load.page.evaluate(() => fetch('/cues/en/step1.ogg').then((r) => r.arrayBuffer()));
      await eventually(cached, (keys) => keys.includes('/cues/en/offline.ogg'));
    } finally {
      await context.close();
    }
  }, 60_000);

  it('once quick exit has deleted the offline shell, a cue passing through the worker does not bring it back', async () => {
    const context = await bed.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'es-GT' });
    try {
      const { page } = await loadCallerPage(context, `${url}/`, { conditions: null, waitForWorker: true });
      await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null), Boolean);
      await eventually(
        () => page.evaluate(() => caches.keys()),
        (keys) => keys.some((k) => k.startsWith('puente-shell-')),
      );
      // What quick exit does to the caches (client/src/lib/quick-exit.ts), then a cue of another language, which
      // the worker would keep the offline sentence of (as in the case above).
      await page.evaluate(async () => Promise.all((await caches.keys()).map((k) => caches.delete(k))));
      await page.evaluate(() => fetch('/cues/en/step1.ogg').then((r) => r.arrayBuffer()));
      await new Promise((r) => setTimeout(r, 1500));
      await expect(page.evaluate(() => caches.keys())).resolves.toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a second visit revalidates the language list (304) instead of downloading it again', async () => {
    const context = await bed.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'es-GT', serviceWorkers: 'block' });
    try {
      await (await loadCallerPage(context, `${url}/`, { conditions: null })).page.close();
      const again = await loadCallerPage(context, `${url}/`, { conditions: null });
      const list = again.requests.filter((r) => new URL(r.url).pathname === '/api/v1/languages');
      expect(list).toHaveLength(1);
      // Asked of the server (headers came back) but answered 304, headers only: the list itself is 27 kB raw and
      // several kB compressed. (DevTools shows the cached 200 it was revalidated into.)
      expect(list[0].encodedBytes).toBeGreaterThan(100);
      expect(list[0].bodyBytes).toBe(0);
      await expect(again.page.locator('button[data-country="GT"]').isEnabled()).resolves.toBe(true);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('hashed assets are immutable; pages, the manifest and the service worker are revalidated; audio is not compressed', async () => {
    const http = () => request(url);
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThan(1);
    for (const asset of assets) {
      const res = await http().get(asset).set('Accept-Encoding', 'gzip, br').expect(200);
      expect([asset, res.headers['cache-control']]).toEqual([asset, 'public, max-age=31536000, immutable']);
    }
    for (const page of ['/', '/offline.html', '/interpreter/', '/manifest.webmanifest', '/sw.js']) {
      const res = await http().get(page).set('Accept-Encoding', 'gzip, br').expect(200);
      expect([page, res.headers['cache-control']]).toEqual([page, 'no-cache']);
      expect(res.headers['etag']).toBeTruthy();
      await http().get(page).set('If-None-Match', res.headers['etag']).expect(304);
    }
    const script = await http()
      .get(assets.find((a) => a.endsWith('.js'))!)
      .set('Accept-Encoding', 'gzip, deflate, br')
      .expect(200);
    expect([script.headers['content-encoding'], script.headers['content-type']]).toEqual([
      'br',
      expect.stringMatching(/^text\/javascript/),
    ]);
    const gzip = await http().get('/api/v1/languages?limit=200').set('Accept-Encoding', 'gzip').expect(200);
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const cue = await http().get('/cues/es/offline.ogg').set('Accept-Encoding', 'gzip, br').expect(200);
    expect([cue.headers['content-type'], cue.headers['content-encoding']]).toEqual(['audio/ogg', undefined]);
    // The join link's page is never stored under the address that holds the code.
    expect((await http().get('/?join=1234567890').expect(200)).headers['cache-control']).toBe('no-store');
  });

  it('the language list has a strong ETag, answers 304 while unchanged, and a new ETag once an administrator adds a variant', async () => {
    const t = bed.t;
    const list = () => t.http().get('/api/v1/languages?limit=200');
    const first = await list().expect(200);
    const etag = first.headers['etag'];
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/); // strong: no W/ prefix
    expect(first.headers['cache-control']).toBe('no-cache');
    const notModified = await list().set('If-None-Match', etag).expect(304);
    expect(notModified.text ?? '').toBe('');
    await list().set('If-None-Match', '"something-else"').expect(200);
    await list().set('If-None-Match', 'x'.repeat(4000)).expect(200);
    // Searches and a country's list are not kept on the phone: they would say what she looked for.
    for (const q of ['?q=mam', '?country=GT']) {
      const res = await t.http().get(`/api/v1/languages${q}`).expect(200);
      expect([q, res.headers['cache-control'], (res.headers['etag'] ?? '').startsWith('"')]).toEqual([q, undefined, false]);
    }

    const admin = await createStaff(t, 'platform_admin');
    const variant = { iso6393: 'mam', variant: `load-${Date.now().toString(36)}`, name: 'Mam (load test)', countries: ['GT'] };
    await t.http().post('/api/v1/languages').set('Authorization', `Bearer ${admin.token}`).send(variant).expect(201);
    const changed = await list().set('If-None-Match', etag).expect(200);
    expect(changed.headers['etag']).not.toBe(etag);
    expect(changed.body.map((l: { variant: string | null }) => l.variant)).toContain(variant.variant);
    await list().set('If-None-Match', changed.headers['etag']).expect(304);
  });
});
