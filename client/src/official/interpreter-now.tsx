import { useEffect, useState } from 'preact/hooks';
import type { Strings } from '../i18n';
import type { StaffStrings } from '../i18n/staff';
import type { Language } from '../lib/api';
import type { ServerEvents, Signal } from '../lib/socket';
import type { Urgency } from '../../../src/realtime/realtime.contract';
import { LanguageSearch, MatterSelect, TargetSelect, useMatters, WomanOptions, type Errors } from './request-fields';

const URGENCIES: Urgency[] = ['normal', 'urgent', 'emergency'];
/** A request that ended without a call. */
const ENDED = ['unmatched', 'cancelled', 'abandoned'];

/** Where her request is: in line (her place), or ringing an interpreter. */
interface Waiting {
  requestId: string;
  place?: number;
  ringing: boolean;
  /** No relay chain could be completed in time: one interpreter is sought instead. */
  relayUnfilled?: boolean;
}

/**
 * "Interpreter now": an official with a woman beside her asks for an interpreter of the woman's language over her
 * console's socket (`request:create`, the same matching and line as a woman's own call). She sees her place in
 * line or that an interpreter is being rung, may cancel, and is handed the call (`onSession`) once one accepts.
 */
export function InterpreterNow({
  signal,
  t,
  s,
  languages,
  note,
  onSession,
}: {
  signal: Signal | null;
  t: Strings;
  s: StaffStrings;
  languages: Map<string, Language>;
  /** Why the last call or request ended, if it did. */
  note: string | null;
  /** `relayUnfilled`: the call has one interpreter because no relay chain could be completed in time. */
  onSession: (call: { sessionId: string; requestId: string; relayUnfilled: boolean }) => void;
}) {
  const [language, setLanguage] = useState<Language | null>(null);
  const [matters, matter, setMatter] = useMatters();
  const [urgency, setUrgency] = useState<Urgency>('urgent');
  const [minor, setMinor] = useState(false);
  const [female, setFemale] = useState(false);
  const [target, setTarget] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [waiting, setWaiting] = useState<Waiting | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  /** The form is folded until she opens it: most visits to the console are for hearings. */
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!signal || !waiting) return;
    const onUpdate = (u: ServerEvents['request:update']) => {
      if (u.requestId !== waiting.requestId) return;
      if (u.state === 'accepted' && u.sessionId) {
        setWaiting(null);
        onSession({ sessionId: u.sessionId, requestId: u.requestId, relayUnfilled: u.notice === 'relay_unfilled' });
      } else if (ENDED.includes(u.state)) {
        setWaiting(null);
        setEnded(u.state === 'cancelled' ? null : s.nowUnmatched);
      } else {
        setWaiting((w) => ({
          requestId: u.requestId,
          place: u.queuePosition,
          ringing: u.state === 'offering',
          relayUnfilled: w?.relayUnfilled || u.notice === 'relay_unfilled',
        }));
      }
    };
    signal.socket.on('request:update', onUpdate);
    return () => signal.socket.off('request:update', onUpdate);
  }, [signal, waiting?.requestId]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setEnded(null);
    if (!language) return setErrors({ languageId: [s.chooseLanguage] });
    if (!signal) return;
    setErrors({});
    try {
      const { requestId, state } = await signal.ask('request:create', {
        languageId: language.id,
        matter: matter as never,
        urgency,
        minor,
        preferFemale: female,
        ...(target ? { targetLanguageId: target } : {}),
      });
      setWaiting({ requestId, ringing: state === 'offering' });
    } catch (err) {
      setErrors({ _: [(err as Error).message || s.actionFailed] });
    }
  };

  const cancel = async () => {
    if (!waiting || !signal) return;
    await signal.ask('request:cancel', { requestId: waiting.requestId }).catch(() => undefined);
    setWaiting(null);
  };

  return (
    <section class="panel interpreter-now" aria-labelledby="now-title" data-panel="interpreter-now">
      <h2 id="now-title">{s.nowTitle}</h2>
      <p class="hint">{s.nowHint}</p>
      {(ended ?? note) && (
        <p class="note" role="status" data-note="now-ended">
          {ended ?? note}
        </p>
      )}
      {waiting ? (
        <div class="now-waiting" data-phase={waiting.ringing ? 'ringing' : 'waiting'}>
          <p role="status" aria-live="polite">
            {waiting.ringing ? s.nowRinging : s.nowWaiting(waiting.place)}
          </p>
          {waiting.relayUnfilled && (
            <p class="note" data-note="relay-unfilled">
              {s.nowRelayUnfilled}
            </p>
          )}
          <button type="button" class="secondary" data-action="cancel-now" onClick={cancel}>
            {s.nowCancel}
          </button>
        </div>
      ) : !open ? (
        <button type="button" class="primary" data-action="open-now" aria-expanded="false" onClick={() => setOpen(true)}>
          {s.nowCall}
        </button>
      ) : (
        <form class="now-form" onSubmit={submit} noValidate>
          <LanguageSearch s={s} language={language} onChoose={setLanguage} errors={errors} setErrors={setErrors} idPrefix="now-" />
          <MatterSelect t={t} matters={matters} value={matter} onChange={setMatter} errors={errors} idPrefix="now-" />
          <div class="field">
            <label for="now-urgency">{t.urgency}</label>
            <select id="now-urgency" name="urgency" value={urgency} onChange={(e) => setUrgency(e.currentTarget.value as Urgency)}>
              {URGENCIES.map((u) => (
                <option key={u} value={u}>
                  {t[`urgency_${u}`]}
                </option>
              ))}
            </select>
          </div>
          <TargetSelect t={t} s={s} languages={languages} value={target} onChange={setTarget} errors={errors} idPrefix="now-" />
          <fieldset class="options">
            <legend class="visually-hidden">{s.nowTitle}</legend>
            <WomanOptions s={s} minor={minor} female={female} onMinor={setMinor} onFemale={setFemale} />
          </fieldset>
          {errors._ && <p role="alert">{errors._.join(' ')}</p>}
          {errors.languageId && !errors._ && (
            <p role="alert" class="visually-hidden">
              {errors.languageId.join(' ')}
            </p>
          )}
          <div class="form-actions">
            <button type="submit" class="primary" data-action="call-now" disabled={!signal}>
              {s.nowCall}
            </button>
            <button type="button" class="secondary" data-action="close-now" aria-expanded="true" onClick={() => setOpen(false)}>
              {t.back}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
