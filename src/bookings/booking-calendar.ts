import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';

export interface CalendarBooking {
  id: string;
  state: string;
  startsAt: Date;
  endsAt: Date;
  timeZone: string;
  sequence: number;
  updatedAt: Date;
  languageName: string;
  institution: string;
}

/**
 * A hearing as an iCalendar event (RFC 5545): local times with the hearing's time zone and its VTIMEZONE,
 * a UID that stays the same across updates, SEQUENCE bumped by every change that matters to a calendar, and
 * METHOD:CANCEL once it is cancelled. Nothing about the case: a language, a place in time and the institution.
 */
export function bookingCalendar(b: CalendarBooking, consoleUrl: string): string {
  const cancelled = b.state === 'cancelled';
  const cal = ical({
    prodId: { company: 'Puente', product: 'Puente', language: 'EN' },
    method: cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  cal.timezone({ name: b.timeZone, generator: (tz) => tzlib_get_ical_block(tz)[0] });
  cal.createEvent({
    id: `${b.id}@puente`,
    sequence: b.sequence,
    stamp: b.updatedAt,
    start: DateTime.fromJSDate(b.startsAt).setZone(b.timeZone),
    end: DateTime.fromJSDate(b.endsAt).setZone(b.timeZone),
    timezone: b.timeZone,
    summary: `Hearing with interpretation (${b.languageName})`,
    description: `Interpretation through Puente for ${b.institution}. Join from the console: ${consoleUrl}`,
    url: consoleUrl,
    status: cancelled
      ? ICalEventStatus.CANCELLED
      : b.state === 'confirmed' || b.state === 'completed'
        ? ICalEventStatus.CONFIRMED
        : ICalEventStatus.TENTATIVE,
  });
  return cal.toString();
}
