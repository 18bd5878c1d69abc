import { useEffect } from 'preact/hooks';
import type { UiLanguage } from '../i18n';
import {
  connectedTone,
  noWomanFreeTone,
  playCue,
  playCueWhole,
  startRingback,
  stopSpeaking,
  unmatchedTone,
  type CueName,
} from '../lib/sounds';
import type { Screen } from './flow';
import type { Notice } from './use-notice';

/**
 * What she hears on each screen: the screen's own cue, and the soft ringback while she waits or it rings (after the
 * notice of what the service is, the first time: use-notice.ts).
 */
export type SoundScreen =
  Screen | 'offline' | 'connecting' | 'waiting' | 'ringing' | 'connected' | 'reconnecting' | 'ended' | 'unmatched' | 'quiet';

export const CUE_OF: Record<Screen, CueName> = { region: 'step1', language: 'languages', matter: 'step2', here: 'here', options: 'step3' };

/** A page may play sound only after she has tapped something; before that a cue would be refused (and fetched for nothing). */
const mayPlay = () => (navigator as Navigator & { userActivation?: { hasBeenActive: boolean } }).userActivation?.hasBeenActive !== false;

/** The screen being shown, read by a sound that started before it changed (its effect's cleanup comes after paint). */
const current = { screen: 'quiet' as SoundScreen, noWomanFree: false };

/**
 * The screen's words (its cue, then the notice) still to end, by the id of the effect that speaks them (0: none), and
 * a tone waiting for them: a tone never covers words, as the ringback never does.
 */
const words = { of: 0, toneDue: false, last: 0 };

/** No woman is free: the tone now, or when the words being spoken end. */
function noWomanFreeCue() {
  if (words.of) words.toneDue = true;
  else noWomanFreeTone();
}

/** The words ended: the tone that waited for them, if the choice is still on screen. */
function afterWords() {
  if (!words.toneDue) return;
  words.toneDue = false;
  if (current.screen === 'waiting' && current.noWomanFree) noWomanFreeTone();
}

export function useScreenSounds(lang: UiLanguage, screen: SoundScreen, notice?: Notice, noWomanFree = false) {
  current.screen = screen;
  current.noWomanFree = noWomanFree;
  // Before the tone's effect: when the choice comes with the waiting screen, the screen's words start first, and the
  // tone waits for them.
  useEffect(() => {
    if (screen === 'quiet' || screen === 'connecting' || !mayPlay()) return;
    let stopRingback: (() => void) | undefined;
    let done = false;
    const id = ++words.last;
    if (screen === 'connected') connectedTone();
    if (screen === 'unmatched') unmatchedTone();
    const cue: CueName = screen in CUE_OF ? CUE_OF[screen as Screen] : (screen as CueName);
    const waiting = screen === 'waiting' || screen === 'ringing';
    if (waiting) words.of = id;
    void (screen === 'offline' ? playCueWhole : playCue)(lang, cue)
      // Stopped: she tapped "listen" (its cue plays now), or the screen changed; the notice waits for its turn.
      .then((o) => (!done && waiting && o !== 'stopped' ? notice?.play(screen, () => !done && current.screen === screen) : undefined))
      .then(() => {
        if (words.of === id) {
          words.of = 0;
          afterWords();
        }
        // The ringback comes after the words, so that it never covers them.
        if (!done && waiting) stopRingback = startRingback();
      });
    return () => {
      done = true;
      if (words.of === id) words.of = 0;
      stopRingback?.();
      stopSpeaking();
    };
  }, [screen, lang]);
  // No woman is free (she chooses on screen): heard once as the choice appears, since she may not be looking, after the
  // words being spoken; not while the page is quiet (she is asked whether to leave) or offline.
  useEffect(() => {
    if (noWomanFree && screen === 'waiting' && mayPlay()) noWomanFreeCue();
  }, [noWomanFree]);
}
