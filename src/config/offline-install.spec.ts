import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * "A clean `npm ci` must not fail offline" (issue 2). npm 11 runs a dependency's install script only when
 * package.json's `allowScripts` approves it, and such scripts are what reach the network (mediasoup's would
 * download a prebuilt worker). So: every locked package with an install script must be decided there, and an
 * approval is only for a script known to need no network.
 */
const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { name?: string; version?: string; hasInstallScript?: boolean }>;
};

/** Install scripts approved because they were read and verified to work offline, with why. None so far. */
const OFFLINE_APPROVED: Record<string, string> = {};

/** `allowScripts` keys are `name`, `name@version` or `name@range`; a scope's `@` is not a version's. */
const nameOfKey = (key: string) => (key.lastIndexOf('@') > 0 ? key.slice(0, key.lastIndexOf('@')) : key);
const nameOfPath = (path: string, name?: string) => name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

const withScripts = Object.entries(lock.packages)
  .filter(([path, p]) => path !== '' && p.hasInstallScript)
  .map(([path, p]) => ({ name: nameOfPath(path, p.name), version: p.version }));
const allow = Object.entries(pkg.allowScripts ?? {}).map(([key, allowed]) => ({ key, name: nameOfKey(key), allowed }));

describe('a clean npm ci offline (package.json allowScripts against package-lock.json)', () => {
  it('reads the lockfile it checks', () => {
    expect(withScripts.map((p) => p.name)).toContain('mediasoup');
  });

  it('decides every locked package that has an install script', () => {
    const undecided = withScripts.filter((p) => !allow.some((a) => a.name === p.name)).map((p) => `${p.name}@${p.version}`);
    expect(undecided).toEqual([]);
  });

  it('approves only install scripts known to work offline', () => {
    const approvedUnknown = allow.filter((a) => a.allowed !== false && !(a.name in OFFLINE_APPROVED)).map((a) => a.key);
    expect(approvedUnknown).toEqual([]);
  });

  it("denies mediasoup's script (it would download a worker; scripts/build-mediasoup-worker.sh builds it)", () => {
    expect(allow.find((a) => a.name === 'mediasoup')?.allowed).toBe(false);
  });

  it('lists no package that the lockfile no longer has with an install script', () => {
    const stale = allow.filter((a) => !withScripts.some((p) => p.name === a.name)).map((a) => a.key);
    expect(stale).toEqual([]);
  });
});
