import { useEffect, useState } from 'preact/hooks';
import { api, HttpError, request, type Language } from '../lib/api';
import type { Service } from '../lib/services';
import { languageLabel } from '../ui/hearing';
import type { RosterPanelProps } from './certification';

type Kind = Service['kind'];
type Draft = Omit<Service, 'id' | 'hours'> & { hours: string };

const EMPTY: Draft = { name: '', kind: 'legal_aid', area: '', phone: '', hours: '', languageIds: [], minors: false };

/** The fields the server refused (it names them), or null when it refused nothing in particular. */
const refusedFields = (e: unknown): string[] | null =>
  e instanceof HttpError && e.status === 400 ? ((e.body as { fields?: string[] })?.fields ?? null) : null;

/**
 * The directory of services of a country, kept by its roster admin (add, change, remove; a platform admin or another
 * country's admin reads it): where interpreters and officials refer a woman to. Never linked to a woman or a call.
 */
export function ServicesDirectory({ s, token, country, editable }: RosterPanelProps) {
  const [services, setServices] = useState<Service[] | null>(null);
  const [languages, setLanguages] = useState<Language[]>([]);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string[] | null>(null);

  const load = () => request<Service[]>(`/api/v1/services?country=${country}`, { token }).then(setServices, () => setServices(null));
  useEffect(() => {
    void load();
    api.languages().then(
      (ls) => setLanguages(ls.filter((l) => l.countries.includes(country))),
      () => undefined,
    );
  }, [country, token]);

  const base = `/api/v1/rosters/${country}/services`;
  const save = async (e: Event) => {
    e.preventDefault();
    // Emptied when changing a service: its hours are removed (null), not left as they were.
    const body = JSON.stringify({ ...draft, hours: draft.hours.trim() || (editing ? null : undefined) });
    try {
      await request(editing ? `${base}/${editing}` : base, { method: editing ? 'PATCH' : 'POST', token, body });
      setDraft(EMPTY);
      setEditing(null);
      setProblem(null);
    } catch (err) {
      setProblem(refusedFields(err) ?? []);
    }
    await load();
  };
  const remove = async (id: string) => {
    await request(`${base}/${id}`, { method: 'DELETE', token }).catch(() => setProblem([]));
    await load();
  };
  const edit = (v: Service) => {
    setEditing(v.id);
    setDraft({
      name: v.name,
      kind: v.kind,
      area: v.area,
      phone: v.phone,
      hours: v.hours ?? '',
      languageIds: v.languageIds,
      minors: v.minors,
    });
    setProblem(null);
  };
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  const label: Record<string, string> = {
    name: s.serviceName,
    kind: s.whereHelpKind,
    area: s.whereHelpArea,
    phone: s.servicePhone,
    hours: s.serviceHours,
    languageIds: s.serviceLanguages,
    minors: s.takesMinors,
  };
  const invalid = (field: string) => (problem?.includes(field) ? 'true' : undefined);
  const name = (id: string) =>
    languageLabel(
      languages.find((l) => l.id === id),
      id,
    );
  if (!services) return null;

  return (
    <section class="panel directory" aria-labelledby="directory-title" data-section="directory">
      <h2 id="directory-title">{s.directoryTitle}</h2>
      <p>{s.directoryExplain}</p>
      {services.length === 0 ? (
        <p>{s.directoryEmpty}</p>
      ) : (
        <ul class="services" data-list="directory">
          {services.map((v) => (
            <li key={v.id} data-service={v.id}>
              <strong>{v.name}</strong> · {s.serviceKind[v.kind]} · {v.area} · {v.phone}
              {v.hours && ` · ${v.hours}`}
              {v.minors && ` · ${s.takesMinors}`}
              {v.languageIds.length > 0 && ` · ${v.languageIds.map(name).join(', ')}`}
              {editable && (
                <span class="actions">
                  <button type="button" class="edit" onClick={() => edit(v)}>
                    {s.serviceEdit}
                  </button>
                  <button type="button" class="remove" onClick={() => void remove(v.id)}>
                    {s.serviceRemove}
                  </button>
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <form class="service-form" onSubmit={save} data-editing={editing ?? ''}>
          <h3>{editing ? s.serviceEditTitle : s.serviceAddTitle}</h3>
          <label>
            {s.serviceName}
            <input
              name="name"
              aria-invalid={invalid('name')}
              required
              maxLength={120}
              value={draft.name}
              onInput={(e) => set('name', e.currentTarget.value)}
            />
          </label>
          <label>
            {s.whereHelpKind}
            <select name="kind" value={draft.kind} onChange={(e) => set('kind', e.currentTarget.value as Kind)}>
              {Object.entries(s.serviceKind).map(([k, label]) => (
                <option key={k} value={k}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            {s.whereHelpArea}
            <input
              name="area"
              aria-invalid={invalid('area')}
              required
              maxLength={120}
              value={draft.area}
              onInput={(e) => set('area', e.currentTarget.value)}
            />
          </label>
          <label>
            {s.servicePhone}
            <input
              name="phone"
              aria-invalid={invalid('phone')}
              type="tel"
              required
              maxLength={40}
              value={draft.phone}
              onInput={(e) => set('phone', e.currentTarget.value)}
            />
          </label>
          <label>
            {s.serviceHours}
            <input
              name="hours"
              aria-invalid={invalid('hours')}
              maxLength={120}
              value={draft.hours}
              onInput={(e) => set('hours', e.currentTarget.value)}
            />
          </label>
          <label>
            {s.serviceLanguages}
            <select
              name="languageIds"
              multiple
              size={4}
              onChange={(e) =>
                set(
                  'languageIds',
                  [...e.currentTarget.selectedOptions].map((o) => o.value),
                )
              }
            >
              {languages.map((l) => (
                <option key={l.id} value={l.id} selected={draft.languageIds.includes(l.id)}>
                  {languageLabel(l, l.id)}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" name="minors" checked={draft.minors} onChange={(e) => set('minors', e.currentTarget.checked)} />
            {s.takesMinors}
          </label>
          {problem && (
            <p role="alert" class="problem" data-fields={problem.join(' ')}>
              {problem.length ? s.serviceCheck(problem.map((f) => label[f] ?? f).join(', ')) : s.directoryFailed}
            </p>
          )}
          <button type="submit">{editing ? s.serviceSave : s.serviceAdd}</button>
          {editing && (
            <button
              type="button"
              class="cancel"
              onClick={() => {
                setEditing(null);
                setDraft(EMPTY);
              }}
            >
              {s.serviceCancel}
            </button>
          )}
        </form>
      )}
    </section>
  );
}
