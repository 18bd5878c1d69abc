import type { ComponentChildren } from 'preact';
import type { UiLanguage } from '../i18n';
import { playCue, type CueName } from '../lib/sounds';
import { Ear } from '../ui/icons';

/** The ear button: speaks the step (or, with `onListen`, whatever the step reads out). */
export function CueButton({ lang, name, label, onListen }: { lang: UiLanguage; name: CueName; label: string; onListen?: () => void }) {
  return (
    <button type="button" class="cue" data-cue={name} aria-label={label} onClick={onListen ?? (() => void playCue(lang, name))}>
      <Ear size={32} />
    </button>
  );
}

/** A step's title: focused when the step opens (tabIndex -1), so a screen reader starts there too. */
export function StepTitle({ id, children, cue }: { id: string; children: ComponentChildren; cue: ComponentChildren }) {
  return (
    <h1 id={id} tabIndex={-1}>
      {children}
      {cue}
    </h1>
  );
}

/** The step dots: where she is among the four steps (a picture; the steps' titles say the same in words). */
export function StepDots({ step }: { step: number }) {
  return (
    <ol class="steps" aria-hidden="true">
      {[1, 2, 3, 4].map((n) => (
        <li key={n} class={n === step ? 'current' : n < step ? 'done' : ''}>
          {n}
        </li>
      ))}
    </ol>
  );
}
