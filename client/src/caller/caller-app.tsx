import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Language } from '../lib/api';
import { Call } from '../lib/call';
import { quickExit } from '../lib/quick-exit';
import { connectSignal, type Signal } from '../lib/socket';
import { exposeCall } from '../lib/test-hooks';
import { Back, Chain, Child, Door, HangUp, Mic, Person, Phone, Scale, Shield, Siren, Speech, Woman } from '../ui/icons';
import { UiLanguageSwitch, useUiLanguage } from '../ui/ui-language';

// Her three choices of matter; "legal" asks for the civil specialty, and the ladder falls back to any legal interpreter.
const MATTERS = [
  { key: 'legal_civil', label: 'matter_legal', Icon: Scale },
  { key: 'violence', label: 'matter_violence', Icon: Shield },
  { key: 'trafficking', label: 'matter_trafficking', Icon: Chain },
] as const;

type Phase =
  | { name: 'choosing' }
  | { name: 'connecting' }
  | { name: 'waiting'; position?: number }
  | { name: 'ringing' }
  | { name: 'connected'; firstName: string }
  | { name: 'ended' }
  | { name: 'unmatched' }
  | { name: 'error'; message: 'noMicrophone' | 'error' };

interface RequestUpdate {
  requestId: string;
  state: string;
  queuePosition?: number;
  interpreter?: { firstName: string };
  sessionId?: string;
}

export function CallerApp() {
  const { lang, t, choose } = useUiLanguage();
  const [languages, setLanguages] = useState<Language[] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [step, setStep] = useState<1 | 2 | 3>(1);
  const [language, setLanguage] = useState<Language | null>(null);
  const [matter, setMatter] = useState<string | null>(null);
  const [minor, setMinor] = useState(false);
  const [preferFemale, setPreferFemale] = useState(false);
  const [emergency, setEmergency] = useState(false);
  const [phase, setPhase] = useState<Phase>({ name: 'choosing' });
  const [muted, setMuted] = useState(false);
  const live = useRef<{ signal?: Signal; call?: Call; requestId?: string; sessionId?: string }>({});

  const loadLanguages = () => {
    setLoadFailed(false);
    api.languages().then(setLanguages, () => setLoadFailed(true));
  };
  useEffect(loadLanguages, []);
  useEffect(() => exposeCall(() => live.current.call), []);

  const teardown = () => {
    live.current.call?.close();
    live.current.signal?.close();
    live.current = {};
  };

  const joinSession = async (signal: Signal, sessionId: string) => {
    if (live.current.sessionId === sessionId) return;
    live.current.sessionId = sessionId;
    const call = new Call(signal, sessionId);
    live.current.call = call;
    try {
      await call.start();
    } catch (e) {
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
      setPhase({ name: 'connected', firstName: u.interpreter?.firstName ?? '' });
      void joinSession(signal, u.sessionId);
    } else if (u.state === 'unmatched') {
      teardown();
      setPhase({ name: 'unmatched' });
    } else if (['completed', 'cancelled', 'abandoned'].includes(u.state)) {
      teardown();
      setPhase({ name: 'ended' });
    }
  };

  const startCall = async () => {
    if (!language || !matter) return;
    setPhase({ name: 'connecting' });
    try {
      const token = await api.callerToken();
      const signal = connectSignal(token);
      live.current = { signal };
      signal.socket.on('request:update', onUpdate(signal));
      signal.socket.on('session:participantLeft', (e: { sessionId: string; role: string }) => {
        if (e.sessionId === live.current.sessionId && e.role !== 'caller') {
          teardown();
          setPhase({ name: 'ended' });
        }
      });
      signal.socket.on('session:ended', (e: { sessionId: string }) => {
        if (e.sessionId === live.current.sessionId) {
          teardown();
          setPhase({ name: 'ended' });
        }
      });
      signal.socket.on('session:mediaRestart', (e: { sessionId: string }) => {
        // The server rebuilt the call's media elsewhere: renegotiate in the same session.
        if (e.sessionId !== live.current.sessionId) return;
        live.current.call?.close();
        live.current.sessionId = undefined;
        void joinSession(signal, e.sessionId);
      });
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

  const leave = async () => {
    const { signal, sessionId, requestId } = live.current;
    if (signal && sessionId) await signal.ask('session:leave', { sessionId });
    else if (signal && requestId) await signal.ask('request:cancel', { requestId });
  };

  const hangUp = async () => {
    await leave().catch(() => undefined);
    teardown();
    setPhase({ name: 'ended' });
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

  const again = () => {
    teardown();
    setPhase({ name: 'choosing' });
    setStep(3);
  };

  return (
    <div class="app caller">
      <header class="bar">
        <UiLanguageSwitch lang={lang} choose={choose} label={t.interfaceLanguage} />
        <button type="button" class="quick-exit" onClick={exit} aria-label={t.quickExit}>
          <Door size={28} />
          <span>{t.quickExit}</span>
        </button>
      </header>
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
            {step > 1 && (
              <button type="button" class="back" onClick={() => setStep((step - 1) as 1 | 2)} aria-label={t.back}>
                <Back size={32} />
              </button>
            )}
            {step === 1 && (
              <section aria-labelledby="step1">
                <h1 id="step1">
                  <Speech size={36} /> {t.step1}
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
                ) : (
                  <ul class="languages">
                    {languages.map((l) => (
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
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            )}
            {step === 2 && (
              <section aria-labelledby="step2">
                <h1 id="step2">{t.step2}</h1>
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
                      <Icon size={64} />
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
          <section class="call-screen" aria-live="polite" data-phase={phase.name}>
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
                <p class="status connected">{t.connectedWith(phase.firstName)}</p>
                <div class="call-controls">
                  <button type="button" class="round mute" aria-pressed={muted} aria-label={muted ? t.unmute : t.mute} onClick={toggleMute}>
                    <Mic size={48} off={muted} />
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
            {phase.name === 'ended' && <p class="status">{t.callEnded}</p>}
            {phase.name === 'unmatched' && <p class="status">{t.unmatched}</p>}
            {phase.name === 'error' && (
              <p class="status" role="alert">
                {t[phase.message]}
              </p>
            )}
            {(phase.name === 'ended' || phase.name === 'unmatched' || phase.name === 'error') && (
              <button type="button" class="call-button" onClick={again}>
                <Phone size={56} />
                <span>{t.callAgain}</span>
              </button>
            )}
          </section>
        )}
      </main>
    </div>
  );
}
