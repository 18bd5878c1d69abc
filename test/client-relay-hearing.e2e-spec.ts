import type { Page, Request } from 'playwright-core';
import { BookingAssignmentService } from '../src/bookings/booking-assignment.service';
import { BookingsService } from '../src/bookings/bookings.service';
import { AppConfig } from '../src/config/config.schema';
import { DEMO_PASSWORD } from '../src/demo/demo-data';
import { loadDemo } from '../src/demo/demo-seed';
import { a11yRecorder, byRole, eventually, hearsRoles, staffLogin, startClientBed, wallClock, type ClientBed } from './utils/browser';
import type { TestApp } from './utils/test-app';

/**
 * The README's "Try a relay hearing between four windows", in Chromium with the demo's settings, roster and
 * accounts: the Houston court books Mam twice for the same hour; the first goes to María (Mam–English), the second
 * to a chain, Lorena (Mam → Spanish) and Sarah (Spanish → English), who each confirm on their console; in the
 * hearing's call the official, both interpreters and the woman (by her code) each hear every other one. And its "Try
 * a relay call now": the same court asks for an interpreter now while María is away, and both legs ring at once.
 */
describe('web client: relay interpreting on the demo', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    bed = await startClientBed();
    ({ t, url } = bed);
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await loadDemo(t.app.get(AppConfig));
    } finally {
      log.mockRestore();
    }
  }, 120_000);
  afterEach(async () => {
    jest.restoreAllMocks();
    if (!bed) return;
    await bed.closePages();
    // Each case books its own: a case that failed half-way would leave its hearing open, and Lorena kept for it.
    const open = await t.sql<{ id: string }>(`SELECT id FROM bookings WHERE state IN ('requested', 'assigned', 'confirmed')`);
    for (const b of open) await t.app.get(BookingsService).end(b.id, 'cancelled', 'cancelled', null);
  });
  afterAll(() => bed?.close());

  /** Books Mam, "Legal (civil)", at `start` for 30 minutes with a remote woman, as the README says. */
  async function bookMam(court: Page, start: Date) {
    const form = court.locator('form.booking-form');
    await form.locator('input[name=language]').fill('mam');
    await form.locator('.language-results button[data-iso="mam"][data-variant=""]').click();
    await form.locator('.chosen-language').waitFor();
    await form.locator('select[name=matter]').selectOption('legal_civil');
    const local = wallClock(start, 'America/Chicago');
    await form.locator('input[name=date]').fill(local.date);
    await form.locator('input[name=time]').fill(local.time);
    await form.locator('select[name=duration]').selectOption('30');
    await form.locator('input[name=remote]').check();
    await form.locator('button[type=submit]').click();
    await court.locator('.booking-form [role=status]').waitFor();
  }

  it('books Mam twice for one hour: María, then a Mam–Spanish + Spanish–English chain whose four participants all hear each other', async () => {
    const a11y = a11yRecorder();
    const court = await bed.page('en-US', undefined, 'America/Chicago');
    await countBookingsRead(court);
    // Her console's first ask for the catalogue is lost (a bad network): it asks again, and the legs below are named.
    await court.route('**/api/v1/languages?limit=200', (r) => r.abort(), { times: 1 });
    await staffLogin(court, url, '/official/', 'official.us@demo.puente.example', DEMO_PASSWORD);
    const start = new Date(Math.ceil((Date.now() + 5 * 60_000) / 60_000) * 60_000);
    await bookMam(court, start);
    const first = court.locator('li.booking').first();
    await first.locator('.booking-interpreter', { hasText: 'María' }).waitFor();
    await bookMam(court, start);
    // María is taken at that hour: the chain, its source leg asked first.
    const chain = court.locator('li.booking', { has: court.locator('.booking-interpreters') });
    await chain.locator('li[data-leg="source"][data-seat-state="asked"]', { hasText: 'Lorena' }).waitFor();
    // The languages' names come with the catalogue, which the console loads beside the booking: waited for, not read once.
    await chain.locator('li[data-leg="source"]', { hasText: /Mam.*→.*Spanish/ }).waitFor();
    await chain.locator('li[data-leg="relay"]', { hasText: /Spanish.*→.*English/ }).waitFor();
    await a11y.check(court, 'official-relay-booked');
    const id = (await chain.getAttribute('data-booking'))!;

    const lorena = await bed.page('es-US', undefined, 'America/Chicago');
    await staffLogin(lorena, url, '/interpreter/', 'interpreter.lorena@demo.puente.example', DEMO_PASSWORD);
    // Her confirmation and Sarah's seat asked come as two pushes close together, and the court's console loads its
    // list for each: made certain here, the first answer (read before Sarah was asked) comes back after the second.
    // The console must keep showing the newer one.
    const late = await answerLate(court, '**/api/v1/bookings', () =>
      holdNext(t.app.get(BookingAssignmentService), 'assignNext', (booking) => booking === id),
    );
    await lorena.locator(`li.booking[data-booking="${id}"] button[data-action="confirm"]`).click();
    await chain.locator('li[data-leg="relay"][data-seat-state="asked"]', { hasText: 'Sarah' }).waitFor();
    await late.deliver();
    expect(await chain.locator('li[data-leg="relay"][data-seat-state="asked"]', { hasText: 'Sarah' }).count()).toBe(1);
    const sarah = await bed.page('en-US', undefined, 'America/Chicago');
    await staffLogin(sarah, url, '/interpreter/', 'interpreter.sarah@demo.puente.example', DEMO_PASSWORD);
    const hers = sarah.locator(`li.booking[data-booking="${id}"]`);
    await hers.locator('li[data-leg="relay"]', { hasText: /Spanish.*→.*English/ }).waitFor();
    await a11y.check(sarah, 'interpreter-relay-asked');
    await hers.locator('button[data-action="confirm"]').click();
    await chain.locator('.booking-state.confirmed').waitFor();
    await chain.locator('li[data-leg="relay"][data-seat-state="confirmed"]').waitFor();

    // The woman's code, and the call.
    await chain.locator('button[data-action="join-code"]').click();
    const digits = (await chain.locator('.join-code .code').textContent())!.replace(/-/g, '');
    await chain.locator('.join-code button').click();
    const her = await bed.page('es-GT');
    await her.goto(`${url}/?join=${digits}`);
    await her.locator('[data-phase="connected"]').waitFor();
    await chain.locator('button[data-action="join"]').click();
    await court.locator('[data-view="hearing"][data-joined="true"]').waitFor();
    for (const p of [lorena, sarah]) {
      await p.locator(`li.booking[data-booking="${id}"] button[data-action="join"]`).click();
      await p.locator('[data-view="hearing"][data-joined="true"]').waitFor();
    }

    // Every one hears each of the others, by each browser's own receiver statistics.
    await eventually(() => byRole(court), hearsRoles(['caller', 'interpreter', 'relay_interpreter']));
    await eventually(() => byRole(lorena), hearsRoles(['caller', 'relay_interpreter', 'official']));
    await eventually(() => byRole(sarah), hearsRoles(['caller', 'interpreter', 'official']));
    await eventually(() => byRole(her), hearsRoles(['interpreter', 'relay_interpreter', 'official']));
    // The consoles say who is in the call, by role.
    await court.locator('.participants li[data-role="relay_interpreter"][data-present="true"]').waitFor();
    await expect(court.locator('.participants li[data-role="relay_interpreter"]').textContent()).resolves.toMatch(/Relay interpreter/);
    await lorena.locator('.participants li[data-role="relay_interpreter"][data-present="true"]').waitFor();
    await a11y.check(court, 'official-relay-hearing');

    await court.locator('.hearing-call button.hang-up').click();
    await court.locator('button[data-action="end-hearing"]').click();
    await her.locator('[data-phase="ended"]').waitFor();
    for (const p of [lorena, sarah]) await p.locator('[data-view="idle"] .note').waitFor();
    await eventually(
      () => t.sql<{ state: string }>(`SELECT state FROM bookings WHERE id = $1`, [id]),
      ([b]) => b.state === 'completed',
    );
    expect(a11y.found).toEqual(a11y.none());
    // Two bookings and four browsers in one call: 15 s alone, 42 s beside two other browser suites on two cores.
  }, 180_000);

  it("the README's relay call now: with María away, Lorena and Sarah ring at once for the Houston court; the call opens when both accept and the three hear each other", async () => {
    const a11y = a11yRecorder();
    const available = async (email: string, lang: string) => {
      const p = await bed.page(lang, undefined, 'America/Chicago');
      await staffLogin(p, url, '/interpreter/', email, DEMO_PASSWORD);
      await p.locator('.availability [role=switch]:not([disabled])').click();
      await p.locator('[data-available="true"]').waitFor();
      return p;
    };
    const lorena = await available('interpreter.lorena@demo.puente.example', 'es-US');
    const sarah = await available('interpreter.sarah@demo.puente.example', 'en-US');
    const court = await bed.page('en-US', undefined, 'America/Chicago');
    await staffLogin(court, url, '/official/', 'official.us@demo.puente.example', DEMO_PASSWORD);
    const panel = court.locator('[data-panel="interpreter-now"]');
    await panel.locator('button[data-action="open-now"]').click();
    await panel.locator('input[name=language]').fill('mam');
    await panel.locator('.language-results button[data-iso="mam"][data-variant=""]').click();
    await panel.locator('.chosen-language').waitFor();
    await panel.locator('button[data-action="call-now"]').click();

    // Both legs ring at once, each saying what she interprets.
    const lorenaOffer = lorena.locator('[data-view="offer"]');
    const sarahOffer = sarah.locator('[data-view="offer"]');
    await lorenaOffer.locator('.relay-leg[data-leg="source"]').waitFor();
    await sarahOffer.locator('.relay-leg[data-leg="relay"]').waitFor();
    await lorenaOffer.locator('.relay-leg', { hasText: /Mam.*→.*(español|Spanish)/i }).waitFor();
    await sarahOffer.locator('.relay-leg', { hasText: /Spanish.*→.*English/ }).waitFor();
    await a11y.check(sarah, 'interpreter-relay-offer');
    await lorenaOffer.locator('button.accept').click();
    await lorena.locator('[data-view="waiting"]').waitFor();
    await a11y.check(lorena, 'interpreter-relay-waiting');
    // Her tab reloaded while she waits: the call she accepted still finds her when it opens.
    await lorena.reload();
    await lorena.locator('[data-view="idle"]').waitFor();
    await sarahOffer.locator('button.accept').click();

    for (const p of [lorena, sarah]) await p.locator('[data-view="call"]').waitFor();
    await court.locator('[data-view="hearing"][data-joined="true"]').waitFor();
    await eventually(() => byRole(court), hearsRoles(['interpreter', 'relay_interpreter']));
    await eventually(() => byRole(lorena), hearsRoles(['relay_interpreter', 'official']));
    await eventually(() => byRole(sarah), hearsRoles(['interpreter', 'official']));
    await court.locator('.participants li[data-role="relay_interpreter"][data-present="true"]').waitFor();
    await sarah.locator('[data-view="call"] .participants li[data-role="interpreter"]').waitFor();

    await court.locator('.hearing-call button.hang-up').click();
    await court.locator('button[data-action="end-call"]').click();
    for (const p of [lorena, sarah]) await p.locator('[data-view="idle"]').waitFor();
    expect(a11y.found).toEqual(a11y.none());
  }, 120_000);
});

/**
 * Holds the next call of `target[method]` that `only` picks until the function returned is called, or 15 s have passed
 * (a server step is never left hanging: the case then fails on its own); the call then goes ahead. Other calls pass.
 */
function holdNext<T extends object, K extends keyof T>(target: T, method: K, only: (...a: unknown[]) => boolean): () => void {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const timer = setTimeout(release, 15_000);
  const real = (target[method] as (...a: unknown[]) => Promise<unknown>).bind(target);
  const spy = jest.spyOn(target, method as never).mockImplementation((async (...a: unknown[]) => {
    if (only(...a)) {
      spy.mockRestore();
      await held;
    }
    return real(...a);
  }) as never);
  return () => {
    clearTimeout(timer);
    release();
  };
}

/** Counts, in the page, the answers to its bookings list whose bodies it has read (before its navigation). */
const countBookingsRead = (page: Page) =>
  page.addInitScript(() => {
    const text = Response.prototype.text;
    const w = window as unknown as { __bookingsRead?: number };
    Response.prototype.text = async function (this: Response) {
      const body = await text.call(this);
      if (new URL(this.url).pathname === '/api/v1/bookings') w.__bookingsRead = (w.__bookingsRead ?? 0) + 1;
      return body;
    };
  });

/**
 * The page's next GET of `url` is answered late: its answer is read at once, while `hold` holds the server's next
 * step, which then goes ahead (its pushes bring later loads, answered as usual); the page receives the first answer
 * when `deliver` is called, which returns once the page has read it and done what it does with it (its handling and
 * rendering are microtasks after the read: countBookingsRead).
 */
async function answerLate(page: Page, url: string, hold: () => () => void) {
  const release = hold();
  let go!: () => void;
  const delivering = new Promise<void>((r) => (go = r));
  let held: Request | undefined;
  await page.route(url, async (route) => {
    if (route.request().method() !== 'GET' || held) return route.fallback();
    held = route.request();
    const answer = await route.fetch();
    release();
    await delivering;
    await route.fulfill({ response: answer });
  });
  const read = () => page.evaluate(() => (window as unknown as { __bookingsRead?: number }).__bookingsRead ?? 0);
  return {
    deliver: async () => {
      if (!held) throw new Error(`the page never asked for ${url} while the server's step was held`);
      const before = await read();
      go();
      await page.waitForFunction((n) => ((window as unknown as { __bookingsRead?: number }).__bookingsRead ?? 0) > n, before);
      await page.unroute(url);
    },
  };
}
