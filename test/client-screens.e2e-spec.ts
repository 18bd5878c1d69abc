import type { Page } from 'playwright-core';
import {
  eventually,
  seriousA11yViolations,
  snapshot,
  startClientBed,
  tapSteps,
  wordsSplitAcrossLines,
  type ClientBed,
} from './utils/browser';
import type { TestApp } from './utils/test-app';

/**
 * The caller's other screens, each checked by axe and saved at 360×640: the offline shell of the service
 * worker, waiting in line, nobody found, no microphone; and the spoken cues themselves.
 */
describe('web client: offline shell, waiting, unmatched, no microphone, cues', () => {
  let bed: ClientBed;
  let t: TestApp;
  let url: string;
  const page = (locale?: string, init?: () => void) => bed.page(locale, init);

  beforeAll(async () => {
    // Nobody is on the roster: every request waits, then ends unmatched after a few seconds.
    bed = await startClientBed({ REQUEST_WAIT_LIMIT_SECONDS: '5' });
    ({ t, url } = bed);
  }, 120_000);
  afterAll(() => bed?.close());

  const played = (p: Page) => p.evaluate(() => window.__puente!.played());

  async function chooseMamAndCall(p: Page) {
    await p.goto(`${url}/`);
    await tapSteps(p, { region: 'GT', iso: 'mam', matter: 'legal_civil', here: 'GT' });
    await p.locator('button.call-button').click();
  }

  it('with no network, a reload shows the offline shell (icon, words, sound) and the page comes back with the network', async () => {
    const p = await page('fr-CA');
    await p.goto(`${url}/`);
    await p.locator('button[data-country="GT"]').waitFor();
    await p.evaluate(() => navigator.serviceWorker.ready);
    await eventually(
      () => p.evaluate(() => caches.keys()),
      (keys) => keys.some((k) => k.startsWith('puente-shell-')),
    );

    await p.context().setOffline(true);
    await p.reload();
    await p.locator('[data-view="offline"] .offline-icon').waitFor();
    await expect(p.locator('h1').textContent()).resolves.toBe('Pas de connexion');
    await snapshot(p, 'caller-offline');
    await expect(seriousA11yViolations(p)).resolves.toEqual([]);
    // Its sound is on the phone too: fetched from the worker's cache with no network, and it is real audio.
    const seconds = await p.evaluate(async () => {
      const bytes = await (await fetch('/cues/fr/offline.ogg')).arrayBuffer();
      return (await new AudioContext().decodeAudioData(bytes)).duration;
    });
    expect(seconds).toBeGreaterThan(1);
    await p.locator('#listen').click();
    await eventually(
      () => played(p),
      (names) => names.includes('cue:offline'),
    );

    await p.context().setOffline(false);
    await p.locator('button[data-country="GT"]').waitFor();
  }, 90_000);

  it('waiting in line, then a calm message when nobody could be found', async () => {
    const p = await page();
    await chooseMamAndCall(p);
    await p.locator('[data-phase="waiting"]').waitFor();
    await snapshot(p, 'caller-waiting');
    const waiting = await seriousA11yViolations(p);
    await p.locator('[data-phase="unmatched"]').waitFor();
    await snapshot(p, 'caller-unmatched');
    await expect(p.locator('.status').textContent()).resolves.toContain('No es su culpa');
    expect(await played(p)).toEqual(expect.arrayContaining(['tone:unmatched', 'cue:unmatched']));
    expect({ waiting, unmatched: await seriousA11yViolations(p) }).toEqual({ waiting: [], unmatched: [] });
    await expect(wordsSplitAcrossLines(p)).resolves.toEqual([]);
    await expect(t.sql(`SELECT state FROM interpretation_requests`)).resolves.toEqual([{ state: 'unmatched' }]);
  }, 90_000);

  it('without a microphone she is told so before anyone is rung', async () => {
    const p = await page('en-US', () => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM interpretation_requests`);
    await chooseMamAndCall(p);
    await p.locator('[data-phase="error"]').waitFor();
    await expect(p.locator('.status').textContent()).resolves.toContain('microphone could not be used');
    await snapshot(p, 'caller-no-microphone');
    await expect(seriousA11yViolations(p)).resolves.toEqual([]);
    await expect(wordsSplitAcrossLines(p)).resolves.toEqual([]);
    await expect(t.sql(`SELECT count(*) AS n FROM interpretation_requests`)).resolves.toEqual(before);
  }, 60_000);

  it('every step has a spoken cue in each interface language, short real audio', async () => {
    const p = await page();
    await p.goto(`${url}/`);
    await p.locator('button.cue[data-cue="step1"]').click();
    await eventually(
      () => played(p),
      (names) => names.includes('cue:step1'),
    );
    const durations = await p.evaluate(async () => {
      const out: Record<string, number> = {};
      const ctx = new AudioContext();
      const CUES = [
        'step1',
        'languages',
        'step2',
        'here',
        'step3',
        'waiting',
        'ringing',
        'connected',
        'ended',
        'unmatched',
        'reconnecting',
        'offline',
      ];
      for (const lang of ['es', 'en', 'fr']) {
        for (const cue of CUES) {
          const res = await fetch(`/cues/${lang}/${cue}.ogg`);
          out[`${lang}/${cue}`] = res.ok ? (await ctx.decodeAudioData(await res.arrayBuffer())).duration : -1;
        }
      }
      return out;
    });
    expect(Object.keys(durations)).toHaveLength(3 * 12);
    for (const [name, seconds] of Object.entries(durations)) expect([name, seconds > 1 && seconds < 15]).toEqual([name, true]);
  }, 60_000);
});
