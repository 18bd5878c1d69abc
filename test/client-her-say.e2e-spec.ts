import {
  eventually,
  goAvailable,
  seedInterpreter,
  seriousA11yViolations,
  snapshot,
  startClientBed,
  tapSteps,
  type ClientBed,
} from './utils/browser';
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
    // A picture and a tone: she may not be looking at the screen while she waits. The tone waits for the waiting
    // screen's words to end, as the ringback does, and comes before it: it never covers them.
    const heard = await eventually(
      () => her.evaluate(() => ({ played: window.__puente!.played(), finished: window.__puente!.finished() })),
      (h) => h.played.includes('tone:ringback'),
    );
    const at = (name: string) => heard.played.indexOf(name);
    expect(heard.finished).toContain('cue:waiting');
    expect(at('cue:waiting')).toBeGreaterThanOrEqual(0);
    expect(at('tone:no-woman-free')).toBeGreaterThan(at('cue:waiting'));
    expect(at('tone:no-woman-free')).toBeLessThan(at('tone:ringback'));
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

  it('no woman free on a poor network: a cue whose file never comes holds back neither the tone nor the ringback for long', async () => {
    const man = await interpreter(bed.t, { languages: 'cak:5', gender: 'male', firstName: 'Lucas' }, bed.url);
    people.push(man);
    const her = await bed.page('es-GT');
    // The waiting screen's cue stalls: its request is never answered.
    await her.route('**/cues/*/waiting.ogg', () => undefined);
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'cak', matter: 'other', here: 'unknown' });
    await her.locator('button[data-toggle="female"]').click();
    await her.locator('button.call-button').click();
    await her.locator('[data-choice="no-woman"]').waitFor();
    const heard = await eventually(
      () => her.evaluate(() => ({ played: window.__puente!.played(), finished: window.__puente!.finished() })),
      (h) => h.played.includes('tone:ringback'),
    );
    expect(heard.finished).not.toContain('cue:waiting');
    expect(heard.played.indexOf('tone:no-woman-free')).toBeGreaterThan(heard.played.indexOf('cue:waiting'));
    expect(heard.played.indexOf('tone:no-woman-free')).toBeLessThan(heard.played.indexOf('tone:ringback'));
  });

  it('no woman free: she chooses to wait for a woman; nobody else rings, the choice is not asked again, and the next woman free is offered her call', async () => {
    const man = await interpreter(bed.t, { languages: 'acr:5', gender: 'male', firstName: 'Pedro' }, bed.url);
    people.push(man);
    const her = await bed.page('en-US');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'acr', matter: 'other', here: 'unknown' });
    await her.locator('button[data-toggle="female"]').click();
    await her.locator('button.call-button').click();
    const choice = her.locator('[data-choice="no-woman"]');
    await choice.waitFor();
    await expect(choice.locator('.note').textContent()).resolves.toContain('No woman interpreter is free right now.');
    await choice.locator('button[data-action="wait-for-woman"]').click();
    await choice.waitFor({ state: 'detached' });
    await her.locator('[data-phase="waiting"]').waitFor();
    // Whatever she has heard of the tone so far is all she hears: it waited for the waiting screen's words, and one still
    // due when she chose is not played (the choice has gone).
    const tones = () => her.evaluate(() => window.__puente!.played().filter((n) => n === 'tone:no-woman-free').length);
    const tonesWhenChosen = await tones();
    await expect(seriousA11yViolations(her)).resolves.toEqual([]);

    // A woman comes: her call is offered to her, never to him.
    const ana = await interpreter(bed.t, { languages: 'acr:5', gender: 'female', firstName: 'Ana' }, bed.url);
    people.push(ana);
    const offer = await within(ana.socket.next('offer:new'), 15_000, 'the offer to the woman');
    expect(man.socket.seen('offer:new')).toEqual([]);
    // Waiting meanwhile, she was not asked again.
    await expect(her.locator('[data-choice="no-woman"]').count()).resolves.toBe(0);
    await expect(tones()).resolves.toBe(tonesWhenChosen);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    await her.locator('[data-phase="connected"]').waitFor();
    await her.locator('.call-controls button.hang-up').click();
    await her.locator('[data-phase="ended"]').waitFor();
    // The one question after the call is hers to skip: it goes, and nothing is kept.
    const question = her.locator('[data-question="helped"]');
    await question.locator('button[data-answer="skip"]').click();
    await question.waitFor({ state: 'detached' });
    await expect(bed.t.sql(`SELECT feedback FROM sessions WHERE id = $1`, [sessionId])).resolves.toEqual([{ feedback: null }]);
  });

  it("on the interpreter's console: her way back is shown as a return, and 'another interpreter' says only that she asked for someone else", async () => {
    const rosa = await seedInterpreter(bed.t, 'Rosa', 'poh:5');
    const console = await bed.page('en-US');
    await goAvailable(console, bed.url, rosa.email);
    const her = await bed.page('es-GT');
    await her.goto(`${bed.url}/`);
    await tapSteps(her, { region: 'GT', iso: 'poh', matter: 'other', here: 'unknown' });
    await her.locator('button.call-button').click();
    const offered = console.locator('[data-view="offer"]');
    await offered.waitFor();
    await expect(offered.locator('[data-fact="returning"]').count()).resolves.toBe(0);
    await offered.locator('button.accept').click();
    await her.locator('[data-phase="connected"]').waitFor();
    await console.locator('[data-view="call"]').waitFor();
    // A wrap-up follows a call that started (both in its media: session_end); her page says connected as soon as the
    // offer is accepted, so under load a hang-up at once could end the call before its second party joined the media.
    await eventually(
      () =>
        bed.t.sql<{ started: boolean }>(`SELECT started_at IS NOT NULL AS started FROM sessions WHERE interpreter_id = $1`, [
          rosa.interpreterId,
        ]),
      (r) => r.length === 1 && r[0].started,
    );
    await console.locator('button.hang-up').click();
    await her.locator('[data-phase="ended"]').waitFor();
    // Her wrap-up time after the call: she is ready before it ends.
    await console.locator('button[data-action="wrapup-ready"]').click();

    // She calls the same interpreter back: the console says it is a return, and nothing of what was said.
    await her.locator('button[data-action="call-back"]').click();
    await offered.waitFor();
    await expect(offered.locator('[data-fact="returning"]').textContent()).resolves.toContain('She is calling you back');
    await snapshot(console, 'interpreter-offer-returning');
    await expect(seriousA11yViolations(console)).resolves.toEqual([]);
    await offered.locator('button.accept').click();
    await her.locator('[data-phase="connected"]').waitFor();
    await console.locator('[data-view="call"]').waitFor();

    // She asks for another interpreter: the console is told only that.
    await her.locator('button[data-action="another"]').click();
    await her.locator('button[data-action="confirm-another"]').click();
    const note = console.locator('[data-view="idle"] .note');
    await note.waitFor();
    await expect(note.textContent()).resolves.toBe('The caller asked for another interpreter.');
    await snapshot(console, 'interpreter-asked-another');
    await expect(seriousA11yViolations(console)).resolves.toEqual([]);
    await her.locator('button.hang-up').first().click();
  }, 120_000);

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
