import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The CHECK constraints over two columns of the tables every call writes (an ended request has its end and no caller,
 * an offer decided has its time, a hold only while live…) become one BEFORE ROW trigger per table, raising the same
 * error (check_violation, the same constraint name). PostgreSQL reads every CHECK constraint of a table from its stored
 * text and compiles it again in every statement that inserts or updates one of its rows, whichever columns it sets:
 * these eight were 5.9 % of the instructions a call costs PostgreSQL (BENCHMARKS.md, "Stop 45"). A PL/pgSQL trigger is
 * compiled once per connection and fires only on an insert, or on an update that sets one of the columns its checks
 * read (an update that sets none leaves a row the checks already passed as it was): 4.1 % fewer in all. What each
 * table takes and refuses is unchanged (test/medium/checks.medium-spec.ts). The single-column checks are domains
 * (migration 1765870000000). The triggers fire before each table's time-order trigger (by name): those move a time
 * that is set, never set or clear one, so nothing a check reads. Unlike a CHECK, a trigger does not run under
 * `session_replication_role = replica` (a data-only restore with `--disable-triggers`); nothing here loads rows so.
 * PostgreSQL refuses to change the type of, or drop, a column a trigger's `UPDATE OF` names: a later migration that
 * does must take these triggers down first (as checks.medium-spec.ts does around 1765870000000's down).
 */
type RowCheck = { table: string; name: string; check: (col: (name: string) => string) => string };

const CHECKS: RowCheck[] = [
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_check',
    check: (c) => `(${c('state')}::text = ANY ('{completed,cancelled,unmatched,abandoned}'::text[])) = (${c('ended_at')} IS NOT NULL)`,
  },
  {
    table: 'interpretation_requests',
    name: 'interpretation_requests_check1',
    check: (c) => `${c('ended_at')} IS NULL OR ${c('caller_sub')} IS NULL`,
  },
  {
    table: 'interpretation_requests',
    name: 'requests_relay_since',
    check: (c) => `(${c('relay_language_id')} IS NULL) = (${c('relay_since')} IS NULL)`,
  },
  { table: 'offers', name: 'offers_check', check: (c) => `(${c('outcome')} IS NULL) = (${c('decided_at')} IS NULL)` },
  {
    table: 'offers',
    name: 'offers_holds_while_live',
    check: (c) => `NOT ${c('holds')} OR ${c('outcome')} IS NULL OR ${c('outcome')}::text = 'accepted'`,
  },
  { table: 'offers', name: 'offers_pending_holds', check: (c) => `${c('outcome')} IS NOT NULL OR ${c('holds')}` },
  { table: 'sessions', name: 'sessions_caller_sub_live', check: (c) => `${c('ended_at')} IS NULL OR ${c('caller_sub')} IS NULL` },
  {
    table: 'sessions',
    name: 'sessions_request_or_booking',
    check: (c) => `${c('request_id')} IS NULL OR ${c('booking_id')} IS NULL`,
  },
];

const TABLES = [...new Set(CHECKS.map((k) => k.table))];
const of = (table: string) => CHECKS.filter((k) => k.table === table);
/** The columns a check reads: the trigger fires on an update that sets any of them. */
function columns(checks: RowCheck[]): string[] {
  const read = new Set<string>();
  for (const k of checks)
    k.check((name) => {
      read.add(name);
      return name;
    });
  return [...read];
}

/**
 * The table's trigger function: each check as the table had it (null passes, as in a CHECK), refused with
 * PostgreSQL's own message and fields for a CHECK constraint, so that a client reading `constraint` sees no change.
 */
function triggerFunction(table: string): string {
  const raise = (k: RowCheck) => `  IF NOT (${k.check((name) => `NEW.${name}`)}) THEN
    RAISE EXCEPTION 'new row for relation "%" violates check constraint "%"', TG_TABLE_NAME, '${k.name}'
      USING ERRCODE = 'check_violation', CONSTRAINT = '${k.name}', TABLE = TG_TABLE_NAME, SCHEMA = TG_TABLE_SCHEMA;
  END IF;`;
  return `CREATE FUNCTION ${table}_row_checks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${of(table).map(raise).join('\n')}
  RETURN NEW;
END $$`;
}

export class RowChecks1765880000000 implements MigrationInterface {
  name = 'RowChecks1765880000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(triggerFunction(table));
      await q.query(
        `CREATE TRIGGER ${table}_row_checks BEFORE INSERT OR UPDATE OF ${columns(of(table)).join(', ')} ON ${table}
         FOR EACH ROW EXECUTE FUNCTION ${table}_row_checks()`,
      );
      await q.query(
        `ALTER TABLE ${table} ${of(table)
          .map((k) => `DROP CONSTRAINT ${k.name}`)
          .join(', ')}`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(
        `ALTER TABLE ${table} ${of(table)
          .map((k) => `ADD CONSTRAINT ${k.name} CHECK (${k.check((name) => name)})`)
          .join(', ')}`,
      );
      await q.query(`DROP TRIGGER ${table}_row_checks ON ${table}`);
      await q.query(`DROP FUNCTION ${table}_row_checks()`);
    }
  }
}
