import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { curatedRows, livingIsoRows, type LanguageRow } from './languages-catalogue';

const COLUMNS = `iso6393 text, variant text, name text, autonym text, countries varchar(2)[], is_relay boolean, curated boolean, search_text text`;
const INSERT_BATCH = 2000;

const asRecords = (rows: LanguageRow[]) =>
  JSON.stringify(
    rows.map((r) => ({
      iso6393: r.iso6393,
      variant: r.variant,
      name: r.name,
      autonym: r.autonym,
      countries: r.countries,
      is_relay: r.isRelay,
      curated: r.curated,
      search_text: r.searchText,
    })),
  );

/**
 * Loads the catalogue at start-up rather than in a migration: a release can add languages by editing the data
 * file (or updating the iso-639-3 package) alone, and the rows are built with the same code (ISO 639-3 names,
 * search text) as the rows the service writes. Safe when several nodes start at once.
 * - The curated rows (src/languages/data) are inserted, or take over a bare ISO 639-3 row of the same code (one
 *   a roster import added before the code was curated); a row that is already curated is left as it is, so an
 *   administrator's edit stays.
 * - Every living language of ISO 639-3 that has no row yet is added as a bare, uncurated row, so that search
 *   finds the whole of ISO 639-3. After the first start this is one query that finds nothing missing.
 */
@Injectable()
export class LanguagesCatalogueLoader implements OnModuleInit {
  private readonly logger = new Logger(LanguagesCatalogueLoader.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async onModuleInit(): Promise<void> {
    const curated = await this.upsertCurated(curatedRows());
    const present = new Set(
      ((await this.db.query(`SELECT iso6393 FROM languages WHERE variant IS NULL`)) as { iso6393: string }[]).map((r) => r.iso6393),
    );
    const missing = livingIsoRows(present);
    let added = 0;
    for (let i = 0; i < missing.length; i += INSERT_BATCH) added += await this.insertIso(missing.slice(i, i + INSERT_BATCH));
    if (curated || added) this.logger.log(`language catalogue: ${curated} curated languages loaded, ${added} ISO 639-3 languages added`);
  }

  /** Returns how many rows it inserted or turned into curated ones. */
  private upsertCurated(rows: LanguageRow[]): Promise<number> {
    return this.insert(
      rows,
      `(iso6393, (coalesce(variant, ''))) DO UPDATE
         SET name = excluded.name, autonym = excluded.autonym, countries = excluded.countries, is_relay = excluded.is_relay,
             curated = true, search_text = excluded.search_text
         WHERE NOT languages.curated`,
    );
  }

  private insertIso(rows: LanguageRow[]): Promise<number> {
    return this.insert(rows, 'DO NOTHING');
  }

  /** One statement for any number of rows; returns how many it wrote. */
  private async insert(rows: LanguageRow[], onConflict: string): Promise<number> {
    const result: unknown[] = await this.db.query(
      `INSERT INTO languages (iso6393, variant, name, autonym, countries, is_relay, curated, search_text)
       SELECT iso6393, variant, name, autonym, countries, is_relay, curated, search_text FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMNS})
       ON CONFLICT ${onConflict}
       RETURNING id`,
      [asRecords(rows)],
    );
    return result.length;
  }
}
