import type { Strings, UiLanguage } from '../i18n';
import { Pin, Question } from '../ui/icons';
import { CueButton, StepTitle } from './parts';
import { RegionMap } from './region-map';

/**
 * Step 3, which she may skip: the country where she is now (not where her language is spoken), so that her own
 * country's roster is tried first. "I don't know" sends no country.
 */
export function StepHere({
  t,
  lang,
  chosen,
  onPick,
}: {
  t: Strings;
  lang: UiLanguage;
  chosen: string | null | undefined;
  onPick: (country: string | null) => void;
}) {
  return (
    <section aria-labelledby="step3">
      <StepTitle id="step3" cue={<CueButton lang={lang} name="here" label={t.listen} />}>
        <Pin size={36} /> <span>{t.hereTitle}</span>
      </StepTitle>
      <RegionMap
        t={t}
        attr="data-here"
        chosen={chosen ?? null}
        onPick={onPick}
        extra={
          <button type="button" class="region all" data-here="unknown" aria-pressed={chosen === null} onClick={() => onPick(null)}>
            <Question size={32} />
            <span>{t.hereUnknown}</span>
          </button>
        }
      />
    </section>
  );
}
