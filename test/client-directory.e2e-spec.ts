import type { Page } from 'playwright-core';
import { a11yRecorder, eventually, staffLogin, startClientBed, type ClientBed } from './utils/browser';
import { createStaff } from './utils/test-app';

/**
 * Issue 16, item 6 in the consoles at 360×640: Guatemala's roster admin keeps the directory of services (adds,
 * is told which field is wrong, changes, removes), another country's admin only reads it, and an official finds a
 * service by kind and area. (Another country's admin changing it is refused: test/directory.e2e-spec.ts.)
 */
describe('web client: the directory of services', () => {
  let bed: ClientBed;
  const rows = () =>
    bed.t.sql<{ name: string; area: string; hours: string | null; minors: boolean }>(
      `SELECT name, area, hours, minors FROM services ORDER BY name`,
    );

  beforeAll(async () => {
    bed = await startClientBed({});
  }, 120_000);
  afterAll(() => bed?.close());

  const form = (p: Page) => p.locator('[data-section="directory"] form.service-form');

  it('a roster admin adds, corrects, changes and removes a service; an official finds it; a platform admin only reads it', async () => {
    const a11y = a11yRecorder();
    const admin = await createStaff(bed.t, 'roster_admin', { country: 'GT' });
    const p = await bed.page('en-US');
    await staffLogin(p, bed.url, '/admin/', admin.email);
    const directory = p.locator('[data-section="directory"]');
    await directory.waitFor();
    await a11y.check(p, 'admin-directory-empty');

    const f = form(p);
    await f.locator('input[name=name]').fill('Casa de la Mujer');
    await f.locator('select[name=kind]').selectOption('shelter');
    await f.locator('input[name=area]').fill('Quetzaltenango');
    await f.locator('input[name=phone]').fill('call us');
    await f.locator('input[name=minors]').check();
    await f.locator('button[type=submit]').click();
    // The server's refusal names the field; nothing is stored.
    await expect(f.locator('[role=alert]').textContent()).resolves.toBe('Not saved. Please check: Phone.');
    await expect(f.locator('input[name=phone]').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(f.locator('input[name=area]').getAttribute('aria-invalid')).resolves.toBeNull();
    await a11y.check(p, 'admin-directory-refused');
    await expect(rows()).resolves.toEqual([]);

    await f.locator('input[name=phone]').fill('+502 7765 4321');
    await f.locator('input[name=hours]').fill('24 h');
    await f.locator('button[type=submit]').click();
    const entry = directory.locator('[data-list="directory"] li', { hasText: 'Casa de la Mujer' });
    await entry.waitFor();
    await expect(entry.textContent()).resolves.toContain('Shelter · Quetzaltenango · +502 7765 4321');
    await expect(rows()).resolves.toEqual([{ name: 'Casa de la Mujer', area: 'Quetzaltenango', hours: '24 h', minors: true }]);

    await entry.locator('button.edit').click();
    await expect(f.locator('input[name=name]').inputValue()).resolves.toBe('Casa de la Mujer');
    await f.locator('input[name=area]').fill('Huehuetenango');
    // Emptied, the hours go (not kept as they were).
    await f.locator('input[name=hours]').fill('');
    await f.locator('button[type=submit]').click();
    await directory.locator('[data-list="directory"] li', { hasText: 'Huehuetenango' }).waitFor();
    await eventually(rows, (r) => r[0]?.area === 'Huehuetenango');
    await expect(rows()).resolves.toEqual([{ name: 'Casa de la Mujer', area: 'Huehuetenango', hours: null, minors: true }]);
    await a11y.check(p, 'admin-directory-one');

    // An official of Guatemala finds it by kind and area.
    const official = await createStaff(bed.t, 'official', { country: 'GT', institution: 'Juzgado de Paz, Huehuetenango' });
    const o = await bed.page('es-GT');
    await staffLogin(o, bed.url, '/official/', official.email);
    const help = o.locator('details.where-help');
    await help.locator('summary').click();
    await help.locator('select[name=kind]').selectOption('shelter');
    await help.locator('input[name=area]').fill('huehue');
    await help.locator('button[type=submit]').click();
    await help.locator('[data-list="services"] li', { hasText: 'Casa de la Mujer · Albergue · Huehuetenango' }).waitFor();
    await a11y.check(o, 'official-where-help');

    // A platform admin reads Guatemala's directory but has nothing to change it with (its roster admin keeps it).
    const platform = await createStaff(bed.t, 'platform_admin');
    const m = await bed.page('es-MX');
    await staffLogin(m, bed.url, '/admin/', platform.email);
    await m.locator('.country-picker select').selectOption('GT');
    await m.locator('[data-section="directory"] [data-list="directory"] li', { hasText: 'Casa de la Mujer' }).waitFor();
    await expect(m.locator('[data-section="directory"] form, [data-section="directory"] button').count()).resolves.toBe(0);

    await entry.locator('button.remove').click();
    await directory.locator('[data-list="directory"]').waitFor({ state: 'detached' });
    await expect(rows()).resolves.toEqual([]);
    expect(a11y.found).toEqual(a11y.none());
  }, 180_000);
});
