import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each interpreter's languages, with their levels, and her relay languages, also kept on her own row, so that a
 * dispatch reads each candidate once (her row, by primary key) instead of three times (her row, her languages, her
 * relay languages: three index descents for each of 40-100 candidates; BENCHMARKS.md, issue 13). The tables
 * `interpreter_languages` and `interpreter_relay_languages` stay what is written and what everything else reads;
 * the arrays follow them, by triggers on every insert, update, delete and truncate of either, in the same
 * transaction, so no writer has to remember them. `language_ids` is sorted, and `language_levels[n]` is the level of
 * `language_ids[n]`.
 */
export class InterpreterLanguageArrays1765860000000 implements MigrationInterface {
  name = 'InterpreterLanguageArrays1765860000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE interpreters ADD COLUMN language_ids uuid[] NOT NULL DEFAULT '{}',
      ADD COLUMN language_levels smallint[] NOT NULL DEFAULT '{}', ADD COLUMN relay_language_ids uuid[] NOT NULL DEFAULT '{}'`);
    // Her arrays as her rows now say, for these interpreters (the triggers' and the backfill's one rule). Her row is
    // locked first, in one order, then read afresh (a new statement, a new snapshot): two transactions changing one
    // interpreter's languages at once each store what both wrote, the second after the first commits (without the
    // lock, the second's UPDATE would wait for the first, then store what its older snapshot read). Only rows whose
    // arrays change are written.
    await q.query(`CREATE FUNCTION interpreters_languages_refresh(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM interpreters WHERE id = ANY (p_ids) ORDER BY id FOR NO KEY UPDATE;
        UPDATE interpreters i SET language_ids = n.language_ids, language_levels = n.language_levels, relay_language_ids = n.relay_language_ids
        FROM (
          SELECT x.id, coalesce(l.ids, '{}') AS language_ids, coalesce(l.levels, '{}') AS language_levels,
            ARRAY(SELECT rl.language_id FROM interpreter_relay_languages rl WHERE rl.interpreter_id = x.id ORDER BY rl.language_id)
              AS relay_language_ids
          FROM unnest(p_ids) x (id)
          CROSS JOIN LATERAL (
            SELECT array_agg(il.language_id ORDER BY il.language_id) AS ids, array_agg(il.level ORDER BY il.language_id) AS levels
            FROM interpreter_languages il WHERE il.interpreter_id = x.id
          ) l
        ) n
        WHERE i.id = n.id
          AND (i.language_ids, i.language_levels, i.relay_language_ids) IS DISTINCT FROM (n.language_ids, n.language_levels, n.relay_language_ids);
      END $$`);
    // Statement triggers with transition tables: a roster import writes thousands of rows in one statement, and each
    // interpreter's row is written once for it, not once per language.
    await q.query(`CREATE FUNCTION interpreters_languages_follow() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'TRUNCATE' THEN
          IF TG_TABLE_NAME = 'interpreter_languages' THEN
            UPDATE interpreters SET language_ids = '{}', language_levels = '{}' WHERE language_ids <> '{}';
          ELSE
            UPDATE interpreters SET relay_language_ids = '{}' WHERE relay_language_ids <> '{}';
          END IF;
        ELSIF TG_OP = 'INSERT' THEN
          PERFORM interpreters_languages_refresh(ARRAY(SELECT DISTINCT interpreter_id FROM new_rows));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM interpreters_languages_refresh(ARRAY(SELECT DISTINCT interpreter_id FROM old_rows));
        ELSE
          PERFORM interpreters_languages_refresh(ARRAY(SELECT interpreter_id FROM new_rows UNION SELECT interpreter_id FROM old_rows));
        END IF;
        RETURN NULL;
      END $$`);
    for (const table of ['interpreter_languages', 'interpreter_relay_languages']) {
      await q.query(`CREATE TRIGGER ${table}_inserted AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION interpreters_languages_follow()`);
      await q.query(`CREATE TRIGGER ${table}_updated AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION interpreters_languages_follow()`);
      await q.query(`CREATE TRIGGER ${table}_deleted AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
        FOR EACH STATEMENT EXECUTE FUNCTION interpreters_languages_follow()`);
      await q.query(`CREATE TRIGGER ${table}_truncated AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION interpreters_languages_follow()`);
    }
    // The rosters already stored.
    await q.query(`SELECT interpreters_languages_refresh(ARRAY(SELECT id FROM interpreters))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['interpreter_languages', 'interpreter_relay_languages'])
      for (const event of ['inserted', 'updated', 'deleted', 'truncated']) await q.query(`DROP TRIGGER ${table}_${event} ON ${table}`);
    await q.query(`DROP FUNCTION interpreters_languages_follow()`);
    await q.query(`DROP FUNCTION interpreters_languages_refresh(uuid[])`);
    await q.query(`ALTER TABLE interpreters DROP COLUMN language_ids, DROP COLUMN language_levels, DROP COLUMN relay_language_ids`);
  }
}
