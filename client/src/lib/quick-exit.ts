/** Where quick exit lands: a same-origin page that looks like an ordinary weather page and stores nothing. */
export const NEUTRAL_PAGE = '/neutral.html';

/** Deletes everything this origin may hold on the device: storage, databases, caches, cookies, workers. */
export async function wipeOrigin(): Promise<void> {
  const steps: Promise<unknown>[] = [];
  try {
    localStorage.clear();
  } catch {
    /* storage disabled: nothing to clear */
  }
  try {
    sessionStorage.clear();
  } catch {
    /* idem */
  }
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0].trim();
    if (!name) continue;
    for (const path of ['/', location.pathname]) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=${path}`;
  }
  if ('indexedDB' in window && typeof indexedDB.databases === 'function') {
    steps.push(
      indexedDB.databases().then((dbs) =>
        Promise.all(
          dbs.map(
            (db) =>
              new Promise<void>((resolve) => {
                if (!db.name) return resolve();
                const req = indexedDB.deleteDatabase(db.name);
                // A connection still open elsewhere blocks deletion; the page is about to leave, so do not wait on it.
                req.onsuccess = req.onerror = req.onblocked = () => resolve();
              }),
          ),
        ),
      ),
    );
  }
  // The worker first, then its caches: a worker still running may write to a cache until it is unregistered.
  const unregistered =
    'serviceWorker' in navigator
      ? navigator.serviceWorker.getRegistrations().then((regs) => Promise.all(regs.map((r) => r.unregister())))
      : Promise.resolve();
  steps.push(unregistered);
  if ('caches' in window) {
    steps.push(
      unregistered.catch(() => undefined).then(() => caches.keys().then((keys) => Promise.all(keys.map((k) => caches.delete(k))))),
    );
  }
  await Promise.all(steps.map((s) => s.catch(() => undefined)));
}

/**
 * One tap: end whatever is going on (`leave`, bounded so a dead network cannot hold her here), wipe the origin,
 * and replace this history entry with the neutral page so that Back does not return to the call.
 */
export async function quickExit(leave: () => Promise<unknown>): Promise<void> {
  await Promise.race([leave().catch(() => undefined), new Promise((r) => setTimeout(r, 1500))]);
  await Promise.race([wipeOrigin(), new Promise((r) => setTimeout(r, 1500))]);
  location.replace(NEUTRAL_PAGE);
}
