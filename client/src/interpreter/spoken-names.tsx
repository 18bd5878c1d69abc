import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { api, request, type Language } from '../lib/api';
import { sendRecording, SPOKEN_NAME_MAX_MS, useRecorder, type Recording } from '../lib/recorder';
import { staffClaims } from '../lib/staff-token';
import { Cross } from '../ui/icons';
import { NameConsent, RecordNameButton } from '../ui/spoken-name-controls';

interface Pending {
  id: string;
  languageId: string;
}

/**
 * The spoken names of her languages: a to-do count for her country ("12 languages of Guatemala have no spoken
 * name") and, for each curated variant she interprets, its state and a button to record its name (with her
 * consent). A roster admin checks a recording before callers hear it.
 */
export function MySpokenNames({
  token,
  t,
  s,
  languageIds,
  languageName,
}: {
  token: string;
  t: Strings;
  s: StaffStrings;
  languageIds: string[];
  languageName: (id: string) => string;
}) {
  const country = staffClaims(token).country ?? null;
  const [curated, setCurated] = useState<Set<string> | null>(null);
  const [published, setPublished] = useState<Set<string>>(new Set());
  const [pending, setPending] = useState<Pending[]>([]);
  const [missing, setMissing] = useState<number | null>(null);
  const [consent, setConsent] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = async () => {
    const [pub, mine, todo] = await Promise.all([
      request<{ languageId: string }[]>('/api/v1/languages/spoken-names'),
      request<Pending[]>('/api/v1/languages/spoken-names/mine', { token }),
      country ? request<unknown[]>(`/api/v1/languages/spoken-names/missing?country=${country}`, { token }) : Promise.resolve(null),
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
      await sendRecording(`/api/v1/languages/${languageId}/spoken-name/recording`, 'POST', rec, token);
      setFailed(false);
    } catch {
      setFailed(true);
    }
    await load();
  };
  const { recording, start, stop } = useRecorder(SPOKEN_NAME_MAX_MS, (id, rec) => void upload(id, rec));
  const record = async (languageId: string) => {
    setFailed(false);
    if (!(await start(languageId))) setFailed(true);
  };
  const withdraw = async (languageId: string) => {
    await request(`/api/v1/languages/${languageId}/spoken-name/recording`, { method: 'DELETE', token }).catch(() => setFailed(true));
    await load();
  };

  // Only the curated catalogue has spoken names (the languages a caller's page offers).
  const mine = curated ? languageIds.filter((id) => curated.has(id)) : [];
  if (!mine.length) return null;
  const stateOf = (id: string) => (pending.some((p) => p.languageId === id) ? 'pending' : published.has(id) ? 'published' : 'none');
  return (
    <section class="spoken-names" aria-labelledby="spoken-names-title" data-section="spoken-names">
      <h2 id="spoken-names-title">{s.spokenNamesTitle}</h2>
      {country && missing !== null && (
        <p class="todo" data-missing={missing}>
          {s.spokenNamesMissing(missing, t.countries[country] ?? country)}
        </p>
      )}
      <p>{s.spokenNamesExplain}</p>
      <NameConsent s={s} consent={consent} onChange={setConsent} />
      {failed && <p role="alert">{s.spokenNameFailed}</p>}
      <ul>
        {mine.map((id) => (
          <li key={id} data-spoken-name={id} data-state={stateOf(id)}>
            <span class="name">{languageName(id)}</span>
            <span>{s.spokenNameState[stateOf(id)]}</span>
            <RecordNameButton
              s={s}
              languageId={id}
              recording={recording}
              consent={consent}
              onRecord={(l) => void record(l)}
              onStop={stop}
            />
            {stateOf(id) === 'pending' && (
              <button type="button" class="withdraw" disabled={!!recording} onClick={() => void withdraw(id)}>
                <Cross size={20} /> {s.spokenNameWithdraw}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
