import { MediaService } from '../src/media/media.service';
import { RoomsService } from '../src/media/rooms.service';
import { caller, interpreter, languageId } from './utils/matching-fixtures';
import { connect, TestSocket } from './utils/socket-client';
import { createStaff, startTestApp, TestApp } from './utils/test-app';
import { CallPeer, hears } from './utils/webrtc-peer';

/** Real WebRTC clients (mediasoup-client over @roamhq/wrtc) against the real mediasoup worker. */
describe('a matched call carries audio both ways', () => {
  let t: TestApp;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    t = await startTestApp({ HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '2', CALLER_GRACE_SECONDS: '2', MATCHING_SWEEP_MS: '500' });
  });
  afterAll(async () => {
    closers.forEach((c) => c());
    await t.close();
  });

  async function matched(iso: string) {
    const ana = await interpreter(t, { languages: `${iso}:5` });
    const c = await caller(t);
    closers.push(() => ana.socket.close(), () => c.close());
    await c.call('request:create', { languageId: await languageId(t, iso), matter: 'violence', urgency: 'urgent', minor: false });
    const offer = await ana.socket.next('offer:new');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    return { ana, c, sessionId: sessionId as string };
  }

  it('caller and interpreter hear each other; the router holds only their WebRTC transports', async () => {
    const { ana, c, sessionId } = await matched('mam');
    const her = await new CallPeer(c, sessionId).start();
    const interp = await new CallPeer(ana.socket, sessionId).start();
    closers.push(() => her.close(), () => interp.close());
    const herVoice = await her.speak();
    const interpVoice = await interp.speak();
    const announced = await interp.sock.next('session:newProducer', (p) => p.producerId === herVoice);
    expect(announced).toEqual({ sessionId, producerId: herVoice, role: 'caller', kind: 'audio' });
    await interp.listen(herVoice);
    await her.listen(interpVoice);
    expect((await hears(interp, herVoice)).peak).toBeGreaterThan(1000);
    expect((await hears(her, interpVoice)).peak).toBeGreaterThan(1000);
    const { held, routerTransportIds } = (await t.app.get(RoomsService).inspect(sessionId))!;
    expect(held).toHaveLength(4);
    expect(new Set(held.map((h) => h.kind))).toEqual(new Set(['WebRtcTransport']));
    expect(new Set(held.map((h) => h.role))).toEqual(new Set(['caller', 'interpreter']));
    expect([...routerTransportIds].sort()).toEqual(held.map((h) => h.id).sort());
    // After an ICE restart, audio keeps flowing.
    await her.restartIce();
    const before = interp.heard.get(herVoice)!.frames;
    await hears(interp, herVoice, before + 100);
  });

  it('carries a three-party call: an official joins as the third party and everyone hears the other two', async () => {
    const { ana, c, sessionId } = await matched('tzo');
    const official = await createStaff(t, 'official', { country: 'MX', institution: 'Juzgado Penal, Tuxtla' });
    // Until bookings land, the session's third party is set directly.
    await t.sql(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [sessionId, official.id]);
    const judge = await connect(t.url, official.token);
    closers.push(() => judge.close());
    const peers = [await new CallPeer(c, sessionId).start(), await new CallPeer(ana.socket, sessionId).start(), await new CallPeer(judge, sessionId).start()];
    closers.push(...peers.map((p) => () => p.close()));
    const voices = [];
    for (const p of peers) voices.push(await p.speak());
    for (const [i, p] of peers.entries()) for (const [j, v] of voices.entries()) if (i !== j) await p.listen(v);
    for (const [i, p] of peers.entries()) for (const [j, v] of voices.entries()) if (i !== j) expect((await hears(p, v)).peak).toBeGreaterThan(1000);
    const other = await createStaff(t, 'official', { country: 'MX', institution: 'Another court' });
    const outsider = await connect(t.url, other.token);
    closers.push(() => outsider.close());
    expect((await outsider.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
  });

  it('refuses to let anyone else join the session, and refuses malformed media payloads, without disturbing the call', async () => {
    const { ana, c, sessionId } = await matched('quc');
    const intruder: TestSocket = await caller(t);
    closers.push(() => intruder.close());
    expect((await intruder.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    const her = await new CallPeer(c, sessionId).start();
    const interp = await new CallPeer(ana.socket, sessionId).start();
    closers.push(() => her.close(), () => interp.close());
    const voice = await her.speak();
    await interp.listen(voice);
    await hears(interp, voice);
    const bad = await c.call('media:consume', { sessionId, producerId: voice, rtpCapabilities: { codecs: 'nope' } });
    expect(bad.error.code).toMatch(/VALIDATION|NOT_FOUND/);
    const worse = await c.call('media:produce', { transportId: '00000000-0000-4000-8000-000000000000', kind: 'audio', rtpParameters: {} });
    expect(worse.error.code).toBe('NOT_FOUND');
    const garbage = await c.call('media:connectTransport', { transportId: 'x', dtlsParameters: 5 });
    expect(garbage.error.code).toBe('VALIDATION');
    expect((await intruder.call('media:createTransport', { sessionId, direction: 'send' })).error.code).toBe('NOT_FOUND');
    const before = interp.heard.get(voice)!.frames;
    await hears(interp, voice, before + 50);
  });

  /** Both sides in a call, each speaking and hearing the other. */
  async function inCall(c: TestSocket, interp: TestSocket, sessionId: string) {
    const her = await new CallPeer(c, sessionId).start();
    const them = await new CallPeer(interp, sessionId).start();
    closers.push(() => her.close(), () => them.close());
    const [herVoice, theirVoice] = [await her.speak(), await them.speak()];
    await them.listen(herVoice);
    await her.listen(theirVoice);
    await hears(them, herVoice);
    await hears(her, theirVoice);
    return { her, them, herVoice, theirVoice };
  }

  it('survives a worker killed with SIGKILL: same session id, participants renegotiate, audio flows again', async () => {
    const { ana, c, sessionId } = await matched('kek');
    const first = await inCall(c, ana.socket, sessionId);
    const [slot] = t.app.get(MediaService).workerStatus();
    process.kill(slot.pid!, 'SIGKILL');
    await c.next('session:mediaRestart', (e) => e.sessionId === sessionId);
    await ana.socket.next('session:mediaRestart', (e) => e.sessionId === sessionId);
    first.her.close();
    first.them.close();
    const again = await inCall(c, ana.socket, sessionId);
    expect(again.herVoice).not.toBe(first.herVoice);
    const [row] = await t.sql(`SELECT ended_at FROM sessions WHERE id = $1`, [sessionId]);
    expect(row.ended_at).toBeNull();
  });

  it('lets a caller whose connection dropped rejoin the same call within her grace period', async () => {
    const { ana, c, sessionId } = await matched('cak');
    const first = await inCall(c, ana.socket, sessionId);
    c.socket.disconnect();
    first.her.close();
    await ana.socket.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'caller');
    c.socket.connect();
    await new Promise<void>((r) => c.socket.once('connect', () => r()));
    const her = await new CallPeer(c, sessionId).start();
    closers.push(() => her.close());
    expect(her.join.participants).toEqual([{ role: 'interpreter', producers: [{ producerId: first.theirVoice, kind: 'audio' }] }]);
    await her.listen(first.theirVoice);
    await hears(her, first.theirVoice);
    const [row] = await t.sql(`SELECT ended_at FROM sessions WHERE id = $1`, [sessionId]);
    expect(row.ended_at).toBeNull();
  });

  it('hands the caller to the next interpreter when hers is gone past her grace period', async () => {
    const { ana, c, sessionId } = await matched('ixl');
    await inCall(c, ana.socket, sessionId);
    const next = await interpreter(t, { languages: 'ixl:5', firstName: 'Berta' });
    closers.push(() => next.socket.close());
    ana.socket.close();
    await c.next('session:ended', (e) => e.sessionId === sessionId && e.reason === 'interpreter_lost');
    const offer = await next.socket.next('offer:new');
    const { sessionId: second } = await next.socket.call('offer:accept', { offerId: offer.offerId });
    const update = await c.next('request:update', (u) => u.state === 'accepted' && u.sessionId === second);
    expect(update.interpreter).toEqual({ firstName: 'Berta' });
    await inCall(c, next.socket, second);
    const audit = await t.sql(`SELECT type FROM audit_events WHERE subject_id = $1 AND type = 'request.requeued'`, [update.requestId]);
    expect(audit).toHaveLength(1);
  });

  it('ends the call when the caller is gone past her grace period', async () => {
    const { ana, c, sessionId } = await matched('poh');
    await inCall(c, ana.socket, sessionId);
    c.close();
    await ana.socket.next('session:ended', (e) => e.sessionId === sessionId);
    const [row] = await t.sql(
      `SELECT s.end_reason, r.state FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`,
      [sessionId],
    );
    expect(row).toEqual({ end_reason: 'abandoned', state: 'abandoned' });
    expect(await t.app.get(RoomsService).inspect(sessionId)).toBeNull();
  });
});
