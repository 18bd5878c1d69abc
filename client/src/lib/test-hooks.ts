import type { Call, InboundAudio } from './call';
import { played } from './sounds';

export interface TestHooks {
  inboundAudio: () => Promise<InboundAudio | null>;
  inboundAudioByRole: () => Promise<Record<string, InboundAudio> | null>;
  outputVolumes: () => number[];
  iceRestarts: () => number;
  connection: () => unknown;
  played: () => string[];
}

declare global {
  interface Window {
    __puente?: TestHooks;
  }
}

/** Lets the end-to-end tests read what the page receives and plays (numbers and sound names only: nothing said, nothing about anyone). */
export function exposeCall(current: () => Call | undefined) {
  window.__puente = {
    inboundAudio: async () => (current() ? current()!.inboundAudio() : null),
    inboundAudioByRole: async () => (current() ? current()!.inboundAudioByRole() : null),
    outputVolumes: () => current()?.outputVolumes() ?? [],
    iceRestarts: () => current()?.iceRestarts ?? 0,
    connection: () => current()?.connection() ?? null,
    played: () => [...played],
  };
}
