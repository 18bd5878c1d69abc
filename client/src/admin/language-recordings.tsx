import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { api, request, type Language } from '../lib/api';
import { KINDS, type RecordingKind } from '../../../src/language-recordings/recording-kinds';
import { collectionPath, recordingPath } from '../lib/language-recordings';
import { playWithToken, sendRecording, useRecorder, type Recording } from '../lib/recorder';
import { languageLabel } from '../ui/hearing';
import { Check, Cross, Play } from '../ui/icons';
import { RecordButton, RecordingConsent } from '../ui/recording-controls';

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

/**
 * One kind of recording (spoken names, notices, girls' notices) of a country's languages: how many have none (the
 * to-do), the recordings waiting for a check (listen, publish, reject), a record button per language without one
 * (her own country's roster admin), and the published ones (listen, take down). A platform admin checks any country's.
 */
export function LanguageRecordings({
  kind,
  t,
  s,
  token,
  country,
  canRecord,
}: {
  kind: RecordingKind;
  t: Strings;
  s: StaffStrings;
  token: string;
  country: string;
  canRecord: boolean;
}) {
  const text = s.recordings[kind];
  const list = collectionPath(kind);
  const base = (languageId: string) => recordingPath(kind, languageId);
  const section = KINDS[kind].collection;
  const [languages, setLanguages] = useState<Map<string, Language>>(new Map());
  const [missing, setMissing] = useState<Missing[] | null>(null);
  const [pending, setPending] = useState<Pending[]>([]);
  const [published, setPublished] = useState<string[]>([]);
  const [consent, setConsent] = useState(false);
  const [failed, setFailed] = useState(false);

  const load = async () => {
    try {
      const [todo, waiting, pub] = await Promise.all([
        request<Missing[]>(`${list}/missing?country=${country}`, { token }),
        request<Pending[]>(`${list}/pending?country=${country}`, { token }),
        request<{ languageId: string }[]>(list),
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
    KINDS[kind].maxMs,
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
    <section class="panel language-recordings" aria-labelledby={`${section}-title`} data-section={section}>
      <h2 id={`${section}-title`}>{text.title}</h2>
      {missing && (
        <p class="todo" data-missing={missing.length}>
          {text.missing(missing.length, t.countries[country] ?? country)}
        </p>
      )}
      <p>{text.adminExplain}</p>
      {failed && <p role="alert">{s.recordingFailed}</p>}

      <h3>{s.recordingsToCheck}</h3>
      {pending.length ? (
        <ul class="to-check">
          {pending.map((p) => (
            <li key={p.id} data-recording={p.id} data-language={p.languageId}>
              <span class="name">{name(p.languageId)}</span>
              <span>
                {s.recordingBy[p.recorderRole] ?? p.recorderRole}, {s.recordingSeconds(Math.round(p.durationMs / 100) / 10)}
              </span>
              <button type="button" class="listen" onClick={() => void listen(`${base(p.languageId)}/recordings/${p.id}`)}>
                <Play size={20} /> {s.recordingListen}
              </button>
              <button
                type="button"
                class="publish"
                onClick={() =>
                  void act(() => request(`${base(p.languageId)}/recordings/${p.id}/publish`, { method: 'POST', body: '{}', token }))
                }
              >
                <Check size={20} /> {s.recordingPublish}
              </button>
              <button
                type="button"
                class="reject"
                onClick={() =>
                  void act(() => request(`${base(p.languageId)}/recordings/${p.id}/reject`, { method: 'POST', body: '{}', token }))
                }
              >
                <Cross size={20} /> {s.recordingReject}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>{s.recordingsNoneToCheck}</p>
      )}

      <h3>{text.toRecord}</h3>
      {/* What a notice says: read out by whoever records it, an admin too (a name needs no script). */}
      {canRecord && kind !== 'name' && <p class="script">{text.explain}</p>}
      {canRecord && <RecordingConsent text={text.consent} consent={consent} onChange={setConsent} />}
      <ul class="to-record">
        {(missing ?? []).map((m) => (
          <li key={m.languageId} data-language={m.languageId} data-state={m.pending ? 'pending' : 'none'}>
            <span class="name">{languages.has(m.languageId) ? name(m.languageId) : m.name}</span>
            <span>{m.pending ? s.recordingState.pending : text.none}</span>
            {canRecord && (
              <RecordButton
                s={s}
                label={text.record}
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
          <h3>{s.recordingsPublished}</h3>
          <ul class="published">
            {ofCountry.map((id) => (
              <li key={id} data-language={id} data-state="published">
                <span class="name">{name(id)}</span>
                <button type="button" class="listen" onClick={() => void listen(base(id))}>
                  <Play size={20} /> {s.recordingListen}
                </button>
                <button type="button" class="reject" onClick={() => void act(() => request(base(id), { method: 'DELETE', token }))}>
                  <Cross size={20} /> {s.recordingTakeDown}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
