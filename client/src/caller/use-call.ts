import { useEffect, useRef, useState } from 'preact/hooks';
import { api, HttpError, request } from '../lib/api';
import type { Call } from '../lib/call';
import { quickExit } from '../lib/quick-exit';
import type { AckError, CreateRequestPayload, FeedbackAnswer, ServerEvents, Signal } from '../lib/socket';
import { exposeCall } from '../lib/test-hooks';
import { RETURN_CODE_HOURS } from '../../../src/realtime/realtime.contract';
import { callLibs } from './call-libs';
import { rewindForExit } from './flow';

export type Phase =
  | { name: 'choosing' }
  | { name: 'connecting' }
  /** noWomanFree: she asked for a woman and none is free (someone else is): she chooses to wait or to take anyone. */
  | { name: 'waiting'; position?: number; noWomanFree?: boolean }
  | { name: 'ringing' }
  | { name: 'connected'; firstName: string }
  /** ask: her own call took place; its one question (three faces, skippable) is on screen until she answers or skips. */
  | { name: 'ended'; hearing?: boolean; byOfficial?: boolean; ask?: boolean }
  | { name: 'unmatched' }
  /** returnCodeRefused: the code she gave is unknown, used or older than 24 hours (she may call without it). */
  | { name: 'error'; message: 'noMicrophone' | 'error' | 'returnCodeRefused' }
  /** A hearing's join code that did not open the call: not a code at all (`invalid`), or not now (`early`: wrong, used, expired or too early). */
  | { name: 'joinFailed'; reason: 'invalid' | 'early' | 'error' };

/** The phases in which leaving the page would end something going on. */
export const ACTIVE = ['connecting', 'waiting', 'ringing', 'connected'];

interface Live {
  signal?: Signal;
  /** In a call opened with a join code (a hearing's, or an official's "interpreter now"), not her own request. */
  hearing?: boolean;
  /** That call is an official's "interpreter now", not a hearing (what the screens say). */
  byOfficial?: boolean;
  call?: Call;
  mic?: MediaStream;
  requestId?: string;
  sessionId?: string;
  /** Told no woman was free, she chose to keep waiting for one: not asked again. */
  choseToWait?: boolean;
}

/**
 * Her way back to the interpreter who took her last call: the return code she was given, until when it works, and what
 * she asked for then ("call back the same interpreter" asks it again). In memory only, for as long as the page is open.
 */
interface WayBack {
  code: string;
  until: number;
  request: CreateRequestPayload;
}
const RETURN_CODE_MS = RETURN_CODE_HOURS * 3600_000;

/** Speaker loud / quiet: what a web page can do for "loudspeaker / earpiece". */
const VOLUME = { loud: 1, quiet: 0.35 };

/** The call: an on-demand request or a hearing's join code, through the line, the ringing and the call itself. */
export function useCall(joinCode: string | null) {
  const [phase, setPhase] = useState<Phase>({ name: 'choosing' });
  const [reconnecting, setReconnecting] = useState(false);
  const [otherAway, setOtherAway] = useState(false);
  const [muted, setMuted] = useState(false);
  const [loud, setLoud] = useState(true);
  const live = useRef<Live>({});
  // Read by socket handlers registered once per call, so kept in a ref rather than captured.
  const volume = useRef(VOLUME.loud);
  // Held in memory only, to try again when the hearing's call was not open yet.
  const code = useRef(joinCode);
  /** Bumped when a call is torn down: a start still waiting (libraries, microphone, token) then stops there. */
  const attempt = useRef(0);
  const [wayBack, setWayBack] = useState<WayBack | null>(null);
  /** What her current request asked for (kept with its return code when one comes). */
  const asked = useRef<CreateRequestPayload | null>(null);

  useEffect(() => void (__PUENTE_TEST_HOOKS__ && exposeCall(() => live.current.call)), []);

  /** The socket kept open after her call for its one question, and which call it was. */
  const question = useRef<{ signal: Signal; sessionId: string } | null>(null);
  const dropQuestion = () => {
    question.current?.signal.close();
    question.current = null;
  };

  /** Her call is over: the screen says so, and, after a call of her own that took place, asks its one question. */
  const ended = () => {
    const { signal, sessionId, hearing, byOfficial } = live.current;
    const fresh = !hearing && !byOfficial && !!signal && !!sessionId;
    if (fresh) {
      dropQuestion();
      question.current = { signal: signal!, sessionId: sessionId! };
      live.current.signal = undefined;
    }
    teardown();
    // (Told twice, by session:ended and by request:update: the question asked the first time stays.)
    setPhase({ name: 'ended', hearing, byOfficial, ask: !!question.current });
  };

  /** Her answer, or none (skip): either way the question goes, and its socket with it. */
  const answer = async (a: FeedbackAnswer | null) => {
    const q = question.current;
    setPhase((p) => (p.name === 'ended' ? { ...p, ask: false } : p));
    if (q && a) await q.signal.ask('session:feedback', { sessionId: q.sessionId, answer: a }).catch(() => undefined);
    if (question.current === q) dropQuestion();
  };

  const teardown = () => {
    attempt.current++;
    live.current.call?.close();
    live.current.signal?.close();
    live.current.mic?.getTracks().forEach((tr) => tr.stop());
    live.current = {};
    setReconnecting(false);
    setOtherAway(false);
  };

  const joinSession = async (signal: Signal, sessionId: string) => {
    // Loaded first: from the check to the new Call nothing may wait, or two updates in a row would join twice.
    const { Call } = await callLibs();
    if (live.current.sessionId === sessionId && live.current.call) return;
    live.current.call?.close();
    live.current.sessionId = sessionId;
    const call = new Call(signal, sessionId, { mic: live.current.mic, onConnection: (s) => setReconnecting(s === 'reconnecting') });
    live.current.call = call;
    call.setVolume(volume.current);
    try {
      await call.start();
    } catch (e) {
      if (live.current.call !== call) return;
      setPhase({ name: 'error', message: e instanceof DOMException ? 'noMicrophone' : 'error' });
    }
  };

  const onUpdate = (signal: Signal) => (u: ServerEvents['request:update']) => {
    // An update can arrive before request:create's acknowledgement; a socket carries one request at a time.
    if (live.current.requestId && u.requestId !== live.current.requestId) return;
    live.current.requestId = u.requestId;
    if (u.returnCode && asked.current) setWayBack({ code: u.returnCode, until: Date.now() + RETURN_CODE_MS, request: asked.current });
    if (u.state === 'queued')
      setPhase((p) => ({
        name: 'waiting',
        position: u.queuePosition ?? (p.name === 'waiting' ? p.position : undefined),
        // Once told, the choice stays on screen until she makes it (her place in line may be announced meanwhile).
        // (The server says it again at each dispatch: once she chose to wait, she is not asked again.)
        noWomanFree: !live.current.choseToWait && (!!u.noWomanFree || (p.name === 'waiting' && !!p.noWomanFree)),
      }));
    else if (u.state === 'offering') setPhase({ name: 'ringing' });
    else if ((u.state === 'accepted' || u.state === 'connected') && u.sessionId) {
      // `accepted` names the interpreter; `connected` (both are in the call) does not: keep her name.
      setPhase((p) => ({ name: 'connected', firstName: u.interpreter?.firstName ?? (p.name === 'connected' ? p.firstName : '') }));
      void joinSession(signal, u.sessionId);
    } else if (u.state === 'unmatched') {
      teardown();
      setPhase({ name: 'unmatched' });
    } else if (['completed', 'cancelled', 'abandoned'].includes(u.state)) {
      ended();
    }
  };

  /** What any call needs from the socket: reconnection, the others' comings and goings, the end, a media rebuild. */
  const wire = (signal: Signal) => {
    signal.socket.on('disconnect', () => {
      if (live.current.signal === signal) setReconnecting(true);
    });
    // Back on the network (same anonymous token, so the server knows her request): the line position is
    // announced again by the server; a call in progress is joined again, in the same session.
    signal.socket.io.on('reconnect', () => {
      if (live.current.signal !== signal) return;
      setReconnecting(false);
      const sessionId = live.current.sessionId;
      if (sessionId) {
        live.current.call?.close();
        live.current.call = undefined;
        void joinSession(signal, sessionId);
      }
    });
    // The interpreter's media left: she hung up (request:update `completed` follows) or her network dropped
    // (she rejoins, or the server hands the call to the next interpreter): wait, and say so.
    signal.socket.on('session:participantLeft', (e) => {
      if (e.sessionId === live.current.sessionId && e.role !== 'caller') setOtherAway(true);
    });
    signal.socket.on('session:newProducer', (e) => {
      if (e.sessionId === live.current.sessionId && e.role !== 'caller') setOtherAway(false);
    });
    signal.socket.on('session:ended', (e) => {
      if (e.sessionId !== live.current.sessionId) return;
      if ((e.reason === 'interpreter_lost' || e.reason === 'media_failed' || e.reason === 'another_interpreter') && !live.current.hearing) {
        // Her request is back at the front of the line: the next interpreter takes the call.
        live.current.call?.close();
        live.current.call = undefined;
        live.current.sessionId = undefined;
        setPhase({ name: 'waiting' });
        return;
      }
      ended();
    });
    signal.socket.on('session:mediaRestart', (e) => {
      // The server rebuilt the call's media elsewhere: renegotiate in the same session.
      if (e.sessionId !== live.current.sessionId) return;
      live.current.call?.close();
      live.current.call = undefined;
      void joinSession(signal, e.sessionId);
    });
  };

  /** Her call; false when it could not start for want of a network (she stays on her step and taps again). */
  /** What she asks for (API.md `request:create`): nothing else about her. */
  const start = async (req: CreateRequestPayload): Promise<boolean> => {
    setPhase({ name: 'connecting' });
    const { returnCode, ...again } = req;
    asked.current = again;
    // She may leave (Back, hang up) while this waits on a slow network: then nothing more happens.
    const mine = attempt.current;
    const gone = () => attempt.current !== mine;
    let libs;
    try {
      libs = await callLibs();
    } catch {
      if (gone()) return true;
      setPhase(navigator.onLine === false ? { name: 'choosing' } : { name: 'error', message: 'error' });
      return navigator.onLine !== false;
    }
    if (gone()) return true;
    // The microphone first: if she cannot be heard, no interpreter is rung for nothing.
    try {
      const mic = await libs.openMicrophone();
      if (gone()) {
        mic.getTracks().forEach((tr) => tr.stop());
        return true;
      }
      live.current = { mic };
    } catch {
      if (!gone()) setPhase({ name: 'error', message: 'noMicrophone' });
      return true;
    }
    try {
      const token = await api.callerToken();
      if (gone()) return true;
      const signal = libs.connectSignal(token, true);
      live.current.signal = signal;
      signal.socket.on('request:update', onUpdate(signal));
      wire(signal);
      const r = await signal.ask('request:create', req);
      // A code works once: the one she used is gone (the interpreter who takes this call gives her a new one).
      // (Only that one: a fast interpreter's new code may already be here.)
      if (returnCode) setWayBack((w) => (w?.code === returnCode ? null : w));
      // The token and request live in memory only: nothing about the call is written to the device.
      live.current.requestId = r.requestId;
      setPhase((p) => (p.name === 'connecting' ? { name: r.state === 'offering' ? 'ringing' : 'waiting' } : p));
      return true;
    } catch (e) {
      if (gone()) return true;
      teardown();
      const offline = navigator.onLine === false;
      // Read by shape: a value import of lib/socket would bring socket.io into the first step's bundle.
      const refused = !!(e as Partial<AckError> | null)?.fields?.includes('returnCode');
      setPhase(offline ? { name: 'choosing' } : { name: 'error', message: refused ? 'returnCodeRefused' : 'error' });
      return !offline;
    }
  };

  // Her code stops working 24 hours after it was given: the page forgets it then, and its button goes.
  useEffect(() => {
    if (!wayBack) return;
    const forget = setTimeout(() => setWayBack(null), Math.max(0, wayBack.until - Date.now()));
    return () => clearTimeout(forget);
  }, [wayBack]);

  /** "Call back the same interpreter": what she asked for last time, with her return code, while it works. */
  const callBack = async () => {
    if (!wayBack || wayBack.until <= Date.now()) return;
    // What the last call left (its question's socket, a microphone) goes first, as when she calls again.
    dropQuestion();
    teardown();
    await start({ ...wayBack.request, returnCode: wayBack.code });
  };

  /**
   * A hearing's call from the official's code: the microphone first (a code works once), then the code for an
   * anonymous token and the session, straight into the call. Nothing is written to the device.
   */
  const joinHearing = async () => {
    const joinCode = code.current;
    if (!joinCode) return;
    setPhase({ name: 'connecting' });
    asked.current = null;
    try {
      const libs = await callLibs();
      live.current = { mic: await libs.openMicrophone(), hearing: true };
    } catch (e) {
      setPhase({ name: 'error', message: e instanceof DOMException ? 'noMicrophone' : 'error' });
      return;
    }
    let redeemed: { accessToken: string; sessionId: string; call: 'hearing' | 'interpreter_now' };
    try {
      redeemed = await request('/api/v1/bookings/join', { method: 'POST', body: JSON.stringify({ code: joinCode }) });
    } catch (e) {
      teardown();
      const status = e instanceof HttpError ? e.status : 0;
      // The server gives one answer (404) for a code that is wrong, used, expired or not open yet, so that it tells a
      // guesser nothing: she is told it does not open the call now, and may try again nearer the time.
      setPhase({ name: 'joinFailed', reason: status === 400 ? 'invalid' : status === 404 || status === 409 ? 'early' : 'error' });
      return;
    }
    code.current = null;
    live.current.byOfficial = redeemed.call === 'interpreter_now';
    const signal = (await callLibs()).connectSignal(redeemed.accessToken);
    live.current.signal = signal;
    wire(signal);
    setPhase({ name: 'connected', firstName: '' });
    await joinSession(signal, redeemed.sessionId);
  };

  const leave = async () => {
    const { signal, sessionId, requestId } = live.current;
    if (signal && sessionId) await signal.ask('session:leave', { sessionId });
    else if (signal && requestId) await signal.ask('request:cancel', { requestId });
  };

  const hangUp = async () => {
    await leave().catch(() => undefined);
    ended();
  };

  const exit = async () => {
    await rewindForExit();
    await quickExit(async () => {
      try {
        await leave();
      } finally {
        dropQuestion();
        teardown();
      }
    });
  };

  /** Back to choosing (after a call, or when she left one). */
  const reset = () => {
    dropQuestion();
    teardown();
    setMuted(false);
    setPhase({ name: 'choosing' });
  };

  /** No woman is free: she keeps waiting for one (the choice goes), or takes whoever is free first (request:choose). */
  const waitForWoman = () => {
    live.current.choseToWait = true;
    setPhase((p) => (p.name === 'waiting' ? { ...p, noWomanFree: false } : p));
  };
  const takeAnyone = async () => {
    const { signal, requestId } = live.current;
    if (!signal || !requestId) return;
    setPhase((p) => (p.name === 'waiting' ? { ...p, noWomanFree: false } : p));
    const r = await signal.ask('request:choose', { requestId, anyInterpreter: true }).catch(() => null);
    if (r?.state === 'offering') setPhase((p) => (p.name === 'waiting' ? { name: 'ringing' } : p));
  };

  /** Another interpreter (confirmed on screen): this one leaves, she waits at the front of the line for the next. */
  const another = async () => {
    const { signal, sessionId } = live.current;
    if (!signal || !sessionId) return;
    live.current.call?.close();
    live.current.call = undefined;
    live.current.sessionId = undefined;
    // That interpreter's code no longer works: the next one's comes when she takes the call.
    setWayBack(null);
    setPhase({ name: 'waiting' });
    const r = await signal.ask('session:another', { sessionId }).catch(() => null);
    if (r?.state === 'offering') setPhase((p) => (p.name === 'waiting' ? { name: 'ringing' } : p));
  };

  const toggleMute = () => {
    live.current.call?.setMuted(!muted);
    setMuted(!muted);
  };

  const toggleSpeaker = () => {
    volume.current = loud ? VOLUME.quiet : VOLUME.loud;
    live.current.call?.setVolume(volume.current);
    setLoud(!loud);
  };

  return {
    phase,
    reconnecting,
    otherAway,
    muted,
    loud,
    hearing: () => !!live.current.hearing,
    byOfficial: () => !!live.current.byOfficial,
    /** The hearing's call was not open yet (or the network failed): the same code can be tried once more. */
    canRetryJoin: phase.name === 'joinFailed' && phase.reason !== 'invalid' && !!code.current,
    /** What her current call asked for (its language, whether she is a girl), or null for a hearing's. */
    asked: () => asked.current,
    /** Her return code, to show (her own calls only). */
    returnCode: wayBack?.code ?? null,
    /** She can still call the same interpreter back with it (within its 24 hours). */
    canCallBack: !!wayBack && wayBack.until > Date.now(),
    start,
    callBack,
    joinHearing,
    hangUp,
    waitForWoman,
    takeAnyone,
    another,
    answer,
    exit,
    reset,
    toggleMute,
    toggleSpeaker,
  };
}

export type CallControl = ReturnType<typeof useCall>;
