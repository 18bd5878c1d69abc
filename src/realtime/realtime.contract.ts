/**
 * The socket.io contract between the server and its clients: every event's name, payload and acknowledgement
 * (API.md "Socket.io events"; socket-events.doc.ts says the same for the OpenAPI page). The server's gateways,
 * its typed `Server`, the web client and the tests all type their sockets with it, so a payload changed here
 * is a compile error wherever it is sent or read.
 *
 * Types only, importing nothing but types from files without imports of their own: the client's build
 * includes this file and erases it (no byte of it reaches a bundle).
 */
import type { BookingState } from '../bookings/booking-state';
import type { Matter, ParticipantRole, PresenceStatus, Urgency } from '../common/domain';
import type { MediaKind } from '../media/media-policy';
import type { RequestState } from '../matching/priority';

export type { BookingState, Matter, MediaKind, ParticipantRole, PresenceStatus, RequestState, Urgency };

// ---- acknowledgements ---------------------------------------------------------------------------------------

export type AckErrorCode = 'VALIDATION' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'RATE_LIMITED' | 'INTERNAL';

/** What an acknowledgement carries instead of the result when the event failed; `fields` names the bad ones. */
export interface AckError {
  error: { code: AckErrorCode; message: string; fields?: string[] };
}

/** Every client event is acknowledged with its result or an AckError. */
export type Ack<T> = T | AckError;

/** Acknowledgements that carry nothing but "done". */
export type Done = Record<never, never>;

// ---- mediasoup's objects ------------------------------------------------------------------------------------

/*
 * mediasoup's parameter objects travel as they are. The server's mediasoup checks them in depth (a bad one is a
 * VALIDATION error naming the field) and each side reads them with its own library's types (mediasoup on the
 * server, mediasoup-client in the page), whose versions differ; so the contract only says they are objects.
 */
export type RtpCapabilities = object;
export type RtpParameters = object;
export type DtlsParameters = object;
export type IceParameters = object;
export type IceCandidate = object;

/** A TURN (or STUN) server handed to a participant when she joins a call. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

// ---- client to server ---------------------------------------------------------------------------------------

/** Her return code (issue 16): how many digits, and for how long it rings the same interpreter first. */
export const RETURN_CODE_DIGITS = 6;
export const RETURN_CODE_HOURS = 24;

/** `request:create`: what a woman asks for, and nothing else about her. */
export interface CreateRequestPayload {
  languageId: string;
  matter: Matter;
  urgency: Urgency;
  /** Under 18 or does not know: treated as a minor. */
  minor: boolean;
  /** A woman interpreter: only women are offered (if none is free she is told, `noWomanFree`, and may choose anyone). */
  preferFemale?: boolean;
  /** "Not from my country": nobody from a roster of the countries where her language is spoken. */
  notFromCountry?: boolean;
  /** Where she is now (never her nationality). */
  country?: string;
  /** What the other side speaks (default: the main language of where she is, or of the home roster; else Spanish). */
  targetLanguageId?: string;
  /** Her return code (six digits, used once, within 24 hours): the interpreter who gave it rings first. */
  returnCode?: string;
}

export interface RequestIdPayload {
  requestId: string;
}
export interface OfferIdPayload {
  offerId: string;
}
export interface SessionIdPayload {
  sessionId: string;
}
export interface TransportIdPayload {
  transportId: string;
}
export interface PresenceSetPayload {
  status: PresenceStatus;
}

/** Someone in the call and what she sends, as `session:join` lists them. */
export interface CallParticipant {
  role: ParticipantRole;
  producers: { producerId: string; kind: MediaKind }[];
}

/**
 * The media events, answered by the node that hosts the session's router (src/media). Payloads by event name;
 * results in MediaRpcResults.
 */
export interface MediaRpcRequests {
  'session:join': SessionIdPayload;
  'media:createTransport': { sessionId: string; direction: 'send' | 'recv' };
  'media:connectTransport': { transportId: string; dtlsParameters: DtlsParameters };
  'media:produce': { transportId: string; kind: MediaKind; rtpParameters: RtpParameters };
  'media:consume': { sessionId: string; producerId: string; rtpCapabilities: RtpCapabilities };
  'media:resumeConsumer': { consumerId: string };
  'media:restartIce': TransportIdPayload;
  /** She turns her camera on (then may produce one video) or off (her video producer closes). */
  'media:video': { sessionId: string; on: boolean };
}

export interface MediaRpcResults {
  'session:join': { routerRtpCapabilities: RtpCapabilities; iceServers: IceServer[]; participants: CallParticipant[] };
  'media:createTransport': { id: string; iceParameters: IceParameters; iceCandidates: IceCandidate[]; dtlsParameters: DtlsParameters };
  'media:connectTransport': Done;
  'media:produce': { producerId: string };
  /** The consumer is paused until `media:resumeConsumer`. */
  'media:consume': { consumerId: string; producerId: string; kind: MediaKind; rtpParameters: RtpParameters };
  'media:resumeConsumer': Done;
  'media:restartIce': { iceParameters: IceParameters };
  'media:video': { video: boolean };
}

/** Every client event's payload, by name. */
export interface ClientRequests extends MediaRpcRequests {
  'request:create': CreateRequestPayload;
  'request:cancel': RequestIdPayload;
  'presence:set': PresenceSetPayload;
  'offer:accept': OfferIdPayload;
  'offer:decline': OfferIdPayload;
  /** Her console showed the offer (else, OFFER_SEEN_SECONDS after it rang, it is pushed to her devices). */
  'offer:seen': OfferIdPayload;
  /** On a hearing's call, the official leaving ends the hearing for everyone. */
  'session:leave': SessionIdPayload;
  /** She needs more time after a call: her wrap-up time is extended once, by as long again. */
  'wrapup:extend': Record<string, never>;
  /** She asked for a woman and none is free: she takes whoever is free first. */
  'request:choose': { requestId: string; anyInterpreter: true };
  /** Another interpreter, no reason asked: this one's part ends, her request goes back to the front of the line without her. */
  'session:another': SessionIdPayload;
  /** After her call, one question, three faces (skippable: nothing is sent). */
  'session:feedback': { sessionId: string; answer: FeedbackAnswer };
  /** The interpreter's wrap-up ticks about a call (metadata only, never free text). */
  'session:wrapup': { sessionId: string; referredTo: ReferredTo[]; signs: WrapupSign[] };
}

export const FEEDBACK_ANSWERS = ['helped', 'unsure', 'not_helped'] as const;
export type FeedbackAnswer = (typeof FEEDBACK_ANSWERS)[number];
/** Where the interpreter referred the woman. */
export const REFERRED_TO = ['legal_aid', 'shelter', 'health', 'consulate', 'police', 'child_protection'] as const;
export type ReferredTo = (typeof REFERRED_TO)[number];
/** What the interpreter noticed: someone controlled the conversation; the quick exit was used. */
export const WRAPUP_SIGNS = ['controlled', 'quick_exit'] as const;
export type WrapupSign = (typeof WRAPUP_SIGNS)[number];

/** Every client event's result (the acknowledgement when it succeeded), by name. */
export interface ClientResults extends MediaRpcResults {
  'request:create': { requestId: string; state: RequestState };
  'request:cancel': { state: RequestState };
  'presence:set': { status: PresenceStatus };
  'offer:accept': OfferAccepted;
  'offer:decline': Done;
  'offer:seen': Done;
  'session:leave': Done;
  'wrapup:extend': { until: string };
  'request:choose': { state: RequestState };
  'session:another': { requestId: string; state: RequestState };
  'session:feedback': Done;
  'session:wrapup': Done;
}

/**
 * `offer:accept`: her call opened (`sessionId`); or, on one leg of a relay chain whose other leg has not accepted
 * yet, `waiting` (her offer holds her; `offer:session` tells her when the call opens, `offer:withdrawn` if it will not).
 */
export type OfferAccepted =
  | { sessionId: string; waiting?: undefined; until?: undefined }
  /** until (ISO 8601): when the chain stops waiting for the other leg; she is told then, one way or the other. */
  | { sessionId?: undefined; waiting: 'other_leg'; until: string };

export type ClientEvent = keyof ClientRequests;
export type MediaRpcEvent = keyof MediaRpcRequests;
/** What a gateway's handler of this event resolves to (the acknowledgement when it succeeds). */
export type Result<E extends ClientEvent> = Promise<ClientResults[E]>;

// ---- server to client ---------------------------------------------------------------------------------------

export interface RequestUpdate {
  requestId: string;
  /** `connected` (with sessionId) once the call's media has started. */
  state: RequestState;
  queuePosition?: number;
  interpreter?: { firstName: string };
  /** Every interpreter of her call by role, once it opened (a relay chain has two). */
  interpreters?: { firstName: string; role: ParticipantRole }[];
  sessionId?: string;
  /** `relay_unfilled`: no relay chain could be completed in time; one interpreter serves her instead. */
  notice?: 'relay_unfilled';
  /** She asked for a woman, none is free, and someone else is: she may keep waiting or choose anyone (`request:choose`). */
  noWomanFree?: true;
  /** Her way back, once an interpreter took her call (her own requests only): six digits, for 24 hours, used once. */
  returnCode?: string;
}

/** An offer rings; nothing else about the caller. */
/** Which part of the call an interpreter is offered: all of it, or one leg of a relay chain. */
export type OfferLeg = 'direct' | 'source' | 'relay';

export interface OfferNew {
  offerId: string;
  requestId: string;
  languageId: string;
  /** What the other side speaks (null: a request made before targets existed). */
  targetLanguageId: string | null;
  leg: OfferLeg;
  /** A relay chain's relay language (its legs: languageId → relayLanguageId, relayLanguageId → targetLanguageId). */
  relayLanguageId?: string;
  matter: Matter;
  urgency: Urgency;
  minor: boolean;
  /** ISO 8601. */
  expiresAt: string;
  /** She is coming back to this interpreter with the return code she gave her (nothing of what was said). */
  returning?: true;
}

export type OfferWithdrawnReason =
  | 'taken'
  | 'expired'
  | 'unavailable'
  | 'disconnected'
  | 'cancelled'
  | 'unmatched'
  | 'abandoned'
  | 'completed'
  /** Her relay chain's other leg was not filled in time: one interpreter serves the call instead. */
  | 'relay_unfilled';

/** Why the server changed her presence by itself (`unreachable`: on call, her last device that received offers by push is gone). */
export type PresenceChangeReason = 'missed_offers' | 'disconnected' | 'suspended' | 'unreachable';

/**
 * `interpreter_lost`, `media_failed` and `another_interpreter`: the caller's request is back at the front of the line. `hearing_over`
 * and `unfilled`: a hearing's booking ended it. The others are the request's own end.
 */
export type SessionEndReason =
  | 'completed'
  | 'cancelled'
  | 'abandoned'
  | 'unmatched'
  | 'interpreter_lost'
  | 'media_failed'
  | 'hearing_over'
  | 'unfilled'
  /** The woman asked for another interpreter (`session:another`): back at the front of the line; the interpreter is told only that. */
  | 'another_interpreter';

/** Why the official or the interpreter hears about a booking beyond its state. */
export type BookingNotice = 'asked' | 'widened' | 'unconfirmed' | 'no_interpreter' | 'declined' | 'reminder' | 'join_code_voided';

export interface BookingUpdate {
  bookingId: string;
  state: BookingState;
  notice?: BookingNotice;
  /** For a reminder: how many seconds before the hearing it was due. */
  reminderSeconds?: number;
}

/**
 * Her wrap-up time after a call (WRAPUP_SECONDS for its matter), during which nothing is offered to her: `until` (ISO
 * 8601), or null once it is over (it ran out, or she set herself available to end it early). `canExtend`: she has not
 * extended it yet (`wrapup:extend`, once).
 */
export interface WrapupUpdate {
  until: string | null;
  canExtend: boolean;
}

/** Every server event's payload, by name. */
export interface ServerEvents {
  'request:update': RequestUpdate;
  'offer:new': OfferNew;
  'offer:withdrawn': { offerId: string; reason: OfferWithdrawnReason };
  /**
   * The leg of a relay chain she accepted (`offer:accept` answered `waiting`) has its call now: join it. Sent again
   * when her console connects while a call she accepted is open.
   */
  'offer:session': { offerId: string; sessionId: string };
  'presence:update': { status: PresenceStatus; reason?: PresenceChangeReason };
  'session:newProducer': { sessionId: string; producerId: string; role: ParticipantRole; kind: MediaKind };
  /** The caller or the interpreter leaving ends an on-demand call; an official leaving does not. */
  'session:participantLeft': { sessionId: string; role: ParticipantRole };
  'session:ended': { sessionId: string; reason: SessionEndReason };
  /** The call's media was rebuilt elsewhere: join again and renegotiate; the session goes on. */
  'session:mediaRestart': { sessionId: string; reason: 'worker_died' | 'node_died' };
  /** One producer closed while its participant stays (e.g. she turned her video off). */
  'session:producerClosed': { sessionId: string; producerId: string; role: ParticipantRole; kind: MediaKind };
  'booking:update': BookingUpdate;
  /** Her wrap-up started (a call ended), was extended or is over; also sent when her console connects during one. */
  'wrapup:update': WrapupUpdate;
}

export type ServerEvent = keyof ServerEvents;

// ---- socket.io's event maps ---------------------------------------------------------------------------------

/** socket.io's shape of the client events: `Server<ClientToServerEvents, …>`, `Socket<…, ClientToServerEvents>`. */
export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientRequests[E], ack: (answer: Ack<ClientResults[E]>) => void) => void;
};

/** socket.io's shape of the server events. */
export type ServerToClientEvents = {
  [E in ServerEvent]: (payload: ServerEvents[E]) => void;
};
