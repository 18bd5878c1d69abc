import { RCM_LANGUAGES, type CuratedLanguage } from './data/rcm-languages';
import { isoLanguage } from './iso-639-3';
import { searchTextOf } from './language-text';

/** A catalogue row as written to the database (the id and created_at come from PostgreSQL). */
export interface LanguageRow {
  iso6393: string;
  variant: string | null;
  name: string;
  autonym: string | null;
  countries: string[];
  isRelay: boolean;
  searchText: string;
}

/**
 * Builds a row, filling the name from ISO 639-3 when none is given and folding the ISO reference name into the
 * search text (so "Kekchi" still finds the row named "Q'eqchi'"). Throws on a code ISO 639-3 does not know.
 */
export function languageRow(l: Omit<CuratedLanguage, 'countries'> & { countries: readonly string[] }): LanguageRow {
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
    searchText: searchTextOf({ iso6393: l.iso6393, variant, name, autonym, otherNames: [iso.name, ...(l.otherNames ?? [])] }),
  };
}

/** The curated catalogue, as rows. */
export function curatedRows(data: readonly CuratedLanguage[] = RCM_LANGUAGES): LanguageRow[] {
  return data.map(languageRow);
}
