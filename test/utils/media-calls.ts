import { MediaInspection } from '../../src/media/media-inspection';
import { caller, interpreter, languageId, Person } from './matching-fixtures';
import type { TestSocket } from './socket-client';
import { createStaff, TestApp } from './test-app';
import { connect } from './socket-client';
import { CallPeer, flowing, hears } from './webrtc-peer';

/** Things to close after a test file. */
export type Closers = (() => void)[];

/** A session's metadata as stored: all there is to know about a call afterwards. */
export async function sessionRow(t: TestApp, id: string) {
  const [row] = await t.sql<{ started_at: Date | null; ended_at: Date | null; end_reason: string | null; participant_roles: string[] }>(
    `SELECT started_at, ended_at, end_reason, participant_roles FROM sessions WHERE id = $1`,
    [id],
  );
  return row;
}

/** A caller matched to a fresh interpreter of `iso` through the real request/offer flow. */
export async function matched(t: TestApp, iso: string, closers: Closers, spec: { firstName?: string } = {}) {
  const ana: Person = await interpreter(t, { languages: `${iso}:5`, ...spec });
  const c = await caller(t);
  closers.push(
    () => ana.socket.close(),
    () => c.close(),
  );
  await c.call('request:create', { languageId: await languageId(t, iso), matter: 'violence', urgency: 'urgent', minor: false });
  const offer = await ana.socket.next('offer:new');
  const { sessionId } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
  return { ana, c, sessionId: sessionId as string };
}

/** An official of some court made the session's third party (until bookings do it), with a connected console. */
export async function officialFor(t: TestApp, sessionId: string, closers: Closers): Promise<TestSocket> {
  const official = await createStaff(t, 'official', { country: 'MX', institution: 'Juzgado Penal, Tuxtla' });
  await t.sql(`UPDATE sessions SET official_id = $2 WHERE id = $1`, [sessionId, official.id]);
  const judge = await connect(t.url, official.token);
  closers.push(() => judge.close());
  return judge;
}

/**
 * A fresh interpreter seated in the session in another interpreter's role (a relay leg's, a team partner), with a
 * connected console: what a hearing's booking does for a relay or a team (until bookings do it).
 */
export async function interpreterFor(
  t: TestApp,
  sessionId: string,
  role: 'relay_interpreter' | 'team_interpreter',
  closers: Closers,
): Promise<Person> {
  const person = await interpreter(t, { languages: 'spa:5', relay: 'eng:5', firstName: role === 'team_interpreter' ? 'Tere' : 'Rita' });
  closers.push(() => person.socket.close());
  await t.sql(`INSERT INTO session_interpreters (session_id, role, interpreter_id) VALUES ($1, $2, $3)`, [
    sessionId,
    role,
    person.interpreterId,
  ]);
  return person;
}

/** Everyone in `sockets` joins, speaks, and hears every other one, afresh. */
export async function inCall(sockets: TestSocket[], sessionId: string, closers: Closers) {
  const peers: CallPeer[] = [];
  for (const s of sockets) {
    const p = await new CallPeer(s, sessionId).start();
    closers.push(() => p.close());
    peers.push(p);
  }
  const voices: string[] = [];
  for (const p of peers) voices.push(await p.speak());
  for (const [i, p] of peers.entries()) for (const [j, v] of voices.entries()) if (i !== j) await p.listen(v);
  await allHearAll(peers, voices);
  return { peers, voices };
}

/**
 * Each peer hears every other one's voice afresh. The checks run at once: each waits for its own new packets and
 * frames, so a call of five (20 of them) takes about as long as one, not 20 in a row on a loaded machine.
 */
export async function allHearAll(peers: CallPeer[], voices: string[]) {
  await Promise.all(peers.flatMap((p, i) => voices.filter((_, j) => j !== i).map((v) => hears(p, v))));
}

/** Every pair hears the other afresh, and the worker counts more bytes for every producer and consumer. */
export async function stillTalking(t: TestApp, sessionId: string, peers: CallPeer[], voices: string[]) {
  await allHearAll(peers, voices);
  await flowing(t.app.get(MediaInspection), sessionId);
}

const sorted = <T>(xs: T[]) => [...xs].sort();

/**
 * The router of a session holds its participants' WebRTC transports and nothing else: as the worker
 * itself reports (router dump, and the WebRtcServer's own list of the WebRTC transports it serves), one
 * send and one receive transport per role present, no RTP observer, and exactly the participants'
 * producers and consumers.
 */
export async function expectOnlyParticipantsTransports(t: TestApp, sessionId: string, roles: string[]) {
  const info = (await t.app.get(MediaInspection).inspect(sessionId))!;
  expect(info).not.toBeNull();
  expect(sorted(info.roles)).toEqual(sorted(roles));
  expect(sorted(info.held.map((h) => `${h.role}:${h.direction}:${h.kind}`))).toEqual(
    sorted(roles.flatMap((r) => [`${r}:send:WebRtcTransport`, `${r}:recv:WebRtcTransport`])),
  );
  const ids = sorted(info.held.map((h) => h.id));
  expect(sorted(info.routerTransportIds)).toEqual(ids);
  expect(sorted(info.webRtcServerTransportIds)).toEqual(ids);
  expect(info.routerRtpObserverIds).toEqual([]);
  expect(sorted(info.routerProducerIds)).toEqual(sorted(info.producers.map((p) => p.id)));
  expect(sorted(info.routerConsumerIds)).toEqual(sorted(info.consumers.map((c) => c.id)));
  return info;
}
