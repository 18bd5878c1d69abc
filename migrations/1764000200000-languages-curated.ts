import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalogue now holds the whole of ISO 639-3's living languages (loaded at start-up, as the curated rows
 * are: src/languages/languages-catalogue.loader.ts). `curated` tells Puente's own rows (the curated file and
 * administrators' variants) from bare ISO 639-3 entries: the first are listed, and found, before the rest.
 * Rows written before this migration are curated exactly when they have countries (curated rows and variants
 * always do; rows that roster imports added from ISO 639-3 never do) or are relay languages.
 */
export class LanguagesCurated1764000200000 implements MigrationInterface {
  name = 'LanguagesCurated1764000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE languages ADD COLUMN curated boolean NOT NULL DEFAULT false`);
    await q.query(`UPDATE languages SET curated = true WHERE cardinality(countries) > 0 OR is_relay`);
    // Browsing without a query lists the curated rows only, by name.
    await q.query(`CREATE INDEX languages_curated_name ON languages (name) WHERE curated`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX languages_curated_name`);
    await q.query(`ALTER TABLE languages DROP COLUMN curated`);
  }
}
