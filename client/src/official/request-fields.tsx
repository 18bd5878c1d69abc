import { useEffect, useRef, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import { request, serverMessages, type Language } from '../lib/api';
import { languageLabel } from '../ui/hearing';

/*
 * What an official says of the woman's call, on both of her forms (a hearing booked ahead, an interpreter now):
 * her language found by search, what the other side speaks, and the server's field errors beside each field.
 */

/** Field errors from the server (by the field each names) and the lines that name none. */
export type Errors = Record<string, string[]>;

export function errorsOf(e: unknown, fallback: string): Errors {
  const { fields, messages } = serverMessages(e);
  const out: Errors = {};
  for (const m of messages) {
    const field = fields.find((f) => m.startsWith(f)) ?? '_';
    (out[field] ??= []).push(m);
  }
  if (!messages.length) out._ = [fallback];
  return out;
}

/** A field's errors; `prefix` keeps the ids of two forms on one page apart. */
export function FieldError({ id, errors, prefix = '' }: { id: string; errors: Errors; prefix?: string }) {
  return errors[id] ? (
    <p class="field-error" id={`${prefix}err-${id}`}>
      {errors[id].join(' ')}
    </p>
  ) : null;
}

export const invalid = (id: string, errors: Errors, prefix = '') =>
  errors[id] ? { 'aria-invalid': true, 'aria-describedby': `${prefix}err-${id}` } : {};

/** The woman's language by search (autonyms first; relay languages are what interpreters speak to officials). */
export function LanguageSearch({
  s,
  language,
  onChoose,
  errors,
  setErrors,
  idPrefix = '',
}: {
  s: StaffStrings;
  language: Language | null;
  onChoose: (l: Language) => void;
  errors: Errors;
  /** The form's errors: "choose a language" no longer holds once she has. */
  setErrors: (update: (errors: Errors) => Errors) => void;
  /** Two forms on one page keep their ids apart. */
  idPrefix?: string;
}) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Language[] | null>(null);
  const searching = useRef(0);
  const search = (q: string) => {
    setQuery(q);
    const mine = ++searching.current;
    if (q.trim().length < 2) return setFound(null);
    request<Language[]>(`/api/v1/languages?q=${encodeURIComponent(q.trim())}&limit=20`).then(
      (ls) => mine === searching.current && setFound(ls.filter((l) => !l.isRelay)),
      () => undefined,
    );
  };
  const id = `${idPrefix}language-search`;
  return (
    <div class="field">
      <label for={id}>{s.languageSearch}</label>
      <input
        id={id}
        name="language"
        type="search"
        autocomplete="off"
        value={query}
        onInput={(e) => search(e.currentTarget.value)}
        {...invalid('languageId', errors, idPrefix)}
      />
      {language && (
        <p class="chosen-language" data-language={language.id}>
          ✓ {languageLabel(language, language.id)}
        </p>
      )}
      {found && (
        <ul class="language-results" aria-label={s.languageResults}>
          {found.length === 0 && <li>{s.noLanguageFound}</li>}
          {found.map((l) => (
            <li key={l.id}>
              <button
                type="button"
                data-iso={l.iso6393}
                data-variant={l.variant ?? ''}
                aria-pressed={language?.id === l.id}
                onClick={() => {
                  onChoose(l);
                  setErrors(({ languageId: _chosen, ...rest }) => rest);
                  setFound(null);
                  setQuery('');
                }}
              >
                <strong>{l.autonym ?? l.name}</strong>
                {l.autonym && l.autonym !== l.name && <span> ({l.name})</span>}
                {l.variant && <span>, {l.variant}</span>} <code>{l.iso6393}</code>
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldError id="languageId" errors={errors} prefix={idPrefix} />
    </div>
  );
}

/** What the other side speaks: her institution's language ('' leaves it to the server) or a relay language. */
export function TargetSelect({
  t,
  s,
  languages,
  value,
  onChange,
  errors,
  idPrefix = '',
}: {
  t: Strings;
  s: StaffStrings;
  languages: Map<string, Language>;
  value: string;
  onChange: (id: string) => void;
  errors: Errors;
  idPrefix?: string;
}) {
  const id = `${idPrefix}target-language`;
  return (
    <div class="field">
      <label for={id}>{t.into}</label>
      <select
        id={id}
        name="targetLanguageId"
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        {...invalid('targetLanguageId', errors, idPrefix)}
      >
        <option value="">{s.targetDefault}</option>
        {[...languages.values()]
          .filter((l) => l.isRelay)
          .map((l) => (
            <option key={l.id} value={l.id}>
              {languageLabel(l, l.id)}
            </option>
          ))}
      </select>
      <FieldError id="targetLanguageId" errors={errors} prefix={idPrefix} />
    </div>
  );
}

/** The matters a request or booking may be about (the server's list), the first chosen until she picks one. */
export function useMatters(): [string[], string, (m: string) => void] {
  const [matters, setMatters] = useState<string[]>([]);
  const [matter, setMatter] = useState('');
  useEffect(() => {
    request<string[]>('/api/v1/matters').then(
      (m) => {
        setMatters(m);
        setMatter((cur) => cur || m[0]);
      },
      () => undefined,
    );
  }, []);
  return [matters, matter, setMatter];
}

/** The matter as a select of the server's matters, in the screen's language. */
export function MatterSelect({
  t,
  matters,
  value,
  onChange,
  errors,
  idPrefix = '',
}: {
  t: Strings;
  matters: string[];
  value: string;
  onChange: (m: string) => void;
  errors: Errors;
  idPrefix?: string;
}) {
  const id = `${idPrefix}matter`;
  return (
    <div class="field">
      <label for={id}>{t.matter}</label>
      <select
        id={id}
        name="matter"
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        {...invalid('matter', errors, idPrefix)}
      >
        {matters.map((m) => (
          <option key={m} value={m}>
            {t.matterName[m] ?? m}
          </option>
        ))}
      </select>
      <FieldError id="matter" errors={errors} prefix={idPrefix} />
    </div>
  );
}

/** What the official says of the woman herself: under 18 (or does not know), asked for a woman interpreter. */
export function WomanOptions({
  s,
  minor,
  female,
  onMinor,
  onFemale,
}: {
  s: StaffStrings;
  minor: boolean;
  female: boolean;
  onMinor: (v: boolean) => void;
  onFemale: (v: boolean) => void;
}) {
  return (
    <>
      <label>
        <input type="checkbox" name="minor" checked={minor} onChange={(e) => onMinor(e.currentTarget.checked)} />
        {s.minorOption}
      </label>
      <label>
        <input type="checkbox" name="preferFemale" checked={female} onChange={(e) => onFemale(e.currentTarget.checked)} />
        {s.femaleOption}
      </label>
    </>
  );
}
