import { useState } from 'preact/hooks';
import type { StaffStrings } from '../i18n/staff';
import { request } from '../lib/api';
import type { ClientResults, ServerEvents, Signal } from '../lib/socket';

type PresenceStatus = ClientResults['presence:set']['status'];
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
  onReady,
}: {
  wrapup: Wrapup;
  signal: Signal | null;
  token: string;
  s: StaffStrings;
  /** She is on call (reachable by push only): ready keeps her so. */
  onCall: boolean;
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
      <button type="button" class="debrief" data-action="debrief" disabled={debrief === 'asked'} onClick={askDebrief}>
        {s.debrief}
      </button>
      {debrief && (
        <p class="note" role="status">
          {debrief === 'asked' ? s.debriefAsked : s.debriefFailed}
        </p>
      )}
    </section>
  );
}
