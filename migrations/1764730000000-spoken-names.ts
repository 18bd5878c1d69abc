import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Spoken names of languages: a staff member's short recording of a language's name in that language, so a
 * woman who does not read can find hers by ear. Pending until a roster admin (of a country where it is
 * spoken) or a platform admin publishes it; one published per language, one pending per recorder and
 * language. A catalogue asset made with its maker's consent, never session content. Her account's removal
 * takes her voice with it (ON DELETE CASCADE).
 */
export class SpokenNames1764730000000 implements MigrationInterface {
  name = 'SpokenNames1764730000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE language_spoken_names (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        language_id uuid NOT NULL REFERENCES languages(id) ON DELETE CASCADE,
        state varchar(10) NOT NULL CHECK (state IN ('pending', 'published')),
        recorded_by uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        recorder_role varchar(20) NOT NULL CHECK (recorder_role IN ('interpreter', 'roster_admin')),
        consented_at timestamptz NOT NULL,
        content_type varchar(20) NOT NULL CHECK (content_type IN ('audio/webm', 'audio/ogg')),
        size integer NOT NULL CHECK (size > 0 AND size <= 131072),
        duration_ms integer NOT NULL CHECK (duration_ms > 0 AND duration_ms <= 5500),
        audio bytea NOT NULL CHECK (octet_length(audio) = size),
        published_by uuid REFERENCES users(id) ON DELETE SET NULL,
        published_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((state = 'published') = (published_at IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX spoken_names_one_published ON language_spoken_names (language_id) WHERE state = 'published'`);
    await q.query(`CREATE UNIQUE INDEX spoken_names_one_pending_each ON language_spoken_names (language_id, recorded_by) WHERE state = 'pending'`);
    await q.query(`CREATE INDEX spoken_names_recorded_by ON language_spoken_names (recorded_by)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE language_spoken_names`);
  }
}
