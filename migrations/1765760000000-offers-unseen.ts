import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An offer her console did not show in time (issue 15: `offer:seen` not said within OFFER_SEEN_SECONDS; the offer is
 * pushed to her devices): `unseen`. An emergency's unseen offer keeps ringing for her, but no longer counts among
 * those ringing at once, so the next candidate rings at once too.
 */
export class OffersUnseen1765760000000 implements MigrationInterface {
  name = 'OffersUnseen1765760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers ADD COLUMN unseen boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE offers DROP COLUMN unseen`);
  }
}
