/**
 * The floor of the matching benchmark, as a separate process like a node: a bare socket.io server (no
 * adapter, no auth, no framework) whose `txn` event runs one PostgreSQL transaction of the shape matching
 * needs at least (lock a row, insert a row, commit) before it acknowledges, and whose `echo` acknowledges
 * at once. Started and stopped by matching.bench.ts.
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';
import { Server } from 'socket.io';

const port = Number(process.env.PORT);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20, application_name: 'puente-floor' });
const http = createServer();
const io = new Server(http, { transports: ['websocket'] });

async function txn(rowId: number) {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('SELECT n FROM floor_rows WHERE id = $1 FOR UPDATE', [rowId]);
    await c.query('INSERT INTO floor_log (row_id) VALUES ($1)', [rowId]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

io.on('connection', (socket) => {
  socket.on('echo', (payload: unknown, ack: (r: unknown) => void) => ack(payload));
  socket.on('txn', (payload: { rowId: number }, ack: (r: unknown) => void) => {
    txn(Number(payload?.rowId) || 1).then(
      () => ack({ ok: true }),
      (e) => ack({ error: String(e?.code ?? e) }),
    );
  });
});

http.listen(port, '127.0.0.1', () => process.send?.('ready'));
process.on('SIGTERM', () => {
  io.close();
  void pool.end().finally(() => process.exit(0));
});
