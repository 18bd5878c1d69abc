import { RETURN_CODE_DIGITS } from '../../../src/realtime/realtime.contract';
import type { Strings, UiLanguage } from '../i18n';
import { digitTone, playReturnCode } from '../lib/sounds';
import { Back, CODE_PICTURES, Ear } from '../ui/icons';

/** The digits of a code as their pictures (each named for a screen reader), in order. */
function CodePictures({ t, digits }: { t: Strings; digits: string }) {
  return (
    <ol class="code-pictures">
      {[...digits].map((d, i) => {
        const Picture = CODE_PICTURES[Number(d)];
        return (
          <li key={i} data-picture={d}>
            <span role="img" aria-label={`${d} ${t.codePictures[Number(d)]}`}>
              <Picture size={36} />
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/**
 * Her way back (issue 16): six digits shown large, their pictures, and a button that reads it out (each digit's
 * keypad tone and its name in the screen's language), so she can keep it without reading. Held in memory only.
 */
export function ReturnCodeCard({ t, lang, code }: { t: Strings; lang: UiLanguage; code: string }) {
  return (
    <div class="return-code" role="group" aria-labelledby="return-code-title" data-return-code={code}>
      <p id="return-code-title" class="return-code-title">
        {t.returnCodeTitle}
      </p>
      {/* Read digit by digit (the hidden words), not as two numbers. */}
      <p class="return-code-digits" aria-hidden="true">
        {code.slice(0, RETURN_CODE_DIGITS / 2)} {code.slice(RETURN_CODE_DIGITS / 2)}
      </p>
      <p class="visually-hidden">{t.codeLabel(code)}</p>
      <CodePictures t={t} digits={code} />
      <button type="button" class="listen-code" data-action="listen-code" onClick={() => void playReturnCode(lang, code)}>
        <Ear size={32} />
        <span>{t.listenCode}</span>
      </button>
      <p class="note">{t.returnCodeHelp}</p>
    </div>
  );
}

/**
 * Typing a return code by digit or by picture (a keypad of both), with its tone; six at most (a full code's keys say
 * so but keep their focus), the last one taken back by the erase key. What is typed so far is announced.
 */
export function CodeEntry({ t, value, onChange }: { t: Strings; value: string; onChange: (code: string) => void }) {
  const full = value.length >= RETURN_CODE_DIGITS;
  return (
    <div class="code-entry" role="group" aria-labelledby="code-entry-title">
      <p id="code-entry-title">{t.enterReturnCode}</p>
      <div class="code-typed" data-typed={value}>
        <CodePictures t={t} digits={value} />
        <span class="code-typed-digits" aria-hidden="true">
          {value.padEnd(RETURN_CODE_DIGITS, '·')}
        </span>
        <span class="visually-hidden" aria-live="polite">
          {t.codeLabel(value)}
        </span>
      </div>
      <div class="keypad">
        {[1, 2, 3, 4, 5, 6, 7, 8, 9, 0].map((d) => {
          const Picture = CODE_PICTURES[d];
          return (
            <button
              type="button"
              class="key"
              key={d}
              data-digit={d}
              aria-label={`${d} ${t.codePictures[d]}`}
              aria-disabled={full}
              onClick={() => {
                if (full) return;
                digitTone(d);
                onChange(value + d);
              }}
            >
              <Picture size={28} />
              <span aria-hidden="true">{d}</span>
            </button>
          );
        })}
        <button type="button" class="key erase" data-digit="erase" aria-label={t.eraseDigit} onClick={() => onChange(value.slice(0, -1))}>
          <Back size={28} />
        </button>
      </div>
    </div>
  );
}
