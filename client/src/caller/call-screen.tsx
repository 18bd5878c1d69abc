import type { Strings, UiLanguage } from '../i18n';
import { useState } from 'preact/hooks';
import {
  Anyone,
  FaceHappy,
  FaceSad,
  FaceUnsure,
  Free,
  HangUp,
  Hourglass,
  Lock,
  Mic,
  NoSignal,
  Person,
  Phone,
  Speaker,
  Swap,
  Woman,
} from '../ui/icons';
import { CueButton } from './parts';
import { ReturnCodeCard } from './return-code';
import type { CallControl } from './use-call';

/** Her place in line as a picture: people in a row, hers filled, and the number (at most eight drawn). */
function Queue({ t, position }: { t: Strings; position: number }) {
  const drawn = Math.min(position, 8);
  return (
    <div class="queue" role="img" aria-label={t.placeInLine(position)}>
      {Array.from({ length: drawn }, (_, i) => (
        <Person key={i} size={36} filled={i === drawn - 1} />
      ))}
      <span class="queue-number">{position}</span>
    </div>
  );
}

/**
 * What the service is, in four pictures with a few words, while she waits: the same points as the spoken notice
 * (heard too, once one is recorded and published in her language), so that she knows them with none.
 */
function NoticePictures({ t }: { t: Strings }) {
  const points = [
    [Free, t.noticeFree],
    [Lock, t.noticePrivate],
    [HangUp, t.noticeLeave],
    [Swap, t.noticeAnother],
  ] as const;
  return (
    <section class="notice" data-view="notice" aria-labelledby="notice-title">
      <h2 id="notice-title">{t.noticeTitle}</h2>
      <ul>
        {points.map(([Icon, text]) => (
          <li key={text}>
            <Icon size={36} />
            <span>{text}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The call, from connecting to its end: the line, the ringing, the call's buttons, and what happened. */
export function CallScreen({ t, lang, call, onAgain }: { t: Strings; lang: UiLanguage; call: CallControl; onAgain: () => void }) {
  const { phase, reconnecting } = call;
  const hearing = call.hearing();
  const finished =
    phase.name === 'ended' || phase.name === 'unmatched' || phase.name === 'error' || (phase.name === 'joinFailed' && !call.canRetryJoin);
  return (
    <>
      <section class="call-screen" aria-live="polite" data-phase={phase.name} data-reconnecting={String(reconnecting)}>
        {reconnecting && (
          <p class="reconnecting" role="status">
            <NoSignal size={32} /> <span>{t.reconnecting}</span>
          </p>
        )}
        {phase.name === 'connecting' && <p class="status">{t.connecting}</p>}
        {phase.name === 'waiting' && (
          <>
            <p class="status">{t.waiting}</p>
            {phase.position ? <Queue t={t} position={phase.position} /> : null}
            <CueButton lang={lang} name="waiting" label={t.listen} />
            {phase.noWomanFree && <NoWomanChoice t={t} call={call} />}
          </>
        )}
        {phase.name === 'ringing' && (
          <>
            <p class="status ringing">
              <Phone size={56} /> <span>{t.ringing}</span>
            </p>
            <CueButton lang={lang} name="ringing" label={t.listen} />
          </>
        )}
        {phase.name === 'connected' && (
          <>
            <p class="status connected">
              {hearing ? (call.byOfficial() ? t.inOfficialCall : t.inHearing) : t.connectedWith(phase.firstName)}
            </p>
            <CueButton lang={lang} name="connected" label={t.listen} />
            {call.otherAway && (
              <p class="note" role="status">
                {t.otherReconnecting}
              </p>
            )}
            <div class="call-controls">
              <button
                type="button"
                class="round mute"
                aria-pressed={call.muted}
                aria-label={call.muted ? t.unmute : t.mute}
                onClick={call.toggleMute}
              >
                <Mic size={48} off={call.muted} />
              </button>
              <button
                type="button"
                class="round speaker"
                aria-pressed={call.loud}
                aria-label={call.loud ? t.speakerOn : t.speakerOff}
                onClick={call.toggleSpeaker}
              >
                <Speaker size={48} loud={call.loud} />
              </button>
              <button type="button" class="round hang-up" aria-label={t.hangUp} onClick={() => void call.hangUp()}>
                <HangUp size={48} />
              </button>
            </div>
            {!hearing && <AnotherInterpreter t={t} call={call} />}
            {!hearing && call.returnCode && <ReturnCodeCard t={t} lang={lang} code={call.returnCode} />}
          </>
        )}
        {(phase.name === 'waiting' || phase.name === 'ringing' || phase.name === 'connecting') && (
          <button type="button" class="round hang-up" aria-label={t.cancel} onClick={() => void call.hangUp()}>
            <HangUp size={48} />
          </button>
        )}
        {phase.name === 'ended' && (
          <>
            <p class="status">{phase.hearing && !phase.byOfficial ? t.hearingEnded : t.callEnded}</p>
            <CueButton lang={lang} name="ended" label={t.listen} />
            {phase.ask && <OneQuestion t={t} call={call} />}
          </>
        )}
        {phase.name === 'joinFailed' && (
          <>
            <p class="status" role="status" data-join={phase.reason}>
              {phase.reason === 'invalid' ? t.joinCodeInvalid : phase.reason === 'early' ? t.joinTooEarly : t.error}
            </p>
            {call.canRetryJoin && (
              <button type="button" class="call-button" onClick={() => void call.joinHearing()}>
                <Phone size={56} />
                <span>{t.retry}</span>
              </button>
            )}
          </>
        )}
        {phase.name === 'unmatched' && (
          <>
            <p class="status">{t.unmatched}</p>
            <CueButton lang={lang} name="unmatched" label={t.listen} />
          </>
        )}
        {phase.name === 'error' && (
          <p class="status" role="alert">
            {t[phase.message]}
          </p>
        )}
        {finished && call.canCallBack && call.returnCode && (
          <>
            <button type="button" class="call-button call-back" data-action="call-back" onClick={() => void call.callBack()}>
              <Phone size={56} />
              <span>{t.callBackSame}</span>
            </button>
            <ReturnCodeCard t={t} lang={lang} code={call.returnCode} />
          </>
        )}
        {finished && (
          <button type="button" class="call-button" onClick={onAgain}>
            <Phone size={56} />
            <span>{phase.name === 'joinFailed' || (phase.name === 'ended' && phase.hearing) ? t.call : t.callAgain}</span>
          </button>
        )}
      </section>
      {/* Below her buttons, outside the live region (read once, not at each change of screen), the same for both screens. */}
      {(phase.name === 'waiting' || phase.name === 'ringing') && <NoticePictures t={t} />}
    </>
  );
}

/** She asked for a woman and none is free: a picture and two choices, wait for a woman or take whoever is free first. */
function NoWomanChoice({ t, call }: { t: Strings; call: CallControl }) {
  return (
    <div class="no-woman" role="alert" data-choice="no-woman">
      <p class="note">
        <Woman size={40} /> <span>{t.noWomanFree}</span>
      </p>
      <div class="choices">
        <button type="button" class="choice" data-action="wait-for-woman" onClick={call.waitForWoman}>
          <Hourglass size={48} />
          <span>{t.waitForWoman}</span>
        </button>
        <button type="button" class="choice" data-action="anyone" onClick={() => void call.takeAnyone()}>
          <Anyone size={48} />
          <span>{t.anyInterpreter}</span>
        </button>
      </div>
    </div>
  );
}

/** After her call, one question and three faces; skippable. Nothing of the call, only which face (or none). */
function OneQuestion({ t, call }: { t: Strings; call: CallControl }) {
  const faces = [
    ['helped', t.helped, FaceHappy],
    ['unsure', t.unsure, FaceUnsure],
    ['not_helped', t.notHelped, FaceSad],
  ] as const;
  return (
    <div class="one-question" role="group" aria-labelledby="one-question-text" data-question="helped">
      <p id="one-question-text">{t.helpedQuestion}</p>
      <div class="faces">
        {faces.map(([answer, label, Face]) => (
          <button type="button" class="choice" key={answer} data-answer={answer} onClick={() => void call.answer(answer)}>
            <Face size={48} />
            <span>{label}</span>
          </button>
        ))}
      </div>
      <button type="button" class="link skip" data-answer="skip" onClick={() => void call.answer(null)}>
        {t.skip}
      </button>
    </div>
  );
}

/** "Another interpreter": one button, then a confirmation; no reason is asked. */
function AnotherInterpreter({ t, call }: { t: Strings; call: CallControl }) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="another" data-action="another" onClick={() => setAsking(true)}>
        <Swap size={40} />
        <span>{t.anotherInterpreter}</span>
      </button>
    );
  return (
    <div class="confirm-another" role="alertdialog" aria-labelledby="confirm-another-text">
      <p id="confirm-another-text">{t.confirmAnother}</p>
      <div class="choices">
        <button type="button" class="choice" data-action="confirm-another" onClick={() => void call.another()}>
          <Swap size={40} />
          <span>{t.yesAnother}</span>
        </button>
        <button type="button" class="choice" data-action="keep" onClick={() => setAsking(false)}>
          <Person size={40} />
          <span>{t.keepThisOne}</span>
        </button>
      </div>
    </div>
  );
}

/** Back during a call: she is asked before the call ends. */
export function LeaveConfirm({ t, onStay, onLeave }: { t: Strings; onStay: () => void; onLeave: () => void }) {
  return (
    <section class="call-screen leave-confirm" data-view="leave-confirm" aria-labelledby="leave-title">
      <h1 id="leave-title" tabIndex={-1}>
        {t.leaveCallTitle}
      </h1>
      <p class="status">{t.leaveCallText}</p>
      <button type="button" class="call-button stay" onClick={onStay}>
        <Phone size={56} />
        <span>{t.stayInCall}</span>
      </button>
      <button type="button" class="leave" onClick={onLeave}>
        <HangUp size={40} />
        <span>{t.leaveCall}</span>
      </button>
    </section>
  );
}

/** No network in the middle of the flow: the offline shell's picture, words and sound; it goes when the network is back. */
export function OfflineView({ t, lang }: { t: Strings; lang: UiLanguage }) {
  return (
    <section class="call-screen offline" data-view="offline" aria-labelledby="offline-title" role="alert">
      <span class="offline-icon">
        <NoSignal size={140} />
      </span>
      <h1 id="offline-title">{t.offlineTitle}</h1>
      <p class="status">{t.offlineText}</p>
      <CueButton lang={lang} name="offline" label={t.listen} />
    </section>
  );
}
