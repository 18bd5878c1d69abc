import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The same CHECK constraints on the tables every call writes, each list written as one array constant instead of a
 * list of constants. PostgreSQL reads a table's CHECK constraints from their stored expression trees and compiles
 * them again in every statement that inserts or updates a row of it (each statement of the matching functions:
 * about a hundred per call); a list of n constants is n nodes to read, an array constant one. In the SQL benchmark,
 * reading and compiling them was 7.8 % of PostgreSQL's CPU per call (BENCHMARKS.md, "Stop 32"). What each allows is
 * unchanged (the tests' refused values are refused the same way, under the same names).
 */
const COUNTRIES = ['BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US'];
const ENDED = ['completed', 'cancelled', 'unmatched', 'abandoned'];

/**
 * One constraint: `in`, its column takes one of the values (`col IN (...)`, compared as text, or as bpchar for
 * country codes); `within`, its array column holds only values of the list, of the array type `type`.
 */
type Check = { table: string; name: string; column: string; values: string[] } & (
  { kind: 'in'; bpchar?: true } | { kind: 'within'; type: string; typed: boolean }
);

const CHECKS: Check[] = [
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_country_check',
    column: 'country',
    kind: 'in',
    bpchar: true,
    values: COUNTRIES,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_matter_check',
    column: 'matter',
    kind: 'in',
    values: ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other'],
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_state_check',
    column: 'state',
    kind: 'in',
    values: ['queued', 'offering', 'accepted', 'connected', ...ENDED],
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_urgency_check',
    column: 'urgency',
    kind: 'in',
    values: ['normal', 'urgent', 'emergency'],
  },
  { table: 'interpreters', name: 'interpreters_country_check', column: 'country', kind: 'in', bpchar: true, values: COUNTRIES },
  { table: 'interpreters', name: 'interpreters_gender_check', column: 'gender', kind: 'in', values: ['female', 'male', 'other'] },
  { table: 'interpreters', name: 'interpreters_status_check', column: 'status', kind: 'in', values: ['active', 'suspended'] },
  {
    table: 'interpreters',
    name: 'interpreters_specialties_check',
    column: 'specialties',
    kind: 'within',
    type: 'varchar',
    typed: true,
    values: ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'children', 'asylum', 'health'],
  },
  { table: 'offers', name: 'offers_leg_check', column: 'leg', kind: 'in', values: ['direct', 'source', 'relay'] },
  {
    table: 'offers',
    name: 'offers_outcome_check',
    column: 'outcome',
    kind: 'in',
    values: ['accepted', 'declined', 'expired', 'withdrawn'],
  },
  {
    table: 'session_interpreters',
    name: 'session_interpreters_role_check',
    column: 'role',
    kind: 'in',
    values: ['interpreter', 'relay_interpreter', 'team_interpreter'],
  },
  { table: 'sessions', name: 'sessions_feedback_check', column: 'feedback', kind: 'in', values: ['helped', 'unsure', 'not_helped'] },
  {
    table: 'sessions',
    name: 'sessions_participant_roles_known',
    column: 'participant_roles',
    kind: 'within',
    type: 'text',
    typed: false,
    values: ['caller', 'interpreter', 'relay_interpreter', 'team_interpreter', 'official'],
  },
  {
    table: 'sessions',
    name: 'sessions_referred_to_check',
    column: 'referred_to',
    kind: 'within',
    type: 'varchar(20)',
    typed: true,
    values: ['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection'],
  },
  {
    table: 'sessions',
    name: 'sessions_signs_check',
    column: 'signs',
    kind: 'within',
    type: 'varchar(20)',
    typed: true,
    values: ['controlled', 'quick_exit'],
  },
];

const quoted = (values: string[]) => values.map((v) => `'${v}'`).join(', ');
const constant = (values: string[], type: string) => `'{${values.join(',')}}'::${type}[]`;

/** The constraint as this migration writes it (`now`) and as the migrations before it wrote it (`before`). */
function definition(c: Check, which: 'now' | 'before'): string {
  if (c.kind === 'in')
    return which === 'now'
      ? `${c.bpchar ? c.column : `${c.column}::text`} = ANY (${constant(c.values, c.bpchar ? 'bpchar' : 'text')})`
      : `${c.column} IN (${quoted(c.values)})`;
  return which === 'now'
    ? `${c.column} <@ ${constant(c.values, c.type)}`
    : `${c.column} <@ ARRAY[${quoted(c.values)}]${c.typed ? `::${c.type}[]` : ''}`;
}

/** An ended request, and only an ended one, has its end time (the state list of the same table, as one constant). */
const REQUEST_ENDED = {
  table: 'interpretation_requests',
  name: 'interpretation_requests_check',
  now: `(state::text = ANY (${constant(ENDED, 'text')})) = (ended_at IS NOT NULL)`,
  before: `(state IN (${quoted(ENDED)})) = (ended_at IS NOT NULL)`,
};

/** One ALTER TABLE per table: PostgreSQL checks all of a table's new constraints in one scan of its rows. */
async function replace(q: QueryRunner, which: 'now' | 'before') {
  const all = [REQUEST_ENDED, ...CHECKS.map((c) => ({ table: c.table, name: c.name, [which]: definition(c, which) }))];
  for (const table of [...new Set(all.map((c) => c.table))]) {
    const mine = all.filter((c) => c.table === table);
    await q.query(
      `ALTER TABLE ${table} ${mine.map((c) => `DROP CONSTRAINT ${c.name}, ADD CONSTRAINT ${c.name} CHECK (${c[which]})`).join(', ')}`,
    );
  }
}

export class CompactChecks1765850000000 implements MigrationInterface {
  name = 'CompactChecks1765850000000';

  async up(q: QueryRunner): Promise<void> {
    await replace(q, 'now');
  }

  async down(q: QueryRunner): Promise<void> {
    await replace(q, 'before');
  }
}
