import { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';
import type { Principal } from '../src/auth/principal';
import { MATTERS } from '../src/common/domain';
import { RCM_COUNTRIES } from '../src/common/countries';
import { RCM_LANGUAGES } from '../src/languages/data/rcm-languages';
import { livingLanguages } from '../src/languages/iso-639-3';
import { LanguagesCatalogueLoader } from '../src/languages/languages-catalogue.loader';
import { LanguagesService } from '../src/languages/languages.service';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

interface LanguageBody {
  id: string;
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  countries: string[];
  isRelay: boolean;
  curated: boolean;
  family: string | null;
}

describe('language catalogue (PostgreSQL)', () => {
  let t: TestApp;
  /** What the ladder reads as mutually intelligible with a language (src/matching/sql/10-ladder.sql), links holding both ways. */
  const intelligibleWith = async (id: string) =>
    (await t.sql<{ ids: string[] }>(`SELECT ladder_languages($1) AS ids`, [id]))[0].ids.slice(1);
  let languages: LanguagesService;
  let platform: { id: string; token: string };
  let gtAdmin: { id: string; token: string };

  const search = async (query: Record<string, string | number>) =>
    (await t.http().get('/api/v1/languages').query(query).expect(200)).body as LanguageBody[];
  const codes = (rows: LanguageBody[]) => rows.map((r) => r.iso6393);
  const idOf = async (iso6393: string, variant: string | null = null) => {
    const [row] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = $1 AND variant IS NOT DISTINCT FROM $2`, [
      iso6393,
      variant,
    ]);
    return row.id;
  };

  beforeAll(async () => {
    // A database without the catalogue: the app's own start-up loads it (the first tests check it did).
    t = await startTestApp({ media: false, catalogue: false });
    languages = t.app.get(LanguagesService);
    platform = await createStaff(t, 'platform_admin');
    gtAdmin = await createStaff(t, 'roster_admin', { country: 'GT' });
  });
  afterAll(() => t.close());

  /** Curated rows, plus one bare row per living ISO 639-3 language that no curated row covers as a whole. */
  const curatedCodes = new Set(RCM_LANGUAGES.filter((l) => !l.variant).map((l) => l.iso6393));
  const expectedRows = RCM_LANGUAGES.length + livingLanguages().filter((l) => !curatedCodes.has(l.iso6393)).length;

  describe('the catalogue', () => {
    it('is loaded at start-up: the curated rows, with names, autonyms, countries and relay flags', async () => {
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM languages WHERE curated`);
      expect(n).toBe(RCM_LANGUAGES.length);
      const [quc] = await t.sql(`SELECT name, autonym, countries, is_relay FROM languages WHERE iso6393 = 'quc' AND variant IS NULL`);
      expect(quc).toEqual({ name: "K'iche'", autonym: "K'iche'", countries: ['GT', 'MX'], is_relay: false });
      const relay = await t.sql<{ iso6393: string }>(`SELECT iso6393 FROM languages WHERE is_relay ORDER BY iso6393`);
      expect(relay.map((r) => r.iso6393)).toEqual(['eng', 'fra', 'hat', 'spa']);
    });

    it('and every living language of ISO 639-3, as bare uncurated rows', async () => {
      expect(livingLanguages().length).toBeGreaterThan(6500);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM languages`);
      expect(n).toBe(expectedRows);
      const [deu] = await t.sql(`SELECT name, autonym, countries, is_relay, curated FROM languages WHERE iso6393 = 'deu'`);
      expect(deu).toEqual({ name: 'German', autonym: null, countries: [], is_relay: false, curated: false });
      // Extinct, ancient and constructed codes are not loaded (a roster may still add one: resolveMany).
      expect(await t.sql(`SELECT iso6393 FROM languages WHERE iso6393 IN ('lat', 'got', 'qya')`)).toEqual([]);
    });

    it('loads again without duplicating rows or overwriting an administrator edit', async () => {
      await t.sql(`UPDATE languages SET name = 'Mam (edited)' WHERE iso6393 = 'mam' AND variant IS NULL`);
      const loader = t.app.get(LanguagesCatalogueLoader);
      await Promise.all([loader.onModuleInit(), loader.onModuleInit()]);
      const [{ n }] = await t.sql<{ n: number }>(`SELECT count(*)::int AS n FROM languages`);
      expect(n).toBe(expectedRows);
      const [mam] = await t.sql(`SELECT name FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
      expect(mam.name).toBe('Mam (edited)');
      await t.sql(`UPDATE languages SET name = 'Mam' WHERE iso6393 = 'mam' AND variant IS NULL`);
    });

    it('turns a bare ISO row into the curated one when its code is curated later, and adds what is missing', async () => {
      // As a database looks whose roster import added Tektiteko from ISO 639-3 before it was curated, and which
      // lost a living ISO language.
      const [before] = await t.sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'ttc' AND variant IS NULL`);
      await t.sql(`UPDATE languages SET name = 'Tektitek', autonym = NULL, countries = '{}', curated = false WHERE id = $1`, [before.id]);
      await t.sql(`DELETE FROM languages WHERE iso6393 = 'aaa'`);
      await t.app.get(LanguagesCatalogueLoader).onModuleInit();
      const [ttc] = await t.sql(`SELECT id, name, autonym, countries, curated FROM languages WHERE iso6393 = 'ttc' AND variant IS NULL`);
      expect(ttc).toEqual({ id: before.id, name: 'Tektiteko', autonym: 'Tektiteko', countries: ['GT', 'MX'], curated: true });
      expect(await t.sql(`SELECT name FROM languages WHERE iso6393 = 'aaa'`)).toEqual([{ name: 'Ghotuo' }]);
    });
  });

  describe('GET /matters and GET /countries', () => {
    it('lists the matters, publicly', async () => {
      const res = await t.http().get('/api/v1/matters').expect(200);
      expect(res.body).toEqual(['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other']);
      expect(res.body).toEqual([...MATTERS]);
    });

    it('lists the eleven RCM countries with their names, publicly', async () => {
      const res = await t.http().get('/api/v1/countries').expect(200);
      expect(res.body).toHaveLength(11);
      expect(res.body).toEqual(Object.entries(RCM_COUNTRIES).map(([code, name]) => ({ code, name })));
      expect(res.body).toEqual(
        expect.arrayContaining([
          { code: 'GT', name: 'Guatemala' },
          { code: 'DO', name: 'Dominican Republic' },
        ]),
      );
    });

    it('are in the OpenAPI description', async () => {
      const doc = (await t.http().get('/api/docs-json').expect(200)).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/matters', '/api/v1/countries']));
    });
  });

  describe('GET /languages', () => {
    it('is public and returns the API shape', async () => {
      const rows = await search({ q: 'spa' });
      expect(rows[0]).toEqual({
        id: expect.any(String),
        iso6393: 'spa',
        variant: null,
        name: 'Spanish',
        autonym: 'español',
        countries: expect.arrayContaining(['GT', 'MX', 'US']),
        isRelay: true,
        curated: true,
        family: 'indo-european',
      });
    });

    it.each([
      ['deu', 'deu', 'German'],
      ['DEU', 'deu', 'German'],
      ['german', 'deu', 'German'],
      ['ger', 'deu', 'German'], // ISO 639-2/B
      ['basque', 'eus', 'Basque'],
      ['azoyu mephaa', 'tpc', "Azoyú Me'phaa"],
      ["AZOYÚ ME'PHAA", 'tpc', "Azoyú Me'phaa"],
      ['quechua', 'que', 'Quechua'], // a macrolanguage
    ])('finds the rest of ISO 639-3 too: %j (%s), flagged as not curated', async (q, code, name) => {
      const rows = await search({ q });
      expect(rows.find((r) => r.iso6393 === code)).toMatchObject({ name, autonym: null, countries: [], isRelay: false, curated: false });
    });

    it('puts curated rows before the rest of ISO 639-3, after an exact code', async () => {
      const maya = await search({ q: 'maya', limit: 200 });
      const firstBare = maya.findIndex((r) => !r.curated);
      expect(firstBare).toBeGreaterThan(0);
      expect(maya.slice(firstBare).every((r) => !r.curated)).toBe(true);
      expect(codes(maya.slice(0, firstBare))).toContain('yua');
      // An exact ISO 639-3 code comes first even when it is not curated.
      const deu = await search({ q: 'deu' });
      expect(deu[0]).toMatchObject({ iso6393: 'deu', curated: false });
    });

    it('lists only the curated catalogue when there is no query', async () => {
      const all = await search({ limit: 200 });
      expect(all).toHaveLength(RCM_LANGUAGES.length);
      expect(all.every((r) => r.curated)).toBe(true);
    });

    it.each([
      ['QUC', 'quc'],
      ['quc', 'quc'],
      ['kiche', 'quc'],
      ["K'iche'", 'quc'],
      ['KʼICHEʼ', 'quc'],
      ['Quiché', 'quc'],
      ['Ngabere', 'gym'],
      ['NGÄBERE', 'gym'],
      ['ngäbere', 'gym'],
      ['Kekchi', 'kek'],
      ["q'eqchi'", 'kek'],
      ['Garifuna', 'cab'],
      ['miskitu', 'miq'],
      ['Diidxaza', 'zai'],
      ["bats'i k'op", 'tzo'],
      ['MAAYA TAAN', 'yua'],
      ['Kreyol', 'hat'],
      ['Diné', 'nav'],
    ])('finds %j (%s)', async (q, code) => {
      expect(codes(await search({ q }))).toContain(code);
    });

    it('puts the exact code first, then word-start matches', async () => {
      const rows = await search({ q: 'mam' });
      expect(rows[0].iso6393).toBe('mam');
      expect(codes(rows)).toContain('poc'); // Poqomam, matched inside a word, comes later
      expect(codes(rows).indexOf('poc')).toBeGreaterThan(0);
      // Garífuna (cab) before Cabécar, though "Cabécar" sorts first by name.
      const cab = await search({ q: 'CAB' });
      expect(codes(cab).slice(0, 2)).toEqual(['cab', 'cjp']);
    });

    it('requires every word of the query to match', async () => {
      const rows = await search({ q: 'huasteca nahuatl' });
      expect(codes(rows).sort()).toEqual(['nch', 'nhe', 'nhw']);
      expect(await search({ q: 'kiche garifuna' })).toEqual([]);
    });

    it('filters by country (case-insensitively) and combines it with the query', async () => {
      const pa = await search({ country: 'PA', limit: 200 });
      expect(pa.length).toBeGreaterThan(5);
      expect(pa.every((l) => l.countries.includes('PA'))).toBe(true);
      expect(codes(pa)).toEqual(expect.arrayContaining(['gym', 'sab', 'cuk', 'kvn', 'emp', 'spa']));
      expect(codes(await search({ q: 'mam', country: 'gt' }))).toContain('mam');
      expect(codes(await search({ q: 'mam', country: 'PA' }))).not.toContain('mam');
    });

    it('limits results (default 50, at most 200)', async () => {
      expect(await search({})).toHaveLength(50);
      expect(await search({ limit: 3 })).toHaveLength(3);
      expect((await search({ limit: 200 })).length).toBe(Math.min(200, RCM_LANGUAGES.length));
    });

    it.each([
      [{ q: 'x'.repeat(101) }, ['q']],
      [{ country: 'XX' }, ['country']],
      [{ country: 'FR' }, ['country']],
      [{ limit: 201 }, ['limit']],
      [{ limit: 0 }, ['limit']],
      [{ limit: 'many' }, ['limit']],
      [{ lang: 'es' }, ['lang']],
    ])('rejects %j naming %j', async (query, fields) => {
      const res = await t.http().get('/api/v1/languages').query(query).expect(400);
      expect(res.body.fields).toEqual(fields);
    });
  });

  describe('POST /languages (variants)', () => {
    const variant = { iso6393: 'mam', variant: 'todos-santos', name: 'Mam (Todos Santos Cuchumatán)', autonym: 'Mam', countries: ['GT'] };

    it('lets a platform admin add a variant, audits it and makes it searchable', async () => {
      const res = await t.http().post('/api/v1/languages').set('Authorization', `Bearer ${platform.token}`).send(variant).expect(201);
      expect(res.body).toEqual({ id: expect.any(String), ...variant, isRelay: false, curated: true, family: 'mayan' });
      const events = await t.sql(`SELECT actor_id, subject_id, data FROM audit_events WHERE type = 'language.variant_added'`);
      expect(events).toEqual([{ actor_id: platform.id, subject_id: res.body.id, data: { iso6393: 'mam', variant: 'todos-santos' } }]);
      const found = await search({ q: 'todos santos cuchumatan' });
      expect(found.map((l) => l.id)).toEqual([res.body.id]);
      // The base language still comes before its variants on an exact code search.
      const mam = await search({ q: 'MAM' });
      expect(mam.slice(0, 2).map((l) => l.variant)).toEqual([null, 'todos-santos']);
    });

    it('refuses a duplicate with 409 and writes nothing', async () => {
      await t.http().post('/api/v1/languages').set('Authorization', `Bearer ${platform.token}`).send(variant).expect(409);
      const rows = await t.sql(`SELECT 1 FROM languages WHERE iso6393 = 'mam' AND variant = 'todos-santos'`);
      expect(rows).toHaveLength(1);
      const events = await t.sql(`SELECT 1 FROM audit_events WHERE type = 'language.variant_added'`);
      expect(events).toHaveLength(1);
    });

    it('keeps a roster admin to her own country (another is outside it: 404)', async () => {
      const auth = { Authorization: `Bearer ${gtAdmin.token}` };
      const own = { iso6393: 'kek', variant: 'coban', name: "Q'eqchi' (Cobán)", countries: ['GT'] };
      const res = await t.http().post('/api/v1/languages').set(auth).send(own).expect(201);
      expect(res.body).toMatchObject({ iso6393: 'kek', variant: 'coban', autonym: null, countries: ['GT'] });
      await t
        .http()
        .post('/api/v1/languages')
        .set(auth)
        .send({ ...own, variant: 'belize', countries: ['BZ'] })
        .expect(404);
      await t
        .http()
        .post('/api/v1/languages')
        .set(auth)
        .send({ ...own, variant: 'both', countries: ['GT', 'BZ'] })
        .expect(404);
      const written = await t.sql(`SELECT variant FROM languages WHERE iso6393 = 'kek' AND variant IS NOT NULL`);
      expect(written).toEqual([{ variant: 'coban' }]);
    });

    it.each(['official', 'interpreter'] as const)('forbids %s (403)', async (role) => {
      const someone = await createStaff(t, role, { country: 'GT' });
      await t
        .http()
        .post('/api/v1/languages')
        .set('Authorization', `Bearer ${someone.token}`)
        .send({ ...variant, variant: 'other' })
        .expect(403);
    });

    it('needs a token (401)', async () => {
      await t
        .http()
        .post('/api/v1/languages')
        .send({ ...variant, variant: 'other' })
        .expect(401);
    });

    it.each([
      [{ iso6393: 'und' }, ['iso6393']],
      [{ iso6393: 'zzz' }, ['iso6393']],
      [{ iso6393: 'mamm' }, ['iso6393']],
      [{ variant: 'Todos Santos' }, ['variant']],
      [{ variant: 'todos_santos' }, ['variant']],
      [{ variant: 'a'.repeat(61) }, ['variant']],
      [{ name: '' }, ['name']],
      [{ name: '<b>Mam</b>' }, ['name']],
      [{ autonym: 'x'.repeat(121) }, ['autonym']],
      [{ countries: [] }, ['countries']],
      [{ countries: ['GT', 'XX'] }, ['countries']],
      [{ countries: 'GT' }, ['countries']],
      [{ extra: true }, ['extra']],
    ])('rejects %j naming %j', async (change, fields) => {
      const res = await t
        .http()
        .post('/api/v1/languages')
        .set('Authorization', `Bearer ${platform.token}`)
        .send({ ...variant, variant: 'valid-one', ...change })
        .expect(400);
      expect(res.body.fields).toEqual(fields);
    });

    it('accepts an upper-case ISO code and stores it lower-case', async () => {
      const res = await t
        .http()
        .post('/api/v1/languages')
        .set('Authorization', `Bearer ${platform.token}`)
        .send({ iso6393: 'QUC', variant: 'central', name: "K'iche' (central)", countries: ['GT'] })
        .expect(201);
      expect(res.body).toMatchObject({ iso6393: 'quc', variant: 'central' });
    });
  });

  describe('mutual-intelligibility links', () => {
    let mam: string;
    let ttc: string;
    let link: { id: string };

    beforeAll(async () => {
      mam = await idOf('mam');
      ttc = await idOf('ttc');
    });

    it('lets an administrator record a link, audited', async () => {
      const res = await t
        .http()
        .post('/api/v1/languages/links')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .send({ fromLanguageId: mam, toLanguageId: ttc, source: 'Test study 2024' })
        .expect(201);
      link = res.body;
      expect(res.body).toEqual({
        id: expect.any(String),
        fromLanguageId: mam,
        toLanguageId: ttc,
        source: 'Test study 2024',
        createdAt: expect.any(String),
      });
      const [stored] = await t.sql(`SELECT created_by FROM language_links WHERE id = $1`, [link.id]);
      expect(stored.created_by).toBe(gtAdmin.id);
      const events = await t.sql(`SELECT subject_id, data FROM audit_events WHERE type = 'language.link_added'`);
      expect(events).toEqual([{ subject_id: link.id, data: { fromLanguageId: mam, toLanguageId: ttc } }]);
    });

    it('refuses the same pair either way round (409)', async () => {
      const auth = { Authorization: `Bearer ${platform.token}` };
      await t
        .http()
        .post('/api/v1/languages/links')
        .set(auth)
        .send({ fromLanguageId: mam, toLanguageId: ttc, source: 'Again' })
        .expect(409);
      await t
        .http()
        .post('/api/v1/languages/links')
        .set(auth)
        .send({ fromLanguageId: ttc, toLanguageId: mam, source: 'Again' })
        .expect(409);
      expect(await t.sql(`SELECT 1 FROM language_links`)).toHaveLength(1);
    });

    it('refuses a self link (400), an unknown language (404) and bad fields (400)', async () => {
      const auth = { Authorization: `Bearer ${platform.token}` };
      const self = await t
        .http()
        .post('/api/v1/languages/links')
        .set(auth)
        .send({ fromLanguageId: mam, toLanguageId: mam, source: 'X study' })
        .expect(400);
      expect(self.body.fields).toEqual(['toLanguageId']);
      await t
        .http()
        .post('/api/v1/languages/links')
        .set(auth)
        .send({ fromLanguageId: mam, toLanguageId: '00000000-0000-4000-8000-000000000000', source: 'X study' })
        .expect(404);
      const bad = await t
        .http()
        .post('/api/v1/languages/links')
        .set(auth)
        .send({ fromLanguageId: 'mam', toLanguageId: ttc, source: 'x'.repeat(201) })
        .expect(400);
      expect(bad.body.fields.sort()).toEqual(['fromLanguageId', 'source']);
    });

    it('forbids officials and interpreters (403)', async () => {
      const official = await createStaff(t, 'official', { country: 'GT' });
      await t
        .http()
        .post('/api/v1/languages/links')
        .set('Authorization', `Bearer ${official.token}`)
        .send({ fromLanguageId: mam, toLanguageId: ttc, source: 'X study' })
        .expect(403);
      await t.http().get(`/api/v1/languages/${mam}/links`).set('Authorization', `Bearer ${official.token}`).expect(403);
    });

    it('lists a link from both of its languages, and serves matching both ways', async () => {
      const auth = { Authorization: `Bearer ${platform.token}` };
      const fromMam = (await t.http().get(`/api/v1/languages/${mam}/links`).set(auth).expect(200)).body;
      const fromTtc = (await t.http().get(`/api/v1/languages/${ttc}/links`).set(auth).expect(200)).body;
      expect(fromMam).toEqual([expect.objectContaining({ id: link.id, other: expect.objectContaining({ id: ttc, iso6393: 'ttc' }) })]);
      expect(fromTtc).toEqual([expect.objectContaining({ id: link.id, other: expect.objectContaining({ id: mam, iso6393: 'mam' }) })]);
      expect(await intelligibleWith(mam)).toEqual([ttc]);
      expect(await intelligibleWith(ttc)).toEqual([mam]);
      expect(await intelligibleWith(await idOf('quc'))).toEqual([]);
      const none = (
        await t
          .http()
          .get(`/api/v1/languages/${await idOf('quc')}/links`)
          .set(auth)
          .expect(200)
      ).body;
      expect(none).toEqual([]);
    });

    it('answers 404 for an unknown language and 400 for a malformed id', async () => {
      const auth = { Authorization: `Bearer ${platform.token}` };
      await t.http().get('/api/v1/languages/00000000-0000-4000-8000-000000000000/links').set(auth).expect(404);
      await t.http().get('/api/v1/languages/mam/links').set(auth).expect(400);
    });
  });

  describe('resolveMany (roster import contract)', () => {
    // Every living ISO 639-3 language is in the catalogue from the start; these codes (ancient, historical) are not.
    it('resolves codes and variants case-insensitively, keyed as given, and maps the unknown to null', async () => {
      const keys = [
        'mam',
        'MAM',
        ' quc ',
        'mam/todos-santos',
        'MAM/Todos-Santos',
        'mam/unknown-variant',
        'zzz',
        'zzz/x',
        'und',
        'not a key',
        '',
      ];
      const map = await languages.resolveMany(keys);
      expect([...map.keys()]).toEqual(keys);
      const mamId = await idOf('mam');
      expect(map.get('mam')?.id).toBe(mamId);
      expect(map.get('MAM')?.id).toBe(mamId);
      expect(map.get(' quc ')?.iso6393).toBe('quc');
      expect(map.get('mam/todos-santos')).toMatchObject({ iso6393: 'mam', variant: 'todos-santos', name: 'Mam (Todos Santos Cuchumatán)' });
      expect(map.get('MAM/Todos-Santos')?.id).toBe(map.get('mam/todos-santos')?.id);
      for (const k of ['mam/unknown-variant', 'zzz', 'zzz/x', 'und', 'not a key', '']) expect(map.get(k)).toBeNull();
      expect(await t.sql(`SELECT 1 FROM languages WHERE iso6393 IN ('zzz', 'und')`)).toEqual([]);
    });

    it('adds a valid ISO 639-3 code that is not yet in the catalogue, from the package', async () => {
      expect(await t.sql(`SELECT 1 FROM languages WHERE iso6393 = 'lat'`)).toEqual([]);
      const map = await languages.resolveMany(['LAT', 'lat/some-variant']);
      expect(map.get('LAT')).toMatchObject({
        id: expect.any(String),
        iso6393: 'lat',
        variant: null,
        name: 'Latin',
        autonym: null,
        countries: [],
        isRelay: false,
        curated: false,
      });
      expect(map.get('lat/some-variant')).toBeNull();
      expect(codes(await search({ q: 'latin' }))).toContain('lat');
      const again = await languages.resolveMany(['lat']);
      expect(again.get('lat')?.id).toBe(map.get('LAT')?.id);
    });

    it('creates a new code once when several calls race for it', async () => {
      const results = await Promise.all([
        languages.resolveMany(['got', 'ang']),
        languages.resolveMany(['GOT']),
        languages.resolveMany(['ang', 'got']),
        languages.resolveMany(['got']),
      ]);
      const rows = await t.sql<{ id: string; iso6393: string }>(
        `SELECT id, iso6393 FROM languages WHERE iso6393 IN ('got', 'ang') ORDER BY iso6393`,
      );
      expect(rows.map((r) => r.iso6393)).toEqual(['ang', 'got']);
      const got = rows.find((r) => r.iso6393 === 'got')!.id;
      expect(results.map((m) => (m.get('got') ?? m.get('GOT'))?.id)).toEqual([got, got, got, got]);
      expect(results[0].get('ang')?.id).toBe(results[2].get('ang')?.id);
    });

    it('resolves a 10,000-row roster with a handful of queries, not one per key', async () => {
      // grc (Ancient Greek) is not loaded at start-up, so the import adds it: the second of the queries.
      const pool = ['mam', 'quc', 'kek', 'mam/todos-santos', 'cak', 'tzj', 'spa', 'ppi', 'grc', 'zzz'];
      const keys = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? pool[i % pool.length].toUpperCase() : pool[i % pool.length]));
      const query = jest.spyOn(PostgresQueryRunner.prototype, 'query');
      try {
        const map = await languages.resolveMany(keys);
        const languageQueries = query.mock.calls.filter(([sql]) => /languages/i.test(String(sql)));
        expect(languageQueries.length).toBeGreaterThanOrEqual(2);
        expect(languageQueries.length).toBeLessThanOrEqual(3);
        expect(map.get('PPI')?.iso6393).toBe('ppi');
        expect(map.get('grc')?.name).toBe('Ancient Greek (to 1453)');
        expect(map.get('ZZZ')).toBeNull();
      } finally {
        query.mockRestore();
      }
    });
  });

  it('documents the routes in the OpenAPI description', async () => {
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/languages', '/api/v1/languages/links', '/api/v1/languages/{id}/links']),
    );
    expect(doc.paths['/api/v1/languages'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['country', 'limit', 'q']);
  });

  describe('service helpers', () => {
    it('finds by id and tolerates a malformed id', async () => {
      const id = await idOf('gym');
      expect((await languages.findById(id))?.name).toBe('Ngäbere');
      expect(await languages.findById('not-a-uuid')).toBeNull();
      expect(await languages.findById('00000000-0000-4000-8000-000000000000')).toBeNull();
    });

    it('adds variants and links for callers inside the application too', async () => {
      const actor: Principal = { sub: platform.id, role: 'platform_admin' };
      const v = await languages.addVariant({ iso6393: 'cak', variant: 'patzun', name: 'Kaqchikel (Patzún)', countries: ['GT'] }, actor);
      await expect(
        languages.addVariant({ iso6393: 'cak', variant: 'patzun', name: 'Again', countries: ['GT'] }, actor),
      ).rejects.toMatchObject({ status: 409 });
      const l = await languages.addLink({ fromLanguageId: v.id, toLanguageId: await idOf('cak'), source: 'Test' }, actor);
      expect(await intelligibleWith(v.id)).toEqual([await idOf('cak')]);
      expect((await languages.listLinks(v.id)).map((x) => x.id)).toEqual([l.id]);
    });
  });
});
