import { Client } from 'pg';
import type { QueryRunner } from 'typeorm';
import { ValueDomains1765870000000 } from '../../migrations/1765870000000-value-domains';
import { RowChecks1765880000000 } from '../../migrations/1765880000000-row-checks';
import { createTestDatabase } from '../utils/db';

/**
 * The CHECK constraints of the tables every call writes, as migration 1765850000000 wrote them again (one array
 * constant per list, cheaper for PostgreSQL to read in every statement) and migration 1765870000000 moved into domains
 * (those of one column: read once per connection, checked only where a statement sets the column), and migration
 * 1765880000000 into a trigger per table (those over two columns): each still takes every value it took, and
 * refuses, under its own name, a value outside its list.
 */
/** The tables every call writes, as a SQL constant. */
const WRITTEN = `'{interpretation_requests,offers,sessions,session_interpreters,interpreters}'::regclass[]`;

describe('CHECK constraints of the tables matching writes', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let c: Client;
  const ids: Record<string, string> = {};
  /** The tables a call writes, as the migrations left a new installation's (before any row). */
  let fresh: { relname: string; reltuples: number }[];

  beforeAll(async () => {
    db = await createTestDatabase({ catalogue: false });
    c = new Client({ connectionString: db.url });
    await c.connect();
    fresh = (
      await c.query<{ relname: string; reltuples: number }>(
        `SELECT relname, reltuples FROM pg_class
         WHERE oid = ANY (${WRITTEN}) ORDER BY 1`,
      )
    ).rows;
    const one = async (sql: string, params: unknown[] = []) => (await c.query<{ id: string }>(sql, params)).rows[0].id;
    const language = (ids.languages = await one(
      `INSERT INTO languages (iso6393, name, search_text) VALUES ('mam', 'Mam', 'mam') RETURNING id`,
    ));
    ids.interpreters = await one(
      `INSERT INTO interpreters (country, external_id, first_name, email, gender, status, specialties)
       VALUES ('GT', 'check-1', 'Ana', 'ana@test.example', 'female', 'active', '{violence}') RETURNING id`,
    );
    ids.interpretation_requests = await one(
      `INSERT INTO interpretation_requests (language_id, matter, urgency, minor, priority, country) VALUES ($1, 'violence', 'normal', false, 1, 'GT')
       RETURNING id`,
      [language],
    );
    ids.offers = await one(
      `INSERT INTO offers (request_id, interpreter_id, tier, expires_at, leg) VALUES ($1, $2, 1, now() + interval '1 minute', 'direct') RETURNING id`,
      [ids.interpretation_requests, ids.interpreters],
    );
    ids.sessions = await one(`INSERT INTO sessions (request_id, interpreter_id) VALUES ($1, $2) RETURNING id`, [
      ids.interpretation_requests,
      ids.interpreters,
    ]);
    await c.query(`INSERT INTO session_interpreters (session_id, role, interpreter_id) VALUES ($1, 'interpreter', $2)`, [
      ids.sessions,
      ids.interpreters,
    ]);
  });
  afterAll(async () => {
    await c?.end();
    await db?.drop();
  });

  /** The CHECK constraints of one column left on the tables a call writes. */
  const oneColumnChecks = async () =>
    (
      await c.query<{ name: string }>(
        `SELECT conname AS name FROM pg_constraint WHERE contype = 'c' AND cardinality(conkey) = 1 AND conrelid = ANY (${WRITTEN}) ORDER BY 1`,
      )
    ).rows.map((r) => r.name);

  /**
   * An update of the fixture's row of `table` in a transaction rolled back: the constraint it broke, or null. `first`:
   * updates of the same row made before it, with no check or trigger (session_replication_role replica), to put the
   * row in a state no single valid update reaches (a session of a hearing that does not exist).
   */
  async function broken(table: string, set: string, first: string[] = []): Promise<string | null> {
    const where = table === 'session_interpreters' ? `session_id = '${ids.sessions}'` : `id = '${ids[table]}'`;
    await c.query('BEGIN');
    try {
      if (first.length) {
        await c.query('SET LOCAL session_replication_role = replica');
        for (const f of first) await c.query(`UPDATE ${table} SET ${f} WHERE ${where}`);
        await c.query('SET LOCAL session_replication_role = origin');
      }
      await c.query(`UPDATE ${table} SET ${set} WHERE ${where}`);
      return null;
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      return err.code === '23514' ? (err.constraint ?? 'unnamed') : `error ${err.code}`;
    } finally {
      await c.query('ROLLBACK');
    }
  }

  // [table, constraint, values it takes, a value it refuses]
  const lists: [string, string, string, string[], string][] = [
    ['interpretation_requests', 'interpretation_requests_state_check', 'state', ['queued', 'offering', 'accepted', 'connected'], 'ringing'],
    [
      'interpretation_requests',
      'interpretation_requests_matter_check',
      'matter',
      ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other'],
      'asylum',
    ],
    ['interpretation_requests', 'interpretation_requests_urgency_check', 'urgency', ['normal', 'urgent', 'emergency'], 'high'],
    [
      'interpretation_requests',
      'interpretation_requests_country_check',
      'country',
      ['BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'],
      'ES',
    ],
    ['interpreters', 'interpreters_country_check', 'country', ['BZ', 'US', 'GT'], 'CO'],
    ['interpreters', 'interpreters_gender_check', 'gender', ['female', 'male', 'other'], 'f'],
    ['interpreters', 'interpreters_status_check', 'status', ['active', 'suspended'], 'retired'],
    ['offers', 'offers_leg_check', 'leg', ['direct', 'source', 'relay'], 'both'],
    [
      'session_interpreters',
      'session_interpreters_role_check',
      'role',
      ['interpreter', 'relay_interpreter', 'team_interpreter'],
      'official',
    ],
    ['sessions', 'sessions_feedback_check', 'feedback', ['helped', 'unsure', 'not_helped'], 'great'],
    ['interpreters', 'interpreters_first_name_check', 'first_name', ['A', 'Ana María'], ''],
    ['interpreters', 'interpreters_email_check', 'email', ['ana@test.example'], 'Ana@test.example'],
    ['interpreters', 'interpreters_external_id_check', 'external_id', ['check-1', 'a.B_9-x'], 'a b'],
    ['offers', 'offers_tier_check', 'tier', ['1', '4'], '0'],
  ];
  it.each(lists)('%s.%s: %s takes its list and refuses anything else', async (table, constraint, column, good, bad) => {
    for (const v of good) expect({ [v]: await broken(table, `${column} = '${v}'`) }).toEqual({ [v]: null });
    expect(await broken(table, `${column} = '${bad}'`)).toBe(constraint);
  });

  const arrays: [string, string, string, string, string][] = [
    [
      'interpreters',
      'interpreters_specialties_check',
      'specialties',
      '{legal_civil,legal_labour,legal_criminal,violence,trafficking,children,asylum,health}',
      '{violence,cooking}',
    ],
    [
      'sessions',
      'sessions_referred_to_check',
      'referred_to',
      '{legal_aid,shelter,health,consulate,police,child_protection}',
      '{shelter,hospital}',
    ],
    ['sessions', 'sessions_signs_check', 'signs', '{controlled,quick_exit}', '{controlled,crying}'],
    [
      'sessions',
      'sessions_participant_roles_known',
      'participant_roles',
      '{caller,interpreter,relay_interpreter,team_interpreter,official}',
      '{caller,guest}',
    ],
  ];
  it.each(arrays)('%s.%s: %s takes any of its list and refuses a list with anything else', async (table, constraint, column, all, bad) => {
    expect(await broken(table, `${column} = '${all}'`)).toBeNull();
    expect(await broken(table, `${column} = '{}'`)).toBeNull();
    expect(await broken(table, `${column} = '${bad}'`)).toBe(constraint);
  });

  it('keeps no check of one column on those tables: PostgreSQL would read it again in every statement that writes a row', async () => {
    expect(await oneColumnChecks()).toEqual([]);
  });

  it("leaves a new installation's tables never analysed: analysed empty, the planner would plan the first roster import as for an empty table", () => {
    expect(fresh).toEqual(
      ['interpretation_requests', 'interpreters', 'offers', 'session_interpreters', 'sessions'].map((relname) => ({
        relname,
        reltuples: -1,
      })),
    );
  });

  it('the domains migration goes down to the same checks on the tables and up again over the rows already stored', async () => {
    const migration = new ValueDomains1765870000000();
    const runner = { query: (sql: string) => c.query(sql) } as unknown as QueryRunner;
    // Each column's type and check, as its domain has them: after down, the same on the table (VALUE read as the column).
    const defined = async (where: 'domain' | 'table') =>
      (
        await c.query<{ d: string }>(
          where === 'domain'
            ? `SELECT format('%s.%s %s %s %s', a.attrelid::regclass, a.attname, format_type(t.typbasetype, t.typtypmod), k.conname,
                 replace(pg_get_constraintdef(k.oid), 'VALUE', a.attname)) AS d
               FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid AND t.typtype = 'd' JOIN pg_constraint k ON k.contypid = t.oid
               WHERE a.attrelid = ANY (${WRITTEN}) ORDER BY 1`
            : `SELECT format('%s.%s %s %s %s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod), k.conname,
                 pg_get_constraintdef(k.oid)) AS d
               FROM pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
               WHERE k.contype = 'c' AND cardinality(k.conkey) = 1
                 AND k.conrelid = ANY (${WRITTEN}) ORDER BY 1`,
        )
      ).rows.map((r) => r.d);
    const domains = await defined('domain');
    expect(domains).toHaveLength(19);
    // Down in the order the migrations would go: the row checks' triggers name columns whose type goes back.
    const rowChecks = new RowChecks1765880000000();
    await rowChecks.down(runner);
    await migration.down(runner);
    expect(await defined('table')).toEqual(domains);
    expect(await broken('offers', `tier = 5`)).toBe('offers_tier_check');
    await migration.up(runner);
    await rowChecks.up(runner);
    expect(await oneColumnChecks()).toEqual([]);
    expect(await broken('offers', `tier = 5`)).toBe('offers_tier_check');
    expect(await broken('sessions', `signs = '{controlled,crying}'`)).toBe('sessions_signs_check');
  });

  // [table, an update, the constraint over two columns it breaks (null: none), updates made first], each column a
  // check reads set alone at least once where it breaks the check (the trigger fires only on those columns).
  const rowChecks: [string, string, string | null, string[]?][] = [
    ['interpretation_requests', `state = 'completed'`, 'interpretation_requests_check'],
    ['interpretation_requests', `ended_at = now()`, 'interpretation_requests_check'],
    ['interpretation_requests', `state = 'abandoned', ended_at = now(), caller_sub = gen_random_uuid()`, 'interpretation_requests_check1'],
    ['interpretation_requests', `state = 'abandoned', ended_at = now(), caller_sub = NULL`, null],
    ['interpretation_requests', `relay_since = now()`, 'requests_relay_since'],
    ['interpretation_requests', `relay_language_id = language_id`, 'requests_relay_since'],
    ['interpretation_requests', `relay_language_id = language_id, relay_since = now()`, null],
    ['offers', `decided_at = now()`, 'offers_check'],
    ['offers', `outcome = 'declined'`, 'offers_check'],
    ['offers', `outcome = 'declined', decided_at = now()`, 'offers_holds_while_live'],
    ['offers', `outcome = 'declined', decided_at = now(), holds = false`, null],
    ['offers', `outcome = 'accepted', decided_at = now()`, null],
    ['offers', `holds = false`, 'offers_pending_holds'],
    ['sessions', `caller_sub = gen_random_uuid()`, null],
    ['sessions', `ended_at = now(), caller_sub = gen_random_uuid()`, 'sessions_caller_sub_live'],
    ['sessions', `ended_at = now()`, null],
    ['sessions', `booking_id = gen_random_uuid()`, 'sessions_request_or_booking'],
    [
      'interpretation_requests',
      `caller_sub = gen_random_uuid()`,
      'interpretation_requests_check1',
      [`state = 'abandoned', ended_at = now()`],
    ],
    ['sessions', `caller_sub = gen_random_uuid()`, 'sessions_caller_sub_live', [`ended_at = now()`]],
    ['sessions', `ended_at = now()`, 'sessions_caller_sub_live', [`caller_sub = gen_random_uuid()`]],
    [
      'sessions',
      `request_id = (SELECT id FROM interpretation_requests LIMIT 1)`,
      'sessions_request_or_booking',
      [`request_id = NULL, booking_id = gen_random_uuid()`],
    ],
  ];
  /** Every case of rowChecks whose answer is not the one expected, with the answer. */
  const rowChecksMissed = async () => {
    const missed: string[] = [];
    for (const [table, set, constraint, first] of rowChecks) {
      const got = await broken(table, set, first);
      if (got !== constraint) missed.push(`${table} SET ${set}: ${got}`);
    }
    return missed;
  };

  it('the checks over two columns refuse, under their own names, what they refused as CHECK constraints', async () => {
    expect(await rowChecksMissed()).toEqual([]);
  });

  it('the checks over two columns refuse an inserted row too', async () => {
    await c.query('BEGIN');
    try {
      await c.query(`INSERT INTO offers (request_id, interpreter_id, tier, expires_at, outcome) VALUES ($1, $2, 1, now(), 'declined')`, [
        ids.interpretation_requests,
        ids.interpreters,
      ]);
      throw new Error('inserted');
    } catch (e) {
      expect(e).toMatchObject({
        code: '23514',
        constraint: 'offers_check',
        table: 'offers',
        message: 'new row for relation "offers" violates check constraint "offers_check"',
      });
    } finally {
      await c.query('ROLLBACK');
    }
  });

  it('keeps no CHECK constraint on those tables: PostgreSQL would read it again in every statement that writes a row', async () => {
    const all = await c.query(`SELECT conname FROM pg_constraint WHERE contype = 'c' AND conrelid = ANY (${WRITTEN})`);
    expect(all.rows).toEqual([]);
  });

  it('the row checks migration goes down to the same CHECK constraints and up again over the rows already stored', async () => {
    const migration = new RowChecks1765880000000();
    const runner = { query: (sql: string) => c.query(sql) } as unknown as QueryRunner;
    const defined = async () =>
      (
        await c.query<{ d: string }>(
          `SELECT format('%s %s %s', conrelid::regclass, conname, pg_get_constraintdef(oid)) AS d FROM pg_constraint
           WHERE contype = 'c' AND conrelid = ANY (${WRITTEN}) ORDER BY 1`,
        )
      ).rows.map((r) => r.d);
    const triggers = `SELECT tgname FROM pg_trigger WHERE tgname LIKE '%row_checks' ORDER BY 1`;
    expect((await c.query(triggers)).rows).toHaveLength(3);
    await migration.down(runner);
    // As migrations 1765850000000 and 1765740000000 left them (pg_get_constraintdef of a database before this one).
    expect(await defined()).toEqual([
      `interpretation_requests interpretation_requests_check CHECK ((((state)::text = ANY ('{completed,cancelled,unmatched,abandoned}'::text[])) = (ended_at IS NOT NULL)))`,
      'interpretation_requests interpretation_requests_check1 CHECK (((ended_at IS NULL) OR (caller_sub IS NULL)))',
      'interpretation_requests requests_relay_since CHECK (((relay_language_id IS NULL) = (relay_since IS NULL)))',
      'offers offers_check CHECK (((outcome IS NULL) = (decided_at IS NULL)))',
      `offers offers_holds_while_live CHECK (((NOT holds) OR (outcome IS NULL) OR ((outcome)::text = 'accepted'::text)))`,
      'offers offers_pending_holds CHECK (((outcome IS NOT NULL) OR holds))',
      'sessions sessions_caller_sub_live CHECK (((ended_at IS NULL) OR (caller_sub IS NULL)))',
      'sessions sessions_request_or_booking CHECK (((request_id IS NULL) OR (booking_id IS NULL)))',
    ]);
    expect((await c.query(triggers)).rows).toEqual([]);
    expect(await rowChecksMissed()).toEqual([]);
    await migration.up(runner);
    expect(await defined()).toEqual([]);
    expect(await rowChecksMissed()).toEqual([]);
  });

  it('an ended request, and only an ended one, has its end and no caller; an offer decided has its outcome from the list', async () => {
    expect(await broken('interpretation_requests', `state = 'completed'`)).toBe('interpretation_requests_check');
    expect(await broken('interpretation_requests', `state = 'completed', ended_at = now(), caller_sub = NULL`)).toBeNull();
    expect(await broken('interpretation_requests', `ended_at = now(), caller_sub = NULL`)).toBe('interpretation_requests_check');
    expect(await broken('offers', `outcome = 'accepted', decided_at = now()`)).toBeNull();
    expect(await broken('offers', `outcome = 'rejected', decided_at = now(), holds = false`)).toBe('offers_outcome_check');
  });
});
