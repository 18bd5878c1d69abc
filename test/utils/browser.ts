import AxeBuilder from '@axe-core/playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium, headless, with a fake microphone that needs no permission prompt. Never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
}

/** A phone-sized context of its own (no shared storage with any other party). */
export function phoneContext(browser: Browser, locale = 'es-GT'): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 640 }, locale, permissions: ['microphone'] });
}

export const OUTPUT_DIR = join(__dirname, '..', '..', 'test-output');

/** Saves what a person would see, for a human to look at (test-output/ is gitignored). */
export async function snapshot(page: Page, name: string): Promise<void> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: join(OUTPUT_DIR, `${name}.png`) });
}

/** axe-core's serious and critical violations on the page as it is now: `[]` when none. */
export async function seriousA11yViolations(page: Page): Promise<{ id: string; impact: string; targets: string[] }[]> {
  const res = await new AxeBuilder({ page }).analyze();
  if (!res.passes.length) throw new Error('axe-core checked nothing on this page');
  return res.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact!, targets: v.nodes.map((n) => String(n.target)) }));
}

/** Polls `probe` until `ok`; the test's own timeout bounds the wait. */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
}
