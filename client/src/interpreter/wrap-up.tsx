import { useState } from 'preact/hooks';
import type { StaffStrings } from '../i18n/staff';
import { request } from '../lib/api';
import {
  REFERRED_TO,
  WRAPUP_SIGNS,
  type PresenceStatus,
  type ReferredTo,
  type ServerEvents,
  type Signal,
  type WrapupSign,
} from '../lib/socket';
import { Countdown } from './countdown';

export type Wrapup = ServerEvents['wrapup:update'];

/**
 * After a call: her wrap-up time (no call is offered until it is over), which she may end ("I'm ready": she is set
 * available) or extend once; and, at any time, "I need a debrief", which tells her roster coordinator (who, when, the
 * matter of her last call; nothing of the call).
 */
export function WrapUp({
  wrapup,
  signal,
  token,
  s,
  onCall,
  lastCall,
  onReady,
}: {
  wrapup: Wrapup;
  signal: Signal | null;
  token: string;
  s: StaffStrings;
  /** She is on call (reachable by push only): ready keeps her so. */
  onCall: boolean;
  /** Her last call's session, whose wrap-up she may tick. */
  lastCall: string | null;
  onReady: (status: PresenceStatus) => void;
}) {
  const [debrief, setDebrief] = useState<'asked' | 'failed' | null>(null);
  const ready = async () => {
    const res = await signal?.ask('presence:set', { status: onCall ? 'on_call' : 'available' }).catch(() => null);
    if (res) onReady(res.status);
  };
  const extend = () => void signal?.ask('wrapup:extend', {}).catch(() => undefined);
  const askDebrief = () =>
    request('/api/v1/interpreters/me/debrief', { method: 'POST', token }).then(
      () => setDebrief('asked'),
      () => setDebrief('failed'),
    );
  return (
    <section
      class="wrap-up"
      {...(wrapup.until ? { 'aria-labelledby': 'wrap-up-title' } : { 'aria-label': s.debrief })}
      data-wrapup={wrapup.until ? 'on' : 'off'}
    >
      {wrapup.until && (
        <>
          <h2 id="wrap-up-title">{s.wrapupTitle}</h2>
          <p>{s.wrapupExplain}</p>
          <Countdown until={wrapup.until} label={s.wrapupLeft} />
          <div class="wrap-up-actions">
            <button type="button" class="primary" data-action="wrapup-ready" onClick={ready}>
              {s.wrapupReady}
            </button>
            {wrapup.canExtend && (
              <button type="button" data-action="wrapup-extend" onClick={extend}>
                {s.wrapupExtend}
              </button>
            )}
          </div>
        </>
      )}
      {lastCall && <CallTicks key={lastCall} sessionId={lastCall} signal={signal} s={s} />}
      <button type="button" class="debrief" data-action="debrief" disabled={debrief === 'asked'} onClick={askDebrief}>
        {s.debrief}
      </button>
      {debrief && (
        <p class="note debrief-status" role="status">
          {debrief === 'asked' ? s.debriefAsked : s.debriefFailed}
        </p>
      )}
    </section>
  );
}

/** Her wrap-up of the call: where she referred the woman and what she noticed, as ticks (never text). */
function CallTicks({ sessionId, signal, s }: { sessionId: string; signal: Signal | null; s: StaffStrings }) {
  const [referred, setReferred] = useState<ReferredTo[]>([]);
  const [signs, setSigns] = useState<WrapupSign[]>([]);
  const [saved, setSaved] = useState<boolean | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    const res = await signal?.ask('session:wrapup', { sessionId, referredTo: referred, signs }).catch(() => null);
    setSaved(!!res);
  };
  return (
    <form class="call-ticks" onSubmit={save} data-session={sessionId}>
      <Ticks
        legend={s.referredToTitle}
        name="referredTo"
        values={REFERRED_TO}
        label={(v) => s.referral[v]}
        chosen={referred}
        onChange={(l) => (setReferred(l), setSaved(null))}
      />
      <Ticks
        legend={s.signsTitle}
        name="signs"
        values={WRAPUP_SIGNS}
        label={(v) => s.sign[v]}
        chosen={signs}
        onChange={(l) => (setSigns(l), setSaved(null))}
      />
      <button type="submit">{s.saveTicks}</button>
      {saved !== null && (
        <p class="note" role="status">
          {saved ? s.saved : s.ticksFailed}
        </p>
      )}
    </form>
  );
}

/** One fieldset of tick boxes from a fixed list. */
function Ticks<T extends string>(p: {
  legend: string;
  name: string;
  values: readonly T[];
  label: (v: T) => string;
  chosen: T[];
  onChange: (l: T[]) => void;
}) {
  return (
    <fieldset>
      <legend>{p.legend}</legend>
      {p.values.map((v) => (
        <label key={v}>
          <input
            type="checkbox"
            name={p.name}
            value={v}
            checked={p.chosen.includes(v)}
            onChange={(e) => p.onChange(e.currentTarget.checked ? [...p.chosen, v] : p.chosen.filter((x) => x !== v))}
          />
          {p.label(v)}
        </label>
      ))}
    </fieldset>
  );
}
