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
const current = { screen: 'quiet' as SoundScreen };

export function useScreenSounds(lang: UiLanguage, screen: SoundScreen, notice?: Notice, noWomanFree = false) {
  current.screen = screen;
  // No woman is free (she chooses on screen): heard once as the choice appears, since she may not be looking; not while
  // the page is quiet (she is asked whether to leave) or offline.
  useEffect(() => {
    if (noWomanFree && screen === 'waiting' && mayPlay()) noWomanFreeTone();
  }, [noWomanFree]);
  useEffect(() => {
    if (screen === 'quiet' || screen === 'connecting' || !mayPlay()) return;
    let stopRingback: (() => void) | undefined;
    let done = false;
    if (screen === 'connected') connectedTone();
    if (screen === 'unmatched') unmatchedTone();
    const cue: CueName = screen in CUE_OF ? CUE_OF[screen as Screen] : (screen as CueName);
    const waiting = screen === 'waiting' || screen === 'ringing';
    void (screen === 'offline' ? playCueWhole : playCue)(lang, cue)
      // Stopped: she tapped "listen" (its cue plays now), or the screen changed; the notice waits for its turn.
      .then((o) => (!done && waiting && o !== 'stopped' ? notice?.play(screen, () => !done && current.screen === screen) : undefined))
      .then(() => {
        // The ringback comes after the words, so that it never covers them.
        if (!done && waiting) stopRingback = startRingback();
      });
    return () => {
      done = true;
      stopRingback?.();
      stopSpeaking();
    };
  }, [screen, lang]);
}
