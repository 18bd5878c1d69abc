import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The single-column CHECK constraints of the tables every call writes become domains, under the same names. PostgreSQL
 * reads every CHECK constraint of a table from its stored text (stringToNode) and compiles it again in every
 * statement that inserts or updates one of its rows, whichever columns the statement sets: counted by callgrind, that
 * was a fifth of the instructions a call costs PostgreSQL (BENCHMARKS.md, "Stop 42"). A domain's constraint is read
 * once per connection and checked only where a statement assigns the column. What each column takes and refuses is
 * unchanged, and a refusal names the same constraint (test/medium/checks.medium-spec.ts). The checks over two
 * columns stay on their tables.
 *
 * The columns change type first to domains without a constraint (binary-compatible: no table is rewritten, but the
 * partial indexes whose predicates read them are built again), then each domain gets its constraint, which PostgreSQL
 * checks against the rows already stored (one scan of each table per domain). All under the tables' locks: every node
 * stops for it (README, "Upgrading"). A column whose type changes loses its statistics: the five tables that hold rows
 * are analysed again at the end, so that no plan is made on a table without them until autovacuum would get to it. An
 * empty one (a new installation) is left never analysed: analysed empty, the planner would take it for one that stays
 * empty and plan the first roster import, then the first calls, as if it were (a 10,000-row import took over a minute).
 */
const COUNTRIES = ['BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'];
const list = (values: string[], type: string) => `'{${values.join(',')}}'::${type}[]`;
/** The check as a SQL expression of `x` (VALUE in a domain, the column on a table). */
const oneOf = (values: string[]) => (x: string) => `${x}::text = ANY (${list(values, 'text')})`;
const within = (values: string[], type: string) => (x: string) => `${x} <@ ${list(values, type)}`;

type Domain = { name: string; base: string; table: string; column: string; constraint: string; check: (x: string) => string };

const DOMAINS: Domain[] = [
  {
    name: 'request_state',
    base: 'varchar(12)',
    table: 'interpretation_requests',
    column: 'state',
    constraint: 'interpretation_requests_state_check',
    check: oneOf(['queued', 'offering', 'accepted', 'connected', 'completed', 'cancelled', 'unmatched', 'abandoned']),
  },
  {
    name: 'request_matter',
    base: 'varchar(20)',
    table: 'interpretation_requests',
    column: 'matter',
    constraint: 'interpretation_requests_matter_check',
    check: oneOf(['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other']),
  },
  {
    name: 'request_urgency',
    base: 'varchar(10)',
    table: 'interpretation_requests',
    column: 'urgency',
    constraint: 'interpretation_requests_urgency_check',
    check: oneOf(['normal', 'urgent', 'emergency']),
  },
  {
    name: 'request_country',
    base: 'char(2)',
    table: 'interpretation_requests',
    column: 'country',
    constraint: 'interpretation_requests_country_check',
    check: (x) => `${x} = ANY (${list(COUNTRIES, 'bpchar')})`,
  },
  {
    name: 'offer_outcome',
    base: 'varchar(10)',
    table: 'offers',
    column: 'outcome',
    constraint: 'offers_outcome_check',
    check: oneOf(['accepted', 'declined', 'expired', 'withdrawn']),
  },
  {
    name: 'offer_leg',
    base: 'varchar(6)',
    table: 'offers',
    column: 'leg',
    constraint: 'offers_leg_check',
    check: oneOf(['direct', 'source', 'relay']),
  },
  {
    name: 'offer_tier',
    base: 'smallint',
    table: 'offers',
    column: 'tier',
    constraint: 'offers_tier_check',
    check: (x) => `${x} >= 1 AND ${x} <= 4`,
  },
  {
    name: 'session_feedback',
    base: 'varchar(12)',
    table: 'sessions',
    column: 'feedback',
    constraint: 'sessions_feedback_check',
    check: oneOf(['helped', 'unsure', 'not_helped']),
  },
  {
    name: 'session_referrals',
    base: 'varchar(20)[]',
    table: 'sessions',
    column: 'referred_to',
    constraint: 'sessions_referred_to_check',
    check: within(['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection'], 'varchar(20)'),
  },
  {
    name: 'session_signs',
    base: 'varchar(20)[]',
    table: 'sessions',
    column: 'signs',
    constraint: 'sessions_signs_check',
    check: within(['controlled', 'quick_exit'], 'varchar(20)'),
  },
  {
    name: 'session_participant_roles',
    base: 'text[]',
    table: 'sessions',
    column: 'participant_roles',
    constraint: 'sessions_participant_roles_known',
    check: within(['caller', 'interpreter', 'relay_interpreter', 'team_interpreter', 'official'], 'text'),
  },
  {
    name: 'session_interpreter_role',
    base: 'varchar(20)',
    table: 'session_interpreters',
    column: 'role',
    constraint: 'session_interpreters_role_check',
    check: oneOf(['interpreter', 'relay_interpreter', 'team_interpreter']),
  },
  {
    name: 'interpreter_country',
    base: 'char(2)',
    table: 'interpreters',
    column: 'country',
    constraint: 'interpreters_country_check',
    check: (x) => `${x} = ANY (${list(COUNTRIES, 'bpchar')})`,
  },
  {
    name: 'interpreter_gender',
    base: 'varchar(10)',
    table: 'interpreters',
    column: 'gender',
    constraint: 'interpreters_gender_check',
    check: oneOf(['female', 'male', 'other']),
  },
  {
    name: 'interpreter_status',
    base: 'varchar(10)',
    table: 'interpreters',
    column: 'status',
    constraint: 'interpreters_status_check',
    check: oneOf(['active', 'suspended']),
  },
  {
    name: 'interpreter_specialties',
    base: 'varchar(20)[]',
    table: 'interpreters',
    column: 'specialties',
    constraint: 'interpreters_specialties_check',
    check: within(['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'children', 'asylum', 'health'], 'varchar'),
  },
  {
    name: 'interpreter_first_name',
    base: 'varchar(60)',
    table: 'interpreters',
    column: 'first_name',
    constraint: 'interpreters_first_name_check',
    check: (x) => `char_length(${x}::text) >= 1 AND char_length(${x}::text) <= 60`,
  },
  {
    name: 'interpreter_email',
    base: 'varchar(254)',
    table: 'interpreters',
    column: 'email',
    constraint: 'interpreters_email_check',
    check: (x) => `${x}::text = lower(${x}::text)`,
  },
  {
    name: 'interpreter_external_id',
    base: 'varchar(64)',
    table: 'interpreters',
    column: 'external_id',
    constraint: 'interpreters_external_id_check',
    check: (x) => `${x}::text ~ '^[A-Za-z0-9._-]{1,64}$'`,
  },
];

const TABLES = [...new Set(DOMAINS.map((d) => d.table))];
const of = (table: string) => DOMAINS.filter((d) => d.table === table);
const ANALYZE_THOSE_WITH_ROWS = `DO $$ BEGIN
  ${TABLES.map((t) => `IF EXISTS (SELECT 1 FROM ${t}) THEN ANALYZE ${t}; END IF;`).join('\n  ')}
END $$`;

export class ValueDomains1765870000000 implements MigrationInterface {
  name = 'ValueDomains1765870000000';

  async up(q: QueryRunner): Promise<void> {
    for (const d of DOMAINS) await q.query(`CREATE DOMAIN ${d.name} AS ${d.base}`);
    for (const table of TABLES)
      await q.query(
        `ALTER TABLE ${table} ${of(table)
          .map((d) => `DROP CONSTRAINT ${d.constraint}, ALTER COLUMN ${d.column} TYPE ${d.name}`)
          .join(', ')}`,
      );
    for (const d of DOMAINS) await q.query(`ALTER DOMAIN ${d.name} ADD CONSTRAINT ${d.constraint} CHECK (${d.check('VALUE')})`);
    await q.query(ANALYZE_THOSE_WITH_ROWS);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES)
      await q.query(
        `ALTER TABLE ${table} ${of(table)
          .map((d) => `ALTER COLUMN ${d.column} TYPE ${d.base}, ADD CONSTRAINT ${d.constraint} CHECK (${d.check(d.column)})`)
          .join(', ')}`,
      );
    for (const d of DOMAINS) await q.query(`DROP DOMAIN ${d.name}`);
    await q.query(ANALYZE_THOSE_WITH_ROWS);
  }
}
