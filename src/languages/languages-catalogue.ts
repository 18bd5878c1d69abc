import { RCM_LANGUAGES, type CuratedLanguage } from './data/rcm-languages';
import { isoLanguage, livingLanguages } from './iso-639-3';
import { searchTextOf } from './language-text';

/** A catalogue row as written to the database (the id and created_at come from PostgreSQL). */
export interface LanguageRow {
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  countries: string[];
  isRelay: boolean;
  /** Part of Puente's own catalogue (the curated file, or an administrator's variant), not a bare ISO 639-3 entry. */
  curated: boolean;
  searchText: string;
}

/**
 * Builds a row, filling the name from ISO 639-3 when none is given and folding the ISO reference name and the
 * ISO 639-1/639-2 codes into the search text (so "Kekchi" still finds the row named "Q'eqchi'", and "ger" or
 * "de" German). Throws on a code ISO 639-3 does not know.
 */
export function languageRow(l: Omit<CuratedLanguage, 'countries'> & { countries: readonly string[]; curated: boolean }): LanguageRow {
  const iso = isoLanguage(l.iso6393);
  if (!iso) throw new Error(`${l.iso6393} is not an ISO 639-3 language code`);
  const name = l.name ?? iso.name;
  const variant = l.variant ?? null;
  const autonym = l.autonym ?? null;
  return {
    iso6393: l.iso6393,
    variant,
    name,
    autonym,
    countries: [...l.countries],
    isRelay: l.isRelay ?? false,
    curated: l.curated,
    searchText: searchTextOf({
      iso6393: l.iso6393,
      variant,
      name,
      autonym,
      otherNames: [iso.name, iso.iso6391, iso.iso6392B, iso.iso6392T, ...(l.otherNames ?? [])],
    }),
  };
}

/** A bare ISO 639-3 entry as a row: reference name, no autonym, no countries, not curated. */
export function isoRow(iso6393: string): LanguageRow {
  return languageRow({ iso6393, autonym: null, countries: [], curated: false });
}

/** The curated catalogue, as rows. */
export function curatedRows(data: readonly CuratedLanguage[] = RCM_LANGUAGES): LanguageRow[] {
  return data.map((l) => languageRow({ ...l, curated: true }));
}

/** The living languages of ISO 639-3 whose code is not in `present`, as rows. */
export function livingIsoRows(present: ReadonlySet<string>): LanguageRow[] {
  return livingLanguages()
    .filter((l) => !present.has(l.iso6393))
    .map((l) => isoRow(l.iso6393));
}
