import { MediaService } from '../src/media/media.service';
import { interpreter, until } from './utils/matching-fixtures';
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
import { startTestApp, TestApp } from './utils/test-app';

const FIVE = ['caller', 'interpreter', 'relay_interpreter', 'team_interpreter', 'official'];

/**
 * Calls of up to five (issue 14): the woman, the lead interpreter, a relay leg's interpreter, a team partner and the
 * official, with real WebRTC clients on a real mediasoup worker.
 */
describe('a call of five', () => {
  let t: TestApp;
  const closers: Closers = [];
  beforeAll(async () => {
    t = await startTestApp({ MEDIASOUP_WORKERS: '2', HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '60', CALLER_GRACE_SECONDS: '60' });
  });
  // Each test's peers and sockets go with it: a call left running would keep decoding its audio through the
  // next tests (five peers are 20 streams), and starve them on a two-core machine.
  afterEach(() => closers.splice(0).forEach((c) => c()));
  afterAll(() => t.close());

  async function five(iso: string) {
    const { ana, c, sessionId } = await matched(t, iso, closers);
    const judge = await officialFor(t, sessionId, closers);
    const relay = await interpreterFor(t, sessionId, 'relay_interpreter', closers);
    const team = await interpreterFor(t, sessionId, 'team_interpreter', closers);
    return { ana, c, judge, relay, team, sessionId, sockets: [c, ana.socket, relay.socket, team.socket, judge] };
  }

  it('everyone hears everyone; the router holds their transports and nothing that could record', async () => {
    const { sessionId, sockets } = await five('mam');
    const { peers, voices } = await inCall(sockets, sessionId, closers);
    // The last to join is told the four others, each by her role.
    expect(peers[4].join.participants.map((p: { role: string }) => p.role).sort()).toEqual(FIVE.filter((r) => r !== 'official').sort());
    await stillTalking(t, sessionId, peers, voices);
    await expectOnlyParticipantsTransports(t, sessionId, FIVE);
    expect((await sessionRow(t, sessionId)).participant_roles).toEqual(FIVE);
  });

  it("a relay interpreter's leaving tells the others her role and does not end the call; the woman's ends it for all five and frees every interpreter", async () => {
    const { ana, c, judge, relay, team, sessionId, sockets } = await five('quc');
    await inCall(sockets, sessionId, closers);
    expect(await relay.socket.call('session:leave', { sessionId })).toEqual({});
    for (const s of [c, ana.socket, team.socket, judge])
      expect(await s.next('session:participantLeft', (e) => e.sessionId === sessionId && e.role === 'relay_interpreter')).toEqual({
        sessionId,
        role: 'relay_interpreter',
      });
    expect((await sessionRow(t, sessionId)).ended_at).toBeNull();
    // She may come back while the call goes on.
    expect(await relay.socket.call('session:join', { sessionId })).toMatchObject({ participants: expect.any(Array) });

    expect(await c.call('session:leave', { sessionId })).toEqual({});
    for (const s of sockets)
      expect(await s.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'completed' });
    const seats = await t.sql<{ role: string; ended: boolean }>(
      `SELECT role, ended_at IS NOT NULL AS ended FROM session_interpreters WHERE session_id = $1 ORDER BY role`,
      [sessionId],
    );
    expect(seats).toEqual([
      { role: 'interpreter', ended: true },
      { role: 'relay_interpreter', ended: true },
      { role: 'team_interpreter', ended: true },
    ]);
    // Each of the three, whatever her role, is in the same wrap-up time after the call, and then free.
    const ids = [ana.interpreterId, relay.interpreterId, team.interpreterId];
    const wrapups = await t.sql<{ until: Date }>(`SELECT wrapup_until AS until FROM interpreters WHERE id = ANY ($1)`, [ids]);
    expect(new Set(wrapups.map((w) => w.until?.toISOString())).size).toBe(1);
    expect(wrapups[0].until).toEqual(expect.any(Date));
    const free = () => t.sql<{ free: boolean }>(`SELECT matching_free(id) AS free FROM unnest($1::uuid[]) AS id`, [ids]);
    expect(await free()).toEqual([{ free: false }, { free: false }, { free: false }]);
    await t.sql(`UPDATE interpreters SET wrapup_until = now() WHERE id = ANY ($1)`, [ids]);
    expect(await free()).toEqual([{ free: true }, { free: true }, { free: true }]);
    // An ended call is not joined again, in any role.
    expect((await team.socket.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
  });

  it('an interpreter who is not seated in the call cannot join it, and one seated in a live call is not free for another', async () => {
    const { relay, sessionId } = await five('tzj');
    const stranger = await interpreter(t, { languages: 'spa:5' });
    closers.push(() => stranger.socket.close());
    expect((await stranger.socket.call('session:join', { sessionId })).error.code).toBe('NOT_FOUND');
    await expect(t.sql(`SELECT matching_free($1) AS free`, [relay.interpreterId]).then((r) => r[0])).resolves.toEqual({ free: false });
    // The one guarantee: in at most one live call, whatever her role in it.
    const other = await matched(t, 'kek', closers);
    await expect(
      t.sql(`INSERT INTO session_interpreters (session_id, role, interpreter_id) VALUES ($1, 'relay_interpreter', $2)`, [
        other.sessionId,
        relay.interpreterId,
      ]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'session_interpreters_one_live' });
  });

  it('a worker killed mid-call: the five are told, rejoin on the surviving worker and hear each other again', async () => {
    const media = t.app.get(MediaService);
    const { sessionId, sockets } = await five('ixl');
    const first = await inCall(sockets, sessionId, closers);
    const before = await expectOnlyParticipantsTransports(t, sessionId, FIVE);
    const doomed = media.workerStatus()[before.workerIndex];
    process.kill(doomed.pid!, 'SIGKILL');
    for (const s of sockets)
      expect(await s.next('session:mediaRestart', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'worker_died' });
    first.peers.forEach((p) => p.close());
    const again = await inCall(sockets, sessionId, closers);
    await stillTalking(t, sessionId, again.peers, again.voices);
    const after = await expectOnlyParticipantsTransports(t, sessionId, FIVE);
    expect(after.workerIndex).not.toBe(before.workerIndex);
    expect(sockets.flatMap((s) => s.seen('session:ended'))).toEqual([]);
    // The dead worker is replaced, so the next test file's calls have two again.
    await until(() => media.workerStatus().every((w) => w.alive));
  });
});
