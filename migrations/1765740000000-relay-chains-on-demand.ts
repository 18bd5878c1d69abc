import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Relay chains on demand (issue 14): when nobody free covers a request's source→target, two interpreters ring at once,
 * one per leg (`offers.leg`: `source` = her language into the relay language, `relay` = the relay language into the
 * target), and the call opens once both have accepted. `interpretation_requests.relay_language_id` is the chain's
 * relay language from when it was planned (`relay_since`, which starts its legs' wait limit, RELAY_WAIT_SECONDS);
 * `relay_off` once a chain could not be filled in time and she is served by one interpreter instead (never planned
 * again for that request). A request is accepted at most once per leg: the unique index now says so.
 */
export class RelayChainsOnDemand1765740000000 implements MigrationInterface {
  name = 'RelayChainsOnDemand1765740000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers ADD COLUMN leg varchar(6) NOT NULL DEFAULT 'direct' CHECK (leg IN ('direct', 'source', 'relay'))`);
    await q.query(`DROP INDEX offers_one_acceptance_per_request`);
    await q.query(
      `CREATE UNIQUE INDEX offers_one_acceptance_per_leg ON offers (request_id, leg) WHERE outcome = 'accepted' AND superseded_at IS NULL`,
    );
    await q.query(`ALTER TABLE interpretation_requests ADD COLUMN relay_language_id uuid REFERENCES languages (id),
                   ADD COLUMN relay_since timestamptz, ADD COLUMN relay_off boolean NOT NULL DEFAULT false,
                   ADD CONSTRAINT requests_relay_since CHECK ((relay_language_id IS NULL) = (relay_since IS NULL))`);
    // The sweep's look for chains past their legs' wait limit: only waiting chained requests, never the history.
    await q.query(`CREATE INDEX requests_relay_waiting ON interpretation_requests (relay_since)
                   WHERE relay_language_id IS NOT NULL AND state IN ('queued', 'offering')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests_relay_waiting`);
    await q.query(`ALTER TABLE interpretation_requests DROP CONSTRAINT requests_relay_since, DROP COLUMN relay_off, DROP COLUMN relay_since,
                   DROP COLUMN relay_language_id`);
    await q.query(`DROP INDEX offers_one_acceptance_per_leg`);
    // A chain's second acceptance would break the older rule: only the source leg's (the lead's) is kept accepted.
    await q.query(
      `UPDATE offers SET superseded_at = coalesce(decided_at, now()) WHERE leg = 'relay' AND outcome = 'accepted' AND superseded_at IS NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX offers_one_acceptance_per_request ON offers (request_id) WHERE outcome = 'accepted' AND superseded_at IS NULL`,
    );
    await q.query(`ALTER TABLE offers DROP COLUMN leg`);
  }
}
