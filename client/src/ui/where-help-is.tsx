import { useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { request } from '../lib/api';
import type { Service } from '../lib/services';
import { staffClaims } from '../lib/staff-token';

/**
 * Where help is (interpreters during a call, officials): the directory of services of a country (her own by
 * default), searched by kind and area, to refer the woman to. Nothing of a call is sent with the search.
 */
export function WhereHelpIs({ token, t, s }: { token: string; t: Strings; s: StaffStrings }) {
  const [country, setCountry] = useState(staffClaims(token).country ?? 'GT');
  const [kind, setKind] = useState('');
  const [area, setArea] = useState('');
  const [found, setFound] = useState<Service[] | null>(null);
  const search = async (e: Event) => {
    e.preventDefault();
    const q = new URLSearchParams({ country, ...(kind ? { kind } : {}), ...(area.trim() ? { area: area.trim() } : {}) });
    setFound(await request<Service[]>(`/api/v1/services?${q}`, { token }).catch(() => []));
  };
  return (
    <details class="where-help">
      <summary>{s.whereHelpTitle}</summary>
      <form onSubmit={search}>
        <label>
          {s.whereHelpCountry}
          <select name="country" value={country} onChange={(e) => setCountry(e.currentTarget.value)}>
            {Object.entries(t.countries).map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s.whereHelpKind}
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="">{s.whereHelpAnyKind}</option>
            {Object.entries(s.serviceKind).map(([k, name]) => (
              <option key={k} value={k}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {s.whereHelpArea}
          <input name="area" value={area} maxLength={120} onInput={(e) => setArea(e.currentTarget.value)} />
        </label>
        <button type="submit">{s.whereHelpSearch}</button>
      </form>
      {found && found.length === 0 && <p class="note">{s.whereHelpNone}</p>}
      {found && found.length > 0 && (
        <ul class="services" data-list="services">
          {found.map((v) => (
            <li key={v.id}>
              <strong>{v.name}</strong> · {s.serviceKind[v.kind]} · {v.area}
              <br />
              <a href={`tel:${v.phone.replace(/[^+0-9]/g, '')}`}>{v.phone}</a>
              {v.hours && ` · ${v.hours}`}
              {v.minors && ` · ${s.takesMinors}`}
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
