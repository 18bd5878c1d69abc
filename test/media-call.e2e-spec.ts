import { MediaInspection } from '../src/media/media-inspection';
import { caller, interpreter, until } from './utils/matching-fixtures';
import { Closers, expectOnlyParticipantsTransports, inCall, matched, officialFor, sessionRow, stillTalking } from './utils/media-calls';
import { connect, TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';
import { CallPeer, flowing, hears } from './utils/webrtc-peer';

const sorted = <T>(xs: T[]) => [...xs].sort();

/** Real WebRTC clients (mediasoup-client over @roamhq/wrtc) against the real mediasoup worker. */
describe('a matched call carries audio both ways', () => {
  let t: TestApp;
  let rooms: MediaInspection;
  const closers: Closers = [];
  const session = (id: string) => sessionRow(t, id);

  beforeAll(async () => {
    t = await startTestApp({
      HOME_COUNTRY: 'GT',
      INTERPRETER_GRACE_SECONDS: '2',
      CALLER_GRACE_SECONDS: '2',
      MATCHING_SWEEP_SECONDS: '0.5',
    });
    rooms = t.app.get(MediaInspection);
  });
  // Each test's peers and sockets go with it: left running, every call's tones and decoders (on this process's
  // main thread, beside the server) would pile up test after test until the server answered too late.
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(() => t.close());

  it('starts the call when the second party joins; caller and interpreter hear each other; the router holds only their WebRTC transports', async () => {
    const { ana, c, sessionId } = await matched(t, 'mam', closers);
    const her = await new CallPeer(c, sessionId).start();
    closers.push(() => her.close());
    // Alone in it, she has not started a call yet.
    expect(await session(sessionId)).toEqual({ started_at: null, ended_at: null, end_reason: null, participant_roles: ['caller'] });
    const interp = await new CallPeer(ana.socket, sessionId).start();
    closers.push(() => interp.close());
    const started = await session(sessionId);
    expect(started).toEqual({
      started_at: expect.any(Date),
      ended_at: null,
      end_reason: null,
      participant_roles: ['caller', 'interpreter'],
    });
    const herVoice = await her.speak();
    const interpVoice = await interp.speak();
    const announced = await interp.sock.next('session:newProducer', (p) => p.producerId === herVoice);
    expect(announced).toEqual({ sessionId, producerId: herVoice, role: 'caller', kind: 'audio' });
    await interp.listen(herVoice);
    await her.listen(interpVoice);
    expect((await hears(interp, herVoice)).peak).toBeGreaterThan(1000);
    expect((await hears(her, interpVoice)).peak).toBeGreaterThan(1000);
    await flowing(rooms, sessionId);
    await expectOnlyParticipantsTransports(t, sessionId, ['caller', 'interpreter']);
    // Joining again (the same people) does not restart the clock.
    expect((await session(sessionId)).started_at).toEqual(started.started_at);
  });

  it('restarts ICE on both sides: the new ICE credentials are the ones in use, and audio keeps flowing', async () => {
    const { ana, c, sessionId } = await matched(t, 'mop', closers);
    const { peers, voices } = await inCall([c, ana.socket], sessionId, closers);
    const before = (await rooms.inspect(sessionId))!;
    const old = before.iceUsernameFragments.map((f) => f.localIceUsernameFragment);
    expect(sorted(old)).toEqual(sorted(before.held.map((h) => h.iceUsernameFragment)));
    expect(old).toHaveLength(4);

    const fresh = [...(await peers[0].restartIce()), ...(await peers[1].restartIce())];
    expect(fresh.filter((f) => old.includes(f))).toEqual([]);
    // The worker keeps a transport's old fragment until a STUN request signed with the new one arrives, then
    // drops it: once only the new ones are left, every client's connectivity checks use the new parameters.
    const after = await until(
      () => rooms.inspect(sessionId),
      (i) => !!i && i.iceUsernameFragments.length === 4 && i.iceUsernameFragments.every((f) => fresh.includes(f.localIceUsernameFragment)),
    );
    expect(sorted(after!.iceUsernameFragments.map((f) => f.localIceUsernameFragment))).toEqual(sorted(fresh));
    expect(sorted(after!.held.map((h) => h.iceUsernameFragment))).toEqual(sorted(fresh));
    await stillTalking(t, sessionId, peers, voices);
  });

  it('carries a three-party call: an official joins as the third party and everyone hears the other two', async () => {
    const { ana, c, sessionId } = await matched(t, 'tzo', closers);
    const judge = await officialFor(t, sessionId, closers);
    const { peers, voices } = await inCall([c, ana.socket, judge], sessionId, closers);
    await stillTalking(t, sessionId, peers, voices);
    await expectOnlyParticipantsTransports(t, sessionId, ['caller', 'interpreter', 'official']);
    expect((await session(sessionId)).participant_roles).toEqual(['caller', 'interpreter', 'official']);
    const other = await createStaff(t, 'official', { country: 'MX', institution: 'Another court' });
    const outsider = await connect(t.url, other.token);
    closers.push(() => outsider.close());
    expect((await outsider.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
  });

  it("refuses someone else's join and malformed media payloads (mediasoup's own checks, on real transports) without disturbing the call", async () => {
    const { ana, c, sessionId } = await matched(t, 'quc', closers);
    const intruder: TestSocket = await caller(t);
    closers.push(() => intruder.close());
    expect((await intruder.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    const { peers, voices } = await inCall([c, ana.socket], sessionId, closers);

    // The official has a real transport that is not connected yet: the worker itself checks what she sends.
    const judge = await officialFor(t, sessionId, closers);
    await judge.call('session:join', { sessionId });
    const send = await judge.call('media:createTransport', { sessionId, direction: 'send' });
    const fingerprint = { algorithm: 'sha-256', value: 'AB:CD' };
    for (const [dtlsParameters, reason] of [
      [{ role: 'client' }, 'missing dtlsParameters.fingerprints'],
      [{ role: 'client', fingerprints: [] }, 'empty dtlsParameters.fingerprints array'],
      [{ role: 'client', fingerprints: [{ algorithm: 'md4', value: 'AB:CD' }] }, 'invalid fingerprint.algorithm value'],
      [{ role: 'sideways', fingerprints: [fingerprint] }, 'invalid dtlsParameters.role value'],
    ] as const) {
      expect(await judge.call('media:connectTransport', { transportId: send.id, dtlsParameters })).toEqual({
        error: { code: 'VALIDATION', message: `dtlsParameters: ${reason}`, fields: ['dtlsParameters'] },
      });
    }
    const opus = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } };
    for (const [rtpParameters, message] of [
      [{ codecs: 'opus' }, 'rtpParameters: missing params.codecs'],
      [{ codecs: [{ ...opus, payloadType: 'x' }] }, 'rtpParameters: missing codec.payloadType'],
      [{ codecs: [opus], encodings: [{ ssrc: 'one' }] }, 'rtpParameters: invalid encoding.ssrc'],
      // Well formed, but no codec of the router matches: mediasoup's UnsupportedError.
      [
        { codecs: [{ ...opus, clockRate: 16000 }], encodings: [{ ssrc: 1111 }] },
        'rtpParameters: unsupported codec [mimeType:audio/opus, payloadType:111]',
      ],
    ] as const) {
      expect(await judge.call('media:produce', { transportId: send.id, kind: 'audio', rtpParameters })).toEqual({
        error: { code: 'VALIDATION', message, fields: ['rtpParameters'] },
      });
    }
    // Malformed capabilities for a real producer, and ids that are not hers.
    const badCaps = await c.call('media:consume', { sessionId, producerId: voices[1], rtpCapabilities: { codecs: 'nope' } });
    expect(badCaps.error).toEqual({
      code: 'VALIDATION',
      message: 'rtpCapabilities cannot receive this producer',
      fields: ['rtpCapabilities'],
    });
    expect(
      (await c.call('media:produce', { transportId: '00000000-0000-4000-8000-000000000000', kind: 'audio', rtpParameters: {} })).error.code,
    ).toBe('NOT_FOUND');
    expect((await c.call('media:produce', { transportId: peers[0].recv.id, kind: 'audio', rtpParameters: {} })).error).toEqual({
      code: 'VALIDATION',
      message: 'transportId is not a send transport',
      fields: ['transportId'],
    });
    expect((await judge.call('media:produce', { transportId: peers[0].send.id, kind: 'audio', rtpParameters: {} })).error.code).toBe(
      'NOT_FOUND',
    );
    expect((await c.send('media:connectTransport', { transportId: 'x', dtlsParameters: 5 })).error.code).toBe('VALIDATION');
    expect((await intruder.call('media:createTransport', { sessionId, direction: 'send' })).error.code).toBe('NOT_FOUND');

    // Nothing was half made: the official holds her one transport, no producer; the others talk on.
    const info = (await rooms.inspect(sessionId))!;
    expect(info.held.filter((h) => h.role === 'official').map((h) => h.id)).toEqual([send.id]);
    expect(info.producers.map((p) => p.role).sort()).toEqual(['caller', 'interpreter']);
    await stillTalking(t, sessionId, peers, voices);
  });

  it('creates consumers paused: nothing flows to a consumer until it is resumed', async () => {
    const { ana, c, sessionId } = await matched(t, 'jac', closers);
    const her = await new CallPeer(c, sessionId).start();
    const interp = await new CallPeer(ana.socket, sessionId).start();
    closers.push(
      () => her.close(),
      () => interp.close(),
    );
    const voice = await interp.speak();
    await her.listen(voice, { resume: false });
    const consumerId = her.consumers.get(voice).id;
    expect((await rooms.inspect(sessionId))!.consumers).toEqual([
      { id: consumerId, role: 'caller', producerId: voice, kind: 'audio', paused: true },
    ]);
    // Her voice reaches the server (the producer's bytes grow) while the paused consumer sends nothing.
    await flowing(rooms, sessionId, [voice]);
    await flowing(rooms, sessionId, [voice]);
    expect((await rooms.traffic(sessionId))!.get(consumerId)).toBe(0);
    expect(await her.packetsReceived(voice)).toBe(0);

    await her.resume(voice);
    expect((await rooms.inspect(sessionId))!.consumers).toEqual([
      { id: consumerId, role: 'caller', producerId: voice, kind: 'audio', paused: false },
    ]);
    await flowing(rooms, sessionId, [voice, consumerId]);
    await hears(her, voice);
  });

  it('records a completed call: started, ended, the roles, the reason', async () => {
    const { ana, c, sessionId } = await matched(t, 'ppl', closers);
    await inCall([c, ana.socket], sessionId, closers);
    expect(await c.call('session:leave', { sessionId })).toEqual({});
    await ana.socket.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller');
    const row = await until(
      () => session(sessionId),
      (r) => !!r.ended_at,
    );
    expect(row).toEqual({
      started_at: expect.any(Date),
      ended_at: expect.any(Date),
      end_reason: 'completed',
      participant_roles: ['caller', 'interpreter'],
    });
    expect(row.started_at!.getTime()).toBeLessThanOrEqual(row.ended_at!.getTime());
    expect(
      await until(
        () => rooms.inspect(sessionId),
        (i) => i === null,
      ),
    ).toBeNull();
  });

  it('hands the caller to the next interpreter when hers is gone past her grace period, and records why the first call ended', async () => {
    const { ana, c, sessionId } = await matched(t, 'ixl', closers);
    await inCall([c, ana.socket], sessionId, closers);
    const next = await interpreter(t, { languages: 'ixl:5', firstName: 'Berta' });
    closers.push(() => next.socket.close());
    ana.socket.close();
    await c.next('session:ended', (e) => e.sessionId === sessionId && e.reason === 'interpreter_lost');
    const row = await session(sessionId);
    expect(row).toEqual({
      started_at: expect.any(Date),
      ended_at: expect.any(Date),
      end_reason: 'interpreter_lost',
      participant_roles: ['caller', 'interpreter'],
    });
    expect(row.started_at!.getTime()).toBeLessThanOrEqual(row.ended_at!.getTime());
    const offer = await next.socket.next('offer:new');
    const { sessionId: second } = await next.socket.call('offer:accept', { offerId: offer.offerId });
    const update = await c.next('request:update', (u) => u.state === 'accepted' && u.sessionId === second);
    expect(update.interpreter).toEqual({ firstName: 'Berta' });
    await inCall([c, next.socket], second, closers);
    expect(await session(second)).toEqual({
      started_at: expect.any(Date),
      ended_at: null,
      end_reason: null,
      participant_roles: ['caller', 'interpreter'],
    });
    const audit = await t.sql(`SELECT type FROM audit_events WHERE subject_id = $1 AND type = 'request.requeued'`, [update.requestId]);
    expect(audit).toHaveLength(1);
  });

  it('ends the call when the caller is gone past her grace period', async () => {
    const { ana, c, sessionId } = await matched(t, 'poh', closers);
    await inCall([c, ana.socket], sessionId, closers);
    c.close();
    await ana.socket.next('session:ended', (e) => e.sessionId === sessionId);
    const [row] = await t.sql(
      `SELECT s.end_reason, s.started_at IS NOT NULL AS started, r.state FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`,
      [sessionId],
    );
    expect(row).toEqual({ end_reason: 'abandoned', started: true, state: 'abandoned' });
    expect(await rooms.inspect(sessionId)).toBeNull();
  });
});
