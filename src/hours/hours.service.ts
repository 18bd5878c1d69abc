import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { HoursRow } from './hours-csv';
import { SEATING_MINUTES, SEATING_WORKED } from './seating-minutes';

/**
 * What interpreters worked in a month, counted from session metadata only: on-demand calls and hearings whose call
 * started in that month (UTC), and their minutes from start to the end of her part in them (her row in
 * session_interpreters, whatever her role: the lead, a relay leg's, a team partner). A call still going on counts
 * until now. For payment: roster admins export it per interpreter, each interpreter sees her own.
 */
@Injectable()
export class HoursService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Every interpreter of the roster of `country`, by external id, with her month (zeros included). */
  async ofRoster(country: string, month: string): Promise<HoursRow[]> {
    const rows: Record<string, string>[] = await this.db.query(
      `${MONTH} SELECT i.external_id, i.first_name, ${COUNTS}
       FROM interpreters i LEFT JOIN worked w ON w.interpreter_id = i.id
       WHERE i.country = $2 GROUP BY i.id ORDER BY i.external_id`,
      [month, country],
    );
    return rows.map((r) => ({ externalId: r.external_id, firstName: r.first_name, ...counts(r) }));
  }

  /** Her own month. */
  async ofInterpreter(interpreterId: string, month: string): Promise<Omit<HoursRow, 'externalId' | 'firstName'> & { month: string }> {
    const [r] = await this.db.query(
      `${MONTH} SELECT ${COUNTS} FROM (SELECT $2::uuid AS id) i LEFT JOIN worked w ON w.interpreter_id = i.id`,
      [month, interpreterId],
    );
    return { month, ...counts(r) };
  }
}

/** Her part in each call that started in the month ($1, YYYY-MM): each seating, and how many minutes it lasted for her. */
const MONTH = `WITH bounds AS (SELECT ($1 || '-01 00:00:00+00')::timestamptz AS since),
  worked AS (
    SELECT si.interpreter_id, s.id AS session_id, s.booking_id IS NOT NULL AS hearing, ${SEATING_MINUTES} AS minutes
    FROM bounds, sessions s JOIN session_interpreters si ON si.session_id = s.id
    WHERE s.started_at >= bounds.since AND s.started_at < bounds.since + interval '1 month' AND ${SEATING_WORKED})`;

// A call counts once for her, however many times she was seated in it.
const COUNTS = `count(DISTINCT w.session_id) FILTER (WHERE NOT w.hearing) AS calls,
  coalesce(round(sum(w.minutes) FILTER (WHERE NOT w.hearing)::numeric, 1), 0) AS call_minutes,
  count(DISTINCT w.session_id) FILTER (WHERE w.hearing) AS hearings,
  coalesce(round(sum(w.minutes) FILTER (WHERE w.hearing)::numeric, 1), 0) AS hearing_minutes`;

const counts = (r: Record<string, string>) => ({
  calls: Number(r.calls),
  callMinutes: Number(r.call_minutes),
  hearings: Number(r.hearings),
  hearingMinutes: Number(r.hearing_minutes),
});
