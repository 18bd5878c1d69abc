import { useEffect, useRef, useState } from 'preact/hooks';
import { STAFF_STRINGS } from '../i18n/staff';
import type { Booking } from '../lib/bookings';
import { Call, CALL_ROLES } from '../lib/call';
import { AckError, connectSignal, type PresenceStatus, type ServerEvents, type Signal } from '../lib/socket';
import { startRingtone } from '../lib/sounds';
import { expired } from '../lib/staff-token';
import { exposeCall } from '../lib/test-hooks';
import { Check, Cross, HangUp, Phone } from '../ui/icons';
import { useLanguageNames } from '../ui/language-names';
import { useUiLanguage } from '../ui/ui-language';
import { ConfirmPanel, HearingCall, languageLabel, MuteButton } from '../ui/hearing';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import {
  ConsoleHeader,
  forgetStaffSession,
  keepStaffSessionOnDevice,
  readInterpreterSession,
  StaffLogin,
  stopKeepingStaffSession,
} from '../ui/staff-login';
import { AvailabilityEditor, MyBookings } from './bookings';
import { Greetings } from './greetings';
import { useOfferAttention } from './offer-attention';
import { MyMonth } from './my-month';
import { forgetPushOnThisDevice, PushOffers, pushOnThisDevice } from './push-offers';
import { Countdown } from './countdown';
import { WrapUp, type Wrapup } from './wrap-up';
import { WhereHelpIs } from '../ui/where-help-is';

type Offer = ServerEvents['offer:new'];

type Note = 'otherLeft' | 'offerGone' | 'missedCall' | 'callEnded' | 'hearingEnded' | 'suspended' | 'legNotFilled' | 'askedAnother';
const NO_WRAPUP: Wrapup = { until: null, canExtend: false };
type View =
  | { name: 'idle'; note?: Note }
  | { name: 'offer'; offer: Offer }
  /** She accepted one leg of a relay chain: the call opens when the other leg's interpreter accepts too. */
  | { name: 'waiting'; offer: Offer; until: string }
  /** offer: what the offer said (none when her call opened after her console was reloaded). */
  | { name: 'call'; sessionId: string; offer: Offer | null; since: number }
  | { name: 'hearing'; booking: Booking };

/** What the offer said of the call, shown on the offer and kept on the call screen: language, matter, urgency, age. */
function CallFacts({ offer, t, languageName }: { offer: Offer; t: Strings; languageName: (id: string) => string }) {
  return (
    <>
      {offer.returning && (
        <p class="returning" data-fact="returning">
          {t.returningCaller}
        </p>
      )}
      <dl class="call-facts">
        <dt>{t.language}</dt>
        <dd data-fact="language">{languageName(offer.languageId)}</dd>
        {offer.targetLanguageId && (
          <>
            <dt>{t.into}</dt>
            <dd data-fact="target">{languageName(offer.targetLanguageId)}</dd>
          </>
        )}
        <dt>{t.matter}</dt>
        <dd data-fact="matter">{t.matterName[offer.matter] ?? offer.matter}</dd>
        <dt>{t.urgency}</dt>
        <dd data-fact="urgency" class={`urgency ${offer.urgency}`}>
          {t[`urgency_${offer.urgency}`]}
        </dd>
        <dt>{t.age}</dt>
        <dd data-fact="age">{offer.minor ? t.minorFlag : t.adult}</dd>
      </dl>
    </>
  );
}

/** Which leg of a relay chain she is offered: the languages she interprets between (nothing for a whole call). */
function RelayLeg({ offer, s, languageName }: { offer: Offer; s: StaffStrings; languageName: (id: string) => string }) {
  if (offer.leg === 'direct' || !offer.relayLanguageId) return null;
  const [from, into] =
    offer.leg === 'source'
      ? [offer.languageId, offer.relayLanguageId]
      : [offer.relayLanguageId, offer.targetLanguageId ?? offer.relayLanguageId];
  return (
    <p class="relay-leg" data-leg={offer.leg}>
      {s.relayLeg(languageName(from), languageName(into))}
    </p>
  );
}

/** m:ss (h:mm:ss past an hour) since the call was accepted, ticking every second. */
function CallTimer({ since, s }: { since: number; s: StaffStrings }) {
  const elapsed = () => Math.max(0, Math.floor((Date.now() - since) / 1000));
  const [secs, setSecs] = useState(elapsed);
  useEffect(() => {
    const timer = setInterval(() => setSecs(elapsed()), 1000);
    return () => clearInterval(timer);
  }, [since]);
  const two = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const text = h ? `${h}:${two(m)}:${two(secs % 60)}` : `${m}:${two(secs % 60)}`;
  return (
    <p class="call-timer">
      <span>{s.callTime}</span>{' '}
      <time role="timer" aria-live="off" dateTime={`PT${secs}S`} data-seconds={secs}>
        {text}
      </time>
    </p>
  );
}

export function InterpreterApp() {
  const { lang, t, choose } = useUiLanguage();
  const s = STAFF_STRINGS[lang];
  const [token, setToken] = useState<string | null>(() => {
    const session = readInterpreterSession();
    return session?.role === 'interpreter' ? session.token : null;
  });
  const [available, setAvailable] = useState(false);
  // On call: reachable by push only (her phone), offered after those at their console.
  const [onCall, setOnCallState] = useState(false);
  const [connected, setConnected] = useState(false);
  /** Her presence as the server answered it: at her console, on call, or neither. */
  const showStatus = (status: PresenceStatus) => {
    setAvailable(status === 'available');
    setOnCallState(status === 'on_call');
  };
  // Her wrap-up time after a call (the server's word: wrapup:update).
  const [wrapup, setWrapup] = useState<Wrapup>(NO_WRAPUP);
  // Her last on-demand call, for its wrap-up ticks.
  const [lastCall, setLastCall] = useState<string | null>(null);
  // Over by the clock (the server's word that it is may have been missed): the panel goes.
  useEffect(() => {
    if (!wrapup.until) return;
    const timer = setTimeout(() => setWrapup(NO_WRAPUP), Math.max(0, Date.parse(wrapup.until) - Date.now()) + 1000);
    return () => clearTimeout(timer);
  }, [wrapup.until]);
  const [view, setView] = useState<View>({ name: 'idle' });
  // The view on screen, for socket handlers registered once.
  const shown = useRef(view);
  shown.current = view;
  const [muted, setMuted] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  const [otherAway, setOtherAway] = useState(false);
  // The roles heard in the call now: the caller, an official, a relay or team interpreter.
  const [heard, setHeard] = useState<string[]>([]);
  const languages = useLanguageNames();
  const [signal, setSignal] = useState<Signal | null>(null);
  /** She asked to log out during a call: the question is shown until she answers. */
  const [leaving, setLeaving] = useState(false);
  // opened: relay legs whose call opened (offer:session) before her own acceptance was answered, by offer.
  // seen: offers her console showed her (one that closes unseen is told as missed).
  const live = useRef<{ signal?: Signal; call?: Call; sessionId?: string; opened?: Map<string, string>; seen?: Set<string> }>({});

  useEffect(() => void (__PUENTE_TEST_HOOKS__ && exposeCall(() => live.current.call)), []);

  // A relay leg's wait is bounded: past it (and the sweep's few seconds) she hears the outcome, or, if that news
  // missed her (a dropped connection), her console stops waiting on its own; a call that opens later still finds her.
  const waitingUntil = view.name === 'waiting' ? view.until : null;
  useEffect(() => {
    if (!waitingUntil) return;
    const timer = setTimeout(
      () => setView((v) => (v.name === 'waiting' ? { name: 'idle', note: 'offerGone' } : v)),
      Math.max(0, Date.parse(waitingUntil) - Date.now()) + 15_000,
    );
    return () => clearTimeout(timer);
  }, [waitingUntil]);

  // The offer rings (sound and screen) until she answers or it goes away.
  const ringing = view.name === 'offer' ? view.offer.offerId : null;
  useEffect(() => (ringing ? startRingtone() : undefined), [ringing]);
  const ringingOffer = view.name === 'offer' ? view.offer : null;
  useOfferAttention(
    ringingOffer,
    signal,
    // As the console's worker words a pushed offer (client/sw/interpreter-sw.js): one notification either way.
    ringingOffer
      ? {
          title: `${t.incomingCall} · ${languageLabel(languages.get(ringingOffer.languageId), ringingOffer.languageId)}`,
          body: `${t.matterName[ringingOffer.matter] ?? ringingOffer.matter} · ${t[`urgency_${ringingOffer.urgency}`]}`,
        }
      : { title: '', body: '' },
    (offerId) => (live.current.seen ??= new Set()).add(offerId),
  );

  const joinCall = (signal: Signal, sessionId: string) => {
    live.current.call?.close();
    const call = new Call(signal, sessionId, { onConnection: (s) => setReconnecting(s === 'reconnecting'), onParticipants: setHeard });
    live.current.call = call;
    return call.start();
  };

  const endCall = (note: 'otherLeft' | 'callEnded' | 'askedAnother') => {
    // Its wrap-up ticks may follow (metadata only).
    setLastCall(live.current.sessionId ?? null);
    live.current.call?.close();
    live.current.call = undefined;
    live.current.sessionId = undefined;
    setMuted(false);
    setReconnecting(false);
    setOtherAway(false);
    setHeard([]);
    setView({ name: 'idle', note });
  };

  useEffect(() => {
    if (!token) return;
    const signal = connectSignal(token);
    live.current.signal = signal;
    setSignal(signal);
    signal.socket.on('connect', () => setConnected(true));
    signal.socket.on('disconnect', () => {
      setConnected(false);
      if (live.current.sessionId) setReconnecting(true);
    });
    // Back after a dropped network: a call in progress is joined again, in the same session.
    signal.socket.io.on('reconnect', () => {
      setReconnecting(false);
      if (live.current.sessionId) void joinCall(signal, live.current.sessionId).catch(() => undefined);
    });
    // The server says where she stands on every connection, so a reload shows her real availability.
    signal.socket.on('presence:update', (e) => {
      showStatus(e.status);
      if (e.reason === 'suspended') setView((v) => (v.name === 'idle' || v.name === 'offer' ? { name: 'idle', note: 'suspended' } : v));
    });
    signal.socket.on('wrapup:update', setWrapup);
    signal.socket.on('connect_error', (e: Error) => {
      if (!/unauthori[sz]ed|token/i.test(e.message)) return;
      // Her login ran out: she logs in again, and her phone keeps receiving offers meanwhile. Anything else (revoked,
      // disabled): logged out for good, this device's offers with it.
      if (expired(token)) loginExpired();
      else logout();
    });
    // During a hearing's call an offer is not shown (it rings out and goes to the next interpreter).
    signal.socket.on('offer:new', (offer) => setView((v) => (v.name === 'hearing' ? v : { name: 'offer', offer })));
    signal.socket.on('offer:withdrawn', (e) =>
      setView((v) =>
        (v.name === 'offer' || v.name === 'waiting') && v.offer.offerId === e.offerId
          ? {
              name: 'idle',
              note: e.reason === 'relay_unfilled' ? 'legNotFilled' : live.current.seen?.has(e.offerId) ? 'offerGone' : 'missedCall',
            }
          : v,
      ),
    );
    // The relay leg she accepted has its call: the other leg accepted (or, not filled in time, she takes it alone).
    signal.socket.on('offer:session', (e) => {
      (live.current.opened ??= new Map()).set(e.offerId, e.sessionId);
      const v = shown.current;
      if (v.name === 'waiting' && v.offer.offerId === e.offerId) void openCall(signal, v.offer, e.sessionId);
      // She accepted it on this console before it was reloaded (or on another of her devices): the call is hers.
      else if (v.name === 'idle') void openCall(signal, null, e.sessionId);
    });
    // The caller's media left: she hung up (session:ended follows) or her network dropped and she is coming back.
    // Not when someone else still speaks to her: the official of an "interpreter now" call whose woman's phone left.
    signal.socket.on('session:participantLeft', (e) => {
      if (e.sessionId !== live.current.sessionId || e.role === 'interpreter') return;
      const still = (live.current.call?.roles() ?? []).filter((r) => r !== e.role && (r === 'caller' || r === 'official'));
      if (!still.length) setOtherAway(true);
    });
    // The woman (or the official who asked) is back; a relay or team interpreter's arrival says nothing of her.
    signal.socket.on('session:newProducer', (e) => {
      if (e.sessionId === live.current.sessionId && (e.role === 'caller' || e.role === 'official')) setOtherAway(false);
    });
    signal.socket.on('session:ended', (e) => {
      if (e.sessionId !== live.current.sessionId) return;
      endCall(
        e.reason === 'completed' || e.reason === 'abandoned'
          ? 'otherLeft'
          : e.reason === 'another_interpreter'
            ? 'askedAnother'
            : 'callEnded',
      );
    });
    signal.socket.on('session:mediaRestart', (e) => {
      if (e.sessionId !== live.current.sessionId) return;
      void joinCall(signal, e.sessionId).catch(() => undefined);
    });
    return () => {
      live.current.call?.close();
      signal.close();
      live.current = {};
      setSignal(null);
    };
  }, [token]);

  function loginExpired() {
    stopKeepingStaffSession();
    forgetStaffSession();
    setToken(null);
    setAvailable(false);
    setWrapup(NO_WRAPUP);
  }

  function logout() {
    setLastCall(null);
    setLeaving(false);
    setWrapup(NO_WRAPUP);
    // Her offers stop coming to this device: whoever uses it next is not shown them.
    void forgetPushOnThisDevice(token);
    forgetStaffSession();
    setToken(null);
    setAvailable(false);
  }

  const toggleAvailable = async () => {
    const status = available ? 'away' : 'available';
    try {
      const res = await live.current.signal!.ask('presence:set', { status });
      showStatus(res.status);
    } catch (e) {
      // Her roster admin suspended her: the server refuses to make her available.
      if (e instanceof AckError && e.code === 'FORBIDDEN') setView((v) => (v.name === 'idle' ? { name: 'idle', note: 'suspended' } : v));
    }
  };

  const setOnCall = async (on: boolean) => {
    try {
      const res = await live.current.signal!.ask('presence:set', { status: on ? 'on_call' : 'away' });
      showStatus(res.status);
    } catch {
      setOnCallState(false);
    }
  };

  const openCall = async (signal: Signal, offer: Offer | null, sessionId: string) => {
    if (live.current.sessionId === sessionId) return;
    live.current.sessionId = sessionId;
    setView({ name: 'call', sessionId, offer, since: Date.now() });
    await joinCall(signal, sessionId).catch(() => undefined);
  };

  const accept = async (offer: Offer) => {
    const signal = live.current.signal!;
    try {
      const accepted = await signal.ask('offer:accept', { offerId: offer.offerId });
      // A relay leg whose other leg has not accepted yet waits (unless its call opened while the answer travelled).
      const sessionId = accepted.sessionId ?? live.current.opened?.get(offer.offerId);
      if (sessionId) await openCall(signal, offer, sessionId);
      else if (accepted.until) setView({ name: 'waiting', offer, until: accepted.until });
    } catch {
      setView({ name: 'idle', note: 'offerGone' });
    }
  };

  const decline = async (offer: Offer) => {
    await live.current.signal!.ask('offer:decline', { offerId: offer.offerId }).catch(() => undefined);
    setView({ name: 'idle' });
  };

  const hangUp = async () => {
    const sessionId = live.current.sessionId;
    if (sessionId) await live.current.signal!.ask('session:leave', { sessionId }).catch(() => undefined);
    endCall('callEnded');
  };

  const langName = (id: string) => languageLabel(languages.get(id), id);
  const noteText: Record<Note, string> = {
    otherLeft: t.otherLeft,
    offerGone: t.offerGone,
    callEnded: t.callEnded,
    hearingEnded: s.hearingEnded,
    suspended: s.suspendedNote,
    legNotFilled: s.legNotFilled,
    missedCall: s.missedCall,
    askedAnother: s.askedAnother,
  };
  const inACall = view.name === 'call' || view.name === 'hearing';
  // Logging out in a call would drop the woman: she is asked first; on yes, the call is left properly.
  useEffect(() => {
    if (!inACall) setLeaving(false);
  }, [inACall]);
  const askLogout = () => (inACall ? setLeaving(true) : logout());
  const leaveAndLogout = async () => {
    if (view.name === 'call') await hangUp();
    logout();
  };

  return (
    <div class="app console">
      <ConsoleHeader t={t} lang={lang} choose={choose} onLogout={token ? askLogout : null} />
      <main>
        <h1>{t.consoleTitle}</h1>
        {!token ? (
          <StaffLogin
            t={t}
            roles={['interpreter']}
            roleError={t.loginFailed}
            onLogin={(session) => {
              // Logged in again on a device that receives her offers by push: kept, as when she turned it on.
              if (pushOnThisDevice(session.token)) keepStaffSessionOnDevice(session);
              setToken(session.token);
            }}
          />
        ) : (
          <>
            {leaving && inACall && (
              <ConfirmPanel
                id="confirm-logout-text"
                question={s.confirmLogout}
                yes={s.yesLogout}
                no={s.stay}
                action="confirm-logout"
                onYes={leaveAndLogout}
                onNo={() => setLeaving(false)}
              />
            )}
            {/* Not while she waits for a relay chain's other leg: the call she accepted is hers whatever she sets. */}
            {!inACall && view.name !== 'waiting' && (
              <div class="availability">
                <button type="button" role="switch" class="switch" aria-checked={available} disabled={!connected} onClick={toggleAvailable}>
                  <span class="knob" aria-hidden="true" />
                  <span>{t.availability}</span>
                </button>
                <span class={available ? 'state on' : 'state'} data-available={String(available)}>
                  {available ? t.available : t.away}
                </span>
              </div>
            )}
            {view.name === 'idle' && (
              <>
                <section class="idle" aria-live="polite" data-view="idle">
                  {view.note && <p class="note">{noteText[view.note]}</p>}
                  {available && !wrapup.until && <p>{t.waitingForOffers}</p>}
                </section>
                <WrapUp
                  wrapup={wrapup}
                  signal={signal}
                  token={token}
                  s={s}
                  onCall={onCall}
                  lastCall={lastCall}
                  onReady={(status) => {
                    showStatus(status);
                    setWrapup(NO_WRAPUP);
                  }}
                />
                {/* How offers reach her, beside whether they do. */}
                <PushOffers token={token} s={s} onCall={onCall} setOnCall={setOnCall} />
                <MyBookings
                  token={token}
                  signal={signal}
                  t={t}
                  s={s}
                  lang={lang}
                  languageName={langName}
                  onJoin={(booking) => setView({ name: 'hearing', booking })}
                />
                <AvailabilityEditor token={token} s={s} lang={lang} />
              </>
            )}
            {view.name === 'hearing' && signal && (
              <HearingCall
                signal={signal}
                token={token}
                booking={view.booking}
                role="interpreter"
                t={t}
                s={s}
                onCall={(c) => (live.current.call = c)}
                onEnd={(ended) => setView({ name: 'idle', note: ended ? 'hearingEnded' : undefined })}
              />
            )}
            {view.name === 'idle' && <Greetings token={token} t={t} languageName={langName} />}
            {view.name === 'idle' && <MyMonth token={token} s={s} />}
            {view.name === 'offer' && (
              <section class="offer" role="alertdialog" aria-labelledby="offer-title" data-view="offer" data-urgency={view.offer.urgency}>
                <h2 id="offer-title">
                  <Phone size={32} /> {t.incomingCall}
                </h2>
                <CallFacts offer={view.offer} t={t} languageName={langName} />
                <RelayLeg offer={view.offer} s={s} languageName={langName} />
                <Countdown until={view.offer.expiresAt} label={t.secondsLeft} />
                <div class="offer-actions">
                  <button type="button" class="accept" onClick={() => accept(view.offer)}>
                    <Check size={32} /> {t.accept}
                  </button>
                  <button type="button" class="decline" onClick={() => decline(view.offer)}>
                    <Cross size={32} /> {t.decline}
                  </button>
                </div>
              </section>
            )}
            {view.name === 'waiting' && (
              <section class="offer waiting" aria-live="polite" data-view="waiting">
                <CallFacts offer={view.offer} t={t} languageName={langName} />
                <RelayLeg offer={view.offer} s={s} languageName={langName} />
                <p class="status" role="status">
                  {s.waitingOtherLeg}
                </p>
              </section>
            )}
            {view.name === 'call' && (
              <section class="call-screen" data-view="call" data-reconnecting={String(reconnecting)}>
                {reconnecting && (
                  <p class="reconnecting" role="status">
                    {t.reconnecting}
                  </p>
                )}
                <p class="status connected">{t.inCall}</p>
                <CallTimer since={view.since} s={s} />
                {view.offer && <CallFacts offer={view.offer} t={t} languageName={langName} />}
                {view.offer && <RelayLeg offer={view.offer} s={s} languageName={langName} />}
                {heard.length > 0 && (
                  <ul class="participants" aria-label={s.inTheCall} aria-live="polite">
                    {CALL_ROLES.filter((r) => heard.includes(r)).map((r) => (
                      <li key={r} data-role={r}>
                        {s.role[r]}
                      </li>
                    ))}
                  </ul>
                )}
                {otherAway && (
                  <p class="note" role="status">
                    {t.otherReconnecting}
                  </p>
                )}
                <WhereHelpIs token={token} t={t} s={s} />
                <div class="call-controls">
                  <MuteButton
                    t={t}
                    muted={muted}
                    onToggle={() => {
                      live.current.call?.setMuted(!muted);
                      setMuted(!muted);
                    }}
                  />
                  <button type="button" class="round hang-up" aria-label={t.hangUp} onClick={hangUp}>
                    <HangUp size={48} />
                  </button>
                </div>
              </section>
            )}
          </>
        )}
      </main>
    </div>
  );
}
