import { DateTime } from 'luxon';

export type ParsedStart = { ok: true; at: Date } | { ok: false; message: string };

/**
 * The instant a hearing starts. With an offset (`...-04:00`, `...Z`) the string is that instant; without
 * one it is a wall-clock time in the hearing's time zone, read with that zone's rules on that date, so
 * that 09:00 in New York is 13:00 UTC in summer and 14:00 UTC in winter. A wall-clock time that does not
 * exist there (skipped by a daylight-saving change) is refused rather than silently moved.
 */
export function parseStart(value: string, timeZone: string): ParsedStart {
  const hasOffset = /(Z|[+-]\d{2}:\d{2})$/.test(value);
  const dt = hasOffset ? DateTime.fromISO(value, { setZone: true }) : DateTime.fromISO(value, { zone: timeZone });
  if (!dt.isValid) return { ok: false, message: `startsAt is not a valid date and time (${dt.invalidExplanation ?? dt.invalidReason})` };
  if (!hasOffset) {
    const wall = DateTime.fromISO(value, { zone: 'UTC' });
    if (dt.hour !== wall.hour || dt.minute !== wall.minute) {
      return { ok: false, message: `startsAt ${value} does not exist in ${timeZone} (a daylight-saving change skips it)` };
    }
  }
  return { ok: true, at: dt.toJSDate() };
}

/** An instant as ISO 8601 with the offset it has in `timeZone` (how each user sees a hearing). */
export function localIso(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at).setZone(timeZone).toISO({ suppressMilliseconds: true })!;
}
