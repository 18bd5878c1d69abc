import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interpreters' recorded greetings: a profile asset she made with her consent and can delete (never session
 * content: the server has no code path that records a call). One per interpreter and language variant.
 */
export class Greetings1764300000000 implements MigrationInterface {
  name = 'Greetings1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interpreter_greetings (
        interpreter_id uuid NOT NULL REFERENCES interpreters(id) ON DELETE CASCADE,
        language_id uuid NOT NULL REFERENCES languages(id) ON DELETE CASCADE,
        consented_at timestamptz NOT NULL,
        content_type varchar(40) NOT NULL CHECK (content_type IN ('audio/webm')),
        size integer NOT NULL CHECK (size > 0 AND size <= 262144),
        duration_ms integer NOT NULL CHECK (duration_ms > 0 AND duration_ms <= 10500),
        audio bytea NOT NULL CHECK (octet_length(audio) = size),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (interpreter_id, language_id)
      )`);
    await q.query(`CREATE INDEX interpreter_greetings_language ON interpreter_greetings (language_id, updated_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE interpreter_greetings`);
  }
}
