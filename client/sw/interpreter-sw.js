/* The interpreter console's own service worker (scope /interpreter/), separate from the caller's: it receives offers
 * by Web Push while her console is closed, frozen or in the background, shows each as a notification (language,
 * matter, urgency: all a push carries, never anything about the caller), closes it when the offer closes, and opens
 * her console on the offer when she taps it. Built into dist/interpreter/sw.js by client/vite.config.mts. */
const TEXT = {
  es: {
    away: 'Quedó como no disponible: tres llamadas sonaron sin respuesta.',
    missed: 'Llamada perdida: ya se ofreció a otra intérprete.',
    call: 'Llamada entrante',
    matter: { legal_civil: 'Civil', legal_labour: 'Laboral', legal_criminal: 'Penal', violence: 'Violencia', trafficking: 'Trata' },
    urgency: { normal: 'Normal', urgent: 'Urgente', emergency: 'Emergencia' },
  },
  en: {
    away: 'You were set away: three calls rang unanswered.',
    missed: 'Missed call: it has gone to another interpreter.',
    call: 'Incoming call',
    matter: { legal_civil: 'Civil', legal_labour: 'Labour', legal_criminal: 'Criminal', violence: 'Violence', trafficking: 'Trafficking' },
    urgency: { normal: 'Normal', urgent: 'Urgent', emergency: 'Emergency' },
  },
  fr: {
    away: 'Vous êtes passée en absente : trois appels ont sonné sans réponse.',
    missed: 'Appel manqué : il est allé à une autre interprète.',
    call: 'Appel entrant',
    matter: { legal_civil: 'Civil', legal_labour: 'Travail', legal_criminal: 'Pénal', violence: 'Violence', trafficking: 'Traite' },
    urgency: { normal: 'Normale', urgent: 'Urgente', emergency: 'Urgence' },
  },
};
const CONSOLE = '/interpreter/';
// The offline page and its files (filled in by client/vite.config.mts, as for the caller's worker), kept under a name
// of its own: the caller's worker deletes the other `puente-` caches when it updates.
const VERSION = '__VERSION__';
const PRECACHE = __PRECACHE__;
const SHELL = `interpreter-shell-${VERSION}`;
const OFFLINE = '/offline.html';

function text() {
  const tags = self.navigator.languages || [self.navigator.language || ''];
  const lang = tags.map((t) => t.toLowerCase().split('-')[0]).find((l) => TEXT[l]);
  return TEXT[lang || 'es'];
}

/** The language's name from the public catalogue (the push names it by id only); its id when the catalogue is out of reach. */
function languageName(id) {
  // Never longer than 3 s: the offer rings meanwhile.
  const late = new Promise((resolve) => setTimeout(() => resolve(''), 3000));
  const named = fetch('/api/v1/languages?limit=200')
    .then((r) => (r.ok ? r.json() : []))
    .then((all) => {
      const l = all.find((x) => x.id === id);
      // As the console names it (languageLabel in client/src/ui/hearing.tsx).
      if (!l) return '';
      return `${l.autonym || l.name}${l.autonym && l.autonym !== l.name ? ` (${l.name})` : ''}${l.variant ? `, ${l.variant}` : ''}`;
    })
    .catch(() => '');
  return Promise.race([named, late]);
}

/** Whether the offer already ended here: its notification says she missed it (a withdrawal came meanwhile). */
async function missed(offerId) {
  return (await self.registration.getNotifications({ tag: offerId })).some((n) => n.data && n.data.missed);
}

async function showOffer(offer) {
  const t = text();
  const name = await languageName(offer.languageId);
  // The name took up to 3 s: a withdrawal that came meanwhile is not undone by a ringing notification.
  if (await missed(offer.offerId)) return;
  const loud = offer.urgency !== 'normal';
  await self.registration.showNotification(`${t.call}${name ? ` · ${name}` : ''}`, {
    body: `${t.matter[offer.matter] || offer.matter} · ${t.urgency[offer.urgency] || offer.urgency}`,
    tag: offer.offerId,
    renotify: true,
    // An urgent or emergency offer stays until she acts, and rings as loudly as the phone allows.
    requireInteraction: loud,
    silent: false,
    vibrate: loud ? [500, 200, 500, 200, 500, 200, 500] : [300, 200, 300],
    icon: '/icon.svg',
    badge: '/icon.svg',
    timestamp: Date.now(),
    data: { offerId: offer.offerId, expiresAt: offer.expiresAt },
  });
}

async function closeOffer(offerId) {
  for (const n of await self.registration.getNotifications({ tag: offerId })) n.close();
}

/**
 * The offer went to someone else (or rang out) before she answered: its notification says so, quietly. Marked
 * `missed`: her console, still alive in the background, closes the offer's notifications when it hears the offer
 * end, and must leave this one (the push and the socket's news race).
 */
function missedOffer(offerId) {
  return self.registration.showNotification(text().missed, {
    tag: offerId,
    silent: true,
    icon: '/icon.svg',
    data: { offerId, missed: true },
  });
}

const request = (url) => new Request(url, { cache: url.startsWith('/assets/') ? 'default' : 'no-cache' });

self.addEventListener('install', (event) => {
  // Her console is in the interface language she chose; the spoken sentence is the caller's, not needed here.
  const files = PRECACHE.filter((url) => !url.startsWith('/cues/'));
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(files.map(request)))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('interpreter-shell-') && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The console always from the network; with none, the offline page (it says so, and comes back by itself).
self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== self.location.origin) return;
  const path = new URL(req.url).pathname;
  if (req.mode === 'navigate') {
    event.respondWith(fetch(req).catch(() => caches.match(OFFLINE, { cacheName: SHELL }).then((r) => r || Response.error())));
  } else if (PRECACHE.includes(path)) {
    event.respondWith(fetch(req).catch(() => caches.match(path, { cacheName: SHELL }).then((r) => r || Response.error())));
  }
});

self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : null;
  } catch {
    message = null;
  }
  if (message && message.type === 'presence:update') {
    // On call, three offers rang out: she is away now, and told why.
    event.waitUntil(self.registration.showNotification(text().away, { tag: 'presence', icon: '/icon.svg' }));
    return;
  }
  if (!message || typeof message.offerId !== 'string') return;
  // An offer whose ring time is over by the time it arrives (the phone was off) was missed; so is a withdrawn one.
  if (message.type === 'offer:new' && Date.parse(message.expiresAt) > Date.now()) event.waitUntil(showOffer(message));
  else if (message.type === 'offer:new' || message.type === 'offer:withdrawn') event.waitUntil(missedOffer(message.offerId));
  // She answered it at her console: nothing to show.
  else if (message.type === 'offer:answered') event.waitUntil(closeOffer(message.offerId));
});

/** Her console, focused (or opened) on the offer she tapped: it shows the offer if it still rings, else that she missed it. */
async function openConsole(offerId) {
  const url = offerId ? `${CONSOLE}#offer=${encodeURIComponent(offerId)}` : CONSOLE;
  const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const mine = open.find((c) => new URL(c.url).pathname.startsWith(CONSOLE));
  if (mine) {
    mine.postMessage({ type: 'offer:open', offerId });
    return mine.focus();
  }
  return self.clients.openWindow(url);
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openConsole(event.notification.data && event.notification.data.offerId));
});
