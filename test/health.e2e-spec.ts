import type { Server } from 'node:http';
import { startTestApp, TestApp } from './utils/test-app';
import { TestRedis } from './utils/redis-server';

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('health and readiness (PostgreSQL, Redis, mediasoup)', () => {
  let redis: TestRedis;
  let t: TestApp;

  beforeAll(async () => {
    redis = await TestRedis.start();
    t = await startTestApp({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('is live and ready with everything up', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' }, mediasoup: { status: 'up' } });
  });

  it('keeps idle keep-alive connections longer than clients and proxies do (no ECONNRESET on a reused one)', () => {
    expect((t.app.getHttpServer() as Server).keepAliveTimeout).toBe(65_000);
  });

  it('reports a stopped Redis as not ready, and ready again once it is back', async () => {
    await redis.stop();
    const down = await until(
      () => t.http().get('/health/ready'),
      (r) => r.status === 503,
    );
    expect(down.body.error.redis.status).toBe('down');
    expect(down.body.details.database.status).toBe('up');
    await t.http().get('/health').expect(200);
    await redis.start();
    const up = await until(
      () => t.http().get('/health/ready'),
      (r) => r.status === 200,
    );
    expect(up.body.info.redis.status).toBe('up');
  });

  it('serves the OpenAPI description and Prometheus metrics', async () => {
    const docs = await t.http().get('/api/docs-json').expect(200);
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/users', '/api/v1/audit/verify']));
    for (const event of ['request:create', 'offer:accept', 'session:join', 'media:consume', 'session:mediaRestart'])
      expect(docs.body.info.description).toContain(event);
    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^puente_process_cpu_seconds_total/m);
  });

  it("asks for the operators' bearer token on /metrics when METRICS_TOKEN is set", async () => {
    const guarded = await startTestApp({ METRICS_TOKEN: 'metrics-token-0123456789' });
    try {
      await guarded.http().get('/metrics').expect(401);
      await guarded.http().get('/metrics').set('authorization', 'Bearer wrong-token-0123456789').expect(401);
      const ok = await guarded.http().get('/metrics').set('authorization', 'Bearer metrics-token-0123456789').expect(200);
      expect(ok.text).toMatch(/^puente_live_sessions\{app="puente"\} 0$/m);
    } finally {
      await guarded.close();
    }
  });

  // Bull's own close waited for every processing loop: while its connection reconnects, ioredis replays their
  // blocking BRPOPLPUSHes one after another (5 s each), and while Redis is down it never ends. A node must still
  // stop (an orchestrator's grace period is about 10 s).
  it('shuts down while its Redis is down, without waiting for Redis', async () => {
    const down = await TestRedis.start();
    const node = await startTestApp({ REDIS_URL: down.url, media: false });
    await down.stop();
    await until(
      () => node.http().get('/health/ready'),
      (r) => r.status === 503,
    );
    let closed = false;
    const closing = node.close().then(() => (closed = true));
    // Nothing to measure in seconds: the close must end while Redis is still down, which it never did.
    await Promise.race([closing, new Promise((r) => setTimeout(r, 30_000))]);
    expect(closed).toBe(true);
  });
});
