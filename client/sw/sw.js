/* Puente's service worker. Built by client/vite.config.mts, which fills in PRECACHE and VERSION.
 *
 * It keeps one thing on the phone: the offline shell (a page, its script and style, an icon and a short
 * spoken sentence per interface language), so that with no network she sees and hears that there is no
 * connection instead of the browser's error page. It caches nothing at run time: no API answer, no page she
 * visited. Quick exit deletes this cache and unregisters the worker. */
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const SHELL = `puente-shell-${VERSION}`;
const OFFLINE = '/offline.html';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('puente-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate') {
    // Pages always come from the network; only when there is none, the offline shell.
    event.respondWith(fetch(req).catch(() => caches.match(OFFLINE, { cacheName: SHELL }).then((r) => r || Response.error())));
    return;
  }
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fetch(req).catch(() => caches.match(url.pathname, { cacheName: SHELL }).then((r) => r || Response.error())));
  }
});
