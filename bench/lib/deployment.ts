import { hash } from '@node-rs/argon2';
import { createSecretKey, KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { io, Socket } from 'socket.io-client';
import { COUNTRIES, chooseVariants, makeRoster, Variant } from './roster';
import { createDatabase, dropRedisPrefix, Node, pgQuery, REDIS_URL, PG_BASE, startNode, stopNode } from './cluster';
import { nowMs, seeded } from './stats';

export interface DeploymentOptions {
  nodes: number;
  interpreters: number;
  available: number;
  variants: number;
  /** Spanish–English interpreters added to the roster, for relay chains into English. */
  relayInterpreters?: number;
  /** Settings for every node, over the defaults below. */
  env?: Record<string, string>;
  /** Settings for node i only (e.g. an allocator setting on one node, to compare). */
  nodeEnv?: (i: number) => Record<string, string>;
  /** How long a console lets an offer ring before accepting it (0: at once); one withdrawn meanwhile is not accepted. */
  answerMs?: number;
  /** How long each side stays in a call before leaving it (0: at once). */
  callMs?: number;
}

/** What an interpreter console does when an offer rings: accept (at once, or after answerMs), then leave the call after callMs. */
export interface OfferListener {
  offerSeen(requestId: string, at: number, leg: string): void;
  acceptSent(requestId: string, offerId: string, at: number): void;
  accepted(requestId: string, offerId: string): void;
  acceptRefused(code: string): void;
}

export interface Deployment {
  db: string;
  nodes: Node[];
  variants: Variant[];
  /** The catalogue's Spanish and English (a relay chain's relay language and target). */
  relayLanguages: { spanish: string; english: string };
  interpreterSockets: Socket[];
  answerMs: number;
  callMs: number;
  /** Signs an anonymous caller token the way POST /auth/caller does (same secret, claims and issuer). */
  callerToken(): string;
  /** Signs any token the application accepts (same secret, issuer and lifetime). */
  sign(claims: Record<string, unknown>): string;
  listener: OfferListener | null;
  /** The bearer token of the nodes' /metrics. */
  metricsToken: string;
  close(): Promise<void>;
}

const TOKEN_OPTIONS = { algorithm: 'HS256' as const, issuer: 'puente', expiresIn: 4 * 3600 };
const log = (msg: string) => console.log(`[bench] ${msg}`);

/**
 * A deployment of `nodes` nodes on a fresh database and Redis prefix, with the synthetic roster imported
 * through the real import API, sharing open between every pair of countries, and `available` interpreter
 * consoles connected (spread over the nodes) and set available.
 */
export async function startDeployment(o: DeploymentOptions): Promise<Deployment> {
  const db = await createDatabase();
  const prefix = `bench${randomBytes(5).toString('hex')}`;
  const secret = randomBytes(32).toString('hex');
  // Signed with a KeyObject made once, as the application does (src/auth/auth.module.ts): given the string, jsonwebtoken
  // first tries it as a PEM private key, which failed and threw on every token, about 1 ms of the client's CPU each
  // (a fifth of its busy time, on the cores it shares with the node and PostgreSQL: BENCHMARKS.md, "Stop 35").
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const metricsToken = randomBytes(16).toString('hex');
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: `${PG_BASE}/${db.name}`,
    REDIS_URL,
    REDIS_PREFIX: prefix,
    JWT_SECRET: secret,
    METRICS_TOKEN: metricsToken,
    MEDIASOUP_WORKERS: '1',
    MEDIASOUP_LISTEN_IP: '127.0.0.1',
    MEDIASOUP_ANNOUNCED_ADDRESS: '127.0.0.1',
    // One address for every simulated caller and interpreter: the per-address limits are out of the way.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
    RATE_LIMIT_CALLER_TOKENS_PER_HOUR: '1000000',
    MAX_SOCKETS_PER_ADDRESS: '1000000',
    MAX_LIVE_REQUESTS_PER_ADDRESS: '1000000',
    CALLER_EVENTS_PER_10_SECONDS: '1000000',
    // Offers must not ring out and requests must not time out during a run: every offer is answered at once.
    OFFER_RING_SECONDS: '300',
    REQUEST_WAIT_LIMIT_SECONDS: '1800',
    // A caller who gave up (timed out) is abandoned soon, so that the next run starts from an empty line.
    CALLER_GRACE_SECONDS: '5',
    // The benchmarks measure matching and media, not interpreters' rest: an interpreter is free again the moment her
    // call ends, as in every figure measured before wrap-up time existed (issue 15).
    WRAPUP_SECONDS: '0',
    ...o.env,
  };
  const nodes: Node[] = [];
  const sockets: Socket[] = [];
  const dep: Deployment = {
    db: db.name,
    nodes,
    variants: [],
    relayLanguages: { spanish: '', english: '' },
    interpreterSockets: sockets,
    answerMs: o.answerMs ?? 0,
    callMs: o.callMs ?? 0,
    callerToken: () => sign({ sub: randomUUID(), role: 'caller' }, key, TOKEN_OPTIONS),
    sign: (claims) => sign(claims, key, TOKEN_OPTIONS),
    listener: null,
    metricsToken,
    close: async () => {
      for (const s of sockets) s.disconnect();
      await Promise.all(nodes.map(stopNode));
      await dropRedisPrefix(prefix).catch((e) => log(`could not clean Redis prefix ${prefix}: ${e}`));
      await db.drop().catch((e) => log(`could not drop ${db.name}: ${e}`));
    },
  };
  try {
    // One node first: it migrates the empty database and loads the language catalogue.
    for (let i = 0; i < o.nodes; i++) nodes.push(await startNode({ ...env, ...o.nodeEnv?.(i) }));
    log(`${o.nodes} node(s) ready on ${db.name}`);

    const languages = await pgQuery<{ id: string; iso6393: string; variant: string | null; countries: string[] }>(
      db.name,
      `SELECT id, iso6393, variant, countries FROM languages WHERE NOT is_relay ORDER BY iso6393, variant NULLS FIRST`,
    );
    dep.variants = chooseVariants(languages, o.variants);
    const relays = await pgQuery<{ id: string; iso6393: string }>(
      db.name,
      `SELECT id, iso6393 FROM languages WHERE iso6393 IN ('spa', 'eng') AND variant IS NULL`,
    );
    dep.relayLanguages = {
      spanish: relays.find((l) => l.iso6393 === 'spa')!.id,
      english: relays.find((l) => l.iso6393 === 'eng')!.id,
    };
    const passwordHash = await hash(randomBytes(16).toString('hex'));
    await importRoster(dep, passwordHash, key, o.interpreters, o.relayInterpreters ?? 0);
    await connectInterpreters(dep, passwordHash, key, o.available);
    return dep;
  } catch (e) {
    await dep.close();
    throw e;
  }
}

async function importRoster(dep: Deployment, passwordHash: string, key: KeyObject, size: number, relay: number) {
  const roster = makeRoster(dep.variants, size, 42, relay);
  size = roster.size;
  const base = dep.nodes[0].url;
  const t0 = nowMs();
  let created = 0;
  for (const country of COUNTRIES) {
    const [admin] = await pgQuery<{ id: string }>(
      dep.db,
      `INSERT INTO users (email, password_hash, role, country) VALUES ($1, $2, 'roster_admin', $3) RETURNING id`,
      [`admin-${country.toLowerCase()}@bench.puente.example`, passwordHash, country],
    );
    const token = sign({ sub: admin.id, role: 'roster_admin', country, institution: null, interpreterId: null }, key, TOKEN_OPTIONS);
    const headers = { authorization: `Bearer ${token}` };
    const csv = roster.files.get(country);
    if (csv) {
      const res = await fetch(`${base}/api/v1/rosters/${country}/import`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'text/csv' },
        body: csv,
      });
      const body = (await res.json()) as { created: number; rejected: unknown[] };
      if (res.status !== 200 || body.rejected.length)
        throw new Error(`import ${country}: ${res.status} ${JSON.stringify(body).slice(0, 500)}`);
      created += body.created;
    }
    const share = await fetch(`${base}/api/v1/rosters/${country}/sharing`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ countries: COUNTRIES.filter((c) => c !== country) }),
    });
    if (share.status !== 200) throw new Error(`sharing ${country}: ${share.status} ${await share.text()}`);
  }
  if (created !== size) throw new Error(`imported ${created} interpreters, expected ${size}`);
  log(
    `imported ${created} interpreters in ${dep.variants.length} language variants over ${roster.files.size} rosters in ${((nowMs() - t0) / 1000).toFixed(1)} s`,
  );
}

async function connectInterpreters(dep: Deployment, passwordHash: string, key: KeyObject, available: number) {
  // Accounts for the whole roster with one shared hash; tokens are signed here rather than by 2,000 logins.
  const accounts = await pgQuery<{ id: string; interpreter_id: string; country: string }>(
    dep.db,
    `INSERT INTO users (email, password_hash, role, country, interpreter_id)
     SELECT lower(external_id) || '.account@bench.puente.example', $1, 'interpreter', country, id FROM interpreters ORDER BY external_id
     RETURNING id, interpreter_id, country`,
    [passwordHash],
  );
  const rng = seeded(7);
  for (let i = accounts.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [accounts[i], accounts[j]] = [accounts[j], accounts[i]];
  }
  const chosen = accounts.slice(0, available);
  const t0 = nowMs();
  const BATCH = 50;
  for (let i = 0; i < chosen.length; i += BATCH) {
    await Promise.all(
      chosen.slice(i, i + BATCH).map(async (a, k) => {
        const token = sign(
          { sub: a.id, role: 'interpreter', country: a.country, institution: null, interpreterId: a.interpreter_id },
          key,
          TOKEN_OPTIONS,
        );
        const socket = await connectInterpreter(dep, dep.nodes[(i + k) % dep.nodes.length].url, token);
        dep.interpreterSockets.push(socket);
        const ack = await socket.timeout(30_000).emitWithAck('presence:set', { status: 'available' });
        if (ack?.status !== 'available') throw new Error(`presence:set: ${JSON.stringify(ack)}`);
      }),
    );
  }
  log(`${chosen.length} interpreters connected and available in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
}

async function connectInterpreter(dep: Deployment, url: string, token: string): Promise<Socket> {
  const socket = io(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 200, timeout: 20_000 });
  // Offers ringing on this console that have not been answered yet, and are not to be once withdrawn.
  const ringing = new Map<string, NodeJS.Timeout>();
  socket.on('offer:withdrawn', ({ offerId }: { offerId: string }) => {
    clearTimeout(ringing.get(offerId));
    ringing.delete(offerId);
  });
  socket.on('offer:new', (offer: { offerId: string; requestId: string; leg: string }) => {
    dep.listener?.offerSeen(offer.requestId, nowMs(), offer.leg);
    if (dep.answerMs <= 0) return answer(offer);
    ringing.set(
      offer.offerId,
      setTimeout(() => {
        ringing.delete(offer.offerId);
        answer(offer);
      }, dep.answerMs),
    );
  });
  const answer = (offer: { offerId: string; requestId: string }) => {
    const l = dep.listener;
    const sentAt = nowMs();
    l?.acceptSent(offer.requestId, offer.offerId, sentAt);
    socket
      .timeout(30_000)
      .emitWithAck('offer:accept', { offerId: offer.offerId })
      .then((ack: { sessionId?: string; waiting?: string; error?: { code: string } }) => {
        // One leg of a relay chain accepted first: the call opens when the other leg accepts (its caller leaves it).
        if (ack?.waiting) return;
        if (!ack?.sessionId) return l?.acceptRefused(ack?.error?.code ?? 'no session');
        l?.accepted(offer.requestId, offer.offerId);
        // She leaves (at once, or after callMs), so that she is free for the next caller (whoever leaves first ends
        // the call).
        const leave = () =>
          socket
            .timeout(30_000)
            .emitWithAck('session:leave', { sessionId: ack.sessionId })
            .catch(() => undefined);
        if (dep.callMs > 0) setTimeout(leave, dep.callMs);
        else void leave();
      })
      .catch(() => l?.acceptRefused('timeout'));
  };
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(e));
  });
  return socket;
}
