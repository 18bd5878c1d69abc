/** Pure text helpers of the catalogue: search normalisation and roster language keys. */

// Letters that carry no combining mark, so NFD leaves them whole; mapped to the plain letter people type.
const PLAIN_LETTERS: Record<string, string> = { ɨ: 'i', ø: 'o', ł: 'l', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ɛ: 'e', ɔ: 'o', ŋ: 'n' };
// Apostrophes and glottal-stop marks of Mayan and other orthographies: "K'iche'" is typed "kiche" just as often.
const GLOTTAL = /['’‘ʼʻ`´ꞌꞋʔ]/g;

/**
 * Lower-case, without diacritics, apostrophes or punctuation, words separated by one space: the form stored in
 * `search_text` and the form a query is turned into, so that "K'iche'", "kiche" and "KICHE" or "Ngäbere" and
 * "ngabere" meet.
 */
export function normalizeSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ɨøłđßæœɛɔŋ]/g, (c) => PLAIN_LETTERS[c])
    .replace(GLOTTAL, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a query (at most `max`, duplicates dropped); empty when nothing searchable is left. */
export function searchTokens(query: string, max = 8): string[] {
  const words = normalizeSearch(query).split(' ').filter(Boolean);
  return [...new Set(words)].slice(0, max);
}

export interface SearchableLanguage {
  iso6393: string;
  variant?: string | null;
  name: string;
  autonym?: string | null;
  /** Other names people search by (the ISO reference name, exonyms): searched, never shown. */
  otherNames?: readonly (string | null | undefined)[];
}

/** The `search_text` of a catalogue row, computed whenever a row is written. */
export function searchTextOf(l: SearchableLanguage): string {
  const parts = [l.iso6393, l.variant, l.name, l.autonym, ...(l.otherNames ?? [])].filter((p): p is string => !!p);
  const words = parts.flatMap((p) => normalizeSearch(p).split(' ')).filter(Boolean);
  return [...new Set(words)].join(' ');
}

export const VARIANT_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
export const VARIANT_MAX = 60;

export interface LanguageKey {
  iso6393: string;
  variant: string | null;
}

/**
 * Parses a roster language key, `iso6393` or `iso6393/variant`, case-insensitively. Returns null when the key
 * cannot name a catalogue row at all (wrong shape); whether the code or variant exists is for the catalogue.
 */
export function parseLanguageKey(key: string): LanguageKey | null {
  if (typeof key !== 'string') return null;
  const parts = key.trim().toLowerCase().split('/');
  if (parts.length > 2) return null;
  const [iso6393, variant = null] = parts.map((p) => p.trim());
  if (!/^[a-z]{3}$/.test(iso6393)) return null;
  if (variant !== null && (variant.length > VARIANT_MAX || !VARIANT_SLUG.test(variant))) return null;
  return { iso6393, variant };
}
