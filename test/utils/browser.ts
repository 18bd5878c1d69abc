import type axe from 'axe-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { randomUUID } from 'node:crypto';
import { DEMO_SHARING } from '../../src/demo/demo-data';
import { RostersService } from '../../src/rosters/rosters.service';
import { ensureClientBuilt, TEST_CLIENT_DIST } from './client-build';
import { createStaff, freePort, startTestApp, TEST_PASSWORD, type TestApp, type TestAppOptions } from './test-app';

/** What the pages of the tests' build (client/dist-test) expose (client/src/lib/test-hooks.ts): numbers and sound names only. */
declare global {
  interface Window {
    __puente?: {
      inboundAudio: () => Promise<{ bytesReceived: number; audioLevel: number } | null>;
      inboundAudioByRole: () => Promise<Record<string, { bytesReceived: number; audioLevel: number }> | null>;
      outputVolumes: () => number[];
      iceRestarts: () => number;
      connection: () => unknown;
      played: () => string[];
      finished: () => string[];
    };
  }
}

/** Debian's Chromium, headless, with a fake microphone that needs no permission prompt. Never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
    ],
  });
}

/** A phone-sized context of its own (no shared storage with any other party), in a time zone if given. */
export function phoneContext(browser: Browser, locale = 'es-GT', timezoneId?: string): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 640 }, locale, timezoneId, permissions: ['microphone'] });
}

export const OUTPUT_DIR = join(__dirname, '..', '..', 'test-output');

/** Saves what a person would see, for a human to look at (test-output/ is gitignored). */
export async function snapshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`) });
}

/** axe-core's own script, read once per test file and evaluated in each page that is checked. */
let axeSource: string | undefined;

/**
 * axe-core's serious and critical violations on the page as it is now: `[]` when none. axe-core is evaluated in the
 * page once per document (through the DevTools protocol, so the page's CSP does not block it) and run there with
 * its default rules, reporting only violations in full. @axe-core/playwright did the same per check with a fresh
 * injection and a blank page of its own to merge frames: 1.0-2.2 s a check against 0.1-0.3 s, on pages that have
 * no frames (BENCHMARKS.md, "Test suite").
 */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const res = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
  if (!res.passes.length) throw new Error('axe-core checked nothing on this page');
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, targets: v.nodes.map((n) => String(n.target)) }));
}

/** What a call page receives, by the sender's role (bytes and audio level), from its own receiver statistics. */
export type Inbound = { bytesReceived: number; audioLevel: number } | null;
/** What the page's call receives (the test hooks' inboundAudio). */
export const inbound = (page: Page) => page.evaluate(() => window.__puente!.inboundAudio()) as Promise<Inbound>;
/** Chromium's fake microphone beeps: a beep heard (a level well above silence), not just comfort noise. */
export const hearing = (v: Inbound) => !!v && v.bytesReceived > 0 && v.audioLevel > 0.01;

export type ByRole = Record<string, { bytesReceived: number; audioLevel: number }> | null;
export const byRole = (p: Page) => p.evaluate(() => window.__puente!.inboundAudioByRole()) as Promise<ByRole>;
/** She hears each of `roles`: bytes arrive from every one, and Chromium's fake microphone beeps loud enough. */
export const hearsRoles = (roles: string[]) => (v: ByRole) =>
  !!v && roles.every((r) => (v[r]?.bytesReceived ?? 0) > 0 && (v[r]?.audioLevel ?? 0) > 0.01);

const shown = (v: unknown) => {
  try {
    return String(JSON.stringify(v)).slice(0, 2000);
  } catch {
    return String(v);
  }
};

/**
 * Polls `probe` until `ok`, for at most `ms` (as long as a locator waits): a probe that never comes true fails
 * with what it last saw, rather than spending the test's whole budget and leaving only "exceeded timeout".
 */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`eventually: not true after ${ms} ms; last seen ${shown(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The app serving the built client on its own origin, a Chromium, and phone contexts of their own. */
export interface ClientBed {
  t: TestApp;
  /** Not t.url: startTestApp's url names the port it picked, not an overridden PORT. */
  url: string;
  browser: Browser;
  page: (locale?: string, init?: () => void, timezoneId?: string) => Promise<Page>;
  /** Closes the pages opened so far (their calls and sockets end): after each test, so none runs on into the next. */
  closePages: () => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The demo's settings and nothing more: no HOME_COUNTRY (a caller who skips "where are you now" is served as on
 * `npm run demo` without it), and the demo's roster sharing, Guatemala's roster shared with every member state.
 * The pages are the tests' build, with the test hooks (window.__puente); `hooks: false` serves the one phones get.
 */
export async function startClientBed(overrides: TestAppOptions = {}, { hooks = true } = {}): Promise<ClientBed> {
  await ensureClientBuilt();
  // The pages are served by the app itself, so its own origin must be one the socket handshake accepts.
  const port = await freePort();
  const t = await startTestApp(
    { PORT: String(port), PUBLIC_ORIGINS: `http://127.0.0.1:${port}`, ...overrides },
    hooks ? { clientDirs: [TEST_CLIENT_DIST] } : {},
  );
  const rosters = t.app.get(RostersService);
  for (const [owner, borrowers] of Object.entries(DEMO_SHARING)) await rosters.setSharing(owner, borrowers, null);
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    browser,
    page: async (locale = 'es-GT', init?: () => void, timezoneId?: string) => {
      const ctx = await phoneContext(browser, locale, timezoneId);
      contexts.push(ctx);
      if (init) await ctx.addInitScript(init);
      return ctx.newPage();
    },
    closePages: async () => {
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
    },
    close: async () => {
      for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
      await browser.close();
      await t.close();
    },
  };
}

/** An interpreter of the Guatemalan roster (through the real import) with a console account. */
export async function seedInterpreter(t: TestApp, firstName: string, languages: string) {
  const externalId = `c-${randomUUID().slice(0, 12)}`;
  const res = await t.app.get(RostersService).importRoster(
    'GT',
    [
      {
        external_id: externalId,
        first_name: firstName,
        email: `${externalId}@test.puente.example`,
        languages,
        relay_languages: 'spa',
        specialties: 'violence;legal_criminal',
        gender: 'female',
        // Certified (a body, no end), as legal matters and hearings need by default.
        certification_body: 'TEST',
        status: 'active',
      },
    ],
    null,
  );
  if (res.rejected.length) throw new Error(`seed rejected: ${JSON.stringify(res.rejected)}`);
  const [row] = await t.sql<{ id: string }>(`SELECT id FROM interpreters WHERE country = 'GT' AND external_id = $1`, [externalId]);
  return { ...(await createStaff(t, 'interpreter', { country: 'GT', interpreterId: row.id })), interpreterId: row.id };
}

/** Opens a staff console (`/interpreter/`, `/official/`, `/admin/`) and logs in (the test password unless given: a demo account's). */
export async function staffLogin(p: Page, url: string, path: string, email: string, password = TEST_PASSWORD): Promise<void> {
  await p.goto(`${url}${path}`);
  await p.fill('input[name=email]', email);
  await p.fill('input[name=password]', password);
  await p.click('button[type=submit]');
}

/** Logs in on the interpreter console and flips the availability switch on (through the real UI). */
export async function goAvailable(p: Page, url: string, email: string, atLogin?: () => Promise<void>): Promise<void> {
  await p.goto(`${url}/interpreter/`);
  await p.locator('input[name=email]').waitFor();
  await atLogin?.();
  await p.fill('input[name=email]', email);
  await p.fill('input[name=password]', TEST_PASSWORD);
  await p.click('button[type=submit]');
  await p.locator('.availability [role=switch]:not([disabled])').click();
  await p.locator('[data-available="true"]').waitFor();
}

/**
 * The caller's steps as she taps them: where her language is spoken (`region`, or `all`), her language, the
 * matter, where she is now (`here`: a country code, or `unknown` for "I don't know"); she is then on the call step.
 */
export async function tapSteps(p: Page, s: { region: string; iso: string; matter: string; here: string }): Promise<void> {
  await p.locator(`button[data-country="${s.region}"]`).click();
  await p.locator(`button[data-iso="${s.iso}"][data-variant=""]`).click();
  await p.locator(`button[data-matter="${s.matter}"]`).click();
  await p.locator(`button[data-here="${s.here}"]`).click();
  await p.locator('button.call-button').waitFor();
}

/**
 * Saves a PNG of each page it is given and records axe's serious and critical violations by name:
 * `expect(a11y.found).toEqual(a11y.none())` at the end of a test names every page with a problem.
 */
export function a11yRecorder() {
  const found: Record<string, unknown[]> = {};
  return {
    found,
    check: async (p: Page, name: string) => {
      await snapshot(p, name);
      found[name] = await seriousA11yViolations(p);
    },
    none: () => Object.fromEntries(Object.keys(found).map((k) => [k, []])),
  };
}

/**
 * Words split over two lines on the page as it is now: every visible text node's words (runs without white
 * space), each measured with Range.getClientRects; a word whose boxes sit on more than one line is named.
 */
export function wordsSplitAcrossLines(p: Page): Promise<string[]> {
  return p.evaluate(() => {
    const split: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      for (const m of text.matchAll(/\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index!);
        range.setEnd(node, m.index! + m[0].length);
        const tops = new Set(
          Array.from(range.getClientRects())
            .filter((r) => r.width > 0 && r.height > 0)
            .map((r) => Math.round(r.top)),
        );
        // Boxes of one line can differ by a pixel or two (mixed fonts): a new line is at least half a line lower.
        const lines = [...tops].sort((a, b) => a - b).filter((top, i, all) => i === 0 || top - all[i - 1] > 8);
        if (lines.length > 1) split.push(m[0]);
      }
    }
    return split;
  });
}

/** What this origin keeps on the device: storage, databases, caches, service workers, cookies (a caller's page keeps none). */
export function deviceTraces(p: Page) {
  return p.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    databases: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    workers: (await navigator.serviceWorker.getRegistrations()).length,
    cookie: document.cookie,
  }));
}

/** A date and time as the inputs of someone in `timeZone` show them. */
export function wallClock(at: Date, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}
