import { ModulesContainer } from '@nestjs/core';
import fc from 'fast-check';
import { IS_PUBLIC, ROLES as ROLES_KEY } from '../src/auth/auth.decorators';
import { ROLES, type Role } from '../src/common/domain';
import { MAX_PAYLOAD_DEPTH } from '../src/common/validation';
import { RostersService } from '../src/rosters/rosters.service';
import { ROSTER_COLUMNS } from '../src/rosters/import/roster-columns';
import { createStaff, startTestApp, TestApp } from './utils/test-app';
import { Deep } from './utils/deep-value';

/**
 * Property-based fuzzing of every REST route in the OpenAPI document (so new routes are covered without
 * touching this file): random paths, query strings and bodies, with the right role's token, a wrong role's,
 * a bad one and none. Never a 5xx; 400s name the fields; unknown fields are refused; a wrong role is 403;
 * a 4xx changes nothing stored, except the one audit event a failed login records. Reproduce a failure with
 * FUZZ_SEED=<seed printed below>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_260_117);
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  id: string;
  pathParams: { name: string; enum?: string[] }[];
  queryParams: string[];
  /** The properties of a DTO body (`null`: no DTO body; the roster import takes raw CSV or a JSON array). */
  bodyProperties: string[] | null;
  public: boolean;
  /** Roles allowed; null: any signed-in user. */
  roles: Role[] | null;
}

interface Sent {
  op: Operation;
  path: Record<string, string>;
  query: [string, string][];
  /** undefined: no body; a string: sent as is (text or malformed JSON); anything else: JSON. */
  body?: unknown;
  contentType?: string;
  token?: string;
}

const TABLES = [
  'users',
  'interpreters',
  'interpreter_languages',
  'interpreter_relay_languages',
  'languages',
  'language_links',
  'roster_sharing',
];

describe('REST routes under random input', () => {
  let t: TestApp;
  let ops: Operation[];
  const tokens = {} as Record<Role, string>;

  const json = (v: unknown) => {
    try {
      return JSON.stringify(v)?.slice(0, 300);
    } catch {
      return String(v);
    }
  };

  /**
   * Each table's row count and newest row version, and the audit log's last sequence number. Any committed
   * insert or update writes a row version with a newer transaction id (xmin), and a delete changes the count,
   * so this sees every change a digest of the contents would, without sorting and hashing the language
   * catalogue's thousands of rows twice per request (which made the fuzzing slow enough to time out).
   */
  const snapshot = async () => {
    const parts = TABLES.map((tb) => `(SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM ${tb}) AS ${tb}`);
    const [row] = await t.sql<Record<string, string>>(
      `SELECT ${parts.join(', ')}, (SELECT coalesce(max(seq), 0)::text FROM audit_events) AS audit_seq`,
    );
    return row;
  };
  const auditSince = async (seq: string) =>
    (await t.sql<{ type: string }>(`SELECT type FROM audit_events WHERE seq > $1 ORDER BY seq`, [seq])).map((r) => r.type);

  /** Routes and who may call them, read from the OpenAPI document and each handler's @Public/@Roles. */
  function readOperations(doc: any): Operation[] {
    const controllers = new Map<string, any>();
    for (const m of t.app.get(ModulesContainer).values())
      for (const w of m.controllers.values()) if (w.metatype) controllers.set(w.metatype.name, w.metatype);
    const out: Operation[] = [];
    for (const [path, byMethod] of Object.entries<any>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(byMethod)) {
        const [controllerName, handlerName] = String(op.operationId).split('_');
        const cls = controllers.get(controllerName);
        const handler = cls?.prototype?.[handlerName];
        if (!handler) throw new Error(`cannot find the handler of ${method} ${path} (${op.operationId})`);
        const params: any[] = op.parameters ?? [];
        const schema = op.requestBody?.content?.['application/json']?.schema;
        const ref = schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : undefined;
        out.push({
          method: method as Operation['method'],
          path,
          id: op.operationId,
          pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, enum: p.schema?.enum })),
          queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
          bodyProperties: ref ? Object.keys(ref.properties ?? {}) : null,
          public: Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, cls)),
          roles: Reflect.getMetadata(ROLES_KEY, handler) ?? Reflect.getMetadata(ROLES_KEY, cls) ?? null,
        });
      }
    }
    return out;
  }

  const allowed = (op: Operation): Role[] => (op.public || !op.roles ? [...ROLES] : op.roles);
  const wrong = (op: Operation): Role[] => ROLES.filter((r) => !allowed(op).includes(r));

  beforeAll(async () => {
    console.log(`fuzz-rest: seed ${SEED}, ${RUNS} runs per property (FUZZ_SEED / FUZZ_RUNS to change)`);
    t = await startTestApp();
    tokens.caller = (await t.http().post('/api/v1/auth/caller').send({}).expect(200)).body.accessToken;
    await t.app.get(RostersService).importRoster(
      'GT',
      [
        {
          external_id: 'fz-1',
          first_name: 'Ana',
          email: 'fz-1@test.puente.example',
          languages: 'mam:5',
          relay_languages: 'spa',
          status: 'active',
        },
      ],
      null,
    );
    const [row] = await t.sql<{ id: string }>(`SELECT id FROM interpreters WHERE external_id = 'fz-1'`);
    tokens.interpreter = (await createStaff(t, 'interpreter', { country: 'GT', interpreterId: row.id })).token;
    tokens.official = (await createStaff(t, 'official', { country: 'GT' })).token;
    tokens.roster_admin = (await createStaff(t, 'roster_admin', { country: 'GT' })).token;
    tokens.platform_admin = (await createStaff(t, 'platform_admin')).token;
    await t.sql(`INSERT INTO roster_sharing (owner_country, borrower_country) VALUES ('GT', 'HN')`);
    const doc = (await t.http().get('/api/docs-json').expect(200)).body;
    ops = readOperations(doc);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function send(s: Sent) {
    let url = s.op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(s.path[name] ?? ''));
    if (s.query.length) url += `?${s.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
    let req = t.http()[s.op.method](url);
    if (s.token) req = req.set('Authorization', s.token);
    if (s.body !== undefined) {
      req = req.set('Content-Type', s.contentType ?? 'application/json').send(typeof s.body === 'string' ? s.body : JSON.stringify(s.body));
    }
    return req;
  }

  /**
   * True when Express's JSON parser refuses the body (malformed, or a bare scalar: it parses objects and arrays
   * only). Parsing happens before any guard, so such a request is a 400 without fields, even with no token.
   */
  const parserRefuses = (s: Sent) => {
    // The roster import reads its own body, after the guards.
    if (s.op.id === 'RostersController_import') return false;
    if (s.body === undefined || (s.contentType ?? 'application/json') !== 'application/json') return false;
    try {
      const parsed = JSON.parse(typeof s.body === 'string' ? s.body : JSON.stringify(s.body));
      return typeof parsed !== 'object' || parsed === null;
    } catch {
      return true;
    }
  };

  /** True when the JSON body is over the parser's limit (64 KB): refused with 413, before any guard. */
  const parserTooLarge = (s: Sent) => {
    if (s.op.id === 'RostersController_import') return false;
    if (s.body === undefined || (s.contentType ?? 'application/json') !== 'application/json') return false;
    return Buffer.byteLength(typeof s.body === 'string' ? s.body : JSON.stringify(s.body)) > 64 * 1024;
  };
  /** What a request with no valid token (or the wrong role: `refused`) gets, its body decides first. */
  const refusal = (s: Sent, refused: number) => (parserTooLarge(s) ? 413 : parserRefuses(s) ? 400 : refused);

  /** Sends one request and checks what must hold whatever it was: no 5xx, named 400s, nothing stored on a 4xx. */
  async function check(s: Sent) {
    const before = await snapshot();
    const res = await send(s);
    const where = `${s.op.method.toUpperCase()} ${s.op.path} ${json({ path: s.path, query: s.query, body: s.body, token: s.token?.slice(0, 12) })} -> ${res.status} ${res.text.slice(0, 300)}`;
    if (res.status >= 500) throw new Error(`5xx: ${where}`);
    if (res.status === 400) {
      const named =
        Array.isArray(res.body.fields) && res.body.fields.length > 0 && res.body.fields.every((f: unknown) => typeof f === 'string');
      if (!res.body.message || (!parserRefuses(s) && !named)) throw new Error(`400 without fields: ${where}`);
    }
    if (res.status >= 400) {
      const after = await snapshot();
      const { audit_seq: seqBefore, ...tablesBefore } = before;
      const { audit_seq: seqAfter, ...tablesAfter } = after;
      if (json(tablesAfter) !== json(tablesBefore)) throw new Error(`a ${res.status} changed stored data: ${where}`);
      const events = seqAfter === seqBefore ? [] : await auditSince(seqBefore);
      // A refused login is recorded; the one that reaches the lockout threshold also records the lockout. So is
      // a refused join code (never the code itself).
      const login = s.op.id === 'AuthController_login' && (res.status === 401 || res.status === 429);
      const joinCode = s.op.id === 'BookingsController_join' && res.status === 404;
      const expected = login
        ? events.length === 2
          ? ['auth.login_failed', 'auth.locked_out']
          : ['auth.login_failed']
        : joinCode
          ? ['booking.join_code_refused']
          : [];
      if (json(events) !== json(expected))
        throw new Error(`a ${res.status} recorded audit events ${json(events)}, expected ${json(expected)}: ${where}`);
    }
    return res;
  }

  // ---- generators -------------------------------------------------------------------------------------

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.fullUnicodeString({ maxLength: 40 }),
    fc.constantFrom('', ' ', '..', '%', 'null', '-1', '1e309', 'GT', 'gt', 'ZZ'),
  );
  const anyJson = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.anything({ maxDepth: 3 }),
    fc.integer({ min: MAX_PAYLOAD_DEPTH, max: 3000 }).map((d) => new Deep(d)),
  );
  const pathValue = (p: Operation['pathParams'][number]) =>
    fc.oneof(
      ...(p.enum ? [fc.constantFrom(...p.enum), fc.constantFrom(...p.enum).map((c) => c.toLowerCase())] : []),
      fc.uuid(),
      fc.uuid().map((u) => u.toUpperCase()),
      text.filter((v) => v !== ''),
    );
  const queryFor = (op: Operation) =>
    fc.array(
      fc.tuple(fc.oneof(...(op.queryParams.length ? [fc.constantFrom(...op.queryParams)] : []), fc.string({ maxLength: 10 })), text),
      { maxLength: 5 },
    );
  const objectFor = (op: Operation) =>
    fc.dictionary(
      fc.oneof(...(op.bodyProperties?.length ? [fc.constantFrom(...op.bodyProperties)] : []), fc.string({ maxLength: 12 })),
      anyJson,
      { maxKeys: 8 },
    );
  const bodyFor = (op: Operation): fc.Arbitrary<Pick<Sent, 'body' | 'contentType'>> => {
    if (op.method === 'get') return fc.constant({});
    const rosterRow = fc.dictionary(fc.constantFrom(...ROSTER_COLUMNS, 'x'), fc.oneof(text, anyJson), { maxKeys: 9 });
    return fc.oneof(
      objectFor(op).map((body) => ({ body })),
      anyJson.map((body) => ({ body })),
      fc.array(rosterRow, { maxLength: 6 }).map((body) => ({ body })),
      fc.constantFrom('{"a":', '{"email": "a@b.c",}', 'null', '"x"', '[1,').map((body) => ({ body })),
      fc
        .array(
          fc.array(text, { maxLength: 6 }).map((cells) => cells.join(',')),
          { maxLength: 6 },
        )
        .map((lines) => ({ body: lines.join('\n'), contentType: 'text/csv' })),
      fc.constant({ body: undefined }),
    );
  };
  const requestFor = (op: Operation, token: fc.Arbitrary<string | undefined>): fc.Arbitrary<Sent> =>
    fc
      .record({
        path: fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathValue(p)]))) as fc.Arbitrary<Record<string, string>>,
        query: queryFor(op),
        payload: bodyFor(op),
        token,
      })
      .map(({ path, query, payload, token: tk }) => ({ op, path, query, token: tk, ...payload }));

  // ---- properties -------------------------------------------------------------------------------------

  it('reads every route of the OpenAPI document, with who may call it', () => {
    const byId = Object.fromEntries(ops.map((o) => [o.id, o]));
    // Spot checks that the access table is read right (the properties below rely on it).
    expect(byId.UsersController_create.roles).toEqual(['platform_admin', 'roster_admin']);
    expect(byId.RostersController_import.roles).toEqual(['roster_admin']);
    expect(byId.AuthController_login.public).toBe(true);
    expect(byId.LanguagesController_search.queryParams).toEqual(expect.arrayContaining(['q', 'country', 'limit']));
    expect(byId.RostersController_setSharing.bodyProperties).toEqual(['countries']);
    expect(ops.length).toBeGreaterThanOrEqual(15);
  });

  it('answers a route without a valid token 401, and a wrong role 403, whatever the input', async () => {
    const guarded = ops.filter((o) => !o.public);
    const badToken = fc.oneof(
      fc.constant(undefined),
      fc.string({ maxLength: 30 }).map((s) => `Bearer ${s}`),
      fc.constantFrom('Bearer', 'Basic abc', 'bearer x'),
      fc.constant(null).map(() => `Bearer ${tokens.platform_admin.slice(0, -2)}xx`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc
          .constantFrom(...guarded)
          .chain((op) =>
            fc.tuple(
              fc.constant(op),
              requestFor(op, badToken),
              wrong(op).length
                ? fc.constantFrom(...wrong(op)).chain((r) => requestFor(op, fc.constant(`Bearer ${tokens[r]}`)))
                : fc.constant(null),
            ),
          ),
        async ([op, anon, wrongRole]) => {
          const a = await check(anon);
          if (a.status !== refusal(anon, 401))
            throw new Error(`${op.method} ${op.path} with ${json(anon.token)}: ${a.status} ${a.text.slice(0, 200)}`);
          if (wrongRole) {
            const w = await check(wrongRole);
            if (w.status !== refusal(wrongRole, 403))
              throw new Error(`${op.method} ${op.path} by a wrong role: ${w.status} ${w.text.slice(0, 200)}`);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('never answers 5xx to random input from the right role; 400s name fields; a 4xx stores nothing', async () => {
    const seen = new Map<string, Set<number>>();
    // Each route gets its share of the runs: fc.constantFrom over all routes favours the first ones, and the
    // routes added last could go unexercised.
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(
          requestFor(
            op,
            fc.constantFrom(...allowed(op)).map((r) => `Bearer ${tokens[r]}`),
          ),
          async (r) => {
            const res = await check(r);
            seen.set(op.id, (seen.get(op.id) ?? new Set()).add(res.status));
            if (op.id === 'RostersController_import' && res.status === 200) {
              // An import answers for every row: each refused row is named by line and field.
              for (const e of res.body.rejected)
                expect(e).toEqual({ line: expect.any(Number), field: expect.any(String), message: expect.any(String) });
            }
          },
        ),
        { seed: SEED, numRuns: Math.max(6, Math.ceil((RUNS * 4) / ops.length)), endOnFailure: true },
      );
    }
    // Every route was exercised, and most inputs were refused.
    expect([...seen.keys()].sort()).toEqual(ops.map((o) => o.id).sort());
    // A guard against a hang, sized to the work: several hundred requests, each with two table snapshots
    // (about 20 s on a quiet 2-core machine, twice that with another suite beside it).
  }, 240_000);

  it('refuses an unknown body field or query parameter with a 400 naming it, and stores nothing', async () => {
    const withBody = ops.filter((o) => o.bodyProperties);
    const withQuery = ops.filter((o) => o.queryParams.length);
    const extraKey = fc.oneof(
      fc.string({ minLength: 1, maxLength: 15 }),
      fc.constantFrom('constructor', 'prototype', 'toString', '__proto__', 'id', 'role', 'country2'),
    );
    const validPath = (op: Operation) =>
      Object.fromEntries(op.pathParams.map((p) => [p.name, p.enum ? 'GT' : '00000000-0000-4000-8000-000000000000']));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constantFrom(...withBody).chain((op) =>
            fc.record({
              op: fc.constant(op),
              key: extraKey.filter((k) => !op.bodyProperties!.includes(k)),
              value: fc.jsonValue({ maxDepth: 2 }),
              body: objectFor(op),
              role: fc.constantFrom(...allowed(op)),
              where: fc.constant('body' as const),
            }),
          ),
          fc.constantFrom(...withQuery).chain((op) =>
            fc.record({
              op: fc.constant(op),
              key: extraKey.filter((k) => !op.queryParams.includes(k) && k !== '__proto__'),
              value: text,
              body: fc.constant({}),
              role: fc.constantFrom(...allowed(op)),
              where: fc.constant('query' as const),
            }),
          ),
        ),
        async ({ op, key, value, body, role, where }) => {
          const sent: Sent = { op, path: validPath(op), query: [], token: `Bearer ${tokens[role]}` };
          if (where === 'body')
            sent.body = Object.defineProperty({ ...body }, key, { value, enumerable: true, configurable: true, writable: true });
          else sent.query = [[key, String(value)]];
          const res = await check(sent);
          if (res.status !== 400 || !res.body.fields?.includes(key))
            throw new Error(`unknown ${where} field ${json(key)} on ${op.method} ${op.path}: ${res.status} ${res.text.slice(0, 300)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('records exactly one auth.login_failed per refused well-formed login, and nothing for a malformed one', async () => {
    const login = ops.find((o) => o.id === 'AuthController_login')!;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          email: fc.oneof(fc.emailAddress(), fc.constant('platform_admin@test.puente.example')),
          password: fc.string({ minLength: 1, maxLength: 40 }),
        }),
        async (body) => {
          const res = await check({ op: login, path: {}, query: [], body });
          if (res.status === 401 || res.status === 429) refused++;
          else if (res.status !== 400) throw new Error(`login ${json(body)}: ${res.status}`);
        },
      ),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2), endOnFailure: true },
    );
    expect(refused).toBeGreaterThan(0);
  });

  it('keeps the regression examples the fuzzing found', async () => {
    const op = (id: string) => ops.find((o) => o.id === id)!;
    const admin = `Bearer ${tokens.platform_admin}`;
    const deep = (n: number) => new Deep(n);
    // Found: a body nested ~2,000 levels deep overflowed class-transformer's stack: a 500.
    const nested = await check({
      op: op('UsersController_create'),
      path: {},
      query: [],
      token: admin,
      body: { role: 'official', email: deep(3000), password: 'x' },
    });
    expect(nested.status).toBe(400);
    expect(nested.body.fields).toEqual(['email']);
    const nestedLogin = await check({
      op: op('AuthController_login'),
      path: {},
      query: [],
      body: { email: 'a@b.example', password: deep(2500) },
    });
    expect(nestedLogin.status).toBe(400);
    expect(nestedLogin.body.fields).toEqual(['password']);
    // Found: keys that Nest and class-transformer drop silently were accepted instead of refused as unknown.
    const proto = await check({
      op: op('AuthController_callerToken'),
      path: {},
      query: [],
      body: { constructor: { prototype: { role: 'platform_admin' } } },
    });
    expect(proto.status).toBe(400);
    expect(proto.body.fields).toEqual(['constructor']);
    const query = await check({ op: op('LanguagesController_search'), path: {}, query: [['toString', 'x']] });
    expect(query.status).toBe(400);
    expect(query.body.fields).toEqual(['toString']);
    // Found: a malformed :id was a 400 that did not name the parameter.
    const badId = await check({ op: op('LanguagesController_listLinks'), path: { id: 'not-a-uuid' }, query: [], token: admin });
    expect(badId.status).toBe(400);
    expect(badId.body.fields).toEqual(['id']);
  });

  it('answers every join-code guess with a 400 naming the code or the one same 404', async () => {
    const join = ops.find((o) => o.id === 'BookingsController_join')!;
    const notFound = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.stringMatching(/^\d{10}$/),
          fc.stringMatching(/^\d{4}-\d{4}-\d{2}$/),
          fc.stringMatching(/^[\d\s-]{8,22}$/),
          text,
          anyJson,
        ),
        async (code) => {
          const res = await check({ op: join, path: {}, query: [], body: { code } });
          if (res.status === 404) notFound.add(res.text);
          else if (res.status !== 400 || json(res.body.fields) !== json(['code']))
            throw new Error(`join ${json(code)}: ${res.status} ${res.text.slice(0, 200)}`);
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    expect(notFound.size).toBe(1);
  });

  it('is still up and serving after the fuzzing', async () => {
    expect((await t.http().get('/health')).status).toBe(200);
    const res = await t.http().get('/api/v1/languages?q=mam&country=GT').expect(200);
    expect(res.body.some((l: { iso6393: string }) => l.iso6393 === 'mam')).toBe(true);
  });
});
