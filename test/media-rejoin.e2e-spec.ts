import {
  Closers,
  expectOnlyParticipantsTransports,
  inCall,
  interpreterFor,
  matched,
  officialFor,
  sessionRow,
  stillTalking,
} from './utils/media-calls';
import type { Server } from 'socket.io';
import { RealtimeService } from '../src/realtime/realtime.service';
import type Redis from 'ioredis';
import { REDIS } from '../src/redis/redis.module';
import { caller, languageId, until } from './utils/matching-fixtures';
import type { TestSocket } from './utils/socket-client';
import { startTestApp, TestApp } from './utils/test-app';
import { CallPeer } from './utils/webrtc-peer';

/**
 * A participant whose connection dropped comes back within her grace period (long here, so that the test
 * does not depend on how fast the machine is) and rejoins the same three-party call.
 */
describe('rejoining a call within the grace period', () => {
  let t: TestApp;
  const closers: Closers = [];

  beforeAll(async () => {
    t = await startTestApp({ HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '60', CALLER_GRACE_SECONDS: '60' });
  });
  // Each test's peers and sockets go with it: a call left running would keep decoding its audio through the
  // next tests (five peers are 20 streams), and starve them on a two-core machine.
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(() => t.close());

  /** Drops one participant's socket, lets the others see her go, reconnects it and rejoins with fresh media. */
  async function dropAndRejoin(
    sockets: TestSocket[],
    i: number,
    sessionId: string,
    role: string,
    first: Awaited<ReturnType<typeof inCall>>,
    roles = ['caller', 'interpreter', 'official'],
  ) {
    const row = await sessionRow(t, sessionId);
    const s = sockets[i];
    s.socket.disconnect();
    first.peers[i].close();
    for (const other of sockets.filter((_, j) => j !== i))
      await other.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === role);
    await expectOnlyParticipantsTransports(
      t,
      sessionId,
      roles.filter((r) => r !== role),
    );
    s.socket.connect();
    await new Promise<void>((r) => s.socket.once('connect', () => r()));

    const back = await new CallPeer(s, sessionId).start();
    closers.push(() => back.close());
    // She is told who is there and what they send, and picks their voices up again.
    const others = first.peers.map((_, j) => j).filter((j) => j !== i);
    expect(back.join.participants.map((p: { role: string }) => p.role).sort()).toEqual(roles.filter((r) => r !== role).sort());
    expect(
      back.join.participants.flatMap((p: { producers: { producerId: string }[] }) => p.producers.map((x) => x.producerId)).sort(),
    ).toEqual(others.map((j) => first.voices[j]).sort());
    for (const j of others) await back.listen(first.voices[j]);
    const voice = await back.speak();
    for (const j of others) {
      expect(await sockets[j].next('session:newProducer', (p) => p.producerId === voice)).toEqual({
        sessionId,
        producerId: voice,
        role,
        kind: 'audio',
      });
      await first.peers[j].listen(voice);
    }
    const peers = first.peers.map((p, j) => (j === i ? back : p));
    const voices = first.voices.map((v, j) => (j === i ? voice : v));
    await stillTalking(t, sessionId, peers, voices);
    await expectOnlyParticipantsTransports(t, sessionId, roles);
    // Same session, same metadata: the call did not end or restart.
    expect(await sessionRow(t, sessionId)).toEqual(row);
    expect(row).toEqual({
      started_at: expect.any(Date),
      ended_at: null,
      end_reason: null,
      participant_roles: roles,
    });
    expect(sockets.flatMap((x) => x.seen('session:ended'))).toEqual([]);
  }

  it('takes back a caller whose connection dropped, into the same three-party call', async () => {
    const { ana, c, sessionId } = await matched(t, 'cak', closers);
    const judge = await officialFor(t, sessionId, closers);
    const sockets = [c, ana.socket, judge];
    await dropAndRejoin(sockets, 0, sessionId, 'caller', await inCall(sockets, sessionId, closers));
  });

  it('takes back an interpreter whose connection dropped, without handing the caller to anyone else', async () => {
    const { ana, c, sessionId } = await matched(t, 'tzj', closers);
    const judge = await officialFor(t, sessionId, closers);
    const sockets = [c, ana.socket, judge];
    await dropAndRejoin(sockets, 1, sessionId, 'interpreter', await inCall(sockets, sessionId, closers));
    const [request] = await t.sql(
      `SELECT r.state, r.interpreter_id FROM sessions s JOIN interpretation_requests r ON r.id = s.request_id WHERE s.id = $1`,
      [sessionId],
    );
    expect(request).toEqual({ state: expect.stringMatching(/^(accepted|connected)$/), interpreter_id: ana.interpreterId });
  });
  it('takes back a relay interpreter whose connection dropped, into the same call of five', async () => {
    const { ana, c, sessionId } = await matched(t, 'mam', closers);
    const judge = await officialFor(t, sessionId, closers);
    const [relay, team] = [
      await interpreterFor(t, sessionId, 'relay_interpreter', closers),
      await interpreterFor(t, sessionId, 'team_interpreter', closers),
    ];
    const sockets = [c, ana.socket, relay.socket, team.socket, judge];
    const roles = ['caller', 'interpreter', 'relay_interpreter', 'team_interpreter', 'official'];
    await dropAndRejoin(sockets, 2, sessionId, 'relay_interpreter', await inCall(sockets, sessionId, closers), roles);
  });

  it("keeps on an interpreter's connection only the calls still going: one that ended is forgotten", async () => {
    const { ana, c, sessionId: first } = await matched(t, 'mam', closers);
    await ana.socket.call('session:join', { sessionId: first });
    expect(await c.call('session:leave', { sessionId: first })).toEqual({});
    await ana.socket.next('session:ended', (e) => e.sessionId === first);
    // Its host key goes as the session ends (what marks it over for every node).
    const redis = t.app.get<Redis>(REDIS);
    await until(async () => !(await redis.get(`media:host:${first}`)));
    const next = await caller(t);
    closers.push(() => next.close());
    await next.call('request:create', { languageId: await languageId(t, 'mam'), matter: 'violence', urgency: 'normal', minor: false });
    const offer = await ana.socket.next('offer:new');
    const { sessionId: second } = await ana.socket.call('offer:accept', { offerId: offer.offerId });
    await ana.socket.call('session:join', { sessionId: second });
    const server = (t.app.get(RealtimeService) as unknown as { server: Server }).server;
    const hers = server.of('/').sockets.get(ana.socket.socket.id!)!;
    const media = hers.data.media as { sessions: Set<string> };
    expect([...media.sessions]).toEqual([second]);
    expect([...hers.rooms].filter((r) => r.startsWith('session:'))).toEqual([`session:${second}`]);
  });
});
