import { MigrationInterface, QueryRunner } from 'typeorm';

const RCM = `ARRAY['BZ','CA','CR','DO','SV','GT','HN','MX','NI','PA','US']::varchar(2)[]`;

/**
 * The language catalogue and the mutual-intelligibility links between its rows. The curated rows are not
 * loaded here but at start-up (src/languages/languages-catalogue.loader.ts), so that a release can add to
 * them without a new migration.
 */
export class Languages1763800100000 implements MigrationInterface {
  name = 'Languages1763800100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE languages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        iso6393 char(3) NOT NULL CHECK (iso6393 ~ '^[a-z]{3}$'),
        variant varchar(60) CHECK (variant ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
        name varchar(120) NOT NULL CHECK (length(btrim(name)) > 0),
        autonym varchar(120),
        countries varchar(2)[] NOT NULL DEFAULT '{}' CHECK (countries <@ ${RCM}),
        is_relay boolean NOT NULL DEFAULT false,
        search_text text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per code and variant; the language as a whole (variant null) counts as the empty variant.
    await q.query(`CREATE UNIQUE INDEX languages_code_variant ON languages (iso6393, (coalesce(variant, '')))`);
    await q.query(`CREATE INDEX languages_countries ON languages USING gin (countries)`);

    // Substring search over search_text wants a trigram index. pg_trgm is a trusted extension on PostgreSQL 13+,
    // but a managed server may still lack it: then fall back to a btree (prefix searches only) rather than fail.
    await q.query(`
      DO $$
      BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
      EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm unavailable (%): languages.search_text gets a btree index', SQLERRM;
      END $$`);
    const [trgm] = await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`);
    await q.query(
      trgm
        ? `CREATE INDEX languages_search_text ON languages USING gin (search_text gin_trgm_ops)`
        : `CREATE INDEX languages_search_text ON languages (search_text text_pattern_ops)`,
    );

    // created_by is the administrator's user id, kept (like audit actor ids) even if her account goes.
    await q.query(`
      CREATE TABLE language_links (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        from_language_id uuid NOT NULL REFERENCES languages (id) ON DELETE CASCADE,
        to_language_id uuid NOT NULL REFERENCES languages (id) ON DELETE CASCADE,
        source varchar(200) NOT NULL CHECK (length(btrim(source)) > 0),
        created_by uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (from_language_id <> to_language_id)
      )`);
    // Intelligibility holds both ways, so (a, b) and (b, a) are the same link.
    await q.query(`
      CREATE UNIQUE INDEX language_links_pair
      ON language_links (least(from_language_id, to_language_id), greatest(from_language_id, to_language_id))`);
    await q.query(`CREATE INDEX language_links_from ON language_links (from_language_id)`);
    await q.query(`CREATE INDEX language_links_to ON language_links (to_language_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE language_links`);
    await q.query(`DROP TABLE languages`);
  }
}
