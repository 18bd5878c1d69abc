import type { Principal } from '../auth/principal';
import type { BookingState } from './booking-state';
import { localIso } from './booking-time';

/**
 * A booking with its institution's name (for display: scoping is by `institution_id`), its lead interpreter (the
 * direct or source leg's, not its team partner) and everyone seated in it, the lead first.
 */
export const BOOKING_SELECT = `SELECT b.*, i.name AS institution,
    (SELECT s.interpreter_id FROM booking_interpreters s WHERE s.booking_id = b.id AND s.leg <> 'relay' AND NOT s.team) AS interpreter_id,
    ARRAY(SELECT s.interpreter_id FROM booking_interpreters s WHERE s.booking_id = b.id AND s.interpreter_id IS NOT NULL
          ORDER BY s.leg = 'relay', s.team) AS interpreter_ids
  FROM bookings b JOIN institutions i ON i.id = b.institution_id`;

/** A `bookings` row as PostgreSQL returns it (BOOKING_SELECT). */
export interface BookingRow {
  id: string;
  institution_id: string;
  institution: string;
  official_id: string;
  country: string;
  language_id: string;
  /** Null for a booking made before targets existed. */
  target_language_id: string | null;
  matter: string;
  minor: boolean;
  prefer_female: boolean;
  starts_at: Date;
  ends_at: Date;
  duration_minutes: number;
  time_zone: string;
  case_reference: string | null;
  remote_participant: boolean;
  state: BookingState;
  end_reason: string | null;
  /** The lead seat's interpreter (direct or source leg), if anyone holds it. */
  interpreter_id: string | null;
  /** Everyone holding a seat (asked or confirmed), the lead first. */
  interpreter_ids: string[];
  /** The language a relay chain goes through, or null for a direct hearing. */
  relay_language_id: string | null;
  follow_up_of: string | null;
  preferred_interpreter_id: string | null;
  widened: boolean;
  sequence: number;
  created_at: Date;
  updated_at: Date;
}

/** What a seat of a leg interprets: direct, her language into the target; a chain's legs through its relay language. */
export function seatLanguages(b: BookingRow, leg: SeatView['leg']): { languageId: string; targetLanguageId: string | null } {
  if (leg === 'source') return { languageId: b.language_id, targetLanguageId: b.relay_language_id };
  if (leg === 'relay') return { languageId: b.relay_language_id!, targetLanguageId: b.target_language_id };
  return { languageId: b.language_id, targetLanguageId: b.target_language_id };
}

/**
 * One seat as a booking's view shows it (API.md `interpreters`): `asked`, `confirmed`, `declined` (her answer, until
 * someone else is asked), or `searching` while nobody holds it.
 */
export interface SeatView {
  firstName: string | null;
  leg: 'direct' | 'source' | 'relay';
  team: boolean;
  state: 'searching' | 'asked' | 'confirmed' | 'declined';
}

/** What the API shows of a booking. The case reference is the institution's own: interpreters never see it. */
export function bookingView(
  b: BookingRow,
  viewer: Principal,
  interpreterFirstName: string | null,
  interpreters: (SeatView & ReturnType<typeof seatLanguages>)[],
  /** The viewing interpreter's own seat (her leg and her answer), for an interpreter. */
  seat: SeatView | null,
  confirmBy: Date | null,
  call: { opensAt: Date; closesAt: Date },
) {
  return {
    id: b.id,
    state: b.state,
    languageId: b.language_id,
    /** What the other side speaks: the institution's language unless the official said another. */
    targetLanguageId: b.target_language_id,
    matter: b.matter,
    minor: b.minor,
    preferFemale: b.prefer_female,
    startsAt: b.starts_at.toISOString(),
    endsAt: b.ends_at.toISOString(),
    durationMinutes: b.duration_minutes,
    timeZone: b.time_zone,
    localStartsAt: localIso(b.starts_at, b.time_zone),
    localEndsAt: localIso(b.ends_at, b.time_zone),
    institution: b.institution,
    institutionId: b.institution_id,
    country: b.country,
    remoteParticipant: b.remote_participant,
    ...(viewer.role === 'official' ? { caseReference: b.case_reference } : {}),
    interpreter: interpreterFirstName === null ? null : { firstName: interpreterFirstName },
    /** Every seat: who holds it (null: nobody yet), its leg and what it interprets, whether a team partner's, and her answer. */
    interpreters,
    /** The language a relay chain goes through, or null. */
    relayLanguageId: b.relay_language_id,
    ...(viewer.role === 'interpreter' ? { seat: seat && { leg: seat.leg, team: seat.team, state: seat.state } } : {}),
    confirmBy: confirmBy?.toISOString() ?? null,
    /** When the official and the interpreter may join the hearing's call. */
    callOpensAt: call.opensAt.toISOString(),
    callClosesAt: call.closesAt.toISOString(),
    followUpOf: b.follow_up_of,
    widened: b.widened,
    sequence: b.sequence,
    endReason: b.end_reason,
    createdAt: b.created_at.toISOString(),
    updatedAt: b.updated_at.toISOString(),
  };
}

export type BookingView = ReturnType<typeof bookingView>;
