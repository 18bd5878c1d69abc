import { startClientBed, seriousA11yViolations, type ClientBed } from './utils/browser';
import { createStaff, TEST_PASSWORD } from './utils/test-app';

/** The staff login tells her why it failed, in her language: a wait after repeated failures, a disabled account. */
describe('web client: staff login answers', () => {
  let bed: ClientBed;
  beforeAll(async () => {
    bed = await startClientBed({ media: false, LOGIN_MAX_FAILURES: '2' });
  }, 120_000);
  afterAll(() => bed?.close());

  async function tryLogin(p: Awaited<ReturnType<ClientBed['page']>>, email: string, password: string) {
    await p.fill('input[name=email]', email);
    await p.fill('input[name=password]', password);
    await p.click('button[type=submit]');
    return p.locator('form.login [role=alert]').textContent();
  }

  it('says the password is wrong, then how long to wait after too many failures from here (Spanish)', async () => {
    const official = await createStaff(bed.t, 'official', { country: 'GT' });
    const p = await bed.page('es-GT');
    await p.goto(`${bed.url}/official/`);
    expect(await tryLogin(p, official.email, 'Wrong-Password-99')).toBe('Correo o contraseña incorrectos.');
    let text = '';
    for (let i = 0; i < 4 && !/Demasiados intentos/.test(text); i++) {
      await p.locator('form.login [role=alert]').evaluate((el) => el.remove());
      text = (await tryLogin(p, official.email, 'Wrong-Password-99')) ?? '';
    }
    expect(text).toMatch(/^Demasiados intentos fallidos desde aquí\. Vuelva a intentarlo en \d+ minutos?\.$/);
    await expect(seriousA11yViolations(p)).resolves.toEqual([]);
  });

  it('says the account is disabled, with the right password only (English)', async () => {
    const official = await createStaff(bed.t, 'official', { country: 'GT' });
    await bed.t.sql(`UPDATE users SET disabled = true WHERE id = $1`, [official.id]);
    const p = await bed.page('en-US');
    await p.goto(`${bed.url}/official/`);
    expect(await tryLogin(p, official.email, 'Wrong-Password-99')).toBe('Wrong email or password.');
    await p.locator('form.login [role=alert]').evaluate((el) => el.remove());
    expect(await tryLogin(p, official.email, TEST_PASSWORD)).toBe('This account is disabled. Ask your administrator.');
  });
});
