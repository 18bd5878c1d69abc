import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { APP_DIR, ROOT } from './cluster';

/** The machine and the code measured, for the results files. */
export function machine() {
  const version = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  const model = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return {
    nproc: cpus().length,
    cpu: model,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis: /redis_version:(\S+)/.exec(version('redis-cli', ['-h', '127.0.0.1', 'INFO', 'server']))?.[1] ?? 'unknown',
    kernel: version('uname', ['-r']),
    loadAtStart: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    // The code measured: the commit, and whether tracked files differed from it.
    commit: version('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    dirty: version('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no']) !== '',
  };
}

/** The application compiled into bench/dist/app, so that a concurrent `npm run build` of dist/ cannot swap it mid-run. */
export function buildApp(skipIfBuilt: boolean, log: (msg: string) => void) {
  const out = APP_DIR;
  const cli = join(out, 'src', 'cli.js');
  if (skipIfBuilt && existsSync(cli)) return;
  log('compiling the application into bench/dist/app');
  const r = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'tsc'),
    ['-p', 'tsconfig.build.json', '--outDir', out, '--tsBuildInfoFile', join(out, '.tsbuildinfo')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (r.error) throw r.error;
  if (r.status !== 0) {
    if (!existsSync(cli)) throw new Error(`build failed:\n${r.stdout}${r.stderr}`);
    log(`build reported type errors (emitted anyway):\n${r.stdout.slice(0, 2000)}`);
  }
}
