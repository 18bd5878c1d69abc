import { stringify } from 'csv-stringify/sync';

/** One interpreter's month, as the hours export counts it (HoursService). */
export interface HoursRow {
  externalId: string;
  firstName: string;
  calls: number;
  callMinutes: number;
  hearings: number;
  hearingMinutes: number;
}

export const HOURS_COLUMNS = ['external_id', 'first_name', 'calls', 'call_minutes', 'hearings', 'hearing_minutes'] as const;

/**
 * A cell a spreadsheet would read as a formula (`= + - @`, or a tab or carriage return before one) is kept as text
 * with a leading apostrophe (OWASP's CSV injection advice): a roster's names and ids come from an imported file.
 */
export function safeCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The month's hours per interpreter as CSV (RFC 4180, header row, CRLF), every text cell made safe. */
export function hoursCsv(rows: HoursRow[]): string {
  return stringify(
    rows.map((r) => [safeCell(r.externalId), safeCell(r.firstName), r.calls, r.callMinutes, r.hearings, r.hearingMinutes]),
    { header: true, columns: [...HOURS_COLUMNS], record_delimiter: 'windows' },
  );
}
