import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from './api';

/** What the staff consoles record: a greeting, a language's spoken name or notice, as Opus at a phone-friendly bitrate. */
export interface Recording {
  blob: Blob;
  filename: string;
}

/** The container this browser records Opus in: WebM (Chromium, Firefox) or Ogg (Firefox); the server checks either. */
const FORMATS = [
  { mimeType: 'audio/webm;codecs=opus', type: 'audio/webm', ext: 'webm' },
  { mimeType: 'audio/ogg;codecs=opus', type: 'audio/ogg', ext: 'ogg' },
];
const opusFormat = () =>
  typeof MediaRecorder === 'undefined' ? undefined : FORMATS.find((f) => MediaRecorder.isTypeSupported(f.mimeType));

/**
 * Records the microphone for one item at a time (a language id), stopping by itself after `maxMs`; `done`
 * receives the recording. `recording` names the item being recorded. `start` resolves false when there is no
 * microphone (refused or absent) or the browser cannot record Opus.
 */
export function useRecorder(maxMs: number, done: (key: string, rec: Recording) => void) {
  const [recording, setRecording] = useState<string | null>(null);
  const current = useRef<{ recorder: MediaRecorder; timer: number } | null>(null);
  const onDone = useRef(done);
  onDone.current = done;
  useEffect(
    () => () => {
      if (current.current?.recorder.state === 'recording') current.current.recorder.stop();
    },
    [],
  );

  const start = async (key: string): Promise<boolean> => {
    const format = opusFormat();
    const mic = format
      ? await navigator.mediaDevices
          .getUserMedia({ audio: { noiseSuppression: true, autoGainControl: true }, video: false })
          .catch(() => null)
      : null;
    if (!format || !mic) return false;
    const recorder = new MediaRecorder(mic, { mimeType: format.mimeType, audioBitsPerSecond: 32_000 });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = () => {
      mic.getTracks().forEach((tr) => tr.stop());
      clearTimeout(current.current?.timer);
      current.current = null;
      setRecording(null);
      onDone.current(key, { blob: new Blob(chunks, { type: format.type }), filename: `${key}.${format.ext}` });
    };
    recorder.start();
    current.current = { recorder, timer: window.setTimeout(() => recorder.state === 'recording' && recorder.stop(), maxMs) };
    setRecording(key);
    return true;
  };

  return { recording, start, stop: () => current.current?.recorder.stop() };
}

/** Uploads a recording as the server's recording routes expect it: multipart `file` with `consent` = true. */
export function sendRecording<T>(path: string, method: 'PUT' | 'POST', rec: Recording, token: string): Promise<T> {
  const form = new FormData();
  form.append('consent', 'true');
  form.append('file', rec.blob, rec.filename);
  return request<T>(path, { method, body: form, token });
}

/** Plays audio a staff route serves only with a token (a recording waiting for a check). */
export async function playWithToken(path: string, token: string): Promise<void> {
  const res = await fetch(path, { cache: 'no-store', credentials: 'omit', headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const audio = new Audio(url);
  audio.onended = () => URL.revokeObjectURL(url);
  await audio.play();
}
