#!/usr/bin/env node
// Makes a fresh clone runnable: installs npm dependencies when missing or stale, with --test the Debian
// packages the test suites run (Chromium, coturn, redis-server), builds (or reuses) the mediasoup worker
// (installing its Debian build packages when it must be built), starts local PostgreSQL/Redis when absent,
// and optionally compiles the server and creates the database. Uses nothing but Node itself, since it runs
// before `npm ci`. Options: --test, --build, --database, --quiet.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const quiet = args.has('--quiet');
const log = (m) => quiet || console.error(`setup: ${m}`);
const run = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`setup: ${cmd} ${argv.join(' ')} failed`);
    process.exit(r.status ?? 1);
  }
};

// 1. npm dependencies
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || statSync(lock).mtimeMs > statSync(installed).mtimeMs) {
  log('installing npm dependencies');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

// 2. what the tests run besides Node (`npm test`): Debian packages, installed when missing
if (args.has('--test')) run('bash', ['scripts/install-debian-packages.sh', 'test']);

// 3. the mediasoup worker (cached outside node_modules by version)
run('bash', ['scripts/build-mediasoup-worker.sh']);

// 4. PostgreSQL and Redis on this machine, if they are the ones configured and not running
const local = (url, def) => /127\.0\.0\.1|localhost/.test(url ?? def);
if (local(process.env.DATABASE_URL, '127.0.0.1') && local(process.env.REDIS_URL, '127.0.0.1')) {
  run('bash', ['scripts/start-services.sh']);
}

// 5. compiled server, when it will be run from dist/
if (args.has('--build')) {
  log('compiling the server');
  run(process.execPath, [join(root, 'scripts', 'prune-dist.mjs')]);
  run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json']);
  log('building the web client');
  run(join(root, 'node_modules', '.bin', 'vite'), ['build', 'client', '--logLevel', 'warn']);
}

// 6. the configured database, created when missing (demo and first start)
if (args.has('--database')) {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/puente');
  const name = url.pathname.slice(1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    console.error(`setup: DATABASE_URL names an unusual database "${name}"; create it yourself`);
    process.exit(1);
  }
  url.pathname = '/postgres';
  const script = `
    const { Client } = require('pg');
    (async () => {
      const c = new Client({ connectionString: ${JSON.stringify(url.toString())} });
      await c.connect();
      const r = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [${JSON.stringify(name)}]);
      if (!r.rowCount) { await c.query('CREATE DATABASE ${name}'); console.error('setup: created database ${name}'); }
      await c.end();
    })().catch((e) => { console.error('setup: cannot create the database: ' + e.message); process.exit(1); });`;
  execFileSync(process.execPath, ['-e', script], { cwd: root, stdio: 'inherit' });
}
