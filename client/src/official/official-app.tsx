import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import { STAFF_STRINGS, type StaffStrings } from '../i18n/staff';
import { type Language } from '../lib/api';
import { bookingsApi, callOpen, deviceTimeZone, downloadCalendar, type Booking, type JoinCode } from '../lib/bookings';
import type { Call } from '../lib/call';
import { connectSignal, type Signal } from '../lib/socket';
import { exposeCall } from '../lib/test-hooks';
import { BookingSummary, ConfirmPanel, HearingCall, JoinCodePanel, languageLabel, useBookingAction, useBookings } from '../ui/hearing';
import { ConsoleHeader, forgetStaffSession, readStaffSession, StaffLogin, type StaffSession } from '../ui/staff-login';
import { useLanguageNames } from '../ui/language-names';
import { useUiLanguage } from '../ui/ui-language';
import { WhereHelpIs } from '../ui/where-help-is';
import { BookingForm } from './booking-form';
import { InterpreterNow } from './interpreter-now';

const OPEN = ['requested', 'assigned', 'confirmed'];

/**
 * The official's console: an interpreter now for a woman beside her, and her institution's hearings. She books
 * (or re-books the same interpreter for a follow-up), follows each booking's state live, downloads the calendar
 * file, cancels, gives a remote woman a one-time code, and joins the hearing's call, which ends for everyone when
 * she leaves it. An interpreter-now call ends when she leaves it too.
 */
export function OfficialApp() {
  const { lang, t, choose } = useUiLanguage();
  const s = STAFF_STRINGS[lang];
  const [session, setSession] = useState<StaffSession | null>(() => (readStaffSession()?.role === 'official' ? readStaffSession() : null));
  const [signal, setSignal] = useState<Signal | null>(null);
  const languages = useLanguageNames();
  const [hearing, setHearing] = useState<Booking | null>(null);
  /** The on-demand call she asked for, once an interpreter accepted it. */
  const [nowCall, setNowCall] = useState<{ sessionId: string; requestId: string; relayUnfilled: boolean } | null>(null);
  const [nowNote, setNowNote] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [followUp, setFollowUp] = useState<Booking | null>(null);
  const call = useRef<Call | undefined>(undefined);

  useEffect(() => void (__PUENTE_TEST_HOOKS__ && exposeCall(() => call.current)), []);
  useEffect(() => {
    if (!session) return;
    const sig = connectSignal(session.token);
    sig.socket.on('connect_error', (e: Error) => {
      if (/unauthori[sz]ed|token/i.test(e.message)) logout();
    });
    setSignal(sig);
    return () => {
      sig.close();
      setSignal(null);
    };
  }, [session?.token]);

  function logout() {
    forgetStaffSession();
    setSession(null);
    setHearing(null);
    setNowCall(null);
  }

  return (
    <div class="app console official">
      <ConsoleHeader t={t} lang={lang} choose={choose} onLogout={session ? logout : null} />
      <main>
        <h1>{s.officialTitle}</h1>
        {!session ? (
          <StaffLogin t={t} roles={['official']} roleError={s.officialLoginRole} onLogin={setSession} />
        ) : nowCall && signal ? (
          <>
            {nowCall.relayUnfilled && (
              <p class="note" role="status" data-note="relay-unfilled">
                {s.nowRelayUnfilled}
              </p>
            )}
            <HearingCall
              signal={signal}
              token={session.token}
              booking={null}
              sessionId={nowCall.sessionId}
              requestId={nowCall.requestId}
              role="official"
              t={t}
              s={s}
              onCall={(c) => (call.current = c)}
              onEnd={(ended) => {
                setNowCall(null);
                setNowNote(ended ? s.nowEnded : null);
              }}
            />
          </>
        ) : hearing && signal ? (
          <HearingCall
            signal={signal}
            token={session.token}
            booking={hearing}
            role="official"
            t={t}
            s={s}
            onCall={(c) => (call.current = c)}
            onEnd={(ended) => {
              setHearing(null);
              setNote(ended ? s.hearingEnded : null);
            }}
          />
        ) : (
          <>
            {note && (
              <p class="note" role="status" data-note="hearing-ended">
                {note}
              </p>
            )}
            <InterpreterNow
              signal={signal}
              t={t}
              s={s}
              languages={languages}
              note={nowNote}
              onSession={(call) => {
                setNowNote(null);
                setNowCall(call);
              }}
            />
            <BookingForm
              token={session.token}
              t={t}
              s={s}
              lang={lang}
              languages={languages}
              followUp={followUp}
              onClearFollowUp={() => setFollowUp(null)}
              onBooked={() => setFollowUp(null)}
            />
            <BookingList
              token={session.token}
              signal={signal}
              t={t}
              s={s}
              lang={lang}
              languages={languages}
              onRebook={(b) => {
                setFollowUp(b);
                document.getElementById('book-title')?.scrollIntoView();
              }}
              onJoin={(b) => {
                setNote(null);
                setHearing(b);
              }}
            />
          </>
        )}
        {session && <WhereHelpIs token={session.token} t={t} s={s} />}
      </main>
    </div>
  );
}

function BookingList({
  token,
  signal,
  t,
  s,
  lang,
  languages,
  onRebook,
  onJoin,
}: {
  token: string;
  signal: Signal | null;
  t: Strings;
  s: StaffStrings;
  lang: UiLanguage;
  languages: Map<string, Language>;
  onRebook: (b: Booking) => void;
  onJoin: (b: Booking) => void;
}) {
  const { bookings, notices, reload } = useBookings(token, signal);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const [code, setCode] = useState<{ bookingId: string; code: JoinCode } | null>(null);
  const { attempt, failure } = useBookingAction(s);
  const zone = deviceTimeZone();

  const cancel = (b: Booking) =>
    attempt(b.id, async () => {
      setCancelling(null);
      await bookingsApi.act(token, b.id, 'cancel');
      await reload();
    });
  // The code lives in this component's memory only, until she hides it: it is never shown again.
  const issue = (b: Booking) => attempt(b.id, async () => setCode({ bookingId: b.id, code: await bookingsApi.joinCode(token, b.id) }));

  if (!bookings) return null;
  return (
    <section class="panel" aria-labelledby="bookings-title">
      <h2 id="bookings-title">{s.bookingsTitle}</h2>
      {bookings.length === 0 && <p>{s.noBookings}</p>}
      <ul class="bookings-list">
        {bookings.map((b) => (
          <BookingSummary
            key={b.id}
            b={b}
            t={t}
            s={s}
            lang={lang}
            zone={zone}
            official
            languageName={(id) => languageLabel(languages.get(id), id)}
          >
            {notices[b.id] && OPEN.includes(b.state) && (
              <p class="booking-notice" data-notice={notices[b.id]}>
                {s.notice[notices[b.id]] ?? notices[b.id]}
              </p>
            )}
            {code?.bookingId === b.id && <JoinCodePanel id={b.id} code={code.code} s={s} onHide={() => setCode(null)} />}
            {cancelling === b.id ? (
              <ConfirmPanel
                id={`cancel-${b.id}`}
                question={s.confirmCancel}
                yes={s.yesCancel}
                no={s.keep}
                action="confirm-cancel"
                onYes={() => cancel(b)}
                onNo={() => setCancelling(null)}
              />
            ) : (
              <div class="booking-actions">
                {callOpen(b) && (
                  <button type="button" class="primary" data-action="join" onClick={() => onJoin(b)}>
                    {s.join}
                  </button>
                )}
                {b.remoteParticipant && OPEN.includes(b.state) && code?.bookingId !== b.id && (
                  <button type="button" class="secondary" data-action="join-code" onClick={() => issue(b)}>
                    {s.joinCode}
                  </button>
                )}
                {/* A cancelled hearing takes place nowhere: no calendar entry for it, and nothing to follow up. */}
                {b.state !== 'cancelled' && (
                  <button
                    type="button"
                    class="secondary"
                    data-action="calendar"
                    onClick={() => attempt(b.id, () => downloadCalendar(token, b.id))}
                  >
                    {s.calendar}
                  </button>
                )}
                {b.interpreter && b.state !== 'cancelled' && (
                  <button type="button" class="secondary" data-action="rebook" onClick={() => onRebook(b)}>
                    {s.rebook}
                  </button>
                )}
                {OPEN.includes(b.state) && (
                  <button type="button" class="secondary" data-action="cancel" onClick={() => setCancelling(b.id)}>
                    {s.cancelBooking}
                  </button>
                )}
              </div>
            )}
            {failure(b.id)}
          </BookingSummary>
        ))}
      </ul>
    </section>
  );
}
