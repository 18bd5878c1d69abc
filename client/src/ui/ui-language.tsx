import { useState } from 'preact/hooks';
import { pickUiLanguage, UI_LANGUAGES, type UiLanguage } from '../i18n';

const KEY = 'puente.ui';
const LABELS: Record<UiLanguage, string> = { es: 'Español', en: 'English', fr: 'Français' };

/** The interface language: the phone's setting, or the one she tapped (remembered until quick exit wipes it). */
export function useUiLanguage() {
  const [lang, setLang] = useState<UiLanguage>(() => {
    let saved: string | null = null;
    try {
      saved = localStorage.getItem(KEY);
    } catch {
      /* storage disabled */
    }
    return saved && saved in UI_LANGUAGES ? (saved as UiLanguage) : pickUiLanguage();
  });
  const choose = (l: UiLanguage) => {
    setLang(l);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(KEY, l);
    } catch {
      /* storage disabled */
    }
  };
  document.documentElement.lang = lang;
  return { lang, t: UI_LANGUAGES[lang], choose };
}

export function UiLanguageSwitch({ lang, choose, label }: { lang: UiLanguage; choose: (l: UiLanguage) => void; label: string }) {
  return (
    <nav class="ui-lang" aria-label={label}>
      {(Object.keys(LABELS) as UiLanguage[]).map((l) => (
        <button type="button" key={l} lang={l} aria-label={LABELS[l]} aria-pressed={l === lang} onClick={() => choose(l)}>
          {l.toUpperCase()}
        </button>
      ))}
    </nav>
  );
}
