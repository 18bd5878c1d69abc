import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { request, serverMessages, type Country } from '../lib/api';
import { OUTCOMES, type Outcome } from '../../../src/stats/stats-outcomes';

/** One row of GET /api/v1/stats: a month and a language, country or matter; null where a cell is suppressed. */
export interface StatsRow {
  month: string;
  key: string;
  label: string;
  requests: number | null;
  answered: number | null;
  answeredWithin1m: number | null;
  answeredWithin5m: number | null;
  unmet: number | null;
  notFromCountry: number | null;
  medianWaitSeconds: number | null;
  p90WaitSeconds: number | null;
  sessions: number | null;
  medianSessionSeconds: number | null;
  p90SessionSeconds: number | null;
  /** What was said of the calls after them, by OUTCOMES key (counts, suppressed alike). */
  afterCall: Record<string, number | null>;
  suppressed: string[];
}

/** One row of GET /api/v1/stats `hearings`: bookings by month and key, suppressed alike. */
export interface HearingsRow {
  month: string;
  key: string;
  label: string;
  bookings: number | null;
  confirmed: number | null;
  unfilled: number | null;
  relay: number | null;
  relaySharePercent: number | null;
  interpreterMinutes: number | null;
  suppressed: string[];
}

export interface Stats {
  groupBy: string;
  rows: StatsRow[];
  hearings: HearingsRow[];
  unmetByLanguage: { languageId: string; name: string; unmet: number | null }[];
  minCell: number;
}

const COUNTS = ['requests', 'answered', 'answeredWithin1m', 'answeredWithin5m', 'unmet', 'notFromCountry'] as const;
const TIMES = ['medianWaitSeconds', 'p90WaitSeconds'] as const;
const CALLS = ['sessions', 'medianSessionSeconds', 'p90SessionSeconds'] as const;
const COLUMNS = [...COUNTS, ...TIMES, ...CALLS];
const HEARING_COUNTS = ['bookings', 'confirmed', 'unfilled', 'relay'] as const;
const HEARING_COLUMNS = [...HEARING_COUNTS, 'relaySharePercent', 'interpreterMinutes'] as const;
const isCount = (c: string) =>
  c === 'sessions' ||
  (COUNTS as readonly string[]).includes(c) ||
  (HEARING_COUNTS as readonly string[]).includes(c) ||
  OUTCOMES.some((o) => o.key === c);

/** A row of the after-call table: its counts by OUTCOMES key, beside the row's own key and month. */
type AfterCallRow = Record<string, number | string | null> & { key: string; month: string };

/** An after-call count's heading, in the words the interpreter's wrap-up and her page use for it. */
function outcomeHeading(s: StaffStrings, o: Outcome): string {
  if (o.kind === 'feedback') return s.afterCallCol.feedback[o.value];
  if (o.kind === 'referred') return s.afterCallCol.referred(s.referral[o.value]);
  if (o.kind === 'sign') return s.sign[o.value];
  return s.afterCallCol.another;
}

const month = (d: Date) => d.toISOString().slice(0, 7);
function defaultRange() {
  const now = new Date();
  return { from: month(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1))), to: month(now) };
}
/** A whole-range row's `month` is `from/to`: shown as a range. */
const periodText = (m: string) => m.replace('/', ' – ');

/** A figure as shown: suppressed counts as "<5", suppressed medians as "—" (the note above the tables says why). */
function cellText(v: number | null, c: string, minCell: number) {
  if (v !== null) return String(v);
  return isCount(c) ? `<${minCell}` : '—';
}

/** The figures of each row, under their column names; `head` names what a row is (its first cells). */
function FiguresTable<R extends { key: string; month: string }>({
  kind,
  label,
  caption,
  head,
  columns,
  rows,
  minCell,
}: {
  /** Which figures: the women's requests, what was said after their calls, or hearings. */
  kind: 'requests' | 'afterCall' | 'hearings';
  label: string;
  caption: string;
  head: string[];
  /** Each column: its name in the row, and its heading. */
  columns: [keyof R & string, string][];
  rows: { id: string; names: string[]; r: R }[];
  minCell: number;
}) {
  // Wider than a phone: the region scrolls, and can be reached and scrolled from the keyboard.
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      <table class="stats-table" data-table={kind}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
            {columns.map(([c, heading]) => (
              <th scope="col" class="num" key={c}>
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ id, names, r }) => (
            <tr key={id} data-key={r.key} data-month={r.month}>
              {names.map((n, i) =>
                i === names.length - 1 ? (
                  <th scope="row" key={i}>
                    {n}
                  </th>
                ) : (
                  <td key={i} class="period">
                    {n}
                  </td>
                ),
              )}
              {columns.map(([c]) => (
                <td class="num" key={c} data-col={c}>
                  {cellText(r[c] as number | null, c, minCell)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A labelled select of the filters, its options a map of value to label. */
function Choice({
  id,
  name,
  label,
  value,
  options,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  value: string;
  options: Record<string, string>;
  onChange: (v: string) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} name={name} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        {Object.entries(options).map(([k, text]) => (
          <option key={k} value={k}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Whole-range totals of an area (her country, the chosen scope, the whole region): what a pilot's few requests can fill. */
interface Summary {
  area: string;
  label: string;
  row: StatsRow;
}

/** The summary, one column per area and one line per figure: it reads on a phone without scrolling sideways. */
function SummaryTable({ s, areas, minCell }: { s: StaffStrings; areas: Summary[]; minCell: number }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="summary-title" data-summary>
      <table class="stats-summary">
        <thead>
          <tr>
            <th scope="col">{s.summaryArea}</th>
            {areas.map((a) => (
              <th scope="col" class="num" key={a.area}>
                {a.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {COLUMNS.map((c) => (
            <tr key={c}>
              <th scope="row">{s.col[c]}</th>
              {areas.map((a) => (
                <td class="num" key={a.area} data-area={a.area} data-col={c}>
                  {cellText(a.row[c], c, minCell)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The member states' figures. First a summary over the whole range with everything together (and, for a
 * platform admin looking at one country, the whole region beside it), then a table per month or per range and
 * language, country or matter, and two charts drawn as inline SVG: the wait before an answer (median and 90th
 * percentile) and the demand nobody could meet, by language. Cells under the minimum are "<5", and a visible
 * note says what that means. A roster admin sees her country; a platform admin any country or all of them.
 */
export function Statistics({
  t,
  s,
  token,
  country,
  countries,
  anyCountry,
}: {
  t: Strings;
  s: StaffStrings;
  token: string;
  country: string;
  countries: Country[];
  anyCountry: boolean;
}) {
  const [range, setRange] = useState(defaultRange);
  const [groupBy, setGroupBy] = useState('language');
  const [period, setPeriod] = useState('month');
  const [scope, setScope] = useState(country);
  const [stats, setStats] = useState<(Stats & { period: string; range: { from: string; to: string } }) | null>(null);
  const [summary, setSummary] = useState<{ area: string; label: string; row: StatsRow | null }[]>([]);
  const [available, setAvailable] = useState(false);
  const [failed, setFailed] = useState<string | null>(null);
  const [chartMonth, setChartMonth] = useState<string | null>(null);

  const areaName = (code: string) => (code ? (t.countries[code] ?? code) : s.wholeRegion);
  const load = (e?: Event) => {
    e?.preventDefault();
    const ask = (o: Record<string, string>, area: string | null) => {
      const q = new URLSearchParams({ from: range.from, to: range.to, ...o });
      if (area) q.set('country', area);
      return request<Stats>(`/api/v1/stats?${q}`, { token });
    };
    const areas = [...new Set([scope, ...(anyCountry ? [''] : [])])];
    Promise.all([ask({ groupBy, period }, scope), ...areas.map((a) => ask({ groupBy: 'total', period: 'whole' }, a))]).then(
      ([detail, ...totals]) => {
        setStats({ ...detail, period, range: { ...range } });
        setSummary(areas.map((a, i) => ({ area: a || 'all', label: areaName(a), row: totals[i].rows[0] ?? null })));
        setAvailable(true);
        setFailed(null);
        setChartMonth(null);
      },
      (err) => setFailed(serverMessages(err).messages.join(' ') || s.actionFailed),
    );
  };
  useEffect(load, [country]);
  // Hidden until the server answers (a deployment without statistics shows nothing).
  if (!available) return null;

  // Named as the rows were asked for, not as the filter reads before "show" is pressed again.
  const shownBy = stats!.groupBy;
  const keyLabel = (r: { key: string; label: string }) =>
    shownBy === 'total'
      ? s.totalKey
      : shownBy === 'matter'
        ? (t.matterName[r.key] ?? r.key)
        : shownBy === 'country'
          ? (t.countries[r.key] ?? r.key)
          : r.label;
  const months = [...new Set(stats!.rows.map((r) => r.month))].sort();
  const shown = chartMonth ?? months[months.length - 1] ?? null;
  const filled = summary.filter((a): a is Summary => a.row !== null);

  return (
    <section class="panel stats" aria-labelledby="stats-title" data-section="stats">
      <h2 id="stats-title">{t.statsTitle}</h2>
      <form class="stats-filters" onSubmit={load}>
        <div class="field">
          <label for="stats-from">{s.statsFrom}</label>
          <input
            id="stats-from"
            name="from"
            type="month"
            required
            value={range.from}
            onInput={(e) => setRange({ ...range, from: e.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="stats-to">{s.statsTo}</label>
          <input
            id="stats-to"
            name="to"
            type="month"
            required
            value={range.to}
            onInput={(e) => setRange({ ...range, to: e.currentTarget.value })}
          />
        </div>
        <Choice id="stats-group" name="groupBy" label={s.groupBy} value={groupBy} options={s.group} onChange={setGroupBy} />
        <Choice id="stats-period" name="period" label={s.period} value={period} options={s.periods} onChange={setPeriod} />
        {anyCountry && (
          <div class="field">
            <label for="stats-scope">{s.statsScope}</label>
            <select id="stats-scope" name="scope" value={scope} onChange={(e) => setScope(e.currentTarget.value)}>
              <option value="">{s.allCountries}</option>
              {countries.map((c) => (
                <option key={c.code} value={c.code}>
                  {t.countries[c.code] ?? c.name}
                </option>
              ))}
            </select>
          </div>
        )}
        <button type="submit" class="primary">
          {s.show}
        </button>
      </form>
      {failed && <p role="alert">{failed}</p>}
      <p class="suppression-note" data-note="suppression">
        {s.suppressionExplain}
      </p>
      {filled.length === 0 ? (
        <p role="status">{s.noStats}</p>
      ) : (
        <>
          <h3 class="sub" id="summary-title">
            {s.summaryTitle}
          </h3>
          <p>{s.summaryExplain(stats!.range.from, stats!.range.to)}</p>
          <SummaryTable s={s} areas={filled} minCell={stats!.minCell} />
          {stats!.rows.length > 0 && (
            <>
              {months.length > 1 && (
                <div class="field chart-month">
                  <label for="chart-month">{s.chartMonth}</label>
                  <select id="chart-month" value={shown ?? ''} onChange={(e) => setChartMonth(e.currentTarget.value)}>
                    {months.map((m) => (
                      <option key={m} value={m}>
                        {periodText(m)}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <WaitChart s={s} month={periodText(shown!)} rows={stats!.rows.filter((r) => r.month === shown)} label={keyLabel} />
              <UnmetChart s={s} rows={stats!.unmetByLanguage} minCell={stats!.minCell} />
              <FiguresTable
                kind="requests"
                label={t.statsTitle}
                caption={s.suppressedNote}
                head={[stats!.period === 'whole' ? s.col.period : s.col.month, s.group[shownBy]]}
                columns={COLUMNS.map((c) => [c, s.col[c]])}
                rows={stats!.rows.map((r) => ({ id: `${r.month}-${r.key}`, names: [periodText(r.month), keyLabel(r)], r }))}
                minCell={stats!.minCell}
              />
              <h3 class="sub" id="after-call-stats-title">
                {s.afterCallTitle}
              </h3>
              <p>{s.afterCallExplain}</p>
              <FiguresTable
                kind="afterCall"
                label={s.afterCallTitle}
                caption={s.suppressedNote}
                head={[stats!.period === 'whole' ? s.col.period : s.col.month, s.group[shownBy]]}
                columns={OUTCOMES.map((o) => [o.key, outcomeHeading(s, o)])}
                rows={stats!.rows.map((r) => ({
                  id: `a-${r.month}-${r.key}`,
                  names: [periodText(r.month), keyLabel(r)],
                  r: { ...r.afterCall, key: r.key, month: r.month } as AfterCallRow,
                }))}
                minCell={stats!.minCell}
              />
            </>
          )}
        </>
      )}
      {stats!.hearings.length > 0 && (
        <>
          <h3 class="sub" id="hearings-stats-title">
            {s.hearingsStatsTitle}
          </h3>
          <FiguresTable
            kind="hearings"
            label={s.hearingsStatsTitle}
            caption={s.suppressedNote}
            head={[stats!.period === 'whole' ? s.col.period : s.col.month, s.group[shownBy]]}
            columns={HEARING_COLUMNS.map((c) => [c, s.hearingCol[c]])}
            rows={stats!.hearings.map((r) => ({ id: `h-${r.month}-${r.key}`, names: [periodText(r.month), keyLabel(r)], r }))}
            minCell={stats!.minCell}
          />
        </>
      )}
    </section>
  );
}

// Drawn for a phone first: each group's name on its own line, its bars below at full width, the value after each bar.
const WIDTH = 340;
const VALUE = 56;
const BAR_AREA = WIDTH - VALUE;
const LABEL_H = 16;
const BAR_H = 14;
const GAP = 4;

/** Horizontal bars in an SVG that scales to the page; every value is also written as text beside its bar. */
function BarChart({
  id,
  title,
  legend,
  groups,
}: {
  id: string;
  title: ComponentChildren;
  legend: { cls: string; label: string }[];
  groups: { label: string; bars: { cls: string; value: number | null; text: string; title: string }[] }[];
}) {
  const groupH = LABEL_H + (groups[0]?.bars.length ?? 1) * (BAR_H + GAP) + 8;
  const height = groups.length * groupH;
  const max = Math.max(1, ...groups.flatMap((g) => g.bars.map((b) => b.value ?? 0)));
  return (
    <figure class="chart" data-chart={id}>
      <figcaption id={`${id}-title`}>{title}</figcaption>
      <div class="legend" aria-hidden="true">
        {legend.map((l) => (
          <span key={l.cls}>
            <svg class="swatch" viewBox="0 0 10 10">
              <rect class={l.cls} width="10" height="10" />
            </svg>
            {l.label}
          </span>
        ))}
      </div>
      <svg class="stats-chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby={`${id}-title`}>
        {groups.map((g, i) => {
          const y0 = i * groupH;
          return (
            <g key={g.label} data-group={g.label}>
              <text x={0} y={y0 + LABEL_H - 4}>
                {g.label}
              </text>
              {g.bars.map((b, j) => {
                const y = y0 + LABEL_H + j * (BAR_H + GAP);
                const w = b.value === null ? 0 : Math.max(2, (b.value / max) * (BAR_AREA - 6));
                return (
                  <g key={b.cls}>
                    <rect class={b.cls} x={0} y={y} width={w} height={BAR_H} data-value={b.value ?? ''}>
                      <title>{`${g.label}, ${b.title}`}</title>
                    </rect>
                    <text x={w + 4} y={y + BAR_H - 3}>
                      {b.text}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function WaitChart({ s, month, rows, label }: { s: StaffStrings; month: string; rows: StatsRow[]; label: (r: StatsRow) => string }) {
  const bar = (cls: string, name: string, v: number | null) => ({
    cls,
    value: v,
    text: v === null ? '—' : `${v} s`,
    title: `${name}: ${v === null ? '—' : `${v} s`}`,
  });
  return (
    <BarChart
      id="wait"
      title={
        <>
          {s.waitChart}: <span class="nowrap">{month}</span>
        </>
      }
      legend={[
        { cls: 'bar-median', label: s.median },
        { cls: 'bar-p90', label: s.p90 },
      ]}
      groups={rows.map((r) => ({
        label: label(r),
        bars: [bar('bar-median', s.median, r.medianWaitSeconds), bar('bar-p90', s.p90, r.p90WaitSeconds)],
      }))}
    />
  );
}

function UnmetChart({ s, rows, minCell }: { s: StaffStrings; rows: Stats['unmetByLanguage']; minCell: number }) {
  if (!rows.length) return null;
  const text = (n: number | null) => (n === null ? `<${minCell}` : String(n));
  return (
    <BarChart
      id="unmet"
      title={s.unmetChart}
      legend={[{ cls: 'bar-unmet', label: s.col.unmet }]}
      groups={rows.map((r) => ({
        label: r.name,
        bars: [{ cls: 'bar-unmet', value: r.unmet, text: text(r.unmet), title: `${s.col.unmet}: ${text(r.unmet)}` }],
      }))}
    />
  );
}
