import { MAX_INCOMING_BITRATE, MAX_OPUS_BITRATE } from '../src/media/media-policy';
import { MediaInspection } from '../src/media/media-inspection';
import { Closers, expectOnlyParticipantsTransports, inCall, matched, officialFor, stillTalking } from './utils/media-calls';
import { connect, TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';
import { CallPeer, flowing, hears, sees, VOICE_CODEC_OPTIONS } from './utils/webrtc-peer';

/** Opus as a client would declare it, for raw `media:produce` calls. */
const opus = (parameters: Record<string, unknown> = {}, ssrc = 1111) => ({
  codecs: [
    {
      mimeType: 'audio/opus',
      payloadType: 111,
      clockRate: 48000,
      channels: 2,
      parameters: { minptime: 10, useinbandfec: 1, usedtx: 1, ...parameters },
    },
  ],
  encodings: [{ ssrc }],
});

/** Caps on participants, transports, producers and bitrate; video only when a participant turns it on. */
describe('media caps and optional video (real mediasoup worker, real WebRTC clients)', () => {
  let t: TestApp;
  let rooms: MediaInspection;
  const closers: Closers = [];

  beforeAll(async () => {
    t = await startTestApp({ HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '60', CALLER_GRACE_SECONDS: '60' });
    rooms = t.app.get(MediaInspection);
  });
  // Each test's peers and sockets go with it: left running, every call's tones and decoders (on this process's
  // main thread, beside the server) would pile up test after test until the server answered too late.
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(() => t.close());

  /** Another socket of the same person (same token), as after a reconnect from a second tab or network. */
  async function again(s: TestSocket): Promise<TestSocket> {
    const other = await connect(t.url, (s.socket.auth as { token: string }).token);
    closers.push(() => other.close());
    return other;
  }

  it('keeps one peer per role: a fourth socket replaces the peer of its role, so a call never has more than three', async () => {
    const { ana, c, sessionId } = await matched(t, 'cab', closers);
    const judge = await officialFor(t, sessionId, closers);
    const { peers } = await inCall([c, ana.socket, judge], sessionId, closers);
    const before = (await rooms.inspect(sessionId))!;
    const oldCallerTransports = before.held.filter((h) => h.role === 'caller').map((h) => h.id);

    const second = await again(c);
    const her = await new CallPeer(second, sessionId).start();
    closers.push(() => her.close());
    expect(her.join.participants.map((p: { role: string }) => p.role).sort()).toEqual(['interpreter', 'official']);
    await ana.socket.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller');
    const info = await expectOnlyParticipantsTransports(t, sessionId, ['caller', 'interpreter', 'official']);
    expect(info.held.filter((h) => oldCallerTransports.includes(h.id))).toEqual([]);
    // The replaced socket's media is gone; it must join again to take part.
    expect((await c.call('media:createTransport', { sessionId, direction: 'send' })).error).toEqual({
      code: 'NOT_FOUND',
      message: 'join the session first',
    });
    expect((await c.call('media:restartIce', { transportId: peers[0].send.id })).error.code).toBe('NOT_FOUND');
  });

  it('allows one send and one receive transport per participant, even for requests sent at once; joining again starts afresh', async () => {
    const { c, sessionId } = await matched(t, 'kjb', closers);
    await c.call('session:join', { sessionId });
    const send = await c.call('media:createTransport', { sessionId, direction: 'send' });
    expect(send.id).toEqual(expect.any(String));
    expect((await c.call('media:createTransport', { sessionId, direction: 'send' })).error).toEqual({
      code: 'CONFLICT',
      message: 'a send transport already exists: join again to start afresh',
    });
    expect((await c.call('media:createTransport', { sessionId, direction: 'recv' })).id).toEqual(expect.any(String));
    expect((await c.call('media:createTransport', { sessionId, direction: 'recv' })).error.code).toBe('CONFLICT');
    expect((await rooms.inspect(sessionId))!.held).toHaveLength(2);

    await c.call('session:join', { sessionId });
    expect((await rooms.inspect(sessionId))!.routerTransportIds).toEqual([]);
    const burst = await Promise.all([1, 2, 3].map(() => c.call('media:createTransport', { sessionId, direction: 'send' })));
    expect(burst.filter((r) => r.id).length).toBe(1);
    expect(burst.filter((r) => r.error?.code === 'CONFLICT').length).toBe(2);
    const info = (await rooms.inspect(sessionId))!;
    expect(info.routerTransportIds).toEqual([burst.find((r) => r.id)!.id]);
  });

  it('allows one audio producer per participant, even for requests sent at once', async () => {
    const { c, sessionId } = await matched(t, 'knj', closers);
    await c.call('session:join', { sessionId });
    const send = await c.call('media:createTransport', { sessionId, direction: 'send' });
    const burst = await Promise.all(
      [1, 2, 3].map((i) => c.call('media:produce', { transportId: send.id, kind: 'audio', rtpParameters: opus({}, 1000 + i) })),
    );
    expect(burst.filter((r) => r.producerId).length).toBe(1);
    expect(burst.filter((r) => r.error).map((r) => r.error)).toEqual([
      { code: 'CONFLICT', message: 'an audio producer already exists' },
      { code: 'CONFLICT', message: 'an audio producer already exists' },
    ]);
    expect((await rooms.inspect(sessionId))!.producers).toHaveLength(1);
  });

  it('tells every client to send Opus mono with FEC and DTX at up to 32 kbit/s, refuses anything else, and caps what a transport takes in', async () => {
    const { ana, c, sessionId } = await matched(t, 'kvn', closers);
    // Each attempt from a fresh client on its own connection (a refused track leaves a wrtc peer connection
    // unusable for the next, and five joins in a row from one connection would trip the event rate limit).
    const fresh = async (s: TestSocket) => {
      const p = await new CallPeer(s === ana.socket ? s : await again(s), sessionId).start();
      closers.push(() => p.close());
      return p;
    };
    const interp = await fresh(ana.socket);
    // A real client asking for stereo, for no DTX, or for 60 ms frames is refused, naming the parameter.
    await expect((await fresh(c)).speak({ ...VOICE_CODEC_OPTIONS, opusStereo: true })).rejects.toThrow(
      'media:produce: VALIDATION rtpParameters.codecs[0].parameters.sprop-stereo: voice is sent in mono',
    );
    await expect((await fresh(c)).speak({ opusFec: true, opusDtx: false })).rejects.toThrow(
      'media:produce: VALIDATION rtpParameters.codecs[0].parameters.usedtx',
    );
    await expect((await fresh(c)).speak({ ...VOICE_CODEC_OPTIONS, opusPtime: 60 })).rejects.toThrow(
      'media:produce: VALIDATION rtpParameters.codecs[0].parameters.ptime',
    );
    const her = await fresh(c);
    const tooRich = await her.sock.call('media:produce', {
      transportId: her.send.id,
      kind: 'audio',
      rtpParameters: opus({ maxaveragebitrate: 128000 }),
    });
    expect(tooRich.error).toEqual({
      code: 'VALIDATION',
      message: `rtpParameters.codecs[0].parameters.maxaveragebitrate: Opus must stay at or under ${MAX_OPUS_BITRATE} bit/s`,
      fields: ['rtpParameters.codecs[0].parameters.maxaveragebitrate'],
    });
    expect((await rooms.inspect(sessionId))!.producers).toEqual([]);

    // What the web client sends is accepted, and the encoder was told the server's terms in its SDP answer.
    const voice = await her.speak();
    const opusLine = her
      .sendAnswer()
      .split('\r\n')
      .find((l) => l.startsWith('a=fmtp:') && l.includes('useinbandfec'))!;
    expect(
      Object.fromEntries(
        opusLine
          .replace(/^a=fmtp:\d+ /, '')
          .split(';')
          .map((kv) => kv.split('=')),
      ),
    ).toEqual(expect.objectContaining({ useinbandfec: '1', usedtx: '1', maxaveragebitrate: String(MAX_OPUS_BITRATE) }));
    expect(opusLine).not.toMatch(/stereo=1/);
    // libwebrtc keeps the frame length as its own attribute when it writes the description back.
    expect(her.sendAnswer()).toMatch(/^a=ptime:20$/m);
    await interp.listen(voice);
    await hears(interp, voice);
    const held = (await rooms.inspect(sessionId))!.held;
    expect(held.map((h) => h.maxIncomingBitrate)).toEqual(held.map(() => MAX_INCOMING_BITRATE));
  });

  it('sends video only once a participant turns it on, only to those who ask for it, and stops it when she turns it off', async () => {
    const { ana, c, sessionId } = await matched(t, 'gym', closers);
    const judge = await officialFor(t, sessionId, closers);
    const { peers, voices } = await inCall([c, ana.socket, judge], sessionId, closers);
    const [her, interp] = peers;

    await expect(interp.produceVideo()).rejects.toThrow('media:produce: CONFLICT turn video on first (media:video)');
    expect((await rooms.inspect(sessionId))!.producers.filter((p) => p.kind === 'video')).toEqual([]);

    const camera = await interp.showVideo();
    expect(await c.next('session:newProducer', (p) => p.producerId === camera)).toEqual({
      sessionId,
      producerId: camera,
      role: 'interpreter',
      kind: 'video',
    });
    await her.listen(camera);
    const seen = await sees(her, camera);
    expect([seen.width, seen.height]).toEqual([320, 240]);
    await flowing(rooms, sessionId, [camera]);
    let info = (await rooms.inspect(sessionId))!;
    expect(info.producers.filter((p) => p.kind === 'video')).toEqual([{ id: camera, role: 'interpreter', kind: 'video', paused: false }]);
    // The official did not ask for the picture, so none is sent to her.
    expect(info.consumers.filter((x) => x.kind === 'video')).toEqual([
      { id: expect.any(String), role: 'caller', producerId: camera, kind: 'video', paused: false },
    ]);
    await expect(interp.produceVideo()).rejects.toThrow('media:produce: CONFLICT a video producer already exists');

    expect(await interp.ask('media:video', { sessionId, on: false })).toEqual({ video: false });
    for (const s of [c, judge]) {
      expect(await s.next('session:producerClosed', (p) => p.producerId === camera)).toEqual({
        sessionId,
        producerId: camera,
        role: 'interpreter',
        kind: 'video',
      });
    }
    info = (await rooms.inspect(sessionId))!;
    expect(info.producers.filter((p) => p.kind === 'video')).toEqual([]);
    expect(info.consumers.filter((x) => x.kind === 'video')).toEqual([]);
    await expect(interp.produceVideo()).rejects.toThrow('media:produce: CONFLICT turn video on first (media:video)');
    await stillTalking(t, sessionId, peers, voices);
  });
});
