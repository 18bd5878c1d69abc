import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const CLIENT = join(ROOT, 'client');
const SOURCES = ['src', 'public', 'sw', 'index.html', 'offline.html', 'interpreter', 'admin', 'official', 'vite.config.mts'].map((p) => join(CLIENT, p));

function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds client/dist with Vite when it is missing or older than any client source (before the app starts). */
export function ensureClientBuilt(): void {
  const built = join(CLIENT, 'dist', 'index.html');
  const stale = !existsSync(built) || Math.max(...SOURCES.map(newest)) > statSync(built).mtimeMs;
  // NODE_ENV=production: jest sets `test`, which Vite would build into the bundle (libraries' development code);
  // the tests check the build a phone gets, sizes included.
  if (stale) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', 'client', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'pipe',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
