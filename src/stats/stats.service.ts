import { ForbiddenException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import { AppConfig } from '../config/config.schema';
import { LanguagesService } from '../languages/languages.service';
import type { StatsGroup, StatsOrigin, StatsQuery } from './dto/stats.query';
import { hearingStatsSql, suppressHearings, type RawHearingRow } from './hearing-stats';
import { OUTCOMES } from './stats-outcomes';
import { MIN_CELL, publishedCount, ROUND_TO, suppress, type RawStatsRow } from './stats-suppression';
import { badField } from '../common/validation';

/**
 * `YYYY-MM` as a UTC instant; `end`: the first instant after that month. Whole months only: two ranges that
 * differ by a day would otherwise be subtracted to count that day.
 */
function bound(value: string, end: boolean): Date {
  const [y, m] = value.split('-').map(Number);
  if (m < 1 || m > 12) return new Date(NaN);
  return new Date(Date.UTC(y, m - 1 + (end ? 1 : 0), 1));
}

const KEY: Record<StatsGroup, string> = {
  language: 'r.language_id::text',
  country: "coalesce(r.country, $4, '--')",
  matter: 'r.matter',
  total: "'total'",
};

/** The women's own calls and those officials asked for are counted apart, never together. */
const ORIGIN: Record<StatsOrigin, string> = {
  women: 'r.official_id IS NULL',
  officials: 'r.official_id IS NOT NULL',
};

const monthOf = (column: string) => `to_char(date_trunc('month', ${column} AT TIME ZONE 'UTC'), 'YYYY-MM')`;
const MONTH = monthOf('r.created_at');

/** Each OUTCOMES count of a group of sessions `s`, by key. */
const AFTER_CALL = `jsonb_build_object(${OUTCOMES.map((o) => `'${o.key}', count(*) FILTER (WHERE ${o.filter})`).join(', ')})`;
const yearMonth = (d: Date) => d.toISOString().slice(0, 7);

/**
 * Aggregate figures for the member states, computed from metadata only (requests, offers, sessions): per
 * month (or over the whole range) and per language, country, matter or in total, how many asked, how fast
 * they were answered, how many nobody could serve, and how long calls lasted. Counts are suppressed under 5 and
 * rounded to 5, every row and count alike (see stats-suppression.ts).
 */
@Injectable()
export class StatsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly languages: LanguagesService,
  ) {}

  async stats(p: Principal, q: StatsQuery) {
    const country = this.scope(p, q.country);
    const groupBy = q.groupBy ?? 'language';
    const origin = q.origin ?? 'women';
    const now = new Date();
    const from = q.from ? bound(q.from, false) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    // Up to the end of this month by default, so that the current month is whole as well (and grows, not shrinks).
    const to = bound(q.to ?? `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`, true);
    if (Number.isNaN(from.getTime())) throw badField('from', 'from is not a real month');
    if (Number.isNaN(to.getTime())) throw badField('to', 'to is not a real month');
    if (from >= to) throw badField('from', 'from must be before to');

    // The whole range as one period: every row is named by the range asked for (or its defaults).
    const whole = q.period === 'whole';
    const period = `${q.from ?? yearMonth(from)}/${q.to ?? yearMonth(now)}`;
    const params = [from, to, country, this.config.HOME_COUNTRY ?? null, ...(whole ? [period] : [])];
    const requests = `
      SELECT r.id, r.language_id, r.state, r.created_at, r.not_from_country, ${whole ? '$5::text' : MONTH} AS month,
        ${KEY[groupBy]} AS key,
        (SELECT min(o.decided_at) FROM offers o WHERE o.request_id = r.id AND o.outcome = 'accepted') AS answered_at
      FROM interpretation_requests r
      WHERE r.created_at >= $1 AND r.created_at < $2 AND ($3::text IS NULL OR coalesce(r.country, $4) = $3) AND ${ORIGIN[origin]}`;
    const raw: RawStatsRow[] = await this.db.query(
      `WITH r AS (${requests}),
       waits AS (SELECT *, extract(epoch FROM answered_at - created_at) AS wait FROM r),
       calls AS (
         SELECT r.month, r.key, extract(epoch FROM s.ended_at - s.started_at) AS duration
         FROM sessions s JOIN r ON r.id = s.request_id WHERE s.started_at IS NOT NULL AND s.ended_at IS NOT NULL),
       outcomes AS (
         SELECT r.month, r.key,
           ${AFTER_CALL} AS after_call
         FROM sessions s JOIN r ON r.id = s.request_id GROUP BY r.month, r.key),
       per_call AS (
         SELECT month, key, count(*)::int AS sessions,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY duration) AS duration_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY duration) AS duration_p90
         FROM calls GROUP BY month, key)
       SELECT agg.*, o.after_call FROM (
       SELECT w.month, w.key, count(*)::int AS requests,
         count(*) FILTER (WHERE w.wait <= 60)::int AS answered_1m,
         count(*) FILTER (WHERE w.wait <= 300)::int AS answered_5m,
         count(w.answered_at)::int AS answered,
         count(*) FILTER (WHERE w.state = 'unmatched')::int AS unmet,
         count(*) FILTER (WHERE w.not_from_country)::int AS not_from_country,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY w.wait) AS wait_p50,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY w.wait) AS wait_p90,
         coalesce(max(c.sessions), 0)::int AS sessions, max(c.duration_p50) AS duration_p50, max(c.duration_p90) AS duration_p90
       FROM waits w LEFT JOIN per_call c ON c.month = w.month AND c.key = w.key
       GROUP BY w.month, w.key) agg
       LEFT JOIN outcomes o ON o.month = agg.month AND o.key = agg.key
       ORDER BY agg.month, agg.key`,
      params,
    );
    const unmet: { language_id: string; unmet: number }[] = await this.db.query(
      `WITH r AS (${requests}) SELECT language_id, count(*)::int AS unmet FROM r WHERE state = 'unmatched' GROUP BY language_id ORDER BY unmet DESC`,
      params,
    );
    // Hearings are officials' by nature: counted whatever the origin asked for, in their own rows.
    const hearings: RawHearingRow[] = await this.db.query(hearingStatsSql(groupBy, whole ? '$4::text' : monthOf('b.starts_at')), [
      from,
      to,
      country,
      ...(whole ? [period] : []),
    ]);
    const names = await this.languageNames([
      ...(groupBy === 'language' ? [...raw, ...hearings].map((r) => r.key) : []),
      ...unmet.map((u) => u.language_id),
    ]);
    const label = (key: string) => (groupBy === 'language' ? (names.get(key) ?? key) : key);
    const round = (v: number | null) => (v === null ? null : Math.round(Number(v)));
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy,
      origin,
      period: whole ? 'whole' : 'month',
      country,
      minCell: MIN_CELL,
      roundedTo: ROUND_TO,
      rows: raw.map((r) => {
        const s = suppress({
          ...r,
          wait_p50: round(r.wait_p50),
          wait_p90: round(r.wait_p90),
          duration_p50: round(r.duration_p50),
          duration_p90: round(r.duration_p90),
        });
        return { ...s, label: label(r.key) };
      }),
      hearings: hearings.map((h) => ({ ...suppressHearings(h), label: label(h.key) })),
      // The languages the region most needs interpreters for: requests nobody could serve (rounded before ordering,
      // so that the order does not tell two rounded figures apart).
      unmetByLanguage: unmet
        .map((u) => ({ languageId: u.language_id, name: names.get(u.language_id) ?? u.language_id, unmet: publishedCount(u.unmet) }))
        .sort((x, y) => (y.unmet ?? 0) - (x.unmet ?? 0) || x.name.localeCompare(y.name)),
    };
  }

  private scope(p: Principal, asked: string | undefined): string | null {
    if (p.role === 'platform_admin') return asked ?? null;
    if (p.role === 'roster_admin' && p.country) {
      if (asked && asked !== p.country) throw badField('country', 'a roster admin sees the figures of her own country only');
      return p.country;
    }
    throw new ForbiddenException('statistics are for roster and platform admins');
  }

  private async languageNames(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const id of new Set(ids)) {
      const l = await this.languages.findById(id);
      if (l) out.set(id, l.autonym && l.autonym !== l.name ? `${l.name} (${l.autonym})` : l.name);
    }
    return out;
  }
}
