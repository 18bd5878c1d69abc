import { useEffect, useRef, useState } from 'preact/hooks';
import type { RecordingKind } from '../../../src/language-recordings/recording-kinds';
import { noticeKind, playRecording } from '../lib/language-recordings';

/**
 * The spoken notice of what the service is (free, confidential, nothing recorded, she may leave or ask for another
 * interpreter), heard once per call while she waits, before the ringback. `playingOn` is the screen it started on:
 * while it plays, the sounds stay on that screen, so that "it is ringing" never cuts it off.
 */
export interface Notice {
  /** Plays it if it is due for this call (once); resolves when it has ended, was stopped, or there is none. */
  play: (screen: string) => Promise<void>;
  playingOn: string | null;
}

export function useNotice(languageId: string | undefined, minor: boolean, phase: string): Notice {
  const kind = useRef<RecordingKind | null>(null);
  const due = useRef(true);
  const [playingOn, setPlayingOn] = useState<string | null>(null);

  useEffect(() => {
    kind.current = null;
    if (!languageId) return;
    let current = true;
    void noticeKind(languageId, minor).then((k) => {
      if (current) kind.current = k;
    });
    return () => {
      current = false;
    };
  }, [languageId, minor]);

  // Every call starts by connecting: each hears it once.
  useEffect(() => {
    if (phase === 'connecting') due.current = true;
  }, [phase]);

  const play = async (screen: string) => {
    if (!due.current || !languageId || !kind.current) return;
    due.current = false;
    setPlayingOn(screen);
    await playRecording(kind.current, languageId);
    setPlayingOn(null);
  };
  return { play, playingOn };
}
