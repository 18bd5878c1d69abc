import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The compiled server (dist/) and the built web client (client/dist/), made once per test run by the global
 * setup when a source is newer than the last build, so that no two jest workers ever compile into the same
 * folder at once and no test file pays for a build of its own. The setup runs both at once: they write to
 * different folders, and on two cores the compiler and Vite each take one.
 */
const ROOT = join(__dirname, '..', '..');
const CLIENT = join(ROOT, 'client');
const CLIENT_SOURCES = ['src', 'public', 'sw', 'index.html', 'offline.html', 'interpreter', 'admin', 'official', 'vite.config.mts'].map(
  (p) => join(CLIENT, p),
);
const SERVER_SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package.json'].map((p) => join(ROOT, p));
const SERVER_STAMP = join(ROOT, 'dist', '.built');

/** The newest change below a path; a folder's own time counts, so a renamed or removed file makes it newer. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

const stale = (built: string, sources: string[]) => !existsSync(built) || Math.max(...sources.map(newest)) > statSync(built).mtimeMs;

const run = promisify(execFile);

/** Compiles the server into dist/ when it is missing or older than any server source (`node dist/src/cli.js`). */
export async function ensureServerBuilt(): Promise<void> {
  if (!stale(SERVER_STAMP, SERVER_SOURCES)) return;
  await run(process.execPath, [join(ROOT, 'scripts', 'prune-dist.mjs')], { cwd: ROOT });
  await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    maxBuffer: 16 * 1024 * 1024,
  });
  writeFileSync(SERVER_STAMP, new Date().toISOString());
}

/** The browser tests' build of the client: the production one plus the test hooks (client/src/lib/test-hooks.ts). */
export const TEST_CLIENT_DIST = join(CLIENT, 'dist-test');

/**
 * Builds client/dist (what phones get) and client/dist-test (the same with the test hooks, which the browser tests
 * serve) with Vite when missing or older than any client source (before the app serves them).
 */
export async function ensureClientBuilt(): Promise<void> {
  for (const [dist, hooks] of [
    [join(CLIENT, 'dist'), '0'],
    [TEST_CLIENT_DIST, '1'],
  ]) {
    if (!stale(join(dist, 'index.html'), CLIENT_SOURCES)) continue;
    // NODE_ENV=production: jest sets `test`, which Vite would build into the bundle (libraries' development code);
    // the tests check the build a phone gets, sizes included.
    await run(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'client', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', PUENTE_TEST_HOOKS: hooks },
      maxBuffer: 16 * 1024 * 1024,
    });
  }
}
