import { useEffect, useState } from 'preact/hooks';
import { request } from '../lib/api';
import type { RosterPanelProps } from './certification';

interface Limits {
  violenceTraffickingPerDay: number | null;
}
interface Debrief {
  id: string;
  externalId: string;
  firstName: string;
  matter: string | null;
  requestedAt: string;
}

/**
 * Looking after the roster's interpreters: the cap on violence and trafficking calls one interpreter is offered in any
 * 24 hours (her roster admin sets it; empty: no cap), and who asked for a debrief lately (her roster admin only).
 */
export function InterpreterCare({ t, s, token, country, editable }: RosterPanelProps) {
  const [limit, setLimit] = useState<string | null>(null);
  const [debriefs, setDebriefs] = useState<Debrief[] | null>(null);
  const [saved, setSaved] = useState<'saved' | 'failed' | null>(null);
  useEffect(() => {
    request<Limits>(`/api/v1/rosters/${country}/call-limits`, { token }).then(
      (l) => setLimit(l.violenceTraffickingPerDay === null ? '' : String(l.violenceTraffickingPerDay)),
      () => setLimit(null),
    );
    if (editable) request<Debrief[]>(`/api/v1/rosters/${country}/debrief-requests`, { token }).then(setDebriefs, () => setDebriefs(null));
  }, [country, editable]);
  if (limit === null) return null;
  const save = async (e: Event) => {
    e.preventDefault();
    // What the field cannot read as a number ("2e") reads as empty: not "no cap".
    if ((e.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('input[name=violenceTraffickingPerDay]')?.validity.badInput)
      return setSaved('failed');
    try {
      const l = await request<Limits>(`/api/v1/rosters/${country}/call-limits`, {
        method: 'PUT',
        token,
        body: JSON.stringify({ violenceTraffickingPerDay: limit.trim() === '' ? null : Number(limit) }),
      });
      setLimit(l.violenceTraffickingPerDay === null ? '' : String(l.violenceTraffickingPerDay));
      setSaved('saved');
    } catch {
      setSaved('failed');
    }
  };
  return (
    <section class="panel" aria-labelledby="care-title">
      <h2 id="care-title">{s.careTitle}</h2>
      <form onSubmit={save}>
        <label>
          {s.careCap}
          <input
            type="number"
            name="violenceTraffickingPerDay"
            min={1}
            max={50}
            inputMode="numeric"
            value={limit}
            disabled={!editable}
            onInput={(e) => {
              setLimit(e.currentTarget.value);
              setSaved(null);
            }}
          />
        </label>
        <p class="hint">{s.careCapHint}</p>
        {editable && (
          <button type="submit" class="primary">
            {t.save}
          </button>
        )}
        {saved && <p role="status">{saved === 'saved' ? s.saved : s.careCapInvalid}</p>}
      </form>
      {debriefs && (
        <>
          <h3>{s.debriefsTitle}</h3>
          {debriefs.length === 0 ? (
            <p>{s.noDebriefs}</p>
          ) : (
            <ul class="debriefs" data-list="debriefs">
              {debriefs.map((d) => (
                <li key={d.id}>
                  {`${d.externalId} ${d.firstName}: ${new Date(d.requestedAt).toLocaleString()}`}
                  {d.matter && ` · ${t.matterName[d.matter] ?? d.matter}`}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
