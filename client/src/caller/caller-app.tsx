import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Language } from '../lib/api';
import type { Matter } from '../lib/socket';
import { api } from '../lib/api';
import { RETURN_CODE_DIGITS } from '../../../src/realtime/realtime.contract';
import { played, stopSpeaking } from '../lib/sounds';
import { Back, Door } from '../ui/icons';
import { UiLanguageSwitch, useUiLanguage } from '../ui/ui-language';
import { callLibs } from './call-libs';
import { CallScreen, LeaveConfirm, OfflineView } from './call-screen';
import { goTo, isLeaving, placeNow, startHistory, STEP_OF, type Place, type Screen } from './flow';
import { StepDots } from './parts';
import { StepCall, type Options } from './step-call';
import { StepHere } from './step-here';
import { StepLanguage, useCatalogue } from './step-language';
import { StepMatter } from './step-matter';
import { ACTIVE, useCall } from './use-call';
import { useNotice } from './use-notice';
import { useOnline } from './use-online';
import { useScreenSounds, type SoundScreen } from './use-screen-sounds';

/**
 * The caller's page: four steps (her language, what it is about, where she is now, the call with its options),
 * one history entry each, then the call. Every screen has a picture, an ear button and its own sound.
 */
export function CallerApp({ joinCode = null }: { joinCode?: string | null }) {
  const { lang, t, choose } = useUiLanguage();
  const catalogue = useCatalogue();
  const call = useCall(joinCode);
  const online = useOnline();
  const [screen, setScreen] = useState<Screen>('region');
  const [region, setRegion] = useState<string | null>(null);
  const [language, setLanguage] = useState<Language | null>(null);
  const [matter, setMatter] = useState<Matter | null>(null);
  /** Where she is now: a country code, null for "I don't know", undefined before she answered. */
  const [here, setHere] = useState<string | null | undefined>(undefined);
  const [options, setOptions] = useState<Options>({ minor: false, preferFemale: false, notFromCountry: false, emergency: false });
  /** A return code she types on the last step ('' none): used by the next call only. */
  const [code, setCode] = useState('');
  const [askLeave, setAskLeave] = useState(false);
  const player = useRef<HTMLAudioElement>(null);
  const { phase } = call;
  const active = ACTIVE.includes(phase.name);

  /** The furthest screen she may see of the one asked for (an old history entry may name one she has not reached). */
  const reachable = (s: Screen): Screen => {
    if ((s === 'here' || s === 'options') && !(language && matter)) s = 'matter';
    if (s === 'matter' && !language) s = 'language';
    if (s === 'language' && !region) s = 'region';
    return s;
  };

  const onPop = (place: Place) => {
    // Back during a call: the page asks first (the confirm screen); the call goes on meanwhile.
    if (active) {
      if (place !== 'call') setAskLeave(true);
      return;
    }
    setAskLeave(false);
    if (place === 'call') return;
    if (phase.name !== 'choosing') call.reset();
    setScreen(reachable(place));
  };
  // Registered once; reads this render's state through the ref.
  const pop = useRef(onPop);
  pop.current = onPop;
  useEffect(() => startHistory((p) => pop.current(p)), []);
  // A hearing's link opens straight into its call, on the page's one entry: Back leaves (the browser asks first
  // while the call is on), and once it is over nothing of it is left behind Back.
  useEffect(() => {
    if (joinCode) void call.joinHearing();
  }, []);

  const next = (s: Screen) => {
    goTo(s);
    setScreen(s);
  };

  // Each step starts at the top, the step dots in view, and a screen reader on its title.
  const first = useRef(true);
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
  }, [screen, phase.name, askLeave, online]);

  // Leaving the page (closing it, reloading) during a call asks first; quick exit never does.
  useEffect(() => {
    if (!active) return;
    const ask = (e: BeforeUnloadEvent) => {
      if (isLeaving()) return;
      e.preventDefault();
      e.returnValue = '';
    };
    addEventListener('beforeunload', ask);
    return () => removeEventListener('beforeunload', ask);
  }, [active]);

  // The question about leaving belongs to the call it was asked in.
  useEffect(() => {
    if (!active) setAskLeave(false);
  }, [active]);

  // The code she typed is spent once the server took her request (it rings, or she is in line), or refused it; a call
  // that never reached the server (no microphone, no network) leaves it typed for the next try.
  useEffect(() => {
    if (phase.name === 'waiting' || phase.name === 'ringing' || (phase.name === 'error' && phase.message === 'returnCodeRefused'))
      setCode('');
  }, [phase]);

  // The languages come back by themselves with the network.
  useEffect(() => {
    if (online && catalogue.failed) catalogue.load();
  }, [online]);

  const notice = useNotice(call.asked, phase.name);
  const offline = !online && phase.name !== 'connected';
  const sound: SoundScreen = offline
    ? 'offline'
    : askLeave && active
      ? 'quiet'
      : phase.name === 'choosing'
        ? screen
        : call.reconnecting && (phase.name === 'connected' || phase.name === 'waiting' || phase.name === 'ringing')
          ? 'reconnecting'
          : (phase.name === 'waiting' || phase.name === 'ringing') && notice.playingOn
            ? (notice.playingOn as SoundScreen)
            : phase.name === 'waiting' ||
                phase.name === 'ringing' ||
                phase.name === 'connected' ||
                phase.name === 'ended' ||
                phase.name === 'unmatched'
              ? phase.name
              : 'quiet';
  useScreenSounds(lang, sound, notice, phase.name === 'waiting' && !!phase.noWomanFree);

  const startCall = async () => {
    if (!language || !matter) return;
    goTo('call');
    const started = await call.start({
      languageId: language.id,
      matter,
      urgency: options.emergency ? 'emergency' : 'normal',
      minor: options.minor,
      preferFemale: options.preferFemale,
      ...(options.notFromCountry ? { notFromCountry: true } : {}),
      ...(here ? { country: here } : {}),
      ...(code.length === RETURN_CODE_DIGITS ? { returnCode: code } : {}),
    });
    // No network to call with: she stays on her step (the offline picture says why) and taps again later.
    if (!started) history.back();
  };

  const again = () => {
    if (placeNow() === 'call') history.back();
    else {
      call.reset();
      setScreen(reachable(placeNow() as Screen));
    }
  };

  const leaveCall = async () => {
    setAskLeave(false);
    await call.hangUp();
    call.reset();
    setScreen(reachable(placeNow() as Screen));
  };

  const playGreeting = (l: Language) => {
    const audio = player.current;
    if (!audio) return;
    stopSpeaking();
    audio.src = api.greetingUrl(l.id);
    played.push('greeting');
    void audio.play().catch(() => undefined);
  };

  return (
    <div class="app caller">
      <header class="bar">
        <UiLanguageSwitch lang={lang} choose={choose} label={t.interfaceLanguage} />
        <button type="button" class="quick-exit" onClick={() => void call.exit()} aria-label={t.quickExit}>
          <Door size={28} />
          <span>{t.quickExit}</span>
        </button>
      </header>
      {/* Greetings play here; no file is kept (the server answers no-store). */}
      <audio ref={player} class="greeting-player" preload="none" />
      <main>
        {offline ? (
          <OfflineView t={t} lang={lang} />
        ) : askLeave && active ? (
          <LeaveConfirm
            t={t}
            onStay={() => {
              goTo('call');
              setAskLeave(false);
            }}
            onLeave={() => void leaveCall()}
          />
        ) : phase.name !== 'choosing' ? (
          <CallScreen t={t} lang={lang} call={call} onAgain={again} />
        ) : (
          <>
            <StepDots step={STEP_OF[screen]} />
            {screen !== 'region' && (
              <button type="button" class="back" onClick={() => history.back()} aria-label={t.back}>
                <Back size={32} />
              </button>
            )}
            {(screen === 'region' || screen === 'language') && (
              <StepLanguage
                t={t}
                lang={lang}
                catalogue={catalogue}
                region={screen === 'language' ? region : null}
                chosen={language}
                onRegion={(code) => {
                  setRegion(code);
                  next('language');
                }}
                onLanguage={(l) => {
                  setLanguage(l);
                  // The call's libraries load in the background while she answers the next steps.
                  void callLibs().catch(() => undefined);
                  next('matter');
                }}
                onGreeting={playGreeting}
              />
            )}
            {screen === 'matter' && (
              <StepMatter
                t={t}
                lang={lang}
                chosen={matter}
                onPick={(m) => {
                  setMatter(m);
                  next('here');
                }}
              />
            )}
            {screen === 'here' && (
              <StepHere
                t={t}
                lang={lang}
                chosen={here}
                onPick={(c) => {
                  setHere(c);
                  next('options');
                }}
              />
            )}
            {screen === 'options' && (
              <StepCall
                t={t}
                lang={lang}
                title={language?.autonym ?? language?.name ?? ''}
                options={options}
                onOptions={setOptions}
                onCall={() => void startCall()}
                disabled={!language || !matter}
                code={code}
                onCode={setCode}
              />
            )}
          </>
        )}
      </main>
    </div>
  );
}
