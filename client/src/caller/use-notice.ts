import { useEffect, useRef, useState } from 'preact/hooks';
import { KINDS, type RecordingKind } from '../../../src/language-recordings/recording-kinds';
import type { CreateRequestPayload } from '../../../src/realtime/realtime.contract';
import { noticeKind, playRecording } from '../lib/language-recordings';
import { stopSpeaking, type Outcome } from '../lib/sounds';

/**
 * The spoken notice of what the service is (free, confidential, nothing recorded, she may leave or ask for another
 * interpreter), heard once per call while she waits, before the ringback. Chosen when the call starts, from what it
 * asked for (her language; a girl's notice when she said she is under 18 or does not know). `playingOn` is the
 * screen it started on: while it plays, the sounds stay on that screen, so that "it is ringing" never cuts it off.
 */
export interface Notice {
  /**
   * Plays it if it is due for this call; resolves when it has ended, was stopped, or there is none. `alive` says
   * whether the screen that asked still shows. Heard to its end (or unplayable), it is not due again in this call;
   * stopped (she tapped "listen", left the screen a moment), it is.
   */
  play: (screen: string, alive: () => boolean) => Promise<void>;
  playingOn: string | null;
}

/** A notice whose file stalls on a poor network must not hold the ringback for ever. */
const SLACK_MS = 10_000;

export function useNotice(asked: () => Pick<CreateRequestPayload, 'languageId' | 'minor'> | null, phase: string): Notice {
  const chosen = useRef<Promise<{ kind: RecordingKind; languageId: string } | null>>(Promise.resolve(null));
  const due = useRef(false);
  const [playingOn, setPlayingOn] = useState<string | null>(null);

  // Every call starts by connecting: each hears it once, chosen by what it asked for.
  useEffect(() => {
    if (phase !== 'connecting') return;
    const a = asked();
    due.current = !!a;
    chosen.current = a
      ? noticeKind(a.languageId, a.minor).then((kind) => (kind ? { kind, languageId: a.languageId } : null))
      : Promise.resolve(null);
  }, [phase]);

  const play = async (screen: string, alive: () => boolean) => {
    if (!due.current) return;
    const notice = await chosen.current;
    if (!notice || !due.current || !alive()) return;
    setPlayingOn(screen);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race<Outcome>([
      playRecording(notice.kind, notice.languageId),
      new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => {
          stopSpeaking();
          resolve('failed');
        }, KINDS[notice.kind].maxMs + SLACK_MS);
      }),
    ]);
    clearTimeout(timer);
    if (outcome !== 'stopped') due.current = false;
    setPlayingOn(null);
  };
  return { play, playingOn };
}
