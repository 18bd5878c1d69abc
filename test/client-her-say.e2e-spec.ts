import { eventually, seriousA11yViolations, snapshot, startClientBed, tapSteps, type ClientBed } from './utils/browser';
import { interpreter, within, type Person } from './utils/matching-fixtures';

/**
 * Issue 16, items 1 and 2 on the caller's page at 360×640, as on `npm run demo` (no setting asked for): she asked for a
 * woman and none is free (she chooses anyone), she asks for another interpreter in the call, and "not from my country".
 */
describe('web client: her say in who interprets', () => {
  let bed: ClientBed;
  const people: Person[] = [];

  beforeAll(async () => {
    bed = await startClientBed({});
  }, 120_000);
  afterAll(async () => {
    for (const p of people) p.socket.close();
    await bed?.close();
  });

  it('no woman free: a picture and two choices; she takes anyone; then asks for another interpreter (confirmed), and waits for the next', async () => {
    const man = await interpreter(bed.t, { languages: 'ixl:5', gender: 'male', firstName: 'Tomás' }, bed.url);
    people.push(man);
    const her = await bed.page('es-GT');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'ixl', matter: 'violence', here: 'unknown' });
    await her.locator('button[data-toggle="female"]').click();
    await her.locator('button.call-button').click();

    const choice = her.locator('[data-choice="no-woman"]');
    await choice.waitFor();
    await expect(choice.locator('.note').textContent()).resolves.toContain('Ahora no hay ninguna intérprete mujer libre.');
    await snapshot(her, 'caller-no-woman-free');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    expect(man.socket.seen('offer:new')).toEqual([]);

    await choice.locator('button[data-action="anyone"]').click();
    const offer = await within(man.socket.next('offer:new'), 15_000, 'the offer to him once she chose anyone');
    const { sessionId } = await man.socket.call('offer:accept', { offerId: offer.offerId });
    await her.locator('[data-phase="connected"]').waitFor();

    await her.locator('button[data-action="another"]').click();
    const confirm = her.locator('[role="alertdialog"]');
    await expect(confirm.locator('p').textContent()).resolves.toMatch(/No tiene que decir por qué/);
    await snapshot(her, 'caller-another-interpreter');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    // She changes her mind once: the call goes on.
    await confirm.locator('button[data-action="keep"]').click();
    await her.locator('button[data-action="another"]').click();
    await her.locator('button[data-action="confirm-another"]').click();
    await her.locator('[data-phase="waiting"]').waitFor();
    expect(await man.socket.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'another_interpreter' });

    // The next interpreter is offered her call; he is not, even now that he is free.
    const next = await interpreter(bed.t, { languages: 'ixl:5', gender: 'female', firstName: 'Ana' }, bed.url);
    people.push(next);
    const again = await within(
      next.socket.next('offer:new', (o) => o.requestId === offer.requestId),
      15_000,
      'the next interpreter',
    );
    await next.socket.call('offer:accept', { offerId: again.offerId });
    await her.locator('[data-phase="connected"]').waitFor();
    expect(man.socket.seen('offer:new').filter((o) => o.requestId === offer.requestId)).toHaveLength(1);
    await her.locator('.call-controls button.hang-up').click();
    await her.locator('[data-phase="ended"]').waitFor();
  });

  it('"an interpreter from outside my country" is one more switch on the call step, and goes with her request', async () => {
    const her = await bed.page('en-US');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'mam', matter: 'legal_civil', here: 'unknown' });
    const toggle = her.locator('button[data-toggle="not-from-country"]');
    await expect(toggle.textContent()).resolves.toContain('An interpreter from outside my country');
    await toggle.click();
    await expect(toggle.getAttribute('aria-checked')).resolves.toBe('true');
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);
    await her.locator('button.call-button').click();
    const [made] = await eventually(
      () =>
        bed.t.sql<{ not_from_country: boolean }>(`SELECT not_from_country FROM interpretation_requests ORDER BY created_at DESC LIMIT 1`),
      (r) => r.length === 1 && r[0].not_from_country,
    );
    expect(made.not_from_country).toBe(true);
    await her.locator('button.hang-up').first().click();
  });
});
