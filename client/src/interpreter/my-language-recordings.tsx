import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { api, request, type Language } from '../lib/api';
import { KINDS, type RecordingKind } from '../../../src/language-recordings/recording-kinds';
import { collectionPath, recordingPath } from '../lib/language-recordings';
import { sendRecording, useRecorder, type Recording } from '../lib/recorder';
import { staffClaims } from '../lib/staff-token';
import { Cross } from '../ui/icons';
import { RecordButton, RecordingConsent } from '../ui/recording-controls';

interface Pending {
  id: string;
  languageId: string;
}

/**
 * One kind of recording (spoken names, notices, girls' notices) of her languages: a to-do count for her country
 * ("12 languages of Guatemala have no spoken name") and, for each curated variant she interprets, its state and a
 * button to record it (with her consent). A roster admin checks a recording before callers hear it.
 */
export function MyLanguageRecordings({
  kind,
  token,
  t,
  s,
  languageIds,
  languageName,
}: {
  kind: RecordingKind;
  token: string;
  t: Strings;
  s: StaffStrings;
  languageIds: string[];
  languageName: (id: string) => string;
}) {
  const country = staffClaims(token).country ?? null;
  const text = s.recordings[kind];
  const list = collectionPath(kind);
  const section = KINDS[kind].collection;
  const [curated, setCurated] = useState<Set<string> | null>(null);
  const [published, setPublished] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending[]>([]);
  const [missing, setMissing] = useState<number | null>(null);
  const [consent, setConsent] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = async () => {
    const [pub, mine, todo] = await Promise.all([
      request<{ languageId: string }[]>(list),
      request<Pending[]>(`${list}/mine`, { token }),
      country ? request<unknown[]>(`${list}/missing?country=${country}`, { token }) : Promise.resolve(null),
    ]).catch(() => [null, null, null] as const);
    if (pub) setPublished(new Set(pub.map((p) => p.languageId)));
    if (mine) setPending(mine);
    setMissing(todo ? todo.length : null);
  };
  useEffect(() => {
    api.languages().then(
      (ls: Language[]) => setCurated(new Set(ls.map((l) => l.id))),
      () => setCurated(new Set()),
    );
    void load();
  }, [token]);

  const upload = async (languageId: string, rec: Recording) => {
    try {
      await sendRecording(`${recordingPath(kind, languageId)}/recording`, 'POST', rec, token);
      setFailed(false);
    } catch {
      setFailed(true);
    }
    await load();
  };
  const { recording, start, stop } = useRecorder(KINDS[kind].maxMs, (id, rec) => void upload(id, rec));
  const record = async (languageId: string) => {
    setFailed(false);
    if (!(await start(languageId))) setFailed(true);
  };
  const withdraw = async (languageId: string) => {
    await request(`${recordingPath(kind, languageId)}/recording`, { method: 'DELETE', token }).catch(() => setFailed(true));
    await load();
  };

  // Only the curated catalogue has spoken names (the languages a caller's page offers).
  const mine = curated ? languageIds.filter((id) => curated.has(id)) : [];
  if (!mine.length) return null;
  const stateOf = (id: string) => (pending.some((p) => p.languageId === id) ? 'pending' : published.has(id) ? 'published' : 'none');
  return (
    <section class="language-recordings" aria-labelledby={`${section}-title`} data-section={section}>
      <h2 id={`${section}-title`}>{text.title}</h2>
      {country && missing !== null && (
        <p class="todo" data-missing={missing}>
          {text.missing(missing, t.countries[country] ?? country)}
        </p>
      )}
      <p>{text.explain}</p>
      <RecordingConsent text={text.consent} consent={consent} onChange={setConsent} />
      {failed && <p role="alert">{s.recordingFailed}</p>}
      <ul>
        {mine.map((id) => (
          <li key={id} data-language={id} data-state={stateOf(id)}>
            <span class="name">{languageName(id)}</span>
            <span>{stateOf(id) === 'none' ? text.none : s.recordingState[stateOf(id)]}</span>
            <RecordButton
              s={s}
              label={text.record}
              languageId={id}
              recording={recording}
              consent={consent}
              onRecord={(l) => void record(l)}
              onStop={stop}
            />
            {stateOf(id) === 'pending' && (
              <button type="button" class="withdraw" disabled={!!recording} onClick={() => void withdraw(id)}>
                <Cross size={20} /> {s.recordingWithdraw}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
