import { MigrationInterface, QueryRunner } from 'typeorm';

const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const KINDS = `'legal_aid','shelter','health','consulate','police','child_protection','other'`;

/**
 * Where help is (issue 16, item 6): each roster admin's directory of services in her country, shown to interpreters
 * during a call and to officials. Public facts about services only: never linked to a woman, a call or a request.
 */
export class ServicesDirectory1765810000000 implements MigrationInterface {
  name = 'ServicesDirectory1765810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE services (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
        name varchar(120) NOT NULL CHECK (char_length(name) BETWEEN 2 AND 120),
        kind varchar(20) NOT NULL CHECK (kind IN (${KINDS})),
        area varchar(120) NOT NULL CHECK (char_length(area) BETWEEN 1 AND 120),
        phone varchar(40) NOT NULL,
        hours varchar(120),
        language_ids uuid[] NOT NULL DEFAULT '{}',
        minors boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX services_country_kind ON services (country, kind)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE services`);
  }
}
