import { MediaInspection } from '../src/media/media-inspection';
import { TestTurn } from './utils/coturn';
import { caller, interpreter, languageId } from './utils/matching-fixtures';
import { startTestApp, TestApp } from './utils/test-app';
import { CallPeer, hears } from './utils/webrtc-peer';

describe('a call forced through TURN (Debian coturn on loopback)', () => {
  let turn: TestTurn;
  let t: TestApp;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    turn = await TestTurn.start();
    t = await startTestApp({ HOME_COUNTRY: 'GT', TURN_URLS: turn.url, TURN_SECRET: turn.secret });
  });
  afterAll(async () => {
    closers.forEach((c) => c());
    await t.close();
    await turn.stop();
  });

  it('hands out time-limited TURN credentials, and audio flows both ways over relayed candidates only', async () => {
    const ana = await interpreter(t, { languages: 'mam:5' });
    const c = await caller(t);
    closers.push(
      () => ana.socket.close(),
      () => c.close(),
    );
    await c.call('request:create', { languageId: await languageId(t, 'mam'), matter: 'trafficking', urgency: 'emergency', minor: true });
    const offer = await ana.socket.next('offer:new');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    const her = await new CallPeer(c, sessionId).start({ iceTransportPolicy: 'relay' });
    const them = await new CallPeer(ana.socket, sessionId).start({ iceTransportPolicy: 'relay' });
    closers.push(
      () => her.close(),
      () => them.close(),
    );
    expect(her.join.iceServers).toEqual([{ urls: [turn.url], username: expect.stringMatching(/^\d+:/), credential: expect.any(String) }]);
    const [a, b] = [await her.speak(), await them.speak()];
    await them.listen(a);
    await her.listen(b);
    expect((await hears(them, a)).peak).toBeGreaterThan(1000);
    expect((await hears(her, b)).peak).toBeGreaterThan(1000);
    // The server sees every transport's remote end at a TURN relay port, not at a client's own port.
    const { held } = (await t.app.get(MediaInspection).inspect(sessionId))!;
    for (const h of held) {
      expect(h.remotePort).toBeGreaterThanOrEqual(turn.minPort);
      expect(h.remotePort).toBeLessThanOrEqual(turn.maxPort);
    }
  });
});
