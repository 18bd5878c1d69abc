import { useEffect, useState } from 'preact/hooks';

/**
 * Whether the phone is online, as the page can tell: the browser's `offline` event at once, and back only once
 * the server answers (the `online` event alone can come before it is reachable), checked every few seconds.
 */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine !== false);
  useEffect(() => {
    if (online) {
      const down = () => setOnline(false);
      addEventListener('offline', down);
      return () => removeEventListener('offline', down);
    }
    let stopped = false;
    const probe = () =>
      fetch('/health', { cache: 'no-store' }).then(
        (r) => !stopped && r.ok && navigator.onLine !== false && setOnline(true),
        () => undefined,
      );
    addEventListener('online', probe);
    const timer = setInterval(probe, 4000);
    return () => {
      stopped = true;
      removeEventListener('online', probe);
      clearInterval(timer);
    };
  }, [online]);
  return online;
}
