import { caller, interpreter, languageId, until } from './utils/matching-fixtures';
import { startTestApp, TestApp } from './utils/test-app';

/** The operators' view at /metrics follows what happens in matching (real PostgreSQL, Redis, sockets). */
describe('Prometheus metrics of matching and calls', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ media: false, HOME_COUNTRY: 'GT' });
  });
  afterAll(() => t?.close());

  const scrape = async () => (await t.http().get('/metrics').expect(200)).text;
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(series));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : null;
  };

  it('shows the line by language, live calls, offers by outcome, waits and socket connections', async () => {
    const c = await caller(t);
    const { requestId } = await c.call('request:create', {
      languageId: await languageId(t, 'poh'),
      matter: 'violence',
      urgency: 'normal',
      minor: false,
    });
    let text = await scrape();
    expect(value(text, 'puente_queue_length{language="poh",app="puente"}')).toBe(1);
    expect(value(text, 'puente_socket_connections{role="caller",app="puente"}')).toBe(1);
    expect(value(text, 'puente_live_sessions{app="puente"}')).toBe(0);
    // Her request was dispatched once (nobody to ring yet): its time is in the dispatch histogram.
    expect(value(text, 'puente_dispatch_seconds_count{app="puente"}')).toBe(1);

    const ana = await interpreter(t, { languages: 'poh:5' });
    const offer = await ana.socket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    text = await until(scrape, (s) => value(s, 'puente_wait_seconds_count{app="puente"}') === 1);
    expect(value(text, 'puente_offers_total{outcome="accepted",app="puente"}')).toBe(1);
    expect(value(text, 'puente_live_sessions{app="puente"}')).toBe(1);
    expect(value(text, 'puente_queue_length{language="poh",app="puente"}')).toBeNull();
    expect(value(text, 'puente_socket_connections{role="interpreter",app="puente"}')).toBe(1);

    expect(await c.call('session:leave', { sessionId })).toEqual({});
    c.close();
    ana.socket.close();
    text = await until(
      scrape,
      (s) =>
        value(s, 'puente_live_sessions{app="puente"}') === 0 && value(s, 'puente_socket_connections{role="caller",app="puente"}') === 0,
    );
    expect(value(text, 'puente_socket_connections{role="interpreter",app="puente"}')).toBe(0);
  });
});
