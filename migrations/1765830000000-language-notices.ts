import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A spoken notice per language variant (issue 16, item 3): what the service is, recorded by staff with consent and
 * published by a roster admin, like a language's spoken name, so both live in one table with a `kind`:
 * `name` (at most 5 s), `notice` and `child_notice` (the same in simple words for a girl; at most 40 s each).
 * One published recording per language and kind; one pending per person, language and kind.
 */
export class LanguageNotices1765830000000 implements MigrationInterface {
  name = 'LanguageNotices1765830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE language_spoken_names RENAME TO language_recordings`);
    await q.query(`ALTER TABLE language_recordings ADD COLUMN kind varchar(12) NOT NULL DEFAULT 'name'
      CHECK (kind IN ('name', 'notice', 'child_notice'))`);
    await q.query(`ALTER TABLE language_recordings ALTER COLUMN kind DROP DEFAULT`);
    await q.query(`ALTER TABLE language_recordings
      DROP CONSTRAINT language_spoken_names_size_check,
      DROP CONSTRAINT language_spoken_names_duration_ms_check,
      ADD CONSTRAINT language_recordings_size_check CHECK (size > 0 AND size <= CASE kind WHEN 'name' THEN 131072 ELSE 1048576 END),
      ADD CONSTRAINT language_recordings_duration_check CHECK (duration_ms > 0 AND duration_ms <= CASE kind WHEN 'name' THEN 5500 ELSE 40500 END)`);
    await q.query(`DROP INDEX spoken_names_one_published`);
    await q.query(`DROP INDEX spoken_names_one_pending_each`);
    await q.query(
      `CREATE UNIQUE INDEX language_recordings_one_published ON language_recordings (language_id, kind) WHERE state = 'published'`,
    );
    await q.query(
      `CREATE UNIQUE INDEX language_recordings_one_pending_each ON language_recordings (language_id, kind, recorded_by) WHERE state = 'pending'`,
    );
    await q.query(`ALTER INDEX spoken_names_recorded_by RENAME TO language_recordings_recorded_by`);
    await renameInherited(q, 'language_spoken_names', 'language_recordings');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM language_recordings WHERE kind <> 'name'`);
    await q.query(`ALTER INDEX language_recordings_recorded_by RENAME TO spoken_names_recorded_by`);
    await q.query(`DROP INDEX language_recordings_one_pending_each`);
    await q.query(`DROP INDEX language_recordings_one_published`);
    await q.query(`ALTER TABLE language_recordings
      DROP CONSTRAINT language_recordings_size_check,
      DROP CONSTRAINT language_recordings_duration_check,
      ADD CONSTRAINT language_spoken_names_size_check CHECK (size > 0 AND size <= 131072),
      ADD CONSTRAINT language_spoken_names_duration_ms_check CHECK (duration_ms > 0 AND duration_ms <= 5500)`);
    await q.query(`ALTER TABLE language_recordings DROP COLUMN kind`);
    await renameInherited(q, 'language_recordings', 'language_spoken_names');
    await q.query(`ALTER TABLE language_recordings RENAME TO language_spoken_names`);
    await q.query(`CREATE UNIQUE INDEX spoken_names_one_published ON language_spoken_names (language_id) WHERE state = 'published'`);
    await q.query(
      `CREATE UNIQUE INDEX spoken_names_one_pending_each ON language_spoken_names (language_id, recorded_by) WHERE state = 'pending'`,
    );
  }
}

/** The constraints the table kept from its first name (its key, references and checks), named for the table again. */
const INHERITED = [
  'pkey',
  'language_id_fkey',
  'recorded_by_fkey',
  'published_by_fkey',
  'recorder_role_check',
  'state_check',
  'content_type_check',
  'check',
  'check1',
];

async function renameInherited(q: QueryRunner, from: string, to: string) {
  // (Run while the table is called language_recordings, on the way up and on the way down.)
  for (const suffix of INHERITED) {
    const [found] = await q.query(`SELECT 1 FROM pg_constraint WHERE conrelid = 'language_recordings'::regclass AND conname = $1`, [
      `${from}_${suffix}`,
    ]);
    if (found) await q.query(`ALTER TABLE language_recordings RENAME CONSTRAINT ${from}_${suffix} TO ${to}_${suffix}`);
  }
}
