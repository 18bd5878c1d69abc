import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { request } from '../lib/api';

const MATTERS = ['legal_civil', 'legal_labour', 'legal_criminal', 'violence', 'trafficking', 'other'] as const;

/** Certificates ending within this many days are marked, as the server lists them (EXPIRING_WITHIN_DAYS). */
const CERT_WARNING_DAYS = 60;

/** How a certificate stands, from its days left as the server counts them (UTC). */
export function certState(daysLeft: number): 'expired' | 'soon' | 'valid' {
  return daysLeft < 0 ? 'expired' : daysLeft <= CERT_WARNING_DAYS ? 'soon' : 'valid';
}

/** " (expired)" or " (ends in N days)" after a date, or nothing while it is valid for long. */
export function CertWarning({ s, daysLeft }: { s: StaffStrings; daysLeft: number }) {
  const state = certState(daysLeft);
  if (state === 'valid') return null;
  return <strong class="cert-warning">{` ${state === 'expired' ? s.certExpired : s.certExpiresSoon(daysLeft)}`}</strong>;
}

/** What every panel of one roster in the admin console is given. */
export interface RosterPanelProps {
  t: Strings;
  s: StaffStrings;
  token: string;
  country: string;
  /** She is this roster's own admin (a platform admin only reads). */
  editable: boolean;
}

interface Rules {
  matters: string[];
  hearings: boolean;
  isDefault: boolean;
}
interface Expiring {
  id: string;
  externalId: string;
  firstName: string;
  expires: string;
  daysLeft: number;
}

/**
 * Certification in one roster: which matters (and whether hearings) need a valid certification in this country
 * (its roster admin edits them), and the certificates that have expired or end within 60 days.
 */
export function Certification({ t, s, token, country, editable }: RosterPanelProps) {
  const [rules, setRules] = useState<Rules | null>(null);
  const [expiring, setExpiring] = useState<Expiring[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    request<Rules>(`/api/v1/rosters/${country}/certification-rules`, { token }).then(setRules, () => setRules(null));
    request<Expiring[]>(`/api/v1/rosters/${country}/certificates/expiring`, { token }).then(setExpiring, () => setExpiring(null));
  }, [country]);
  if (!rules) return null;
  const toggle = (matter: string, on: boolean) => {
    setRules({ ...rules, matters: on ? [...rules.matters, matter] : rules.matters.filter((m) => m !== matter) });
    setSaved(false);
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setRules(
      await request<Rules>(`/api/v1/rosters/${country}/certification-rules`, {
        method: 'PUT',
        token,
        body: JSON.stringify({ matters: rules.matters, hearings: rules.hearings }),
      }),
    );
    setSaved(true);
  };
  return (
    <section class="panel" aria-labelledby="certification-title">
      <h2 id="certification-title">{s.certificationTitle}</h2>
      <form onSubmit={save}>
        <fieldset class="sharing" disabled={!editable}>
          <legend>{s.certificationRequired}</legend>
          {MATTERS.map((m) => (
            <label key={m}>
              <input
                type="checkbox"
                name="matter"
                value={m}
                checked={rules.matters.includes(m)}
                onChange={(e) => toggle(m, e.currentTarget.checked)}
              />
              {t.matterName[m]}
            </label>
          ))}
          <label>
            <input
              type="checkbox"
              name="hearings"
              checked={rules.hearings}
              onChange={(e) => {
                setRules({ ...rules, hearings: e.currentTarget.checked });
                setSaved(false);
              }}
            />
            {s.certificationHearings}
          </label>
        </fieldset>
        {editable && (
          <button type="submit" class="primary">
            {t.save}
          </button>
        )}
        {saved && <p role="status">{s.saved}</p>}
      </form>
      <h3>{s.certificatesToRenew}</h3>
      {expiring && expiring.length === 0 && <p>{s.noCertificatesToRenew}</p>}
      {expiring && expiring.length > 0 && (
        <ul class="expiring" data-list="expiring">
          {expiring.map((c) => (
            <li key={c.id} data-cert={certState(c.daysLeft)}>
              {`${c.externalId} ${c.firstName}: ${c.expires}`}
              <CertWarning s={s} daysLeft={c.daysLeft} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
