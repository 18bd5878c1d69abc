import { MediaInspection } from '../src/media/media-inspection';
import { createTestDatabase } from './utils/db';
import { caller, interpreter, languageId } from './utils/matching-fixtures';
import { startTestApp, TestApp } from './utils/test-app';
import { CallPeer, hears } from './utils/webrtc-peer';

/** Two nodes of one deployment: the caller on one, the interpreter on the other, in one call. */
describe('a call whose participants are connected to different nodes', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestApp;
  let b: TestApp;
  const closers: (() => void)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const shared = { DATABASE_URL: db.url, REDIS_PREFIX: `nodes${process.pid}`, HOME_COUNTRY: 'GT' };
    a = await startTestApp(shared);
    b = await startTestApp(shared);
  });
  afterAll(async () => {
    closers.forEach((c) => c());
    await a.close();
    await b.close();
    await db.drop();
  });

  it('routes signalling to the node hosting the router, and audio flows both ways', async () => {
    const ana = await interpreter(b, { languages: 'mam:5' }, b.url);
    const c = await caller(a, a.url);
    closers.push(
      () => ana.socket.close(),
      () => c.close(),
    );
    await c.call('request:create', { languageId: await languageId(a, 'mam'), matter: 'legal_civil', urgency: 'normal', minor: false });
    const offer = await ana.socket.next('offer:new');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    await c.next('request:update', (u) => u.sessionId === sessionId);
    const her = await new CallPeer(c, sessionId).start(); // claims the session for node A
    const them = await new CallPeer(ana.socket, sessionId).start(); // on node B, forwarded to A
    closers.push(
      () => her.close(),
      () => them.close(),
    );
    const [x, y] = [await her.speak(), await them.speak()];
    expect((await ana.socket.next('session:newProducer', (p) => p.producerId === x)).role).toBe('caller');
    await them.listen(x);
    await her.listen(y);
    expect((await hears(them, x)).peak).toBeGreaterThan(1000);
    expect((await hears(her, y)).peak).toBeGreaterThan(1000);
    const onA = await a.app.get(MediaInspection).inspect(sessionId);
    expect(onA!.held.map((h) => h.role).sort()).toEqual(['caller', 'caller', 'interpreter', 'interpreter']);
    expect(await b.app.get(MediaInspection).inspect(sessionId)).toBeNull();
    // An error on the hosting node comes back to the client on the other node as the same acknowledgement.
    const bad = await ana.socket.call('media:consume', {
      sessionId,
      producerId: '00000000-0000-4000-8000-000000000000',
      rtpCapabilities: {},
    });
    expect(bad.error.code).toBe('NOT_FOUND');
  });
});
