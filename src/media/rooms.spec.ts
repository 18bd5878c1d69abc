import { EventEmitter } from 'node:events';
import type { Router, WebRtcServer } from 'mediasoup/node/lib/types';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/principal';
import type { AppConfig } from '../config/config.schema';
import type { RealtimeService } from '../realtime/realtime.service';
import type { SessionsService } from '../sessions/sessions.service';
import { MediaConflict, MediaInvalid, MediaNotFound } from './media-errors';
import { MAX_INCOMING_BITRATE } from './media-policy';
import { Room, RoomEvents } from './room';
import { RoomsService } from './rooms.service';
import type { WorkerPoolService } from './worker-pool.service';

/**
 * The media rules (media-policy.ts, room.ts, peer.ts) and the registry of rooms (rooms.service.ts) against a fake router: just enough of mediasoup's
 * objects to count what is made and to close in the order mediasoup does (a transport takes its producers
 * and consumers with it; a producer its consumers; a router everything). Each call answers on a later turn
 * of the event loop, as the worker does, so that bursts really interleave.
 */

let ids = 0;
const nextId = (kind: string) => `${kind}-${++ids}`;
const later = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeObject {
  readonly id: string;
  readonly observer = new EventEmitter();
  closed = false;

  constructor(kind: string) {
    this.id = nextId(kind);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.observer.emit('close');
  }
}

class FakeProducer extends FakeObject {
  readonly consumers = new Set<FakeConsumer>();
  paused = false;

  constructor(readonly kind: 'audio' | 'video') {
    super('producer');
  }

  override close() {
    super.close();
    for (const c of this.consumers) c.close();
  }
}

class FakeConsumer extends FakeObject {
  readonly rtpParameters = { codecs: [], encodings: [] };
  readonly kind: 'audio' | 'video';
  readonly producerId: string;
  paused = true;

  constructor(producer: FakeProducer) {
    super('consumer');
    this.kind = producer.kind;
    this.producerId = producer.id;
  }

  async resume() {
    await later();
    this.paused = false;
  }
}

class FakeTransport extends FakeObject {
  readonly children = new Set<FakeObject>();
  readonly iceParameters = { usernameFragment: 'u', password: 'p' };
  readonly iceCandidates = [];
  readonly dtlsParameters = { fingerprints: [] };
  maxIncomingBitrate: number | null = null;
  connected = 0;
  iceRestarts = 0;

  constructor(private readonly router: FakeRouter) {
    super('transport');
  }

  async setMaxIncomingBitrate(bitrate: number) {
    await later();
    // mediasoup makes a transport whose router closed while it was being made, but the worker no longer knows it.
    if (this.router.closed)
      throw new Error(`Channel request handler with ID ${this.id} not found [method:transport.setMaxIncomingBitrate]`);
    this.maxIncomingBitrate = bitrate;
  }

  async connect({ dtlsParameters }: { dtlsParameters: { fingerprints?: unknown } }) {
    await later();
    // mediasoup's own check of a malformed parameter: a TypeError (the client's error).
    if (!Array.isArray(dtlsParameters.fingerprints)) throw new TypeError('missing fingerprints [method:transport.connect]');
    this.connected++;
  }

  async restartIce() {
    await later();
    this.iceRestarts++;
    return { ...this.iceParameters, usernameFragment: `u${this.iceRestarts}` };
  }

  async produce({ kind }: { kind: 'audio' | 'video' }) {
    await later();
    const producer = new FakeProducer(kind);
    this.router.producers.set(producer.id, producer);
    producer.observer.once('close', () => this.router.producers.delete(producer.id));
    this.children.add(producer);
    return producer;
  }

  async consume({ producerId, paused }: { producerId: string; paused: boolean }) {
    await later();
    const producer = this.router.producers.get(producerId);
    if (!producer) throw new Error('producer not found');
    const consumer = new FakeConsumer(producer);
    consumer.paused = paused;
    producer.consumers.add(consumer);
    this.children.add(consumer);
    return consumer;
  }

  override close() {
    super.close();
    for (const child of this.children) child.close();
  }
}

class FakeRouter {
  readonly rtpCapabilities = { codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] };
  readonly transports: FakeTransport[] = [];
  readonly producers = new Map<string, FakeProducer>();
  closed = false;
  /** What canConsume answers (a client whose capabilities cannot receive a producer). */
  receivable = true;

  async createWebRtcTransport(options: unknown) {
    await later();
    const transport = new FakeTransport(this);
    this.lastOptions = options;
    this.transports.push(transport);
    return transport;
  }

  lastOptions: unknown;

  canConsume({ producerId, rtpCapabilities }: { producerId: string; rtpCapabilities: unknown }) {
    if (typeof rtpCapabilities !== 'object' || rtpCapabilities === null) throw new TypeError('wrong rtpCapabilities');
    return this.receivable && this.producers.has(producerId);
  }

  close() {
    this.closed = true;
    for (const t of this.transports) t.close();
  }
}

const opus = () => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } }],
  encodings: [{ ssrc: 1 }],
});
const vp8 = () => ({ codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 2 }] });
const caps = { codecs: [] };

type Told = { to: string; event: keyof RoomEvents; payload: RoomEvents[keyof RoomEvents] };

function newRoom() {
  const router = new FakeRouter();
  const told: Told[] = [];
  const room = new Room('session-1', router as unknown as Router, {} as WebRtcServer, 0, (to, event, payload) =>
    told.push({ to, event, payload }),
  );
  return { router, room, told };
}

/** A participant with a connected send and receive transport. */
async function ready(room: Room, socketId: string, role: 'caller' | 'interpreter' | 'official') {
  room.join(socketId, role);
  const peer = room.peer(socketId);
  const send = await peer.createTransport('send');
  const recv = await peer.createTransport('recv');
  return { peer, send: send.id, recv: recv.id };
}

describe('Room: who is in the call', () => {
  it('keeps one peer per role: her second socket replaces the first, whose media closes, and the others are told', async () => {
    const { room, told } = newRoom();
    const first = await ready(room, 's1', 'caller');
    await ready(room, 's2', 'interpreter');
    await room.produce(first.peer, first.send, 'audio', opus());

    const others = room.join('s3', 'caller');
    expect(others).toEqual([{ role: 'interpreter', producers: [] }]);
    expect(first.peer.closed).toBe(true);
    expect(first.peer.transports()).toEqual([]);
    expect(room.peers().map((p) => [p.socketId, p.role])).toEqual([
      ['s2', 'interpreter'],
      ['s3', 'caller'],
    ]);
    expect(told).toContainEqual({ to: 's2', event: 'session:participantLeft', payload: { sessionId: 'session-1', role: 'caller' } });
    expect(told.filter((t) => t.to === 's1' && t.event === 'session:participantLeft')).toEqual([]);
    expect(room.participants()).toEqual([
      { role: 'interpreter', producers: [] },
      { role: 'caller', producers: [] },
    ]);
  });

  it('joining again from the same socket starts her media afresh', async () => {
    const { room } = newRoom();
    const before = await ready(room, 's1', 'caller');
    room.join('s1', 'caller');
    expect(before.peer.closed).toBe(true);
    expect(room.peer('s1')).not.toBe(before.peer);
    expect(room.peer('s1').transports()).toEqual([]);
  });

  it('tells the others what she sends, with her role', async () => {
    const { room, told } = newRoom();
    const her = await ready(room, 's1', 'caller');
    await ready(room, 's2', 'interpreter');
    const producer = await room.produce(her.peer, her.send, 'audio', opus());
    expect(told).toEqual([
      {
        to: 's2',
        event: 'session:newProducer',
        payload: { sessionId: 'session-1', producerId: producer.id, role: 'caller', kind: 'audio' },
      },
    ]);
    expect(room.join('s3', 'official')).toEqual([
      { role: 'caller', producers: [{ producerId: producer.id, kind: 'audio' }] },
      { role: 'interpreter', producers: [] },
    ]);
  });

  it('names no one who has not joined', () => {
    const { room } = newRoom();
    expect(() => room.peer('nobody')).toThrow(new MediaNotFound('join the session first'));
    expect(room.find('nobody')).toBeUndefined();
    expect(room.leave('nobody')).toBeUndefined();
    expect(() => room.setVideo('nobody', true)).toThrow(MediaNotFound);
  });
});

describe('Peer: transports', () => {
  it('makes WebRTC transports on the WebRtcServer, their incoming estimate capped', async () => {
    const { room, router } = newRoom();
    const { peer } = await ready(room, 's1', 'caller');
    expect(router.lastOptions).toMatchObject({ webRtcServer: {}, enableUdp: true, enableTcp: true, preferUdp: true });
    expect(router.transports.map((t) => t.maxIncomingBitrate)).toEqual([MAX_INCOMING_BITRATE, MAX_INCOMING_BITRATE]);
    expect(peer.transports().map((t) => t.direction)).toEqual(['send', 'recv']);
  });

  it('has one send and one receive transport, even when asked for several at once', async () => {
    const { room, router } = newRoom();
    room.join('s1', 'caller');
    const peer = room.peer('s1');
    const burst = await Promise.allSettled([
      peer.createTransport('send'),
      peer.createTransport('send'),
      peer.createTransport('recv'),
      peer.createTransport('recv'),
    ]);
    expect(burst.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((burst[1] as PromiseRejectedResult).reason).toEqual(
      new MediaConflict('a send transport already exists: join again to start afresh'),
    );
    expect((burst[3] as PromiseRejectedResult).reason).toEqual(
      new MediaConflict('a recv transport already exists: join again to start afresh'),
    );
    expect(router.transports).toHaveLength(2);
    await expect(peer.createTransport('send')).rejects.toThrow(MediaConflict);
  });

  it('closes a transport that was still being made when she left, and says she must join', async () => {
    const { room, router } = newRoom();
    room.join('s1', 'caller');
    const peer = room.peer('s1');
    const making = peer.createTransport('send');
    room.leave('s1');
    await expect(making).rejects.toEqual(new MediaNotFound('join the session first'));
    expect(router.transports.map((t) => t.closed)).toEqual([true]);
  });

  it('says she must join when her call ended while a transport was being made (its router closed under it)', async () => {
    const { room, router } = newRoom();
    room.join('s1', 'caller');
    const making = room.peer('s1').createTransport('send');
    room.close();
    await expect(making).rejects.toEqual(new MediaNotFound('join the session first'));
    expect(router.transports.map((t) => t.closed)).toEqual([true]);
  });

  it('connects a transport once; a malformed DTLS answer is a VALIDATION of dtlsParameters and may be sent again', async () => {
    const { room, router } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    const bad = await peer.connectTransport(send, {}).catch((e) => e);
    expect(bad).toBeInstanceOf(MediaInvalid);
    expect(bad).toMatchObject({ field: 'dtlsParameters', message: 'dtlsParameters: missing fingerprints' });
    await peer.connectTransport(send, { fingerprints: [] });
    await expect(peer.connectTransport(send, { fingerprints: [] })).rejects.toEqual(
      new MediaConflict('this transport is already connected'),
    );
    expect(router.transports[0].connected).toBe(1);
  });

  it('restarts ICE on her own transports only', async () => {
    const { room } = newRoom();
    const her = await ready(room, 's1', 'caller');
    const other = await ready(room, 's2', 'interpreter');
    expect((await her.peer.restartIce(her.recv)).usernameFragment).toBe('u1');
    await expect(her.peer.restartIce(other.recv)).rejects.toEqual(new MediaNotFound('no such transport'));
    expect(() => her.peer.transport('nope')).toThrow(new MediaNotFound('no such transport'));
  });

  it('forgets a transport closed under her (her router closed): a new one may be made', async () => {
    const { room, router } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    await room.produce(peer, send, 'audio', opus());
    router.transports[0].close();
    expect(peer.transports().map((t) => t.direction)).toEqual(['recv']);
    expect(peer.producers()).toEqual([]);
    await peer.createTransport('send');
    expect(peer.transports().map((t) => t.direction)).toEqual(['recv', 'send']);
  });
});

describe('Peer: producers', () => {
  it('sends on her send transport only', async () => {
    const { room } = newRoom();
    const { peer, recv } = await ready(room, 's1', 'caller');
    await expect(peer.produce(recv, 'audio', opus())).rejects.toEqual(
      new MediaInvalid('transportId', 'transportId is not a send transport'),
    );
    await expect(peer.produce('nope', 'audio', opus())).rejects.toEqual(new MediaNotFound('no such transport'));
  });

  it('refuses what mediasoup or the voice policy refuses, naming the field', async () => {
    const { room } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    const malformed = await peer.produce(send, 'audio', { codecs: 'none' }).catch((e) => e);
    expect(malformed).toBeInstanceOf(MediaInvalid);
    expect(malformed.field).toBe('rtpParameters');
    const stereo = opus();
    stereo.codecs[0].parameters = { useinbandfec: 1, usedtx: 0 };
    await expect(peer.produce(send, 'audio', stereo)).rejects.toMatchObject({ field: 'rtpParameters.codecs[0].parameters.usedtx' });
    expect(peer.producers()).toEqual([]);
  });

  it('has one audio producer, even when asked for several at once', async () => {
    const { room } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    const burst = await Promise.allSettled([room.produce(peer, send, 'audio', opus()), room.produce(peer, send, 'audio', opus())]);
    expect(burst.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((burst[1] as PromiseRejectedResult).reason).toEqual(new MediaConflict('an audio producer already exists'));
    expect(peer.producers()).toHaveLength(1);
  });

  it('closes a producer made after she left', async () => {
    const { room } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    const making = peer.produce(send, 'audio', opus());
    peer.close();
    await expect(making).rejects.toEqual(new MediaNotFound('join the session first'));
  });
});

describe('Room: the video rule (media:video)', () => {
  it('takes video only once she turned it on, and turning it off closes hers and tells the others', async () => {
    const { room, told } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    await ready(room, 's2', 'interpreter');
    await expect(room.produce(peer, send, 'video', vp8())).rejects.toEqual(new MediaConflict('turn video on first (media:video)'));

    room.setVideo('s1', true);
    expect(peer.video).toBe(true);
    const camera = await room.produce(peer, send, 'video', vp8());
    await expect(room.produce(peer, send, 'video', vp8())).rejects.toEqual(new MediaConflict('a video producer already exists'));

    told.length = 0;
    room.setVideo('s1', false);
    expect(camera.closed).toBe(true);
    expect(peer.producers()).toEqual([]);
    expect(told).toEqual([
      {
        to: 's2',
        event: 'session:producerClosed',
        payload: { sessionId: 'session-1', producerId: camera.id, role: 'caller', kind: 'video' },
      },
    ]);
    await expect(room.produce(peer, send, 'video', vp8())).rejects.toThrow(MediaConflict);
    // Off again with nothing to close tells no one.
    room.setVideo('s1', false);
    expect(told).toHaveLength(1);
  });

  it('closes a camera whose producer was still being made when she turned video off', async () => {
    const { room, router } = newRoom();
    const { peer, send } = await ready(room, 's1', 'caller');
    room.setVideo('s1', true);
    const making = room.produce(peer, send, 'video', vp8());
    room.setVideo('s1', false);
    await expect(making).rejects.toEqual(new MediaConflict('video was turned off'));
    expect(router.producers.size).toBe(0);
  });
});

describe('Room and Peer: consumers', () => {
  it("receives another participant's producer, paused, once, and resumes it", async () => {
    const { room } = newRoom();
    const her = await ready(room, 's1', 'caller');
    const them = await ready(room, 's2', 'interpreter');
    const voice = await room.produce(them.peer, them.send, 'audio', opus());
    const burst = await Promise.allSettled([room.consume('s1', voice.id, caps), room.consume('s1', voice.id, caps)]);
    expect(burst.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((burst[1] as PromiseRejectedResult).reason).toEqual(new MediaConflict('already consuming this producer'));
    const [consumer] = her.peer.consumers();
    expect(consumer).toMatchObject({ producerId: voice.id, kind: 'audio', paused: true });
    await her.peer.resumeConsumer(consumer.id);
    expect(consumer.paused).toBe(false);
    await expect(her.peer.resumeConsumer('nope')).rejects.toEqual(new MediaNotFound('no such consumer'));
    await expect(them.peer.resumeConsumer(consumer.id)).rejects.toEqual(new MediaNotFound('no such consumer'));
  });

  it('refuses her own producer, one not in this call, capabilities that cannot receive it, and a missing receive transport', async () => {
    const { room, router } = newRoom();
    const her = await ready(room, 's1', 'caller');
    const mine = await room.produce(her.peer, her.send, 'audio', opus());
    await expect(room.consume('s1', mine.id, caps)).rejects.toEqual(new MediaNotFound('no such producer in this call'));
    await expect(room.consume('s1', 'elsewhere', caps)).rejects.toEqual(new MediaNotFound('no such producer in this call'));

    room.join('s2', 'interpreter');
    const them = room.peer('s2');
    const send = await them.createTransport('send');
    const voice = await room.produce(them, send.id, 'audio', opus());
    await expect(room.consume('s2', mine.id, caps)).rejects.toEqual(new MediaConflict('create a recv transport first'));
    await expect(room.consume('s1', voice.id, 'caps')).rejects.toMatchObject({
      field: 'rtpCapabilities',
      message: 'rtpCapabilities: wrong rtpCapabilities',
    });
    router.receivable = false;
    await expect(room.consume('s1', voice.id, caps)).rejects.toEqual(
      new MediaInvalid('rtpCapabilities', 'rtpCapabilities cannot receive this producer'),
    );
  });
});

describe('close cascades', () => {
  it("her leaving closes her transports, her producers and the others' consumers of them", async () => {
    const { room } = newRoom();
    const her = await ready(room, 's1', 'caller');
    const them = await ready(room, 's2', 'interpreter');
    const voice = await room.produce(her.peer, her.send, 'audio', opus());
    const theirVoice = await room.produce(them.peer, them.send, 'audio', opus());
    await room.consume('s2', voice.id, caps);
    await room.consume('s1', theirVoice.id, caps);

    room.leave('s1');
    expect(voice.closed).toBe(true);
    expect(them.peer.consumers()).toEqual([]);
    expect(theirVoice.closed).toBe(false);
    expect(them.peer.producers()).toEqual([theirVoice]);
    await expect(her.peer.createTransport('send')).rejects.toEqual(new MediaNotFound('join the session first'));
  });

  it('closing the room closes every peer and the router', async () => {
    const { room, router } = newRoom();
    const her = await ready(room, 's1', 'caller');
    await room.produce(her.peer, her.send, 'audio', opus());
    room.close();
    expect(router.closed).toBe(true);
    expect(router.transports.every((t) => t.closed)).toBe(true);
    expect(her.peer.closed).toBe(true);
    expect(room.peers()).toEqual([]);
  });
});

describe("RoomsService: the registry of this node's rooms", () => {
  function registry() {
    const routers: FakeRouter[] = [];
    const pool = {
      events: new EventEmitter(),
      createRouter: jest.fn(async () => {
        await later();
        const router = new FakeRouter();
        routers.push(router);
        return { router, webRtcServer: {}, workerIndex: 0 };
      }),
    };
    let ended: (id: string) => void = () => undefined;
    const sessions = {
      participantRole: async (_id: string, p: Principal) => (p.sub === 'stranger' ? null : (p.role as 'caller' | 'interpreter')),
      markJoined: jest.fn(async () => undefined),
      markStarted: jest.fn(async () => undefined),
      onEnded: (listener: (id: string) => void) => (ended = listener),
    };
    const realtime = { emit: jest.fn() };
    const rooms = new RoomsService(
      pool as unknown as WorkerPoolService,
      sessions as unknown as SessionsService,
      realtime as unknown as RealtimeService,
      { TURN_URLS: [] } as unknown as AppConfig,
      {} as DataSource,
    );
    rooms.onModuleInit();
    return { rooms, pool, sessions, realtime, routers, end: (id: string) => ended(id) };
  }
  const as = (sub: string, role: string) => ({ sub, role }) as Principal;

  it('lets only participants in, opens one router per session however many join at once, and records the start once two roles are in', async () => {
    const { rooms, pool, sessions } = registry();
    await expect(rooms.join(as('stranger', 'caller'), 'x', 'session-1')).rejects.toEqual(new MediaNotFound('no such session'));
    const [her, them] = await Promise.all([
      rooms.join(as('c', 'caller'), 's1', 'session-1'),
      rooms.join(as('i', 'interpreter'), 's2', 'session-1'),
    ]);
    expect(pool.createRouter).toHaveBeenCalledTimes(1);
    expect(her).toEqual({ routerRtpCapabilities: expect.any(Object), iceServers: [], participants: [] });
    expect(them.participants).toEqual([{ role: 'caller', producers: [] }]);
    expect(sessions.markJoined.mock.calls).toEqual([
      ['session-1', 'caller'],
      ['session-1', 'interpreter'],
    ]);
    expect(sessions.markStarted).toHaveBeenCalledWith('session-1');
    await rooms.join(as('c2', 'caller'), 's3', 'session-2');
    expect(sessions.markStarted).not.toHaveBeenCalledWith('session-2');
  });

  it('finds a transport by its id for its own socket only, and forgets it once it closed', async () => {
    const { rooms } = registry();
    await rooms.join(as('c', 'caller'), 's1', 'session-1');
    await rooms.join(as('i', 'interpreter'), 's2', 'session-1');
    const send = await rooms.createTransport('s1', 'session-1', 'send');
    expect(Object.keys(send).sort()).toEqual(['dtlsParameters', 'iceCandidates', 'iceParameters', 'id']);
    await expect(rooms.connectTransport('s2', send.id, { fingerprints: [] })).rejects.toEqual(new MediaNotFound('no such transport'));
    await expect(rooms.restartIce('s2', send.id)).rejects.toEqual(new MediaNotFound('no such transport'));
    expect(await rooms.connectTransport('s1', send.id, { fingerprints: [] })).toEqual({});

    await rooms.join(as('c', 'caller'), 's1', 'session-1');
    await expect(rooms.restartIce('s1', send.id)).rejects.toEqual(new MediaNotFound('no such transport'));
    await expect(rooms.createTransport('s9', 'session-1', 'send')).rejects.toEqual(new MediaNotFound('join the session first'));
    await expect(rooms.createTransport('s1', 'session-2', 'send')).rejects.toEqual(new MediaNotFound('join the session first'));
  });

  it('tells participants by socket id, through the realtime service', async () => {
    const { rooms, realtime } = registry();
    await rooms.join(as('c', 'caller'), 's1', 'session-1');
    await rooms.join(as('i', 'interpreter'), 's2', 'session-1');
    const send = await rooms.createTransport('s1', 'session-1', 'send');
    const { producerId } = await rooms.produce('s1', send.id, 'audio', opus());
    expect(realtime.emit).toHaveBeenCalledWith('s2', 'session:newProducer', {
      sessionId: 'session-1',
      producerId,
      role: 'caller',
      kind: 'audio',
    });
    expect(rooms.setVideo('s1', 'session-1', true)).toEqual({ video: true });
    rooms.leave('s1', 'session-1');
    expect(realtime.emit).toHaveBeenLastCalledWith('s2', 'session:participantLeft', { sessionId: 'session-1', role: 'caller' });
    await expect(rooms.resumeConsumer('s1', 'session-1', 'any')).rejects.toEqual(new MediaNotFound('no such consumer'));
  });

  it('closes a room when its session ends, wherever it ended', async () => {
    const { rooms, routers, end } = registry();
    await rooms.join(as('c', 'caller'), 's1', 'session-1');
    const send = await rooms.createTransport('s1', 'session-1', 'send');
    end('session-1');
    expect(routers[0].closed).toBe(true);
    expect(rooms.find('session-1')).toBeUndefined();
    await expect(rooms.restartIce('s1', send.id)).rejects.toEqual(new MediaNotFound('no such transport'));
  });
});
