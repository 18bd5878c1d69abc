import { MATTERS, type Matter } from '../common/domain';

/** Defaults of issue 15: a minute after a legal call, three after violence or trafficking (and a minute after `other`). */
export const DEFAULT_WRAPUP_SECONDS = 'legal:60,violence:180,trafficking:180,other:60';
const MAX_SECONDS = 1800;
/** `legal` names the three legal matters at once. */
const GROUPS: Record<string, Matter[]> = { legal: ['legal_civil', 'legal_labour', 'legal_criminal'] };

export type WrapupSeconds = Record<Matter, number>;

/**
 * WRAPUP_SECONDS: `matter:seconds` pairs, comma-separated (a matter, or `legal` for the three legal ones), over the
 * defaults; or one number for every matter (0: no wrap-up). Returns the seconds per matter, or the problems found,
 * each naming the setting.
 */
export function parseWrapupSeconds(value: string): { seconds: WrapupSeconds } | { problems: string[] } {
  const seconds = {} as WrapupSeconds;
  const problems: string[] = [];
  const set = (key: string, raw: string) => {
    const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n <= MAX_SECONDS))
      return problems.push(`WRAPUP_SECONDS: "${key}" must have a whole number of seconds from 0 to ${MAX_SECONDS} (got "${raw}")`);
    const matters = GROUPS[key] ?? ((MATTERS as readonly string[]).includes(key) ? [key as Matter] : null);
    if (!matters) return problems.push(`WRAPUP_SECONDS: "${key}" is not a matter (one of legal, ${MATTERS.join(', ')})`);
    for (const m of matters) seconds[m] = n;
  };
  const text = value.trim();
  if (/^\d+$/.test(text)) for (const m of MATTERS) set(m, text);
  else {
    for (const pair of DEFAULT_WRAPUP_SECONDS.split(',')) set(...(pair.split(':') as [string, string]));
    for (const pair of text.split(',').map((p) => p.trim())) {
      const [key, raw, extra] = pair.split(':').map((p) => p.trim());
      if (!key || raw === undefined || extra !== undefined)
        problems.push(`WRAPUP_SECONDS must be matter:seconds pairs such as legal:60,violence:180 (got "${pair}")`);
      else set(key, raw);
    }
  }
  return problems.length ? { problems } : { seconds };
}
