import type { Consumer, Transport } from 'mediasoup-client/types';
import type { Call } from './call';
import { finished, played } from './sounds';

/*
 * What the browser tests read of a page: what it receives and plays (numbers and sound names only: nothing said,
 * nothing about anyone). Built only into the tests' own build (client/vite.config.mts: PUENTE_TEST_HOOKS=1, into
 * client/dist-test/). Every call site reads `__PUENTE_TEST_HOOKS__ && ...`: in the build phones get it is false,
 * nothing imports this module, and the bundle has neither its code nor its names
 * (test/client-test-hooks.e2e-spec.ts looks for them in client/dist).
 */

export interface InboundAudio {
  bytesReceived: number;
  audioLevel: number;
}

export interface TestHooks {
  inboundAudio: () => Promise<InboundAudio | null>;
  inboundAudioByRole: () => Promise<Record<string, InboundAudio> | null>;
  outputVolumes: () => number[];
  iceRestarts: () => number;
  connection: () => unknown;
  played: () => string[];
  finished: () => string[];
}

declare global {
  interface Window {
    __puente?: TestHooks;
  }
  const __PUENTE_TEST_HOOKS__: boolean;
}

/**
 * A Call's private parts, read at run time (TypeScript's `private` is not enforced there) so that no inspection
 * code lives in Call itself: renaming one of these in call.ts makes the browser tests fail, not pass wrongly.
 */
interface CallParts {
  send?: Transport;
  recv?: Transport;
  consumers: Map<string, { consumer: Consumer; audio: HTMLAudioElement; role: string }>;
}

const parts = (call: Call) => call as unknown as CallParts;

/** Called by Call after each ICE restart it completes. */
export function noteIceRestart(call: Call) {
  const counted = call as unknown as { testIceRestarts?: number };
  counted.testIceRestarts = (counted.testIceRestarts ?? 0) + 1;
}

/** For each role heard: in a hearing, what arrives from the official, the interpreter and the woman. */
async function inboundAudioByRole(call: Call): Promise<Record<string, InboundAudio>> {
  const out: Record<string, InboundAudio> = {};
  for (const { consumer, role } of parts(call).consumers.values()) {
    const mine = (out[role] ??= { bytesReceived: 0, audioLevel: 0 });
    (await consumer.getStats()).forEach((s: { type: string; kind?: string; bytesReceived?: number; audioLevel?: number }) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      mine.bytesReceived += s.bytesReceived ?? 0;
      mine.audioLevel = Math.max(mine.audioLevel, s.audioLevel ?? 0);
    });
  }
  return out;
}

/** What arrives from the other participants (summed): bytes and the loudest current audio level. */
async function inboundAudio(call: Call): Promise<InboundAudio> {
  const out = { bytesReceived: 0, audioLevel: 0 };
  for (const each of Object.values(await inboundAudioByRole(call))) {
    out.bytesReceived += each.bytesReceived;
    out.audioLevel = Math.max(out.audioLevel, each.audioLevel);
  }
  return out;
}

/** The two transports' connection states and the consumers' paused flags. */
function connection(call: Call) {
  const { send, recv, consumers } = parts(call);
  return {
    send: send?.connectionState,
    recv: recv?.connectionState,
    consumers: [...consumers.values()].map(({ consumer }) => ({ paused: consumer.paused, track: consumer.track.readyState })),
  };
}

/** Exposes the page's current call (none: `() => undefined`) as window.__puente. */
export function exposeCall(current: () => Call | undefined) {
  window.__puente = {
    inboundAudio: async () => (current() ? inboundAudio(current()!) : null),
    inboundAudioByRole: async () => (current() ? inboundAudioByRole(current()!) : null),
    outputVolumes: () => [...(current() ? parts(current()!).consumers.values() : [])].map(({ audio }) => audio.volume),
    iceRestarts: () => (current() as { testIceRestarts?: number } | undefined)?.testIceRestarts ?? 0,
    connection: () => (current() ? connection(current()!) : null),
    played: () => [...played],
    finished: () => [...finished],
  };
}
