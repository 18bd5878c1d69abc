import type { Strings, UiLanguage } from '../i18n';
import type { Matter } from '../lib/socket';
import { Chain, Question, Scale, StopHand } from '../ui/icons';
import { CueButton, StepTitle } from './parts';

// Her four choices of matter; "legal" asks for the civil specialty, and the ladder falls back to any legal interpreter.
const MATTERS = [
  { key: 'legal_civil', label: 'matter_legal', Icon: Scale },
  { key: 'violence', label: 'matter_violence', Icon: StopHand },
  { key: 'trafficking', label: 'matter_trafficking', Icon: Chain },
  { key: 'other', label: 'matter_other', Icon: Question },
] as const satisfies readonly { key: Matter; label: keyof Strings; Icon: unknown }[];

/** Step 2: what it is about, four big pictures. */
export function StepMatter({
  t,
  lang,
  chosen,
  onPick,
}: {
  t: Strings;
  lang: UiLanguage;
  chosen: Matter | null;
  onPick: (matter: Matter) => void;
}) {
  return (
    <section aria-labelledby="step2">
      <StepTitle id="step2" cue={<CueButton lang={lang} name="step2" label={t.listen} />}>
        <span>{t.step2}</span>
      </StepTitle>
      <div class="matters">
        {MATTERS.map(({ key, label, Icon }) => (
          <button type="button" key={key} class="matter big" data-matter={key} aria-pressed={chosen === key} onClick={() => onPick(key)}>
            <Icon size={56} />
            <span>{t[label]}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
