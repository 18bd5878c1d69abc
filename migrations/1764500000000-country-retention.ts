import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;

/** How long each member state keeps the metadata of its calls and hearings (RETENTION_DAYS where unset). */
export class CountryRetention1764500000000 implements MigrationInterface {
  name = 'CountryRetention1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE country_retention (
        country char(2) PRIMARY KEY CHECK (country IN (${COUNTRIES})),
        days integer NOT NULL CHECK (days BETWEEN 1 AND 3650),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX requests_ended ON interpretation_requests (ended_at) WHERE ended_at IS NOT NULL`);
    await q.query(`CREATE INDEX bookings_ended ON bookings (ends_at) WHERE state IN ('completed', 'cancelled')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX bookings_ended`);
    await q.query(`DROP INDEX requests_ended`);
    await q.query(`DROP TABLE country_retention`);
  }
}
