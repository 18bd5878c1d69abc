import { createSocket } from 'node:dgram';
import { MediaService } from '../src/media/media.service';
import { WorkerPoolService } from '../src/media/worker-pool.service';
import { MediaInspection } from '../src/media/media-inspection';
import { until } from './utils/matching-fixtures';
import { Closers, expectOnlyParticipantsTransports, inCall, matched, officialFor, sessionRow, stillTalking } from './utils/media-calls';
import { startTestApp, TestApp } from './utils/test-app';

/** A worker killed with SIGKILL mid-call, with real WebRTC clients in the call. */
describe('a call whose mediasoup worker dies', () => {
  const closers: Closers = [];
  afterAll(() => closers.forEach((c) => c()));

  describe('with two workers', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ MEDIASOUP_WORKERS: '2', HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '60', CALLER_GRACE_SECONDS: '60' });
    });
    afterAll(() => t.close());

    it('is rebuilt at once on the surviving worker: same session id and metadata, everyone renegotiates and hears the others again', async () => {
      const media = t.app.get(MediaService);
      const rooms = t.app.get(MediaInspection);
      const { ana, c, sessionId } = await matched(t, 'kek', closers);
      const judge = await officialFor(t, sessionId, closers);
      const first = await inCall([c, ana.socket, judge], sessionId, closers);
      const before = await expectOnlyParticipantsTransports(t, sessionId, ['caller', 'interpreter', 'official']);
      const status = media.workerStatus();
      const doomed = status[before.workerIndex];
      const survivor = status.find((s) => s.index !== before.workerIndex)!;
      expect(before.workerPid).toBe(doomed.pid);
      const row = await sessionRow(t, sessionId);

      process.kill(doomed.pid!, 'SIGKILL');
      for (const s of [c, ana.socket, judge]) {
        expect(await s.next('session:mediaRestart', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'worker_died' });
      }
      // The new router is on the worker that survived (not on the dead one's replacement).
      const rebuilt = (await rooms.inspect(sessionId))!;
      expect([rebuilt.workerIndex, rebuilt.workerPid]).toEqual([survivor.index, survivor.pid]);
      expect(rebuilt.roles).toEqual([]);

      first.peers.forEach((p) => p.close());
      const again = await inCall([c, ana.socket, judge], sessionId, closers);
      expect(again.voices.filter((v) => first.voices.includes(v))).toEqual([]);
      await stillTalking(t, sessionId, again.peers, again.voices);
      const after = await expectOnlyParticipantsTransports(t, sessionId, ['caller', 'interpreter', 'official']);
      expect([after.workerIndex, after.workerPid]).toEqual([survivor.index, survivor.pid]);
      // The session, its id and its metadata carry on.
      expect(await sessionRow(t, sessionId)).toEqual(row);
      expect(row).toEqual({
        started_at: expect.any(Date),
        ended_at: null,
        end_reason: null,
        participant_roles: ['caller', 'interpreter', 'official'],
      });
      expect([c, ana.socket, judge].flatMap((s) => s.seen('session:ended'))).toEqual([]);
    });
  });

  describe('with one worker that cannot be replaced', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({ MEDIASOUP_WORKERS: '1', HOME_COUNTRY: 'GT', INTERPRETER_GRACE_SECONDS: '60', CALLER_GRACE_SECONDS: '60' });
    });
    afterAll(() => t.close());

    it('ends the session (media_failed) and tells its participants, instead of asking them to renegotiate', async () => {
      const media = t.app.get(MediaService);
      const { ana, c, sessionId } = await matched(t, 'mam', closers);
      await inCall([c, ana.socket], sessionId, closers);
      const [slot] = media.workerStatus();
      const died = new Promise((resolve) => t.app.get(WorkerPoolService).events.once('workerDied', resolve));
      process.kill(slot.pid!, 'SIGKILL');
      await died;
      // Something else takes the worker's UDP port before its replacement starts: no worker can come up.
      const squatter = createSocket('udp4');
      await new Promise<void>((resolve, reject) => {
        squatter.once('error', reject);
        squatter.bind(slot.rtcPort, '127.0.0.1', () => resolve());
      });
      try {
        for (const s of [c, ana.socket]) {
          expect(await s.next('session:ended', (e) => e.sessionId === sessionId)).toEqual({ sessionId, reason: 'media_failed' });
        }
        expect(media.workerStatus()[0].alive).toBe(false);
        expect([c, ana.socket].flatMap((s) => s.seen('session:mediaRestart'))).toEqual([]);
        expect(await sessionRow(t, sessionId)).toEqual({
          started_at: expect.any(Date),
          ended_at: expect.any(Date),
          end_reason: 'media_failed',
          participant_roles: ['caller', 'interpreter'],
        });
        expect(await t.app.get(MediaInspection).inspect(sessionId)).toBeNull();
        // Her request is not lost with the call: she is back at the front of the line for the next interpreter.
        const [{ request_id: requestId }] = await t.sql<{ request_id: string }>(`SELECT request_id FROM sessions WHERE id = $1`, [
          sessionId,
        ]);
        const back = await until(
          () => t.sql<{ state: string }>(`SELECT state FROM interpretation_requests WHERE id = $1`, [requestId]),
          (r) => ['queued', 'offering'].includes(r[0].state),
        );
        expect(back).toHaveLength(1);
        await c.next('request:update', (u) => u.requestId === requestId && (u.state === 'queued' || u.state === 'offering'));
      } finally {
        await new Promise<void>((resolve) => squatter.close(() => resolve()));
      }
      // Once the port is free the worker comes back.
      await until(() => media.workerStatus()[0].alive);
    });
  });
});
