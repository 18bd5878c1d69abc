import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { caller, interpreter, languageId } from '../utils/matching-fixtures';
import { connect, TestSocket } from '../utils/socket-client';
import { createStaff, startTestApp, TestApp } from '../utils/test-app';

/** A socket.io polling handshake with a chosen Origin, by hand: the status, or 'no answer' if the node hung. */
function handshake(url: string, origin: string): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin }, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('timeout', () => (req.destroy(), resolve('no answer')));
    req.on('error', reject);
    req.end();
  });
}

/** The smaller holes of issue 11 (item 12), each tried as an attacker would. */
describe('smaller holes', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');

  beforeAll(async () => {
    t = await startTestApp({
      HOME_COUNTRY: 'GT',
      PUBLIC_ORIGINS: 'https://puente.example.org,http://localhost:3000',
      TURN_URLS: 'turn:turn.example.org:3478',
      TURN_SECRET: 'a-turn-secret-of-some-length',
    });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.close());
    redis.disconnect();
    await t?.close();
  });

  it('refuses a handshake from `Origin: null` (or any origin that is no URL) at once, and keeps serving', async () => {
    for (const origin of ['null', 'http://[', '::', 'https://evil.example']) expect(await handshake(t.url, origin)).toBe(403);
    expect(await handshake(t.url, 'https://puente.example.org')).toBe(200);
    const token = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken;
    await expect(connect(t.url, token, { origin: 'null' }).then((s) => (sockets.push(s), 'connected'))).rejects.toThrow();
    sockets.push(await connect(t.url, token));
    await t.http().get('/health').expect(200);
  });

  it('answers session:join by a non-participant NOT_FOUND before claiming anything in Redis', async () => {
    const token = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken;
    const stranger = await connect(t.url, token);
    sockets.push(stranger);
    const ids = [randomUUID(), randomUUID()];
    for (const sessionId of ids) expect((await stranger.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    // A real session she is not part of.
    const ana = await interpreter(t, { languages: 'mam:5' });
    const her = await caller(t);
    sockets.push(ana.socket, her);
    await her.call('request:create', { languageId: await languageId(t, 'mam'), matter: 'violence', urgency: 'urgent', minor: false });
    const offer = await ana.socket.next('offer:new');
    const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    expect((await stranger.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    for (const id of [...ids, sessionId]) expect(await redis.exists(`${t.config.REDIS_PREFIX}:media:host:${id}`)).toBe(0);

    // TURN usernames carry a random id per join, not the caller's: coturn logs them next to her address.
    const first = await her.call('session:join', { sessionId });
    const again = await her.call('session:join', { sessionId });
    const herSub = JSON.parse(Buffer.from((her.socket.auth as { token: string }).token.split('.')[1], 'base64url').toString()).sub;
    for (const join of [first, again]) {
      const [server] = join.iceServers;
      expect(server.username).toMatch(/^\d+:/);
      expect(server.username).not.toContain(herSub);
    }
    expect(first.iceServers[0].username).not.toBe(again.iceServers[0].username);
  });

  it('refuses bidi and zero-width characters in names: a roster row, a variant name and autonym, a link source', async () => {
    const admin = await createStaff(t, 'roster_admin', { country: 'GT' });
    const auth = { authorization: `Bearer ${admin.token}` };
    const csv = [
      'external_id,first_name,email,languages',
      'BIDI-1,Ana\u202Emaría,b1@example.org,mam:4',
      'BIDI-2,An\u200Ba,b2@example.org,mam:4',
      'BIDI-3,A\uFEFFna,b3@example.org,mam:4',
      'BIDI-4,Ana,b4@example.org,mam:4',
    ].join('\n');
    const res = await t.http().post('/api/v1/rosters/GT/import').set(auth).set('content-type', 'text/csv').send(csv).expect(200);
    expect(res.body.created).toBe(1);
    expect(res.body.rejected).toEqual(
      [2, 3, 4].map((line) => ({
        line,
        field: 'first_name',
        message: 'first_name must not contain control, bidirectional or zero-width characters',
      })),
    );
    expect(
      (await t.sql<{ first_name: string }>(`SELECT first_name FROM interpreters WHERE external_id LIKE 'BIDI-%'`)).map((r) => r.first_name),
    ).toEqual(['Ana']);

    const variant = (body: object) =>
      t
        .http()
        .post('/api/v1/languages')
        .set(auth)
        .send({ iso6393: 'mam', variant: 'bidi-test', countries: ['GT'], ...body });
    expect((await variant({ name: 'Mam (\u202Eetsew)' }).expect(400)).body.fields).toEqual(['name']);
    expect((await variant({ name: 'Mam (oeste)', autonym: 'Ma\u200Bm' }).expect(400)).body.fields).toEqual(['autonym']);
    const [mam, ttc] = [await languageId(t, 'mam'), await languageId(t, 'ttc')];
    const link = await t
      .http()
      .post('/api/v1/languages/links')
      .set(auth)
      .send({ fromLanguageId: mam, toLanguageId: ttc, source: 'ALMG\u2066 2024' })
      .expect(400);
    expect(link.body.fields).toEqual(['source']);
  });

  it('limits the page to its own origins: connect-src names them (http and ws), no other host, no style-src https:', async () => {
    const csp = (await t.http().get('/health').expect(200)).headers['content-security-policy'] as string;
    const directive = (name: string) =>
      csp
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .find(([n]) => n === name)!
        .slice(1);
    expect(directive('connect-src').sort()).toEqual(
      ["'self'", 'http://localhost:3000', 'https://puente.example.org', 'ws://localhost:3000', 'wss://puente.example.org'].sort(),
    );
    expect(directive('style-src')).not.toContain('https:');
    expect(csp).not.toMatch(/(^|\s)(wss?|https?):(\s|;|$)/);
  });
});

describe('/metrics in production', () => {
  it('is closed without METRICS_TOKEN, and asks for it when set', async () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: randomUUID() + randomUUID() };
    const closed = await startTestApp({ ...production, media: false });
    try {
      expect((await closed.http().get('/metrics').expect(401)).text).not.toMatch(/puente_/);
    } finally {
      await closed.close();
    }
    const guarded = await startTestApp({ ...production, media: false, METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      await guarded.http().get('/metrics').expect(401);
      expect((await guarded.http().get('/metrics').set('authorization', 'Bearer metrics-token-0123456789').expect(200)).text).toMatch(
        /^puente_/m,
      );
    } finally {
      await guarded.close();
    }
  });
});
