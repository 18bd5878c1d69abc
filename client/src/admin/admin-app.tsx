import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import { STAFF_STRINGS, type StaffStrings } from '../i18n/staff';
import { api, request, serverMessages, type Country } from '../lib/api';
import { Upload } from '../ui/icons';
import { ConsoleHeader, forgetStaffSession, readStaffSession, StaffLogin, type StaffSession } from '../ui/staff-login';
import { useUiLanguage } from '../ui/ui-language';
import { importReason } from './import-reasons';
import { certState, CertWarning, Certification, type RosterPanelProps } from './certification';
import { InterpreterCare } from './interpreter-care';
import { Statistics } from './statistics';
import { RECORDING_KINDS } from '../../../src/language-recordings/recording-kinds';
import { LanguageRecordings } from './language-recordings';
import { ServicesDirectory } from './services-directory';

interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  rejected: { line: number; field: string; message: string }[];
}
interface Sharing {
  country: string;
  countries: string[];
  borrowsFrom: string[];
}
interface InterpreterRow {
  id: string;
  externalId: string;
  firstName: string;
  status: string;
  languages: { iso6393: string; variant: string | null; level: number }[];
  certification: { body: string | null; expires: string | null; daysLeft: number | null };
}

const ADMIN_ROLES = ['roster_admin', 'platform_admin'];

/** The country a roster admin's token is scoped to (read from the token itself; the server checks it anyway). */
function tokenCountry(token: string): string | null {
  try {
    return (JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { country?: string }).country ?? null;
  } catch {
    return null;
  }
}

/**
 * The administrators' console: a roster admin works on her country's roster (import, sharing, interpreters,
 * statistics); a platform admin picks any country and sees it (the server lets only the country's own
 * admin import and change sharing).
 */
export function AdminApp() {
  const { lang, t, choose } = useUiLanguage();
  const s = STAFF_STRINGS[lang];
  const [session, setSession] = useState<StaffSession | null>(() => {
    const s = readStaffSession();
    return s && ADMIN_ROLES.includes(s.role) ? s : null;
  });
  const [countries, setCountries] = useState<Country[]>([]);
  const [country, setCountry] = useState<string | null>(null);
  /** Bumped by an import, so the interpreter list reloads. */
  const [imports, setImports] = useState(0);

  useEffect(() => {
    api.countries().then(setCountries, () => undefined);
  }, []);
  useEffect(() => {
    // As an update of the current value: a platform admin who picked a country before this effect ran (it runs after
    // the first paint of her console) keeps it; the country of the render that logged her in was still none.
    if (session) setCountry((picked) => (session.role === 'roster_admin' ? tokenCountry(session.token) : (picked ?? 'GT')));
  }, [session]);

  const logout = () => {
    forgetStaffSession();
    setSession(null);
  };
  const own = session?.role === 'roster_admin';

  return (
    <div class="app console admin">
      <ConsoleHeader t={t} lang={lang} choose={choose} onLogout={session ? logout : null} />
      <main>
        <h1>{t.adminTitle}</h1>
        {!session ? (
          <StaffLogin t={t} roles={ADMIN_ROLES} roleError={t.adminLoginRole} onLogin={setSession} />
        ) : (
          <>
            <label class="country-picker">
              {t.country}
              <select name="country" value={country ?? ''} disabled={own} onChange={(e) => setCountry(e.currentTarget.value)}>
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {t.countries[c.code] ?? c.name}
                  </option>
                ))}
              </select>
            </label>
            {country && (
              <div key={country}>
                {own && <RosterImport t={t} s={s} token={session.token} country={country} onImported={() => setImports((n) => n + 1)} />}
                <SharingEditor t={t} token={session.token} country={country} editable={own} countries={countries} />
                <Certification key={`cert-${imports}`} t={t} s={s} token={session.token} country={country} editable={own} />
                <InterpreterCare t={t} s={s} token={session.token} country={country} editable={own} />
                <ServicesDirectory t={t} s={s} token={session.token} country={country} editable={own} />
                <InterpreterList key={imports} t={t} s={s} token={session.token} country={country} editable={own} />
                {RECORDING_KINDS.map((kind) => (
                  <LanguageRecordings key={kind} kind={kind} t={t} s={s} token={session.token} country={country} canRecord={own} />
                ))}
                <Statistics t={t} s={s} token={session.token} country={country} countries={countries} anyCountry={!own} />
              </div>
            )}
          </>
        )}
      </main>
    </div>
  );
}

function RosterImport({
  t,
  s,
  token,
  country,
  onImported,
}: {
  t: Strings;
  s: StaffStrings;
  token: string;
  country: string;
  onImported: () => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setFailed(null);
    const form = new FormData();
    form.append('file', file);
    try {
      setResult(await request<ImportResult>(`/api/v1/rosters/${country}/import`, { method: 'POST', body: form, token }));
      onImported();
    } catch (err) {
      setResult(null);
      setFailed([t.importFailed, ...serverMessages(err).messages].join(' '));
    }
  };
  return (
    <section class="panel" aria-labelledby="import-title">
      <h2 id="import-title">{t.importTitle}</h2>
      <form class="import" onSubmit={send}>
        <label>
          {t.rosterFile}
          <input type="file" name="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <button type="submit" class="primary" disabled={!file}>
          <Upload size={20} /> {t.importButton}
        </button>
      </form>
      {failed && <p role="alert">{failed}</p>}
      {result && (
        <div class="import-result" data-created={result.created} data-updated={result.updated} data-unchanged={result.unchanged}>
          <p role="status">{t.importResult(result.created, result.updated, result.unchanged)}</p>
          {result.rejected.length > 0 && (
            <div class="table-scroll" tabIndex={0} role="region" aria-label={t.rejectedTitle(result.rejected.length)}>
              <table class="rejected">
                <caption>{t.rejectedTitle(result.rejected.length)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.line}</th>
                    <th scope="col">{t.field}</th>
                    <th scope="col">{t.reason}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rejected.map((r, i) => (
                    <tr key={i}>
                      <td>{r.line}</td>
                      <td>
                        <code>{r.field}</code>
                      </td>
                      <td data-reason={r.message}>{importReason(r.message, s)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function SharingEditor({
  t,
  token,
  country,
  editable,
  countries,
}: {
  t: Strings;
  token: string;
  country: string;
  editable: boolean;
  countries: Country[];
}) {
  const [sharing, setSharing] = useState<Sharing | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    request<Sharing>(`/api/v1/rosters/${country}/sharing`, { token }).then(
      (s) => {
        setSharing(s);
        setChosen(new Set(s.countries));
      },
      () => setSharing(null),
    );
  }, [country]);
  if (!sharing) return null;
  const save = async (e: Event) => {
    e.preventDefault();
    const s = await request<Sharing>(`/api/v1/rosters/${country}/sharing`, {
      method: 'PUT',
      body: JSON.stringify({ countries: [...chosen].sort() }),
      token,
    });
    setSharing(s);
    setSaved(true);
  };
  return (
    <section class="panel" aria-labelledby="sharing-title">
      <h2 id="sharing-title">{t.sharingTitle}</h2>
      <form onSubmit={save}>
        <fieldset class="sharing" disabled={!editable}>
          <legend class="visually-hidden">{t.sharingTitle}</legend>
          {countries
            .filter((c) => c.code !== country)
            .map((c) => (
              <label key={c.code}>
                <input
                  type="checkbox"
                  name="share"
                  value={c.code}
                  checked={chosen.has(c.code)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.currentTarget.checked) next.add(c.code);
                    else next.delete(c.code);
                    setChosen(next);
                    setSaved(false);
                  }}
                />
                {t.countries[c.code] ?? c.name}
              </label>
            ))}
        </fieldset>
        {editable ? (
          <button type="submit" class="primary">
            {t.save}
          </button>
        ) : (
          <p>{t.sharingReadOnly}</p>
        )}
        {saved && <p role="status">{t.saved}</p>}
      </form>
      <p>{t.borrowsFrom(sharing.borrowsFrom.map((c) => t.countries[c] ?? c).join(', '))}</p>
    </section>
  );
}

function InterpreterList({ t, s, token, country, editable }: RosterPanelProps) {
  const [rows, setRows] = useState<{ total: number; items: InterpreterRow[] } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    request<{ total: number; items: InterpreterRow[] }>(`/api/v1/rosters/${country}/interpreters?limit=200`, { token }).then(setRows, () =>
      setRows(null),
    );
  }, [country]);
  if (!rows) return null;
  const setStatus = async (row: InterpreterRow, status: 'active' | 'suspended') => {
    setFailed(false);
    try {
      const updated = await request<InterpreterRow>(`/api/v1/rosters/${country}/interpreters/${row.id}`, {
        method: 'PATCH',
        token,
        body: JSON.stringify({ status }),
      });
      setRows((r) => r && { ...r, items: r.items.map((i) => (i.id === updated.id ? updated : i)) });
    } catch {
      setFailed(true);
    }
  };
  return (
    <section class="panel" aria-labelledby="interpreters-title">
      <h2 id="interpreters-title">
        {t.interpretersTitle} ({rows.total})
      </h2>
      {failed && <p role="alert">{s.statusNotChanged}</p>}
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="interpreters-title">
        <table class="interpreters">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">{t.firstName}</th>
              <th scope="col">{t.languagesCol}</th>
              <th scope="col">{s.certificateCol}</th>
              <th scope="col">{t.statusCol}</th>
            </tr>
          </thead>
          <tbody>
            {rows.items.map((i) => (
              <tr key={i.id}>
                <td class="nowrap">{i.externalId}</td>
                <td>{i.firstName}</td>
                <td>
                  {i.languages.map((l, j) => (
                    <Fragment key={j}>
                      {j > 0 && ' '}
                      <span class="nowrap">{`${l.iso6393}${l.variant ? `/${l.variant}` : ''}:${l.level}`}</span>
                    </Fragment>
                  ))}
                </td>
                <Certificate s={s} {...i.certification} />
                <td data-status={i.status}>
                  <span class="status-label">{s.interpreterStatus[i.status] ?? i.status}</span>
                  {editable && (
                    <button
                      type="button"
                      class="link"
                      data-action={i.status === 'suspended' ? 'reactivate' : 'suspend'}
                      aria-label={`${i.status === 'suspended' ? s.reactivate : s.suspend}: ${i.firstName} (${i.externalId})`}
                      onClick={() => setStatus(i, i.status === 'suspended' ? 'active' : 'suspended')}
                    >
                      {i.status === 'suspended' ? s.reactivate : s.suspend}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Her certificate's expiry, marked once it has passed or ends soon (certState). */
function Certificate({
  s,
  body,
  expires,
  daysLeft,
}: {
  s: StaffStrings;
  body: string | null;
  expires: string | null;
  daysLeft: number | null;
}) {
  if (!expires || daysLeft === null)
    return body ? <td data-cert="valid">{s.noExpiry(body)}</td> : <td data-cert="none">{s.noCertificate}</td>;
  return (
    <td class="nowrap" data-cert={certState(daysLeft)}>
      {expires}
      <CertWarning s={s} daysLeft={daysLeft} />
    </td>
  );
}
