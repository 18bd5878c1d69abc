import { useEffect } from 'preact/hooks';
import type { Signal } from '../lib/socket';

/** Her console's own worker (push, notifications): client/sw/interpreter-sw.js. */
export const CONSOLE_WORKER = { url: '/interpreter/sw.js', scope: '/interpreter/' };

const visible = () => document.visibilityState === 'visible';

/**
 * While an offer rings: the server is told once her console has shown it (`offer:seen`: visible on screen, else it
 * is pushed to her devices after OFFER_SEEN_SECONDS). Hidden (another tab, the phone locked, the app in the
 * background), the console calls her as it can: a system notification (when she allowed them), vibration, and a
 * flashing title; all stop when she looks or the offer ends. `onSeen` marks which offers she saw (a missed one is
 * told as missed).
 */
export function useOfferAttention(
  offer: { offerId: string; urgency: string } | null,
  signal: Signal | null,
  words: { title: string; body: string },
  onSeen: (offerId: string) => void,
) {
  const offerId = offer?.offerId ?? null;
  useEffect(() => {
    if (!offerId || !signal) return;
    const original = document.title;
    let flash: ReturnType<typeof setInterval> | undefined;
    let buzz: ReturnType<typeof setInterval> | undefined;
    let over = false;
    const calm = () => {
      clearInterval(flash);
      clearInterval(buzz);
      flash = buzz = undefined;
      document.title = original;
      navigator.vibrate?.(0);
      void closeNotification(offerId);
    };
    const look = () => {
      if (!visible()) return alert();
      calm();
      onSeen(offerId);
      void signal.ask('offer:seen', { offerId }).catch(() => undefined);
    };
    const alert = () => {
      if (flash) return;
      let on = false;
      flash = setInterval(() => {
        on = !on;
        document.title = on ? `☎ ${words.title}` : original;
      }, 1000);
      const pattern = offer?.urgency === 'normal' ? [300, 200, 300] : [500, 200, 500, 200, 500];
      navigator.vibrate?.(pattern);
      buzz = setInterval(() => navigator.vibrate?.(pattern), 3000);
      // Shown after the offer ended (the worker's registration answered late): closed at once.
      void notify(offerId, words).then(() => (over ? closeNotification(offerId) : undefined));
    };
    look();
    document.addEventListener('visibilitychange', look);
    return () => {
      document.removeEventListener('visibilitychange', look);
      over = true;
      calm();
    };
  }, [offerId, signal]);
}

async function registration(): Promise<ServiceWorkerRegistration | undefined> {
  return 'serviceWorker' in navigator ? navigator.serviceWorker.getRegistration(CONSOLE_WORKER.scope).catch(() => undefined) : undefined;
}

async function notify(offerId: string, words: { title: string; body: string }) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  const reg = await registration();
  // The worker heard the offer end first (by push) and says she missed it: that stays.
  const shown = (await reg?.getNotifications({ tag: offerId }).catch(() => [])) ?? [];
  if (shown.some(isMissed)) return;
  await reg
    ?.showNotification(words.title, { body: words.body, tag: offerId, requireInteraction: true, icon: '/icon.svg' })
    .catch(() => undefined);
}

/** Closes the offer's ringing notifications, not the worker's "missed call" that may have replaced them meanwhile. */
async function closeNotification(offerId: string) {
  const reg = await registration();
  for (const n of (await reg?.getNotifications({ tag: offerId }).catch(() => [])) ?? []) if (!isMissed(n)) n.close();
}

/** The worker's "missed call" notice (client/sw/interpreter-sw.js, missedOffer). */
const isMissed = (n: Notification) => !!(n.data as { missed?: boolean } | null)?.missed;
