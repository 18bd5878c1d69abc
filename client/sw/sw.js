/* Puente's service worker. Built by client/vite.config.mts, which fills in PRECACHE and VERSION.
 *
 * It keeps one thing on the phone: the offline shell (a page, its script and style, an icon and a short
 * spoken sentence in the interface language), so that with no network she sees and hears that there is no
 * connection instead of the browser's error page. It keeps no API answer and no page she visited. Quick exit
 * deletes this cache and unregisters the worker.
 *
 * On a slow line the shell must cost almost nothing more than the page she just loaded (issue 10): the script
 * and style files it shares with the page are taken from the HTTP cache (hashed names, kept a year), the other
 * files are revalidated (a 304 when the browser has them), and only the spoken sentence of the phone's own
 * languages is fetched at install. A sentence in another interface language is kept when one of that
 * language's cues passes through here (she switched the page to it and heard a cue). */
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const SHELL = `puente-shell-${VERSION}`;
const OFFLINE = '/offline.html';
const CUE = /^\/cues\/([a-z]{2})\//;
const offlineCue = (lang) => PRECACHE.find((url) => url === `/cues/${lang}/offline.ogg`);

/** The interface languages the phone prefers that have an offline sentence; Spanish when none (as the page does). */
function phoneLanguages() {
  const langs = (self.navigator.languages || [self.navigator.language || '']).map((tag) => tag.toLowerCase().split('-')[0]);
  const found = langs.filter((l, i) => offlineCue(l) && langs.indexOf(l) === i);
  return found.length ? found : ['es'];
}

const request = (url) => new Request(url, { cache: url.startsWith('/assets/') ? 'default' : 'no-cache' });

/**
 * Adds a shell file to the cache unless it is there already. Never makes the cache again: once quick exit has
 * deleted it, a cue still passing through here (the call's end sound, as she leaves) must not bring it back.
 */
function keep(url) {
  return caches
    .has(SHELL)
    .then((kept) => kept && caches.open(SHELL).then((cache) => cache.match(url).then((hit) => hit || cache.add(request(url)))));
}

self.addEventListener('install', (event) => {
  const wanted = PRECACHE.filter((url) => !CUE.test(url) || phoneLanguages().some((l) => url === offlineCue(l)));
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(wanted.map(request)))
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
  const lang = CUE.exec(url.pathname)?.[1];
  if (lang && offlineCue(lang)) event.waitUntil(keep(offlineCue(lang)).catch(() => undefined));
  if (PRECACHE.includes(url.pathname)) {
    event.respondWith(fetch(req).catch(() => caches.match(url.pathname, { cacheName: SHELL }).then((r) => r || Response.error())));
  }
});
