import { eventually, seriousA11yViolations, snapshot, startClientBed, tapSteps, type ClientBed } from './utils/browser';
import { caller, interpreter, languageId, within, type Person } from './utils/matching-fixtures';

/**
 * Issue 16, item 4 on the caller's page at 360×640, as on `npm run demo` (no setting asked for): the return code she is
 * given (digits, pictures, read out as tones and digits), "call back the same interpreter" after her call ended, and a
 * code typed on the last step on another day's page.
 */
describe('web client: her way back', () => {
  let bed: ClientBed;
  const people: Person[] = [];
  const track = (p: Person) => (people.push(p), p);

  beforeAll(async () => {
    bed = await startClientBed({});
  }, 120_000);
  afterAll(async () => {
    for (const p of people) p.socket.close();
    await bed?.close();
  });

  it('shows her code in the call (digits, pictures, read out), and after the call "call back the same interpreter" rings her first', async () => {
    const ana = track(await interpreter(bed.t, { languages: 'kek:5', firstName: 'Ana' }, bed.url));
    const her = await bed.page('es-GT');
    const fetched: string[] = [];
    her.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'kek', matter: 'violence', here: 'unknown' });
    await her.locator('button.call-button').click();
    const offer = await within(ana.socket.next('offer:new'), 15_000, 'the offer');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });

    const card = her.locator('.return-code');
    await card.waitFor();
    const code = (await card.getAttribute('data-return-code'))!;
    expect(code).toMatch(/^\d{6}$/);
    await expect(card.locator('.return-code-digits').textContent()).resolves.toBe(`${code.slice(0, 3)} ${code.slice(3)}`);
    await expect(
      card.locator('.code-pictures li').evaluateAll((li) => li.map((l) => l.getAttribute('data-picture')).join('')),
    ).resolves.toBe(code);
    await expect(card.textContent()).resolves.toContain('Su código para volver');
    await snapshot(her, 'caller-return-code');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);

    // Read out: what it is, then each digit's keypad tone and its name in Spanish.
    await card.locator('button[data-action="listen-code"]').click();
    // Until all six digits were spoken (a digit may come twice: its first saying is not the end).
    const spoken = (p: string[]) => p.slice(p.indexOf('cue:returnCode')).filter((n) => n.startsWith('cue:digit')).length;
    const played = await eventually(
      () => her.evaluate(() => window.__puente!.played()),
      (p) => p.includes('cue:returnCode') && spoken(p) >= code.length,
    );
    const reading = played.slice(played.indexOf('cue:returnCode'));
    expect(reading).toEqual(['cue:returnCode', ...[...code].flatMap((d) => [`tone:digit${d}`, `cue:digit${d}`])]);
    expect(fetched).toEqual(expect.arrayContaining(['/cues/es/returnCode.ogg', ...[...code].map((d) => `/cues/es/digit${d}.ogg`)]));

    // The interpreter hangs up. Someone who never had a call is free now (the ladder would ring her first).
    await ana.socket.call('session:leave', { sessionId: sessionId! });
    await her.locator('[data-phase="ended"]').waitFor();
    const bea = track(await interpreter(bed.t, { languages: 'kek:5', firstName: 'Bea' }, bed.url));
    const back = her.locator('button[data-action="call-back"]');
    await expect(back.textContent()).resolves.toContain('Llamar otra vez a la misma intérprete');
    await snapshot(her, 'caller-call-back');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    await back.click();
    // She is rung first, and told it is a return.
    const again = await within(
      ana.socket.next('offer:new', (o) => o.requestId !== offer.requestId),
      15_000,
      'the same interpreter rung',
    );
    expect(again.returning).toBe(true);
    expect(bea.socket.seen('offer:new')).toEqual([]);
    await ana.socket.call('offer:accept', { offerId: again.offerId });
    await her.locator('[data-phase="connected"]').waitFor();
    // A new code for the new call; the one she used is gone.
    await eventually(
      () => her.locator('.return-code').getAttribute('data-return-code'),
      (c) => !!c && c !== code,
    );
    await her.locator('.call-controls button.hang-up').click();
    await her.locator('[data-phase="ended"]').waitFor();
  });

  it('on another page she types her code by pictures on the last step; a code that does not work says so, in English', async () => {
    const mam = await languageId(bed.t, 'mam');
    const ana = track(await interpreter(bed.t, { languages: 'mam:5', firstName: 'Ana' }, bed.url));
    // Her earlier call, from another phone.
    const before = await caller(bed.t, bed.url);
    const made = await before.call('request:create', { languageId: mam, matter: 'violence', urgency: 'normal', minor: false });
    const first = await within(ana.socket.next('offer:new'), 15_000, 'the first offer');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: first.offerId });
    const { returnCode } = await within(
      before.next('request:update', (u) => u.requestId === made.requestId && !!u.returnCode),
      15_000,
      'her code',
    );
    await before.call('session:leave', { sessionId: sessionId! });
    before.close();

    const her = await bed.page('en-US');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'violence', here: 'unknown' });
    await her.locator('button[data-toggle="return-code"]').click();
    const entry = her.locator('.code-entry');
    await expect(entry.textContent()).resolves.toContain('Type your code or tap the pictures');
    // Half a code calls nobody.
    await entry.locator(`button[data-digit="${returnCode![0]}"]`).click();
    await expect(her.locator('button.call-button').isDisabled()).resolves.toBe(true);
    for (const d of returnCode!.slice(1)) await entry.locator(`button[data-digit="${d}"]`).click();
    await expect(entry.locator('[data-typed]').getAttribute('data-typed')).resolves.toBe(returnCode);
    await expect(entry.locator(`button[data-digit="0"]`).isDisabled()).resolves.toBe(true);
    await snapshot(her, 'caller-type-return-code');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    await her.locator('button.call-button').click();
    const offer = await within(
      ana.socket.next('offer:new', (o) => o.requestId !== made.requestId),
      15_000,
      'the same interpreter rung',
    );
    expect(offer.returning).toBe(true);
    await her.locator('button.hang-up').first().click();
    await her.locator('[data-phase="ended"]').waitFor();

    // The same code again (used): refused, and she may call without it.
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'violence', here: 'unknown' });
    await her.locator('button[data-toggle="return-code"]').click();
    for (const d of returnCode!) await her.locator(`.code-entry button[data-digit="${d}"]`).click();
    await her.locator('button.call-button').click();
    await her.locator('[data-phase="error"]').waitFor();
    await expect(her.locator('[data-phase="error"] [role="alert"]').textContent()).resolves.toBe(
      'This code does not work any more. You can call without it.',
    );
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
  });
});
