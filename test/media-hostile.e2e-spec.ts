import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { MediaService } from '../src/media/media.service';
import { MediaInspection } from '../src/media/media-inspection';
import { caller, interpreter, languageId, until } from './utils/matching-fixtures';
import { startTestApp, TestApp } from './utils/test-app';
import { CallPeer, hears } from './utils/webrtc-peer';

/** Datagrams shaped like each protocol the worker demultiplexes on its one port, all of them wrong. */
function hostileDatagram(i: number): Buffer {
  const body = randomBytes(1 + (i % 1200));
  switch (i % 5) {
    case 0: // RTP (version 2, Opus payload type) with a bogus SRTP tag
      return Buffer.concat([Buffer.from([0x80, 111, i & 0xff, 0x01, 0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef]), body]);
    case 1: // RTCP sender report header
      return Buffer.concat([Buffer.from([0x80, 200, 0, 6]), body]);
    case 2: // STUN binding request: right magic cookie, garbage attributes and length
      return Buffer.concat([Buffer.from([0x00, 0x01, 0xff, 0xff, 0x21, 0x12, 0xa4, 0x42]), body]);
    case 3: // DTLS 1.2 handshake record
      return Buffer.concat([Buffer.from([0x16, 0xfe, 0xfd, 0, 0]), body]);
    default:
      return body;
  }
}

/**
 * ASVS 17.2.4 / 17.2.5: a worker's WebRTC port is reachable from anywhere, so anyone can throw anything at
 * it. Mid-call, thousands of malformed datagrams and garbage TCP streams hit the worker's ports: the worker
 * stays up (same process) and the call's audio keeps flowing both ways, counted by the server.
 */
describe('a worker under malformed packets (real mediasoup, real WebRTC)', () => {
  let t: TestApp;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    t = await startTestApp({ HOME_COUNTRY: 'GT' });
  });
  afterAll(async () => {
    closers.forEach((c) => c());
    await t?.close();
  });

  it('keeps the call going and the worker alive', async () => {
    const ana = await interpreter(t, { languages: 'mam:5' });
    const c = await caller(t);
    closers.push(
      () => ana.socket.close(),
      () => c.close(),
    );
    await c.call('request:create', { languageId: await languageId(t, 'mam'), matter: 'violence', urgency: 'normal', minor: false });
    const offer = await ana.socket.next('offer:new');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    const her = await new CallPeer(c, sessionId).start();
    const them = await new CallPeer(ana.socket, sessionId).start();
    closers.push(
      () => her.close(),
      () => them.close(),
    );
    const [x, y] = [await her.speak(), await them.speak()];
    await them.listen(x);
    await her.listen(y);
    await hears(them, x);
    await hears(her, y);

    // Bytes the server received from and sent to the participants, over all their transports.
    const inspection = t.app.get(MediaInspection);
    const traffic = async () => (await inspection.transportBytes(sessionId))!;
    const media = t.app.get(MediaService);
    const [worker] = media.workerStatus();
    const port = t.config.MEDIASOUP_RTC_PORT;

    const udp = createSocket('udp4');
    for (let i = 0; i < 6000; i++) {
      await new Promise<void>((resolve) => udp.send(hostileDatagram(i), port, '127.0.0.1', () => resolve()));
    }
    udp.close();
    await Promise.all(
      Array.from(
        { length: 20 },
        (_, i) =>
          new Promise<void>((resolve) => {
            const s = tcpConnect(port, '127.0.0.1', () => {
              // RFC 4571 framing with absurd lengths, then raw garbage.
              s.write(Buffer.concat([Buffer.from([0xff, 0xff]), randomBytes(4096 + i)]));
              s.end();
            });
            s.on('error', () => resolve());
            s.on('close', () => resolve());
          }),
      ),
    );

    const after = await traffic();
    // Audio keeps arriving at the server and leaving it, both ways, after the storm.
    await until(traffic, (now) => now.received > after.received + 20_000 && now.sent > after.sent + 20_000);
    expect(media.workerStatus()[0]).toEqual({ ...worker, alive: true });
    const heardBefore = them.heard.get(x)!.frames;
    await until(
      () => them.heard.get(x)!.frames,
      (f) => f > heardBefore + 100,
    );
    expect((await t.http().get('/health/ready')).status).toBe(200);
  });
});
