import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Institutions become records (issue 11): an official belongs to one by id and bookings are scoped by it,
 * never by a name that anyone could type again in another country. Existing rows get one institution per
 * distinct (country, name), kind `other` until an admin says what it is.
 */
export class Institutions1764710000000 implements MigrationInterface {
  name = 'Institutions1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE institutions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        country char(2) NOT NULL,
        name varchar(120) NOT NULL CHECK (length(btrim(name)) > 0),
        kind varchar(20) NOT NULL CHECK (kind IN ('court', 'prosecutor', 'consulate', 'shelter', 'migration', 'police', 'health', 'other')),
        language_id uuid REFERENCES languages (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT institutions_country_name UNIQUE (country, name)
      )`);
    await q.query(`
      INSERT INTO institutions (country, name, kind)
      SELECT DISTINCT country, institution, 'other' FROM users WHERE role = 'official' AND institution IS NOT NULL AND country IS NOT NULL
      UNION
      SELECT DISTINCT country, institution, 'other' FROM bookings
      ON CONFLICT DO NOTHING`);

    await q.query(`ALTER TABLE bookings ADD COLUMN institution_id uuid CONSTRAINT bookings_institution_fk REFERENCES institutions (id)`);
    await q.query(`UPDATE bookings b SET institution_id = i.id FROM institutions i WHERE i.country = b.country AND i.name = b.institution`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN institution_id SET NOT NULL`);
    await q.query(`DROP INDEX bookings_institution`);
    await q.query(`ALTER TABLE bookings DROP COLUMN institution`);
    await q.query(`CREATE INDEX bookings_institution ON bookings (institution_id, starts_at)`);
    await q.query(`ALTER TABLE users ADD COLUMN institution_id uuid CONSTRAINT users_institution_fk REFERENCES institutions (id)`);
    await q.query(`UPDATE users u SET institution_id = i.id FROM institutions i WHERE u.role = 'official' AND i.country = u.country AND i.name = u.institution`);
    // An official without a country is placed by the bookings she made (and takes their country).
    await q.query(`UPDATE users u SET institution_id = b.institution_id, country = b.country FROM bookings b WHERE u.role = 'official' AND u.institution_id IS NULL AND b.official_id = u.id`);
    // An official with no country and no bookings cannot be placed: her account is removed.
    await q.query(`DELETE FROM users WHERE role = 'official' AND institution_id IS NULL AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.official_id = users.id)`);
    await q.query(`ALTER TABLE users DROP COLUMN institution`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_institution_iff_official CHECK ((role = 'official') = (institution_id IS NOT NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE bookings ADD COLUMN institution varchar(120)`);
    await q.query(`UPDATE bookings b SET institution = i.name FROM institutions i WHERE i.id = b.institution_id`);
    await q.query(`DROP INDEX bookings_institution`);
    await q.query(`ALTER TABLE bookings DROP COLUMN institution_id`);
    await q.query(`ALTER TABLE bookings ALTER COLUMN institution SET NOT NULL`);
    await q.query(`CREATE INDEX bookings_institution ON bookings (institution, starts_at)`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_institution_iff_official`);
    await q.query(`ALTER TABLE users ADD COLUMN institution varchar(120)`);
    await q.query(`UPDATE users u SET institution = i.name FROM institutions i WHERE i.id = u.institution_id`);
    await q.query(`ALTER TABLE users DROP COLUMN institution_id`);
    await q.query(`ALTER TABLE users ADD CHECK (role <> 'official' OR institution IS NOT NULL)`);
    await q.query(`DROP TABLE institutions`);
  }
}
