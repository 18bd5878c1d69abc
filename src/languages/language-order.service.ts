import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { CountryCode } from '../common/countries';
import { AppConfig } from '../config/config.schema';
import { MIN_CELL } from '../stats/stats-suppression';

/**
 * The order in which a caller in a country sees its languages: most requested there over the last 12 months
 * first, then the most active interpreters of that country's roster, then by name. A request count under the
 * statistics' minimum cell counts as 0, so the order never tells a small number (that one woman asked for a
 * language). Requests without a country count for the deployment's home country, as in the statistics.
 * Read-only over the requests and rosters tables, like the statistics: metadata, counted, nothing else.
 */
@Injectable()
export class LanguageOrderService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async order(country: CountryCode): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `WITH spoken AS (
         SELECT id, name, variant FROM languages WHERE curated AND countries @> ARRAY[$1]::varchar[]),
       asked AS (
         SELECT language_id, count(*)::int AS n FROM interpretation_requests
         WHERE created_at >= now() - interval '12 months' AND coalesce(country, $2) = $1 AND language_id IN (SELECT id FROM spoken)
         GROUP BY language_id),
       roster AS (
         SELECT il.language_id, count(*)::int AS n FROM interpreter_languages il JOIN interpreters i ON i.id = il.interpreter_id
         WHERE i.country = $1 AND i.status = 'active' AND il.language_id IN (SELECT id FROM spoken)
         GROUP BY il.language_id)
       SELECT s.id FROM spoken s LEFT JOIN asked a ON a.language_id = s.id LEFT JOIN roster r ON r.language_id = s.id
       ORDER BY CASE WHEN a.n >= $3 THEN a.n ELSE 0 END DESC, coalesce(r.n, 0) DESC, s.name, s.variant NULLS FIRST, s.id`,
      [country, this.config.HOME_COUNTRY ?? null, MIN_CELL],
    );
    return rows.map((r) => r.id);
  }
}
