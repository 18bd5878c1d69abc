import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { HttpError, serverMessages, type Language } from '../lib/api';
import { bookingsApi, deviceTimeZone, formatWhen, timeZones, type Booking, type JoinCode } from '../lib/bookings';
import { Call, CALL_ROLES } from '../lib/call';
import type { ServerEvents, Signal } from '../lib/socket';
import { HangUp, Mic } from './icons';

/** "Autonym (name), variant", as the staff consoles name a catalogue language. */
export function languageLabel(l: Language | undefined, fallback: string): string {
  if (!l) return fallback;
  return `${l.autonym ?? l.name}${l.autonym && l.autonym !== l.name ? ` (${l.name})` : ''}${l.variant ? `, ${l.variant}` : ''}`;
}

/** What both consoles show of a hearing: its state, when (in the viewer's time zone), language, matter and flags. */
export function BookingSummary({
  b,
  t,
  s,
  lang,
  zone,
  languageName,
  official,
  children,
}: {
  b: Booking;
  t: Strings;
  s: StaffStrings;
  lang: UiLanguage;
  zone: string;
  languageName: (id: string) => string;
  /** The official's view: who interprets, and her case reference. */
  official: boolean;
  children?: ComponentChildren;
}) {
  return (
    <li class="booking" data-booking={b.id} data-state={b.state}>
      <p class="booking-when">
        <time dateTime={b.startsAt}>{formatWhen(b.startsAt, zone, lang)}</time> · {s.minutes(b.durationMinutes)}
      </p>
      <p class={`booking-state ${b.state}`}>{!official && b.seat?.state === 'asked' ? s.askedYou : (s.state[b.state] ?? b.state)}</p>
      <dl>
        <dt>{t.language}</dt>
        <dd class="booking-language">{languageName(b.languageId)}</dd>
        {b.targetLanguageId && (
          <>
            <dt>{t.into}</dt>
            <dd class="booking-target">{languageName(b.targetLanguageId)}</dd>
          </>
        )}
        <dt>{t.matter}</dt>
        <dd>{t.matterName[b.matter] ?? b.matter}</dd>
        {official && b.interpreters.length <= 1 && (
          <>
            <dt>{s.interpreter}</dt>
            <dd class="booking-interpreter">{b.interpreter?.firstName ?? s.notYet}</dd>
          </>
        )}
        {b.interpreters.length > 1 && (
          <>
            <dt>{s.interpreters}</dt>
            <dd>
              <ul class="booking-interpreters">
                {b.interpreters.map((seat) => (
                  <li key={`${seat.leg}${seat.team}`} data-leg={seat.leg} data-team={String(seat.team)} data-seat-state={seat.state}>
                    {[seat.languageId, seat.targetLanguageId].map((id) => (id ? languageName(id) : '?')).join(' → ')}
                    {seat.team && ` (${s.teamSeat})`}: <strong>{seat.firstName ?? s.notYet}</strong> ·{' '}
                    {s.seatState[seat.state] ?? seat.state}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {b.caseReference && (
          <>
            <dt>{s.caseRef}</dt>
            <dd>
              <code>{b.caseReference}</code>
            </dd>
          </>
        )}
      </dl>
      {(b.remoteParticipant || b.minor) && (
        <p class="booking-flags">
          {b.remoteParticipant && <span class="flag">{s.remoteFlag}</span>}
          {b.minor && <span class="flag">{s.minorFlag}</span>}
        </p>
      )}
      {children}
    </li>
  );
}

/** A one-time code for the woman, shown once until the official hides it (it is never shown again). */
export function JoinCodePanel({ id, code, s, onHide }: { id: string; code: JoinCode; s: StaffStrings; onHide: () => void }) {
  return (
    <div class="join-code" role="region" aria-labelledby={`code-${id}`}>
      <h3 id={`code-${id}`}>{s.joinCodeTitle}</h3>
      <p class="code" data-code={code.code}>
        {code.code}
      </p>
      <p>{s.joinLink}</p>
      <p class="code-link">
        <code>{`${location.origin}${code.joinPath}`}</code>
      </p>
      <p class="hint">{s.joinCodeOnce}</p>
      <button type="button" class="secondary" onClick={onHide}>
        {s.hideCode}
      </button>
    </div>
  );
}

/** How long a console waits before loading its bookings again after a load the network or the server failed. */
const RELOAD_RETRY_MS = 3000;

/** Every booking:update from the server, for a console that lists bookings: the list reloads, notices are kept. */
export function useBookings(token: string, signal: Signal | null) {
  const [bookings, setBookings] = useState<Booking[] | null>(null);
  const [notices, setNotices] = useState<Record<string, string>>({});
  // Pushes come close together (her confirmation, then the next seat asked), so loads overlap and their answers can
  // come back in either order: an older one shown last stayed until the next push, which might not come. Only an
  // answer to a later load than the one shown is shown. The newest load, if the network or the server failed it, is
  // tried again (not a refusal: a token past its time or revoked is the socket's to act on, by logging out).
  const loads = useRef({ started: 0, shown: 0, retry: undefined as ReturnType<typeof setTimeout> | undefined });
  const reload = (): Promise<void> => {
    const n = ++loads.current.started;
    clearTimeout(loads.current.retry);
    return bookingsApi.list(token).then(
      (list) => {
        if (n <= loads.current.shown) return;
        loads.current.shown = n;
        setBookings(list);
      },
      (e: unknown) => {
        const refused = e instanceof HttpError && e.status < 500 && e.status !== 408 && e.status !== 429;
        if (n === loads.current.started && !refused) loads.current.retry = setTimeout(() => void reload(), RELOAD_RETRY_MS);
      },
    );
  };
  useEffect(() => {
    void reload();
    return () => {
      // Gone, or another token's: no retry of this one's loads.
      clearTimeout(loads.current.retry);
      loads.current.started++;
    };
  }, [token]);
  useEffect(() => {
    if (!signal) return;
    const onUpdate = (u: ServerEvents['booking:update']) => {
      // A notice stands until the next change says otherwise (a confirmation supersedes "nobody confirmed yet").
      setNotices(({ [u.bookingId]: _old, ...rest }) => (u.notice ? { ...rest, [u.bookingId]: u.notice } : rest));
      void reload();
    };
    // What changed while the socket was not in its rooms: on every connection, and now if it connected before this
    // ran (the first load may have been read before). On the socket's `connect`, not the manager's `reconnect`, which
    // comes before the server has let the socket in and put it in its rooms.
    const onConnect = () => void reload();
    signal.socket.on('booking:update', onUpdate);
    signal.socket.on('connect', onConnect);
    if (signal.socket.connected) onConnect();
    return () => {
      signal.socket.off('booking:update', onUpdate);
      signal.socket.off('connect', onConnect);
    };
  }, [signal, token]);
  // The join button appears when the call opens: re-render now and then.
  const [, tick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => tick((n) => n + 1), 20_000);
    return () => clearInterval(timer);
  }, []);
  return { bookings, notices, reload };
}

/** Every IANA time zone as options, the device's marked as such (she reads and enters times in her own). */
export function ZoneOptions({ s, zone }: { s: StaffStrings; zone: string }) {
  const device = deviceTimeZone();
  return (
    <>
      {timeZones(device, zone).map((z) => (
        <option key={z} value={z}>
          {z === device ? `${z} (${s.thisDevice})` : z}
        </option>
      ))}
    </>
  );
}

/** The microphone's on/off button of a call screen. */
export function MuteButton({ t, muted, disabled, onToggle }: { t: Strings; muted: boolean; disabled?: boolean; onToggle: () => void }) {
  return (
    <button
      type="button"
      class="round mute"
      aria-pressed={muted}
      aria-label={muted ? t.unmute : t.mute}
      disabled={disabled}
      onClick={onToggle}
    >
      <Mic size={48} off={muted} />
    </button>
  );
}

/** "Are you sure?" in the page (no browser dialog): the question, the action that cannot be undone, and staying. */
export function ConfirmPanel({
  id,
  question,
  yes,
  no,
  action,
  onYes,
  onNo,
}: {
  id: string;
  question: string;
  yes: string;
  no: string;
  action: string;
  onYes: () => void;
  onNo: () => void;
}) {
  // The keyboard lands on the question, on the choice that changes nothing.
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => stay.current?.focus(), []);
  return (
    <div class="confirm-end" role="alertdialog" aria-labelledby={id}>
      <p id={id}>{question}</p>
      <div class="confirm-actions">
        <button type="button" class="danger" data-action={action} onClick={onYes}>
          {yes}
        </button>
        <button type="button" class="secondary" ref={stay} onClick={onNo}>
          {no}
        </button>
      </div>
    </div>
  );
}

/** An action on one booking whose failure (the server's reason, else a plain line) is shown at that booking. */
export function useBookingAction(s: StaffStrings) {
  const [failed, setFailed] = useState<{ bookingId: string; message: string } | null>(null);
  const attempt = async (bookingId: string, action: () => Promise<unknown>) => {
    setFailed(null);
    try {
      await action();
    } catch (e) {
      setFailed({ bookingId, message: serverMessages(e).messages.join(' ') || s.actionFailed });
    }
  };
  const failure = (bookingId: string) => (failed?.bookingId === bookingId ? <p role="alert">{failed.message}</p> : null);
  return { attempt, failure };
}

/**
 * A hearing's call, on the official's or the interpreter's console: opens the booking's session, joins it with
 * audio, shows who is heard, mute, and leaving. The official leaving ends the hearing for everyone, so she
 * confirms first; the interpreter may leave and come back while the call is open.
 */
export function HearingCall({
  signal,
  token,
  booking,
  sessionId: given,
  requestId,
  role,
  t,
  s,
  onCall,
  onEnd,
}: {
  signal: Signal;
  token: string;
  /** A hearing's call; without one, the on-demand call `sessionId` an official asked for ("interpreter now"). */
  booking: Booking | null;
  sessionId?: string;
  /** "Interpreter now": the official's request, for the code that adds the woman's own phone. */
  requestId?: string;
  role: 'official' | 'interpreter';
  t: Strings;
  s: StaffStrings;
  onCall: (call: Call | undefined) => void;
  onEnd: (ended: boolean) => void;
}) {
  const [joined, setJoined] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [heard, setHeard] = useState<string[]>([]);
  const [muted, setMuted] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [code, setCode] = useState<JoinCode | null>(null);
  const [codeFailed, setCodeFailed] = useState<string | null>(null);
  const live = useRef<{ call?: Call; sessionId?: string }>({});
  // Who is expected, and whoever else is heard (a relay leg's interpreter, a team partner), in the call's role order.
  const expected = [...(role === 'official' ? ['interpreter'] : ['official']), ...(booking?.remoteParticipant ? ['caller'] : [])];
  const others = CALL_ROLES.filter((r) => expected.includes(r) || heard.includes(r));
  const now = !booking;

  const close = () => {
    live.current.call?.close();
    live.current.call = undefined;
    onCall(undefined);
  };

  useEffect(() => {
    let gone = false;
    const join = async (sessionId: string) => {
      live.current.call?.close();
      const call = new Call(signal, sessionId, { onConnection: (c) => setReconnecting(c === 'reconnecting'), onParticipants: setHeard });
      live.current.call = call;
      onCall(call);
      await call.start();
    };
    (async () => {
      try {
        const { sessionId } = given ? { sessionId: given } : await bookingsApi.session(token, booking!.id);
        if (gone) return;
        live.current.sessionId = sessionId;
        await join(sessionId);
        if (!gone) setJoined(true);
      } catch (e) {
        if (gone) return;
        close();
        setFailed(serverMessages(e).messages.join(' ') || (e instanceof DOMException ? t.noMicrophone : s.actionFailed));
      }
    })();
    const mine = (e: { sessionId: string }) => e.sessionId === live.current.sessionId;
    const onEnded = (e: ServerEvents['session:ended']) => {
      if (!mine(e)) return;
      close();
      onEnd(true);
    };
    // Back after a dropped network, or the server rebuilt the media elsewhere: the same session again.
    const rejoin = () => live.current.sessionId && void join(live.current.sessionId).catch(() => undefined);
    const onRestart = (e: ServerEvents['session:mediaRestart']) => mine(e) && rejoin();
    const onDisconnect = () => live.current.sessionId && setReconnecting(true);
    const onReconnect = () => {
      setReconnecting(false);
      rejoin();
    };
    signal.socket.on('session:ended', onEnded);
    signal.socket.on('session:mediaRestart', onRestart);
    signal.socket.on('disconnect', onDisconnect);
    signal.socket.io.on('reconnect', onReconnect);
    return () => {
      gone = true;
      signal.socket.off('session:ended', onEnded);
      signal.socket.off('session:mediaRestart', onRestart);
      signal.socket.off('disconnect', onDisconnect);
      signal.socket.io.off('reconnect', onReconnect);
      close();
    };
  }, [booking?.id ?? given]);

  const leave = async () => {
    const sessionId = live.current.sessionId;
    if (sessionId) await signal.ask('session:leave', { sessionId }).catch(() => undefined);
    close();
    onEnd(role === 'official');
  };

  if (failed) {
    return (
      <section class="hearing-call" data-view="hearing" data-joined="false">
        <p role="alert">{failed}</p>
        <button type="button" class="secondary" onClick={() => onEnd(false)}>
          {t.back}
        </button>
      </section>
    );
  }
  return (
    <section
      class="hearing-call call-screen"
      aria-labelledby="hearing-title"
      data-view="hearing"
      data-joined={String(joined)}
      data-reconnecting={String(reconnecting)}
    >
      <h2 id="hearing-title">{now ? s.nowCallTitle : s.hearingTitle}</h2>
      {reconnecting && (
        <p class="reconnecting" role="status">
          {t.reconnecting}
        </p>
      )}
      {!joined && <p class="status">{t.connecting}</p>}
      <h3 class="sub">{s.inTheCall}</h3>
      <ul class="participants" aria-live="polite">
        {others.map((r) => (
          <li key={r} data-role={r} data-present={String(heard.includes(r))}>
            <span>{s.role[r]}</span>: <strong>{heard.includes(r) ? s.present : s.absent}</strong>
          </li>
        ))}
      </ul>
      {now && requestId && role === 'official' && !code && (
        <button
          type="button"
          class="secondary"
          data-action="join-code"
          onClick={() =>
            bookingsApi.requestJoinCode(token, requestId).then(
              (c) => (setCodeFailed(null), setCode(c)),
              (e) => setCodeFailed(serverMessages(e).messages.join(' ') || s.actionFailed),
            )
          }
        >
          {s.joinCode}
        </button>
      )}
      {codeFailed && <p role="alert">{codeFailed}</p>}
      {code && requestId && <JoinCodePanel id={requestId} code={code} s={s} onHide={() => setCode(null)} />}
      {confirming ? (
        <ConfirmPanel
          id="confirm-end-text"
          question={now ? s.nowConfirmEnd : s.confirmEnd}
          yes={s.yesEnd}
          no={s.stay}
          action={now ? 'end-call' : 'end-hearing'}
          onYes={leave}
          onNo={() => setConfirming(false)}
        />
      ) : (
        <div class="call-controls">
          <MuteButton
            t={t}
            muted={muted}
            disabled={!joined}
            onToggle={() => {
              live.current.call?.setMuted(!muted);
              setMuted(!muted);
            }}
          />
          <button
            type="button"
            class="round hang-up"
            aria-label={role === 'official' ? (now ? s.nowEnd : s.endHearing) : s.leaveHearing}
            onClick={() => (role === 'official' ? setConfirming(true) : void leave())}
          >
            <HangUp size={48} />
          </button>
        </div>
      )}
    </section>
  );
}
