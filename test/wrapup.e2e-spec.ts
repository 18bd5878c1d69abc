import { generateVAPIDKeys } from 'web-push';
import { callerTokenAt, getJson, NodeProcess, rosterAt, staffAt, type RosterInterpreter } from './utils/cluster';
import { until, within } from './utils/matching-fixtures';
import { startNodePair, type NodePair } from './utils/node-pair';
import { TestSmtp } from './utils/smtp';
import { createTestDatabase } from './utils/db';
import { freePort, testEnv } from './utils/test-app';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { TestSocket } from './utils/socket-client';

// Long enough that, on a loaded machine, the women's requests of the first case are all made within it (checked).
const WRAPUP_LEGAL = 15;

/**
 * Issue 15, item 4, on two compiled nodes sharing PostgreSQL and Redis: her wrap-up time after each call (no offer
 * reaches her from either node until it is over), ended early or extended once; "I need a debrief"; a roster's daily
 * cap on violence and trafficking calls.
 */
describe('wrap-up, debrief and the daily cap', () => {
  let pair: NodePair;
  let a: NodeProcess;
  let b: NodeProcess;
  let sql: NodePair['sql'];
  let open: NodePair['open'];
  let smtp: TestSmtp;
  let mam: string;

  beforeAll(async () => {
    smtp = await TestSmtp.start();
    const vapid = generateVAPIDKeys();
    pair = await startNodePair({
      // Push set up (on call needs it); nothing here is pushed.
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      HOME_COUNTRY: 'GT',
      WRAPUP_SECONDS: `legal:${WRAPUP_LEGAL},violence:20,trafficking:20,other:${WRAPUP_LEGAL}`,
      SMTP_URL: smtp.url,
      REQUEST_WAIT_LIMIT_SECONDS: '300',
    });
    ({ a, b, sql, open } = pair);
    [{ id: mam }] = await sql<{ id: string }>(`SELECT id FROM languages WHERE iso6393 = 'mam' AND variant IS NULL`);
  }, 180_000);

  // Each test's interpreter leaves when it ends: the next test's women must not be offered to her.
  const consoles: TestSocket[] = [];
  afterEach(async () => {
    for (const c of consoles.splice(0)) expect(await c.call('presence:set', { status: 'away' })).toEqual({ status: 'away' });
  });

  afterAll(async () => {
    await pair?.close();
    await smtp?.close();
  });

  /** A woman's request for a Mam interpreter, made on the node at `url`. */
  async function ask(url: string, matter = 'legal_civil') {
    const s = await open(url, await callerTokenAt(url));
    const made = await s.call('request:create', { languageId: mam, matter: matter as 'legal_civil', urgency: 'normal', minor: false });
    expect(made.requestId).toEqual(expect.any(String));
    return { s, requestId: made.requestId };
  }

  /** She accepts the offer ringing for her; both join the call (so it started), then the woman hangs up. */
  async function callAndHangUp(her: TestSocket, woman: TestSocket, requestId: string) {
    const offer = await within(
      her.next('offer:new', (o) => o.requestId === requestId),
      20_000,
      'the offer',
    );
    const { sessionId } = await her.call('offer:accept', { offerId: offer.offerId });
    expect(sessionId).toEqual(expect.any(String));
    for (const s of [woman, her]) expect((await s.call('session:join', { sessionId })).routerRtpCapabilities).toBeDefined();
    await until(async () => (await sql(`SELECT 1 FROM sessions WHERE id = $1 AND started_at IS NOT NULL`, [sessionId])).length === 1);
    expect(await woman.call('session:leave', { sessionId })).toEqual({});
    return sessionId;
  }

  /** She accepts; the woman hangs up before either joined the call (it never started). */
  async function callNeverStarted(her: TestSocket, woman: TestSocket, requestId: string) {
    const offer = await within(
      her.next('offer:new', (o) => o.requestId === requestId),
      20_000,
      'the offer',
    );
    const { sessionId } = await her.call('offer:accept', { offerId: offer.offerId });
    await woman.call('session:leave', { sessionId: sessionId! });
    await until(async () => (await sql(`SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NOT NULL`, [sessionId])).length === 1);
  }

  async function interpreterOnBoth(): Promise<{ i: RosterInterpreter; onA: TestSocket; onB: TestSocket }> {
    const [i] = await rosterAt(a.url, sql, 'GT', [{ languages: 'mam:5', specialties: 'legal_civil;violence;trafficking' }]);
    // Her console on A, her phone on B: whichever node dispatches, her offers reach both.
    const onA = await open(a.url, i.token);
    const onB = await open(b.url, i.token);
    consoles.push(onA);
    expect(await onA.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    return { i, onA, onB };
  }

  it('offers her nothing during her wrap-up, from either node, however many women are waiting; then serves the line', async () => {
    const { i, onA, onB } = await interpreterOnBoth();
    const first = await ask(b.url);
    const sessionId = await callAndHangUp(onA, first.s, first.requestId);
    const update = await within(
      onB.next('wrapup:update', (u) => !!u.until),
      10_000,
      'the wrap-up on her phone',
    );
    expect(update.canExtend).toBe(true);
    const [{ until: wrapupUntil, ended }] = await sql<{ until: Date; ended: Date }>(
      `SELECT wrapup_until AS until, last_session_ended_at AS ended FROM interpreters WHERE id = $1`,
      [i.interpreterId],
    );
    expect(wrapupUntil.getTime() - ended.getTime()).toBe(WRAPUP_LEGAL * 1000);
    expect(await sql(`SELECT end_reason FROM sessions WHERE id = $1`, [sessionId])).toEqual([{ end_reason: 'completed' }]);
    expect(Date.parse(update.until!)).toBe(wrapupUntil.getTime());

    // Women ask on both nodes at once while she wraps up: each request is dispatched on its node, none rings her.
    const waiting = await Promise.all([ask(a.url), ask(b.url), ask(a.url), ask(b.url)]);
    const [{ made }] = await sql<{ made: Date }>(`SELECT max(created_at) AS made FROM interpretation_requests WHERE id = ANY ($1)`, [
      waiting.map((w) => w.requestId),
    ]);
    expect(made.getTime()).toBeLessThan(wrapupUntil.getTime());
    const offer = await within(onA.next('offer:new'), 40_000, 'an offer after her wrap-up');
    const offers = await sql<{ created_at: Date }>(`SELECT created_at FROM offers WHERE interpreter_id = $1 ORDER BY created_at`, [
      i.interpreterId,
    ]);
    expect(offers).toHaveLength(2);
    expect(offers[1].created_at.getTime()).toBeGreaterThanOrEqual(wrapupUntil.getTime());
    // The longest waiting of them, once the wrap-up is over; her consoles heard it end.
    const [oldest] = await sql<{ id: string }>(`SELECT id FROM interpretation_requests WHERE id = ANY ($1) ORDER BY queued_at LIMIT 1`, [
      waiting.map((w) => w.requestId),
    ]);
    expect(offer.requestId).toBe(oldest.id);
    expect(await onB.next('wrapup:update', (u) => u.until === null)).toEqual({ until: null, canExtend: false });
    await onA.call('offer:decline', { offerId: offer.offerId });
    for (const w of waiting) await w.s.call('request:cancel', { requestId: w.requestId });
  });

  it('ends early when she says she is ready, and extends once by as long again', async () => {
    const { i, onA, onB } = await interpreterOnBoth();
    const first = await ask(a.url);
    await callAndHangUp(onB, first.s, first.requestId);
    const started = await within(
      onA.next('wrapup:update', (u) => !!u.until),
      10_000,
      'the wrap-up',
    );

    const extended = await onB.call('wrapup:extend', {});
    expect(Date.parse(extended.until) - Date.parse(started.until!)).toBe(WRAPUP_LEGAL * 1000);
    expect(await onA.next('wrapup:update', (u) => u.until === extended.until)).toEqual({ until: extended.until, canExtend: false });
    // Once only; and nothing but the empty payload is taken.
    expect((await onB.call('wrapup:extend', {})).error).toEqual({ code: 'CONFLICT', message: expect.stringMatching(/extended once/) });
    expect((await onB.send('wrapup:extend', { seconds: 3600 })).error.code).toBe('VALIDATION');

    const woman = await ask(b.url);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1`, [woman.requestId])).toEqual([{ n: 0 }]);
    // Ready: the wrap-up ends at once, on every console of hers, and the waiting woman rings for her.
    expect(await onA.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    expect(await onB.next('wrapup:update', (u) => u.until === null)).toEqual({ until: null, canExtend: false });
    const offer = await within(
      onB.next('offer:new', (o) => o.requestId === woman.requestId),
      10_000,
      'the offer once ready',
    );
    const [{ wrapup_until }] = await sql(`SELECT wrapup_until FROM interpreters WHERE id = $1`, [i.interpreterId]);
    expect(wrapup_until).toBeNull();
    expect((await onA.call('wrapup:extend', {})).error.code).toBe('CONFLICT');
    await onB.call('offer:decline', { offerId: offer.offerId });
    await woman.s.call('request:cancel', { requestId: woman.requestId });
  });

  it('tells every console that connects where her wrap-up stands; on call, being ready keeps her on call', async () => {
    const { i, onA, onB } = await interpreterOnBoth();
    const first = await ask(a.url);
    await callAndHangUp(onA, first.s, first.requestId);
    const started = await within(
      onB.next('wrapup:update', (u) => !!u.until),
      10_000,
      'the wrap-up',
    );
    // A console opened now (a reload, her phone) is told at once.
    const late = await open(b.url, i.token);
    expect(await late.next('wrapup:update')).toEqual(started);
    // On call (her phone has a device subscribed: as the push switch would), ready ends the wrap-up and keeps her on call.
    await sql(
      `INSERT INTO push_subscriptions (interpreter_id, endpoint, p256dh, auth) VALUES ($1::uuid, 'https://fcm.googleapis.com/fcm/send/x' || $1::text, $2, $3)`,
      [i.interpreterId, 'B'.repeat(87), 'a'.repeat(22)],
    );
    expect(await onB.call('presence:set', { status: 'on_call' })).toEqual({ status: 'on_call' });
    expect(await onA.next('wrapup:update', (u) => u.until === null)).toEqual({ until: null, canExtend: false });
    const fresh = await open(a.url, i.token);
    expect(await fresh.next('wrapup:update')).toEqual({ until: null, canExtend: false });
    expect(await sql(`SELECT wrapup_until FROM interpreters WHERE id = $1`, [i.interpreterId])).toEqual([{ wrapup_until: null }]);
  });

  it('another interpreter asked on one node while her console is on the other: the next offer never goes to her, from either node', async () => {
    const [x, y] = await rosterAt(a.url, sql, 'GT', [{ languages: 'mam:5' }, { languages: 'mam:5' }]);
    const xOnA = await open(a.url, x.token);
    consoles.push(xOnA);
    expect(await xOnA.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    const woman = await ask(b.url, 'violence');
    const offer = await within(
      xOnA.next('offer:new', (o) => o.requestId === woman.requestId),
      20_000,
      'the first offer',
    );
    const { sessionId } = await xOnA.call('offer:accept', { offerId: offer.offerId });
    // (The call never started: no wrap-up holds her; only the exclusion can.)
    const yOnB = await open(b.url, y.token);
    consoles.push(yOnB);
    // At once: she asks for another on B, and Y becomes available on B while X, freed on A, is served the line there.
    const [asked] = await Promise.all([
      woman.s.call('session:another', { sessionId: sessionId! }),
      yOnB.call('presence:set', { status: 'available' }),
    ]);
    expect(asked).toEqual({ requestId: woman.requestId, state: expect.stringMatching(/^(queued|offering)$/) });
    expect(await xOnA.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'another_interpreter' });
    const next = await within(
      yOnB.next('offer:new', (o) => o.requestId === woman.requestId),
      20_000,
      'the other interpreter',
    );
    // Y declines: the request waits; X is free and available on A, and the sweeps of both nodes dispatch it again.
    await yOnB.call('offer:decline', { offerId: next.offerId });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await sql(`SELECT DISTINCT interpreter_id FROM offers WHERE request_id = $1 ORDER BY 1`, [woman.requestId])).toEqual(
      [{ interpreter_id: x.interpreterId }, { interpreter_id: y.interpreterId }].sort((p, q) =>
        p.interpreter_id < q.interpreter_id ? -1 : 1,
      ),
    );
    expect(
      await sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1 AND interpreter_id = $2`, [woman.requestId, x.interpreterId]),
    ).toEqual([{ n: 1 }]);
    await woman.s.call('request:cancel', { requestId: woman.requestId });
  });

  it('gives no wrap-up after a call that never started, and refuses wrap-up events to anyone but an interpreter', async () => {
    const { i, onA } = await interpreterOnBoth();
    const woman = await ask(a.url);
    await callNeverStarted(onA, woman.s, woman.requestId);
    expect(await sql(`SELECT wrapup_until FROM interpreters WHERE id = $1`, [i.interpreterId])).toEqual([{ wrapup_until: null }]);
    expect((await woman.s.call('wrapup:extend', {})).error.code).toBe('FORBIDDEN');
  });

  it('tells her roster admins when she asks for a debrief: who, when and the matter, once; only they can list it', async () => {
    const { i, onA } = await interpreterOnBoth();
    const woman = await ask(b.url, 'violence');
    await callAndHangUp(onA, woman.s, woman.requestId);
    const admin = await staffAt(a.url, sql, 'roster_admin', { country: 'GT' });
    const otherAdmin = await staffAt(a.url, sql, 'roster_admin', { country: 'MX' });
    const asked = await fetch(`${b.url}/api/v1/interpreters/me/debrief`, {
      method: 'POST',
      headers: { authorization: `Bearer ${i.token}` },
    });
    expect(asked.status).toBe(201);
    const debrief = (await asked.json()) as { id: string; matter: string; firstName: string; interpreterId: string };
    expect(debrief).toEqual(expect.objectContaining({ matter: 'violence', firstName: 'Ana', interpreterId: i.interpreterId }));
    const mail = await until(() => smtp.to(admin.email)[0]);
    expect(mail.subject).toMatch(/Ana asks for a debrief/);
    expect(mail.raw).toMatch(/after a violence call/);
    expect(smtp.to(otherAdmin.email)).toEqual([]);
    // Asked twice at once (her phone and her console): one request, one email per admin.
    const twice = await Promise.all(
      [a.url, b.url].map((url) =>
        fetch(`${url}/api/v1/interpreters/me/debrief`, { method: 'POST', headers: { authorization: `Bearer ${i.token}` } }).then((r) =>
          r.json(),
        ),
      ),
    );
    expect(twice.map((d: { id: string }) => d.id)).toEqual([debrief.id, debrief.id]);
    // Asked again later: the same request, nobody emailed twice.
    const again = await fetch(`${a.url}/api/v1/interpreters/me/debrief`, {
      method: 'POST',
      headers: { authorization: `Bearer ${i.token}` },
    });
    expect(((await again.json()) as { id: string }).id).toBe(debrief.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.to(admin.email)).toHaveLength(1);

    const listed = await getJson<{ id: string }[]>(a.url, '/api/v1/rosters/GT/debrief-requests', admin.token);
    expect(listed.status).toBe(200);
    expect(listed.body.map((d) => d.id)).toContain(debrief.id);
    // Another country's roster is not there for her; a platform admin does not see interpreters' debriefs.
    expect((await getJson(a.url, '/api/v1/rosters/GT/debrief-requests', otherAdmin.token)).status).toBe(404);
    const platform = await staffAt(a.url, sql, 'platform_admin');
    expect((await getJson(a.url, '/api/v1/rosters/GT/debrief-requests', platform.token)).status).toBe(403);
    expect((await getJson(a.url, '/api/v1/rosters/GT/debrief-requests', i.token)).status).toBe(403);
    expect((await getJson(a.url, '/api/v1/rosters/GT/debrief-requests')).status).toBe(401);
    // Only an interpreter asks for one.
    const byAdmin = await fetch(`${a.url}/api/v1/interpreters/me/debrief`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}` },
    });
    expect(byAdmin.status).toBe(403);
    // Metadata only: these columns and nothing else.
    const columns = await sql<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'debrief_requests' ORDER BY column_name`,
    );
    expect(columns.map((c) => c.column_name)).toEqual(['country', 'id', 'interpreter_id', 'matter', 'requested_at']);
  });

  it("caps violence and trafficking calls per interpreter as her roster sets it, and only her roster's admin sets it", async () => {
    const admin = await staffAt(a.url, sql, 'roster_admin', { country: 'GT' });
    const otherAdmin = await staffAt(a.url, sql, 'roster_admin', { country: 'MX' });
    const { i: i0, onA: console0 } = await interpreterOnBoth();
    await console0.call('presence:set', { status: 'away' });
    const put = (token: string | null, body: unknown, country = 'GT') =>
      fetch(`${b.url}/api/v1/rosters/${country}/call-limits`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    expect((await put(otherAdmin.token, { violenceTraffickingPerDay: 1 })).status).toBe(404);
    expect((await put(i0.token, { violenceTraffickingPerDay: 1 })).status).toBe(403);
    expect((await put(null, { violenceTraffickingPerDay: 1 })).status).toBe(401);
    for (const bad of [{ violenceTraffickingPerDay: 0 }, { violenceTraffickingPerDay: 'many' }, { violenceTraffickingPerDay: 2.5 }, {}]) {
      const res = await put(admin.token, bad);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/violenceTraffickingPerDay/);
    }
    expect(await sql(`SELECT * FROM roster_call_limits`)).toEqual([]);
    const set = await put(admin.token, { violenceTraffickingPerDay: 1 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ country: 'GT', violenceTraffickingPerDay: 1 });
    expect((await getJson(a.url, '/api/v1/rosters/GT/call-limits', admin.token)).body).toEqual({
      country: 'GT',
      violenceTraffickingPerDay: 1,
    });

    // Her one violence call of the day (a call that never started: no wrap-up to wait for).
    const { i, onA } = await interpreterOnBoth();
    const first = await ask(a.url, 'violence');
    await callNeverStarted(onA, first.s, first.requestId);

    // A trafficking call waits for someone else; a legal one rings for her.
    const capped = await ask(b.url, 'trafficking');
    const legal = await ask(b.url, 'legal_civil');
    const next = await within(
      onA.next('offer:new', (o) => o.requestId === legal.requestId),
      20_000,
      'the legal call',
    );
    expect(onA.seen('offer:new').filter((o) => o.requestId === capped.requestId)).toEqual([]);
    expect(await sql(`SELECT count(*)::int AS n FROM offers WHERE request_id = $1`, [capped.requestId])).toEqual([{ n: 0 }]);
    await onA.call('offer:decline', { offerId: next.offerId });

    // The cap removed: the trafficking call is hers.
    expect(await (await put(admin.token, { violenceTraffickingPerDay: null })).json()).toEqual({
      country: 'GT',
      violenceTraffickingPerDay: null,
    });
    // Set available again, she is served the waiting line.
    expect(await onA.call('presence:set', { status: 'available' })).toEqual({ status: 'available' });
    const now = await within(
      onA.next('offer:new', (o) => o.requestId === capped.requestId),
      20_000,
      'the trafficking call, uncapped',
    );
    expect(now.matter).toBe('trafficking');
    const [{ n }] = await sql<{ n: number }>(`SELECT cardinality(care_calls) AS n FROM interpreters WHERE id = $1`, [i.interpreterId]);
    expect(n).toBe(1);
  });
});

describe('WRAPUP_SECONDS reaching PostgreSQL', () => {
  it('a node refuses to start when DATABASE_URL would replace the setting each connection carries, and says why', async () => {
    const db = await createTestDatabase();
    try {
      const node = spawn('node', ['dist/src/cli.js', 'serve'], {
        cwd: `${__dirname}/..`,
        env: {
          ...process.env,
          ...testEnv({ DATABASE_URL: `${db.url}?options=-c%20statement_timeout%3D60000`, PORT: String(await freePort()) }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let said = '';
      node.stdout!.on('data', (d) => (said += String(d)));
      node.stderr!.on('data', (d) => (said += String(d)));
      const [code] = (await once(node, 'exit')) as [number | null];
      expect(code).not.toBe(0);
      expect(said).toMatch(/puente\.wrapup_seconds \(WRAPUP_SECONDS\): remove any options= parameter from DATABASE_URL/);
    } finally {
      await db.drop();
    }
  }, 60_000);
});
