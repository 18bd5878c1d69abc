import { en } from './en';
import { es, type Strings } from './es';
import { fr } from './fr';

export type { Strings };
export const UI_LANGUAGES = { es, en, fr } as const;
export type UiLanguage = keyof typeof UI_LANGUAGES;

/** The phone's own preference, first match among es/en/fr; Spanish otherwise (the region's common language). */
export function pickUiLanguage(preferred: readonly string[] = navigator.languages ?? [navigator.language]): UiLanguage {
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (base in UI_LANGUAGES) return base as UiLanguage;
  }
  return 'es';
}
