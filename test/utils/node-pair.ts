import { NodeProcess } from './cluster';
import { createTestDatabase, sqlPool } from './db';
import { connect, TestSocket } from './socket-client';
import { testEnv } from './test-app';
import { CallPeer } from './webrtc-peer';

const root = `${__dirname}/../..`;

/**
 * Two compiled nodes as separate processes on a fresh database, sharing it and Redis (so that one can be
 * killed with SIGKILL), with the sockets and WebRTC peers a test opens on them, closed by `close()`.
 */
export async function startNodePair(overrides: Record<string, string>) {
  const db = await createTestDatabase();
  const own = sqlPool(db.name);
  const env = { ...process.env, ...testEnv({ DATABASE_URL: db.url, MATCHING_SWEEP_SECONDS: '0.5', ...overrides }) } as Record<
    string,
    string
  >;
  const [a, b] = await Promise.all([NodeProcess.start(env, root), NodeProcess.start(env, root)]);
  const sockets: TestSocket[] = [];
  const peers: CallPeer[] = [];
  return {
    db,
    a,
    b,
    sql: own.sql,
    async open(url: string, token: string) {
      const s = await connect(url, token);
      sockets.push(s);
      return s;
    },
    /** A WebRTC participant of the session, joined, with its transports. */
    peer(s: TestSocket, sessionId: string) {
      const p = new CallPeer(s, sessionId);
      peers.push(p);
      return p.start();
    },
    /** Closes every WebRTC peer opened so far (as when the node they used died). */
    closePeers() {
      peers.forEach((p) => p.close());
    },
    async close() {
      peers.forEach((p) => p.close());
      sockets.forEach((s) => s.close());
      await Promise.all([a.stop(), b.stop()]);
      await own.end();
      await db.drop();
    },
  };
}

export type NodePair = Awaited<ReturnType<typeof startNodePair>>;
