import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const MATTERS = `'legal_civil','legal_labour','legal_criminal','violence','trafficking','other'`;

/**
 * Which matters, and whether hearings, need a valid certification, per country (the country where the matter
 * is handled). A country without a row has the default of src/matching/sql/10-ladder.sql
 * (`ladder_needs_certificate`): the three legal matters and every hearing.
 */
export class CertificationRules1765500000000 implements MigrationInterface {
  name = 'CertificationRules1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE certification_rules (
        country char(2) PRIMARY KEY CHECK (country IN (${COUNTRIES})),
        matters varchar(20)[] NOT NULL CHECK (matters <@ ARRAY[${MATTERS}]::varchar(20)[]),
        hearings boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE certification_rules`);
  }
}
