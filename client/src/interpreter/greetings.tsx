import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { request } from '../lib/api';
import { openMicrophone } from '../lib/call';
import { Cross, Mic } from '../ui/icons';

interface Mine {
  languageId: string;
  greeting: { durationMs: number; consentedAt: string } | null;
}

const MAX_MS = 10_000;

/**
 * Her greetings: with her consent, up to 10 seconds per variant, recorded here (MediaRecorder, WebM/Opus at a
 * phone-friendly bitrate), uploaded, deletable. A profile asset: never anything from a call.
 */
export function Greetings({ token, t, languageName }: { token: string; t: Strings; languageName: (id: string) => string }) {
  const [mine, setMine] = useState<Mine[] | null>(null);
  const [consent, setConsent] = useState(false);
  const [recording, setRecording] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const rec = useRef<{ recorder: MediaRecorder; timer: number } | null>(null);

  const load = () => request<Mine[]>('/api/v1/greetings/mine', { token }).then(setMine, () => setMine([]));
  useEffect(() => {
    void load();
    return () => rec.current?.recorder.state === 'recording' && rec.current.recorder.stop();
  }, [token]);

  const upload = async (languageId: string, blob: Blob) => {
    const form = new FormData();
    form.append('consent', 'true');
    form.append('file', blob, 'greeting.webm');
    try {
      await request(`/api/v1/greetings/mine/${languageId}`, { method: 'PUT', body: form, token });
      setFailed(false);
    } catch {
      setFailed(true);
    }
    await load();
  };

  const start = async (languageId: string) => {
    setFailed(false);
    const mic = await openMicrophone().catch(() => null);
    if (!mic) return setFailed(true);
    const recorder = new MediaRecorder(mic, { mimeType: 'audio/webm;codecs=opus', audioBitsPerSecond: 32_000 });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    recorder.onstop = () => {
      mic.getTracks().forEach((tr) => tr.stop());
      clearTimeout(rec.current?.timer);
      rec.current = null;
      setRecording(null);
      void upload(languageId, new Blob(chunks, { type: 'audio/webm' }));
    };
    recorder.start();
    // Ten seconds at most: it stops and saves by itself.
    rec.current = { recorder, timer: window.setTimeout(() => recorder.state === 'recording' && recorder.stop(), MAX_MS) };
    setRecording(languageId);
  };

  const remove = async (languageId: string) => {
    await request(`/api/v1/greetings/mine/${languageId}`, { method: 'DELETE', token }).catch(() => setFailed(true));
    await load();
  };

  if (!mine?.length) return null;
  return (
    <section class="greetings" aria-labelledby="greetings-title">
      <h2 id="greetings-title">{t.greetingsTitle}</h2>
      <p>{t.greetingExplain}</p>
      <label class="consent">
        <input type="checkbox" name="consent" checked={consent} onChange={(e) => setConsent(e.currentTarget.checked)} />
        <span>{t.greetingConsent}</span>
      </label>
      {failed && <p role="alert">{t.greetingFailed}</p>}
      <ul>
        {mine.map((m) => (
          <li key={m.languageId} data-greeting-language={m.languageId} data-recorded={String(!!m.greeting)}>
            <span class="greeting-name">{languageName(m.languageId)}</span>
            <span class="greeting-state">{m.greeting ? t.greetingRecorded(Math.round(m.greeting.durationMs / 100) / 10) : t.noGreeting}</span>
            {recording === m.languageId ? (
              <button type="button" class="record stop" onClick={() => rec.current?.recorder.stop()}>
                <Mic size={24} /> {t.stopRecording}
              </button>
            ) : (
              <button type="button" class="record" disabled={!consent || !!recording} onClick={() => void start(m.languageId)}>
                <Mic size={24} /> {t.recordGreeting}
              </button>
            )}
            {m.greeting && (
              <button type="button" class="delete-greeting" disabled={!!recording} onClick={() => void remove(m.languageId)}>
                <Cross size={20} /> {t.deleteGreeting}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
