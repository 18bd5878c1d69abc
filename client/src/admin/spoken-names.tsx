import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { api, request, type Language } from '../lib/api';
import { playWithToken, sendRecording, SPOKEN_NAME_MAX_MS, useRecorder, type Recording } from '../lib/recorder';
import { languageLabel } from '../ui/hearing';
import { Check, Cross, Play } from '../ui/icons';
import { NameConsent, RecordNameButton } from '../ui/spoken-name-controls';

interface Pending {
  id: string;
  languageId: string;
  recorderRole: string;
  mine: boolean;
  durationMs: number;
}
interface Missing {
  languageId: string;
  name: string;
  pending: boolean;
}

const base = (languageId: string) => `/api/v1/languages/${languageId}/spoken-name`;

/**
 * The spoken names of a country's languages: how many have none (the to-do), the recordings waiting for a
 * check (listen, publish, reject), a record button per language without one (her own country's roster admin),
 * and the published ones (listen, take down). A platform admin checks any country's.
 */
export function SpokenNames({
  t,
  s,
  token,
  country,
  canRecord,
}: {
  t: Strings;
  s: StaffStrings;
  token: string;
  country: string;
  canRecord: boolean;
}) {
  const [languages, setLanguages] = useState<Map<string, Language>>(new Map());
  const [missing, setMissing] = useState<Missing[] | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [published, setPublished] = useState<string[]>([]);
  const [consent, setConsent] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = async () => {
    try {
      const [todo, waiting, pub] = await Promise.all([
        request<Missing[]>(`/api/v1/languages/spoken-names/missing?country=${country}`, { token }),
        request<Pending[]>(`/api/v1/languages/spoken-names/pending?country=${country}`, { token }),
        request<{ languageId: string }[]>('/api/v1/languages/spoken-names'),
      ]);
      setMissing(todo);
      setPending(waiting);
      setPublished(pub.map((p) => p.languageId));
    } catch {
      setFailed(true);
    }
  };
  useEffect(() => {
    api.languages().then(
      (ls) => setLanguages(new Map(ls.map((l) => [l.id, l]))),
      () => undefined,
    );
    void load();
  }, [country, token]);

  /** Runs an action, then shows the lists as they are now. */
  const act = async (action: () => Promise<unknown>) => {
    setFailed(false);
    await action().catch(() => setFailed(true));
    await load();
  };
  const { recording, start, stop } = useRecorder(
    SPOKEN_NAME_MAX_MS,
    (id, rec: Recording) => void act(() => sendRecording(`${base(id)}/recording`, 'POST', rec, token)),
  );
  const record = async (languageId: string) => {
    setFailed(false);
    if (!(await start(languageId))) setFailed(true);
  };
  const listen = (path: string) => playWithToken(path, token).catch(() => setFailed(true));
  const name = (id: string) => languageLabel(languages.get(id), id);
  const ofCountry = published.filter((id) => languages.get(id)?.countries.includes(country));

  return (
    <section class="panel spoken-names" aria-labelledby="spoken-names-title" data-section="spoken-names">
      <h2 id="spoken-names-title">{s.spokenNamesTitle}</h2>
      {missing && (
        <p class="todo" data-missing={missing.length}>
          {s.spokenNamesMissing(missing.length, t.countries[country] ?? country)}
        </p>
      )}
      <p>{s.spokenNamesAdminExplain}</p>
      {failed && <p role="alert">{s.spokenNameFailed}</p>}

      <h3>{s.spokenNamesToCheck}</h3>
      {pending.length ? (
        <ul class="to-check">
          {pending.map((p) => (
            <li key={p.id} data-recording={p.id} data-language={p.languageId}>
              <span class="name">{name(p.languageId)}</span>
              <span>
                {s.spokenNameBy[p.recorderRole] ?? p.recorderRole}, {s.spokenNameSeconds(Math.round(p.durationMs / 100) / 10)}
              </span>
              <button type="button" class="listen" onClick={() => void listen(`${base(p.languageId)}/recordings/${p.id}`)}>
                <Play size={20} /> {s.spokenNameListen}
              </button>
              <button
                type="button"
                class="publish"
                onClick={() =>
                  void act(() => request(`${base(p.languageId)}/recordings/${p.id}/publish`, { method: 'POST', body: '{}', token }))
                }
              >
                <Check size={20} /> {s.spokenNamePublish}
              </button>
              <button
                type="button"
                class="reject"
                onClick={() =>
                  void act(() => request(`${base(p.languageId)}/recordings/${p.id}/reject`, { method: 'POST', body: '{}', token }))
                }
              >
                <Cross size={20} /> {s.spokenNameReject}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{s.spokenNamesNoneToCheck}</p>
      )}

      <h3>{s.spokenNamesToRecord}</h3>
      {canRecord && <NameConsent s={s} consent={consent} onChange={setConsent} />}
      <ul class="to-record">
        {(missing ?? []).map((m) => (
          <li key={m.languageId} data-spoken-name={m.languageId} data-state={m.pending ? 'pending' : 'none'}>
            <span class="name">{languages.has(m.languageId) ? name(m.languageId) : m.name}</span>
            <span>{s.spokenNameState[m.pending ? 'pending' : 'none']}</span>
            {canRecord && (
              <RecordNameButton
                s={s}
                languageId={m.languageId}
                recording={recording}
                consent={consent}
                onRecord={(l) => void record(l)}
                onStop={stop}
              />
            )}
          </li>
        ))}
      </ul>

      {ofCountry.length > 0 && (
        <>
          <h3>{s.spokenNamesPublished}</h3>
          <ul class="published">
            {ofCountry.map((id) => (
              <li key={id} data-spoken-name={id} data-state="published">
                <span class="name">{name(id)}</span>
                <button type="button" class="listen" onClick={() => void listen(base(id))}>
                  <Play size={20} /> {s.spokenNameListen}
                </button>
                <button type="button" class="reject" onClick={() => void act(() => request(base(id), { method: 'DELETE', token }))}>
                  <Cross size={20} /> {s.spokenNameTakeDown}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
