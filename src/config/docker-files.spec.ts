import { getMetadataStorage } from 'class-validator';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, posix, resolve } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { AppConfig, loadConfig } from './config.schema';

/**
 * No Docker engine runs where the tests run, so docker/ is kept honest by reading it: compose.yml (with the
 * TLS override) as Compose would interpolate it from docker/.env.example, nginx.conf, the Dockerfile, and the
 * monitoring files, against the code they deploy (the settings of config.schema.ts, the scripts, the metrics).
 */
const root = join(__dirname, '..', '..');
const dockerDir = join(root, 'docker');
const read = (path: string) => readFileSync(path, 'utf8');

// ---- docker/.env.example: `KEY=value` is set, `#KEY=value` a commented default, `# KEY=value` set by compose.yml ----
const envLines = read(join(dockerDir, '.env.example')).split('\n');
const pick = (re: RegExp) => new Map(envLines.flatMap((l) => (re.exec(l) ? [[re.exec(l)![1], re.exec(l)![2]] as [string, string]] : [])));
const exampleSet = pick(/^([A-Z][A-Z0-9_]*)=(.*)$/);
const exampleCommented = pick(/^#([A-Z][A-Z0-9_]*)=(.*)$/);
const exampleListed = pick(/^# ([A-Z][A-Z0-9_]*)=(\S*)/);
const exampleNames = new Set([...exampleSet.keys(), ...exampleCommented.keys(), ...exampleListed.keys()]);

/** The example as an operator fills it in: every empty secret given a value of the right shape. */
const filledEnv: Record<string, string> = Object.fromEntries(
  [...exampleSet].map(([k, v]) => [k, v === '' ? `${k.toLowerCase().replace(/[^a-z]/g, '')}0123456789abcdef0123456789abcdef` : v]),
);

// ---- the settings the application reads ----
const defaults = new AppConfig() as unknown as Record<string, unknown>;
const configKeys = new Set([
  ...Object.keys(defaults),
  ...getMetadataStorage()
    .getTargetValidationMetadatas(AppConfig, '', true, false)
    .map((m) => m.propertyName),
]);

// ---- Compose: YAML with merge keys, then ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, $$ ----
type Yaml = Record<string, any>;
const yaml = (path: string) => load(read(path), { schema: CORE_SCHEMA.withTags(mergeTag) }) as Yaml;
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function interpolate(value: unknown, env: Record<string, string>, names: Set<string>): any {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, names));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, names)]));
  if (typeof value !== 'string') return value;
  return value.replace(VARIABLE, (match, braced?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    const name = (braced ?? bare)!;
    names.add(name);
    const v = env[name];
    const missing = op?.startsWith(':') ? !v : v === undefined;
    if (op?.endsWith('?') && missing) throw new Error(`compose: ${name} is required: ${arg}`);
    if (op?.endsWith('-') && missing) return arg!;
    return v ?? '';
  });
}

const composeNames = new Set<string>();
const compose = interpolate(yaml(join(dockerDir, 'compose.yml')), filledEnv, composeNames);
// The TLS override as an operator who enables it fills it in: with the example's commented values too.
const tlsEnv = { ...filledEnv, ...Object.fromEntries([...exampleCommented].filter(([, v]) => v !== '')) };
const composeTls = interpolate(yaml(join(dockerDir, 'compose.tls.yml')), tlsEnv, composeNames);
/** The operator's certificates: not in the repository. */
const certDir = resolve(dockerDir, tlsEnv.TLS_CERT_DIR);
const services: Record<string, Yaml> = compose.services;
const appServices = Object.keys(services).filter((s) => services[s].build?.dockerfile === 'docker/Dockerfile');

/** A bind mount's host path (relative ones are relative to docker/), or undefined for a named volume. */
function bindSource(volume: string | Yaml): string | undefined {
  const source = typeof volume === 'string' ? volume.split(':')[0] : volume.type === 'bind' ? volume.source : undefined;
  return source && /^[./]/.test(source) ? resolve(dockerDir, source) : undefined;
}
const bindTarget = (volume: string) => volume.split(':')[1];

interface Published {
  hostFrom: number;
  hostTo: number;
  containerFrom: number;
  containerTo: number;
  protocol: string;
}
function published(port: string): Published {
  const [mapping, protocol = 'tcp'] = port.split('/');
  const parts = mapping.split(':');
  const range = (r: string) => r.split('-').map(Number) as [number, number?];
  const [hostFrom, hostTo = hostFrom] = range(parts.at(-2)!);
  const [containerFrom, containerTo = containerFrom] = range(parts.at(-1)!);
  return { hostFrom, hostTo: hostTo!, containerFrom, containerTo: containerTo!, protocol };
}

/** What one application container's process sees: docker/.env, then compose's `environment`, over the image's ENV. */
function appEnvironment(service: string): Record<string, string> {
  return {
    ...dockerfileEnv,
    ...filledEnv,
    ...Object.fromEntries(Object.entries(services[service].environment).map(([k, v]) => [k, String(v)])),
  };
}

// ---- nginx.conf: directives and blocks ----
interface Directive {
  name: string;
  args: string[];
  block?: Directive[];
}
function parseNginx(text: string): Directive[] {
  const tokens = (text.match(/#[^\n]*|'[^']*'|"(?:[^"\\]|\\.)*"|[{};]|[^\s{};'"]+/g) ?? []).filter((t) => !t.startsWith('#'));
  const top: Directive[] = [];
  const stack: Directive[][] = [top];
  let words: string[] = [];
  for (const t of tokens) {
    if (t === ';' || t === '{') {
      const d: Directive = { name: words[0], args: words.slice(1).map((w) => w.replace(/^(['"])(.*)\1$/s, '$2')) };
      stack.at(-1)!.push(d);
      if (t === '{') stack.push((d.block = []));
      words = [];
    } else if (t === '}') {
      if (words.length) throw new Error(`nginx: missing ';' before '}' after ${words.join(' ')}`);
      stack.pop();
      if (!stack.length) throw new Error("nginx: unbalanced '}'");
    } else words.push(t);
  }
  if (stack.length !== 1 || words.length) throw new Error('nginx: unterminated block or directive');
  return top;
}
const all = (ds: Directive[] | undefined, name: string) => (ds ?? []).filter((d) => d.name === name);
const one = (ds: Directive[] | undefined, name: string, ...args: string[]) => {
  const found = all(ds, name).filter((d) => args.every((a, i) => d.args[i] === a));
  if (found.length !== 1) throw new Error(`nginx: expected one "${[name, ...args].join(' ')}", found ${found.length}`);
  return found[0];
};
const nginx = parseNginx(read(join(dockerDir, 'nginx.conf')));
const http = one(nginx, 'http').block!;
const server = one(http, 'server').block!;
const location = (path: string, modifier?: string) => one(server, 'location', ...(modifier ? [modifier, path] : [path])).block!;
/** nginx inheritance: a level that sets any proxy_set_header replaces all of its parent's. */
function proxyHeaders(loc: Directive[]): Map<string, string> {
  const level = [loc, server, http].find((ds) => all(ds, 'proxy_set_header').length)!;
  return new Map(all(level, 'proxy_set_header').map((d) => [d.args[0].toLowerCase(), d.args[1]]));
}
const effective = (loc: Directive[], name: string) => [loc, server, http].map((ds) => all(ds, name)[0]).find(Boolean)?.args[0];
const seconds = (v: string) => Number(/^(\d+)s?$/.exec(v)![1]);
const bytes = (v: string) =>
  Number(/^(\d+)([km]?)$/i.exec(v)![1]) *
  ({ '': 1, k: 1024, m: 1024 * 1024 } as Record<string, number>)[/^\d+([km]?)$/i.exec(v)![1].toLowerCase()];

// ---- the Dockerfile: instructions, continuation lines joined; the runtime stage's ENV (after the last FROM) ----
const dockerfile = read(join(dockerDir, 'Dockerfile'))
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => l.trim() && !l.trim().startsWith('#'))
  .map((l) => /^\s*([A-Z]+)\s+(.*)$/.exec(l)!)
  .map(([, instruction, rest]) => ({ instruction, rest }));
const runtimeStage = dockerfile.slice(dockerfile.map((i) => i.instruction).lastIndexOf('FROM'));
const dockerfileEnv: Record<string, string> = Object.fromEntries(
  runtimeStage.filter((i) => i.instruction === 'ENV').flatMap((i) => [...i.rest.matchAll(/([A-Z_]+)=(\S+)/g)].map((m) => [m[1], m[2]])),
);

describe('docker/compose.yml', () => {
  it('parses, has two application nodes or more, and every service a service depends on exists', () => {
    expect(appServices.length).toBeGreaterThanOrEqual(2);
    for (const [name, s] of Object.entries(services)) {
      for (const dep of Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}))
        expect([name, dep, dep in services]).toEqual([name, dep, true]);
    }
  });

  it("references only files that exist (build, env_file, bind mounts; the TLS override's fixed ones)", () => {
    const missing: string[] = [];
    const check = (path: string | undefined) => path && !existsSync(path) && missing.push(path);
    for (const s of Object.values(services)) {
      if (s.build) {
        check(resolve(dockerDir, s.build.context));
        check(resolve(dockerDir, s.build.context, s.build.dockerfile));
      }
      for (const f of [s.env_file ?? []].flat()) check(resolve(dockerDir, f === '.env' ? '.env.example' : f));
      for (const v of s.volumes ?? []) check(bindSource(v));
    }
    for (const v of composeTls.services.nginx.volumes) if (bindSource(v) !== certDir) check(bindSource(v));
    check(join(dockerDir, 'Dockerfile.dockerignore'));
    expect(missing).toEqual([]);
  });

  it('runs PostgreSQL 15, Redis 7 with its append-only file and no eviction (Bull timers), and a pinned nginx', () => {
    expect(services.db.image).toBe('postgres:15');
    expect(services.redis.image).toBe('redis:7');
    expect(services.redis.command.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
    expect(services.nginx.image).toMatch(/^nginx:1\.(2[89]|[3-9]\d)/); // `resolve` in upstream servers: 1.27.3+
  });

  it('gives both nodes the same DATABASE_URL, REDIS_URL and announced address, and settings the application accepts', () => {
    const envs = appServices.map(appEnvironment);
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'MEDIASOUP_ANNOUNCED_ADDRESS', 'JWT_SECRET', 'REDIS_PREFIX']) {
      expect(new Set(envs.map((e) => e[key])).size).toBe(1);
    }
    // PostgreSQL's socket, in the directory db shares with every node.
    expect(envs[0].DATABASE_URL).toMatch(/@%2Fvar%2Frun%2Fpostgresql\/puente$/);
    for (const s of [...appServices, 'db']) expect(services[s].volumes).toContain('pg-socket:/var/run/postgresql');
    expect(Object.keys(compose.volumes)).toContain('pg-socket');
    expect(envs[0].REDIS_URL).toBe('redis://redis:6379');
    for (const env of envs) expect(() => loadConfig(env)).not.toThrow();
    for (const s of appServices) expect(Object.keys(services[s].environment).filter((k) => !configKeys.has(k))).toEqual([]);
  });

  it("publishes each node's RTC ports on the same numbers, exactly MEDIASOUP_RTC_PORT..+MEDIASOUP_WORKERS-1, UDP and TCP, ranges apart", () => {
    const ranges = appServices.map((s) => {
      const config = loadConfig(appEnvironment(s));
      const want = { from: config.MEDIASOUP_RTC_PORT, to: config.MEDIASOUP_RTC_PORT + config.MEDIASOUP_WORKERS - 1 };
      const ports = (services[s].ports as string[]).map(published);
      expect(ports.map((p) => p.protocol).sort()).toEqual(['tcp', 'udp']);
      for (const p of ports)
        expect([s, p]).toEqual([
          s,
          { hostFrom: want.from, hostTo: want.to, containerFrom: want.from, containerTo: want.to, protocol: p.protocol },
        ]);
      return { name: s, ...want };
    });
    const turn = read(join(dockerDir, 'turnserver.conf'));
    ranges.push({ name: 'coturn relays', from: Number(/^min-port=(\d+)/m.exec(turn)![1]), to: Number(/^max-port=(\d+)/m.exec(turn)![1]) });
    for (const a of ranges) {
      for (const b of ranges)
        if (a !== b)
          expect(
            `${a.name} ${a.from}-${a.to}, ${b.name} ${b.from}-${b.to}: ${a.to < b.from || b.to < a.from ? 'apart' : 'overlap'}`,
          ).toMatch(/apart$/);
    }
  });

  it('lets coturn relay to exactly the address the nodes announce', () => {
    const args: string[] = services.turn.command;
    const announced = appEnvironment('app1').MEDIASOUP_ANNOUNCED_ADDRESS;
    expect(args).toContain(`--external-ip=${announced}`);
    expect(args.filter((a) => a.startsWith('--allowed-peer-ip='))).toEqual([`--allowed-peer-ip=${announced}`]);
  });
});

describe('docker/nginx.conf', () => {
  it('sends HTTP to exactly the app services, on their PORT, with stickiness for long-polling', () => {
    const upstreams = all(http, 'upstream');
    expect(upstreams).toHaveLength(1);
    const servers = all(upstreams[0].block, 'server').map((d) => d.args[0]);
    expect(servers.sort()).toEqual(appServices.map((s) => `${s}:${appEnvironment(s).PORT}`).sort());
    expect(all(upstreams[0].block, 'ip_hash').length + all(upstreams[0].block, 'hash').length).toBe(1);
    for (const loc of all(server, 'location').filter((l) => all(l.block, 'proxy_pass').length)) {
      expect(one(loc.block, 'proxy_pass').args).toEqual([`http://${upstreams[0].args[0]}`]);
    }
  });

  it('listens on the container port compose publishes', () => {
    const containerPorts = (services.nginx.ports as string[]).map((p) => published(p).containerFrom);
    expect(all(server, 'listen').map((d) => Number(d.args[0]))).toEqual(containerPorts);
  });

  it('upgrades socket.io to WebSocket, with timeouts longer than its heartbeat', () => {
    const socketIo = location('/socket.io/');
    const headers = proxyHeaders(socketIo);
    expect(effective(socketIo, 'proxy_http_version')).toBe('1.1');
    expect(headers.get('upgrade')).toBe('$http_upgrade');
    const map = all(http, 'map').find((m) => m.args[0] === '$http_upgrade')!;
    expect(headers.get('connection')).toBe(map.args[1]);
    expect(all(map.block, 'default')[0].args).toEqual(['upgrade']);
    const adapter = read(join(root, 'src', 'realtime', 'redis-io.adapter.ts'));
    const ms = (name: string) => Number(new RegExp(`${name}: ([\\d_]+)`).exec(adapter)![1].replace(/_/g, ''));
    const heartbeat = (ms('pingInterval') + ms('pingTimeout')) / 1000;
    for (const t of ['proxy_read_timeout', 'proxy_send_timeout']) expect(seconds(effective(socketIo, t)!)).toBeGreaterThan(heartbeat);
  });

  it("passes X-Forwarded-For (TRUST_PROXY's hop), the Host and the scheme from every proxied location", () => {
    for (const loc of all(server, 'location').filter((l) => all(l.block, 'proxy_pass').length)) {
      const headers = proxyHeaders(loc.block!);
      expect([loc.args.join(' '), headers.get('x-forwarded-for'), !!headers.get('host'), !!headers.get('x-forwarded-proto')]).toEqual([
        loc.args.join(' '),
        '$proxy_add_x_forwarded_for',
        true,
        true,
      ]);
    }
  });

  it('accepts roster imports up to ROSTER_IMPORT_MAX_BYTES and keeps /metrics from the public', () => {
    expect(bytes(effective(location('/api/v1/rosters/'), 'client_max_body_size')!)).toBeGreaterThanOrEqual(
      defaults.ROSTER_IMPORT_MAX_BYTES as number,
    );
    expect(all(location('/metrics', '='), 'proxy_pass')).toEqual([]);
    expect(one(location('/metrics', '='), 'return').args).toEqual(['404']);
  });

  it('includes the TLS file where compose.tls.yml mounts it, and finds the certificates where it mounts them', () => {
    const include = all(server, 'include')
      .map((d) => d.args[0])
      .find((p) => p.includes('*'))!;
    const volumes: string[] = composeTls.services.nginx.volumes;
    const tlsFile = volumes.find((v) => bindSource(v) === join(dockerDir, 'nginx-tls.conf'))!;
    expect(posix.dirname(bindTarget(tlsFile))).toBe(posix.dirname(include));
    expect(bindTarget(tlsFile)).toMatch(new RegExp(`^${include.replace(/[.]/g, '\\.').replace('*', '[^/]*')}$`));
    const tls = parseNginx(read(join(dockerDir, 'nginx-tls.conf')));
    const certs = bindTarget(volumes.find((v) => bindSource(v) === certDir)!);
    for (const d of ['ssl_certificate', 'ssl_certificate_key']) expect(posix.dirname(one(tls, d).args[0])).toBe(certs);
    expect(one(tls, 'listen').args).toEqual(['443', 'ssl']);
    expect((composeTls.services.nginx.ports as string[]).map((p) => published(p).containerFrom)).toEqual([443]);
  });
});

describe('docker/.env.example', () => {
  it('names every setting of config.schema.ts', () => {
    expect([...configKeys].filter((k) => !exampleNames.has(k))).toEqual([]);
  });

  it('names nothing else than settings and variables compose reads, and documents every variable compose reads', () => {
    expect([...exampleNames].filter((n) => !configKeys.has(n) && !composeNames.has(n))).toEqual([]);
    expect([...composeNames].filter((n) => !configKeys.has(n) && !exampleNames.has(n))).toEqual([]);
  });

  it('gives the real default of every setting it comments out, in a form the application accepts', () => {
    for (const [key, value] of [...exampleCommented].filter(([k]) => configKeys.has(k))) {
      const d = defaults[key];
      if (d !== undefined) expect([key, value]).toEqual([key, Array.isArray(d) ? d.join(',') : String(d)]);
      expect(() => loadConfig({ ...appEnvironment('app1'), [key]: value })).not.toThrow();
    }
  });

  it('lists as set by compose.yml only what compose.yml or the image sets', () => {
    const set = new Set([...Object.keys(services.app1.environment), ...Object.keys(dockerfileEnv)]);
    expect([...exampleListed.keys()].filter((k) => !set.has(k))).toEqual([]);
  });
});

describe('docker/Dockerfile', () => {
  const steps = (name: string) => dockerfile.filter((i) => i.instruction === name).map((i) => i.rest);

  it('copies only sources that exist and that the build context does not ignore', () => {
    const ignored = read(join(dockerDir, 'Dockerfile.dockerignore'))
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('!'))
      .map(
        (p) =>
          new RegExp(
            `^${p
              .replace(/[.]/g, '\\.')
              .replace(/\*\*\//g, '(.*/)?')
              .replace(/\*/g, '[^/]*')}$`,
          ),
      );
    const sources = steps('COPY')
      .filter((c) => !c.startsWith('--from'))
      .flatMap((c) => c.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const s of sources) expect([s, existsSync(join(root, s)), ignored.some((re) => re.test(s))]).toEqual([s, true, false]);
  });

  it('runs scripts that exist, with arguments they take, and tools the dependencies provide', () => {
    const run = steps('RUN').join('\n');
    const scripts = [...run.matchAll(/\b(scripts\/[\w.-]+)(?:\s+(\w+))?/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, script, arg] of scripts) {
      expect([script, existsSync(join(root, script))]).toEqual([script, true]);
      if (script === 'scripts/install-debian-packages.sh') expect(read(join(root, script))).toContain(`${arg})`);
    }
    const pkg = JSON.parse(read(join(root, 'package.json')));
    const bins = new Set(
      Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).flatMap((dep) => {
        const p = join(root, 'node_modules', dep, 'package.json');
        const bin = existsSync(p) ? JSON.parse(read(p)).bin : undefined;
        return typeof bin === 'string' ? [dep.split('/').at(-1)!] : Object.keys(bin ?? {});
      }),
    );
    for (const [, tool] of run.matchAll(/\bnpx\s+(\S+)/g)) expect([tool, bins.has(tool)]).toEqual([tool, true]);
    for (const [, tsconfig] of run.matchAll(/-p\s+(\S+\.json)/g)) expect(existsSync(join(root, tsconfig))).toBe(true);
  });

  it("starts the compiled CLI's serve command, checks /health, and sets only settings the application reads", () => {
    const argv = JSON.parse(steps('CMD')[0]) as string[];
    // Node's own flags come before the script; each must be one this Node accepts.
    const flags = argv.slice(1).filter((a) => a.startsWith('--'));
    const cmd = [argv[0], ...argv.slice(1 + flags.length)];
    expect(cmd.slice(0, 2)).toEqual(['node', 'dist/src/cli.js']);
    expect(spawnSync(process.execPath, [...flags, '-e', '0']).status).toBe(0);
    const build = JSON.parse(read(join(root, 'tsconfig.build.json')).replace(/^\s*\/\/.*$/gm, ''));
    expect(build.include).toContain('src');
    expect(existsSync(join(root, 'src', 'cli.ts'))).toBe(true);
    expect(read(join(root, 'src', 'cli.ts'))).toContain(`case '${cmd[2]}':`);
    expect(steps('HEALTHCHECK')[0]).toContain("'/health'");
    expect(read(join(root, 'src', 'health', 'health.controller.ts'))).toContain("@Controller('health')");
    expect(Object.keys(dockerfileEnv).filter((k) => !configKeys.has(k))).toEqual([]);
  });
});

describe('docker/ monitoring (Prometheus and Grafana)', () => {
  const dashboard = JSON.parse(read(join(dockerDir, 'grafana-dashboard.json')));
  const exprs: string[] = dashboard.panels.flatMap((p: Yaml) => (p.targets ?? []).map((t: Yaml) => t.expr));

  it('scrapes exactly the app services, on their PORT', () => {
    const prometheus = yaml(join(dockerDir, 'prometheus.yml'));
    const targets = prometheus.scrape_configs.flatMap((c: Yaml) => c.static_configs.flatMap((s: Yaml) => s.targets));
    expect(targets.sort()).toEqual(appServices.map((s) => `${s}:${appEnvironment(s).PORT}`).sort());
  });

  it("provisions the dashboard's data source and the folder the dashboard is mounted in", () => {
    const provisioning = join(dockerDir, 'grafana', 'provisioning');
    const datasources = yaml(join(provisioning, 'datasources', readdirSync(join(provisioning, 'datasources'))[0])).datasources;
    const variable = dashboard.templating.list.find((v: Yaml) => v.type === 'datasource');
    expect(datasources.map((d: Yaml) => d.uid)).toContain(variable.current.value);
    const providers = yaml(join(provisioning, 'dashboards', readdirSync(join(provisioning, 'dashboards'))[0])).providers;
    const mounted = services.grafana.volumes.find((v: string) => bindSource(v) === join(dockerDir, 'grafana-dashboard.json'));
    expect(providers.map((p: Yaml) => p.options.path)).toContain(posix.dirname(bindTarget(mounted)));
  });

  it('charts only series the application exposes, and every series operators were promised', () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'puente_' });
    const declared = new Set<string>(registry.getMetricsAsArray().map((m) => m.name));
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [],
      );
    for (const file of sources(join(root, 'src'))) for (const m of read(file).matchAll(/name: '(puente_\w+)'/g)) declared.add(m[1]);
    const charted = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(puente_\w+?)(?:_bucket|_count|_sum)?\b/g)].map((m) => m[1])));
    expect([...charted].filter((n) => !declared.has(n))).toEqual([]);
    const promised = [
      'puente_queue_length',
      'puente_wait_seconds',
      'puente_offers_total',
      'puente_live_sessions',
      'puente_socket_connections',
      'puente_mediasoup_workers_alive',
      'puente_mediasoup_worker_cpu_seconds',
      'puente_mediasoup_routers',
    ];
    expect(promised.filter((n) => !charted.has(n))).toEqual([]);
  });

  it('describes every panel in docker/monitoring.md', () => {
    const doc = read(join(dockerDir, 'monitoring.md'));
    expect(dashboard.panels.filter((p: Yaml) => p.type !== 'row' && !doc.includes(p.title)).map((p: Yaml) => p.title)).toEqual([]);
  });
});
