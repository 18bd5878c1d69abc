import type { UiLanguage } from '..';
import { staffEn } from './en';
import { staffEs, type StaffStrings } from './es';
import { staffFr } from './fr';

export type { StaffStrings };
export const STAFF_STRINGS: Record<UiLanguage, StaffStrings> = { es: staffEs, en: staffEn, fr: staffFr };
