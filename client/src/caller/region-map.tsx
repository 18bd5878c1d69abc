import type { Strings } from '../i18n';

/**
 * The member states laid out roughly as they sit on the map, north to south (no flags, no reading needed to
 * find "down there, on the left"): grid areas of .region-map in styles.css.
 */
export const REGION = ['CA', 'US', 'MX', 'DO', 'BZ', 'GT', 'HN', 'SV', 'NI', 'CR', 'PA'] as const;

/**
 * The map of the member states as big buttons, each with its two-letter code in a circle (the code she sees on
 * papers and plates). `count` adds how many languages each has and disables an empty one; `extra` is the wide
 * last button ("all languages", "I don't know").
 */
export function RegionMap(props: {
  t: Strings;
  attr: 'data-country' | 'data-here';
  chosen?: string | null;
  count?: (code: string) => number;
  onPick: (code: string) => void;
  extra: preact.ComponentChildren;
}) {
  const { t, attr, chosen, count, onPick, extra } = props;
  return (
    <ul class={attr === 'data-here' ? 'region-map here' : 'region-map'}>
      {REGION.map((code) => (
        <li key={code} style={{ gridArea: code }}>
          <button
            type="button"
            class="region"
            {...{ [attr]: code }}
            aria-pressed={chosen === undefined ? undefined : chosen === code}
            onClick={() => onPick(code)}
            disabled={count ? !count(code) : false}
          >
            <span class="region-top" aria-hidden="true">
              <span class="code">{code}</span>
              {count && <span class="count">{count(code)}</span>}
            </span>
            <span class="region-name">{t.countries[code] ?? code}</span>
          </button>
        </li>
      ))}
      <li style={{ gridArea: 'ALL' }}>{extra}</li>
    </ul>
  );
}
