import { useEffect, useRef, useState } from 'preact/hooks';
import type { UiLanguage } from '../i18n';
import { api, HttpError, request, type Language } from '../lib/api';
import { Call, openMicrophone } from '../lib/call';
import { quickExit } from '../lib/quick-exit';
import { connectSignal, type Signal } from '../lib/socket';
import { connectedTone, playCue, played, unmatchedTone, type CueName } from '../lib/sounds';
import { exposeCall } from '../lib/test-hooks';
import { Back, Chain, Child, Door, Ear, HangUp, Mic, Person, Phone, Pin, Play, Question, Scale, Shield, Siren, Speaker, Speech, Woman } from '../ui/icons';
import { UiLanguageSwitch, useUiLanguage } from '../ui/ui-language';

// Her four choices of matter; "legal" asks for the civil specialty, and the ladder falls back to any legal interpreter.
const MATTERS = [
  { key: 'legal_civil', label: 'matter_legal', Icon: Scale },
  { key: 'violence', label: 'matter_violence', Icon: Shield },
  { key: 'trafficking', label: 'matter_trafficking', Icon: Chain },
  { key: 'other', label: 'matter_other', Icon: Question },
] as const;

/**
 * The member states laid out roughly as they sit on the map, north to south (no flags, no reading needed to
 * find "down there, on the left"): grid areas of .region-map in styles.css.
 */
const REGION = ['CA', 'US', 'MX', 'DO', 'BZ', 'GT', 'HN', 'SV', 'NI', 'CR', 'PA'] as const;
/** Speaker loud / quiet: what a web page can do for "loudspeaker / earpiece". */
const VOLUME = { loud: 1, quiet: 0.35 };

type Phase =
  | { name: 'choosing' }
  | { name: 'connecting' }
  | { name: 'waiting'; position?: number }
  | { name: 'ringing' }
  | { name: 'connected'; firstName: string }
  | { name: 'ended'; hearing?: boolean }
  | { name: 'unmatched' }
  | { name: 'error'; message: 'noMicrophone' | 'error' }
  /** A hearing's join code that did not open the call: not a code at all (`invalid`), or not now (`early`: wrong, used, expired or too early). */
  | { name: 'joinFailed'; reason: 'invalid' | 'early' | 'error' };

interface RequestUpdate {
  requestId: string;
  state: string;
  queuePosition?: number;
  interpreter?: { firstName: string };
  sessionId?: string;
}

interface Live {
  signal?: Signal;
  /** In a hearing's call (opened with a join code), not an on-demand one. */
  hearing?: boolean;
  call?: Call;
  mic?: MediaStream;
  requestId?: string;
  sessionId?: string;
}

function CueButton({ lang, name, label }: { lang: UiLanguage; name: CueName; label: string }) {
  return (
    <button type="button" class="cue" data-cue={name} aria-label={label} onClick={() => void playCue(lang, name)}>
      <Ear size={32} />
    </button>
  );
}

export function CallerApp({ joinCode = null }: { joinCode?: string | null }) {
  const { lang, t, choose } = useUiLanguage();
  const [languages, setLanguages] = useState<Language[] | null>(null);
  const [greetings, setGreetings] = useState<Set<string>>(new Set());
  const [loadFailed, setLoadFailed] = useState(false);
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [region, setRegion] = useState<string | null>(null);
  const [language, setLanguage] = useState<Language | null>(null);
  const [matter, setMatter] = useState<string | null>(null);
  const [minor, setMinor] = useState(false);
  const [preferFemale, setPreferFemale] = useState(false);
  const [emergency, setEmergency] = useState(false);
  const [phase, setPhase] = useState<Phase>({ name: 'choosing' });
  const [reconnecting, setReconnecting] = useState(false);
  const [otherAway, setOtherAway] = useState(false);
  const [muted, setMuted] = useState(false);
  const [loud, setLoud] = useState(true);
  const live = useRef<Live>({});
  // Read by socket handlers registered once per call, so kept in refs rather than captured.
  const volume = useRef(VOLUME.loud);
  const uiLang = useRef(lang);
  uiLang.current = lang;
  const player = useRef<HTMLAudioElement>(null);

  const loadLanguages = () => {
    setLoadFailed(false);
    api.languages().then(setLanguages, () => setLoadFailed(true));
    // Greetings are a bonus: without them the page works the same.
    api.greetings().then(
      (gs) => setGreetings(new Set(gs.map((g) => g.languageId))),
      () => undefined,
    );
  };
  useEffect(loadLanguages, []);
  useEffect(() => exposeCall(() => live.current.call), []);
  // Held in memory only, to try again when the hearing's call was not open yet.
  const code = useRef(joinCode);
  useEffect(() => {
    if (code.current) void joinHearing(code.current);
  }, []);

  const teardown = () => {
    live.current.call?.close();
    live.current.signal?.close();
    live.current.mic?.getTracks().forEach((tr) => tr.stop());
    live.current = {};
    setReconnecting(false);
    setOtherAway(false);
  };

  const joinSession = async (signal: Signal, sessionId: string) => {
    if (live.current.sessionId === sessionId && live.current.call) return;
    live.current.call?.close();
    live.current.sessionId = sessionId;
    const call = new Call(signal, sessionId, { mic: live.current.mic, onConnection: (s) => setReconnecting(s === 'reconnecting') });
    live.current.call = call;
    call.setVolume(volume.current);
    try {
      await call.start();
    } catch (e) {
      if (live.current.call !== call) return;
      setPhase({ name: 'error', message: e instanceof DOMException ? 'noMicrophone' : 'error' });
    }
  };

  const onUpdate = (signal: Signal) => (u: RequestUpdate) => {
    // An update can arrive before request:create's acknowledgement; a socket carries one request at a time.
    if (live.current.requestId && u.requestId !== live.current.requestId) return;
    live.current.requestId = u.requestId;
    if (u.state === 'queued') setPhase({ name: 'waiting', position: u.queuePosition });
    else if (u.state === 'offering') setPhase({ name: 'ringing' });
    else if ((u.state === 'accepted' || u.state === 'connected') && u.sessionId) {
      setPhase((p) => {
        if (p.name !== 'connected') connectedTone();
        // `accepted` names the interpreter; `connected` (both are in the call) does not: keep her name.
        return { name: 'connected', firstName: u.interpreter?.firstName ?? (p.name === 'connected' ? p.firstName : '') };
      });
      void joinSession(signal, u.sessionId);
    } else if (u.state === 'unmatched') {
      teardown();
      setPhase({ name: 'unmatched' });
      unmatchedTone();
      void playCue(uiLang.current, 'unmatched');
    } else if (['completed', 'cancelled', 'abandoned'].includes(u.state)) {
      teardown();
      setPhase({ name: 'ended' });
    }
  };

  /** What any call needs from the socket: reconnection, the others' comings and goings, the end, a media rebuild. */
  const wire = (signal: Signal) => {
    signal.socket.on('disconnect', () => {
      if (live.current.signal === signal) setReconnecting(true);
    });
    // Back on the network (same anonymous token, so the server knows her request): the line position is
    // announced again by the server; a call in progress is joined again, in the same session.
    signal.socket.io.on('reconnect', () => {
      if (live.current.signal !== signal) return;
      setReconnecting(false);
      const sessionId = live.current.sessionId;
      if (sessionId) {
        live.current.call?.close();
        live.current.call = undefined;
        void joinSession(signal, sessionId);
      }
    });
    // The interpreter's media left: she hung up (request:update `completed` follows) or her network dropped
    // (she rejoins, or the server hands the call to the next interpreter): wait, and say so.
    signal.socket.on('session:participantLeft', (e: { sessionId: string; role: string }) => {
      if (e.sessionId === live.current.sessionId && e.role !== 'caller') setOtherAway(true);
    });
    signal.socket.on('session:newProducer', (e: { sessionId: string; role: string }) => {
      if (e.sessionId === live.current.sessionId && e.role !== 'caller') setOtherAway(false);
    });
    signal.socket.on('session:ended', (e: { sessionId: string; reason?: string }) => {
      if (e.sessionId !== live.current.sessionId) return;
      if ((e.reason === 'interpreter_lost' || e.reason === 'media_failed') && !live.current.hearing) {
        // Her request is back at the front of the line: the next interpreter takes the call.
        live.current.call?.close();
        live.current.call = undefined;
        live.current.sessionId = undefined;
        setPhase({ name: 'waiting' });
        return;
      }
      const hearing = live.current.hearing;
      teardown();
      setPhase({ name: 'ended', hearing });
    });
    signal.socket.on('session:mediaRestart', (e: { sessionId: string }) => {
      // The server rebuilt the call's media elsewhere: renegotiate in the same session.
      if (e.sessionId !== live.current.sessionId) return;
      live.current.call?.close();
      live.current.call = undefined;
      void joinSession(signal, e.sessionId);
    });
  };

  const startCall = async () => {
    if (!language || !matter) return;
    setPhase({ name: 'connecting' });
    // The microphone first: if she cannot be heard, no interpreter is rung for nothing.
    try {
      live.current = { mic: await openMicrophone() };
    } catch {
      setPhase({ name: 'error', message: 'noMicrophone' });
      return;
    }
    try {
      const token = await api.callerToken();
      const signal = connectSignal(token);
      live.current.signal = signal;
      signal.socket.on('request:update', onUpdate(signal));
      wire(signal);
      const r = await signal.ask<{ requestId: string; state: string }>('request:create', {
        languageId: language.id,
        matter,
        urgency: emergency ? 'emergency' : 'normal',
        minor,
        preferFemale,
      });
      // The token and request live in memory only: nothing about the call is written to the device.
      live.current.requestId = r.requestId;
      setPhase((p) => (p.name === 'connecting' ? { name: r.state === 'offering' ? 'ringing' : 'waiting' } : p));
    } catch {
      teardown();
      setPhase({ name: 'error', message: 'error' });
    }
  };

  /**
   * A hearing's call from the official's code: the microphone first (a code works once), then the code for an
   * anonymous token and the session, straight into the call. Nothing is written to the device.
   */
  const joinHearing = async (joinCode: string) => {
    setPhase({ name: 'connecting' });
    try {
      live.current = { mic: await openMicrophone(), hearing: true };
    } catch {
      setPhase({ name: 'error', message: 'noMicrophone' });
      return;
    }
    let redeemed: { accessToken: string; sessionId: string };
    try {
      redeemed = await request('/api/v1/bookings/join', { method: 'POST', body: JSON.stringify({ code: joinCode }) });
    } catch (e) {
      teardown();
      const status = e instanceof HttpError ? e.status : 0;
      // The server gives one answer (404) for a code that is wrong, used, expired or not open yet, so that it tells a
      // guesser nothing: she is told it does not open the call now, and may try again nearer the time.
      setPhase({ name: 'joinFailed', reason: status === 400 ? 'invalid' : status === 404 || status === 409 ? 'early' : 'error' });
      return;
    }
    code.current = null;
    const signal = connectSignal(redeemed.accessToken);
    live.current.signal = signal;
    wire(signal);
    setPhase({ name: 'connected', firstName: '' });
    connectedTone();
    await joinSession(signal, redeemed.sessionId);
  };

  const leave = async () => {
    const { signal, sessionId, requestId } = live.current;
    if (signal && sessionId) await signal.ask('session:leave', { sessionId });
    else if (signal && requestId) await signal.ask('request:cancel', { requestId });
  };

  const hangUp = async () => {
    const hearing = live.current.hearing;
    await leave().catch(() => undefined);
    teardown();
    setPhase({ name: 'ended', hearing });
  };

  const exit = () => {
    void quickExit(async () => {
      try {
        await leave();
      } finally {
        teardown();
      }
    });
  };

  const toggleMute = () => {
    live.current.call?.setMuted(!muted);
    setMuted(!muted);
  };

  const toggleSpeaker = () => {
    volume.current = loud ? VOLUME.quiet : VOLUME.loud;
    live.current.call?.setVolume(volume.current);
    setLoud(!loud);
  };

  const again = () => {
    teardown();
    setMuted(false);
    setPhase({ name: 'choosing' });
    // After a hearing she has chosen nothing yet: from the first step.
    setStep(language && matter ? 3 : 1);
  };

  const playGreeting = (l: Language) => {
    const audio = player.current;
    if (!audio) return;
    audio.src = api.greetingUrl(l.id);
    played.push('greeting');
    void audio.play().catch(() => undefined);
  };

  // The hearing's call was not open yet (or the network failed): the same code, once more.
  const canRetry = phase.name === 'joinFailed' && phase.reason !== 'invalid' && !!code.current;
  const shown = languages && region ? languages.filter((l) => l.countries.includes(region)) : languages;
  const perRegion = (code: string) => languages?.filter((l) => l.countries.includes(code)).length ?? 0;

  return (
    <div class="app caller">
      <header class="bar">
        <UiLanguageSwitch lang={lang} choose={choose} label={t.interfaceLanguage} />
        <button type="button" class="quick-exit" onClick={exit} aria-label={t.quickExit}>
          <Door size={28} />
          <span>{t.quickExit}</span>
        </button>
      </header>
      {/* Greetings play here; no file is kept (the server answers no-store). */}
      <audio ref={player} class="greeting-player" preload="none" />
      <main>
        {phase.name === 'choosing' ? (
          <>
            <ol class="steps" aria-hidden="true">
              {[1, 2, 3].map((n) => (
                <li key={n} class={n === step ? 'current' : n < step ? 'done' : ''}>
                  {n}
                </li>
              ))}
            </ol>
            {(step > 1 || region) && (
              <button
                type="button"
                class="back"
                onClick={() => (step === 1 ? setRegion(null) : setStep((step - 1) as 1 | 2))}
                aria-label={t.back}
              >
                <Back size={32} />
              </button>
            )}
            {step === 1 && (
              <section aria-labelledby="step1">
                <h1 id="step1">
                  <Speech size={36} /> <span>{t.step1}</span>
                  <CueButton lang={lang} name="step1" label={t.listen} />
                </h1>
                {loadFailed ? (
                  <p role="alert">
                    {t.languagesFailed}{' '}
                    <button type="button" onClick={loadLanguages}>
                      {t.retry}
                    </button>
                  </p>
                ) : !languages ? (
                  <p aria-live="polite">{t.loadingLanguages}</p>
                ) : !region ? (
                  <nav aria-labelledby="region-title">
                    <h2 id="region-title" class="sub">
                      <Pin size={28} /> {t.chooseRegion}
                    </h2>
                    <ul class="region-map">
                      {REGION.map((code) => (
                        <li key={code} style={{ gridArea: code }}>
                          <button type="button" class="region" data-country={code} onClick={() => setRegion(code)} disabled={!perRegion(code)}>
                            <span class="code" aria-hidden="true">
                              {code}
                            </span>
                            <span>{t.countries[code] ?? code}</span>
                            <span class="count" aria-hidden="true">
                              {perRegion(code)}
                            </span>
                          </button>
                        </li>
                      ))}
                      <li style={{ gridArea: 'ALL' }}>
                        <button type="button" class="region all" data-country="all" onClick={() => setRegion('all')}>
                          <Speech size={24} />
                          <span>{t.allLanguages}</span>
                        </button>
                      </li>
                    </ul>
                  </nav>
                ) : (
                  <>
                    {region !== 'all' && <h2 class="sub">{t.languagesIn(t.countries[region] ?? region)}</h2>}
                    <ul class="languages">
                      {(region === 'all' ? languages : shown!).map((l) => (
                        <li key={l.id}>
                          <button
                            type="button"
                            class="language"
                            data-iso={l.iso6393}
                            data-variant={l.variant ?? ''}
                            aria-pressed={language?.id === l.id}
                            onClick={() => {
                              setLanguage(l);
                              setStep(2);
                            }}
                          >
                            <Speech size={32} />
                            <span class="autonym">{l.autonym ?? l.name}</span>
                            {l.autonym && l.autonym !== l.name ? <span class="name">{l.name}</span> : null}
                            {l.variant ? <span class="name">{l.variant}</span> : null}
                          </button>
                          {greetings.has(l.id) && (
                            <button type="button" class="greeting" data-greeting={l.id} aria-label={t.playGreeting(l.autonym ?? l.name)} onClick={() => playGreeting(l)}>
                              <Play size={24} />
                            </button>
                          )}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </section>
            )}
            {step === 2 && (
              <section aria-labelledby="step2">
                <h1 id="step2">
                  <span>{t.step2}</span>
                  <CueButton lang={lang} name="step2" label={t.listen} />
                </h1>
                <div class="matters">
                  {MATTERS.map(({ key, label, Icon }) => (
                    <button
                      type="button"
                      key={key}
                      class="matter big"
                      data-matter={key}
                      aria-pressed={matter === key}
                      onClick={() => {
                        setMatter(key);
                        setStep(3);
                      }}
                    >
                      <Icon size={56} />
                      <span>{t[label]}</span>
                    </button>
                  ))}
                </div>
              </section>
            )}
            {step === 3 && (
              <section aria-labelledby="step3">
                <h1 id="step3" class="chosen">
                  <span>{language?.autonym ?? language?.name}</span>
                  <CueButton lang={lang} name="step3" label={t.listen} />
                </h1>
                <div class="toggles">
                  <button type="button" class="toggle" data-toggle="minor" aria-pressed={minor} onClick={() => setMinor(!minor)}>
                    <Child size={40} />
                    <span>{t.minor}</span>
                  </button>
                  <button type="button" class="toggle" data-toggle="female" aria-pressed={preferFemale} onClick={() => setPreferFemale(!preferFemale)}>
                    <Woman size={40} />
                    <span>{t.preferFemale}</span>
                  </button>
                  <button type="button" class="toggle" data-toggle="emergency" aria-pressed={emergency} onClick={() => setEmergency(!emergency)}>
                    <Siren size={40} />
                    <span>{t.emergency}</span>
                  </button>
                </div>
                <button type="button" class="call-button" onClick={startCall} disabled={!language || !matter}>
                  <Phone size={72} />
                  <span>{t.call}</span>
                </button>
              </section>
            )}
          </>
        ) : (
          <section class="call-screen" aria-live="polite" data-phase={phase.name} data-reconnecting={String(reconnecting)}>
            {reconnecting && (
              <p class="reconnecting" role="status">
                {t.reconnecting}
              </p>
            )}
            {phase.name === 'connecting' && <p class="status">{t.connecting}</p>}
            {phase.name === 'waiting' && (
              <>
                <p class="status">{t.waiting}</p>
                {phase.position ? (
                  <div class="queue" role="img" aria-label={t.placeInLine(phase.position)}>
                    {Array.from({ length: Math.min(phase.position, 8) }, (_, i) => (
                      <Person key={i} size={36} filled={i === Math.min(phase.position!, 8) - 1} />
                    ))}
                    <span class="queue-number">{phase.position}</span>
                  </div>
                ) : null}
              </>
            )}
            {phase.name === 'ringing' && (
              <p class="status ringing">
                <Phone size={56} /> {t.ringing}
              </p>
            )}
            {phase.name === 'connected' && (
              <>
                <p class="status connected">{live.current.hearing ? t.inHearing : t.connectedWith(phase.firstName)}</p>
                {otherAway && (
                  <p class="note" role="status">
                    {t.otherReconnecting}
                  </p>
                )}
                <div class="call-controls">
                  <button type="button" class="round mute" aria-pressed={muted} aria-label={muted ? t.unmute : t.mute} onClick={toggleMute}>
                    <Mic size={48} off={muted} />
                  </button>
                  <button type="button" class="round speaker" aria-pressed={loud} aria-label={loud ? t.speakerOn : t.speakerOff} onClick={toggleSpeaker}>
                    <Speaker size={48} loud={loud} />
                  </button>
                  <button type="button" class="round hang-up" aria-label={t.hangUp} onClick={hangUp}>
                    <HangUp size={48} />
                  </button>
                </div>
              </>
            )}
            {(phase.name === 'waiting' || phase.name === 'ringing' || phase.name === 'connecting') && (
              <button type="button" class="round hang-up" aria-label={t.cancel} onClick={hangUp}>
                <HangUp size={48} />
              </button>
            )}
            {phase.name === 'ended' && <p class="status">{phase.hearing ? t.hearingEnded : t.callEnded}</p>}
            {phase.name === 'joinFailed' && (
              <>
                <p class="status" role="status" data-join={phase.reason}>
                  {phase.reason === 'invalid' ? t.joinCodeInvalid : phase.reason === 'early' ? t.joinTooEarly : t.error}
                </p>
                {canRetry && (
                  <button type="button" class="call-button" onClick={() => void joinHearing(code.current!)}>
                    <Phone size={56} />
                    <span>{t.retry}</span>
                  </button>
                )}
              </>
            )}
            {phase.name === 'unmatched' && (
              <>
                <p class="status">{t.unmatched}</p>
                <CueButton lang={lang} name="unmatched" label={t.listen} />
              </>
            )}
            {phase.name === 'error' && (
              <p class="status" role="alert">
                {t[phase.message]}
              </p>
            )}
            {(phase.name === 'ended' || phase.name === 'unmatched' || phase.name === 'error' || (phase.name === 'joinFailed' && !canRetry)) && (
              <button type="button" class="call-button" onClick={again}>
                <Phone size={56} />
                <span>{phase.name === 'joinFailed' || (phase.name === 'ended' && phase.hearing) ? t.call : t.callAgain}</span>
              </button>
            )}
          </section>
        )}
      </main>
    </div>
  );
}
