import { useEffect, useState } from 'preact/hooks';
import { UI_LANGUAGES, type Strings, type UiLanguage } from '../i18n';
import { STAFF_STRINGS } from '../i18n/staff';
import { request } from '../lib/api';
import { sendRecording, useRecorder, type Recording } from '../lib/recorder';
import { Cross, Mic } from '../ui/icons';
import { RECORDING_KINDS } from '../../../src/language-recordings/recording-kinds';
import { MyLanguageRecordings } from './my-language-recordings';

interface Mine {
  languageId: string;
  greeting: { durationMs: number; consentedAt: string } | null;
}

const MAX_MS = 10_000;

/** The console strings in the language of `t` (this section is handed the caller-side strings only). */
const staffStringsFor = (t: Strings) =>
  STAFF_STRINGS[(Object.keys(UI_LANGUAGES) as UiLanguage[]).find((l) => UI_LANGUAGES[l] === t) ?? 'es'];

/**
 * Her greetings: with her consent, up to 10 seconds per variant, recorded here (MediaRecorder, WebM/Opus at a
 * phone-friendly bitrate), uploaded, deletable. A profile asset: never anything from a call.
 */
export function Greetings({ token, t, languageName }: { token: string; t: Strings; languageName: (id: string) => string }) {
  const [mine, setMine] = useState<Mine[] | null>(null);
  const [consent, setConsent] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = () => request<Mine[]>('/api/v1/greetings/mine', { token }).then(setMine, () => setMine([]));
  useEffect(() => {
    void load();
  }, [token]);

  const upload = async (languageId: string, rec: Recording) => {
    try {
      await sendRecording(`/api/v1/greetings/mine/${languageId}`, 'PUT', rec, token);
      setFailed(false);
    } catch {
      setFailed(true);
    }
    await load();
  };
  // Ten seconds at most: it stops and saves by itself.
  const { recording, start: record, stop } = useRecorder(MAX_MS, (languageId, rec) => void upload(languageId, rec));
  const start = async (languageId: string) => {
    setFailed(false);
    if (!(await record(languageId))) setFailed(true);
  };

  const remove = async (languageId: string) => {
    await request(`/api/v1/greetings/mine/${languageId}`, { method: 'DELETE', token }).catch(() => setFailed(true));
    await load();
  };

  if (!mine?.length) return null;
  return (
    <>
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
              <span class="greeting-state">
                {m.greeting ? t.greetingRecorded(Math.round(m.greeting.durationMs / 100) / 10) : t.noGreeting}
              </span>
              {recording === m.languageId ? (
                <button type="button" class="record stop" onClick={stop}>
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
      {RECORDING_KINDS.map((kind) => (
        <MyLanguageRecordings
          key={kind}
          kind={kind}
          token={token}
          t={t}
          s={staffStringsFor(t)}
          languageIds={mine.map((m) => m.languageId)}
          languageName={languageName}
        />
      ))}
    </>
  );
}
