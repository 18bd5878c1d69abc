import { ChildProcess, spawn } from 'node:child_process';
import { callerTokenAt, rosterAt, staffAt } from './utils/cluster';
import { adminQuery, createTestDatabase } from './utils/db';
import { until } from './utils/matching-fixtures';
import { freePort, freePorts } from './utils/ports';
import { connect, TestSocket } from './utils/socket-client';
import { testEnv } from './utils/test-app';
import { CallPeer, hears } from './utils/webrtc-peer';

const root = `${__dirname}/..`;

/** The subject of a token: the caller's pseudonymous id, which must never reach a log. */
const subjectOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).sub as string;

/**
 * A whole on-demand call (real audio) and a whole hearing booking, against the compiled application at the
 * most talkative log level, with everything it prints captured: no caller identifier, token, case
 * reference, join code, email address or password may appear in it.
 */
describe('logs carry no caller data, tokens or case references', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let node: ChildProcess;
  let url: string;
  let output = '';
  const sockets: TestSocket[] = [];
  const peers: CallPeer[] = [];
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => adminQuery<T>(q, params, db.name);

  beforeAll(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      ...testEnv({
        DATABASE_URL: db.url,
        PORT: String(port),
        MEDIASOUP_RTC_PORT: String(await freePorts(1)),
        HOME_COUNTRY: 'GT',
        LOG_LEVEL: 'trace',
      }),
    };
    node = spawn('node', ['dist/src/cli.js', 'serve'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    node.stdout!.on('data', (d) => (output += String(d)));
    node.stderr!.on('data', (d) => (output += String(d)));
    await until(async () => (await fetch(`${url}/health/ready`).catch(() => null))?.status === 200 || node.exitCode !== null);
    if (node.exitCode !== null) throw new Error(`the node exited: ${output.slice(-3000)}`);
  }, 180_000);

  afterAll(async () => {
    peers.forEach((p) => p.close());
    sockets.forEach((s) => s.close());
    if (node && node.exitCode === null) await new Promise((r) => (node.once('exit', r), node.kill('SIGTERM')));
    await db?.drop();
  });

  const open = async (token: string) => {
    const s = await connect(url, token);
    sockets.push(s);
    return s;
  };
  const post = async (path: string, token: string, body: unknown = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  it('after a call and a booking, the logs hold none of what identifies the woman or her case', async () => {
    const secrets: string[] = [];
    const [lang] = await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
    const [ana] = await rosterAt(url, sql, 'GT', [{ languages: 'mam:5', firstName: 'Ana' }]);
    secrets.push(ana.token);
    const anaSocket = await open(ana.token);
    await anaSocket.call('presence:set', { status: 'available' });

    // ---- an on-demand call with audio both ways ----
    const callerToken = await callerTokenAt(url);
    secrets.push(callerToken, subjectOf(callerToken));
    const her = await open(callerToken);
    const { requestId } = await her.call('request:create', {
      languageId: lang.id,
      matter: 'trafficking',
      urgency: 'emergency',
      minor: true,
      preferFemale: true,
      country: 'GT',
    });
    const offer = await anaSocket.next('offer:new', (o) => o.requestId === requestId);
    const { sessionId } = await anaSocket.call('offer:accept', { offerId: offer.offerId });
    const callerPeer = await new CallPeer(her, sessionId).start();
    const interpPeer = await new CallPeer(anaSocket, sessionId).start();
    peers.push(callerPeer, interpPeer);
    const [x, y] = [await callerPeer.speak(), await interpPeer.speak()];
    await interpPeer.listen(x);
    await callerPeer.listen(y);
    await hears(interpPeer, x);
    await hears(callerPeer, y);
    // A bad payload and a wrong session are refused (and logged as such, without their contents).
    await her.send('request:create', { languageId: 'my name is Maria', matter: 'violence' });
    await her.call('session:join', { sessionId: '00000000-0000-4000-8000-000000000000' });
    expect(await her.call('session:leave', { sessionId })).toEqual({});
    her.close();

    // ---- a hearing, booked, confirmed, joined by a remote woman, and cancelled ----
    const official = await staffAt(url, sql, 'official', { country: 'GT', institution: 'Juzgado de Quetzaltenango' });
    secrets.push(official.token, official.email);
    const caseReference = 'EXP-2027-77341';
    secrets.push(caseReference);
    const booking = await post('/api/v1/bookings', official.token, {
      languageId: lang.id,
      matter: 'violence',
      startsAt: new Date(Date.now() + 4 * 60_000).toISOString(),
      durationMinutes: 30,
      caseReference,
      remoteParticipant: true,
    });
    expect(booking.status).toBe(201);
    expect((await post(`/api/v1/bookings/${booking.body.id}/confirm`, ana.token)).status).toBe(200);
    const code = await post(`/api/v1/bookings/${booking.body.id}/join-code`, official.token);
    secrets.push(code.body.code, code.body.code.replace(/-/g, ''));
    // The link the official hands her opens the caller's page with the code in its query string.
    await fetch(`${url}${code.body.joinPath}`);
    const woman = await fetch(`${url}/api/v1/bookings/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: code.body.code }),
    }).then((r) => r.json());
    secrets.push(woman.accessToken, subjectOf(woman.accessToken));
    const remote = await open(woman.accessToken);
    expect((await remote.call('session:join', { sessionId: woman.sessionId })).routerRtpCapabilities).toBeDefined();
    const ics = await fetch(`${url}/api/v1/bookings/${booking.body.id}/calendar.ics`, {
      headers: { authorization: `Bearer ${official.token}` },
    });
    expect(await ics.text()).toMatch(/BEGIN:VCALENDAR/);
    expect((await post(`/api/v1/bookings/${booking.body.id}/cancel`, official.token)).status).toBe(200);
    // A failed login with a real-looking password.
    const password = 'Correct-Horse-Battery-77';
    secrets.push(password);
    await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: official.email, password }),
    });

    // What her page fetches about her call (her language's notice, a girl's): logged by route, never by her language.
    expect((await fetch(`${url}/api/v1/languages/${lang.id}/child-notice`)).status).toBe(404);
    expect((await fetch(`${url}/api/v1/languages/${lang.id}/greeting`)).status).toBe(404);
    secrets.push(`${lang.id}/child-notice`, `${lang.id}/greeting`);

    // ---- what the node printed ----
    await new Promise((r) => setTimeout(r, 300)); // let the last lines flush
    expect(output.split('\n').filter((l) => l.startsWith('{')).length).toBeGreaterThan(20);
    for (const secret of secrets) expect({ secret, found: output.includes(secret) }).toEqual({ secret, found: false });
    expect(output).not.toMatch(/Maria/);
    expect(output).toContain('"path":"/api/v1/languages/:id/child-notice"');
  }, 120_000);
});
