import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The same CHECK constraints on the tables every call writes, each list written as one array constant instead of a
 * list of constants. PostgreSQL reads a table's CHECK constraints from their stored expression trees and compiles
 * them again in every statement that inserts or updates a row of it (each statement of the matching functions:
 * about a hundred per call); a list of n constants is n nodes to read, an array constant one. In the SQL benchmark,
 * reading and compiling them was 7.8 % of PostgreSQL's CPU per call (BENCHMARKS.md, "Stop 32"). What each allows is
 * unchanged (the tests' refused values are refused the same way, under the same names).
 */
const CHECKS: { table: string; name: string; now: string; before: string }[] = [
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_check',
    now: `(state::text = ANY ('{completed,cancelled,unmatched,abandoned}'::text[])) = (ended_at IS NOT NULL)`,
    before: `(state IN ('completed', 'cancelled', 'unmatched', 'abandoned')) = (ended_at IS NOT NULL)`,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_country_check',
    now: `country = ANY ('{BZ,CA,CR,DO,SV,GT,HN,MX,NI,PA,US}'::bpchar[])`,
    before: `country IN ('BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US')`,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_matter_check',
    now: `matter::text = ANY ('{legal_civil,legal_labour,legal_criminal,violence,trafficking,other}'::text[])`,
    before: `matter IN ('legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other')`,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_state_check',
    now: `state::text = ANY ('{queued,offering,accepted,connected,completed,cancelled,unmatched,abandoned}'::text[])`,
    before: `state IN ('queued', 'offering', 'accepted', 'connected', 'completed', 'cancelled', 'unmatched', 'abandoned')`,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_urgency_check',
    now: `urgency::text = ANY ('{normal,urgent,emergency}'::text[])`,
    before: `urgency IN ('normal', 'urgent', 'emergency')`,
  },
  {
    table: 'interpreters',
    name: 'interpreters_country_check',
    now: `country = ANY ('{BZ,CA,CR,DO,SV,GT,HN,MX,NI,PA,US}'::bpchar[])`,
    before: `country IN ('BZ', 'CA', 'CR', 'DO', 'SV', 'GT', 'HN', 'MX', 'NI', 'PA', 'US')`,
  },
  {
    table: 'interpreters',
    name: 'interpreters_gender_check',
    now: `gender::text = ANY ('{female,male,other}'::text[])`,
    before: `gender IN ('female', 'male', 'other')`,
  },
  {
    table: 'interpreters',
    name: 'interpreters_specialties_check',
    now: `specialties <@ '{legal_civil,legal_labour,legal_criminal,violence,trafficking,children,asylum,health}'::varchar[]`,
    before: `specialties <@ ARRAY['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'children', 'asylum', 'health']::varchar[]`,
  },
  {
    table: 'interpreters',
    name: 'interpreters_status_check',
    now: `status::text = ANY ('{active,suspended}'::text[])`,
    before: `status IN ('active', 'suspended')`,
  },
  {
    table: 'offers',
    name: 'offers_leg_check',
    now: `leg::text = ANY ('{direct,source,relay}'::text[])`,
    before: `leg IN ('direct', 'source', 'relay')`,
  },
  {
    table: 'offers',
    name: 'offers_outcome_check',
    now: `outcome::text = ANY ('{accepted,declined,expired,withdrawn}'::text[])`,
    before: `outcome IN ('accepted', 'declined', 'expired', 'withdrawn')`,
  },
  {
    table: 'session_interpreters',
    name: 'session_interpreters_role_check',
    now: `role::text = ANY ('{interpreter,relay_interpreter,team_interpreter}'::text[])`,
    before: `role IN ('interpreter', 'relay_interpreter', 'team_interpreter')`,
  },
  {
    table: 'sessions',
    name: 'sessions_feedback_check',
    now: `feedback::text = ANY ('{helped,unsure,not_helped}'::text[])`,
    before: `feedback IN ('helped', 'unsure', 'not_helped')`,
  },
  {
    table: 'sessions',
    name: 'sessions_participant_roles_known',
    now: `participant_roles <@ '{caller,interpreter,relay_interpreter,team_interpreter,official}'::text[]`,
    before: `participant_roles <@ ARRAY['caller', 'interpreter', 'relay_interpreter', 'team_interpreter', 'official']`,
  },
  {
    table: 'sessions',
    name: 'sessions_referred_to_check',
    now: `referred_to <@ '{legal_aid,shelter,health,consulate,police,child_protection}'::varchar(20)[]`,
    before: `referred_to <@ ARRAY['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection']::varchar(20)[]`,
  },
  {
    table: 'sessions',
    name: 'sessions_signs_check',
    now: `signs <@ '{controlled,quick_exit}'::varchar(20)[]`,
    before: `signs <@ ARRAY['controlled', 'quick_exit']::varchar(20)[]`,
  },
];

/** One ALTER TABLE per table: PostgreSQL checks all of a table's new constraints in one scan of its rows. */
async function replace(q: QueryRunner, which: 'now' | 'before') {
  for (const table of [...new Set(CHECKS.map((c) => c.table))]) {
    const mine = CHECKS.filter((c) => c.table === table);
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
