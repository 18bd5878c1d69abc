import { useState } from 'preact/hooks';
import { pickUiLanguage, UI_LANGUAGES, type UiLanguage } from '../i18n';
import { Globe } from './icons';

const KEY = 'puente.ui';
/** Each language named in itself, so she recognises her own whatever the screen shows now. */
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

/** A globe that opens the three interface languages, each written in itself. */
export function UiLanguageSwitch({ lang, choose, label }: { lang: UiLanguage; choose: (l: UiLanguage) => void; label: string }) {
  const [open, setOpen] = useState(false);
  return (
    <nav class="ui-lang" aria-label={label}>
      <button
        type="button"
        class="globe"
        aria-expanded={open}
        aria-controls="ui-lang-menu"
        aria-label={label}
        onClick={() => setOpen(!open)}
      >
        <Globe size={28} />
        <span aria-hidden="true">{lang.toUpperCase()}</span>
      </button>
      {open && (
        <div id="ui-lang-menu" class="ui-lang-menu">
          {(Object.keys(LABELS) as UiLanguage[]).map((l) => (
            <button
              type="button"
              key={l}
              lang={l}
              aria-pressed={l === lang}
              onClick={() => {
                choose(l);
                setOpen(false);
              }}
            >
              {LABELS[l]}
            </button>
          ))}
        </div>
      )}
    </nav>
  );
}
