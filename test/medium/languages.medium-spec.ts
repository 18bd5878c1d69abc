import { AuditModule } from '../../src/audit/audit.module';
import { LanguagesCatalogueLoader } from '../../src/languages/languages-catalogue.loader';
import { LanguagesModule } from '../../src/languages/languages.module';
import { LanguagesService } from '../../src/languages/languages.service';
import { Medium, startMedium } from '../utils/medium';

/**
 * The language catalogue through its service, against a clone of the test template (test/utils/db.ts), without
 * HTTP, Redis or mediasoup. test/languages.e2e-spec.ts covers the routes and a first start on an empty table.
 */
describe('the language catalogue (service level)', () => {
  let m: Medium;
  beforeAll(async () => {
    m = await startMedium([AuditModule, LanguagesModule]);
  });
  afterAll(() => m?.close());

  it('is in the clone already, exactly as a node loads it: loading again adds and changes nothing', async () => {
    const before = await m.sql<{ n: number; curated: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE curated)::int AS curated FROM languages`,
    );
    expect(before[0].n).toBeGreaterThan(6500);
    await m.get(LanguagesCatalogueLoader).onModuleInit();
    expect(await m.sql(`SELECT count(*)::int AS n, count(*) FILTER (WHERE curated)::int AS curated FROM languages`)).toEqual(before);
  });

  it.each([
    ["K'iche'", 'quc'],
    ['KʼICHEʼ', 'quc'],
    ['Quiché', 'quc'],
    ['NGÄBERE', 'gym'],
    ["q'eqchi'", 'kek'],
  ])('searches %j case-, accent- and apostrophe-insensitively (%s first)', async (q, code) => {
    const rows = await m.get(LanguagesService).search({ q });
    expect(rows[0]?.iso6393).toBe(code);
  });

  it('resolves roster keys case-insensitively and maps the unknown to null', async () => {
    const resolved = await m.get(LanguagesService).resolveMany(['MAM', 'quc', 'zzz-not-a-code']);
    expect(resolved.get('MAM')?.iso6393).toBe('mam');
    expect(resolved.get('quc')?.iso6393).toBe('quc');
    expect(resolved.get('zzz-not-a-code')).toBeNull();
  });

  // The ladder's own lookups in the catalogue (the country's main language, the relay languages) are by its index, as
  // matching runs them (sequential scans off): a code compared as text instead of the column's char(3) read every
  // language up to it (0.36 ms of each request's PostgreSQL time at 100 requests/s). Counted in buffers, not time.
  it.each([
    ['the main language of a country', `SELECT ladder_main_language('GT')`],
    ['the main language of a country where it is English', `SELECT ladder_main_language('US')`],
    ['the relay languages', `SELECT ladder_relay_languages(NULL, NULL)`],
  ])('the ladder looks up %s by index, not by reading the catalogue', async (_what, query) => {
    await m.sql(`SET enable_seqscan = off`);
    try {
      await m.sql(query); // plans it (and reads the system catalogues) once
      const [
        {
          'QUERY PLAN': [plan],
        },
      ] = await m.sql<{ 'QUERY PLAN': { Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }[] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query}`,
      );
      // An index lookup reads a handful of blocks; reading the catalogue up to 'spa', over a hundred.
      expect(plan.Plan['Shared Hit Blocks'] + plan.Plan['Shared Read Blocks']).toBeLessThan(20);
    } finally {
      await m.sql(`RESET enable_seqscan`);
    }
  });
});
