import type { UiLanguage } from '../i18n';

/** What the page has played, by name only, for the end-to-end tests (never anything about anyone). */
export const played: string[] = [];

export type CueName = 'step1' | 'step2' | 'step3' | 'connected' | 'unmatched' | 'offline';

let current: HTMLAudioElement | undefined;

/** A spoken cue (committed Ogg/Opus files, a few KB each, fetched only when played). */
export function playCue(lang: UiLanguage, name: CueName): Promise<void> {
  current?.pause();
  const audio = new Audio(`/cues/${lang}/${name}.ogg`);
  current = audio;
  played.push(`cue:${name}`);
  return audio.play().catch(() => undefined);
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

/** The interpreter's ringtone: a double ring every two seconds until stopped. */
export function startRingtone(): () => void {
  played.push('tone:ring');
  const ring = () =>
    notes([
      [880, 0, 0.18],
      [660, 0.2, 0.18],
      [880, 0.45, 0.18],
      [660, 0.65, 0.18],
    ]);
  ring();
  const timer = setInterval(ring, 2000);
  return () => clearInterval(timer);
}
