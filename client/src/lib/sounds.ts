import type { UiLanguage } from '../i18n';

/** What the page has played, by name only, for the end-to-end tests (never anything about anyone). */
export const played: string[] = [];
/** Of those, the files heard to their end (not stopped, not failed), in the order they ended. */
export const finished: string[] = [];

export type CueName =
  | 'step1'
  | 'languages'
  | 'step2'
  | 'here'
  | 'step3'
  | 'waiting'
  | 'ringing'
  | 'connected'
  | 'ended'
  | 'unmatched'
  | 'reconnecting'
  | 'offline'
  | 'returnCode'
  | `digit${number}`;

let current: HTMLAudioElement | undefined;

/** How a sound finished: played to its end, stopped by another sound (or stopSpeaking), or could not play. */
export type Outcome = 'ended' | 'stopped' | 'failed';

/**
 * How long a file may take to start: one whose fetch stalls on a poor network counts as failed, so that what waits for
 * it (the notice, the ringback, a tone) goes on without it.
 */
export const STALL_MS = 15_000;

/** One short file, stopping whatever spoke before; resolves when it has ended, was stopped or could not play. */
export function playFile(url: string, name: string): Promise<Outcome> {
  current?.pause();
  const audio = new Audio(url);
  current = audio;
  played.push(name);
  return new Promise<Outcome>((resolve) => {
    const stalled = setTimeout(() => {
      resolve('failed');
      if (current === audio) current = undefined;
      audio.pause();
    }, STALL_MS);
    const settle = (outcome: Outcome) => {
      clearTimeout(stalled);
      resolve(outcome);
    };
    audio.onplaying = () => clearTimeout(stalled);
    audio.onended = () => {
      finished.push(name);
      settle('ended');
    };
    audio.onpause = () => settle(audio.ended ? 'ended' : 'stopped');
    audio.onerror = () => settle('failed');
    audio.play().catch(() => settle('failed'));
  });
}

/** A spoken cue (committed Ogg/Opus files, a few KB each, fetched only when played). */
export function playCue(lang: UiLanguage, name: CueName): Promise<Outcome> {
  return playFile(`/cues/${lang}/${name}.ogg`, `cue:${name}`);
}

/**
 * A cue that must play with no network (offline): fetched whole, which the service worker answers from the
 * offline shell's cache, and played from memory (an audio element's range requests would miss that cache).
 */
export async function playCueWhole(lang: UiLanguage, name: CueName): Promise<Outcome> {
  try {
    const blob = await (await fetch(`/cues/${lang}/${name}.ogg`)).blob();
    const url = URL.createObjectURL(blob);
    const outcome = await playFile(url, `cue:${name}`);
    URL.revokeObjectURL(url);
    return outcome;
  } catch {
    return 'failed';
  }
}

/** Stops whatever speaks now (a cue, a name, a sequence read out in turn). */
export function stopSpeaking() {
  current?.pause();
  current = undefined;
}

/**
 * Sounds one after the other (a step's cue, then the names of its languages). A file that cannot be fetched is
 * skipped; a sound stopped by anything else that starts speaking ends the sequence. `onEnd` runs either way.
 */
export async function playInTurn(sounds: (() => Promise<Outcome>)[], onEnd: () => void = () => undefined): Promise<void> {
  try {
    for (const sound of sounds) if ((await sound()) === 'stopped') return;
  } finally {
    onEnd();
  }
}

let ctx: AudioContext | undefined;
function audioContext(): AudioContext | undefined {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === 'suspended') void ctx.resume();
    return ctx;
  } catch {
    return undefined;
  }
}

/** Notes as [frequency Hz, start s, length s]: synthesised here, so no file and no byte of download. */
function notes(seq: [number, number, number][], gain = 0.18) {
  const c = audioContext();
  if (!c) return;
  const t0 = c.currentTime + 0.02;
  for (const [f, at, len] of seq) {
    const osc = c.createOscillator();
    const env = c.createGain();
    osc.type = 'sine';
    osc.frequency.value = f;
    env.gain.setValueAtTime(0, t0 + at);
    env.gain.linearRampToValueAtTime(gain, t0 + at + 0.02);
    env.gain.exponentialRampToValueAtTime(0.001, t0 + at + len);
    osc.connect(env).connect(c.destination);
    osc.start(t0 + at);
    osc.stop(t0 + at + len + 0.05);
  }
}

/** Two rising notes: she is through to someone. */
export function connectedTone() {
  played.push('tone:connected');
  notes([
    [523, 0, 0.25],
    [784, 0.22, 0.45],
  ]);
}

/** Two soft falling notes: nobody could be found (calm, not an alarm). */
export function unmatchedTone() {
  played.push('tone:unmatched');
  notes(
    [
      [494, 0, 0.4],
      [392, 0.35, 0.6],
    ],
    0.12,
  );
}

/**
 * Three soft notes, up and back: no woman interpreter is free, and she has a choice to make (with the picture and
 * the two choices on screen). A question, not an alarm, and unlike the ringback that goes on under it.
 */
export function noWomanFreeTone() {
  played.push('tone:no-woman-free');
  notes(
    [
      [440, 0, 0.3],
      [587, 0.28, 0.3],
      [440, 0.56, 0.45],
    ],
    0.14,
  );
}

/** Repeats `sound` every `everyMs` until the returned function is called. */
function repeat(sound: () => void, everyMs: number): () => void {
  sound();
  const timer = setInterval(sound, everyMs);
  return () => clearInterval(timer);
}

/** The interpreter's ringtone: a double ring every two seconds until stopped. */
export function startRingtone(): () => void {
  played.push('tone:ring');
  return repeat(
    () =>
      notes([
        [880, 0, 0.18],
        [660, 0.2, 0.18],
        [880, 0.45, 0.18],
        [660, 0.65, 0.18],
      ]),
    2000,
  );
}

/**
 * The caller's soft ringback while she waits or it rings: one low tone of a second every five (the pattern of the
 * region's telephones, quieter), so the silence never makes her think the line is dead.
 */
export function startRingback(): () => void {
  played.push('tone:ringback');
  return repeat(() => notes([[425, 0, 1]], 0.05), 5000);
}

/** A telephone keypad's tone for one digit (its two DTMF frequencies), as her phone would sound it. */
const DTMF: [number, number][] = [
  [941, 1336],
  [697, 1209],
  [697, 1336],
  [697, 1477],
  [770, 1209],
  [770, 1336],
  [770, 1477],
  [852, 1209],
  [852, 1336],
  [852, 1477],
];

export function digitTone(digit: number) {
  const pair = DTMF[digit];
  if (!pair) return;
  played.push(`tone:digit${digit}`);
  notes(
    pair.map((f) => [f, 0, 0.25] as [number, number, number]),
    0.08,
  );
}

/**
 * The ten spoken digits of a screen language, fetched whole, all at once (0 to 9), and played from memory: never
 * fetched in the order of a code, so nothing on the way (a proxy, an access log) learns her code from the requests.
 */
const digitVoices = new Map<UiLanguage, Promise<string[]>>();
function digitVoicesOf(lang: UiLanguage): Promise<string[]> {
  let voices = digitVoices.get(lang);
  if (!voices) {
    voices = Promise.all(
      Array.from({ length: 10 }, async (_, d) => URL.createObjectURL(await (await fetch(`/cues/${lang}/digit${d}.ogg`)).blob())),
    );
    digitVoices.set(lang, voices);
    // A failed fetch is tried again next time.
    voices.catch(() => digitVoices.delete(lang));
  }
  return voices;
}

/**
 * Her return code read out: what it is, then each digit as its keypad tone and its spoken name in the screen's
 * language (committed cues, like the steps'), so she can keep it without reading.
 */
export function playReturnCode(lang: UiLanguage, code: string, onEnd?: () => void): Promise<void> {
  const voices = digitVoicesOf(lang);
  return playInTurn(
    [
      () => playCue(lang, 'returnCode'),
      ...[...code].map(Number).map((d) => async (): Promise<Outcome> => {
        digitTone(d);
        await new Promise((r) => setTimeout(r, 300));
        const url = await voices.then((v) => v[d]).catch(() => null);
        return url ? playFile(url, `cue:digit${d}`) : 'failed';
      }),
    ],
    onEnd,
  );
}
