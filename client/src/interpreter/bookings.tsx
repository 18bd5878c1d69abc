import { useEffect, useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { serverMessages } from '../lib/api';
import { bookingsApi, callOpen, deviceTimeZone, downloadCalendar, formatWhen, type Availability, type Booking } from '../lib/bookings';
import type { Signal } from '../lib/socket';
import { BookingSummary, useBookingAction, useBookings, ZoneOptions } from '../ui/hearing';

interface Props {
  token: string;
  signal: Signal | null;
  t: Strings;
  s: StaffStrings;
  lang: UiLanguage;
  languageName: (id: string) => string;
}

/**
 * Her hearings, in her time zone, live on booking:update: the one she is asked for, to confirm or decline
 * before its deadline; a confirmed one she can still give up before it starts; the call's join button once open.
 */
export function MyBookings({ token, signal, t, s, lang, languageName, onJoin }: Props & { onJoin: (b: Booking) => void }) {
  const { bookings, reload } = useBookings(token, signal);
  const { attempt, failure } = useBookingAction(s);
  const zone = deviceTimeZone();
  const act = async (b: Booking, action: 'confirm' | 'decline') => {
    await attempt(b.id, () => bookingsApi.act(token, b.id, action));
    await reload();
  };
  if (!bookings) return null;
  const started = (b: Booking) => Date.parse(b.startsAt) <= Date.now();
  // Her own seat's answer (a relay chain's or a team's other seats are asked in turn).
  const asked = (b: Booking) => b.seat?.state === 'asked';
  return (
    <section class="bookings" aria-labelledby="bookings-title">
      <h2 id="bookings-title">{s.myBookingsTitle}</h2>
      {bookings.length === 0 && <p>{s.noBookings}</p>}
      <ul class="bookings-list">
        {bookings.map((b) => (
          <BookingSummary key={b.id} b={b} t={t} s={s} lang={lang} zone={zone} languageName={languageName} official={false}>
            {asked(b) && b.confirmBy && <p class="booking-notice">{s.answerBy(formatWhen(b.confirmBy, zone, lang))}</p>}
            <div class="booking-actions">
              {callOpen(b) && (
                <button type="button" class="primary" data-action="join" onClick={() => onJoin(b)}>
                  {s.join}
                </button>
              )}
              {asked(b) && (
                <button type="button" class="primary" data-action="confirm" onClick={() => act(b, 'confirm')}>
                  {s.confirmBooking}
                </button>
              )}
              {(asked(b) || (b.seat?.state === 'confirmed' && !started(b))) && (
                <button type="button" class="secondary" data-action="decline" onClick={() => act(b, 'decline')}>
                  {asked(b) ? s.declineBooking : s.cannotCome}
                </button>
              )}
              {b.seat?.state === 'confirmed' && (
                <button
                  type="button"
                  class="secondary"
                  data-action="calendar"
                  onClick={() => attempt(b.id, () => downloadCalendar(token, b.id))}
                >
                  {s.calendar}
                </button>
              )}
            </div>
            {failure(b.id)}
          </BookingSummary>
        ))}
      </ul>
    </section>
  );
}

type Window = Availability['windows'][number];

/** ISO weekdays 1 (Monday) to 7, named in the interface language. */
function weekdayNames(lang: UiLanguage): string[] {
  const monday = Date.UTC(2024, 0, 1);
  return Array.from({ length: 7 }, (_, i) =>
    new Intl.DateTimeFormat(lang, { weekday: 'long', timeZone: 'UTC' }).format(new Date(monday + i * 86_400_000)),
  );
}

/** Her weekly windows for hearings, in her time zone (PUT /api/v1/interpreters/me/availability replaces them all). */
export function AvailabilityEditor({ token, s, lang }: { token: string; s: StaffStrings; lang: UiLanguage }) {
  const [zone, setZone] = useState(deviceTimeZone);
  const [windows, setWindows] = useState<Window[] | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    bookingsApi.availability(token).then(
      (a) => {
        if (a.timeZone) setZone(a.timeZone);
        setWindows(a.windows);
      },
      () => setWindows(null),
    );
  }, [token]);
  if (!windows) return null;
  const days = weekdayNames(lang);
  const change = (i: number, patch: Partial<Window>) => {
    setMessage(null);
    setWindows(windows.map((w, j) => (j === i ? { ...w, ...patch } : w)));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    try {
      setWindows((await bookingsApi.setAvailability(token, { timeZone: zone, windows })).windows);
      setMessage({ ok: true, text: s.saved });
    } catch (err) {
      setMessage({ ok: false, text: serverMessages(err).messages.join(' ') || s.actionFailed });
    }
  };
  return (
    <section class="bookings availability-editor" aria-labelledby="availability-title">
      <h2 id="availability-title">{s.availabilityTitle}</h2>
      <p>{s.availabilityExplain}</p>
      <form onSubmit={save}>
        <div class="field">
          <label for="availability-zone">{s.timeZone}</label>
          <select id="availability-zone" name="timeZone" value={zone} onChange={(e) => setZone(e.currentTarget.value)}>
            <ZoneOptions s={s} zone={zone} />
          </select>
        </div>
        <ul class="windows">
          {windows.map((w, i) => (
            <li key={i} class="window" data-window={i}>
              <div class="field">
                <label for={`w${i}-day`}>{s.weekday}</label>
                <select
                  id={`w${i}-day`}
                  name="weekday"
                  value={String(w.weekday)}
                  onChange={(e) => change(i, { weekday: Number(e.currentTarget.value) })}
                >
                  {days.map((d, j) => (
                    <option key={j} value={String(j + 1)}>
                      {d}
                    </option>
                  ))}
                </select>
              </div>
              <div class="field">
                <label for={`w${i}-start`}>{s.from}</label>
                <input
                  id={`w${i}-start`}
                  name="start"
                  type="time"
                  required
                  value={w.start}
                  onInput={(e) => change(i, { start: e.currentTarget.value })}
                />
              </div>
              <div class="field">
                <label for={`w${i}-end`}>{s.to}</label>
                <input
                  id={`w${i}-end`}
                  name="end"
                  type="time"
                  required
                  value={w.end === '24:00' ? '23:59' : w.end}
                  onInput={(e) => change(i, { end: e.currentTarget.value })}
                />
              </div>
              <button
                type="button"
                class="secondary"
                aria-label={`${s.removeWindow}: ${days[w.weekday - 1]} ${w.start}`}
                onClick={() => setWindows(windows.filter((_, j) => j !== i))}
              >
                {s.removeWindow}
              </button>
            </li>
          ))}
        </ul>
        <div class="booking-actions">
          <button
            type="button"
            class="secondary"
            data-action="add-window"
            onClick={() => setWindows([...windows, { weekday: 1, start: '09:00', end: '17:00' }])}
          >
            {s.addWindow}
          </button>
          <button type="submit" class="primary">
            {s.saveAvailability}
          </button>
        </div>
        {message && <p role={message.ok ? 'status' : 'alert'}>{message.text}</p>}
      </form>
    </section>
  );
}
