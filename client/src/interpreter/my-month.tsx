import { useEffect, useState } from 'preact/hooks';
import type { StaffStrings } from '../i18n/staff';
import { request } from '../lib/api';

interface Month {
  month: string;
  calls: number;
  callMinutes: number;
  hearings: number;
  hearingMinutes: number;
}

/** Her month so far (UTC, as her roster admin's export counts it): calls and hearings, and their minutes. */
export function MyMonth({ token, s }: { token: string; s: StaffStrings }) {
  const [month, setMonth] = useState<Month | null>(null);
  useEffect(() => {
    const now = new Date().toISOString().slice(0, 7);
    request<Month>(`/api/v1/interpreters/me/hours?month=${now}`, { token }).then(setMonth, () => setMonth(null));
  }, [token]);
  if (!month) return null;
  return (
    <section class="my-month" aria-labelledby="my-month-title" data-month={month.month}>
      <h2 id="my-month-title">{s.myMonth}</h2>
      <dl>
        <dt>{s.monthCalls}</dt>
        <dd data-fact="calls">{s.countWithMinutes(month.calls, month.callMinutes)}</dd>
        <dt>{s.monthHearings}</dt>
        <dd data-fact="hearings">{s.countWithMinutes(month.hearings, month.hearingMinutes)}</dd>
      </dl>
    </section>
  );
}
