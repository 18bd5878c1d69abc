import { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of the domain lists as they were when this migration was written: a migration must not
// change meaning when src/common changes later (a new country or specialty gets its own migration).
const COUNTRIES = `'BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US'`;
const SPECIALTIES = `'legal_civil','legal_labour','legal_criminal','violence','trafficking','children','asylum','health'`;

export class Rosters1763800200000 implements MigrationInterface {
  name = 'Rosters1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interpreters (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        country char(2) NOT NULL CHECK (country IN (${COUNTRIES})),
        external_id varchar(64) NOT NULL CHECK (external_id ~ '^[A-Za-z0-9._-]{1,64}$'),
        first_name varchar(60) NOT NULL CHECK (char_length(first_name) BETWEEN 1 AND 60),
        email varchar(254) NOT NULL CHECK (email = lower(email)),
        gender varchar(10) CHECK (gender IN ('female', 'male', 'other')),
        status varchar(10) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
        specialties varchar(20)[] NOT NULL DEFAULT '{}' CHECK (specialties <@ ARRAY[${SPECIALTIES}]::varchar[]),
        certification_body varchar(120),
        certification_number varchar(60),
        certification_expires date,
        last_session_ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT interpreters_country_external_id UNIQUE (country, external_id)
      )`);
    // Matching filters a roster by its active interpreters first.
    await q.query(`CREATE INDEX interpreters_country_status ON interpreters (country, status)`);

    await q.query(`
      CREATE TABLE interpreter_languages (
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        language_id uuid NOT NULL REFERENCES languages(id) ON DELETE RESTRICT,
        level smallint NOT NULL CHECK (level BETWEEN 1 AND 5),
        PRIMARY KEY (interpreter_id, language_id)
      )`);
    // Matching starts from a language variant and looks for who covers it.
    await q.query(`CREATE INDEX interpreter_languages_language ON interpreter_languages (language_id)`);

    await q.query(`
      CREATE TABLE interpreter_relay_languages (
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        language_id uuid NOT NULL REFERENCES languages(id) ON DELETE RESTRICT,
        PRIMARY KEY (interpreter_id, language_id)
      )`);
    await q.query(`CREATE INDEX interpreter_relay_languages_language ON interpreter_relay_languages (language_id)`);

    await q.query(`
      CREATE TABLE roster_sharing (
        owner_country char(2) NOT NULL CHECK (owner_country IN (${COUNTRIES})),
        borrower_country char(2) NOT NULL CHECK (borrower_country IN (${COUNTRIES})),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (owner_country, borrower_country),
        CHECK (owner_country <> borrower_country)
      )`);
    // "Which rosters may serve a caller in country B" reads by borrower.
    await q.query(`CREATE INDEX roster_sharing_borrower ON roster_sharing (borrower_country)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE roster_sharing`);
    await q.query(`DROP TABLE interpreter_relay_languages`);
    await q.query(`DROP TABLE interpreter_languages`);
    await q.query(`DROP TABLE interpreters`);
  }
}
