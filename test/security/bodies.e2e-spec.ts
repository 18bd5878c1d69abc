import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { NodeProcess, staffAt } from '../utils/cluster';
import { adminQuery, createTestDatabase } from '../utils/db';
import { testEnv } from '../utils/test-app';

const root = `${__dirname}/../..`;
const MB = 1024 * 1024;

/** Resident memory of a process, in bytes (VmRSS of /proc/<pid>/status). */
const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

/**
 * Sends a body with node:http (the server may answer before it has all of it, and close; fetch would only
 * report the broken pipe). `chunked`: no Content-Length, so the size is learnt only by reading.
 */
function send(url: string, method: string, path: string, body: Buffer, headers: Record<string, string>, chunked = false): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${url}${path}`,
      { method, headers: chunked ? headers : { ...headers, 'content-length': String(body.length) } },
      (res) => {
        answered = true;
        res.resume();
        resolve(res.statusCode!);
      },
    );
    // Once answered, the server may close before taking the rest: that broken pipe is the point.
    req.on('error', (e) => answered || reject(e));
    req.end(body);
  });
}

/**
 * Attack 3 of issue 11: a 9.9 MB body without any token made a node buffer it (its memory went from 126 to
 * 908 MB) and /health wait. Against the compiled server in its own process, so its memory is its own.
 */
describe('bodies: 64 KB everywhere, the roster import only after authentication', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let node: NodeProcess;
  const sql = <T = Record<string, unknown>>(q: string, params: unknown[] = []) => adminQuery<T>(q, params, db.name);

  // The compiled server is dist/, built once per run by the global setup.
  beforeAll(async () => {
    db = await createTestDatabase();
    node = await NodeProcess.start(
      { ...process.env, ...testEnv({ DATABASE_URL: db.url, ROSTER_IMPORT_MAX_BYTES: String(20 * MB) }) } as Record<string, string>,
      root,
    );
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
    await db?.drop();
  });

  it('refuses 9.9 MB without a token before reading it: the node stays within 50 MB and /health answers meanwhile', async () => {
    const pid = node.pid!;
    const big = Buffer.alloc(9.9 * MB, 'a');
    const json = Buffer.concat([Buffer.from('{"countries":["'), big, Buffer.from('"]}')]);
    // Warm the paths first, so that what is measured is the attack, not the first request's code loading.
    await send(node.url, 'PUT', '/api/v1/rosters/GT/sharing', Buffer.from('{}'), { 'content-type': 'application/json' });
    const before = rss(pid);
    let peak = before;
    let attacking = true;
    const sampler = (async () => {
      while (attacking) {
        peak = Math.max(peak, rss(pid));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const attacks = Promise.all([
      send(node.url, 'PUT', '/api/v1/rosters/GT/sharing', json, { 'content-type': 'application/json' }),
      send(node.url, 'PUT', '/api/v1/rosters/GT/sharing', json, { 'content-type': 'application/json' }, true),
      send(node.url, 'POST', '/api/v1/rosters/GT/import', big, { 'content-type': 'text/csv' }),
      send(node.url, 'POST', '/api/v1/rosters/GT/import', json, { 'content-type': 'application/json' }, true),
      send(node.url, 'POST', '/api/v1/auth/login', json, { 'content-type': 'application/json' }),
      send(node.url, 'POST', '/api/v1/bookings/join', big, { 'content-type': 'application/x-www-form-urlencoded' }),
    ]);
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
    const statuses = await attacks;
    attacking = false;
    await sampler;
    peak = Math.max(peak, rss(pid));
    expect(peak - before).toBeLessThan(50 * MB);
    expect(statuses).toEqual([413, 413, 401, 401, 413, 413]);
    expect((await fetch(`${node.url}/health`)).status).toBe(200);
  });

  it('caps every other body at 64 KB, with a token too', async () => {
    const admin = await staffAt(node.url, sql, 'roster_admin', { country: 'GT' });
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` };
    const countries = (n: number) => Buffer.from(JSON.stringify({ countries: ['MX'], pad: 'x'.repeat(n) }));
    expect(await send(node.url, 'PUT', '/api/v1/rosters/GT/sharing', countries(70 * 1024), auth)).toBe(413);
    // Under the cap, the body is read and validated as usual (the unknown field is named).
    expect(await send(node.url, 'PUT', '/api/v1/rosters/GT/sharing', countries(60 * 1024), auth)).toBe(400);
  });

  it('reads a large import once the roster admin is known, and refuses what is not UTF-8 whatever the Content-Type says', async () => {
    const admin = await staffAt(node.url, sql, 'roster_admin', { country: 'GT' });
    const post = (body: Buffer, contentType: string) =>
      fetch(`${node.url}/api/v1/rosters/GT/import`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: `Bearer ${admin.token}` },
        body: new Uint8Array(body),
      });
    const header = 'external_id,first_name,email,languages\n';
    const rows = Array.from({ length: 5000 }, (_, i) => `SEC-${i},Ana María,sec${i}@example.org,mam:4`).join('\n');
    const csv = Buffer.from(header + rows, 'utf8');
    expect(csv.length).toBeGreaterThan(64 * 1024);
    const ok = await post(csv, 'text/csv');
    expect(ok.status).toBe(200);
    expect((await ok.json()).created).toBe(5000);

    // Latin-1 bytes for "María": refused as the multipart path refuses them, nothing stored, not mangled to U+FFFD.
    const latin1 = Buffer.from(`${header}SEC-L1,María,l1@example.org,mam:4\n`, 'latin1');
    for (const contentType of ['text/csv', 'text/csv; charset=iso-8859-1', 'text/plain']) {
      const refused = await post(latin1, contentType);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ message: ['the file is not valid UTF-8'], fields: ['file'] });
    }
    const json = Buffer.from(`[{"external_id":"SEC-L2","first_name":"Mar\xeda","email":"l2@example.org","languages":"mam:4"}]`, 'latin1');
    const refusedJson = await post(json, 'application/json; charset=latin1');
    expect(refusedJson.status).toBe(400);
    expect((await refusedJson.json()).fields).toEqual(['body']);
    expect(await sql(`SELECT 1 FROM interpreters WHERE external_id IN ('SEC-L1', 'SEC-L2')`)).toEqual([]);
    expect((await post(csv, 'application/xml')).status).toBe(415);
  });
});
