/** The eleven member states of the Regional Conference on Migration, by ISO 3166-1 alpha-2 code. */
export const RCM_COUNTRIES = {
  BZ: 'Belize',
  CA: 'Canada',
  CR: 'Costa Rica',
  DO: 'Dominican Republic',
  SV: 'El Salvador',
  GT: 'Guatemala',
  HN: 'Honduras',
  MX: 'Mexico',
  NI: 'Nicaragua',
  PA: 'Panama',
  US: 'United States',
} as const;

export type CountryCode = keyof typeof RCM_COUNTRIES;
export const COUNTRY_CODES = Object.keys(RCM_COUNTRIES) as CountryCode[];

export function isCountryCode(value: unknown): value is CountryCode {
  return typeof value === 'string' && value in RCM_COUNTRIES;
}
