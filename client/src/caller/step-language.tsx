import { useEffect, useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import { api, type Language } from '../lib/api';
import { playCue, playInTurn } from '../lib/sounds';
import { inOrder, spokenNames } from '../lib/spoken-names';
import { Ear, Pin, Play, Speech } from '../ui/icons';
import { CueButton, StepTitle } from './parts';
import { RegionMap } from './region-map';

/** Languages of her place load when the page opens; the spoken names and greetings are extras that may be missing. */
export function useCatalogue() {
  const [languages, setLanguages] = useState<Language[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [greetings, setGreetings] = useState<Set<string>>(new Set());
  const [named, setNamed] = useState<Set<string>>(new Set());
  const load = () => {
    setFailed(false);
    api.languages().then(setLanguages, () => setFailed(true));
    api.greetings().then(
      (gs) => setGreetings(new Set(gs.map((g) => g.languageId))),
      () => undefined,
    );
    void spokenNames.published().then(setNamed);
  };
  useEffect(load, []);
  return { languages, failed, greetings, named, load };
}

export type Catalogue = ReturnType<typeof useCatalogue>;

/** Her place's languages in the order the server gives (most requested there first), fetched once per place. */
function useOrder(region: string | null) {
  const [orders, setOrders] = useState<Record<string, string[] | null>>({});
  useEffect(() => {
    if (!region || region === 'all' || region in orders) return;
    void spokenNames.order(region).then((o) => setOrders((all) => ({ ...all, [region]: o })));
  }, [region]);
  return region ? orders[region] : null;
}

/** The longest word of a name, in characters: the tile's font shrinks so that word fits on one line (styles.css). */
const longestWord = (...texts: (string | null)[]) => Math.max(...texts.flatMap((s) => (s ?? '').split(/\s+/)).map((w) => w.length));
/** Past this many characters a word would be too small in half the width: its tile takes the whole row. */
const WIDE = 14;

/** A name whose hyphenated words ("Zacatlán-Ahuacatlán-Tepetzintla") never break at their hyphens either. */
function Words({ text }: { text: string }) {
  return (
    <>
      {text.split(/(\s+)/).map((w, i) =>
        w.includes('-') ? (
          <span key={i} class="nobr">
            {w}
          </span>
        ) : (
          w
        ),
      )}
    </>
  );
}

interface Props {
  t: Strings;
  lang: UiLanguage;
  catalogue: Catalogue;
  region: string | null;
  chosen: Language | null;
  onRegion: (code: string) => void;
  onLanguage: (l: Language) => void;
  onGreeting: (l: Language) => void;
}

/** Step 1: where her language is spoken (a map), then her language (by its own name, and by ear). */
export function StepLanguage({ t, lang, catalogue, region, chosen, onRegion, onLanguage, onGreeting }: Props) {
  const { languages, failed, greetings, named, load } = catalogue;
  const order = useOrder(region);
  const [speaking, setSpeaking] = useState<string | null>(null);
  const perRegion = (code: string) => languages?.filter((l) => l.countries.includes(code)).length ?? 0;
  const shown =
    languages && region ? inOrder(region === 'all' ? languages : languages.filter((l) => l.countries.includes(region)), order) : [];
  const label = (l: Language) => l.autonym ?? l.name;

  /** The step's ear on the list: the step's cue, then each language's own name in turn, its tile lit meanwhile. */
  const readNames = () => {
    const sounds = shown
      .filter((l) => named.has(l.id))
      .map((l) => () => {
        setSpeaking(l.id);
        document.querySelector(`[data-tile="${l.id}"]`)?.scrollIntoView({ block: 'nearest' });
        return spokenNames.play(l.id);
      });
    void playInTurn([() => playCue(lang, 'languages'), ...sounds], () => setSpeaking(null));
  };

  return (
    <section aria-labelledby="step1">
      <StepTitle
        id="step1"
        cue={
          region ? (
            <CueButton lang={lang} name="languages" label={t.listen} onListen={readNames} />
          ) : (
            <CueButton lang={lang} name="step1" label={t.listen} />
          )
        }
      >
        <Speech size={36} /> <span>{t.step1}</span>
      </StepTitle>
      {failed ? (
        <p role="alert">
          {t.languagesFailed}{' '}
          <button type="button" onClick={load}>
            {t.retry}
          </button>
        </p>
      ) : !languages ? (
        <p aria-live="polite">{t.loadingLanguages}</p>
      ) : !region ? (
        <nav aria-labelledby="region-title">
          <h2 id="region-title" class="sub">
            <Pin size={28} /> <span>{t.chooseRegion}</span>
          </h2>
          <RegionMap
            t={t}
            attr="data-country"
            count={perRegion}
            onPick={onRegion}
            extra={
              <button type="button" class="region all" data-country="all" onClick={() => onRegion('all')}>
                <Speech size={24} />
                <span>{t.allLanguages}</span>
              </button>
            }
          />
        </nav>
      ) : (
        <>
          {region !== 'all' && <h2 class="sub">{t.languagesIn(t.countries[region] ?? region)}</h2>}
          <ul class="languages">
            {shown.map((l) => (
              <li
                key={l.id}
                class={`tile${speaking === l.id ? ' speaking' : ''}${longestWord(label(l), l.name, l.variant) > WIDE ? ' wide' : ''}`}
                data-tile={l.id}
              >
                <button
                  type="button"
                  class="language"
                  data-iso={l.iso6393}
                  data-variant={l.variant ?? ''}
                  aria-pressed={chosen?.id === l.id}
                  style={{ '--word': longestWord(label(l), l.name, l.variant) }}
                  onClick={() => onLanguage(l)}
                >
                  <Speech size={32} />
                  <span class="autonym">
                    <Words text={label(l)} />
                  </span>
                  {l.autonym && l.autonym !== l.name ? (
                    <span class="name">
                      <Words text={l.name} />
                    </span>
                  ) : null}
                  {l.variant ? (
                    <span class="name">
                      <Words text={l.variant} />
                    </span>
                  ) : null}
                </button>
                {(named.has(l.id) || greetings.has(l.id)) && (
                  <div class="tile-sounds">
                    {named.has(l.id) && (
                      <button
                        type="button"
                        class="spoken-name"
                        data-spoken-name={l.id}
                        aria-label={t.playName(label(l))}
                        onClick={() => void spokenNames.play(l.id)}
                      >
                        <Ear size={26} />
                      </button>
                    )}
                    {greetings.has(l.id) && (
                      <button
                        type="button"
                        class="greeting"
                        data-greeting={l.id}
                        aria-label={t.playGreeting(label(l))}
                        onClick={() => onGreeting(l)}
                      >
                        <Play size={24} />
                      </button>
                    )}
                  </div>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
