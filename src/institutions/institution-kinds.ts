import type { CountryCode } from '../common/countries';

export const INSTITUTION_KINDS = ['court', 'prosecutor', 'consulate', 'shelter', 'migration', 'police', 'health', 'other'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];

/** What officials speak where nothing else is said (DESIGN.md, "Target language"): an institution may choose otherwise. */
export const COUNTRY_MAIN_LANGUAGE: Record<CountryCode, string> = {
  BZ: 'eng',
  CA: 'eng',
  CR: 'spa',
  DO: 'spa',
  SV: 'spa',
  GT: 'spa',
  HN: 'spa',
  MX: 'spa',
  NI: 'spa',
  PA: 'spa',
  US: 'eng',
};
