import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, seedInterpreter, seriousA11yViolations, snapshot, startClientBed, tapSteps, type ClientBed } from './utils/browser';
import { interpreter, languageId, within, type Person } from './utils/matching-fixtures';
import { createStaff } from './utils/test-app';

/**
 * Issue 16, item 3 on the caller's page at 360×640, as on `npm run demo` (no setting asked for): while she waits, the
 * notice of what the service is plays in her language before the ringback (a girl's when she said she is under 18
 * or does not know), once per call, and shows as four pictures, alone when nothing is recorded in her language.
 */
describe('web client: the notice of the service while she waits', () => {
  let bed: ClientBed;
  let mam: string;
  const people: Person[] = [];
  // Real Opus files the browser can play to their end, standing in for an interpreter's readings.
  const cue = (name: string) => readFileSync(join(__dirname, '..', 'client', 'public', 'cues', 'es', `${name}.ogg`));

  const hooks = (p: Page) => p.evaluate(() => ({ played: window.__puente!.played(), finished: window.__puente!.finished() }));
  const fetchedBy = (p: Page) => {
    const fetched: string[] = [];
    p.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    return fetched;
  };

  beforeAll(async () => {
    bed = await startClientBed({});
    mam = await languageId(bed.t, 'mam');
    // Ana records both notices with her consent; Guatemala's roster admin checks and publishes them.
    const ana = await seedInterpreter(bed.t, 'Ana', 'mam:5');
    const admin = await createStaff(bed.t, 'roster_admin', { country: 'GT' });
    for (const [item, file] of [
      // The longest of the page's own cues (about 8 s): an offer comes while it plays.
      ['notice', cue('step3')],
      ['child-notice', cue('here')],
    ] as const) {
      const rec = await bed.t
        .http()
        .post(`/api/v1/languages/${mam}/${item}/recording`)
        .set({ Authorization: `Bearer ${ana.token}` })
        .field('consent', 'true')
        .attach('file', file, { filename: 'notice.ogg', contentType: 'audio/ogg' })
        .expect(201);
      await bed.t
        .http()
        .post(`/api/v1/languages/${mam}/${item}/recordings/${rec.body.id}/publish`)
        .set({ Authorization: `Bearer ${admin.token}` })
        .send({})
        .expect(200);
    }
  }, 120_000);
  afterAll(async () => {
    for (const p of people) p.socket.close();
    await bed?.close();
  });

  it("a Mam woman hears the woman's notice to its end before the ringback (ringing does not cut it off), once, and sees it as pictures", async () => {
    const her = await bed.page('es-GT');
    const fetched = fetchedBy(her);
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'violence', here: 'unknown' });
    await her.locator('button.call-button').click();
    await her.locator('[data-phase="waiting"]').waitFor();
    await expect(her.locator('[data-view="notice"] li').count()).resolves.toBe(4);
    // Her way out stays on the screen above the pictures.
    const hangUp = (await her.locator('button.hang-up').boundingBox())!;
    expect(hangUp.y + hangUp.height).toBeLessThanOrEqual(640);
    await snapshot(her, 'caller-notice-waiting');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);

    await eventually(
      () => hooks(her),
      (h) => h.played.includes(`notice:${mam}`),
    );
    // An interpreter comes while it plays: it rings, and the notice goes on to its end before "it is ringing".
    const bea = await interpreter(bed.t, { languages: 'mam:5', firstName: 'Bea' }, bed.url);
    people.push(bea);
    const offer = await within(bea.socket.next('offer:new'), 15_000, 'the offer');
    await her.locator('[data-phase="ringing"]').waitFor();
    const heard = await eventually(
      () => hooks(her),
      (h) => h.finished.includes(`notice:${mam}`) && h.played.slice(h.played.indexOf(`notice:${mam}`)).includes('cue:ringing'),
    );
    const fromCall = heard.played.slice(heard.played.indexOf('cue:waiting'));
    expect(fromCall.slice(0, 2)).toEqual(['cue:waiting', `notice:${mam}`]);
    // Then "it is ringing" (the offer came while it played) or the ringback (it came after): nothing cut it short.
    expect(['cue:ringing', 'tone:ringback']).toContain(fromCall[2]);
    expect(fetched).toContain(`/api/v1/languages/${mam}/notice`);
    expect(fetched).not.toContain(`/api/v1/languages/${mam}/child-notice`);
    // Both lists are asked for, whatever she said (what the page fetched never tells that a girl called).
    expect(fetched).toEqual(expect.arrayContaining(['/api/v1/languages/notices', '/api/v1/languages/child-notices']));

    await bea.socket.call('offer:accept', { offerId: offer.offerId });
    await her.locator('[data-phase="connected"]').waitFor();
    await expect(her.locator('[data-view="notice"]').count()).resolves.toBe(0);
    expect((await hooks(her)).played.filter((n) => n.startsWith('notice:'))).toEqual([`notice:${mam}`]);
  }, 120_000);

  it("a girl (or one who does not know her age) hears the girl's notice instead", async () => {
    const her = await bed.page('es-GT');
    const fetched = fetchedBy(her);
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'violence', here: 'unknown' });
    await her.locator('button[data-toggle="minor"]').click();
    await her.locator('button.call-button').click();
    await her.locator('[data-phase="waiting"], [data-phase="ringing"]').first().waitFor();
    const heard = await eventually(
      () => hooks(her),
      (h) => h.finished.includes(`child_notice:${mam}`),
    );
    expect(heard.played.filter((n) => n.includes('notice:'))).toEqual([`child_notice:${mam}`]);
    expect(fetched).toContain(`/api/v1/languages/${mam}/child-notice`);
    expect(fetched).not.toContain(`/api/v1/languages/${mam}/notice`);
    await her.locator('button.hang-up').click();
  }, 120_000);

  it('in a language with no notice recorded, she sees the pictures and hears the ringback after the words (in English)', async () => {
    const her = await bed.page('en-US');
    const fetched = fetchedBy(her);
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'kek', matter: 'violence', here: 'unknown' });
    await her.locator('button.call-button').click();
    await her.locator('[data-phase="waiting"]').waitFor();
    const notice = her.locator('[data-view="notice"]');
    await expect(notice.locator('h2').textContent()).resolves.toBe('Before you talk');
    await expect(notice.locator('li').allTextContents()).resolves.toEqual([
      'It is free',
      'It is private: nothing is recorded',
      'You can hang up at any time',
      'You can ask for another interpreter',
    ]);
    await snapshot(her, 'caller-notice-pictures-en');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    const heard = await eventually(
      () => hooks(her),
      (h) => h.played.includes('tone:ringback'),
    );
    expect(heard.played.filter((n) => n.includes('notice'))).toEqual([]);
    expect(fetched.filter((f) => /notice$/.test(f))).toEqual([]);
    await her.locator('button.hang-up').click();
  }, 120_000);
});
