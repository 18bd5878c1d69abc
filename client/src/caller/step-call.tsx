import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { RETURN_CODE_DIGITS } from '../../../src/realtime/realtime.contract';
import type { Strings, UiLanguage } from '../i18n';
import { Child, ComeBack, NotHere, Phone, Siren, Woman } from '../ui/icons';
import { CueButton, StepTitle } from './parts';
import { CodeEntry } from './return-code';

export interface Options {
  minor: boolean;
  preferFemale: boolean;
  /** An interpreter from outside her country (API.md `notFromCountry`). */
  notFromCountry: boolean;
  emergency: boolean;
}

/** A switch that looks like one: the picture, the words, and an on/off track. */
function Switch({
  name,
  on,
  label,
  Icon,
  onFlip,
}: {
  name: string;
  on: boolean;
  label: string;
  Icon: (p: { size?: number }) => JSX.Element;
  onFlip: () => void;
}) {
  return (
    <button type="button" class="toggle" role="switch" data-toggle={name} aria-checked={on} onClick={onFlip}>
      <Icon size={44} />
      <span class="toggle-label">{label}</span>
      <span class="track" aria-hidden="true">
        <span class="knob" />
      </span>
    </button>
  );
}

/** Step 4: her language as she chose it, the optional switches, her return code if she has one, and the call button. */
export function StepCall(props: {
  t: Strings;
  lang: UiLanguage;
  title: string;
  options: Options;
  onOptions: (o: Options) => void;
  onCall: () => void;
  disabled: boolean;
  /** Her return code as typed so far ('' for none). */
  code: string;
  onCode: (code: string) => void;
}) {
  const { t, lang, title, options, onOptions, onCall, disabled, code, onCode } = props;
  const flip = (key: keyof Options) => () => onOptions({ ...options, [key]: !options[key] });
  const [entering, setEntering] = useState(code !== '');
  // Half a code calls nobody: all its digits, or none.
  const halfCode = code.length > 0 && code.length < RETURN_CODE_DIGITS;
  return (
    <section aria-labelledby="step4">
      <StepTitle id="step4" cue={<CueButton lang={lang} name="step3" label={t.listen} />}>
        <span class="chosen">{title}</span>
      </StepTitle>
      <div class="toggles">
        <Switch name="minor" on={options.minor} label={t.minor} Icon={Child} onFlip={flip('minor')} />
        <Switch name="female" on={options.preferFemale} label={t.preferFemale} Icon={Woman} onFlip={flip('preferFemale')} />
        <Switch
          name="not-from-country"
          on={options.notFromCountry}
          label={t.notFromCountry}
          Icon={NotHere}
          onFlip={flip('notFromCountry')}
        />
        <Switch name="emergency" on={options.emergency} label={t.emergency} Icon={Siren} onFlip={flip('emergency')} />
        <Switch
          name="return-code"
          on={entering}
          label={t.haveReturnCode}
          Icon={ComeBack}
          onFlip={() => {
            if (entering) onCode('');
            setEntering(!entering);
          }}
        />
      </div>
      {entering && <CodeEntry t={t} value={code} onChange={onCode} />}
      <button type="button" class="call-button" onClick={onCall} disabled={disabled || halfCode}>
        <Phone size={72} />
        <span>{t.call}</span>
      </button>
    </section>
  );
}
