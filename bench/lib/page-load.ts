import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * One load of the caller's page in Chromium, seen through the DevTools protocol: when step 1 became usable,
 * and every request the page made with its encoded (on the wire) size. Shared by the page-load benchmark and
 * the size test (test/client-load.e2e-spec.ts), which asserts on bytes, never on time.
 */

/** Chromium's network emulation (DevTools `Network.emulateNetworkConditions`): throughput in bytes per second. */
export interface NetworkConditions {
  latencyMs: number;
  downBytesPerSecond: number;
  upBytesPerSecond: number;
}

/** The slow phone of issue 10: 400 kbit/s down and up, 400 ms of latency. */
export const SLOW_PHONE: NetworkConditions = { latencyMs: 400, downBytesPerSecond: 400_000 / 8, upBytesPerSecond: 400_000 / 8 };

export interface LoadedRequest {
  url: string;
  /** Milliseconds from the start of the navigation to the last byte (NaN if it never finished). */
  finishedMs: number;
  /** Response headers and body as they came over the network (compressed); 0 when served from a cache. */
  encodedBytes: number;
  /** Of which the body (a 304 has none). */
  bodyBytes: number;
  status: number;
  mimeType: string;
  contentEncoding: string;
  fromCache: boolean;
}

export interface PageLoad {
  /** Milliseconds from the start of the navigation until a region button of step 1 was shown and enabled. */
  step1Ms: number;
  /** The page's requests (not its service worker's), in the order they were sent. */
  requests: LoadedRequest[];
}

/**
 * Step 1 is usable when a region of the map can be tapped: a `button[data-country]` (other than "all
 * languages", which is there before anything is loaded) is laid out and enabled. Recorded from inside the page
 * at the mutation that made it so, on the page's own clock (performance.now(), 0 at the navigation's start).
 */
const STEP1_PROBE = `(() => {
  const usable = () => Array.from(document.querySelectorAll('button[data-country]')).some(
    (b) => b.dataset.country !== 'all' && !b.disabled && b.getBoundingClientRect().height > 0);
  const check = () => { if (window.__step1Ms === undefined && usable()) window.__step1Ms = performance.now(); };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

/** Records the page's requests through a CDP session of its own, throttled as given. */
async function watchNetwork(context: BrowserContext, page: Page, conditions: NetworkConditions | null) {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (conditions) {
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: conditions.latencyMs,
      downloadThroughput: conditions.downBytesPerSecond,
      uploadThroughput: conditions.upBytesPerSecond,
    });
  }
  const byId = new Map<
    string,
    { url: string; sent: number; done?: number; bytes: number; head: number; status: number; mime: string; enc: string; cached: boolean }
  >();
  const order: string[] = [];
  cdp.on('Network.requestWillBeSent', (e) => {
    // A redirect reuses the id: keep the first URL and start time.
    if (!byId.has(e.requestId)) order.push(e.requestId);
    if (!byId.has(e.requestId))
      byId.set(e.requestId, { url: e.request.url, sent: e.timestamp, bytes: 0, head: 0, status: 0, mime: '', enc: '', cached: false });
  });
  cdp.on('Network.responseReceived', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.status = e.response.status;
    r.mime = e.response.mimeType;
    r.head = e.response.encodedDataLength; // what had come when the headers were read: the headers
    const headers = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
    r.enc = headers['content-encoding'] ?? '';
    r.cached = Boolean(e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache);
  });
  cdp.on('Network.loadingFinished', (e) => {
    const r = byId.get(e.requestId);
    if (!r) return;
    r.done = e.timestamp;
    r.bytes = e.encodedDataLength;
  });
  cdp.on('Network.loadingFailed', (e) => {
    const r = byId.get(e.requestId);
    if (r) r.done = e.timestamp;
  });
  return {
    inFlight: () => [...byId.values()].filter((r) => r.done === undefined).length,
    requests: (): LoadedRequest[] => {
      const first = byId.get(order[0]);
      const origin = first?.sent ?? 0;
      return order.map((id) => {
        const r = byId.get(id)!;
        return {
          url: r.url,
          finishedMs: r.done === undefined ? NaN : (r.done - origin) * 1000,
          encodedBytes: r.bytes,
          bodyBytes: Math.max(0, r.bytes - r.head),
          status: r.status,
          mimeType: r.mime,
          contentEncoding: r.enc,
          fromCache: r.cached,
        };
      });
    },
    detach: () => cdp.detach().catch(() => undefined),
  };
}

/**
 * Opens `url` in a new page of `context` under `conditions` (null: no throttling), waits until step 1 is
 * usable, then until the page's network has been quiet for `quietMs` (and, if `waitForWorker`, until its
 * service worker is active), within `timeoutMs` for each wait.
 */
export async function loadCallerPage(
  context: BrowserContext,
  url: string,
  opts: { conditions: NetworkConditions | null; quietMs?: number; timeoutMs?: number; waitForWorker?: boolean },
): Promise<PageLoad & { page: Page }> {
  const timeout = opts.timeoutMs ?? 60_000;
  const page = await context.newPage();
  await page.addInitScript(STEP1_PROBE);
  const net = await watchNetwork(context, page, opts.conditions);
  await page.goto(url, { waitUntil: 'commit', timeout });
  const step1Ms = (await (
    await page.waitForFunction(() => (window as unknown as { __step1Ms?: number }).__step1Ms, undefined, { timeout, polling: 100 })
  ).jsonValue()) as number;
  if (opts.waitForWorker) {
    const ready = await page.evaluate(
      (ms) => Promise.race([navigator.serviceWorker.ready.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]),
      timeout,
    );
    if (!ready) throw new Error(`the service worker did not become active within ${timeout} ms`);
  }
  const quietMs = opts.quietMs ?? 1000;
  const deadline = Date.now() + timeout;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    if (net.inFlight() > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const requests = net.requests();
  await net.detach();
  return { page, step1Ms, requests };
}

/** The requests that had finished when step 1 became usable: what a woman waited for. */
export function beforeStep1(load: PageLoad): LoadedRequest[] {
  return load.requests.filter((r) => r.finishedMs <= load.step1Ms);
}

export const sumBytes = (rs: LoadedRequest[]) => rs.reduce((n, r) => n + r.encodedBytes, 0);
