import type { Principal } from '../auth/principal';
import type { PuenteSocket } from '../realtime/puente-socket';
import type { SessionEndReason } from '../realtime/realtime.contract';
import type { InterpreterRole } from '../common/domain';
import type { EndedWrapup } from '../sessions/sessions.repository';

/**
 * Every event of the internal bus, by name, with its listeners' arguments. These tie this node's modules
 * together; nothing here crosses to another node (what every node must hear arrives on each one through Redis
 * or PostgreSQL, and is published here on each).
 */
export interface BusEvents {
  /** An authenticated socket connected to this node (RealtimeGateway; not while the node shuts down). */
  'socket.connected': [principal: Principal, socket: PuenteSocket];
  /** A socket of this node went away (RealtimeGateway; not while the node shuts down). */
  'socket.disconnected': [principal: Principal, socket: PuenteSocket];
  /** Her roster admin suspended her (RostersService, after the commit): presence sets her away if she is available, bookings release her upcoming hearings. */
  'interpreter.suspended': [interpreterId: string];
  /**
   * A roster import changed the languages she interprets from (RosterImportService, after the commit): presence lists
   * her under them at once if she can be rung, and matching serves her the waiting line.
   */
  'interpreter.languages_changed': [interpreterId: string];
  /** A roster import changed her certification (RosterImportService, after the commit): bookings release the hearings it no longer allows. */
  'interpreter.certification_changed': [interpreterId: string];
  /** She is available now: matching serves her the waiting line (PresenceService). */
  'presence.available': [interpreterId: string];
  /** She is no longer available (away, offline, or she missed offers): her pending offers are withdrawn. */
  'presence.unavailable': [interpreterId: string];
  /** Her last socket went: her grace period starts, her pending offers are withdrawn. */
  'presence.disconnected': [interpreterId: string];
  /** Her grace period ran out: matching hands her call to the next interpreter. */
  'presence.lost': [interpreterId: string];
  /**
   * A session's end committed, on whichever node (SessionsService hears it on every node, once per node; a node
   * that died before announcing its own is made up for by each node's sweep, seconds later).
   */
  'session.ended': [sessionId: string, reason?: SessionEndReason];
  /** A call's end started its interpreters' wrap-up, until then (SessionsService, on every node, after the commit). */
  'wrapup.started': [wrapups: EndedWrapup[]];
  /** Her wrap-up is over (it ran out: WrapupService's job): matching serves her the waiting line if she is available. */
  'wrapup.over': [interpreterId: string];
  /** Her last device that receives offers by push is gone (PushService): on call, she is set away. */
  'push.unreachable': [interpreterId: string];
  /** Her console did not show an offer within OFFER_SEEN_SECONDS (PushService, after pushing it): an emergency rings the next too. */
  'offer.unseen': [offerId: string];
  /**
   * An interpreter was released from a live hearing's call on this node (SessionsService.unseat, after the commit):
   * media asks the node hosting the call to drop her peer.
   */
  'session.unseated': [sessionId: string, role: InterpreterRole];
}

export type BusEvent = keyof BusEvents;
export type BusListener<E extends BusEvent> = (...args: BusEvents[E]) => unknown;
