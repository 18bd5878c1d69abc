import type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from 'mediasoup/node/lib/types';
import type { Principal } from '../auth/principal';
import type { MediaRpcRequests, MediaRpcResults } from '../realtime/realtime.contract';
import {
  ConnectTransportDto,
  ConsumeDto,
  ConsumerIdDto,
  CreateTransportDto,
  EvictDto,
  JoinSessionDto,
  ProduceDto,
  TransportIdDto,
  VideoToggleDto,
} from './dto/media.dto';
import type { IceServer } from './ice-servers';
import type { MediaKind } from './media-policy';
import type { Participant } from './room';
import type { RoomsService } from './rooms.service';

export interface JoinAnswer {
  routerRtpCapabilities: RtpCapabilities;
  iceServers: IceServer[];
  /** The others in the call when she joined, with what they send. */
  participants: Participant[];
}

export interface TransportAnswer {
  id: string;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
}

/** A paused consumer: she resumes it (`media:resumeConsumer`) once her side is ready. */
export interface ConsumeAnswer {
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
}

/** Who asks, and about which session (the signalling found it from the ids she was handed). */
export interface MediaCall {
  socketId: string;
  principal: Principal;
  sessionId: string;
}

export interface MediaOperation<Dto extends object, Result> {
  /** Its payload's class: the gateway validates with it, and so does a node answering another node. */
  dto: new () => Dto;
  /** Runs on the node that hosts the session's router. */
  run(rooms: RoomsService, call: MediaCall, args: Dto): Promise<Result>;
}

const operation = <Dto extends object, Result>(
  dto: new () => Dto,
  run: (rooms: RoomsService, call: MediaCall, args: Dto) => Result | Promise<Result>,
): MediaOperation<Dto, Result> => ({
  dto,
  run: async (rooms, call, args) => run(rooms, call, args),
});

/**
 * Every media operation a participant's socket can ask for (and `leave`, which her disconnect asks for), as
 * the hosting node runs it. A session's operations run where its router is (MediaSignallingService).
 */
export const MEDIA_RPC = {
  join: operation(JoinSessionDto, (rooms, c): Promise<JoinAnswer> => rooms.join(c.principal, c.socketId, c.sessionId)),
  createTransport: operation(CreateTransportDto, (rooms, c, a): Promise<TransportAnswer> =>
    rooms.createTransport(c.socketId, c.sessionId, a.direction),
  ),
  connectTransport: operation(ConnectTransportDto, (rooms, c, a): Promise<Record<string, never>> =>
    rooms.connectTransport(c.socketId, a.transportId, a.dtlsParameters),
  ),
  produce: operation(ProduceDto, (rooms, c, a): Promise<{ producerId: string }> =>
    rooms.produce(c.socketId, a.transportId, a.kind, a.rtpParameters),
  ),
  video: operation(VideoToggleDto, (rooms, c, a): { video: boolean } => rooms.setVideo(c.socketId, c.sessionId, a.on)),
  consume: operation(ConsumeDto, (rooms, c, a): Promise<ConsumeAnswer> =>
    rooms.consume(c.socketId, c.sessionId, a.producerId, a.rtpCapabilities),
  ),
  resumeConsumer: operation(ConsumerIdDto, (rooms, c, a): Promise<Record<string, never>> =>
    rooms.resumeConsumer(c.socketId, c.sessionId, a.consumerId),
  ),
  restartIce: operation(TransportIdDto, (rooms, c, a): Promise<{ iceParameters: IceParameters }> =>
    rooms.restartIce(c.socketId, a.transportId),
  ),
  /** The same payload as `session:join`: her socket leaves the session's call. */
  leave: operation(JoinSessionDto, (rooms, c): Record<string, never> => {
    rooms.leave(c.socketId, c.sessionId);
    return {};
  }),
  /** Asked by a node, never by a client (no socket event names it): an interpreter released from the call is dropped. */
  evict: operation(EvictDto, (rooms, c, a): Record<string, never> => {
    rooms.evict(c.sessionId, a.role);
    return {};
  }),
};

export type MediaOp = keyof typeof MEDIA_RPC;
export type MediaArgs<Op extends MediaOp> = (typeof MEDIA_RPC)[Op] extends MediaOperation<infer Dto, unknown> ? Dto : never;
export type MediaResult<Op extends MediaOp> = (typeof MEDIA_RPC)[Op] extends MediaOperation<object, infer Result> ? Result : never;

export function isMediaOp(op: unknown): op is MediaOp {
  return typeof op === 'string' && Object.hasOwn(MEDIA_RPC, op);
}

/** The socket event of each operation a client asks for (API.md; `media:video` is an addition). */
export const MEDIA_EVENTS = {
  'session:join': 'join',
  'media:createTransport': 'createTransport',
  'media:connectTransport': 'connectTransport',
  'media:produce': 'produce',
  'media:video': 'video',
  'media:consume': 'consume',
  'media:resumeConsumer': 'resumeConsumer',
  'media:restartIce': 'restartIce',
} as const satisfies Record<string, MediaOp>;

type MediaEvent = keyof typeof MEDIA_EVENTS;
/** The media events' payloads, keyed by event name, as the realtime contract names them. */
export type MediaTableRequests = { [E in MediaEvent]: MediaArgs<(typeof MEDIA_EVENTS)[E]> };
/** The media events' acknowledgements when they succeed, keyed by event name. */
export type MediaTableResults = { [E in MediaEvent]: MediaResult<(typeof MEDIA_EVENTS)[E]> };

/*
 * The table answers exactly what the realtime contract (the client's side of the wire, without mediasoup's
 * server types) promises, and takes what it says a client sends: a change to either fails to compile here.
 */
type Holds<T extends true> = T;
export type TableKeepsContract = [
  Holds<MediaTableResults extends MediaRpcResults ? true : false>,
  Holds<MediaTableRequests extends MediaRpcRequests ? true : false>,
];
