import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/*
 * Ports for test servers. Asking the kernel for port 0 and closing it hands out a port in the ephemeral
 * range, which the next outgoing connection (to PostgreSQL, Redis...) may take before the test binds it,
 * and a block of consecutive ports (one per mediasoup worker) is not free just because its first port was.
 * So ports come from below the ephemeral range (32768+ on Linux), from a window of their own for each
 * jest worker, and every port of a block is checked free for both TCP and UDP.
 */
const FIRST = 20000;
const WINDOW = 2000;
const worker = Number(process.env.JEST_WORKER_ID ?? 0) % 6;
let next = FIRST + worker * WINDOW + Math.floor(Math.random() * WINDOW);

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.unref();
    sock.once('error', () => resolve(false));
    sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports that are free for TCP and UDP on 127.0.0.1 right now. */
export async function freePorts(count: number): Promise<number> {
  const windowStart = FIRST + worker * WINDOW;
  for (let tries = 0; tries < WINDOW; tries++) {
    if (next + count > windowStart + WINDOW) next = windowStart;
    const base = next;
    next += count;
    let free = true;
    for (let p = base; p < base + count && free; p++) free = (await tcpFree(p)) && (await udpFree(p));
    if (free) return base;
  }
  throw new Error(`no ${count} free consecutive ports in ${windowStart}-${windowStart + WINDOW}`);
}

/** One port free for TCP and UDP (HTTP servers, TURN, Redis). */
export function freePort(): Promise<number> {
  return freePorts(1);
}
