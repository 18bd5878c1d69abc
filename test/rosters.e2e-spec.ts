import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { RostersService } from '../src/rosters/rosters.service';
import { generatedRoster, ROSTER_HEADER, rosterCsv, rosterLine } from './fixtures/roster-rows';
import { createStaff, startTestApp, TestApp } from './utils/test-app';

const FIXTURE = readFileSync(join(__dirname, 'fixtures', 'roster-gt.csv'));

interface Staff {
  id: string;
  token: string;
}

describe('national rosters (PostgreSQL)', () => {
  let t: TestApp;
  let gtAdmin: Staff;
  let mxAdmin: Staff;
  let platform: Staff;
  /** A variant that the catalogue documents, as `iso6393/variant`. */
  let variantKey: string;

  const importCsv = (admin: Staff, country: string, csv: string | Buffer) =>
    t
      .http()
      .post(`/api/v1/rosters/${country}/import`)
      .set('Authorization', `Bearer ${admin.token}`)
      .set('Content-Type', 'text/csv')
      .send(csv.toString());
  const list = (who: Staff, country: string, query = '') =>
    t.http().get(`/api/v1/rosters/${country}/interpreters${query}`).set('Authorization', `Bearer ${who.token}`);
  const count = async (country: string) =>
    (await t.sql<{ n: number }>('SELECT count(*)::int AS n FROM interpreters WHERE country = $1', [country]))[0].n;
  const interpreter = async (country: string, externalId: string) =>
    (
      await t.sql<Record<string, any>>(
        `SELECT i.*, to_char(certification_expires, 'YYYY-MM-DD') AS expires,
                ARRAY(SELECT l.iso6393 || coalesce('/' || l.variant, '') || ':' || il.level FROM interpreter_languages il
                       JOIN languages l ON l.id = il.language_id WHERE il.interpreter_id = i.id ORDER BY 1) AS langs,
                ARRAY(SELECT l.iso6393::text FROM interpreter_relay_languages r JOIN languages l ON l.id = r.language_id
                       WHERE r.interpreter_id = i.id ORDER BY 1) AS relay
           FROM interpreters i WHERE country = $1 AND external_id = $2`,
        [country, externalId],
      )
    )[0];

  beforeAll(async () => {
    t = await startTestApp({ media: false });
    [gtAdmin, mxAdmin, platform] = await Promise.all([
      createStaff(t, 'roster_admin', { country: 'GT' }),
      createStaff(t, 'roster_admin', { country: 'MX' }),
      createStaff(t, 'platform_admin'),
    ]);
    const [v] = await t.sql<{ iso6393: string; variant: string }>(
      'SELECT iso6393, variant FROM languages WHERE variant IS NOT NULL ORDER BY iso6393, variant LIMIT 1',
    );
    if (!v) throw new Error('the language catalogue has no variant to test with');
    variantKey = `${v.iso6393}/${v.variant}`;
  });
  afterAll(() => t.close());

  describe('import', () => {
    it('stores the good rows of a CSV file (BOM, CRLF, quoted cells)', async () => {
      const res = await importCsv(gtAdmin, 'GT', FIXTURE).expect(200);
      expect(res.body).toEqual({ created: 3, updated: 0, unchanged: 0, rejected: [] });
      expect(await count('GT')).toBe(3);

      const ana = await interpreter('GT', 'GT-001');
      expect(ana).toMatchObject({
        first_name: 'Ana',
        email: 'ana.lopez@example.org',
        gender: 'female',
        status: 'active',
        specialties: ['legal_criminal', 'violence'],
        certification_body: 'ALMG',
        certification_number: 'C-0001',
        expires: '2027-06-30',
        last_session_ended_at: null,
        langs: ['mam:5', 'quc:3'],
        relay: ['spa'],
      });
      expect(await interpreter('GT', 'GT-002')).toMatchObject({
        first_name: 'Rosa, María',
        gender: null,
        status: 'active',
        relay: ['eng', 'spa'],
      });
      expect(await interpreter('GT', 'GT-003')).toMatchObject({
        first_name: 'Tomás',
        status: 'suspended',
        gender: 'male',
        langs: ['quc:2'],
        relay: [],
        certification_body: null,
        expires: null,
      });
    });

    it('reports re-importing the same file as unchanged and touches nothing', async () => {
      const before = await t.sql(`SELECT id, updated_at FROM interpreters WHERE country = 'GT' ORDER BY external_id`);
      const res = await importCsv(gtAdmin, 'GT', FIXTURE).expect(200);
      expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 3, rejected: [] });
      expect(await t.sql(`SELECT id, updated_at FROM interpreters WHERE country = 'GT' ORDER BY external_id`)).toEqual(before);
    });

    it('updates one field of one interpreter and keeps her id', async () => {
      const { id } = await interpreter('GT', 'GT-002');
      const changed = FIXTURE.toString().replace('trafficking;children', 'trafficking;children;asylum');
      const res = await importCsv(gtAdmin, 'GT', changed).expect(200);
      expect(res.body).toEqual({ created: 0, updated: 1, unchanged: 2, rejected: [] });
      const rosa = await interpreter('GT', 'GT-002');
      expect(rosa.id).toBe(id);
      expect(rosa.specialties).toEqual(['trafficking', 'children', 'asylum']);

      const relevelled = await importCsv(
        gtAdmin,
        'GT',
        rosterCsv([{ external_id: 'GT-002', first_name: 'Rosa, María'.replace(',', ''), languages: 'kek:5' }]),
      );
      expect(relevelled.body).toMatchObject({ created: 0, updated: 1 });
      expect((await interpreter('GT', 'GT-002')).langs).toEqual(['kek:5']);
    });

    it('keeps the stored value of a column the file leaves out, and leaves rows not in the file alone', async () => {
      const res = await importCsv(
        gtAdmin,
        'GT',
        'external_id,first_name,email,languages\nGT-001,Ana,ana.lopez@example.org,mam:5;quc:3\n',
      ).expect(200);
      expect(res.body).toEqual({ created: 0, updated: 0, unchanged: 1, rejected: [] });
      expect(await interpreter('GT', 'GT-001')).toMatchObject({
        gender: 'female',
        specialties: ['legal_criminal', 'violence'],
        relay: ['spa'],
      });
      expect(await count('GT')).toBe(3);
    });

    it('rejects each bad row with its line and field, stores the good rows, and changes nothing for the bad ones', async () => {
      await importCsv(gtAdmin, 'GT', rosterCsv([{ external_id: 'B-KEEP', first_name: 'Keep', languages: 'mam:3' }])).expect(200);
      const csv = rosterCsv([
        { external_id: 'B-GOOD1', languages: `mam:5;${variantKey}:2` }, // line 2
        { external_id: 'B-CODE', languages: 'mam:4;qqq:3' }, // 3
        { external_id: 'B-VARIANT', languages: 'mam/no-such-variant:3' }, // 4
        { external_id: 'B-SPEC', specialties: 'violence;cooking' }, // 5
        { external_id: 'B-DATE1', certification_expires: '2026-02-30' }, // 6
        { external_id: 'B-DATE2', certification_expires: '2026/01/01' }, // 7
        { external_id: 'B-LEVEL', languages: 'mam:7' }, // 8
        { external_id: 'B-GOOD1', first_name: 'Second' }, // 9: duplicate of line 2
        { external_id: 'B-KEEP', first_name: 'Changed', languages: 'qqq:3' }, // 10: existing, bad
        { external_id: 'B-RELAY', relay_languages: 'spa;qqq' }, // 11
        { external_id: 'B-GOOD2', gender: '', status: '' }, // 12
      ]);
      const res = await importCsv(gtAdmin, 'GT', csv).expect(200);
      expect(res.body.created).toBe(2);
      expect(res.body.updated).toBe(0);
      expect(res.body.rejected.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
        [3, 'languages'],
        [4, 'languages'],
        [5, 'specialties'],
        [6, 'certification_expires'],
        [7, 'certification_expires'],
        [8, 'languages'],
        [9, 'external_id'],
        [10, 'languages'],
        [11, 'relay_languages'],
      ]);
      const message = (line: number) => res.body.rejected.find((r: { line: number }) => r.line === line).message;
      expect(message(3)).toContain('qqq');
      expect(message(4)).toContain('mam/no-such-variant');
      expect(message(5)).toContain('cooking');
      expect(message(8)).toContain('mam');
      expect(message(9)).toBe('duplicate of line 2');
      expect(message(11)).toContain('qqq');

      const stored = await t.sql<{ external_id: string }>(`SELECT external_id FROM interpreters WHERE external_id LIKE 'B-%' ORDER BY 1`);
      expect(stored.map((r) => r.external_id)).toEqual(['B-GOOD1', 'B-GOOD2', 'B-KEEP']);
      expect((await interpreter('GT', 'B-GOOD1')).langs).toEqual(expect.arrayContaining(['mam:5', `${variantKey}:2`]));
      expect(await interpreter('GT', 'B-GOOD1')).toMatchObject({ first_name: 'Name B-GOOD1' });
      expect(await interpreter('GT', 'B-KEEP')).toMatchObject({ first_name: 'Keep', langs: ['mam:3'] });
      // The catalogue learns nothing from a code that does not exist.
      expect(await t.sql(`SELECT 1 FROM languages WHERE iso6393 = 'qqq'`)).toHaveLength(0);
    });

    it('refuses a file without a header row or with a required column missing (400 naming the column)', async () => {
      const before = await count('GT');
      const noHeader = await importCsv(gtAdmin, 'GT', `${rosterLine({ external_id: 'H-1' })}\n`).expect(400);
      expect(noHeader.body.fields).toEqual(['external_id']);
      const noLanguages = await importCsv(gtAdmin, 'GT', 'external_id,first_name,email\nH-2,Ana,a@b.org\n').expect(400);
      expect(noLanguages.body.fields).toEqual(['languages']);
      expect(noLanguages.body.message.join(' ')).toContain('languages');
      const empty = await importCsv(gtAdmin, 'GT', '').expect(400);
      expect(empty.body.fields).toEqual(['header']);
      const unknown = await importCsv(gtAdmin, 'GT', `${ROSTER_HEADER},notes\n`).expect(400);
      expect(unknown.body.fields).toEqual(['notes']);
      expect(await count('GT')).toBe(before);
    });

    it('imports a JSON array, numbering rejected rows by array index + 1', async () => {
      const rows = [
        {
          external_id: 'J-1',
          first_name: 'Juana',
          email: 'juana@example.org',
          languages: 'tzo:4',
          specialties: 'violence;children',
          status: 'active',
        },
        { external_id: 'J-2', first_name: 'Bad', email: 'nope', languages: 'tzo:4' },
        { external_id: 'J-3', first_name: 'Marta', email: 'marta@example.org', languages: ['mam:2', 'quc:4'], gender: null, nickname: 'x' },
        { external_id: 'J-4', first_name: 'Lucía', email: 'lucia@example.org', languages: ['mam:2'], relay_languages: ['spa', 'eng'] },
      ];
      const res = await t.http().post('/api/v1/rosters/GT/import').set('Authorization', `Bearer ${gtAdmin.token}`).send(rows).expect(200);
      expect(res.body).toEqual({
        created: 2,
        updated: 0,
        unchanged: 0,
        rejected: [
          { line: 2, field: 'email', message: expect.any(String) },
          { line: 3, field: 'nickname', message: 'unknown column nickname' },
        ],
      });
      expect(await interpreter('GT', 'J-1')).toMatchObject({ langs: ['tzo:4'], specialties: ['violence', 'children'] });
      expect(await interpreter('GT', 'J-4')).toMatchObject({ langs: ['mam:2'], relay: ['eng', 'spa'] });
      const notArray = await t
        .http()
        .post('/api/v1/rosters/GT/import')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .send({ rows })
        .expect(400);
      expect(notArray.body.fields).toEqual(['body']);
    });

    it('accepts a multipart upload in the file field (the web console)', async () => {
      const csv = rosterCsv([{ external_id: 'M-1' }, { external_id: 'M-2', languages: 'kek:3' }]);
      const res = await t
        .http()
        .post('/api/v1/rosters/GT/import')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .attach('file', Buffer.from(csv), { filename: 'roster.csv', contentType: 'text/csv' })
        .expect(200);
      expect(res.body).toEqual({ created: 2, updated: 0, unchanged: 0, rejected: [] });
      const missing = await t
        .http()
        .post('/api/v1/rosters/GT/import')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .field('other', 'x')
        .expect(400);
      expect(missing.body.fields).toEqual(['file']);
      await t
        .http()
        .post('/api/v1/rosters/GT/import')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .set('Content-Type', 'application/xml')
        .send('<a/>')
        .expect(415);
    });

    it('imports a 10,000-row file completely', async () => {
      const res = await importCsv(mxAdmin, 'MX', generatedRoster(10_000, 'MX')).expect(200);
      expect(res.body).toEqual({ created: 10_000, updated: 0, unchanged: 0, rejected: [] });
      expect(await count('MX')).toBe(10_000);
      const [{ n }] = await t.sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM interpreter_languages il JOIN interpreters i ON i.id = il.interpreter_id WHERE i.country = 'MX'`,
      );
      expect(n).toBe(2500 * 2 + 2500 + 2500 * 3 + 2500);
      const again = await importCsv(mxAdmin, 'MX', generatedRoster(10_000, 'MX')).expect(200);
      expect(again.body).toEqual({ created: 0, updated: 0, unchanged: 10_000, rejected: [] });
    });

    it('writes all the good rows or none: a database failure in a later batch rolls back the earlier ones', async () => {
      await t.sql(`
        CREATE FUNCTION fail_on_marked_row() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.external_id = 'TX-001500' THEN RAISE EXCEPTION 'injected failure'; END IF;
          RETURN NEW;
        END $$`);
      await t.sql(`CREATE TRIGGER fail_on_marked_row BEFORE INSERT ON interpreters FOR EACH ROW EXECUTE FUNCTION fail_on_marked_row()`);
      const auditBefore = await t.sql(`SELECT 1 FROM audit_events WHERE type = 'roster.imported'`);
      try {
        await importCsv(gtAdmin, 'GT', generatedRoster(2000, 'TX')).expect(500);
      } finally {
        await t.sql(`DROP TRIGGER fail_on_marked_row ON interpreters`);
        await t.sql(`DROP FUNCTION fail_on_marked_row`);
      }
      expect(await t.sql(`SELECT 1 FROM interpreters WHERE external_id LIKE 'TX-%'`)).toHaveLength(0);
      expect(await t.sql(`SELECT 1 FROM audit_events WHERE type = 'roster.imported'`)).toHaveLength(auditBefore.length);
      const retry = await importCsv(gtAdmin, 'GT', generatedRoster(2000, 'TX')).expect(200);
      expect(retry.body.created).toBe(2000);
    });

    it('audits each import with counts only', async () => {
      await importCsv(
        gtAdmin,
        'GT',
        rosterCsv([{ external_id: 'A-1', first_name: 'Audited', email: 'audited@example.org' }, { external_id: 'bad id' }]),
      ).expect(200);
      const [event] = await t.sql<Record<string, any>>(
        `SELECT * FROM audit_events WHERE type = 'roster.imported' ORDER BY seq DESC LIMIT 1`,
      );
      expect(event).toMatchObject({ actor_id: gtAdmin.id, actor_role: 'roster_admin', country: 'GT' });
      expect(event.data).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 1 });
      expect(JSON.stringify(event)).not.toMatch(/Audited|audited@|A-1/);
      const imports = await t.sql(`SELECT 1 FROM audit_events WHERE type = 'roster.imported'`);
      expect(imports.length).toBeGreaterThanOrEqual(8);
    });
  });

  describe('access', () => {
    it("gives a roster admin 404 for another country's roster, and 400 for a code that is no country", async () => {
      await importCsv(gtAdmin, 'MX', rosterCsv([{ external_id: 'X-1' }])).expect(404);
      await list(gtAdmin, 'MX').expect(404);
      await importCsv(gtAdmin, 'XX', rosterCsv([{ external_id: 'X-1' }])).expect(400);
      const bad = await list(platform, 'ZZ').expect(400);
      expect(bad.body.fields).toEqual(['country']);
      expect(await t.sql(`SELECT 1 FROM interpreters WHERE external_id = 'X-1'`)).toHaveLength(0);
    });

    it.each(['official', 'interpreter'] as const)('forbids %s (403)', async (role) => {
      const someone = await createStaff(t, role, { country: 'GT' });
      await importCsv(someone, 'GT', rosterCsv([{ external_id: 'X-2' }])).expect(403);
      await list(someone, 'GT').expect(403);
      await t.http().get('/api/v1/rosters/GT/sharing').set('Authorization', `Bearer ${someone.token}`).expect(403);
    });

    it('lets a platform admin list any roster but not import into it', async () => {
      const res = await list(platform, 'GT', '?limit=2&offset=1').expect(200);
      expect(res.body.total).toBe(await count('GT'));
      expect(res.body).toMatchObject({ limit: 2, offset: 1 });
      expect(res.body.items).toHaveLength(2);
      await list(platform, 'MX', '?limit=1').expect(200);
      await importCsv(platform, 'GT', rosterCsv([{ external_id: 'X-3' }])).expect(403);
      await list(platform, 'GT', '?limit=0').expect(400);
      await list(platform, 'GT', '?page=2').expect(400);
    });

    it('stores a relay language with its level (a bare code is 5), and a changed level is an update', async () => {
      const csv = (relay: string) =>
        rosterCsv([{ external_id: 'R-LEVEL', first_name: 'Rita', languages: 'mam:4', relay_languages: relay }]);
      expect((await importCsv(gtAdmin, 'GT', csv('SPA:4;eng')).expect(200)).body).toMatchObject({ created: 1, rejected: [] });
      const rita = async () =>
        (await list(gtAdmin, 'GT', '?limit=500').expect(200)).body.items.find((i: { externalId: string }) => i.externalId === 'R-LEVEL');
      expect((await rita()).relayLevels).toEqual([
        { iso6393: 'eng', level: 5 },
        { iso6393: 'spa', level: 4 },
      ]);
      expect((await importCsv(gtAdmin, 'GT', csv('eng:5;spa:4')).expect(200)).body).toMatchObject({ unchanged: 1 });
      expect((await importCsv(gtAdmin, 'GT', csv('spa:3;eng')).expect(200)).body).toMatchObject({ updated: 1 });
      expect((await rita()).relayLevels).toEqual([
        { iso6393: 'eng', level: 5 },
        { iso6393: 'spa', level: 3 },
      ]);
      const bad = await importCsv(gtAdmin, 'GT', csv('spa:7')).expect(200);
      expect(bad.body.rejected).toEqual([
        { line: 2, field: 'relay_languages', message: 'spa needs a level from 1 to 5 (e.g. spa:4), or none for 5' },
      ]);
    });

    it('lists interpreters with languages, relay languages, certification and email', async () => {
      const res = await list(gtAdmin, 'GT', '?limit=500').expect(200);
      const ana = res.body.items.find((i: { externalId: string }) => i.externalId === 'GT-001');
      expect(ana).toEqual({
        id: expect.any(String),
        country: 'GT',
        externalId: 'GT-001',
        firstName: 'Ana',
        email: 'ana.lopez@example.org',
        languages: [
          { languageId: expect.any(String), iso6393: 'mam', variant: null, level: 5 },
          { languageId: expect.any(String), iso6393: 'quc', variant: null, level: 3 },
        ],
        relayLanguages: ['spa'],
        relayLevels: [{ iso6393: 'spa', level: 5 }],
        specialties: ['legal_criminal', 'violence'],
        gender: 'female',
        status: 'active',
        certification: {
          body: 'ALMG',
          number: 'C-0001',
          expires: '2027-06-30',
          daysLeft: Math.round((Date.UTC(2027, 5, 30) - Date.parse(new Date().toISOString().slice(0, 10))) / 86_400_000),
        },
        lastSessionEndedAt: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const ids = res.body.items.map((i: { externalId: string }) => i.externalId);
      expect(ids).toEqual([...ids].sort());
    });
  });

  describe('sharing', () => {
    const put = (who: Staff, country: string, body: unknown) =>
      t
        .http()
        .put(`/api/v1/rosters/${country}/sharing`)
        .set('Authorization', `Bearer ${who.token}`)
        .send(body as object);
    const get = (who: Staff, country: string) =>
      t.http().get(`/api/v1/rosters/${country}/sharing`).set('Authorization', `Bearer ${who.token}`);

    it('replaces who may draw on a roster, and audits it', async () => {
      await put(gtAdmin, 'GT', { countries: ['MX', 'HN'] }).expect(200);
      const res = await put(gtAdmin, 'GT', { countries: ['SV', 'MX'] }).expect(200);
      expect(res.body).toEqual({ country: 'GT', countries: ['MX', 'SV'], borrowsFrom: [] });
      expect((await get(gtAdmin, 'GT').expect(200)).body.countries).toEqual(['MX', 'SV']);
      expect((await get(mxAdmin, 'MX').expect(200)).body.borrowsFrom).toEqual(['GT']);
      expect((await get(platform, 'GT').expect(200)).body.countries).toEqual(['MX', 'SV']);
      const events = await t.sql<Record<string, any>>(`SELECT * FROM audit_events WHERE type = 'roster.sharing_set' ORDER BY seq`);
      expect(events).toHaveLength(2);
      expect(events[1]).toMatchObject({ actor_id: gtAdmin.id, country: 'GT', data: { countries: 'MX,SV', count: 2 } });
    });

    it('tells matching which rosters may serve a caller in a country', async () => {
      await put(mxAdmin, 'MX', { countries: ['SV'] }).expect(200);
      const rosters = t.app.get(RostersService);
      expect(await rosters.countriesSharingWith('SV')).toEqual(['SV', 'GT', 'MX']);
      expect(await rosters.countriesSharingWith('HN')).toEqual(['HN']);
      await put(gtAdmin, 'GT', { countries: [] }).expect(200);
      expect(await rosters.countriesSharingWith('SV')).toEqual(['SV', 'MX']);
    });

    it('validates the countries and keeps each admin to her roster', async () => {
      await put(gtAdmin, 'GT', { countries: ['MX'] }).expect(200);
      for (const body of [{ countries: ['ZZ'] }, { countries: ['GT'] }, { countries: ['MX', 'MX'] }, { countries: 'MX' }, {}]) {
        const res = await put(gtAdmin, 'GT', body).expect(400);
        expect(res.body.fields).toContain('countries');
      }
      expect((await put(gtAdmin, 'GT', { countries: [], extra: 1 }).expect(400)).body.fields).toEqual(['extra']);
      await put(mxAdmin, 'GT', { countries: ['MX'] }).expect(404);
      await get(mxAdmin, 'GT').expect(404);
      await put(platform, 'GT', { countries: [] }).expect(403);
      expect((await get(gtAdmin, 'GT').expect(200)).body.countries).toEqual(['MX']);
    });
  });

  it('documents the roster routes in the OpenAPI description', async () => {
    const { body } = await t.http().get('/api/docs-json').expect(200);
    const importOp = body.paths['/api/v1/rosters/{country}/import'].post;
    expect(importOp.description).toContain('not a full replacement');
    expect(Object.keys(importOp.requestBody.content)).toEqual(['text/csv', 'application/json', 'multipart/form-data']);
    expect(body.paths['/api/v1/rosters/{country}/interpreters'].get).toBeDefined();
    expect(Object.keys(body.paths['/api/v1/rosters/{country}/sharing'])).toEqual(expect.arrayContaining(['get', 'put']));
  });

  describe('service surface', () => {
    it('finds an interpreter by id for the users module', async () => {
      const rosters = t.app.get(RostersService);
      const { id } = await interpreter('GT', 'GT-001');
      expect(await rosters.findInterpreter(id)).toEqual({ id, country: 'GT', firstName: 'Ana' });
      expect(await rosters.findInterpreter(randomUUID())).toBeNull();
      expect(await rosters.findInterpreter('not-a-uuid')).toBeNull();
      const created = await t
        .http()
        .post('/api/v1/users')
        .set('Authorization', `Bearer ${gtAdmin.token}`)
        .send({ role: 'interpreter', email: 'ana.account@example.org', password: 'Strong-Password-1', interpreterId: id })
        .expect(201);
      expect(created.body).toMatchObject({ role: 'interpreter', country: 'GT', interpreterId: id });
    });

    it('imports rows for a system caller (the demo loader)', async () => {
      const rosters = t.app.get(RostersService);
      const result = await rosters.importRoster(
        'hn',
        [{ external_id: 'D-1', first_name: 'Demo', email: 'demo@example.org', languages: 'mam:3' }],
        null,
      );
      expect(result).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: [] });
      const [event] = await t.sql<Record<string, any>>(`SELECT * FROM audit_events WHERE type = 'roster.imported' AND country = 'HN'`);
      expect(event).toMatchObject({ actor_id: null, actor_role: 'system' });
    });
  });
});

describe('roster import size limit', () => {
  let t: TestApp;
  let admin: Staff;
  const big = rosterCsv(Array.from({ length: 60 }, (_, i) => ({ external_id: `S-${i}` })));

  beforeAll(async () => {
    t = await startTestApp({ media: false, ROSTER_IMPORT_MAX_BYTES: '4096' });
    admin = await createStaff(t, 'roster_admin', { country: 'PA' });
    expect(Buffer.byteLength(big)).toBeGreaterThan(4096);
  });
  afterAll(() => t.close());

  it('refuses a CSV, JSON or multipart body over ROSTER_IMPORT_MAX_BYTES with 413 and stores nothing', async () => {
    const post = () => t.http().post('/api/v1/rosters/PA/import').set('Authorization', `Bearer ${admin.token}`);
    await post().set('Content-Type', 'text/csv').send(big).expect(413);
    const rows = Array.from({ length: 60 }, (_, i) => ({
      external_id: `S-${i}`,
      first_name: 'Some Name',
      email: `s${i}@example.org`,
      languages: 'mam:3',
    }));
    await post().send(rows).expect(413);
    await post().attach('file', Buffer.from(big), { filename: 'roster.csv', contentType: 'text/csv' }).expect(413);
    expect(await t.sql('SELECT 1 FROM interpreters')).toHaveLength(0);
    const small = await post()
      .set('Content-Type', 'text/csv')
      .send(rosterCsv([{ external_id: 'S-1' }]))
      .expect(200);
    expect(small.body.created).toBe(1);
  });
});
