import type { StaffStrings } from '../i18n/staff';

/** A service of a country's directory, as `GET /api/v1/services` answers it (src/directory). */
export interface Service {
  id: string;
  name: string;
  kind: keyof StaffStrings['serviceKind'];
  area: string;
  phone: string;
  hours: string | null;
  languageIds: string[];
  minors: boolean;
}
