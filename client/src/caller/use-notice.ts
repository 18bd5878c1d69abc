import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordingKind } from '../../../src/language-recordings/recording-kinds';
import { noticeKind, playRecording } from '../lib/language-recordings';

/**
 * The spoken notice of what the service is (free, confidential, nothing recorded, she may leave or ask for another
 * interpreter), heard once per call while she waits, before the ringback. `playingOn` is the screen it started on:
 * while it plays, the sounds stay on that screen, so that "it is ringing" never cuts it off.
 */
export interface Notice {
  /**
   * Plays it if it is due for this call (once); resolves when it has ended, was stopped, or there is none. `alive`
   * says whether the screen that asked still shows (the lists may still be on their way when she taps "call").
   */
  play: (screen: string, alive: () => boolean) => Promise<void>;
  playingOn: string | null;
}

export function useNotice(languageId: string | undefined, minor: boolean, phase: string): Notice {
  const kind = useRef<Promise<RecordingKind | null>>(Promise.resolve(null));
  const due = useRef(true);
  const [playingOn, setPlayingOn] = useState<string | null>(null);

  useEffect(() => {
    kind.current = languageId ? noticeKind(languageId, minor) : Promise.resolve(null);
  }, [languageId, minor]);

  // Every call starts by connecting: each hears it once.
  useEffect(() => {
    if (phase === 'connecting') due.current = true;
  }, [phase]);

  const play = async (screen: string, alive: () => boolean) => {
    if (!due.current || !languageId) return;
    const k = await kind.current;
    if (!k || !due.current || !alive()) return;
    due.current = false;
    setPlayingOn(screen);
    await playRecording(k, languageId);
    setPlayingOn(null);
  };
  return { play, playingOn };
}
