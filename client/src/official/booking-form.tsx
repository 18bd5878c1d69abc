import { useEffect, useState } from 'preact/hooks';
import type { Strings, UiLanguage } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import type { Language } from '../lib/api';
import { bookingsApi, deviceTimeZone, formatWhen, type Booking } from '../lib/bookings';
import { ZoneOptions } from '../ui/hearing';
import {
  errorsOf,
  FieldError,
  invalid,
  LanguageSearch,
  MatterSelect,
  TargetSelect,
  useMatters,
  WomanOptions,
  type Errors,
} from './request-fields';

const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 360];

/**
 * Booking a hearing: the language by search (autonyms first), the matter, the date and time as she reads them
 * in her own time zone (the device's, or one she picks), the duration, an opaque case reference, and the
 * woman's options. A follow-up keeps the earlier hearing's choices and asks its interpreter first.
 */
export function BookingForm({
  token,
  t,
  s,
  lang,
  languages,
  followUp,
  onClearFollowUp,
  onBooked,
}: {
  token: string;
  t: Strings;
  s: StaffStrings;
  lang: UiLanguage;
  languages: Map<string, Language>;
  followUp: Booking | null;
  onClearFollowUp: () => void;
  onBooked: (b: Booking) => void;
}) {
  const [zone, setZone] = useState(deviceTimeZone);
  const [language, setLanguage] = useState<Language | null>(null);
  const [matters, matter, setMatter] = useMatters();
  const [date, setDate] = useState('');
  const [time, setTime] = useState('');
  const [duration, setDuration] = useState(60);
  const [caseReference, setCaseReference] = useState('');
  const [remote, setRemote] = useState(false);
  const [minor, setMinor] = useState(false);
  const [female, setFemale] = useState(false);
  /** What the other side speaks; '' leaves it to the server: her institution's language. */
  const [target, setTarget] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState(false);

  // A follow-up: the same language, matter, length, reference and options as the earlier hearing.
  useEffect(() => {
    if (!followUp) return;
    setLanguage(languages.get(followUp.languageId) ?? null);
    setMatter(followUp.matter);
    setDuration(followUp.durationMinutes);
    setCaseReference(followUp.caseReference ?? '');
    setRemote(followUp.remoteParticipant);
    setMinor(followUp.minor);
    setFemale(followUp.preferFemale);
    setTarget(followUp.targetLanguageId ?? '');
    setDone(false);
  }, [followUp?.id]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setDone(false);
    if (!language) return setErrors({ languageId: [s.chooseLanguage] });
    setErrors({});
    const body: Record<string, unknown> = {
      languageId: language.id,
      matter,
      // A wall-clock time in her zone: the server reads it with that zone's rules on that date.
      startsAt: `${date}T${time}`,
      timeZone: zone,
      durationMinutes: duration,
      remoteParticipant: remote,
      minor,
      preferFemale: female,
    };
    if (target) body.targetLanguageId = target;
    if (caseReference.trim()) body.caseReference = caseReference.trim();
    if (followUp) body.followUpOf = followUp.id;
    try {
      const b = await bookingsApi.create(token, body);
      setDone(true);
      onBooked(b);
    } catch (err) {
      setErrors(errorsOf(err, s.bookFailed));
    }
  };

  return (
    <section class="panel" aria-labelledby="book-title">
      <h2 id="book-title">{s.bookTitle}</h2>
      {followUp && (
        <p class="follow-up" data-follow-up={followUp.id}>
          {s.followUp(formatWhen(followUp.startsAt, zone, lang), followUp.interpreter?.firstName ?? s.sameInterpreter)}{' '}
          <button type="button" class="link" onClick={onClearFollowUp}>
            {s.notFollowUp}
          </button>
        </p>
      )}
      <form class="booking-form" onSubmit={submit} noValidate>
        <LanguageSearch s={s} language={language} onChoose={setLanguage} errors={errors} setErrors={setErrors} />
        <MatterSelect t={t} matters={matters} value={matter} onChange={setMatter} errors={errors} />
        <TargetSelect t={t} s={s} languages={languages} value={target} onChange={setTarget} errors={errors} />
        <div class="field-row">
          <div class="field">
            <label for="date">{s.date}</label>
            <input
              id="date"
              name="date"
              type="date"
              required
              value={date}
              onInput={(e) => setDate(e.currentTarget.value)}
              {...invalid('startsAt', errors)}
            />
          </div>
          <div class="field">
            <label for="time">{s.time}</label>
            <input
              id="time"
              name="time"
              type="time"
              required
              value={time}
              onInput={(e) => setTime(e.currentTarget.value)}
              {...invalid('startsAt', errors)}
            />
          </div>
        </div>
        <FieldError id="startsAt" errors={errors} />
        <div class="field">
          <label for="zone">{s.timeZone}</label>
          <select id="zone" name="timeZone" value={zone} onChange={(e) => setZone(e.currentTarget.value)} {...invalid('timeZone', errors)}>
            <ZoneOptions s={s} zone={zone} />
          </select>
          <FieldError id="timeZone" errors={errors} />
        </div>
        <div class="field">
          <label for="duration">{s.duration}</label>
          <select
            id="duration"
            name="duration"
            value={String(duration)}
            onChange={(e) => setDuration(Number(e.currentTarget.value))}
            {...invalid('durationMinutes', errors)}
          >
            {[...new Set([...DURATIONS, duration])]
              .sort((a, b) => a - b)
              .map((d) => (
                <option key={d} value={String(d)}>
                  {s.minutes(d)}
                </option>
              ))}
          </select>
          <FieldError id="durationMinutes" errors={errors} />
        </div>
        <div class="field">
          <label for="case-reference">{s.caseReference}</label>
          <input
            id="case-reference"
            name="caseReference"
            autocomplete="off"
            spellcheck={false}
            maxLength={40}
            value={caseReference}
            onInput={(e) => setCaseReference(e.currentTarget.value)}
            aria-invalid={errors.caseReference ? true : undefined}
            aria-describedby={errors.caseReference ? 'err-caseReference case-reference-hint' : 'case-reference-hint'}
          />
          <p class="hint" id="case-reference-hint">
            {s.caseReferenceHint}
          </p>
          <FieldError id="caseReference" errors={errors} />
        </div>
        <fieldset class="options">
          <legend class="visually-hidden">{s.bookTitle}</legend>
          <label>
            <input type="checkbox" name="remote" checked={remote} onChange={(e) => setRemote(e.currentTarget.checked)} />
            {s.remote}
          </label>
          <WomanOptions s={s} minor={minor} female={female} onMinor={setMinor} onFemale={setFemale} />
        </fieldset>
        <FieldError id="followUpOf" errors={errors} />
        {errors._ && <p role="alert">{errors._.join(' ')}</p>}
        {Object.keys(errors).length > 0 && !errors._ && (
          <p role="alert" class="visually-hidden">
            {Object.values(errors).flat().join(' ')}
          </p>
        )}
        {done && <p role="status">{s.booked}</p>}
        <button type="submit" class="primary">
          {s.book}
        </button>
      </form>
    </section>
  );
}
