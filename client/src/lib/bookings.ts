import { HttpError, request } from './api';

/** A hearing as GET /api/v1/bookings shows it (the case reference only to officials). */
export interface Booking {
  id: string;
  state: 'requested' | 'assigned' | 'confirmed' | 'completed' | 'cancelled';
  languageId: string;
  /** What the other side speaks (null: booked before targets existed). */
  targetLanguageId: string | null;
  matter: string;
  minor: boolean;
  preferFemale: boolean;
  startsAt: string;
  endsAt: string;
  localStartsAt: string;
  timeZone: string;
  durationMinutes: number;
  institution: string;
  remoteParticipant: boolean;
  caseReference?: string | null;
  interpreter: { firstName: string } | null;
  /** Every seat: a direct leg, or a relay chain's source and relay legs; a team partner takes turns on the lead leg. */
  interpreters: BookingSeat[];
  /** The language a relay chain goes through, or null. */
  relayLanguageId: string | null;
  /** An interpreter's own seat in it: her leg and her answer (null once she no longer holds one). */
  seat?: Pick<BookingSeat, 'leg' | 'team' | 'state'> | null;
  confirmBy: string | null;
  /** When the official and the interpreter may join the hearing's call (the server's window). */
  callOpensAt: string;
  callClosesAt: string;
  followUpOf: string | null;
  widened: boolean;
  sequence: number;
  endReason: string | null;
}

export interface BookingSeat {
  firstName: string | null;
  leg: 'direct' | 'source' | 'relay';
  /** What the seat interprets from and into (a chain's legs through its relay language). */
  languageId: string;
  targetLanguageId: string | null;
  team: boolean;
  state: 'searching' | 'asked' | 'confirmed' | 'declined';
}

/** `booking:update`: pushed to the official who booked and the interpreter concerned on every change. */
export interface BookingUpdate {
  bookingId: string;
  state: string;
  notice?: 'asked' | 'widened' | 'unconfirmed' | 'no_interpreter' | 'declined' | 'reminder';
}

export interface JoinCode {
  code: string;
  expiresAt: string;
  joinPath: string;
}

export interface Availability {
  timeZone: string | null;
  windows: { weekday: number; start: string; end: string }[];
}

/** The join button shows while the server says the call is open; the server decides again on joining. */
export function callOpen(b: Booking, now = Date.now()): boolean {
  return b.state === 'confirmed' && now >= Date.parse(b.callOpensAt) && now <= Date.parse(b.callClosesAt);
}

export const bookingsApi = {
  list: (token: string) => request<Booking[]>('/api/v1/bookings', { token }),
  create: (token: string, body: Record<string, unknown>) =>
    request<Booking>('/api/v1/bookings', { method: 'POST', body: JSON.stringify(body), token }),
  act: (token: string, id: string, action: 'confirm' | 'decline' | 'cancel') =>
    request<unknown>(`/api/v1/bookings/${id}/${action}`, { method: 'POST', body: '{}', token }),
  session: (token: string, id: string) =>
    request<{ sessionId: string }>(`/api/v1/bookings/${id}/session`, { method: 'POST', body: '{}', token }),
  joinCode: (token: string, id: string) => request<JoinCode>(`/api/v1/bookings/${id}/join-code`, { method: 'POST', body: '{}', token }),
  /** The code for the woman's own phone in an official's "interpreter now" call. */
  requestJoinCode: (token: string, requestId: string) =>
    request<JoinCode>(`/api/v1/requests/${requestId}/join-code`, { method: 'POST', body: '{}', token }),
  availability: (token: string) => request<Availability>('/api/v1/interpreters/me/availability', { token }),
  setAvailability: (token: string, body: { timeZone: string; windows: Availability['windows'] }) =>
    request<Availability>('/api/v1/interpreters/me/availability', { method: 'PUT', body: JSON.stringify(body), token }),
};

/** The calendar file needs the bearer header, so it is fetched and handed to the browser as a download. */
export async function downloadCalendar(token: string, id: string): Promise<void> {
  const res = await fetch(`/api/v1/bookings/${id}/calendar.ics`, {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!res.ok) throw new HttpError(res.status);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = 'hearing.ics';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The device's own IANA time zone. */
export function deviceTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Every IANA zone the browser knows, the given ones first if missing (older browsers: just those). */
export function timeZones(...include: string[]): string[] {
  const known = (Intl as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([...include.filter(Boolean), ...known])].sort();
}

/** A start as people read it, in `timeZone`, with the zone's short name: "Tue, 1 Dec 2026, 09:00 CST". */
export function formatWhen(iso: string, timeZone: string, lang: string): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** An instant as the `YYYY-MM-DD` and `HH:MM` that a date and a time input show in `timeZone`. */
export function wallClock(at: Date, timeZone: string): { date: string; time: string } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}
