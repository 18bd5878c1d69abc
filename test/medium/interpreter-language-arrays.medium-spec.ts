import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { InterpreterLanguageArrays1765860000000 } from '../../migrations/1765860000000-interpreter-language-arrays';
import { createTestDatabase } from '../utils/db';

/**
 * Each interpreter's languages, levels and relay languages kept on her own row (migration 1765860000000, read by
 * the candidate search) follow `interpreter_languages` and `interpreter_relay_languages` through every kind of write,
 * in the writing transaction: what a dispatch reads of her is never older than her roster rows.
 */
describe("an interpreter's language arrays follow her language rows", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: Client;
  const lang: Record<string, string> = {};
  const q = async <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows as T[];
  /** A new interpreter, through `on` (another connection, committed at once) or the test's own transaction. */
  const interpreter = async (externalId: string, on: Client = c) =>
    (
      await on.query<{ id: string }>(
        `INSERT INTO interpreters (country, external_id, first_name, email, gender, status, specialties)
         VALUES ('GT', $1::text, 'Ana', $1::text || '@test.example', 'female', 'active', '{}') RETURNING id`,
        [externalId],
      )
    ).rows[0].id;
  /** Her languages and relay languages (code, level), each table in one statement. */
  const speaks = async (id: string, languages: [string, number][], relay: [string, number][] = []) => {
    for (const [table, rows] of [
      ['interpreter_languages', languages],
      ['interpreter_relay_languages', relay],
    ] as const)
      if (rows.length)
        await q(`INSERT INTO ${table} (interpreter_id, language_id, level) SELECT $1, unnest($2::uuid[]), unnest($3::smallint[])`, [
          id,
          rows.map(([iso]) => lang[iso]),
          rows.map(([, level]) => level),
        ]);
  };
  /** Her row's arrays, as language codes and levels, next to what her language rows say. */
  const arrays = async (id: string) => {
    const [row] = await q<{
      langs: string[];
      levels: number[];
      relay: string[];
      rows_langs: string[];
      rows_levels: number[];
      rows_relay: string[];
    }>(
      `SELECT ARRAY(SELECT l.iso6393 FROM unnest(i.language_ids) WITH ORDINALITY x (id, n) JOIN languages l ON l.id = x.id ORDER BY x.n) AS langs,
              i.language_levels AS levels,
              ARRAY(SELECT l.iso6393 FROM unnest(i.relay_language_ids) WITH ORDINALITY x (id, n) JOIN languages l ON l.id = x.id ORDER BY x.n) AS relay,
              ARRAY(SELECT l.iso6393 FROM interpreter_languages il JOIN languages l ON l.id = il.language_id WHERE il.interpreter_id = i.id
                    ORDER BY il.language_id) AS rows_langs,
              ARRAY(SELECT il.level FROM interpreter_languages il WHERE il.interpreter_id = i.id ORDER BY il.language_id) AS rows_levels,
              ARRAY(SELECT l.iso6393 FROM interpreter_relay_languages rl JOIN languages l ON l.id = rl.language_id WHERE rl.interpreter_id = i.id
                    ORDER BY rl.language_id) AS rows_relay
       FROM interpreters i WHERE i.id = $1`,
      [id],
    );
    // The arrays are exactly what her rows say, in the rows' order (levels matched one to one).
    expect({ langs: row.langs, levels: row.levels, relay: row.relay }).toEqual({
      langs: row.rows_langs,
      levels: row.rows_levels,
      relay: row.rows_relay,
    });
    return {
      langs: [...row.langs].sort(),
      relay: [...row.relay].sort(),
      levels: Object.fromEntries(row.langs.map((l, i) => [l, row.levels[i]])),
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase({ catalogue: false });
    c = new Client({ connectionString: db.url });
    await c.connect();
    for (const iso of ['mam', 'quc', 'spa', 'eng'])
      lang[iso] = (
        await q<{ id: string }>(`INSERT INTO languages (iso6393, name, search_text) VALUES ($1::text, $1::text, $1::text) RETURNING id`, [
          iso,
        ])
      )[0].id;
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });
  beforeEach(() => q('BEGIN'));
  afterEach(() => q('ROLLBACK'));

  it('one multi-row insert, for several interpreters at once, fills each one’s arrays (levels beside their languages)', async () => {
    const [ana, bea] = [await interpreter('a-1'), await interpreter('b-1')];
    expect(await arrays(ana)).toEqual({ langs: [], relay: [], levels: {} });
    await q(
      `INSERT INTO interpreter_languages (interpreter_id, language_id, level)
       VALUES ($1, $3, 5), ($1, $4, 2), ($2, $4, 3)`,
      [ana, bea, lang.mam, lang.quc],
    );
    await q(`INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) VALUES ($1, $2, 4), ($1, $3, 4)`, [
      ana,
      lang.spa,
      lang.eng,
    ]);
    expect(await arrays(ana)).toEqual({ langs: ['mam', 'quc'], relay: ['eng', 'spa'], levels: { mam: 5, quc: 2 } });
    expect(await arrays(bea)).toEqual({ langs: ['quc'], relay: [], levels: { quc: 3 } });
  });

  it('an update of a level, of a language, or moving a row to another interpreter, is followed on both rows', async () => {
    const [ana, bea] = [await interpreter('a-2'), await interpreter('b-2')];
    await speaks(ana, [
      ['mam', 5],
      ['quc', 2],
    ]);
    await q(`UPDATE interpreter_languages SET level = 4 WHERE interpreter_id = $1 AND language_id = $2`, [ana, lang.quc]);
    expect((await arrays(ana)).levels).toEqual({ mam: 5, quc: 4 });
    await q(`UPDATE interpreter_languages SET language_id = $3 WHERE interpreter_id = $1 AND language_id = $2`, [ana, lang.mam, lang.spa]);
    expect(await arrays(ana)).toEqual({ langs: ['quc', 'spa'], relay: [], levels: { quc: 4, spa: 5 } });
    await q(`UPDATE interpreter_languages SET interpreter_id = $2 WHERE interpreter_id = $1 AND language_id = $3`, [ana, bea, lang.quc]);
    expect(await arrays(ana)).toEqual({ langs: ['spa'], relay: [], levels: { spa: 5 } });
    expect(await arrays(bea)).toEqual({ langs: ['quc'], relay: [], levels: { quc: 4 } });
    await q(`INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) VALUES ($1, $2, 5)`, [ana, lang.spa]);
    await q(`UPDATE interpreter_relay_languages SET language_id = $2 WHERE interpreter_id = $1`, [ana, lang.eng]);
    expect((await arrays(ana)).relay).toEqual(['eng']);
  });

  it('an upsert (INSERT … ON CONFLICT) is followed both ways: the rows it updates and the rows it inserts, in one statement', async () => {
    const [ana, bea] = [await interpreter('a-u'), await interpreter('b-u')];
    await speaks(ana, [['mam', 3]]);
    // Her Mam level changes (the conflict's update) and K'iche' is new (the insert); Bea's row is new too.
    await q(
      `INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $3, 5), ($1, $4, 2), ($2, $3, 4)
       ON CONFLICT (interpreter_id, language_id) DO UPDATE SET level = EXCLUDED.level`,
      [ana, bea, lang.mam, lang.quc],
    );
    expect(await arrays(ana)).toEqual({ langs: ['mam', 'quc'], relay: [], levels: { mam: 5, quc: 2 } });
    expect(await arrays(bea)).toEqual({ langs: ['mam'], relay: [], levels: { mam: 4 } });
    // Nothing to do on a conflict: nothing changes, and the new row still counts.
    await q(
      `INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 1), ($1, $3, 1) ON CONFLICT DO NOTHING`,
      [bea, lang.mam, lang.spa],
    );
    expect(await arrays(bea)).toEqual({ langs: ['mam', 'spa'], relay: [], levels: { mam: 4, spa: 1 } });
    await q(
      `INSERT INTO interpreter_relay_languages (interpreter_id, language_id, level) VALUES ($1, $2, 5)
       ON CONFLICT (interpreter_id, language_id) DO UPDATE SET level = EXCLUDED.level`,
      [ana, lang.spa],
    );
    expect((await arrays(ana)).relay).toEqual(['spa']);
  });

  it('a delete (as a roster import rewrites her languages) and an insert after it leave only the new ones', async () => {
    const ana = await interpreter('a-3');
    await speaks(
      ana,
      [
        ['mam', 5],
        ['quc', 2],
      ],
      [['spa', 4]],
    );
    await q(`DELETE FROM interpreter_languages WHERE interpreter_id = ANY ($1::uuid[])`, [[ana]]);
    await q(`DELETE FROM interpreter_relay_languages WHERE interpreter_id = ANY ($1::uuid[])`, [[ana]]);
    expect(await arrays(ana)).toEqual({ langs: [], relay: [], levels: {} });
    await speaks(ana, [['eng', 3]]);
    expect(await arrays(ana)).toEqual({ langs: ['eng'], relay: [], levels: { eng: 3 } });
  });

  it('a truncate of either table empties its arrays only', async () => {
    const ana = await interpreter('a-4');
    await speaks(ana, [['mam', 5]], [['spa', 4]]);
    await q(`TRUNCATE interpreter_relay_languages`);
    expect(await arrays(ana)).toEqual({ langs: ['mam'], relay: [], levels: { mam: 5 } });
    await q(`TRUNCATE interpreter_languages`);
    expect(await arrays(ana)).toEqual({ langs: [], relay: [], levels: {} });
  });

  it('the migration fills the arrays of the rosters already stored, and its down leaves the tables as they were', async () => {
    const migration = new InterpreterLanguageArrays1765860000000();
    const runner = { query: (sql: string) => q(sql) } as unknown as QueryRunner;
    await migration.down(runner);
    const ana = await interpreter('a-6');
    await speaks(
      ana,
      [
        ['mam', 5],
        ['quc', 1],
      ],
      [['spa', 4]],
    );
    expect(await q(`SELECT 1 FROM information_schema.columns WHERE table_name = 'interpreters' AND column_name = 'language_ids'`)).toEqual(
      [],
    );
    await migration.up(runner);
    expect(await arrays(ana)).toEqual({ langs: ['mam', 'quc'], relay: ['spa'], levels: { mam: 5, quc: 1 } });
  });

  it('two transactions changing one interpreter’s languages at once: her arrays hold what both wrote', async () => {
    const [a, b] = [new Client({ connectionString: db.url }), new Client({ connectionString: db.url })];
    await Promise.all([a.connect(), b.connect()]);
    const id = await interpreter('race-1', a);
    try {
      const bPid = (await b.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
      await a.query('BEGIN');
      await a.query(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 5)`, [id, lang.mam]);
      await b.query('BEGIN');
      const second = b.query(`INSERT INTO interpreter_languages (interpreter_id, language_id, level) VALUES ($1, $2, 3)`, [id, lang.quc]);
      // The second waits for the first (her row's lock) before it reads her languages.
      for (;;) {
        const [w] = (
          await a.query<{ waiting: boolean }>(`SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity WHERE pid = $1`, [bPid])
        ).rows;
        if (w?.waiting) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await a.query('COMMIT');
      await second;
      await b.query('COMMIT');
      expect(await arrays(id)).toEqual({ langs: ['mam', 'quc'], relay: [], levels: { mam: 5, quc: 3 } });
    } finally {
      await a.query('ROLLBACK').catch(() => undefined);
      await b.query('ROLLBACK').catch(() => undefined);
      await a.query(`DELETE FROM interpreters WHERE id = $1`, [id]);
      await Promise.all([a.end(), b.end()]);
    }
  });

  it('an interpreter deleted takes her rows with her, and nothing fails on the way', async () => {
    const ana = await interpreter('a-5');
    await speaks(ana, [['mam', 5]]);
    await q(`DELETE FROM interpreters WHERE id = $1`, [ana]);
    expect(await q(`SELECT 1 FROM interpreter_languages WHERE interpreter_id = $1`, [ana])).toEqual([]);
  });
});
