import { JwtService } from '@nestjs/jwt';
import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { demoSecrets } from '../../src/cli';
import { DEV_JWT_SECRET } from '../../src/config/config.schema';
import { DEMO_PASSWORD } from '../../src/demo/demo-data';
import { adminQuery, dbUrl, runId } from '../utils/db';
import { handshakeError } from '../utils/socket-client';
import { createStaff, freePort, startTestApp, testEnv } from '../utils/test-app';

const exec = promisify(execFile);
const root = `${__dirname}/../..`;

/** Signs what a forger would: a platform admin's token, with a secret of her choice. */
function forge(secret: string, sub: string) {
  const jwt = new JwtService({
    secret: createSecretKey(Buffer.from(secret, 'utf8')),
    signOptions: { algorithm: 'HS256', issuer: 'puente' },
  });
  return jwt.sign({ sub, role: 'platform_admin', iatMs: Date.now() }, { expiresIn: 3600 });
}

/** The environment of an operator who set neither NODE_ENV nor JWT_SECRET. */
function bareEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const env = { ...process.env, ...testEnv(overrides) } as Record<string, string>;
  delete env.NODE_ENV;
  delete env.JWT_SECRET;
  return env;
}

/**
 * Attack 4 of issue 11: `npm start` trusted the published development JWT secret unless NODE_ENV=production,
 * silently, and a token signed with it claiming platform_admin was accepted.
 */
describe('attack 4: the published development secret', () => {
  const serve = (env: Record<string, string>) =>
    exec('node', ['dist/src/cli.js', 'serve'], { cwd: root, env, timeout: 60_000 }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e) => ({ code: e.code as number, stderr: String(e.stderr) }),
    );

  it.each([
    ['neither NODE_ENV nor JWT_SECRET is set', {}, /JWT_SECRET is required/],
    [
      'JWT_SECRET is the development value and NODE_ENV unset',
      { JWT_SECRET: DEV_JWT_SECRET },
      /JWT_SECRET must not be the published development value/,
    ],
    [
      'JWT_SECRET is the development value and NODE_ENV=production',
      { JWT_SECRET: DEV_JWT_SECRET, NODE_ENV: 'production' },
      /JWT_SECRET must not be the published/,
    ],
    ['JWT_SECRET is short', { JWT_SECRET: 'short-secret' }, /JWT_SECRET must be at least 32 characters/],
  ])('the compiled server refuses to start when %s, naming JWT_SECRET', async (_what, extra, message) => {
    // A database that does not exist: should the rule ever let the server start, it touches nothing.
    const r = await serve({
      ...bareEnv({ PORT: String(await freePort()), DATABASE_URL: dbUrl(`puente_test_${runId()}_never`) }),
      ...extra,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("refuses a platform admin's token signed with the development value, where the deployment has its own secret", async () => {
    const secret = randomBytes(32).toString('hex');
    const t = await startTestApp({ media: false, NODE_ENV: 'production', JWT_SECRET: secret });
    try {
      const admin = await createStaff(t, 'platform_admin');
      const forged = forge(DEV_JWT_SECRET, admin.id);
      await t.http().get('/api/v1/audit/verify').set('authorization', `Bearer ${forged}`).expect(401);
      expect(await handshakeError(t.url, forged)).toMatch(/invalid/);
      // The same claims signed with the deployment's secret pass: what was refused is the key.
      await t
        .http()
        .get('/api/v1/audit/verify')
        .set('authorization', `Bearer ${forge(secret, admin.id)}`)
        .expect(200);
    } finally {
      await t.close();
    }
  });

  describe('npm run demo', () => {
    const dbs = [`puente_test_${runId()}_demosecret1`, `puente_test_${runId()}_demosecret2`];
    let node: ChildProcess | undefined;
    let output = '';
    beforeAll(async () => {
      for (const db of dbs) {
        await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        await adminQuery(`CREATE DATABASE ${db}`);
      }
    });
    afterAll(async () => {
      await stop();
      for (const db of dbs) await adminQuery(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });

    /** `node dist/src/cli.js demo` with neither NODE_ENV nor JWT_SECRET set, until it is ready. */
    async function startDemo(env: Record<string, string>): Promise<string> {
      output = '';
      node = spawn('node', ['dist/src/cli.js', 'demo'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
      const keep = (b: Buffer) => (output = (output + b.toString()).slice(-4000));
      node.stdout!.on('data', keep);
      node.stderr!.on('data', keep);
      const url = `http://127.0.0.1:${env.PORT}`;
      for (;;) {
        if (node.exitCode !== null) throw new Error(`the demo exited: ${output}`);
        if ((await fetch(`${url}/health/ready`).catch(() => null))?.status === 200) return url;
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    async function stop() {
      if (!node || node.exitCode !== null) return;
      const exited = once(node, 'exit');
      node.kill('SIGTERM');
      await exited;
    }

    beforeEach(() => jest.spyOn(console, 'log').mockImplementation(() => undefined));
    afterEach(() => jest.restoreAllMocks());

    it('generates a secret of its own, keeps it in its database so that its tokens survive a restart, and no two databases share one', async () => {
      const env = bareEnv({ DATABASE_URL: dbUrl(dbs[0]), PORT: String(await freePort()), MEDIASOUP_RTC_PORT: String(await freePort()) });
      let url = await startDemo(env);
      const res = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@demo.puente.example', password: DEMO_PASSWORD }),
      });
      expect(res.status).toBe(200);
      const { accessToken } = (await res.json()) as { accessToken: string };
      const verifyWith = (u: string) =>
        fetch(`${u}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${accessToken}` } }).then((r) => r.status);
      expect(await verifyWith(url)).toBe(200);

      await stop();
      url = await startDemo(env);
      expect(await verifyWith(url)).toBe(200);

      const [{ jwt_secret: first }] = await adminQuery<{ jwt_secret: string }>(`SELECT jwt_secret FROM demo_secret`, [], dbs[0]);
      expect(first).toMatch(/^[0-9a-f]{64}$/);
      expect(first).not.toBe(DEV_JWT_SECRET);
      const secrets = await demoSecrets(dbUrl(dbs[1]));
      const second = secrets.jwtSecret;
      expect(second).toMatch(/^[0-9a-f]{64}$/);
      expect(second).not.toBe(first);
      // A second run on that database keeps its secret, and its VAPID key pair (offers by push).
      expect(secrets.vapidPublicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
      expect(secrets.vapidPrivateKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await demoSecrets(dbUrl(dbs[1]))).toEqual(secrets);
      // The demo serves its own VAPID public key, the same after the restart above.
      const [{ vapid_public_key }] = await adminQuery<{ vapid_public_key: string }>(`SELECT vapid_public_key FROM demo_secret`, [], dbs[0]);
      expect(await (await fetch(`${url}/api/v1/push/public-key`)).json()).toEqual({ publicKey: vapid_public_key });
      expect(vapid_public_key).not.toBe(secrets.vapidPublicKey);
      // The demo's tokens are signed with its own secret, and with no other.
      const jwt = (s: string) =>
        new JwtService({ secret: createSecretKey(Buffer.from(s, 'utf8')), verifyOptions: { algorithms: ['HS256'], issuer: 'puente' } });
      expect(jwt(first).verify(accessToken)).toMatchObject({ role: 'platform_admin' });
      expect(() => jwt(second).verify(accessToken)).toThrow(/signature/);
      expect(() => jwt(DEV_JWT_SECRET).verify(accessToken)).toThrow(/signature/);
    }, 180_000);
  });
});
