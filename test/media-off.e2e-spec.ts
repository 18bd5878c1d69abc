import { Closers, matched } from './utils/media-calls';
import { startTestApp, TestApp } from './utils/test-app';

/**
 * `startTestApp({ media: false })`, used by the suites that make no call: the whole application without a
 * mediasoup worker. Matching and sessions work; anything that needs media fails with a message that says why,
 * so a suite that starts using media without asking for it cannot pass by accident.
 */
describe('an application built with media: false', () => {
  let t: TestApp;
  const closers: Closers = [];
  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
  });
  afterAll(async () => {
    closers.forEach((close) => close());
    await t?.close();
  });

  it('matches and opens sessions, and refuses to join one: media is off', async () => {
    const { c, sessionId } = await matched(t, 'mam', closers);
    expect(await c.call('session:join', { sessionId })).toEqual({
      error: { code: 'INTERNAL', message: 'media is off in this application (built with media: false)' },
    });
    expect(await c.call('session:leave', { sessionId })).toEqual({});
  });

  it('is live but not ready: readiness names mediasoup as down', async () => {
    await t.http().get('/health').expect(200);
    const res = await t.http().get('/health/ready').expect(503);
    expect(res.body.error).toEqual({ mediasoup: { status: 'down', alive: 0, configured: 0 } });
  });
});
