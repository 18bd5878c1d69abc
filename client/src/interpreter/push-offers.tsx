import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import type { StaffStrings } from '../i18n/staff';
import { staffClaims } from '../lib/staff-token';
import { keepStaffSessionOnDevice, readStaffSession, stopKeepingStaffSession } from '../ui/staff-login';
import { CONSOLE_WORKER } from './offer-attention';

/**
 * This device's subscription on the server, `{id, sub}`: its id, to remove it when she turns offers by push off, and
 * whose it is (her token's subject), so that another interpreter logging in on this device is not taken for her.
 */
const KEPT = 'puente-push-subscription';

function keptSubscription(): { id: string; sub: string | null } | null {
  try {
    const raw = localStorage.getItem(KEPT);
    if (!raw) return null;
    return raw.startsWith('{') ? (JSON.parse(raw) as { id: string; sub: string | null }) : { id: raw, sub: null };
  } catch {
    return null;
  }
}

type State = 'unsupported' | 'off' | 'on' | 'busy' | 'blocked' | 'failed';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && typeof Notification !== 'undefined';

async function consoleWorker(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(CONSOLE_WORKER.url, { scope: CONSOLE_WORKER.scope });
  // The registration for the console's scope once its worker is active (ready would wait for the page's own).
  for (;;) {
    const reg = await navigator.serviceWorker.getRegistration(CONSOLE_WORKER.scope);
    if (reg?.active) return reg;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * "Calls on this phone even when the console is closed": Web Push for this device. On: the browser asks her leave to
 * notify, the console's worker subscribes with the server's key, and the server keeps the subscription with her
 * account. Off (or when she logs out: `forgetPushOnThisDevice`): removed here and on the server.
 */
export function PushOffers({
  token,
  s,
  onCall,
  setOnCall,
}: {
  token: string;
  s: StaffStrings;
  /** Her presence is on call (reachable by push only), and how she changes it; offered once push is on here. */
  onCall: boolean;
  setOnCall: (on: boolean) => void;
}) {
  const [state, setState] = useState<State>('busy');
  const [key, setKey] = useState<string | null>(null);

  useEffect(() => {
    if (!supported()) return setState('unsupported');
    api.pushPublicKey().then(
      async (k) => {
        setKey(k);
        const reg = await navigator.serviceWorker.getRegistration(CONSOLE_WORKER.scope);
        const sub = await reg?.pushManager.getSubscription();
        setState(Notification.permission === 'denied' ? 'blocked' : sub && pushOnThisDevice(token) ? 'on' : 'off');
      },
      () => setState('unsupported'),
    );
  }, [token]);

  if (state === 'unsupported') return null;

  const turnOn = async () => {
    setState('busy');
    try {
      if ((await Notification.requestPermission()) !== 'granted') return setState('blocked');
      const reg = await consoleWorker();
      let sub = await reg.pushManager.getSubscription();
      // Made with another server key (the server's keys changed): every push to it would be refused.
      if (sub && serverKeyOf(sub) !== key) {
        await sub.unsubscribe();
        sub = null;
      }
      sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key! });
      const { id } = await api.addPushSubscription(token, sub.toJSON());
      localStorage.setItem(KEPT, JSON.stringify({ id, sub: staffClaims(token).sub ?? null }));
      // A notification tapped later opens her console logged in.
      keepStaffSessionOnDevice(readStaffSession());
      setState('on');
    } catch {
      setState('failed');
    }
  };

  const turnOff = async () => {
    setState('busy');
    await forgetPushOnThisDevice(token);
    setState('off');
  };

  const on = state === 'on';
  return (
    <div class="push-offers" data-push={state}>
      <button
        type="button"
        role="switch"
        class="switch"
        aria-checked={on}
        disabled={state === 'busy' || state === 'blocked'}
        onClick={on ? turnOff : turnOn}
      >
        <span class="knob" aria-hidden="true" />
        <span>{s.pushOffers}</span>
      </button>
      <p class="hint">{state === 'blocked' ? s.pushBlocked : state === 'failed' ? s.pushFailed : s.pushHint}</p>
      {(on || onCall) && (
        <>
          <button type="button" role="switch" class="switch on-call" aria-checked={onCall} onClick={() => setOnCall(!onCall)}>
            <span class="knob" aria-hidden="true" />
            <span>{s.onCall}</span>
          </button>
          <p class="hint">{s.onCallHint}</p>
        </>
      )}
    </div>
  );
}

/** Whether this device receives her offers by push (its subscription is kept here, as hers). */
export const pushOnThisDevice = (token: string) => {
  const kept = keptSubscription();
  return !!kept?.sub && kept.sub === staffClaims(token).sub;
};

/** Offers by push stop on this device: its subscription removed from the server and from the browser, and her session is no longer kept. */
export async function forgetPushOnThisDevice(token: string | null) {
  const id = keptSubscription()?.id;
  localStorage.removeItem(KEPT);
  stopKeepingStaffSession();
  if (id && token) await api.removePushSubscription(token, id).catch(() => undefined);
  if (!supported()) return;
  const reg = await navigator.serviceWorker.getRegistration(CONSOLE_WORKER.scope).catch(() => undefined);
  await (await reg?.pushManager.getSubscription())?.unsubscribe().catch(() => undefined);
}

/** The server key a subscription was made with, base64url as the server gives it. */
function serverKeyOf(sub: PushSubscription): string | null {
  const raw = sub.options.applicationServerKey;
  if (!raw) return null;
  return btoa(String.fromCharCode(...new Uint8Array(raw)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}
